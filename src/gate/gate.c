#include "gate/gate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <seccomp.h>

#include "launch/caps.h"
#include "seccomp/seccomp_export.h"
#include "seccomp/seccomp_json.h"

const char *const gate_rules[] = {
	"User",
	"NoNewPrivileges",
	"CapabilityBoundingSet",
	"SystemCallFilter",
	"SystemCallArchitectures",
	"SystemCallFilter=~denied",
	"PrivateNetwork",
	"PrivateUsers",
	"PrivatePIDs",
	"PrivateIPC",
	"ProtectHostname",
	"PrivateMounts",
	"ProtectControlGroups",
	"ProtectProc",
	"ProtectKernelTunables",
	"PrivateDevices",
	"ProtectSystem=strict",
	"ProtectSystem",
	"ProtectHome",
	"MemoryMax",
	"TasksMax",
	"LimitCORE",
	"LimitNOFILE",
	"LimitRTPRIO",
	NULL,
};

bool gate_rule_known(const char *name)
{
	for (const char *const *r = gate_rules; *r; r++)
		if (strcmp(*r, name) == 0)
			return true;
	return false;
}

void gate_want_from_policy(struct gate_want *w, const struct husk_policy *p,
			   const struct sc_profile *sc, const struct sc_profile *sc_oci,
			   const char *profile_name)
{
	*w = (struct gate_want){
		.profile = profile_name,
		.root_ok = p->uid == 0,
		/* A profile without --user runs a root-started service as
		 * 65534, which is what a root container becomes. */
		.uid = p->user_set ? p->uid : HUSK_DEFAULT_UID_ROOT,
		.gid = p->user_set ? p->gid : HUSK_DEFAULT_UID_ROOT,
		.caps = p->cap_add,
		.sc = p->seccomp_unconfined ? NULL : sc,
		.sc_oci = p->seccomp_unconfined ? NULL : sc_oci,
		.own_net = p->net != NET_HOST,
		.own_user = p->userns == USERNS_PRIVATE,
		.memory_max = p->cgroup.memory_max,
		.pids_max = p->cgroup.pids_max,
		.relaxed = &p->gate_relaxed,
		.core = p->rlimits[RLIMIT_CORE],
		.nofile = p->rlimits[RLIMIT_NOFILE],
		.rtprio = p->rlimits[RLIMIT_RTPRIO],
	};
}

/* ---- the verdict being built ---- */

struct judge {
	json_object *cfg;
	const struct gate_want *w;
	bool fix;
	struct gate_result *r;
	char *err;
	size_t errlen;
};

static bool relaxed(const struct judge *j, const char *rule)
{
	for (size_t i = 0; j->w->relaxed && i < j->w->relaxed->n; i++)
		if (strcmp(j->w->relaxed->v[i], rule) == 0)
			return true;
	return false;
}

static void finding(struct judge *j, const char *rule, bool fixed, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void finding(struct judge *j, const char *rule, bool fixed, const char *fmt, ...)
{
	struct gate_result *r = j->r;
	if (r->n == GATE_MAX_FINDINGS)
		return;
	struct gate_finding *f = &r->f[r->n++];
	f->rule = rule;
	f->fixed = fixed;
	va_list ap;
	va_start(ap, fmt);
	if (vsnprintf(f->why, sizeof(f->why), fmt, ap) < 0)
		f->why[0] = '\0';
	va_end(ap);
	if (fixed)
		r->changed = true;
	else
		r->unmet++;
}

#define BAD(j, path, what) errf((j)->err, (j)->errlen, -EINVAL, "config.json: %s: expected %s", path, what)

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* o.key as an object, made when fixing and missing. */
static json_object *obj(json_object *o, const char *key, bool make)
{
	json_object *v = get(o, key);
	if (!v && make) {
		v = json_object_new_object();
		json_object_object_add(o, key, v);
	}
	return v;
}

static bool str_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* An array of strings (or absent: NULL); anything else is an error. */
static int str_array(struct judge *j, json_object *a, const char *path)
{
	if (!a)
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return BAD(j, path, "an array of strings");
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string))
			return BAD(j, path, "an array of strings");
	return 0;
}

static bool array_has(json_object *a, const char *s)
{
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s) == 0)
			return true;
	return false;
}

/* ---- identity and privileges ---- */

