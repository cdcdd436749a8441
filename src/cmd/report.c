#include "cmd/report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include "launch/caps.h"
#include "launch/hooks.h"
#include "launch/landlock.h"
#include "launch/mounts.h"
#include "seccomp/seccomp_profile.h"
#include "seccomp/seccomp_load.h"

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *strv_json(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *namespaces(const struct husk_policy *p)
{
	json_object *a = json_object_new_array();
	if (p->in_place)
		return a;
	if (p->userns == USERNS_PRIVATE)
		json_object_array_add(a, str("user"));
	json_object_array_add(a, str("mount"));
	json_object_array_add(a, str("pid"));
	/* An OCI config's shared ones are left out, joined ones named so. */
	static const struct {
		const char *name;
		int flag;
	} ns[] = { { "net", CLONE_NEWNET },
		   { "ipc", CLONE_NEWIPC },
		   { "uts", CLONE_NEWUTS },
		   { "cgroup", CLONE_NEWCGROUP } };
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		if ((ns[i].flag == CLONE_NEWNET && p->net == NET_HOST) ||
		    (p->ns_shared & (uint64_t)ns[i].flag))
			continue;
		const char *joined = NULL;
		for (size_t k = 0; k < p->n_ns_joins; k++)
			if (p->ns_joins[k].type == ns[i].flag)
				joined = p->ns_joins[k].path;
		if (ns[i].flag == CLONE_NEWNET && p->net == NET_JOIN)
			joined = p->net_path;
		char veth[96];
		if (ns[i].flag == CLONE_NEWNET && p->net == NET_VETH) {
			char va[16], h[16];
			inet_ntop(AF_INET, &p->veth.addr, va, sizeof(va));
			inet_ntop(AF_INET, &p->veth.host_addr, h, sizeof(h));
			snprintf(veth, sizeof(veth), "veth eth0 %s/%d, host %s %s", va, p->veth.prefix,
				 p->veth.bridge[0] ? "bridge" : p->veth.host_if,
				 p->veth.bridge[0] ? p->veth.bridge : h);
			joined = veth;
		}
		char b[300];
		snprintf(b, sizeof(b), "%s%s%s", ns[i].name, joined ? "=" : "", joined ? joined : "");
		json_object_array_add(a, str(b));
	}
	return a;
}

static json_object *user(const struct husk_policy *p)
{
	json_object *o = json_object_new_object();
	put(o, "uid", json_object_new_int64(p->uid));
	put(o, "gid", json_object_new_int64(p->gid));
	bool own_userns = p->userns == USERNS_PRIVATE && !p->in_place;
	put(o, "userns", str(p->in_place ? "no" : own_userns ? "private" : "host"));
	static const char *const from[] = {
		[HOST_IDS_CALLER] = "the caller's own ids",
		[HOST_IDS_RANGE] = "husk's fixed range (no husk entry in /etc/subuid)",
		[HOST_IDS_SUBID] = "the husk entry of /etc/subuid and /etc/subgid",
		[HOST_IDS_EXPLICIT] = "--host-user",
		[HOST_IDS_SAME] = "no user namespace: the ids are host ids",
	};
	put(o, "host_uid", json_object_new_int64(p->host_uid));
	put(o, "host_gid", json_object_new_int64(p->host_gid));
	put(o, "host_ids_from", str(from[p->host_ids_from]));
	if (own_userns) {
		char m[64];
		snprintf(m, sizeof(m), "%u %u 1", (unsigned)p->uid, (unsigned)p->host_uid);
		put(o, "uid_map", str(m));
		snprintf(m, sizeof(m), "%u %u 1", (unsigned)p->gid, (unsigned)p->host_gid);
		put(o, "gid_map", str(m));
		put(o, "setgroups", str("deny"));
	} else {
		put(o, "supplementary_groups", json_object_new_array());
	}
	return o;
}

