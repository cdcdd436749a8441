#include "policy/policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/caps.h"
#include "launch/landlock.h"
#include "seccomp/seccomp_json.h"

void policy_init(struct husk_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->stop_timeout = HUSK_DEFAULT_STOP_TIMEOUT;
	p->net = NET_NONE;
	p->userns = USERNS_PRIVATE;
	p->umask = -1;
	p->health.interval_ms = HEALTH_DEFAULT_INTERVAL_MS;
	p->health.timeout_ms = HEALTH_DEFAULT_TIMEOUT_MS;
	p->health.retries = HEALTH_DEFAULT_RETRIES;
	p->metrics_interval_ms = 15000;
	p->restart.delay_ms = RESTART_DEFAULT_DELAY_MS;
	p->restart.max_delay_ms = RESTART_DEFAULT_MAX_DELAY_MS;
}

static void mount_entry_free(struct mount_entry *m)
{
	free(m->src);
	free(m->dst);
	free(m->fs_source);
	free(m->data);
}

static void hooks_free(struct oci_hooks *h)
{
	for (int s = 0; s < HOOK_NSTAGES; s++) {
		for (size_t i = 0; i < h->n[s]; i++) {
			free(h->h[s][i].path);
			strv_free(&h->h[s][i].args);
			strv_free(&h->h[s][i].env);
		}
		free(h->h[s]);
	}
}

void policy_free(struct husk_policy *p)
{
	free(p->rootfs);
	for (size_t i = 0; i < p->n_mounts; i++)
		mount_entry_free(&p->mounts[i]);
	free(p->mounts);
	strv_free(&p->env_set);
	strv_free(&p->env_keep);
	strv_free(&p->env);
	strv_free(&p->argv);
	strv_free(&p->warnings);
	free(p->cwd);
	free(p->hostname);
	free(p->net_path);
	free(p->notify_socket);
	free(p->cgroup_parent);
	free(p->seccomp_name);
	free(p->seccomp_json);
	if (p->seccomp) {
		sc_profile_free(p->seccomp);
		free(p->seccomp);
	}
	sc_bpf_free(&p->seccomp_bpf);
	for (size_t i = 0; i < p->n_ns_joins; i++)
		free(p->ns_joins[i].path);
	strv_free(&p->masked_paths);
	strv_free(&p->readonly_paths);
	strv_free(&p->gate_relaxed);
	free(p->events);
	free(p->name);
	free(p->metrics);
	policy_wipe_secrets(p);
	for (size_t i = 0; i < p->n_secrets; i++) {
		free(p->secrets[i].from);
		if (p->secrets[i].stashed)
			close(p->secrets[i].stash);
	}
	strv_free(&p->health.cmd);
	p->n_secrets = 0;
	strv_free(&p->sysctls);
	free(p->oci_id);
	free(p->oci_bundle);
	free(p->oci_annotations);
	hooks_free(&p->hooks);
	memset(p, 0, sizeof(*p));
}

/* *out = m with its own copies of the strings. */
static int mount_entry_copy(struct mount_entry *out, const struct mount_entry *m)
{
	*out = *m;
	out->src = m->src ? strdup(m->src) : NULL;
	out->dst = strdup(m->dst);
	out->fs_source = m->fs_source ? strdup(m->fs_source) : NULL;
	out->data = m->data ? strdup(m->data) : NULL;
	if ((m->src && !out->src) || !out->dst || (m->fs_source && !out->fs_source) ||
	    (m->data && !out->data)) {
		mount_entry_free(out);
		return -ENOMEM;
	}
	return 0;
}

static int mounts_insert(struct husk_policy *p, size_t at, const struct mount_entry *m)
{
	struct mount_entry copy;
	if (mount_entry_copy(&copy, m) < 0)
		return -ENOMEM;
	struct mount_entry *nm = realloc(p->mounts, (p->n_mounts + 1) * sizeof(*nm));
	if (!nm) {
		mount_entry_free(&copy);
		return -ENOMEM;
	}
	p->mounts = nm;
	memmove(&nm[at + 1], &nm[at], (p->n_mounts - at) * sizeof(*nm));
	nm[at] = copy;
	p->n_mounts++;
	return 0;
}

/* A later mount at the same destination replaces the earlier one in its
 * place, so a flag overrides a profile (and a later profile an earlier
 * one). */
int policy_add_mount(struct husk_policy *p, const struct mount_entry *m)
{
	for (size_t i = 0; i < p->n_mounts; i++) {
		if (strcmp(p->mounts[i].dst, m->dst) != 0)
			continue;
		struct mount_entry n;
		if (mount_entry_copy(&n, m) < 0)
			return -ENOMEM;
		mount_entry_free(&p->mounts[i]);
		p->mounts[i] = n;
		return 0;
	}
	return mounts_insert(p, p->n_mounts, m);
}

int policy_append_mount(struct husk_policy *p, const struct mount_entry *m)
{
	return mounts_insert(p, p->n_mounts, m);
}

static size_t path_depth(const char *path)
{
	size_t n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* Parents before children (as Docker sorts), stable otherwise: a bind at
 * /data/cache given before a tmpfs at /data would otherwise be hidden by
 * it. Insertion sort: policies hold a handful of mounts. */
static void sort_mounts(struct husk_policy *p)
{
	for (size_t i = 1; i < p->n_mounts; i++) {
		struct mount_entry m = p->mounts[i];
		size_t d = path_depth(m.dst), j = i;
		for (; j > 0 && path_depth(p->mounts[j - 1].dst) > d; j--)
			p->mounts[j] = p->mounts[j - 1];
		p->mounts[j] = m;
	}
}

const struct mount_entry *policy_find_mount(const struct husk_policy *p, const char *dst)
{
	for (size_t i = 0; i < p->n_mounts; i++)
		if (strcmp(p->mounts[i].dst, dst) == 0)
			return &p->mounts[i];
	return NULL;
}

/* Index of "NAME=" in the vector, or -1. */
static ssize_t env_find(const struct strv *env, const char *name, size_t namelen)
{
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, namelen) == 0 && env->v[i][namelen] == '=')
			return (ssize_t)i;
	return -1;
}