static int rule_user(struct judge *j)
{
	json_object *user = get(get(j->cfg, "process"), "user");
	json_object *uid = get(user, "uid");
	if (uid && !json_object_is_type(uid, json_type_int))
		return BAD(j, "process.user.uid", "an integer");
	int64_t u = uid ? json_object_get_int64(uid) : 0;
	if (u != 0 || j->w->root_ok || relaxed(j, "User"))
		return 0;
	bool fix = j->fix && user;
	if (fix) {
		json_object_object_add(user, "uid", json_object_new_int64(j->w->uid));
		json_object_object_add(user, "gid", json_object_new_int64(j->w->gid));
		/* Docker adds group 0 for root: a non-root service keeps none. */
		json_object_object_del(user, "additionalGids");
	}
	if (fix)
		finding(j, "User", true, "runs as uid 0; now as %" PRIu32 ":%" PRIu32, j->w->uid,
			j->w->gid);
	else
		finding(j, "User", false, "runs as uid 0");
	return 0;
}

static int rule_nnp(struct judge *j)
{
	json_object *proc = get(j->cfg, "process");
	json_object *v = get(proc, "noNewPrivileges");
	if (v && !json_object_is_type(v, json_type_boolean))
		return BAD(j, "process.noNewPrivileges", "a boolean");
	if ((v && json_object_get_boolean(v)) || relaxed(j, "NoNewPrivileges"))
		return 0;
	bool fix = j->fix && proc;
	if (fix)
		json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(1));
	finding(j, "NoNewPrivileges", fix, "no_new_privs is not set: setuid files can raise privileges");
	return 0;
}

static int rule_caps(struct judge *j)
{
	static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable",
					    "ambient" };
	json_object *caps = get(get(j->cfg, "process"), "capabilities");
	if (!caps || relaxed(j, "CapabilityBoundingSet"))
		return 0;
	uint64_t extra = 0;
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		char path[64];
		snprintf(path, sizeof(path), "process.capabilities.%s", sets[s]);
		json_object *a = get(caps, sets[s]);
		int r = str_array(j, a, path);
		if (r < 0)
			return r;
		json_object *kept = j->fix ? json_object_new_array() : NULL;
		for (size_t i = 0; a && i < json_object_array_length(a); i++) {
			const char *name = json_object_get_string(json_object_array_get_idx(a, i));
			int c = caps_from_name(name);
			bool ok = c >= 0 && c < 64 && (j->w->caps & (1ull << c));
			if (!ok && c >= 0 && c < 64)
				extra |= 1ull << c;
			else if (!ok)
				extra |= 1ull << 63; /* a name this husk does not know */
			if (ok && kept)
				json_object_array_add(kept, json_object_new_string(name));
		}
		if (kept && a)
			json_object_object_add(caps, sets[s], kept);
		else if (kept)
			json_object_put(kept);
	}
	if (!extra)
		return 0;
	char list[300] = "";
	size_t at = 0;
	for (int c = 0; c < 64 && at < sizeof(list); c++)
		if (extra & (1ull << c)) {
			char b[32];
			const char *n = c == 63 ? "an unknown capability" : caps_to_name(c, b, sizeof(b));
			at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", at ? ", " : "",
					       n ? n : "?");
		}
	finding(j, "CapabilityBoundingSet", j->fix, "keeps %s, outside the profile's allowlist%s",
		list, j->fix ? "; dropped" : "");
	return 0;
}

/* ---- seccomp ---- */

