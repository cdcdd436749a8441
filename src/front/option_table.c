#include "front/option_table.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "launch/caps.h"
#include "base/log.h"
#include "front/mountspec.h"
#include "gate/gate.h"
#include "launch/named.h"

/* Host paths in the policy are absolute and symlink-free, resolved once as
 * the caller, so what the pipeline opens is what husk check showed. The
 * policy (and so every host path) is trusted; only paths inside the rootfs
 * are hostile. */
static int host_path(const char *in, char **out, bool want_dir, char *err, size_t errlen)
{
	char *r = realpath(in, NULL);
	if (!r) {
		int e = errno;
		errf(err, errlen, -EINVAL, "%s: %s", in, strerror(e));
		return -e;
	}
	struct stat st;
	if (want_dir && (stat(r, &st) < 0 || !S_ISDIR(st.st_mode))) {
		free(r);
		return errf(err, errlen, -EINVAL, "%s: not a directory", in);
	}
	*out = r;
	return 0;
}

static int opt_rootfs(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	char *path;
	int r = host_path(arg, &path, true, err, errlen);
	if (r < 0) {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n, " (give the directory that holds the service's root "
					      "filesystem)");
		return r;
	}
	free(p->rootfs);
	p->rootfs = path;
	return 0;
}

static int add_bind(struct husk_policy *p, const char *arg, bool ro, char *err, size_t errlen)
{
	struct mount_entry m;
	int r = mountspec_parse_bind(arg, ro, &m, err, errlen);
	if (r < 0)
		return r;
	char *abs;
	r = host_path(m.src, &abs, false, err, errlen);
	if (r == 0) {
		free(m.src);
		m.src = abs;
		r = policy_add_mount(p, &m);
		if (r < 0)
			errf(err, errlen, -EINVAL, "out of memory");
	}
	mountspec_free(&m);
	return r;
}

static int opt_bind(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return add_bind(p, arg, false, err, errlen);
}

static int opt_ro_bind(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return add_bind(p, arg, true, err, errlen);
}

static int opt_tmpfs(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	struct mount_entry m;
	int r = mountspec_parse_tmpfs(arg, &m, err, errlen);
	if (r < 0)
		return r;
	r = policy_add_mount(p, &m);
	mountspec_free(&m);
	return r < 0 ? errf(err, errlen, -EINVAL, "out of memory") : 0;
}

static int opt_cap_add(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int c = caps_from_name(arg);
	if (c < 0 || c >= 64)
		return errf(err, errlen, -EINVAL, "unknown capability (use a name like NET_BIND_SERVICE; "
					 "see capabilities(7))");
	p->cap_add |= 1ull << c;
	return 0;
}

static bool env_name_ok(const char *s, size_t len);

/* --secret NAME=FILE|fd:N|env:VAR: the spec only; policy_finalize reads
 * the value. NAME becomes a file name in /run/secrets. */
static int opt_secret(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : 0;
	bool ok = n > 0 && n < sizeof(p->secrets[0].name) && arg[0] != '.';
	for (size_t i = 0; ok && i < n; i++)
		ok = (arg[i] >= 'a' && arg[i] <= 'z') || (arg[i] >= 'A' && arg[i] <= 'Z') ||
		     (arg[i] >= '0' && arg[i] <= '9') || arg[i] == '_' || arg[i] == '-' || arg[i] == '.';
	if (!ok)
		return errf(err, errlen, -EINVAL,
			    "expected NAME=FILE, NAME=fd:N or NAME=env:VAR, NAME of letters, digits, "
			    "'.', '_' and '-' (up to 63, not starting with '.')");
	if (!eq[1] || (str_has_prefix(eq + 1, "env:") && !env_name_ok(eq + 5, strlen(eq + 5))))
		return errf(err, errlen, -EINVAL, "%.*s: expected a file, fd:N or env:VAR after '='",
			    (int)n, arg);
	for (size_t i = 0; i < p->n_secrets; i++)
		if (strncmp(p->secrets[i].name, arg, n) == 0 && !p->secrets[i].name[n])
			return errf(err, errlen, -EINVAL, "%.*s is given twice", (int)n, arg);
	if (p->n_secrets == HUSK_MAX_SECRETS)
		return errf(err, errlen, -E2BIG, "more than %d secrets", HUSK_MAX_SECRETS);
	struct secret_spec *s = &p->secrets[p->n_secrets++];
	memcpy(s->name, arg, n);
	s->name[n] = '\0';
	s->from = xstrdup(eq + 1);
	return 0;
}

static int opt_events(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return errf(err, errlen, -EINVAL, "expected a file or fd:N");
	free(p->events);
	p->events = xstrdup(arg);
	return 0;
}

/* A rule of the gate (gate/gate.h) this profile does not ask of a
 * container another runtime starts; husk run ignores it. */
static int opt_gate_allow(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!gate_rule_known(arg)) {
		char list[1024];
		size_t at = 0;
		for (const char *const *r = gate_rules; *r && at < sizeof(list); r++)
			at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", at ? ", " : "", *r);
		return errf(err, errlen, -EINVAL, "not a rule of the gate (one of %s)", list);
	}
	for (size_t i = 0; i < p->gate_relaxed.n; i++)
		if (strcmp(p->gate_relaxed.v[i], arg) == 0)
			return 0;
	return strv_push(&p->gate_relaxed, arg) < 0 ? errf(err, errlen, -ENOMEM, "out of memory") : 0;
}

/* The inverse, so a profile can take back what one it includes added:
 * "cap-drop ALL" empties the kept set, as Docker's cap_drop does. */
static int opt_cap_drop(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (strcasecmp(arg, "ALL") == 0) {
		p->cap_add = 0;
		return 0;
	}
	int c = caps_from_name(arg);
	if (c < 0 || c >= 64)
		return errf(err, errlen, -EINVAL, "unknown capability (use a name like NET_RAW, or ALL)");
	p->cap_add &= ~(1ull << c);
	return 0;
}