/* Sets NAME=VALUE ("kv"), replacing an earlier value of the same name. */
static int env_put(struct strv *env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq)
		return -EINVAL;
	ssize_t i = env_find(env, kv, (size_t)(eq - kv));
	if (i >= 0) {
		char *dup = strdup(kv);
		if (!dup)
			return -ENOMEM;
		free(env->v[i]);
		env->v[i] = dup;
		return 0;
	}
	return strv_push(env, kv);
}

/* The service gets a clean environment: a safe PATH, HOME, then what the
 * caller named with --env-keep, then --env. Secrets in the caller's
 * environment never reach the service unless named. */
static int resolve_env(struct husk_policy *p, const struct caller *c)
{
	int r;
	strv_free(&p->env);
	if ((r = env_put(&p->env, "PATH=" HUSK_DEFAULT_PATH)) < 0)
		return r;
	if ((r = env_put(&p->env, "HOME=/")) < 0)
		return r;
	for (size_t k = 0; k < p->env_keep.n; k++) {
		const char *name = p->env_keep.v[k];
		size_t len = strlen(name);
		for (char *const *e = c->environ; e && *e; e++) {
			if (strncmp(*e, name, len) == 0 && (*e)[len] == '=') {
				if ((r = env_put(&p->env, *e)) < 0)
					return r;
				break;
			}
		}
	}
	for (size_t k = 0; k < p->env_set.n; k++)
		if ((r = env_put(&p->env, p->env_set.v[k])) < 0)
			return r;
	/* The systemd protocol for --listen's sockets; LISTEN_PID is the
	 * service's own pid, set just before its exec (service.c). */
	if (p->n_listens) {
		char kv[1200];
		int n = snprintf(kv, sizeof(kv), "LISTEN_FDS=%zu", p->n_listens);
		if ((r = env_put(&p->env, kv)) < 0)
			return r;
		n = snprintf(kv, sizeof(kv), "LISTEN_FDNAMES=");
		for (size_t i = 0; i < p->n_listens && n > 0 && (size_t)n < sizeof(kv); i++)
			n += snprintf(kv + n, sizeof(kv) - (size_t)n, "%s%s", i ? ":" : "",
				      p->listens[i].name);
		if ((r = env_put(&p->env, kv)) < 0)
			return r;
	}
	return 0;
}

/* Sockets husk was started with (systemd's LISTEN_FDS for husk's pid) go
 * first, then --listen's, as a .socket unit's would. */
static int inherited_listens(struct husk_policy *p, const struct caller *c, char *err,
			     size_t errlen)
{
	if (!c->listen_fds)
		return 0;
	if (c->listen_fds + p->n_listens > HUSK_MAX_LISTEN)
		return errf(err, errlen, -E2BIG, "--listen: more than %d sockets with the %zu passed "
						 "to husk", HUSK_MAX_LISTEN, c->listen_fds);
	memmove(&p->listens[c->listen_fds], &p->listens[0], p->n_listens * sizeof(p->listens[0]));
	const char *names = c->listen_names ? c->listen_names : "";
	for (size_t i = 0; i < c->listen_fds; i++) {
		struct listen_spec *l = &p->listens[i];
		*l = (struct listen_spec){ .inherited = 3 + (int)i };
		size_t len = strcspn(names, ":");
		snprintf(l->name, sizeof(l->name), "%.*s", (int)len, *names ? names : "unknown");
		if (!len)
			snprintf(l->name, sizeof(l->name), "unknown");
		names += len + (names[len] == ':');
	}
	p->n_listens += c->listen_fds;
	return 0;
}

/* Network capabilities only act on the network namespace's owner user
 * namespace. With --net host the owner is the caller's, so inside our user
 * namespace they would silently do nothing; refuse rather than pretend. */
#define NET_CAPS                                                                                   \
	((1ull << CAP_NET_BIND_SERVICE) | (1ull << CAP_NET_ADMIN) | (1ull << CAP_NET_RAW) |        \
	 (1ull << CAP_NET_BROADCAST))