static json_object *flags(uint64_t attrs)
{
	char b[64];
	return str(mounts_attrs_str(attrs, b, sizeof(b)));
}

static json_object *mount_json(const struct mount_entry *m, bool p_paths_set)
{
	static const char *const kinds[] = { "bind",   "tmpfs",  "proc",  "dev",
					     "sysfs", "devpts", "mqueue", "cgroup" };
	json_object *o = json_object_new_object();
	put(o, "destination", str(m->dst));
	put(o, "type", str(kinds[m->kind]));
	if (m->kind == MOUNT_BIND)
		put(o, "source", str(m->src));
	put(o, "flags", flags(mounts_attrs(m)));
	if (m->kind == MOUNT_TMPFS) {
		char mode[16];
		snprintf(mode, sizeof(mode), "%04o", (unsigned)m->mode);
		put(o, "size", json_object_new_uint64(m->size));
		put(o, "nr_inodes", json_object_new_uint64(m->nr_inodes));
		put(o, "mode", str(mode));
	}
	if (m->kind == MOUNT_PROC && !p_paths_set) {
		json_object *a = json_object_new_array(), *b = json_object_new_array();
		for (const char *const *s = mounts_proc_masked; *s; s++)
			json_object_array_add(a, str(*s));
		for (const char *const *s = mounts_proc_readonly; *s; s++)
			json_object_array_add(b, str(*s));
		put(o, "masked", a);
		put(o, "read_only", b);
	}
	if (m->kind == MOUNT_DEV) {
		json_object *a = json_object_new_array();
		for (const char *const *s = mounts_dev_nodes; *s; s++)
			json_object_array_add(a, str(*s));
		put(o, "devices", a);
		put(o, "pts_shm", json_object_new_boolean(!m->dev_bare));
	}
	return o;
}

static json_object *cap_list(uint64_t set)
{
	json_object *a = json_object_new_array();
	char name[32];
	for (int c = 0; c < 64; c++)
		if ((set & (1ull << c)) && caps_to_name(c, name, sizeof(name)))
			json_object_array_add(a, str(name));
	return a;
}

/* The sets the service execs with: what caps_drop_except leaves. */
static json_object *capabilities(const struct husk_policy *p)
{
	json_object *o = json_object_new_object();
	if (p->cap_sets_set) {
		put(o, "bounding", cap_list(p->cap_sets.bnd));
		put(o, "permitted", cap_list(p->cap_sets.prm));
		put(o, "effective", cap_list(p->cap_sets.eff));
		put(o, "inheritable", cap_list(p->cap_sets.inh));
		put(o, "ambient", cap_list(p->cap_sets.amb));
		return o;
	}
	put(o, "bounding", cap_list(p->cap_add));
	put(o, "permitted", cap_list(p->cap_add));
	put(o, "effective", cap_list(p->cap_add));
	put(o, "inheritable", cap_list(p->cap_add));
	put(o, "ambient", cap_list(caps_service_ambient(p->uid) ? p->cap_add : 0));
	return o;
}

static size_t rule_count(const struct sc_profile *prof)
{
	size_t n = 0;
	for (size_t i = 0; i < prof->n_sys; i++)
		n += prof->sys[i].has_fallback + prof->sys[i].n_alts;
	return n;
}