/* "SCMP_ARCH_X86_64" as libseccomp's token; 0 when unknown. */
static uint32_t arch_token(const char *json_name)
{
	char low[32];
	if (!str_has_prefix(json_name, "SCMP_ARCH_") || strlen(json_name) - 10 >= sizeof(low))
		return 0;
	size_t i = 0;
	for (const char *s = json_name + 10; *s; s++)
		low[i++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	low[i] = '\0';
	return seccomp_arch_resolve_name(low);
}

static bool denies(struct sc_action a)
{
	return a.kind == SC_ERRNO || a.kind == SC_KILL;
}

/* Argument values that make one comparison hold, or fail. */
static uint64_t cmp_value(const struct scmp_arg_cmp *c, bool hold)
{
	uint64_t a = c->datum_a;
	switch (c->op) {
	case SCMP_CMP_NE:
		return hold ? a + 1 : a;
	case SCMP_CMP_LT:
		return hold ? (a ? a - 1 : 0) : a;
	case SCMP_CMP_LE:
		return hold ? a : a + 1;
	case SCMP_CMP_GT:
		return hold ? a + 1 : a;
	case SCMP_CMP_GE:
		return hold ? a : (a ? a - 1 : 0);
	case SCMP_CMP_MASKED_EQ: {
		uint64_t mask = a, want = c->datum_b;
		return hold ? want : want ^ (mask & (~mask + 1)); /* one masked bit flipped */
	}
	default: /* SCMP_CMP_EQ */
		return hold ? a : a + 1;
	}
}

/* The probe vectors for one call: all zero, then from each alternative of
 * either profile: every comparison held, and each one failed in turn.
 * That reaches every branch a rule of either profile draws. */
#define MAX_PROBES 64
static size_t probes(const struct sc_syscall *const *s, size_t ns, uint64_t out[][SC_MAX_ARGS])
{
	size_t n = 1;
	memset(out[0], 0, sizeof(out[0]));
	for (size_t k = 0; k < ns; k++)
		for (size_t a = 0; s[k] && a < s[k]->n_alts; a++) {
			const struct sc_alt *alt = &s[k]->alts[a];
			for (int miss = -1; miss < (int)alt->n_cmp && n < MAX_PROBES; miss++) {
				memset(out[n], 0, sizeof(out[n]));
				for (unsigned c = 0; c < alt->n_cmp; c++) {
					const struct scmp_arg_cmp *cmp = &alt->cmp[c];
					if (cmp->arg < SC_MAX_ARGS)
						out[n][cmp->arg] = cmp_value(cmp, (int)c != miss);
				}
				n++;
			}
		}
	return n;
}

/* Calls the profile denies and the config's filter lets through, listed
 * into buf (the first few, with the arguments that show it). */
static size_t seccomp_wider(const struct sc_profile *want, const struct sc_profile *have,
			    char *buf, size_t len)
{
	size_t found = 0, at = 0;
	buf[0] = '\0';
	for (int nr = 0; nr < 1024; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (!name)
			continue;
		const struct sc_syscall *s[2] = { sc_profile_find(want, name),
						  sc_profile_find(have, name) };
		uint64_t args[MAX_PROBES][SC_MAX_ARGS];
		size_t n = probes(s, 2, args);
		for (size_t i = 0; i < n; i++) {
			if (!denies(sc_profile_eval(want, name, args[i])) ||
			    denies(sc_profile_eval(have, name, args[i])))
				continue;
			if (found++ < 8 && at < len) {
				char a[96] = "";
				size_t aa = 0;
				for (int k = 0; k < SC_MAX_ARGS && aa < sizeof(a); k++)
					if (args[i][k])
						aa += (size_t)snprintf(a + aa, sizeof(a) - aa,
								       "%sarg%d=%#" PRIx64,
								       aa ? "," : "", k, args[i][k]);
				at += (size_t)snprintf(buf + at, len - at, "%s%s%s%s%s",
						       at ? ", " : "", name, a[0] ? "(" : "", a,
						       a[0] ? ")" : "");
			}
			break;
		}
		free(name);
	}
	if (found > 8 && at < len)
		snprintf(buf + at, len - at, " and %zu more", found - 8);
	return found;
}

int gate_oci_view(struct sc_profile *out, json_object *seccomp, uint64_t caps, char *err,
		  size_t errlen)
{
	const char *text = json_object_to_json_string_ext(seccomp, JSON_C_TO_STRING_PLAIN);
	int r = sc_profile_parse_json_text(out, text, "linux.seccomp", caps, err, errlen);
	if (r < 0)
		return r;
	for (size_t i = 0; i < out->n_sys; i++) {
		struct sc_syscall *s = &out->sys[i];
		if (s->has_fallback && s->n_alts) {
			free(s->alts);
			s->alts = NULL;
			s->n_alts = 0;
		}
	}
	return 0;
}

static uint64_t config_bounding(json_object *cfg)
{
	json_object *a = get(get(get(cfg, "process"), "capabilities"), "bounding");
	uint64_t caps = 0;
	for (size_t i = 0; a && json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++) {
		int c = caps_from_name(json_object_get_string(json_object_array_get_idx(a, i)));
		if (c >= 0 && c < 64)
			caps |= 1ull << c;
	}
	return caps;
}

static int rule_seccomp(struct judge *j)
{
	if (!j->w->sc)
		return 0;
	json_object *linux_ = get(j->cfg, "linux");
	json_object *sc = get(linux_, "seccomp");
	if (sc && !json_object_is_type(sc, json_type_object))
		return BAD(j, "linux.seccomp", "an object");
	bool replace = false;
	const char *def = NULL;
	json_object *d = get(sc, "defaultAction");
	if (d && !json_object_is_type(d, json_type_string))
		return BAD(j, "linux.seccomp.defaultAction", "a string");
	def = d ? json_object_get_string(d) : NULL;
	bool lets_all = !sc || !def || strcmp(def, "SCMP_ACT_ALLOW") == 0 ||
			strcmp(def, "SCMP_ACT_LOG") == 0;
	/* A filter whose default lets calls through is a deny list: judged
	 * call by call below, but not what "a filter" means here. */
	if (!relaxed(j, "SystemCallFilter") && (!sc || !def)) {
		finding(j, "SystemCallFilter", j->fix, "no seccomp filter%s",
			j->fix ? "; now the profile's" : "");
		replace = true;
	} else if (!relaxed(j, "SystemCallFilter") && lets_all) {
		finding(j, "SystemCallFilter", j->fix, "the filter's default action is %s%s", def,
			j->fix ? "; now the profile's filter" : "");
		replace = true;
	}

	json_object *arches = get(sc, "architectures");
	int r = str_array(j, arches, "linux.seccomp.architectures");
	if (r < 0)
		return r;
	if (sc && !relaxed(j, "SystemCallArchitectures")) {
		char other[128] = "";
		size_t at = 0;
		for (size_t i = 0; arches && i < json_object_array_length(arches); i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(arches, i));
			if (arch_token(a) != seccomp_arch_native() && at < sizeof(other))
				at += (size_t)snprintf(other + at, sizeof(other) - at, "%s%s",
						       at ? ", " : "", a);
		}
		/* husk kills every call of another ABI (int 0x80 on x86_64). */
		if (other[0]) {
			finding(j, "SystemCallArchitectures", j->fix,
				"the filter also admits %s calls, where the profile kills them%s", other,
				j->fix ? "; now the profile's filter" : "");
			replace = true;
		}
	}

	if (sc && def && !lets_all && !relaxed(j, "SystemCallFilter=~denied")) {
		struct sc_profile have;
		sc_profile_init(&have);
		char e[512], list[300];
		/* Docker's rules that depend on the container's capabilities
		 * are read as the runtime will, with its bounding set. */
		if (gate_oci_view(&have, sc, config_bounding(j->cfg), e, sizeof(e)) < 0) {
			finding(j, "SystemCallFilter=~denied", j->fix, "cannot judge the filter (%s)%s", e,
				j->fix ? "; now the profile's" : "");
			replace = true;
		} else {
			/* Compared with what the profile's own filter keeps
			 * once written as OCI: a denial OCI cannot carry is no
			 * config's fault (husk seccomp export names them). */
			size_t n = seccomp_wider(j->w->sc_oci ? j->w->sc_oci : j->w->sc, &have, list,
						 sizeof(list));
			if (n) {
				finding(j, "SystemCallFilter=~denied", j->fix,
					"the filter allows %zu call%s the profile denies: %s%s", n,
					n == 1 ? "" : "s", list, j->fix ? "; now the profile's filter" : "");
				replace = true;
			}
		}
		sc_profile_free(&have);
	}
	if (replace && j->fix) {
		if (!linux_)
			linux_ = obj(j->cfg, "linux", true);
		json_object_object_add(linux_, "seccomp", sc_profile_export_oci(j->w->sc));
	}
	return 0;
}