static bool env_name_ok(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

static int opt_env(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	if (!eq || !env_name_ok(arg, (size_t)(eq - arg)))
		return errf(err, errlen, -EINVAL, "expected NAME=VALUE with NAME made of letters, digits "
					 "and '_'");
	return strv_push(&p->env_set, arg) < 0 ? errf(err, errlen, -EINVAL, "out of memory") : 0;
}

static int opt_env_keep(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!env_name_ok(arg, strlen(arg)))
		return errf(err, errlen, -EINVAL, "expected a variable NAME made of letters, digits and '_'");
	return strv_push(&p->env_keep, arg) < 0 ? errf(err, errlen, -EINVAL, "out of memory") : 0;
}

/* Removes NAME's --env and --env-keep entries, so an included profile's
 * variable can be taken back. */
static void strv_remove_if(struct strv *sv, const char *name, bool with_value)
{
	size_t n = strlen(name), out = 0;
	for (size_t i = 0; i < sv->n; i++) {
		const char *s = sv->v[i];
		bool match = strncmp(s, name, n) == 0 && (with_value ? s[n] == '=' : s[n] == '\0');
		if (match)
			free(sv->v[i]);
		else
			sv->v[out++] = sv->v[i];
	}
	sv->n = out;
	if (sv->v)
		sv->v[out] = NULL;
}

static int opt_env_drop(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!env_name_ok(arg, strlen(arg)))
		return errf(err, errlen, -EINVAL, "expected a variable NAME made of letters, digits and '_'");
	strv_remove_if(&p->env_set, arg, true);
	strv_remove_if(&p->env_keep, arg, false);
	return 0;
}

static int opt_env_clear(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	strv_free(&p->env_set);
	strv_free(&p->env_keep);
	return 0;
}

static int opt_chdir(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!path_is_normal_absolute(arg))
		return errf(err, errlen, -EINVAL, "expected an absolute path inside the sandbox");
	free(p->cwd);
	p->cwd = xstrdup(arg);
	return 0;
}

static int opt_hostname(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	size_t n = strlen(arg);
	bool ok = n > 0 && n <= 64 && arg[0] != '-' && arg[0] != '.';
	for (size_t i = 0; ok && i < n; i++) {
		char c = arg[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '-' || c == '.';
	}
	if (!ok)
		return errf(err, errlen, -EINVAL, "expected 1-64 letters, digits, '-' or '.'");
	free(p->hostname);
	p->hostname = xstrdup(arg);
	return 0;
}

/* The index of arg among the n words of a keyword option (the enum's
 * value, in the enum's order), or -EINVAL with "expected A, B or C". */
static int keyword(const char *arg, const char *const *words, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, words[i]) == 0)
			return (int)i;
	size_t len = (size_t)snprintf(err, errlen, "expected ");
	for (size_t i = 0; i < n && len < errlen; i++)
		len += (size_t)snprintf(err + len, errlen - len, "%s%s",
					i == 0 ? "" : i + 1 == n ? " or " : ", ", words[i]);
	return -EINVAL;
}
#define KEYWORD(arg, err, errlen, ...)                                                             \
	keyword(arg, (const char *const[]){ __VA_ARGS__ },                                          \
		sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *), err, errlen)

static int opt_net(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	/* ns:PATH, an existing network namespace (ip netns add makes them
	 * under /run/netns). */
	if (str_has_prefix(arg, "ns:")) {
		if (arg[3] != '/')
			return errf(err, errlen, -EINVAL,
				    "ns: takes an absolute path to a network namespace, such as "
				    "/run/netns/NAME");
		free(p->net_path);
		p->net_path = xstrdup(arg + 3);
		p->net = NET_JOIN;
		return 0;
	}
	/* veth[:ADDR/PREFIX][,gw=IP][,host=IP][,bridge=NAME] */
	if (strcmp(arg, "veth") == 0 || str_has_prefix(arg, "veth:")) {
		struct veth_spec v = { .prefix = 30 };
		char buf[160];
		snprintf(buf, sizeof(buf), "%s", arg[4] ? arg + 5 : "");
		char *save = NULL;
		for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
			struct in_addr a;
			if (str_has_prefix(o, "gw=") || str_has_prefix(o, "host=")) {
				bool gw = o[0] == 'g';
				if (inet_pton(AF_INET, strchr(o, '=') + 1, &a) != 1)
					return errf(err, errlen, -EINVAL, "%s: not an IPv4 address", o);
				*(gw ? &v.gw : &v.host_addr) = a.s_addr;
				*(gw ? &v.gw_set : &v.host_set) = true;
			} else if (str_has_prefix(o, "bridge=")) {
				if (strlen(o + 7) == 0 || strlen(o + 7) >= sizeof(v.bridge))
					return errf(err, errlen, -EINVAL, "%s: not an interface name", o);
				strcpy(v.bridge, o + 7);
			} else {
				char *slash = strchr(o, '/');
				uint32_t pre = 30;
				if (slash) {
					*slash = '\0';
					if (parse_u32(slash + 1, &pre) < 0 || pre < 8 || pre > 30)
						return errf(err, errlen, -EINVAL,
							    "/%s: a prefix from 8 to 30", slash + 1);
				}
				if (inet_pton(AF_INET, o, &a) != 1)
					return errf(err, errlen, -EINVAL,
						    "%s: expected ADDR/PREFIX, gw=, host= or bridge=", o);
				v.addr = a.s_addr;
				v.prefix = (int)pre;
				v.addr_set = true;
			}
		}
		p->veth = v;
		p->net = NET_VETH;
		return 0;
	}
	int k = KEYWORD(arg, err, errlen, [NET_NONE] = "none", [NET_HOST] = "host");
	if (k >= 0)
		p->net = (enum net_mode)k;
	return k < 0 ? k : 0;
}