static json_object *seccomp(const struct husk_policy *p, const struct sc_profile *prof,
			    const char *path)
{
	json_object *o = json_object_new_object();
	if (p->seccomp_unconfined) {
		put(o, "profile", str("unconfined"));
		return o;
	}
	char act[32];
	put(o, "profile", str(p->seccomp_name		? p->seccomp_name
			      : p->seccomp_json ? "linux.seccomp"
						: HUSK_DEFAULT_SECCOMP));
	put(o, "path", str(path));
	put(o, "precompiled", json_object_new_boolean(p->seccomp == NULL));
	put(o, "default_action", str(sc_action_str(prof->def, act, sizeof(act))));
	put(o, "syscalls_named", json_object_new_int64((int64_t)prof->n_sys));
	put(o, "rules", json_object_new_int64((int64_t)rule_count(prof)));
	put(o, "bpf_instructions", json_object_new_int64((int64_t)p->seccomp_bpf.len[0]));
	put(o, "overlay_instructions", json_object_new_int64((int64_t)p->seccomp_bpf.len[1]));
	put(o, "log_denials", json_object_new_boolean(p->seccomp_log));
	put(o, "denials", str(p->seccomp_log	       ? "kernel log"
			      : p->seccomp_report ? "reported on stderr"
						  : "not reported"));
	return o;
}

static json_object *limit_value(uint64_t v)
{
	return v == RLIM_INFINITY ? str("unlimited") : json_object_new_uint64(v);
}

/* The probe as it will run: what, where, when, and what follows. */
static json_object *health_json(const struct health_spec *h)
{
	static const char *const kinds[] = { "none", "cmd", "tcp", "http" };
	static const char *const actions[] = { "none", "restart", "exit" };
	json_object *o = json_object_new_object();
	put(o, "probe", json_object_new_string(kinds[h->kind]));
	if (h->kind == HEALTH_NONE)
		return o;
	char t[400];
	bool v6 = strchr(h->host, ':') != NULL;
	if (h->kind == HEALTH_CMD)
		put(o, "command", strv_json((const char *const *)h->cmd.v, h->cmd.n));
	if (h->kind == HEALTH_HTTP)
		snprintf(t, sizeof(t), "GET http://%s%s%s:%u%s", v6 ? "[" : "", h->host, v6 ? "]" : "",
			 (unsigned)h->port, h->path);
	else if (h->kind == HEALTH_TCP)
		snprintf(t, sizeof(t), "connect %s%s%s:%u", v6 ? "[" : "", h->host, v6 ? "]" : "",
			 (unsigned)h->port);
	else /* the words as they are passed: quoting shown, not implied */
		snprintf(t, sizeof(t), "run %s",
			 json_object_to_json_string_ext(json_object_object_get(o, "command"),
							JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	put(o, "target", json_object_new_string(t));
	put(o, "interval_ms", json_object_new_int64(h->interval_ms));
	put(o, "timeout_ms", json_object_new_int64(h->timeout_ms));
	put(o, "retries", json_object_new_int64(h->retries));
	put(o, "start_period_ms", json_object_new_int64(h->start_period_ms));
	put(o, "on_unhealthy", json_object_new_string(actions[h->on_unhealthy]));
	return o;
}

static json_object *rlimits(const struct husk_policy *p)
{
	json_object *o = json_object_new_object();
	for (int r = 0; r < HUSK_RLIMIT_COUNT; r++) {
		const struct husk_rlimit *rl = &p->rlimits[r];
		if (!rl->set || !rlimit_name(r))
			continue;
		json_object *v = json_object_new_object();
		put(v, "soft", limit_value(rl->soft));
		put(v, "hard", limit_value(rl->hard));
		put(o, rlimit_name(r), v);
	}
	return o;
}

static json_object *cgroup(const struct husk_policy *p)
{
	static const char *const modes[] = { "off", "auto", "required" };
	const struct cg_limits *l = &p->cgroup;
	json_object *o = json_object_new_object();
	put(o, "mode", str(modes[p->cgroup_mode]));
	if (p->cgroup_parent)
		put(o, "parent", str(p->cgroup_parent));
	if (l->memory_max) {
		put(o, "memory_max", json_object_new_uint64(l->memory_max));
		put(o, "memory_swap", json_object_new_uint64(l->memory_swap_set ? l->memory_swap : 0));
	}
	if (l->memory_high)
		put(o, "memory_high", json_object_new_uint64(l->memory_high));
	if (l->pids_max)
		put(o, "pids_max", json_object_new_uint64(l->pids_max));
	if (l->cpu_quota_us) {
		put(o, "cpu_quota_us", json_object_new_uint64(l->cpu_quota_us));
		put(o, "cpu_period_us", json_object_new_uint64(l->cpu_period_us));
	}
	if (l->cpu_weight)
		put(o, "cpu_weight", json_object_new_int64(l->cpu_weight));
	if (l->io_weight)
		put(o, "io_weight", json_object_new_int64(l->io_weight));
	return o;
}

/* Values passed through from the caller (--env-keep) may be secrets; the
 * report names them without their values. */
static json_object *environment(const struct husk_policy *p)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < p->env.n; i++) {
		const char *kv = p->env.v[i];
		size_t n = strcspn(kv, "=");
		bool set = false, kept = false;
		for (size_t k = 0; k < p->env_set.n; k++)
			set |= strncmp(p->env_set.v[k], kv, n) == 0 && p->env_set.v[k][n] == '=';
		for (size_t k = 0; k < p->env_keep.n && !set; k++)
			kept |= strlen(p->env_keep.v[k]) == n && strncmp(p->env_keep.v[k], kv, n) == 0;
		if (!kept) {
			json_object_array_add(a, str(kv));
			continue;
		}
		char buf[160];
		snprintf(buf, sizeof(buf), "%.*s (from the caller, value not shown)", (int)n, kv);
		json_object_array_add(a, str(buf));
	}
	return a;
}