/* ---- namespaces ---- */

/* Whether a namespace file is the host's: the one the runtime (and so
 * this hook or wrapper) runs in, or pid 1's where that can be read. */
static bool host_namespace(const char *path, const char *kind)
{
	static const char *const owners[] = { "self", "1" };
	struct stat a, b;
	if (stat(path, &a) < 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(owners); i++) {
		char host[64];
		snprintf(host, sizeof(host), "/proc/%s/ns/%s", owners[i], kind);
		if (stat(host, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return true;
	}
	return false;
}

static int rule_namespaces(struct judge *j)
{
	static const struct {
		const char *type, *rule, *proc;
	} ns[] = {
		{ "network", "PrivateNetwork", "net" }, { "user", "PrivateUsers", "user" },
		{ "pid", "PrivatePIDs", "pid" },	{ "ipc", "PrivateIPC", "ipc" },
		{ "uts", "ProtectHostname", "uts" },	{ "mount", "PrivateMounts", "mnt" },
		{ "cgroup", "ProtectControlGroups", "cgroup" },
	};
	json_object *linux_ = get(j->cfg, "linux");
	json_object *list = get(linux_, "namespaces");
	if (list && !json_object_is_type(list, json_type_array))
		return BAD(j, "linux.namespaces", "an array");
	for (size_t k = 0; k < ARRAY_SIZE(ns); k++) {
		if (relaxed(j, ns[k].rule) || (k == 0 && !j->w->own_net) ||
		    (k == 1 && !j->w->own_user))
			continue;
		json_object *entry = NULL;
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			json_object *e = json_object_array_get_idx(list, i);
			json_object *t = get(e, "type");
			if (!t || !json_object_is_type(t, json_type_string)) {
				char p[64];
				snprintf(p, sizeof(p), "linux.namespaces[%zu].type", i);
				return BAD(j, p, "a string");
			}
			if (strcmp(json_object_get_string(t), ns[k].type) == 0)
				entry = e;
		}
		json_object *path = get(entry, "path");
		const char *ps = path && json_object_is_type(path, json_type_string)
					 ? json_object_get_string(path)
					 : NULL;
		bool host = !entry || (ps && host_namespace(ps, ns[k].proc));
		if (!host)
			continue;
		/* A user namespace needs id maps the gate cannot choose. */
		bool fix = j->fix && k != 1;
		if (fix && entry) {
			json_object_object_del(entry, "path");
		} else if (fix) {
			if (!linux_)
				linux_ = obj(j->cfg, "linux", true);
			if (!list) {
				list = json_object_new_array();
				json_object_object_add(linux_, "namespaces", list);
			}
			json_object *e = json_object_new_object();
			json_object_object_add(e, "type", json_object_new_string(ns[k].type));
			json_object_array_add(list, e);
		}
		finding(j, ns[k].rule, fix, "shares the host's %s namespace%s", ns[k].type,
			fix ? "; now its own" : k == 1 && j->fix ? " (a user namespace needs id maps: not made by the gate)" : "");
	}
	return 0;
}

/* ---- mounts, /proc, devices ---- */

/* What husk masks and every engine's default masks too. husk also masks
 * /proc/interrupts and /proc/asound, which runc's, Docker's and Podman's
 * defaults leave readable (counts and sound cards: no secret, no write),
 * so the gate does not ask for them. */
static const char *const gate_masked[] = { "/proc/acpi",	 "/proc/kcore",	      "/proc/keys",
					   "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi",
					   "/proc/timer_list",	 "/proc/timer_stats", NULL };
static const char *const gate_readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					     "/proc/sysrq-trigger", NULL };