/* [IP:]PORT[/tcp|/udp]; an IPv6 address in brackets. */
static int parse_listen(const char *arg, struct listen_spec *out, char *err, size_t errlen)
{
	struct listen_spec l = { .family = AF_INET, .type = SOCK_STREAM, .inherited = -1 };
	char buf[128];
	if (strlen(arg) >= sizeof(buf))
		return errf(err, errlen, -EINVAL, "too long");
	strcpy(buf, arg);
	char *proto = strchr(buf, '/');
	if (proto) {
		*proto++ = '\0';
		if (strcmp(proto, "udp") == 0)
			l.type = SOCK_DGRAM;
		else if (strcmp(proto, "tcp") != 0)
			return errf(err, errlen, -EINVAL, "/%s: use /tcp or /udp", proto);
	}
	const char *port = buf, *host = "0.0.0.0";
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (!close || close[1] != ':')
			return errf(err, errlen, -EINVAL, "expected [IPV6]:PORT");
		*close = '\0';
		host = buf + 1;
		port = close + 2;
		l.family = AF_INET6;
	} else if (strchr(buf, ':')) {
		char *colon = strrchr(buf, ':');
		*colon = '\0';
		host = buf;
		port = colon + 1;
	}
	unsigned char tmp[16];
	uint32_t v;
	if (inet_pton(l.family, host, tmp) != 1)
		return errf(err, errlen, -EINVAL, "%s is not a numeric %s address", host,
			    l.family == AF_INET ? "IPv4" : "IPv6");
	if (parse_u32(port, &v) < 0 || v == 0 || v > 65535)
		return errf(err, errlen, -EINVAL, "'%s' is not a port (1-65535)", port);
	if (strlen(host) >= sizeof(l.addr))
		return errf(err, errlen, -EINVAL, "address too long");
	memcpy(l.addr, host, strlen(host) + 1);
	l.port = (uint16_t)v;
	snprintf(l.name, sizeof(l.name), "%s-%u", l.type == SOCK_DGRAM ? "udp" : "tcp", v);
	*out = l;
	return 0;
}

static int opt_listen(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (p->n_listens == HUSK_MAX_LISTEN)
		return errf(err, errlen, -E2BIG, "at most %d sockets", HUSK_MAX_LISTEN);
	int r = parse_listen(arg, &p->listens[p->n_listens], err, errlen);
	if (r == 0)
		p->n_listens++;
	return r;
}

/* [IP:]HOSTPORT:PORT[/tcp]: the host's side as --listen takes it. */
static int opt_publish(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (p->n_publish == HUSK_MAX_LISTEN)
		return errf(err, errlen, -E2BIG, "at most %d ports", HUSK_MAX_LISTEN);
	char buf[160];
	if (strlen(arg) >= sizeof(buf))
		return errf(err, errlen, -EINVAL, "too long");
	strcpy(buf, arg);
	char *proto = strchr(buf, '/');
	if (proto && strcmp(proto, "/tcp") != 0)
		return errf(err, errlen, -EINVAL,
			    "%s: only tcp is forwarded; a UDP service takes its socket with --listen",
			    proto);
	if (proto)
		*proto = '\0';
	char *colon = strrchr(buf, ':');
	uint32_t inner;
	if (!colon || parse_u32(colon + 1, &inner) < 0 || inner == 0 || inner > 65535)
		return errf(err, errlen, -EINVAL,
			    "expected [IP:]HOSTPORT:PORT, PORT being the service's inside (1-65535)");
	*colon = '\0';
	int r = parse_listen(buf, &p->publish[p->n_publish], err, errlen);
	if (r < 0)
		return r;
	p->publish_port[p->n_publish++] = (uint16_t)inner;
	return 0;
}

static int opt_userns(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int k = KEYWORD(arg, err, errlen, [USERNS_PRIVATE] = "private", [USERNS_HOST] = "host");
	if (k >= 0)
		p->userns = (enum userns_mode)k;
	return k < 0 ? k : 0;
}

/* UID[:GID] as numbers; GID defaults to UID. */
static int parse_ids(const char *arg, uint32_t *uid, uint32_t *gid, char *err, size_t errlen)
{
	char buf[32];
	if (strlen(arg) >= sizeof(buf))
		return errf(err, errlen, -EINVAL, "expected UID[:GID] as numbers");
	strcpy(buf, arg);
	char *colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	/* Numbers only: a name would have to be looked up in the rootfs's
	 * /etc/passwd, which is the attacker's file. (uid_t)-1 is no id. */
	if (parse_u32(buf, uid) < 0 || (colon && parse_u32(colon + 1, gid) < 0) ||
	    *uid == UINT32_MAX)
		return errf(err, errlen, -EINVAL, "expected UID[:GID] as numbers, like 1000:1000");
	if (!colon)
		*gid = *uid;
	if (*gid == UINT32_MAX)
		return errf(err, errlen, -EINVAL, "expected UID[:GID] as numbers, like 1000:1000");
	return 0;
}

static int opt_user(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int r = parse_ids(arg, &p->uid, &p->gid, err, errlen);
	if (r == 0)
		p->user_set = true;
	return r;
}

static int opt_host_user(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	uint32_t uid, gid;
	int r = parse_ids(arg, &uid, &gid, err, errlen);
	if (r < 0)
		return r;
	if (uid == 0 || gid == 0)
		return errf(err, errlen, -EINVAL,
			    "host id 0 is host root: a service that must act as host root runs "
			    "with --userns host, which says so");
	p->host_uid = uid;
	p->host_gid = gid;
	p->host_user_set = true;
	return 0;
}

/* ---- Supervision: health checks and restarts (supervise/) ---- */

static int opt_name(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!named_valid(arg))
		return errf(err, errlen, -EINVAL,
			    "expected letters, digits, '_', '.' and '-' (up to %d, not starting with "
			    "'.' or '-')",
			    NAMED_MAX);
	free(p->name);
	p->name = xstrdup(arg);
	return 0;
}