static bool dst_is_reserved(const char *dst)
{
	return strcmp(dst, "/") == 0 || strcmp(dst, "/proc") == 0 || str_has_prefix(dst, "/proc/") ||
	       strcmp(dst, "/dev") == 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Defaults unless set: no core dumps (they can hold secrets), a bounded
 * nofile (the caller's lower value wins), no realtime priority. */
static int resolve_rlimits(struct husk_policy *p, const struct caller *c, char *err, size_t errlen)
{
	struct husk_rlimit *rl = p->rlimits;
	if (!rl[RLIMIT_CORE].set)
		rl[RLIMIT_CORE] = (struct husk_rlimit){ .set = true, .soft = 0, .hard = 0 };
	if (!rl[RLIMIT_RTPRIO].set)
		rl[RLIMIT_RTPRIO] = (struct husk_rlimit){ .set = true, .soft = 0, .hard = 0 };
	if (!rl[RLIMIT_NOFILE].set) {
		uint64_t soft = HUSK_DEFAULT_NOFILE_SOFT, hard = HUSK_DEFAULT_NOFILE_HARD;
		if (c->limits_known) {
			hard = min_u64(hard, c->limits[RLIMIT_NOFILE].rlim_max);
			soft = min_u64(soft, hard);
		}
		rl[RLIMIT_NOFILE] = (struct husk_rlimit){ .set = true, .soft = soft, .hard = hard };
	}
	if (!c->limits_known || c->uid == 0)
		return 0;
	for (int r = 0; r < HUSK_RLIMIT_COUNT; r++) {
		uint64_t have = c->limits[r].rlim_max;
		if (rl[r].set && rl[r].hard > have) {
			char h[32], m[32];
			snprintf(h, sizeof(h), rl[r].hard == RLIM_INFINITY ? "unlimited" : "%llu",
				 (unsigned long long)rl[r].hard);
			snprintf(m, sizeof(m), have == RLIM_INFINITY ? "unlimited" : "%llu",
				 (unsigned long long)have);
			return errf(err, errlen, -EPERM,
				    "--rlimit %s: hard limit %s is above yours (%s); only root can "
				    "raise it, so ask for %s or less",
				    rlimit_name(r), h, m, m);
		}
	}
	return 0;
}

/* Go sizes its heap and thread pool from the machine, not the cgroup (before
 * Go 1.25 for CPUs; GOMEMLIMIT never): tell it the limits, unless the
 * caller set the variables itself or opted out. */
static int go_env(struct husk_policy *p, const struct caller *c)
{
	char kv[64];
	const struct cg_limits *l = &p->cgroup;
	int r = 0;
	/* husk's own limits first; else those of the cgroup husk runs in (a
	 * container's --cpus and --memory), which bind the service as well.
	 * Only husk's are marked derived: --cgroup auto takes back only those. */
	uint64_t quota = l->cpu_quota_us, period = l->cpu_period_us;
	if (!quota && c->own_cpu_quota_us) {
		quota = c->own_cpu_quota_us;
		period = c->own_cpu_period_us;
		if (c->ncpus && quota > (uint64_t)c->ncpus * (period ? period : 100000))
			quota = (uint64_t)c->ncpus * (period ? period : 100000);
	}
	if (quota && env_find(&p->env, "GOMAXPROCS", 10) < 0) {
		if (!period)
			period = 100000;
		uint64_t procs = (quota + period - 1) / period;
		snprintf(kv, sizeof(kv), "GOMAXPROCS=%llu", (unsigned long long)(procs ? procs : 1));
		r = env_put(&p->env, kv);
		p->go_env_derived |= r == 0 && l->cpu_quota_us ? GO_ENV_MAXPROCS : 0;
	}
	uint64_t mem = l->memory_max ? l->memory_max : c->own_memory_max;
	if (r == 0 && mem && env_find(&p->env, "GOMEMLIMIT", 10) < 0) {
		snprintf(kv, sizeof(kv), "GOMEMLIMIT=%llu", (unsigned long long)(mem / 10 * 9));
		r = env_put(&p->env, kv);
		p->go_env_derived |= r == 0 && l->memory_max ? GO_ENV_MEMLIMIT : 0;
	}
	return r;
}

static void env_remove(struct strv *env, const char *name)
{
	ssize_t i = env_find(env, name, strlen(name));
	if (i < 0)
		return;
	free(env->v[i]);
	memmove(&env->v[i], &env->v[i + 1], (env->n - (size_t)i) * sizeof(env->v[0]));
	env->n--;
}

void policy_limits_in_force(struct husk_policy *p, const struct cg_degraded *d)
{
	for (int k = 0; k < CGK_N; k++) {
		if (!(d->dropped & (1u << k)))
			continue;
		/* The swap cap goes with the memory limit: one warning. */
		if (k == CGK_MEMORY_SWAP && (d->dropped & (1u << CGK_MEMORY)) &&
		    !p->cgroup.memory_swap_set)
			continue;
		char w[700];
		snprintf(w, sizeof(w), "cgroup: %s is not in force: %s; --cgroup auto goes on without it",
			 cg_knob_option((enum cg_knob)k), d->why[k]);
		strv_push(&p->warnings, w);
	}
	cg_limits_drop(&p->cgroup, d->dropped);
	/* Only from limits in force: a GOMEMLIMIT without the memory limit
	 * would make Go collect for a limit nobody enforces. */
	if ((p->go_env_derived & GO_ENV_MAXPROCS) && !p->cgroup.cpu_quota_us) {
		env_remove(&p->env, "GOMAXPROCS");
		p->go_env_derived &= ~GO_ENV_MAXPROCS;
	}
	if ((p->go_env_derived & GO_ENV_MEMLIMIT) && !p->cgroup.memory_max) {
		env_remove(&p->env, "GOMEMLIMIT");
		p->go_env_derived &= ~GO_ENV_MEMLIMIT;
	}
}

/* --cpus above the CPUs husk may use gives no more CPU time, and the
 * GOMAXPROCS derived from it would make Go run that many threads on
 * fewer CPUs: the quota is clamped, with a warning, as Docker refuses
 * (--cpus above the host's count is an error there; husk runs on). */
static void clamp_cpus(struct husk_policy *p, const struct caller *c)
{
	struct cg_limits *l = &p->cgroup;
	uint64_t period = l->cpu_period_us ? l->cpu_period_us : 100000;
	if (!c->ncpus || !l->cpu_quota_us || l->cpu_quota_us <= (uint64_t)c->ncpus * period)
		return;
	char w[256];
	snprintf(w, sizeof(w),
		 "--cpus %.2f is more than the %u CPUs husk may use here; the limit is %u",
		 (double)l->cpu_quota_us / (double)period, c->ncpus, c->ncpus);
	strv_push(&p->warnings, w);
	l->cpu_quota_us = (uint64_t)c->ncpus * period;
}

static int resolve_cgroup(struct husk_policy *p, const struct caller *c, char *err, size_t errlen)
{
	bool limited = cg_needed(&p->cgroup) != 0;
	if (!p->cgroup_mode_set)
		p->cgroup_mode = limited ? CGROUP_REQUIRED : CGROUP_OFF;
	if (limited && p->cgroup_mode == CGROUP_OFF)
		return errf(err, errlen, -EINVAL,
			    "--cgroup off with a memory, pids, cpu or io limit: the limits need a "
			    "cgroup; drop --cgroup off or the limits");
	if (p->cgroup.memory_high && p->cgroup.memory_max && p->cgroup.memory_high > p->cgroup.memory_max)
		return errf(err, errlen, -EINVAL, "--memory-high is above --memory");
	if (p->cgroup.memory_swap_set && !p->cgroup.memory_max)
		return errf(err, errlen, -EINVAL, "--memory-swap needs --memory");
	clamp_cpus(p, c);
	if (!p->no_go_env && go_env(p, c) < 0)
		return errf(err, errlen, -ENOMEM, "environment: out of memory");
	return 0;
}

/* range's START + id (the fixed range where the caller has none), or an
 * error that names the range. */
static int id_in_range(const struct id_range *range, const char *what, uint32_t id, uint32_t *out,
		       char *err, size_t errlen)
{
	struct id_range r = range->count ? *range
					 : (struct id_range){ HUSK_ROOT_RANGE_START, HUSK_ROOT_RANGE_COUNT };
	if (id >= r.count)
		return errf(err, errlen, -ERANGE,
			    "--user: %s %u is outside the %u host ids that root-started husk maps "
			    "services into (from %u, %s); use a %s below %u, or name the host ids "
			    "with --host-user",
			    what, id, r.count, r.start,
			    range->count ? "the " HUSK_SUBID_USER " entry of /etc/subuid and /etc/subgid"
					 : "husk's fixed range",
			    what, r.count);
	*out = r.start + id;
	return 0;
}

/* Which host ids the service's ids land on. A normal user can only map its
 * own. Root maps them into an unprivileged range, never onto themselves:
 * "--user 0:0" onto host root would let the service create setuid-root
 * files through a bind. --host-user names the host ids instead (any but 0:
 * acting as host root is --userns host, said out loud). */
static bool map_lookup(const struct id_mapping *m, size_t n, uint32_t id, uint32_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].inside && id - m[i].inside < m[i].count) {
			*out = m[i].outside + (id - m[i].inside);
			return true;
		}
	return false;
}