static json_object *exposure_json(const struct exposure *e)
{
	json_object *o = json_object_new_object();
	/* Tenths, printed as shown ("0.6", not 0.59999999999999998). */
	char shown[24];
	snprintf(shown, sizeof(shown), "%u.%u", e->score / 10, e->score % 10);
	put(o, "score", json_object_new_double_s((double)e->score / 10.0, shown));
	put(o, "label", str(exposure_label(e->score)));
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < e->n; i++) {
		const struct exposure_finding *f = &e->f[i];
		json_object *x = json_object_new_object();
		put(x, "check", str(f->id));
		put(x, "layer", str(f->layer));
		put(x, "weight", json_object_new_int64(f->weight));
		put(x, "range", json_object_new_int64(f->range));
		put(x, "badness", json_object_new_int64(f->badness));
		put(x, "detail", str(f->detail));
		if (f->badness)
			put(x, "fix", str(f->fix));
		json_object_array_add(a, x);
	}
	put(o, "findings", a);
	return o;
}

static json_object *preflight_json(const struct preflight *pf)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < pf->n; i++) {
		json_object *x = json_object_new_object();
		put(x, "step", str(pf->e[i].step));
		put(x, "detail", str(pf->e[i].detail));
		put(x, "fix", str(pf->e[i].fix));
		put(x, "run_exit_status", json_object_new_int64(pf->e[i].exit_code));
		json_object_array_add(a, x);
	}
	return a;
}