static int opt_metrics(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return errf(err, errlen, -EINVAL, "expected a file (node_exporter's textfile "
						  "directory/NAME.prom)");
	free(p->metrics);
	p->metrics = xstrdup(arg);
	return 0;
}

static int opt_metrics_interval(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int r = health_parse_duration(arg, &p->metrics_interval_ms, err, errlen);
	if (r == 0 && p->metrics_interval_ms < 1000)
		return errf(err, errlen, -EINVAL, "at least 1s");
	return r;
}

static int opt_health_cmd(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	struct strv cmd = { 0 };
	int r = health_parse_cmd(arg, &cmd, err, errlen);
	if (r < 0)
		return r;
	strv_free(&p->health.cmd);
	p->health.cmd = cmd;
	p->health.kind = HEALTH_CMD;
	return 0;
}

static int opt_health_tcp(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	strv_free(&p->health.cmd);
	return health_parse_tcp(arg, &p->health, err, errlen);
}

static int opt_health_http(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	strv_free(&p->health.cmd);
	return health_parse_http(arg, &p->health, err, errlen);
}

static int opt_no_healthcheck(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	strv_free(&p->health.cmd);
	p->health.kind = HEALTH_NONE;
	return 0;
}

static int opt_health_interval(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int r = health_parse_duration(arg, &p->health.interval_ms, err, errlen);
	if (r == 0 && p->health.interval_ms < 100)
		return errf(err, errlen, -EINVAL, "%s: at least 100ms", arg);
	return r;
}

static int opt_health_timeout(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int r = health_parse_duration(arg, &p->health.timeout_ms, err, errlen);
	if (r == 0 && p->health.timeout_ms < 10)
		return errf(err, errlen, -EINVAL, "%s: at least 10ms", arg);
	return r;
}

static int opt_health_start_period(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return health_parse_duration(arg, &p->health.start_period_ms, err, errlen);
}

static int opt_health_retries(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	uint32_t v;
	if (parse_u32(arg, &v) < 0 || v == 0 || v > 1000)
		return errf(err, errlen, -EINVAL, "expected failures in a row from 1 to 1000");
	p->health.retries = v;
	return 0;
}

static int opt_health_on_unhealthy(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (strcmp(arg, "none") == 0)
		p->health.on_unhealthy = ON_UNHEALTHY_NONE;
	else if (strcmp(arg, "restart") == 0)
		p->health.on_unhealthy = ON_UNHEALTHY_RESTART;
	else if (strcmp(arg, "exit") == 0)
		p->health.on_unhealthy = ON_UNHEALTHY_EXIT;
	else
		return errf(err, errlen, -EINVAL, "expected none, restart or exit");
	return 0;
}

static int opt_restart(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return restart_parse(arg, &p->restart, err, errlen);
}

static int opt_restart_delay(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int r = health_parse_duration(arg, &p->restart.delay_ms, err, errlen);
	if (r == 0 && p->restart.delay_ms == 0)
		return errf(err, errlen, -EINVAL, "%s: at least 1ms (a restart loop needs a pause)", arg);
	return r;
}

static int opt_restart_max_delay(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int r = health_parse_duration(arg, &p->restart.max_delay_ms, err, errlen);
	if (r == 0 && p->restart.max_delay_ms == 0)
		return errf(err, errlen, -EINVAL, "%s: at least 1ms", arg);
	return r;
}

static int opt_stop_timeout(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	uint32_t v;
	if (parse_u32(arg, &v) < 0 || v > 86400)
		return errf(err, errlen, -EINVAL, "expected whole seconds from 0 to 86400");
	p->stop_timeout = v;
	return 0;
}

static int opt_seccomp(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return errf(err, errlen, -EINVAL, "expected a profile name, a path or unconfined");
	free(p->seccomp_name);
	p->seccomp_name = NULL;
	p->seccomp_unconfined = strcmp(arg, "unconfined") == 0;
	if (!p->seccomp_unconfined)
		p->seccomp_name = xstrdup(arg);
	return 0;
}

static int opt_rlimit(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int res;
	struct husk_rlimit rl;
	int r = rlimit_parse(arg, &res, &rl, err, errlen);
	if (r < 0)
		return r;
	p->rlimits[res] = rl;
	return 0;
}

static int opt_memory_size(const char *arg, uint64_t *out, char *err, size_t errlen)
{
	int r = parse_size(arg, out);
	if (r == -ERANGE)
		return errf(err, errlen, -ERANGE,
			    "above husk's maximum of 256t (2^48 bytes); give one like 512m or 1g");
	if (r < 0 || *out < (4u << 20))
		return errf(err, errlen, -EINVAL, "expected a size of at least 4m, like 512m or 1g");
	return 0;
}

static int opt_memory(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return opt_memory_size(arg, &p->cgroup.memory_max, err, errlen);
}

static int opt_memory_high(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return opt_memory_size(arg, &p->cgroup.memory_high, err, errlen);
}

static int opt_memory_swap(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int r = parse_size(arg, &p->cgroup.memory_swap);
	if (r == -ERANGE)
		return errf(err, errlen, -ERANGE,
			    "above husk's maximum of 256t (2^48 bytes); give one like 0 or 256m");
	if (r < 0)
		return errf(err, errlen, -EINVAL, "expected the swap allowed on top of --memory, like 0 or 256m");
	p->cgroup.memory_swap_set = true;
	return 0;
}

static int opt_pids(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	/* Go's runtime needs a thread per P plus a few of its own, and a
	 * failed clone is a fatal throw in Go, not an error it can handle. */
	if (parse_u64(arg, &p->cgroup.pids_max) < 0 || p->cgroup.pids_max < 8 ||
	    p->cgroup.pids_max > 4194304)
		return errf(err, errlen, -EINVAL,
			    "expected a count from 8 (a Go service needs GOMAXPROCS+4 threads or so) "
			    "to 4194304");
	return 0;
}