static int paths_rule(struct judge *j, const char *rule, const char *key, const char *const *want,
		      const char *what)
{
	json_object *linux_ = get(j->cfg, "linux");
	json_object *a = get(linux_, key), *masked = get(linux_, "maskedPaths");
	char path[64];
	snprintf(path, sizeof(path), "linux.%s", key);
	int r = str_array(j, a, path);
	if (r < 0 || relaxed(j, rule))
		return r;
	char miss[300] = "";
	size_t at = 0;
	for (const char *const *p = want; *p; p++) {
		if (array_has(a, *p) || array_has(masked, *p))
			continue;
		if (at < sizeof(miss))
			at += (size_t)snprintf(miss + at, sizeof(miss) - at, "%s%s", at ? ", " : "", *p);
		if (j->fix) {
			if (!linux_)
				linux_ = obj(j->cfg, "linux", true);
			if (!a) {
				a = json_object_new_array();
				json_object_object_add(linux_, key, a);
			}
			json_object_array_add(a, json_object_new_string(*p));
		}
	}
	if (miss[0])
		finding(j, rule, j->fix, "%s not %s%s", miss, what, j->fix ? "; now they are" : "");
	return 0;
}

static bool path_under(const char *path, const char *dir)
{
	size_t d = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, d) == 0 && (path[d] == '\0' || path[d] == '/');
}

/* A host path at or above one of dirs (a bind of / holds /etc). */
static bool touches(const char *src, const char *const *dirs)
{
	for (; *dirs; dirs++)
		if (path_under(src, *dirs) || path_under(*dirs, src))
			return true;
	return false;
}