json_object *report_build(const struct husk_policy *p, const struct caller *c,
			  const struct preflight *pf, struct exposure *e, char *err, size_t errlen)
{
	/* The filter husk loads may be precompiled; the score reads the
	 * profile it was built from. */
	struct sc_profile loaded;
	const struct sc_profile *prof = p->seccomp;
	char path[PATH_MAX] = "";
	sc_profile_init(&loaded);
	if (!p->seccomp_unconfined && !p->seccomp_name && p->seccomp_json) {
		snprintf(path, sizeof(path), "%s/config.json", p->oci_bundle ? p->oci_bundle : ".");
	} else if (!p->seccomp_unconfined) {
		const char *name = p->seccomp_name ? p->seccomp_name : HUSK_DEFAULT_SECCOMP;
		bool is_json;
		char serr[2560];
		int r = sc_profile_resolve(name, c->profiles, path, sizeof(path), &is_json, NULL, serr,
					   sizeof(serr));
		if (r == 0 && !prof) {
			r = sc_profile_load(&loaded, name, c->profiles, p->cap_add, serr, sizeof(serr));
			prof = &loaded;
		}
		if (r < 0) {
			sc_profile_free(&loaded);
			errf(err, errlen, r, "--seccomp %s: %s", name, serr);
			return NULL;
		}
	}
	exposure_compute(p, prof, e);

	json_object *o = json_object_new_object();
	put(o, "program", strv_json((const char *const *)p->argv.v, p->argv.n));
	put(o, "namespaces", namespaces(p));
	static const char *const ns_modes[] = { "required", "auto", "none" };
	put(o, "namespace_mode", str(ns_modes[p->namespaces]));
	put(o, "in_place", json_object_new_boolean(p->in_place));
	struct ll_plan ll;
	char lerr[256], ltext[1024];
	if (landlock_plan(p, p->landlock_abi, &ll, lerr, sizeof(lerr)) < 0)
		snprintf(ltext, sizeof(ltext), "%s", lerr);
	else
		landlock_describe(&ll, p->landlock_abi, ltext, sizeof(ltext));
	json_object *lj = json_object_new_object();
	static const char *const ll_modes[] = { "auto", "required", "off" };
	put(lj, "mode", str(ll_modes[p->landlock]));
	put(lj, "abi", json_object_new_int(p->landlock_abi));
	put(lj, "enforced", json_object_new_boolean(ll.handled_fs != 0));
	put(lj, "rules", str(ltext));
	put(o, "landlock", lj);
	put(o, "user", user(p));
	put(o, "hostname", str(p->hostname ? p->hostname : "(the host's: no uts namespace)"));
	put(o, "cwd", str(p->cwd));
	json_object *root = json_object_new_object();
	put(root, "source", p->rootfs ? str(p->rootfs) : str("(empty tmpfs)"));
	/* In place husk mounts nothing: the root is as found, and read-only
	 * only through Landlock (shown on its own line). */
	put(root, "flags",
	    p->in_place ? str("as found, husk mounts nothing") : flags(mounts_root_attrs(p)));
	put(o, "root", root);
	json_object *mounts = json_object_new_array();
	for (size_t i = 0; i < p->n_mounts && !p->in_place; i++)
		json_object_array_add(mounts, mount_json(&p->mounts[i], p->paths_set));
	put(o, "mounts", mounts);
	put(o, "mirrors", strv_json((const char *const *)pf->mirrors.v, pf->mirrors.n));
	if (pf->program[0])
		put(o, "program_found", str(pf->program));
	put(o, "capabilities", capabilities(p));
	if (p->paths_set) {
		put(o, "masked_paths", strv_json((const char *const *)p->masked_paths.v,
						 p->masked_paths.n));
		put(o, "readonly_paths", strv_json((const char *const *)p->readonly_paths.v,
						   p->readonly_paths.n));
	}
	if (p->sysctls.n)
		put(o, "sysctl", strv_json((const char *const *)p->sysctls.v, p->sysctls.n));
	/* --listen's sockets, and those husk was started with. */
	struct strv ls = { 0 };
	for (size_t i = 0; i < p->n_listens; i++) {
		const struct listen_spec *l = &p->listens[i];
		char b[160];
		if (l->inherited >= 0)
			snprintf(b, sizeof(b), "fd %zu: %s (passed to husk)", 3 + i, l->name);
		else
			snprintf(b, sizeof(b), "fd %zu: %s %s%s%s:%u", 3 + i,
				 l->type == SOCK_DGRAM ? "udp" : "tcp", l->family == AF_INET6 ? "[" : "",
				 l->addr, l->family == AF_INET6 ? "]" : "", l->port);
		strv_push(&ls, b);
	}
	for (size_t i = 0; i < p->n_publish; i++) {
		const struct listen_spec *l = &p->publish[i];
		char b[160];
		snprintf(b, sizeof(b), "publish %s%s%s:%u -> sandbox's 127.0.0.1:%u",
			 l->family == AF_INET6 ? "[" : "", l->addr, l->family == AF_INET6 ? "]" : "",
			 l->port, p->publish_port[i]);
		strv_push(&ls, b);
	}
	if (ls.n)
		put(o, "listen", strv_json((const char *const *)ls.v, ls.n));
	strv_free(&ls);
	/* An OCI config's hooks: what runs around the service, and where. */
	struct strv hooks = { 0 };
	for (int st = 0; st < HOOK_NSTAGES; st++)
		for (size_t i = 0; i < p->hooks.n[st]; i++) {
			char h[4200];
			snprintf(h, sizeof(h), "%s:%s", hooks_stage_name((enum hook_stage)st),
				 p->hooks.h[st][i].path);
			strv_push(&hooks, h);
		}
	if (hooks.n)
		put(o, "hooks", strv_json((const char *const *)hooks.v, hooks.n));
	strv_free(&hooks);
	put(o, "no_new_privs", json_object_new_boolean(!p->no_new_privs_off));
	put(o, "seccomp", seccomp(p, prof, path));
	put(o, "rlimits", rlimits(p));
	put(o, "cgroup", cgroup(p));
	put(o, "go_env", json_object_new_boolean(!p->no_go_env));
	put(o, "environment", environment(p));
	/* Secrets: their names and where they come from, never a value. */
	json_object *sec = json_object_new_array();
	for (size_t i = 0; i < p->n_secrets; i++) {
		char line[1200];
		snprintf(line, sizeof(line), "%s/%s (from %s)", HUSK_SECRETS_DIR, p->secrets[i].name,
			 p->secrets[i].from);
		json_object_array_add(sec, json_object_new_string(line));
	}
	put(o, "secrets", sec);
	put(o, "stop_timeout", json_object_new_int64(p->stop_timeout));
	if (p->name)
		put(o, "name", json_object_new_string(p->name));
	put(o, "health", health_json(&p->health));
	json_object *rs = json_object_new_object();
	put(rs, "policy", json_object_new_string(restart_mode_name(p->restart.mode)));
	put(rs, "max", json_object_new_int64(p->restart.max));
	put(rs, "delay_ms", json_object_new_int64(p->restart.delay_ms));
	put(rs, "max_delay_ms", json_object_new_int64(p->restart.max_delay_ms));
	put(o, "restart", rs);
	put(o, "exposure", exposure_json(e));
	put(o, "warnings", strv_json((const char *const *)p->warnings.v, p->warnings.n));
	put(o, "errors", preflight_json(pf));
	sc_profile_free(&loaded);
	return o;
}