static int opt_cpus(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	/* N.NNN CPUs as a quota per 100 ms period, like docker --cpus. */
	/* Plain decimal only: strtod would also take leading blanks, a
	 * sign, hex floats (0x1p3), inf and nan. */
	bool dot = false, digit = false;
	for (const char *c = arg; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digit = true;
		else if (*c == '.' && !dot)
			dot = true;
		else
			return errf(err, errlen, -EINVAL,
				    "expected a number of CPUs from 0.01, like 0.5 or 2");
	}
	char *end;
	errno = 0;
	double v = digit ? strtod(arg, &end) : 0;
	if (!digit || errno || *end || !(v >= 0.01) || v > 4096)
		return errf(err, errlen, -EINVAL, "expected a number of CPUs from 0.01, like 0.5 or 2");
	p->cgroup.cpu_period_us = 100000;
	p->cgroup.cpu_quota_us = (uint64_t)(v * 100000 + 0.5);
	return 0;
}

static int opt_weight(const char *arg, uint32_t *out, char *err, size_t errlen)
{
	if (parse_u32(arg, out) < 0 || *out < 1 || *out > 10000)
		return errf(err, errlen, -EINVAL, "expected a weight from 1 to 10000 (100 is the default)");
	return 0;
}

static int opt_cpu_weight(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return opt_weight(arg, &p->cgroup.cpu_weight, err, errlen);
}

static int opt_io_weight(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return opt_weight(arg, &p->cgroup.io_weight, err, errlen);
}

static int opt_cgroup(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	/* Listed in --help's order; the enum's values differ. */
	static const enum cgroup_mode modes[] = { CGROUP_REQUIRED, CGROUP_AUTO, CGROUP_OFF };
	int k = KEYWORD(arg, err, errlen, "required", "auto", "off");
	if (k < 0)
		return k;
	p->cgroup_mode = modes[k];
	p->cgroup_mode_set = true;
	return 0;
}

/* A group path as /proc/self/cgroup writes them, the same in every
 * hierarchy: normal and absolute, so it cannot climb out with "..". */
static int opt_cgroup_parent(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (!path_is_normal_absolute(arg) || strlen(arg) > 400)
		return errf(err, errlen, -EINVAL,
			    "expected a cgroup path such as /user.slice/husk, relative to the "
			    "cgroup mount, without . or .. components");
	free(p->cgroup_parent);
	p->cgroup_parent = xstrdup(arg);
	return 0;
}

static int opt_namespaces(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int k = KEYWORD(arg, err, errlen, [NS_REQUIRED] = "required", [NS_AUTO] = "auto",
			[NS_NONE] = "none");
	if (k >= 0)
		p->namespaces = (enum ns_mode)k;
	return k < 0 ? k : 0;
}

static int opt_landlock(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	int k = KEYWORD(arg, err, errlen, [LANDLOCK_AUTO] = "auto", [LANDLOCK_REQUIRED] = "required",
			[LANDLOCK_OFF] = "off");
	if (k >= 0)
		p->landlock = (enum landlock_mode)k;
	return k < 0 ? k : 0;
}

/* "80,443,8000-8010" or "none"; each use replaces the list, as a later
 * option does. */
static int opt_ports(struct port_list *l, const char *arg, char *err, size_t errlen)
{
	struct port_list n = { .set = true };
	if (strcmp(arg, "none") == 0) {
		*l = n;
		return 0;
	}
	for (const char *s = arg; *s;) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;
		if (end == s)
			goto bad;
		if (*end == '-') {
			const char *h = end + 1;
			hi = strtoul(h, &end, 10);
			if (end == h)
				goto bad;
		}
		if (lo < 1 || hi > 65535 || lo > hi || (*end && (*end != ',' || !end[1])))
			goto bad;
		for (unsigned long port = lo; port <= hi; port++) {
			if (n.n == HUSK_MAX_PORTS)
				return errf(err, errlen, -E2BIG, "at most %d ports", HUSK_MAX_PORTS);
			n.v[n.n++] = (uint16_t)port;
		}
		s = *end ? end + 1 : end;
	}
	*l = n;
	return 0;
bad:
	return errf(err, errlen, -EINVAL,
		    "expected ports 1-65535 as a list like 80,443,8000-8010, or none");
}

static int opt_allow_tcp_bind(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return opt_ports(&p->tcp_bind, arg, err, errlen);
}

static int opt_allow_tcp_connect(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	return opt_ports(&p->tcp_connect, arg, err, errlen);
}

static int opt_no_go_env(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	p->no_go_env = true;
	return 0;
}

static int opt_seccomp_log(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	p->seccomp_log = true;
	return 0;
}

static int opt_seccomp_quiet(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	p->seccomp_quiet = true;
	return 0;
}