/* An OCI config's uidMappings and gidMappings: a normal user can map only
 * its own ids, one each (more would need newuidmap, a setuid helper husk
 * does without); root any range but one holding host root, for the reason
 * resolve_host_ids gives. */
static int resolve_config_maps(struct husk_policy *p, const struct caller *c, char *err,
			       size_t errlen)
{
	for (int g = 0; g < 2; g++) {
		const struct id_mapping *m = g ? p->gid_maps : p->uid_maps;
		size_t n = g ? p->n_gid_maps : p->n_uid_maps;
		const char *what = g ? "linux.gidMappings" : "linux.uidMappings";
		uint32_t own = g ? (uint32_t)c->gid : (uint32_t)c->uid;
		if (n == 0)
			return errf(err, errlen, -EINVAL,
				    "%s: missing; a config with a user namespace maps both uids and "
				    "gids",
				    what);
		if (c->uid != 0 && (n != 1 || m[0].count != 1 || m[0].outside != own))
			return errf(err, errlen, -EPERM,
				    "%s: a normal user can map only its own %s (%u), one id; write "
				    "[{\"containerID\": N, \"hostID\": %u, \"size\": 1}]",
				    what, g ? "gid" : "uid", own, own);
		for (size_t i = 0; i < n; i++)
			if (m[i].outside == 0 && c->uid == 0)
				return errf(err, errlen, -EPERM,
					    "%s[%zu]: maps host id 0: the service could then make "
					    "host-root files through a bind; map it to unprivileged ids, "
					    "or leave the user namespace out to run as host root",
					    what, i);
		uint32_t id = g ? p->gid : p->uid, out;
		if (!map_lookup(m, n, id, &out))
			return errf(err, errlen, -ERANGE,
				    "process.user.%s %u is not mapped by %s; map it, or run as a "
				    "mapped id",
				    g ? "gid" : "uid", id, what);
		if (g)
			p->host_gid = out;
		else
			p->host_uid = out;
	}
	p->host_ids_from = c->uid == 0 ? HOST_IDS_EXPLICIT : HOST_IDS_CALLER;
	return 0;
}

static int resolve_host_ids(struct husk_policy *p, const struct caller *c, char *err,
			    size_t errlen)
{
	if (p->userns == USERNS_PRIVATE && (p->n_uid_maps || p->n_gid_maps))
		return resolve_config_maps(p, c, err, errlen);
	if (p->host_user_set && c->uid != 0)
		return errf(err, errlen, -EPERM,
			    "--host-user: only root can choose host ids; a normal user's service "
			    "always runs as its own ids on the host");
	if (p->host_user_set && p->userns == USERNS_HOST)
		return errf(err, errlen, -EINVAL,
			    "--host-user with --userns host: without a user namespace the service's "
			    "ids are host ids; give them with --user");
	if (p->userns == USERNS_HOST) {
		p->host_uid = p->uid;
		p->host_gid = p->gid;
		p->host_ids_from = HOST_IDS_SAME;
		return 0;
	}
	if (c->uid != 0) {
		p->host_uid = (uint32_t)c->uid;
		p->host_gid = (uint32_t)c->gid;
		p->host_ids_from = HOST_IDS_CALLER;
		return 0;
	}
	if (p->host_user_set) {
		p->host_ids_from = HOST_IDS_EXPLICIT;
		return 0;
	}
	int r = id_in_range(&c->root_uids, "uid", p->uid, &p->host_uid, err, errlen);
	if (r == 0)
		r = id_in_range(&c->root_gids, "gid", p->gid, &p->host_gid, err, errlen);
	p->host_ids_from = c->root_uids.count ? HOST_IDS_SUBID : HOST_IDS_RANGE;
	return r;
}