static int rule_mounts(struct judge *j)
{
	static const char *const system_dirs[] = { "/usr", "/etc", "/boot", "/efi", "/bin", "/sbin",
						   "/lib", "/lib32", "/lib64", "/libx32", "/opt",
						   "/proc", "/sys", "/dev", NULL };
	static const char *const home_dirs[] = { "/home", "/root", "/run/user", NULL };
	/* An engine's API socket is the host's root, read-only or not. */
	static const char *const engine_sockets[] = { "/run/docker.sock", "/var/run/docker.sock",
						      "/run/containerd", "/var/run/containerd",
						      "/run/podman", "/var/run/podman",
						      "/run/crio", "/var/run/crio", NULL };
	json_object *root = get(j->cfg, "root");
	json_object *ro = get(root, "readonly");
	if (ro && !json_object_is_type(ro, json_type_boolean))
		return BAD(j, "root.readonly", "a boolean");
	/* systemd's ProtectSystem=strict: the whole tree read-only. */
	if (!(ro && json_object_get_boolean(ro)) && !relaxed(j, "ProtectSystem=strict")) {
		bool fix = j->fix && root;
		if (fix)
			json_object_object_add(root, "readonly", json_object_new_boolean(1));
		finding(j, "ProtectSystem=strict", fix, "the root file system is writable%s",
			fix ? "; now read-only (writes go to tmpfs mounts the config names)" : "");
	}
	json_object *mounts = get(j->cfg, "mounts");
	if (mounts && !json_object_is_type(mounts, json_type_array))
		return BAD(j, "mounts", "an array");
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		json_object *o = get(m, "options"), *t = get(m, "type"), *s = get(m, "source");
		char path[64];
		snprintf(path, sizeof(path), "mounts[%zu].options", i);
		int r = str_array(j, o, path);
		if (r < 0)
			return r;
		const char *type = t && json_object_is_type(t, json_type_string) ? json_object_get_string(t) : "";
		const char *src = s && json_object_is_type(s, json_type_string) ? json_object_get_string(s) : "";
		bool bind = strcmp(type, "bind") == 0 || array_has(o, "bind") || array_has(o, "rbind");
		bool readonly = array_has(o, "ro");
		const char *rule = NULL, *why = NULL;
		bool fixable = true;
		if (bind && touches(src, engine_sockets)) {
			rule = "ProtectSystem", why = "binds the engine's socket", fixable = false;
		} else if (bind && !readonly && touches(src, system_dirs)) {
			rule = "ProtectSystem", why = "writable bind of a host system path";
		} else if (bind && !readonly && touches(src, home_dirs)) {
			rule = "ProtectHome", why = "writable bind of a host home directory";
		} else if (!bind && strcmp(type, "sysfs") == 0 && !readonly) {
			rule = "ProtectKernelTunables", why = "writable sysfs";
		} else if (!bind && strcmp(type, "cgroup") == 0 && !readonly) {
			rule = "ProtectControlGroups", why = "writable cgroup file system";
		}
		if (!rule || relaxed(j, rule))
			continue;
		bool fix = j->fix && fixable;
		if (fix) {
			if (!o) {
				o = json_object_new_array();
				json_object_object_add(m, "options", o);
			}
			/* Drop a "rw" that would fight the "ro". */
			json_object *kept = json_object_new_array();
			for (size_t k = 0; k < json_object_array_length(o); k++) {
				const char *x = json_object_get_string(json_object_array_get_idx(o, k));
				if (strcmp(x, "rw") != 0)
					json_object_array_add(kept, json_object_new_string(x));
			}
			json_object_array_add(kept, json_object_new_string("ro"));
			json_object_object_add(m, "options", kept);
		}
		json_object *dst = get(m, "destination");
		finding(j, rule, fix, "%s: %s at %s%s", why, src[0] ? src : type,
			dst && json_object_is_type(dst, json_type_string) ? json_object_get_string(dst) : "?",
			fix ? "; now read-only" : j->fix ? " (not changed: refused)" : "");
	}
	return 0;
}

/* The device nodes husk's minimal /dev has, and the ones every engine adds
 * (console, the pty pair). */
static const char *const gate_devices[] = { "/dev/null",    "/dev/zero", "/dev/full",
					    "/dev/random",  "/dev/urandom", "/dev/tty",
					    "/dev/console", "/dev/ptmx",	 NULL };