const struct husk_option husk_run_options[] = {
	/* No apply: the front ends read the file (profile.c), so that its
	 * options land where --profile stands among the others. */
	{ "profile", "FILE",
	  "options from a profile (husk-profile(5)): a path, a FILE.profile here, or a NAME in "
	  "the profile path (husk --version shows it)",
	  true, NULL, OPT_PATH_NONE },
	{ "rootfs", "DIR", "directory that becomes the read-only /", false, opt_rootfs,
	  OPT_PATH_WHOLE },
	{ "ro-bind", "SRC[:DST]", "bind SRC read-only at DST (default: the same path)", true,
	  opt_ro_bind, OPT_PATH_SOURCE },
	{ "bind", "SRC[:DST]", "bind SRC writable at DST (nosuid, nodev)", true, opt_bind,
	  OPT_PATH_SOURCE },
	{ "tmpfs", "DST[:OPTS]",
	  "tmpfs at DST; OPTS: size=64m,nr_inodes=16k,mode=1777 (the defaults)", true, opt_tmpfs, OPT_PATH_NONE },
	{ "cap-add", "CAP", "keep capability CAP (all others are dropped)", true, opt_cap_add, OPT_PATH_NONE },
	{ "cap-drop", "CAP|ALL", "take back an earlier --cap-add (ALL: every one)", true, opt_cap_drop,
	  OPT_PATH_NONE },
	{ "env", "NAME=VALUE", "set a variable in the service's clean environment", true, opt_env, OPT_PATH_NONE },
	{ "env-keep", "NAME", "pass the caller's NAME through", true, opt_env_keep, OPT_PATH_NONE },
	{ "env-drop", "NAME", "take back an earlier --env or --env-keep of NAME", true, opt_env_drop,
	  OPT_PATH_NONE },
	{ "env-clear", NULL, "take back every earlier --env and --env-keep", false, opt_env_clear,
	  OPT_PATH_NONE },
	{ "secret", "NAME=FILE|fd:N|env:VAR",
	  "read a secret as the caller; the service sees it only as /run/secrets/NAME "
	  "(0400, its own, on a read-only tmpfs), never in its environment",
	  true, opt_secret, OPT_PATH_NONE },
	{ "chdir", "DIR", "working directory inside (default /)", false, opt_chdir, OPT_PATH_NONE },
	{ "hostname", "NAME", "host name inside (default husk)", false, opt_hostname, OPT_PATH_NONE },
	{ "listen", "[IP:]PORT[/tcp|/udp]",
	  "bind the socket here, as the caller, and pass it to the service as fd 3, 4, ... "
	  "(LISTEN_FDS); its network namespace stays private",
	  true, opt_listen, OPT_PATH_NONE },
	{ "publish", "[IP:]HOSTPORT:PORT",
	  "forward HOSTPORT of your network to PORT on the sandbox's own lo (tcp), for a "
	  "service that binds its own port",
	  true, opt_publish, OPT_PATH_NONE },
	{ "net", "none|host|ns:PATH|veth[:OPTIONS]",
	  "none: private netns with lo only (default); host: share it; ns:PATH: join that one; "
	  "veth: a private one linked to the host's (both root-started)",
	  false,
	  opt_net, OPT_PATH_NONE },
	{ "namespaces", "required|auto|none",
	  "required (default): new namespaces or fail; auto: in place where a container "
	  "refuses them; none: in place (ids, caps, Landlock, seccomp; no namespace, no mount)",
	  false, opt_namespaces, OPT_PATH_NONE },
	{ "landlock", "auto|required|off",
	  "Landlock rules that follow the mounts: read-only root, writes only to --bind and "
	  "--tmpfs (default auto: where the kernel has it)",
	  false, opt_landlock, OPT_PATH_NONE },
	{ "allow-tcp-bind", "PORTS", "Landlock: bind only these TCP ports (80,8000-8010 or none)",
	  false, opt_allow_tcp_bind, OPT_PATH_NONE },
	{ "allow-tcp-connect", "PORTS", "Landlock: connect only to these TCP ports (or none)", false,
	  opt_allow_tcp_connect, OPT_PATH_NONE },
	{ "user", "UID[:GID]",
	  "ids of the service (default: the caller's; 65534:65534 when started as root)", false,
	  opt_user, OPT_PATH_NONE },
	{ "host-user", "UID[:GID]",
	  "root only: the host ids the service's ids map to (default: husk's unprivileged range)",
	  false, opt_host_user, OPT_PATH_NONE },
	{ "userns", "private|host",
	  "host: no user namespace, real ids (root only; needed for host-network caps)", false,
	  opt_userns, OPT_PATH_NONE },
	{ "rlimit", "NAME=SOFT[:HARD]",
	  "resource limit of the service (nofile=1024:4096, fsize=1g, unlimited); defaults: "
	  "core=0, nofile=1024:4096, rtprio=0; as= stops Go programs, which reserve address "
	  "space: use --memory",
	  true, opt_rlimit, OPT_PATH_NONE },
	{ "memory", "SIZE", "memory limit (cgroup memory.max; swap 0 unless --memory-swap)", false,
	  opt_memory, OPT_PATH_NONE },
	{ "memory-high", "SIZE", "memory throttling point (cgroup v2 memory.high)", false,
	  opt_memory_high, OPT_PATH_NONE },
	{ "memory-swap", "SIZE", "swap allowed on top of --memory (default 0)", false,
	  opt_memory_swap, OPT_PATH_NONE },
	{ "pids", "N", "at most N processes and threads (cgroup pids.max)", false, opt_pids, OPT_PATH_NONE },
	{ "cpus", "N.N", "CPU time as a number of CPUs (cgroup cpu.max / cfs quota)", false,
	  opt_cpus, OPT_PATH_NONE },
	{ "cpu-weight", "N", "CPU share, 1-10000, 100 being the default", false, opt_cpu_weight, OPT_PATH_NONE },
	{ "io-weight", "N", "block I/O share, 1-10000 (where the io controller exists)", false,
	  opt_io_weight, OPT_PATH_NONE },
	{ "cgroup", "required|auto|off",
	  "required (the default with any limit): fail without a writable cgroup; auto: warn "
	  "and go on",
	  false, opt_cgroup, OPT_PATH_NONE },
	{ "cgroup-parent", "PATH",
	  "make the sandbox's cgroup below PATH (e.g. /husk.slice) instead of below husk's own",
	  false, opt_cgroup_parent, OPT_PATH_NONE },
	{ "no-go-env", NULL, "do not export GOMAXPROCS/GOMEMLIMIT derived from the limits", false,
	  opt_no_go_env, OPT_PATH_NONE },
	{ "seccomp", "PROFILE",
	  "seccomp profile: a path or a FILE.policy or Docker FILE.json here, a NAME in the "
	  "profile path, or unconfined (default: default)",
	  false, opt_seccomp, OPT_PATH_IF_FILE },
	{ "seccomp-log", NULL,
	  "log every denied system call to the kernel log (dmesg, audit type=1326) instead of "
	  "reporting it on stderr",
	  false, opt_seccomp_log, OPT_PATH_NONE },
	{ "seccomp-quiet", NULL,
	  "do not report denied system calls on stderr (they are still denied)", false,
	  opt_seccomp_quiet, OPT_PATH_NONE },
	{ "events", "FILE|fd:N",
	  "write what happens to the sandbox as JSON lines: start, seccomp_denied, oom, health, "
	  "ready, restart, exit",
	  false, opt_events, OPT_PATH_NONE },
	{ "stop-timeout", "SECONDS",
	  "after a forwarded SIGTERM, SIGKILL what is left after SECONDS (default 10)", false,
	  opt_stop_timeout, OPT_PATH_NONE },
	{ "name", "NAME",
	  "name the sandbox for husk ps, status, stop, kill, health and exec (unique per user)",
	  false, opt_name, OPT_PATH_NONE },
	{ "metrics", "FILE",
	  "write the sandbox's state as a Prometheus text file (node_exporter's textfile "
	  "collector): up, restarts, health, denials, memory, CPU",
	  false, opt_metrics, OPT_PATH_NONE },
	{ "metrics-interval", "DURATION", "how often --metrics is rewritten (default 15s)", false,
	  opt_metrics_interval, OPT_PATH_NONE },
	{ "health-cmd", "'CMD ARGS'",
	  "health check: run CMD in the sandbox as the service (same ids, caps, seccomp, "
	  "Landlock); exit 0 is healthy. Words split on blanks with quotes; no shell",
	  false, opt_health_cmd, OPT_PATH_NONE },
	{ "health-tcp", "[IP:]PORT",
	  "health check: connect to PORT (on 127.0.0.1) from the sandbox's network namespace",
	  false, opt_health_tcp, OPT_PATH_NONE },
	{ "health-http", "URL",
	  "health check: GET http://IP[:PORT]/PATH from the sandbox's network namespace; "
	  "status 200-399 is healthy",
	  false, opt_health_http, OPT_PATH_NONE },
	{ "no-healthcheck", NULL, "take back an earlier --health-cmd, --health-tcp or --health-http",
	  false, opt_no_healthcheck, OPT_PATH_NONE },
	{ "health-interval", "DURATION", "time between probes (default 30s)", false,
	  opt_health_interval, OPT_PATH_NONE },
	{ "health-timeout", "DURATION", "a probe that takes longer fails (default 30s)", false,
	  opt_health_timeout, OPT_PATH_NONE },
	{ "health-retries", "N", "failures in a row that make the service unhealthy (default 3)",
	  false, opt_health_retries, OPT_PATH_NONE },
	{ "health-start-period", "DURATION",
	  "failures in this time after a start do not count until a probe passes (default 0s)",
	  false, opt_health_start_period, OPT_PATH_NONE },
	{ "health-on-unhealthy", "none|restart|exit",
	  "what an unhealthy service gets: none (reported only, the default), restart (a fresh "
	  "sandbox), exit (stopped; husk exits)",
	  false, opt_health_on_unhealthy, OPT_PATH_NONE },
	{ "restart", "no|on-failure[:N]|always|unless-stopped",
	  "start a fresh sandbox when the service exits (Docker's policies; SIGTERM to husk "
	  "never restarts)",
	  false, opt_restart, OPT_PATH_NONE },
	{ "restart-delay", "DURATION", "first pause before a restart, doubled each time (default 100ms)",
	  false, opt_restart_delay, OPT_PATH_NONE },
	{ "restart-max-delay", "DURATION", "longest pause before a restart (default 1m)", false,
	  opt_restart_max_delay, OPT_PATH_NONE },
	{ "gate-allow", "RULE",
	  "husk hook gate, husk runtime: do not ask RULE of a container another runtime starts "
	  "(husk run ignores it)",
	  true, opt_gate_allow, OPT_PATH_NONE },
	{ NULL, NULL, NULL, false, NULL, OPT_PATH_NONE },
};