int policy_in_place(struct husk_policy *p, char *err, size_t errlen)
{
	if (p->learn)
		return errf(err, errlen, -EINVAL,
			    "seccomp learn: the calls are handed over by the sandbox's init, and in "
			    "place there is none; allow namespaces while learning");
	if (p->n_secrets)
		return errf(err, errlen, -EINVAL,
			    "--secret: in place husk mounts nothing, so there is no %s of the "
			    "service's own to put them in; allow namespaces",
			    HUSK_SECRETS_DIR);
	if (p->n_publish)
		return errf(err, errlen, -EINVAL,
			    "--publish: in place the service shares the container's network, so "
			    "its port is there already; publish it with the engine (docker -p)");
	/* An OCI config's hooks, joined namespaces and sysctls are defined on
	 * the sandbox's namespaces: in place there are none to honour them. */
	for (int s = 0; s < HOOK_NSTAGES; s++)
		if (p->hooks.n[s])
			return errf(err, errlen, -EINVAL,
				    "hooks: in place there is no container for them to run around; "
				    "allow namespaces, or drop the hooks");
	if (p->n_ns_joins || p->sysctls.n)
		return errf(err, errlen, -EINVAL,
			    "%s: in place there are no namespaces of the sandbox's own",
			    p->n_ns_joins ? "linux.namespaces[].path" : "linux.sysctl");
	if (p->rootfs && strcmp(p->rootfs, "/") != 0)
		return errf(err, errlen, -EINVAL,
			    "--rootfs %s: in place husk mounts nothing, so the root is the one husk "
			    "runs in; drop --rootfs (or give --rootfs /), or allow namespaces",
			    p->rootfs);
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct mount_entry *m = &p->mounts[i];
		if (m->kind == MOUNT_BIND && strcmp(m->src, m->dst) != 0)
			return errf(err, errlen, -EINVAL,
				    "--%s %s:%s: in place husk mounts nothing; make %s a volume of "
				    "the container and give --%s %s",
				    m->readonly ? "ro-bind" : "bind", m->src, m->dst, m->dst,
				    m->readonly ? "ro-bind" : "bind", m->dst);
	}
	if (p->host_user_set)
		return errf(err, errlen, -EINVAL,
			    "--host-user: in place there is no user namespace to map ids in; the "
			    "service runs as --user on this system");
	if (!p->rootfs && !(p->rootfs = strdup("/")))
		return errf(err, errlen, -ENOMEM, "out of memory");
	p->in_place = true;
	/* The service is husk's own child there, without the sandbox's init
	 * to hand the listener over: denials are answered in the kernel. */
	p->seccomp_report = false;
	/* Nor a /dev of the sandbox's for the sd_notify relay: the service
	 * gets systemd's own socket, which takes it only with NotifyAccess=all
	 * (it is not the unit's main process). */
	if (p->notify_socket) {
		char kv[4200];
		snprintf(kv, sizeof(kv), "NOTIFY_SOCKET=%s", p->notify_socket);
		env_put(&p->env, kv);
		free(p->notify_socket);
		p->notify_socket = NULL;
		strv_push(&p->warnings, "in place: NOTIFY_SOCKET is systemd's own: set "
					"NotifyAccess=all in the unit");
	}
	p->host_uid = p->uid;
	p->host_gid = p->gid;
	p->host_ids_from = HOST_IDS_SAME;
	/* One line per layer that is not in force, said by run at start and
	 * listed by check, as the issue of entrypoint mode asks. */
	static const char *const missing[] = {
		"no user namespace: the service's ids are this system's",
		"no mount namespace: /proc, /dev and /tmp are the container's own",
		"no pid namespace: the service sees the processes around it",
		"no ipc, uts or cgroup namespace: shared with what husk runs in",
	};
	char w[256];
	for (size_t i = 0; i < ARRAY_SIZE(missing); i++) {
		snprintf(w, sizeof(w), "in place: %s", missing[i]);
		strv_push(&p->warnings, w);
	}
	if (p->net == NET_NONE)
		strv_push(&p->warnings, "in place: no network namespace: the service has the "
					"network husk runs in (use --allow-tcp-bind and "
					"--allow-tcp-connect to narrow it)");
	bool ll = p->landlock != LANDLOCK_OFF && p->landlock_abi > 0;
	if (!ll)
		strv_push(&p->warnings, p->landlock == LANDLOCK_OFF
						? "in place: --landlock off: the root is as writable as "
						  "husk found it"
						: "in place: this kernel has no Landlock: the root is as "
						  "writable as husk found it");
	return 0;
}

/* devpts's gid= names a group of the sandbox's user namespace (tty's, 5,
 * in generated configs); one the maps leave out makes the mount fail. As
 * runc does for rootless containers, it is left out, and said. */
static void devpts_unmapped_gid(struct husk_policy *p)
{
	if (p->userns != USERNS_PRIVATE)
		return;
	for (size_t i = 0; i < p->n_mounts; i++) {
		struct mount_entry *m = &p->mounts[i];
		char *g = m->kind == MOUNT_DEVPTS && m->data ? strstr(m->data, "gid=") : NULL;
		if (!g || (g != m->data && g[-1] != ','))
			continue;
		uint32_t gid, out;
		char num[16];
		size_t len = strcspn(g + 4, ",");
		snprintf(num, sizeof(num), "%.*s", (int)(len < 15 ? len : 15), g + 4);
		if (parse_u32(num, &gid) < 0)
			continue;
		bool mapped = p->n_gid_maps ? map_lookup(p->gid_maps, p->n_gid_maps, gid, &out)
					    : gid == p->gid;
		if (mapped)
			continue;
		char w[256];
		snprintf(w, sizeof(w),
			 "mounts: devpts on %s: gid=%u is not mapped in the user namespace; the "
			 "ptys get the service's group instead",
			 m->dst, gid);
		strv_push(&p->warnings, w);
		char *end = g + 4 + len;
		if (*end == ',')
			end++;
		else if (g != m->data)
			g--; /* the comma before it */
		memmove(g, end, strlen(end) + 1);
	}
}

/* An OCI config's capability sets after --cap-add and --cap-drop, and the
 * kernel's rule that ambient lies in permitted and inheritable: an
 * ambient cap outside them cannot be raised (runc leaves it unraised
 * without a word; husk says so). */
static int resolve_cap_sets(struct husk_policy *p, const struct caller *c, char *err,
			    size_t errlen)
{
	if (!p->cap_sets_set)
		return 0;
	struct cap_sets_policy *s = &p->cap_sets;
	uint64_t added = p->cap_add & ~p->cap_sets_base, dropped = p->cap_sets_base & ~p->cap_add;
	s->bnd = (s->bnd | added) & ~dropped;
	s->prm = (s->prm | added) & ~dropped;
	s->eff = (s->eff | added) & ~dropped;
	s->inh &= ~dropped;
	s->amb = (s->amb | (p->uid != 0 ? added : 0)) & ~dropped;
	if (p->uid != 0 && added)
		s->inh |= added;
	uint64_t lost = s->amb & ~(s->prm & s->inh);
	if (lost) {
		char w[1024], name[32];
		size_t n = (size_t)snprintf(w, sizeof(w), "process.capabilities.ambient:");
		for (int cap = 0; cap < 64 && n < sizeof(w); cap++)
			if (lost & (1ull << cap))
				n += (size_t)snprintf(w + n, sizeof(w) - n, " %s",
						      caps_to_name(cap, name, sizeof(name)));
		if (n < sizeof(w))
			snprintf(w + n, sizeof(w) - n,
				 " not raised: an ambient capability must also be permitted and "
				 "inheritable (capabilities(7)); add it to both sets");
		strv_push(&p->warnings, w);
		s->amb &= ~lost;
	}
	if (s->eff & ~s->prm)
		return errf(err, errlen, -EINVAL,
			    "process.capabilities.effective: holds capabilities that are not "
			    "permitted; the kernel refuses that, add them to permitted");
	if (p->n_groups && c->uid != 0)
		return errf(err, errlen, -EPERM,
			    "process.user.additionalGids: a normal user's user namespace cannot set "
			    "groups (setgroups is denied there, CVE-2014-8989); drop them, or start "
			    "husk as root");
	(void)errlen;
	return 0;
}