static int rule_devices(struct judge *j)
{
	if (relaxed(j, "PrivateDevices"))
		return 0;
	json_object *linux_ = get(j->cfg, "linux");
	json_object *devs = get(linux_, "devices");
	if (devs && !json_object_is_type(devs, json_type_array))
		return BAD(j, "linux.devices", "an array");
	size_t extra = 0;
	const char *first = NULL;
	json_object *kept = j->fix && devs ? json_object_new_array() : NULL;
	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i), *p = get(d, "path");
		const char *ps = p && json_object_is_type(p, json_type_string) ? json_object_get_string(p) : "";
		if (str_in(ps, gate_devices)) {
			if (kept)
				json_object_array_add(kept, json_object_get(d));
			continue;
		}
		if (!extra++)
			first = ps;
	}
	if (extra) {
		finding(j, "PrivateDevices", j->fix, "%zu host device node%s (%s%s)%s", extra,
			extra == 1 ? "" : "s", first, extra > 1 ? ", ..." : "",
			j->fix ? "; removed" : "");
		if (kept)
			json_object_object_add(linux_, "devices", kept);
	} else if (kept) {
		json_object_put(kept);
	}
	/* The device cgroup: an allow rule with no type or major grants
	 * every device there is. */
	json_object *rules = get(get(linux_, "resources"), "devices");
	if (rules && !json_object_is_type(rules, json_type_array))
		return BAD(j, "linux.resources.devices", "an array");
	bool all = false;
	json_object *keep_rules = j->fix && rules ? json_object_new_array() : NULL;
	for (size_t i = 0; rules && i < json_object_array_length(rules); i++) {
		json_object *d = json_object_array_get_idx(rules, i);
		json_object *allow = get(d, "allow"), *type = get(d, "type"), *major = get(d, "major");
		bool wide = allow && json_object_get_boolean(allow) &&
			    (!type || strcmp(json_object_get_string(type), "a") == 0) && !major;
		all |= wide;
		if (keep_rules && !wide)
			json_object_array_add(keep_rules, json_object_get(d));
	}
	if (all) {
		finding(j, "PrivateDevices", j->fix, "the device cgroup allows every device%s",
			j->fix ? "; that rule removed" : "");
		if (keep_rules)
			json_object_object_add(get(linux_, "resources"), "devices", keep_rules);
	} else if (keep_rules) {
		json_object_put(keep_rules);
	}
	return 0;
}

/* ---- limits ---- */

static int limit_rule(struct judge *j, const char *rule, const char *section, const char *key,
		      uint64_t want, const char *what)
{
	if (!want || relaxed(j, rule))
		return 0;
	json_object *linux_ = get(j->cfg, "linux");
	json_object *res = get(linux_, "resources");
	json_object *sec = get(res, section), *v = get(sec, key);
	char path[64];
	snprintf(path, sizeof(path), "linux.resources.%s.%s", section, key);
	if (v && !json_object_is_type(v, json_type_int))
		return BAD(j, path, "an integer");
	int64_t have = v ? json_object_get_int64(v) : 0;
	if (have > 0 && (uint64_t)have <= want)
		return 0;
	if (j->fix) {
		if (!linux_)
			linux_ = obj(j->cfg, "linux", true);
		res = obj(linux_, "resources", true);
		sec = obj(res, section, true);
		json_object_object_add(sec, key, json_object_new_int64((int64_t)want));
	}
	if (have > 0)
		finding(j, rule, j->fix, "%s %" PRId64 ", above the profile's %" PRIu64 "%s", what, have,
			want, j->fix ? "; lowered" : "");
	else
		finding(j, rule, j->fix, "no %s%s", what, j->fix ? "; now the profile's" : "");
	return 0;
}

/* process.rlimits: the entry of type NAME ("RLIMIT_NOFILE") must be
 * there, its hard limit no higher than the profile's. */
static int rlimit_rule(struct judge *j, const char *rule, const char *type,
		       const struct husk_rlimit *want)
{
	if (!want->set || relaxed(j, rule))
		return 0;
	json_object *proc = get(j->cfg, "process");
	json_object *list = get(proc, "rlimits");
	if (list && !json_object_is_type(list, json_type_array))
		return BAD(j, "process.rlimits", "an array");
	json_object *entry = NULL;
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i), *t = get(e, "type");
		if (t && json_object_is_type(t, json_type_string) &&
		    strcmp(json_object_get_string(t), type) == 0)
			entry = e;
	}
	json_object *hard = get(entry, "hard"), *soft = get(entry, "soft");
	if ((hard && !json_object_is_type(hard, json_type_int)) ||
	    (soft && !json_object_is_type(soft, json_type_int)))
		return BAD(j, "process.rlimits[].hard", "an integer");
	/* json-c reads a value above INT64_MAX (unlimited is 2^64-1) as
	 * INT64_MAX: above any finite limit either way. */
	uint64_t h = hard ? (uint64_t)json_object_get_int64(hard) : UINT64_MAX;
	if (entry && h <= want->hard)
		return 0;
	if (j->fix && proc) {
		if (!list) {
			list = json_object_new_array();
			json_object_object_add(proc, "rlimits", list);
		}
		if (!entry) {
			entry = json_object_new_object();
			json_object_object_add(entry, "type", json_object_new_string(type));
			json_object_array_add(list, entry);
		}
		int64_t s0 = soft ? json_object_get_int64(soft) : INT64_MAX;
		json_object_object_add(entry, "hard", json_object_new_int64((int64_t)want->hard));
		json_object_object_add(entry, "soft", json_object_new_int64(
				(uint64_t)s0 > want->soft ? (int64_t)want->soft : s0));
	}
	char have[32];
	if (entry && h != UINT64_MAX && h != (uint64_t)INT64_MAX)
		snprintf(have, sizeof(have), "%" PRIu64, h);
	else
		snprintf(have, sizeof(have), "%s", entry ? "unlimited" : "not set");
	finding(j, rule, j->fix && proc, "%s hard limit %s, the profile's is %" PRIu64 "%s", type, have,
		want->hard, j->fix && proc ? "; lowered" : "");
	return 0;
}