const struct husk_option *options_find(const char *name)
{
	for (const struct husk_option *o = husk_run_options; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* The front ends' own options, each for the command it belongs to. */
const struct front_option front_options[] = {
	{ "bundle", "DIR", "run an OCI bundle: DIR/config.json is the policy, other options "
	  "override it (husk-oci(5))", HELP_ALL },
	{ "dry-run", NULL, "resolve the policy and print it as husk check does; launch nothing",
	  HELP_RUN },
	{ "timing", NULL, "print how long each launch step took, on stderr, at exit", HELP_RUN },
	{ "json", NULL, "print the policy and its exposure as JSON (also with run --dry-run)",
	  HELP_CHECK },
	{ "threshold", "X", "exit 1 when the exposure score is above X (0.0-10.0)", HELP_CHECK },
	{ NULL, NULL, NULL, HELP_ALL },
};

/* --help's sections: every option of the table in exactly one (the unit
 * test checks), in the order a policy is usually written. */
static const struct {
	const char *title;
	const char *names[13];
} help_groups[] = {
	{ "Profiles", { "profile" } },
	{ "Root filesystem and mounts", { "rootfs", "ro-bind", "bind", "tmpfs", "chdir" } },
	{ "Isolation", { "namespaces", "landlock" } },
	{ "Identity and privileges", { "user", "host-user", "userns", "cap-add", "cap-drop" } },
	{ "Environment", { "env", "env-keep", "env-drop", "env-clear", "no-go-env", "secret" } },
	{ "Network and host name",
	  { "net", "listen", "publish", "hostname", "allow-tcp-bind", "allow-tcp-connect" } },
	{ "Resource limits",
	  { "rlimit", "memory", "memory-high", "memory-swap", "pids", "cpus", "cpu-weight",
	    "io-weight", "cgroup", "cgroup-parent" } },
	{ "System calls", { "seccomp", "seccomp-log", "seccomp-quiet" } },
	{ "Stopping", { "stop-timeout", "events", "name", "metrics", "metrics-interval" } },
	{ "Health and restarts",
	  { "health-cmd", "health-tcp", "health-http", "no-healthcheck", "health-interval",
	    "health-timeout", "health-retries", "health-start-period", "health-on-unhealthy",
	    "restart", "restart-delay", "restart-max-delay" } },
	{ "Gating other runtimes' containers", { "gate-allow" } },
};

const char *options_help_group(const char *name)
{
	for (size_t g = 0; g < ARRAY_SIZE(help_groups); g++)
		for (size_t i = 0; i < ARRAY_SIZE(help_groups[g].names) && help_groups[g].names[i]; i++)
			if (strcmp(help_groups[g].names[i], name) == 0)
				return help_groups[g].title;
	return NULL;
}

#define HELP_WIDTH 80
#define HELP_TEXT_COL 30

/* "  --name ARG" and its text, wrapped by words within HELP_WIDTH. */
static void print_entry(FILE *out, const char *name, const char *arg, const char *text,
			bool repeatable)
{
	char left[64], buf[512];
	snprintf(left, sizeof(left), "--%s%s%s", name, arg ? " " : "", arg ? arg : "");
	snprintf(buf, sizeof(buf), "%s%s", text, repeatable ? " (repeatable)" : "");
	int col = fprintf(out, "  %s", left);
	if (col >= HELP_TEXT_COL - 1) {
		fputc('\n', out);
		col = 0;
	}
	const char *w = buf;
	bool first = true;
	while (*w) {
		size_t n = strcspn(w, " ");
		if (!first && col + 1 + (int)n > HELP_WIDTH) {
			fputc('\n', out);
			col = 0;
			first = true;
		}
		if (first) {
			fprintf(out, "%*s", HELP_TEXT_COL - col, "");
			col = HELP_TEXT_COL;
		} else {
			fputc(' ', out);
			col++;
		}
		fwrite(w, 1, n, out);
		col += (int)n;
		first = false;
		w += n;
		while (*w == ' ')
			w++;
	}
	fputc('\n', out);
}

void options_print_usage(FILE *out)
{
	fprintf(out, "Usage: husk run [OPTIONS] [--] PROGRAM [ARG...]\n"
		     "       husk check [OPTIONS] [-- PROGRAM [ARG...]]\n"
		     "       husk run|check --bundle DIR [OPTIONS] [-- PROGRAM [ARG...]]\n"
		     "       husk seccomp show|compile|precompile PROFILE [-o FILE]\n"
		     "       husk hook gate | husk runtime ... (other runtimes' containers)\n"
		     "       husk completion bash|zsh\n"
		     "       husk --help | --version\n");
}

void options_print_help(FILE *out, enum help_scope scope)
{
	if (scope == HELP_RUN)
		fprintf(out, "Usage: husk run [OPTIONS] [--] PROGRAM [ARG...]\n\n"
			     "Runs PROGRAM in new user, mount, pid, net, ipc, uts and cgroup\n"
			     "namespaces, on a read-only root, with every capability dropped,\n"
			     "no_new_privs set and a seccomp filter.\n");
	else if (scope == HELP_CHECK)
		fprintf(out, "Usage: husk check [OPTIONS] [-- PROGRAM [ARG...]]\n\n"
			     "Prints what the policy allows, scores its exposure, and refuses\n"
			     "what husk run would refuse (exit 125).\n");
	else {
		options_print_usage(out);
		fprintf(out, "\nRuns PROGRAM in new user, mount, pid, net, ipc, uts and cgroup\n"
			     "namespaces, on a read-only root, with every capability dropped,\n"
			     "no_new_privs set and a seccomp filter. check prints what a policy\n"
			     "allows and scores it. Options are long ones only; run and check\n"
			     "take the same policy options:\n");
	}
	for (size_t g = 0; g < ARRAY_SIZE(help_groups); g++) {
		fprintf(out, "\n%s:\n", help_groups[g].title);
		for (size_t i = 0; i < ARRAY_SIZE(help_groups[g].names) && help_groups[g].names[i]; i++) {
			const struct husk_option *o = options_find(help_groups[g].names[i]);
			print_entry(out, o->name, o->arg, o->help, o->repeatable);
		}
	}
	fprintf(out, "\nOCI bundles (run and check):\n");
	for (size_t i = 0; front_options[i].name; i++)
		if (front_options[i].scope == HELP_ALL)
			print_entry(out, front_options[i].name, front_options[i].arg,
				    front_options[i].help, false);
	static const char *const titles[] = { [HELP_RUN] = "Options of run",
					      [HELP_CHECK] = "Options of check" };
	for (int sc = HELP_RUN; sc <= HELP_CHECK; sc++) {
		if (scope != HELP_ALL && scope != (enum help_scope)sc)
			continue;
		fprintf(out, "\n%s:\n", titles[sc]);
		for (size_t i = 0; front_options[i].name; i++)
			if (front_options[i].scope == (enum help_scope)sc)
				print_entry(out, front_options[i].name, front_options[i].arg,
					    front_options[i].help, false);
	}
	fprintf(out, "\n");
	print_entry(out, "help", NULL, "show this help (also -h)", false);
	if (scope != HELP_CHECK)
		fprintf(out, "\nExit status: the program's, 128+N if it died of signal N, 125 if\n"
			     "husk failed, 126 if PROGRAM cannot be executed, 127 if not found.\n");
	if (scope != HELP_RUN)
		fprintf(out, "%scheck: 0, 1 above --threshold, 125 for a policy run would refuse.\n",
			scope == HELP_CHECK ? "\nExit status of " : "");
	fprintf(out, "\nSee husk(1), husk-profile(5), husk-seccomp(5) and husk-oci(5).\n");
}