void policy_wipe_secrets(struct husk_policy *p)
{
	for (size_t i = 0; i < p->n_secrets; i++) {
		struct secret_spec *s = &p->secrets[i];
		if (s->value) {
			explicit_bzero(s->value, s->len);
			free(s->value);
		}
		s->value = NULL;
		s->len = 0;
	}
}

bool policy_restarts(const struct husk_policy *p)
{
	return p->restart.mode != RESTART_NO ||
	       (p->health.kind != HEALTH_NONE && p->health.on_unhealthy == ON_UNHEALTHY_RESTART);
}

int policy_stash_secrets(struct husk_policy *p)
{
	for (size_t i = 0; i < p->n_secrets; i++) {
		struct secret_spec *s = &p->secrets[i];
		if (s->stashed)
			continue;
		int fd = memfd_create("husk-secret", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd < 0)
			return -errno;
		size_t off = 0;
		while (off < s->len) {
			ssize_t n = write(fd, s->value + off, s->len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				int e = n < 0 ? -errno : -EIO;
				close(fd);
				return e;
			}
			off += (size_t)n;
		}
		/* Sealed: what the next sandbox reads is what was read. */
		if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		s->stash = fd;
		s->stashed = true;
	}
	return 0;
}

int policy_unstash_secrets(struct husk_policy *p)
{
	for (size_t i = 0; i < p->n_secrets; i++) {
		struct secret_spec *s = &p->secrets[i];
		if (!s->stashed || s->value)
			continue;
		struct stat st;
		if (fstat(s->stash, &st) < 0)
			return -errno;
		s->len = (size_t)st.st_size;
		s->value = xcalloc(1, s->len + 1);
		for (size_t off = 0; off < s->len;) {
			ssize_t n = pread(s->stash, s->value + off, s->len - off, (off_t)off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return n < 0 ? -errno : -EIO;
			off += (size_t)n;
		}
	}
	return 0;
}

void policy_close_secret_stash(const struct husk_policy *p)
{
	for (size_t i = 0; i < p->n_secrets; i++)
		if (p->secrets[i].stashed)
			close(p->secrets[i].stash);
}

/* Up to HUSK_SECRET_MAX bytes from fd, all of it or an error. */
static int read_secret_fd(int fd, struct secret_spec *s, char *err, size_t errlen)
{
	size_t cap = 4096;
	s->value = xcalloc(1, cap);
	s->len = 0;
	for (;;) {
		if (s->len == cap) {
			if (cap >= HUSK_SECRET_MAX + 1)
				return errf(err, errlen, -EFBIG, "--secret %s: larger than %u bytes", s->name,
					    HUSK_SECRET_MAX);
			/* Grown by copying, so no stale copy is left behind
			 * by realloc. */
			char *bigger = xcalloc(1, cap * 2);
			memcpy(bigger, s->value, s->len);
			explicit_bzero(s->value, s->len);
			free(s->value);
			s->value = bigger;
			cap *= 2;
		}
		ssize_t n = read(fd, s->value + s->len, cap - s->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errf(err, errlen, -errno, "--secret %s=%s: read: %s", s->name, s->from,
				    strerror(errno));
		if (n == 0)
			break;
		s->len += (size_t)n;
	}
	if (s->len > HUSK_SECRET_MAX)
		return errf(err, errlen, -EFBIG, "--secret %s: larger than %u bytes", s->name,
			    HUSK_SECRET_MAX);
	return 0;
}

/* The values, read as the caller (whose paths are trusted, as its policy
 * is): a file, an inherited fd (read to its end, then closed), or a
 * variable of husk's environment (which then reaches the service under no
 * name, --env-keep or not). */
static int read_secrets(struct husk_policy *p, const struct caller *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->n_secrets; i++) {
		struct secret_spec *s = &p->secrets[i];
		int r;
		if (str_has_prefix(s->from, "env:")) {
			const char *var = s->from + 4;
			size_t vl = strlen(var);
			const char *val = NULL;
			for (char *const *e = c->environ; e && *e && !val; e++)
				if (strncmp(*e, var, vl) == 0 && (*e)[vl] == '=')
					val = *e + vl + 1;
			if (!val)
				return errf(err, errlen, -ENOENT,
					    "--secret %s=%s: %s is not set in husk's environment", s->name,
					    s->from, var);
			s->len = strlen(val);
			if (s->len > HUSK_SECRET_MAX)
				return errf(err, errlen, -EFBIG, "--secret %s: larger than %u bytes",
					    s->name, HUSK_SECRET_MAX);
			s->value = xcalloc(1, s->len + 1);
			memcpy(s->value, val, s->len);
			ssize_t k;
			while ((k = env_find(&p->env, var, vl)) >= 0) {
				free(p->env.v[k]);
				memmove(p->env.v + k, p->env.v + k + 1,
					(p->env.n - (size_t)k) * sizeof(char *));
				p->env.n--;
			}
			continue;
		}
		int fd;
		bool own = false;
		if (str_has_prefix(s->from, "fd:")) {
			uint32_t n;
			if (parse_u32(s->from + 3, &n) < 0 || n < 3 || n > INT32_MAX)
				return errf(err, errlen, -EINVAL,
					    "--secret %s=%s: expected fd:N with N an open descriptor above 2",
					    s->name, s->from);
			fd = (int)n;
		} else {
			fd = open(s->from, O_RDONLY | O_CLOEXEC | O_NOCTTY);
			own = true;
			if (fd < 0)
				return errf(err, errlen, -errno, "--secret %s=%s: %s", s->name, s->from,
					    strerror(errno));
		}
		struct stat st;
		if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
			int e = errno;
			if (own)
				close(fd);
			return errf(err, errlen, -EINVAL, "--secret %s=%s: %s", s->name, s->from,
				    S_ISDIR(st.st_mode) ? "a directory, not a file" : strerror(e));
		}
		r = read_secret_fd(fd, s, err, errlen);
		/* An inherited fd was handed over for this; the service never
		 * gets it either way (fds above 2 are closed). */
		close(fd);
		if (r < 0)
			return r;
	}
	return 0;
}