/* The objects the rules read and the fixes write into: where one is there
 * with another JSON type, the config is refused rather than read as empty
 * (and a fix never writes a field into a number: json-c aborts on that,
 * as fuzzing found). */
static int shape(struct judge *j)
{
	static const char *const paths[][3] = {
		{ "process", NULL, NULL },	       { "root", NULL, NULL },
		{ "linux", NULL, NULL },	       { "linux", "resources", NULL },
		{ "linux", "resources", "memory" }, { "linux", "resources", "pids" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		json_object *o = j->cfg;
		char path[64] = "";
		for (size_t k = 0; k < 3 && paths[i][k] && o; k++) {
			o = get(o, paths[i][k]);
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "%s%s", k ? "." : "",
				 paths[i][k]);
		}
		if (o && !json_object_is_type(o, json_type_object))
			return BAD(j, path, "an object");
	}
	return 0;
}

int gate_judge(json_object *cfg, const struct gate_want *w, bool fix, struct gate_result *r,
	       char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(cfg, json_type_object))
		return errf(err, errlen, -EINVAL, "config.json: expected an object");
	struct judge j = { .cfg = cfg, .w = w, .fix = fix, .r = r, .err = err, .errlen = errlen };
	int rc;
	if ((rc = shape(&j)) < 0 || (rc = rule_user(&j)) < 0 || (rc = rule_nnp(&j)) < 0 || (rc = rule_caps(&j)) < 0 ||
	    (rc = rule_seccomp(&j)) < 0 || (rc = rule_namespaces(&j)) < 0 ||
	    (rc = paths_rule(&j, "ProtectProc", "maskedPaths", gate_masked, "masked")) < 0 ||
	    (rc = paths_rule(&j, "ProtectKernelTunables", "readonlyPaths", gate_readonly,
			     "read-only")) < 0 ||
	    (rc = rule_devices(&j)) < 0 || (rc = rule_mounts(&j)) < 0 ||
	    (rc = limit_rule(&j, "MemoryMax", "memory", "limit", w->memory_max, "memory limit")) < 0 ||
	    (rc = limit_rule(&j, "TasksMax", "pids", "limit", w->pids_max, "pids limit")) < 0 ||
	    (rc = rlimit_rule(&j, "LimitCORE", "RLIMIT_CORE", &w->core)) < 0 ||
	    (rc = rlimit_rule(&j, "LimitNOFILE", "RLIMIT_NOFILE", &w->nofile)) < 0 ||
	    (rc = rlimit_rule(&j, "LimitRTPRIO", "RLIMIT_RTPRIO", &w->rtprio)) < 0)
		return rc;
	return 0;
}

int gate_judge_process(json_object *process, const struct gate_want *w, bool fix,
		       struct gate_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(process, json_type_object))
		return errf(err, errlen, -EINVAL, "process.json: expected an object");
	/* The rules read "process"; a config holding only it is judged
	 * by them alone. */
	json_object *cfg = json_object_new_object();
	json_object_object_add(cfg, "process", json_object_get(process));
	struct judge j = { .cfg = cfg, .w = w, .fix = fix, .r = r, .err = err, .errlen = errlen };
	int rc = rule_user(&j);
	if (rc == 0)
		rc = rule_nnp(&j);
	if (rc == 0)
		rc = rule_caps(&j);
	if (rc == 0)
		rc = rlimit_rule(&j, "LimitCORE", "RLIMIT_CORE", &w->core);
	if (rc == 0)
		rc = rlimit_rule(&j, "LimitNOFILE", "RLIMIT_NOFILE", &w->nofile);
	if (rc == 0)
		rc = rlimit_rule(&j, "LimitRTPRIO", "RLIMIT_RTPRIO", &w->rtprio);
	json_object_put(cfg);
	return rc < 0 ? rc : 0;
}