/* ---- text ---------------------------------------------------------------- */

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *gets(json_object *o, const char *key)
{
	json_object *v = get(o, key);
	return v ? json_object_get_string(v) : "";
}

static void print_list(FILE *out, json_object *a, const char *none)
{
	size_t n = a ? json_object_array_length(a) : 0;
	if (!n)
		fputs(none, out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? " " : "", json_object_get_string(json_object_array_get_idx(a, i)));
}

static void print_mount(FILE *out, json_object *m)
{
	const char *type = gets(m, "type");
	fprintf(out, "  %-14s %s %s", "mount", gets(m, "destination"), type);
	if (strcmp(type, "bind") == 0)
		fprintf(out, " %s", gets(m, "source"));
	if (strcmp(type, "tmpfs") == 0)
		fprintf(out, " size=%s,nr_inodes=%s,mode=%s", gets(m, "size"), gets(m, "nr_inodes"),
			gets(m, "mode"));
	fprintf(out, " (%s)\n", gets(m, "flags"));
	if (get(m, "masked")) {
		fprintf(out, "  %-14s ", "  masked");
		print_list(out, get(m, "masked"), "");
		fprintf(out, "\n  %-14s ", "  read-only");
		print_list(out, get(m, "read_only"), "");
		fputc('\n', out);
	}
	if (get(m, "devices")) {
		fprintf(out, "  %-14s ", "  devices");
		print_list(out, get(m, "devices"), "");
		fprintf(out, " (host nodes)%s\n",
			json_object_get_boolean(get(m, "pts_shm")) ? ", pts, shm" : "");
	}
}