int policy_finalize(struct husk_policy *p, const struct caller *c, char *err, size_t errlen)
{
	int r;

	if (p->finalized)
		return 0;
	if (p->argv.n == 0 && !c->report_only)
		return errf(err, errlen, -EINVAL,
			    "no program given: use husk run [OPTIONS] -- PROGRAM [ARG...]");

	if (p->userns == USERNS_HOST && c->uid != 0 && p->oci_bundle)
		return errf(err, errlen, -EPERM,
			    "linux.namespaces: no user namespace, so the service would run with "
			    "host ids, which only root can give; add {\"type\": \"user\"} and "
			    "uidMappings/gidMappings of your own ids");
	if (p->userns == USERNS_HOST && c->uid != 0)
		return errf(err, errlen, -EPERM,
			    "--userns host: only root can run without a user namespace; "
			    "drop the option to get one");

	if (!p->user_set) {
		p->uid = c->uid == 0 ? HUSK_DEFAULT_UID_ROOT : (uint32_t)c->uid;
		p->gid = c->uid == 0 ? HUSK_DEFAULT_UID_ROOT : (uint32_t)c->gid;
	}
	if (p->namespaces != NS_NONE && (r = resolve_host_ids(p, c, err, errlen)) < 0)
		return r;
	if (p->namespaces == NS_NONE && c->uid != 0 && (p->uid != c->uid || p->gid != c->gid))
		return errf(err, errlen, -EPERM,
			    "--user %u:%u: in place a husk that is not root can only run the "
			    "service as its own ids (%u:%u); drop --user",
			    (unsigned)p->uid, (unsigned)p->gid, (unsigned)c->uid, (unsigned)c->gid);
	p->landlock_abi = c->landlock_abi;

	if ((r = resolve_cap_sets(p, c, err, errlen)) < 0)
		return r;
	devpts_unmapped_gid(p);
	/* An OCI config asked for it (runc spec --rootless keeps
	 * NET_BIND_SERVICE without a network namespace): said, not refused. */
	if (p->n_publish && p->net != NET_NONE)
		return errf(err, errlen, -EINVAL,
			    "--publish: the service shares a network with the host here, so its "
			    "port is there already; --publish goes with --net none");
	if (p->net == NET_VETH && (c->uid != 0 || p->namespaces != NS_REQUIRED))
		return errf(err, errlen, -EPERM,
			    "--net veth: %s; as a normal user, reach the service with --listen or "
			    "--publish",
			    c->uid != 0 ? "making interfaces in the host's network needs root-started "
					  "husk"
					: "in place there is no network namespace of the service's own");
	if (p->net == NET_VETH) {
		/* Left out: a /30 of 10.250.0.0/16 picked by husk's pid (the host's
		 * end .1, the sandbox .2, the route through the host's end). */
		struct veth_spec *v = &p->veth;
		uint32_t off = ((uint32_t)c->pid % 16384u) * 4u;
		if (!v->addr_set) {
			v->addr = htonl(0x0afa0000u + off + 2);
			v->prefix = 30;
		}
		uint32_t mask = htonl(~0u << (32 - v->prefix));
		if (!v->host_set && !v->bridge[0])
			v->host_addr = v->addr_set ? (v->addr & mask) | htonl(1) : htonl(0x0afa0000u + off + 1);
		if (!v->gw_set && !v->bridge[0])
			v->gw = v->host_addr;
		if (v->host_addr == v->addr && !v->bridge[0])
			return errf(err, errlen, -EINVAL, "--net veth: the host's end and the sandbox "
							  "have the same address; give host=");
		snprintf(v->host_if, sizeof(v->host_if), "husk%d", (int)(c->pid % 10000000));
	}
	if (p->net == NET_JOIN && c->uid != 0)
		return errf(err, errlen, -EPERM,
			    "--net ns:%s: joining a network namespace needs root-started husk "
			    "(setns needs CAP_SYS_ADMIN over the namespace's owner); as a normal "
			    "user, reach the service with --listen",
			    p->net_path);
	if (p->net == NET_JOIN && p->namespaces != NS_REQUIRED)
		return errf(err, errlen, -EINVAL,
			    "--net ns:%s: in place there is no namespace of the service's own to "
			    "join with; drop --namespaces",
			    p->net_path);
	if (p->net == NET_HOST && p->userns == USERNS_PRIVATE && p->namespaces != NS_NONE &&
	    (p->cap_add & NET_CAPS) && p->oci_bundle)
		strv_push(&p->warnings, "process.capabilities: a network capability without a "
					"network namespace acts only in husk's user namespace, not "
					"on the host network");
	else if (p->net != NET_NONE && p->userns == USERNS_PRIVATE && p->namespaces != NS_NONE &&
	    (p->cap_add & NET_CAPS))
		return errf(err, errlen, -EINVAL,
			    "--cap-add of a network capability with --net host: capabilities in "
			    "husk's user namespace do not reach the host network; use --net none, "
			    "or start husk as root with --userns host");

	/* An OCI config's mounts are all there is, in its order (the spec
	 * says so); husk's defaults are for its own front ends. */
	for (size_t i = 0; i < p->n_mounts && !p->oci_bundle; i++) {
		const struct mount_entry *m = &p->mounts[i];
		if (dst_is_reserved(m->dst))
			return errf(err, errlen, -EINVAL,
				    "mount destination %s: husk sets up /, /proc and /dev itself; "
				    "choose another destination",
				    m->dst);
	}

	/* Default mounts go first so that user mounts can land below them
	 * (a bind under /tmp lands on husk's tmpfs, not on the rootfs). */
	size_t at = 0;
	if (p->oci_bundle)
		goto mounts_done;
	struct mount_entry proc = { .kind = MOUNT_PROC, .dst = "/proc" };
	struct mount_entry dev = { .kind = MOUNT_DEV, .dst = "/dev" };
	if ((r = mounts_insert(p, at++, &proc)) < 0 || (r = mounts_insert(p, at++, &dev)) < 0)
		return errf(err, errlen, r, "out of memory");
	if (!policy_find_mount(p, "/tmp")) {
		struct mount_entry tmp = { .kind = MOUNT_TMPFS,
					   .dst = "/tmp",
					   .size = HUSK_DEFAULT_TMPFS_SIZE,
					   .nr_inodes = HUSK_DEFAULT_TMPFS_INODES,
					   .mode = HUSK_DEFAULT_TMPFS_MODE };
		if ((r = mounts_insert(p, at++, &tmp)) < 0)
			return errf(err, errlen, r, "out of memory");
	}

	sort_mounts(p);
mounts_done:

	if (!p->cwd)
		p->cwd = strdup("/");
	/* A shared uts namespace keeps the host's name: setting one would
	 * rename the host. */
	if (p->hostname && (p->ns_shared & CLONE_NEWUTS))
		return errf(err, errlen, -EINVAL,
			    "hostname: setting it needs a uts namespace of its own; add "
			    "{\"type\": \"uts\"} to linux.namespaces or drop hostname");
	if (!p->hostname && !(p->ns_shared & CLONE_NEWUTS))
		p->hostname = strdup(HUSK_DEFAULT_HOSTNAME);
	if (!p->cwd || (!p->hostname && !(p->ns_shared & CLONE_NEWUTS)))
		return errf(err, errlen, -ENOMEM, "out of memory");

	if ((r = inherited_listens(p, c, err, errlen)) < 0)
		return r;
	if ((r = resolve_env(p, c)) < 0)
		return errf(err, errlen, r, "environment: out of memory");
	if (p->n_secrets) {
		if (p->namespaces == NS_NONE || p->oci_bundle)
			return errf(err, errlen, -EINVAL,
				    "--secret: %s, where husk mounts no /run/secrets of its own",
				    p->oci_bundle ? "not with --bundle" : "not in place");
		if (policy_find_mount(p, HUSK_SECRETS_DIR))
			return errf(err, errlen, -EINVAL,
				    "--secret: %s is where the secrets go; mount nothing else there",
				    HUSK_SECRETS_DIR);
		if ((r = read_secrets(p, c, err, errlen)) < 0)
			return r;
		/* Bounded like every tmpfs: the values, a page each for
		 * their inodes, and no more. */
		uint64_t size = 0;
		for (size_t i = 0; i < p->n_secrets; i++)
			size += (p->secrets[i].len + 4095) / 4096 * 4096 + 4096;
		struct mount_entry sm = { .kind = MOUNT_TMPFS,
					  .dst = HUSK_SECRETS_DIR,
					  .size = size,
					  .nr_inodes = p->n_secrets + 8,
					  .mode = 0500,
					  .readonly = true,
					  .attrs = MOUNT_ATTR_NOEXEC,
					  .secrets = true };
		if ((r = policy_add_mount(p, &sm)) < 0)
			return errf(err, errlen, r, "out of memory");
		sort_mounts(p);
	}
	/* Type=notify: the service's messages go to husk, which relays them. */
	if (c->notify_socket && *c->notify_socket) {
		p->notify_socket = xstrdup(c->notify_socket);
		if ((r = env_put(&p->env, "NOTIFY_SOCKET=/dev/husk-notify")) < 0)
			return errf(err, errlen, r, "environment: out of memory");
	}
	if ((r = resolve_rlimits(p, c, err, errlen)) < 0)
		return r;
	if ((r = resolve_cgroup(p, c, err, errlen)) < 0)
		return r;

	if (p->learn && (p->seccomp_unconfined || p->seccomp_log))
		return errf(err, errlen, -EINVAL,
			    "seccomp learn: the calls are learned through husk's channel, under a "
			    "base profile; drop --seccomp unconfined and --seccomp-log");
	p->seccomp_report =
		p->learn || (!p->seccomp_unconfined && !p->seccomp_log && !p->seccomp_quiet);
	p->seccomp_search = c->profiles;
	if (!p->seccomp_unconfined && !p->seccomp_name && p->seccomp_json) {
		/* An OCI config's own filter; Docker-style rules gated on
		 * capabilities follow the service's. */
		char serr[512];
		p->seccomp = xcalloc(1, sizeof(*p->seccomp));
		sc_profile_init(p->seccomp);
		r = sc_profile_parse_json_text(p->seccomp, p->seccomp_json, "linux.seccomp",
					       p->cap_add, serr, sizeof(serr));
		if (r == 0)
			r = sc_compile(p->seccomp, &p->seccomp_bpf, serr, sizeof(serr));
		if (r == 0 && p->seccomp_report)
			r = sc_compile_notify(p->seccomp, &p->seccomp_bpf, serr, sizeof(serr));
		if (r < 0)
			return errf(err, errlen, r, "%s", serr);
	} else if (!p->seccomp_unconfined) {
		const char *name = p->seccomp_name ? p->seccomp_name : HUSK_DEFAULT_SECCOMP;
		char serr[512];
		/* Docker profiles gate rules on capabilities: the service's. */
		r = sc_prepare(name, c->profiles, p->cap_add, p->seccomp_report,
			       &p->seccomp_bpf, &p->seccomp, serr, sizeof(serr));
		if (r < 0)
			return errf(err, errlen, r, "--seccomp %s: %s", name, serr);
	}
	if (p->learn) {
		char serr[512];
		free(p->seccomp_bpf.prog[SC_BPF_NOTIFY]);
		p->seccomp_bpf.prog[SC_BPF_NOTIFY] = NULL;
		if ((r = sc_compile_learn(&p->seccomp_bpf, serr, sizeof(serr))) < 0)
			return errf(err, errlen, r, "seccomp learn: %s", serr);
	}

	if (p->namespaces == NS_NONE && (r = policy_in_place(p, err, errlen)) < 0)
		return r;
	struct ll_plan ll;
	char lerr[256];
	if ((r = landlock_plan(p, p->landlock_abi, &ll, lerr, sizeof(lerr))) < 0)
		return errf(err, errlen, r, "landlock: %s", lerr);

	p->finalized = true;
	return 0;
}