void report_print_text(json_object *r, FILE *out)
{
	fprintf(out, "  %-14s ", "program");
	print_list(out, get(r, "program"), "(none given)");
	if (get(r, "program_found"))
		fprintf(out, " (found at %s)", gets(r, "program_found"));
	fprintf(out, "\n  %-14s ", "namespaces");
	print_list(out, get(r, "namespaces"),
		   "none: in place (--namespaces none, or auto where they are refused)");
	json_object *u = get(r, "user");
	fprintf(out, "\n  %-14s uid %s gid %s, %s user namespace\n", "user", gets(u, "uid"),
		gets(u, "gid"), gets(u, "userns"));
	fprintf(out, "  %-14s runs as host uid %s gid %s (%s)\n", "host ids", gets(u, "host_uid"),
		gets(u, "host_gid"), gets(u, "host_ids_from"));
	fprintf(out, "  %-14s %s\n  %-14s %s\n", "hostname", gets(r, "hostname"), "cwd",
		gets(r, "cwd"));
	json_object *root = get(r, "root");
	fprintf(out, "  %-14s %s (%s)\n", "root", gets(root, "source"), gets(root, "flags"));
	json_object *mounts = get(r, "mounts");
	for (size_t i = 0; i < json_object_array_length(mounts); i++)
		print_mount(out, json_object_array_get_idx(mounts, i));
	json_object *mirrors = get(r, "mirrors");
	for (size_t i = 0; i < json_object_array_length(mirrors); i++)
		fprintf(out, "  %-14s %s (a read-only tmpfs with the entries of the layer below, "
			     "for a missing mount point)\n",
			"mirror", json_object_get_string(json_object_array_get_idx(mirrors, i)));
	json_object *caps = get(r, "capabilities");
	json_object_object_foreach(caps, set, list)
	{
		char label[32];
		snprintf(label, sizeof(label), "caps %s", set);
		fprintf(out, "  %-14s ", label);
		print_list(out, list, "none");
		fputc('\n', out);
	}
	fprintf(out, "  %-14s %s\n", "no_new_privs",
		json_object_get_boolean(get(r, "no_new_privs")) ? "yes" : "NO (the config says false)");
	static const char *const lists[][2] = { { "masked_paths", "masked" },
						{ "readonly_paths", "read-only" },
						{ "sysctl", "sysctl" },
						{ "listen", "listen" },
						{ "hooks", "hooks" } };
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		if (!get(r, lists[i][0]))
			continue;
		fprintf(out, "  %-14s ", lists[i][1]);
		print_list(out, get(r, lists[i][0]), "none");
		fputc('\n', out);
	}
	fprintf(out, "  %-14s %s\n", "landlock", gets(get(r, "landlock"), "rules"));
	json_object *sc = get(r, "seccomp");
	if (strcmp(gets(sc, "profile"), "unconfined") == 0)
		fprintf(out, "  %-14s unconfined: no system call filter\n", "seccomp");
	else
		fprintf(out,
			"  %-14s %s (%s%s): %s rules on %s system calls, default %s, %s+%s BPF "
			"instructions, denials %s\n",
			"seccomp", gets(sc, "profile"), gets(sc, "path"),
			json_object_get_boolean(get(sc, "precompiled")) ? ", precompiled" : "",
			gets(sc, "rules"), gets(sc, "syscalls_named"), gets(sc, "default_action"),
			gets(sc, "bpf_instructions"), gets(sc, "overlay_instructions"),
			gets(sc, "denials"));
	fprintf(out, "  %-14s", "rlimits");
	json_object_object_foreach(get(r, "rlimits"), name, lim)
		fprintf(out, " %s=%s:%s", name, gets(lim, "soft"), gets(lim, "hard"));
	fprintf(out, "\n  %-14s", "cgroup");
	json_object_object_foreach(get(r, "cgroup"), key, val)
		fprintf(out, " %s=%s", key, json_object_get_string(val));
	fprintf(out, "\n  %-14s ", "environment");
	print_list(out, get(r, "environment"), "(empty)");
	fprintf(out, "\n  %-14s ", "secrets");
	print_list(out, get(r, "secrets"), "(none)");
	fprintf(out, "\n  %-14s %ss\n", "stop-timeout", gets(r, "stop_timeout"));
	if (get(r, "name"))
		fprintf(out, "  %-14s %s (husk ps, status, stop, kill, health, exec)\n", "name",
			gets(r, "name"));
	json_object *h = get(r, "health");
	if (strcmp(gets(h, "probe"), "none") == 0)
		fprintf(out, "  %-14s none\n", "health");
	else
		fprintf(out,
			"  %-14s %s every %sms, timeout %sms; unhealthy after %s failures in a row%s%s%s; "
			"then %s\n",
			"health", gets(h, "target"), gets(h, "interval_ms"), gets(h, "timeout_ms"),
			gets(h, "retries"),
			json_object_get_int64(get(h, "start_period_ms")) ? " (none counted in the first " : "",
			json_object_get_int64(get(h, "start_period_ms")) ? gets(h, "start_period_ms") : "",
			json_object_get_int64(get(h, "start_period_ms")) ? "ms until one passes)" : "",
			strcmp(gets(h, "on_unhealthy"), "none") == 0 ? "report it"
								      : gets(h, "on_unhealthy"));
	json_object *rs = get(r, "restart");
	if (strcmp(gets(rs, "policy"), "no") == 0)
		fprintf(out, "  %-14s no\n", "restart");
	else
		fprintf(out, "  %-14s %s%s%s, after %sms doubling up to %sms\n", "restart",
			gets(rs, "policy"), json_object_get_int64(get(rs, "max")) ? ":" : "",
			json_object_get_int64(get(rs, "max")) ? gets(rs, "max") : "", gets(rs, "delay_ms"),
			gets(rs, "max_delay_ms"));

	json_object *e = get(r, "exposure");
	json_object *fs = get(e, "findings");
	size_t n = json_object_array_length(fs), ok = 0;
	fprintf(out, "\nexposure %.1f %s\n", json_object_get_double(get(e, "score")),
		gets(e, "label"));
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(fs, i);
		int64_t bad = json_object_get_int64(get(f, "badness"));
		if (!bad) {
			ok++;
			continue;
		}
		fprintf(out, "  %-12s %s: %s\n", gets(f, "layer"), gets(f, "check"), gets(f, "detail"));
		fprintf(out, "  %-12s fix: %s\n", "", gets(f, "fix"));
	}
	fprintf(out, "  %zu of %zu checks found nothing\n", ok, n);
	json_object *w = get(r, "warnings");
	for (size_t i = 0; i < json_object_array_length(w); i++)
		fprintf(out, "warning: %s\n", json_object_get_string(json_object_array_get_idx(w, i)));
	json_object *errs = get(r, "errors");
	size_t ne = json_object_array_length(errs);
	if (ne)
		fprintf(out, "\nerrors: husk run would refuse this policy\n");
	for (size_t i = 0; i < ne; i++) {
		json_object *x = json_object_array_get_idx(errs, i);
		fprintf(out, "  %-12s %s\n", gets(x, "step"), gets(x, "detail"));
		if (*gets(x, "fix"))
			fprintf(out, "  %-12s fix: %s\n", "", gets(x, "fix"));
	}
}
