#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "caps.h"
#include "log.h"
#include "mountspec.h"
#include "profile.h"

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

static int opt_net(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (strcmp(arg, "none") == 0)
		p->net = NET_NONE;
	else if (strcmp(arg, "host") == 0)
		p->net = NET_HOST;
	else
		return errf(err, errlen, -EINVAL, "expected none or host");
	return 0;
}

static int opt_userns(struct husk_policy *p, const char *arg, char *err, size_t errlen)
{
	if (strcmp(arg, "private") == 0)
		p->userns = USERNS_PRIVATE;
	else if (strcmp(arg, "host") == 0)
		p->userns = USERNS_HOST;
	else
		return errf(err, errlen, -EINVAL, "expected private or host");
	return 0;
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
			    "the size overflows 64 bits (16 EiB); give one like 512m or 1g");
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
			    "the size overflows 64 bits (16 EiB); give one like 0 or 256m");
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
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || *end || end == arg || !(v >= 0.01) || v > 4096)
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
	if (strcmp(arg, "required") == 0)
		p->cgroup_mode = CGROUP_REQUIRED;
	else if (strcmp(arg, "auto") == 0)
		p->cgroup_mode = CGROUP_AUTO;
	else if (strcmp(arg, "off") == 0)
		p->cgroup_mode = CGROUP_OFF;
	else
		return errf(err, errlen, -EINVAL, "expected required, auto or off");
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

const struct husk_option husk_run_options[] = {
	/* No apply: the front ends read the file (profile.c), so that its
	 * options land where --profile stands among the others. */
	{ "profile", "FILE",
	  "options from a profile file (husk-profile(5)); a NAME without '/' is a shipped one",
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
	{ "env", "NAME=VALUE", "set a variable in the service's clean environment", true, opt_env, OPT_PATH_NONE },
	{ "env-keep", "NAME", "pass the caller's NAME through", true, opt_env_keep, OPT_PATH_NONE },
	{ "chdir", "DIR", "working directory inside (default /)", false, opt_chdir, OPT_PATH_NONE },
	{ "hostname", "NAME", "host name inside (default husk)", false, opt_hostname, OPT_PATH_NONE },
	{ "net", "none|host", "none: private netns with lo only (default); host: share", false,
	  opt_net, OPT_PATH_NONE },
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
	  "seccomp profile: a name in the profile directory, a path (.policy or Docker .json), or "
	  "unconfined (default: default)",
	  false, opt_seccomp, OPT_PATH_IF_SLASH },
	{ "seccomp-log", NULL,
	  "log every denied system call to the kernel log (dmesg, audit type=1326)", false,
	  opt_seccomp_log, OPT_PATH_NONE },
	{ "stop-timeout", "SECONDS",
	  "after a forwarded SIGTERM, SIGKILL what is left after SECONDS (default 10)", false,
	  opt_stop_timeout, OPT_PATH_NONE },
	{ NULL, NULL, NULL, false, NULL, OPT_PATH_NONE },
};

const struct husk_option *options_find(const char *name)
{
	for (const struct husk_option *o = husk_run_options; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static const struct {
	const char *name, *arg, *help;
} front_options[] = {
	{ "dry-run", NULL, "run: resolve the policy and print it as husk check does; launch nothing" },
	{ "json", NULL, "check: print the policy and its exposure as JSON" },
	{ "timing", NULL, "run: print how long each launch step took, on stderr, at exit" },
	{ "threshold", "X", "check: exit 1 when the exposure score is above X (0.0-10.0)" },
};

void options_print_help(const char *prog)
{
	printf("Usage: %s run [OPTIONS] [--] PROGRAM [ARG...]\n"
	       "       %s check [OPTIONS] [--json] [--threshold X] [-- PROGRAM [ARG...]]\n"
	       "       %s seccomp show|compile|precompile PROFILE [-o FILE]\n"
	       "       %s --help | --version\n\n"
	       "Runs PROGRAM in new user, mount, pid, net, ipc, uts and cgroup namespaces,\n"
	       "on a read-only root, with every capability dropped, no_new_privs set\n"
	       "and a seccomp filter. check prints what a policy allows and scores it.\n\n"
	       "Options for run and check:\n",
	       prog, prog, prog, prog);
	for (const struct husk_option *o = husk_run_options; o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s %s", o->name, o->arg ? o->arg : "");
		printf("  %-28s %s%s\n", left, o->help, o->repeatable ? " (repeatable)" : "");
	}
	for (size_t i = 0; i < ARRAY_SIZE(front_options); i++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s %s", front_options[i].name,
			 front_options[i].arg ? front_options[i].arg : "");
		printf("  %-28s %s\n", left, front_options[i].help);
	}
	printf("  %-28s %s\n", "--help", "show this help");
	printf("\nExit status: the program's, 128+N if it died of signal N, 125 if husk\n"
	       "failed, 126 if PROGRAM cannot be executed, 127 if it was not found.\n"
	       "check: 0, 1 above --threshold, 125 for a bad policy.\n");
}

static int front_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(front_options); i++)
		if (strcmp(front_options[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int front_option(const char *name, const char *val, struct run_flags *f)
{
	if (strcmp(name, "dry-run") == 0) {
		f->dry_run = true;
	} else if (strcmp(name, "json") == 0) {
		f->json = true;
	} else if (strcmp(name, "timing") == 0) {
		f->timing = true;
	} else {
		char *end;
		errno = 0;
		double v = strtod(val, &end);
		if (errno || end == val || *end || !(v >= 0 && v <= 10)) {
			log_error("--threshold %s: expected a score from 0.0 to 10.0", val);
			return -EINVAL;
		}
		f->threshold = v;
		f->threshold_set = true;
	}
	return 0;
}

static int apply_profile(struct husk_policy *p, const char *ref, const struct run_flags *f)
{
	char path[4096], err[1024];
	int r = profile_resolve(ref, f->profile_dir ? f->profile_dir : ".", path, sizeof(path), err,
				sizeof(err));
	if (r == 0)
		r = profile_apply_file(p, path, err, sizeof(err));
	if (r < 0)
		log_error("--profile %s: %s", ref, err);
	return r;
}

int policy_from_argv(struct husk_policy *p, int argc, char *const argv[], struct run_flags *f)
{
	char err[512];
	const char *cmd = argv[0];
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] != '-' || !a[2])
			break;
		if (strcmp(a, "--help") == 0) {
			options_print_help("husk");
			return 1;
		}
		char name[64];
		const char *val = NULL;
		const char *eq = strchr(a + 2, '=');
		size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (nlen >= sizeof(name)) {
			log_error("%s: unknown option %.40s...: see husk --help", cmd, a);
			return -EINVAL;
		}
		memcpy(name, a + 2, nlen);
		name[nlen] = '\0';
		const struct husk_option *o = options_find(name);
		int fo = front_find(name);
		if (!o && fo < 0) {
			log_error("%s: unknown option --%s: see husk --help", cmd, name);
			return -EINVAL;
		}
		const char *placeholder = o ? o->arg : front_options[fo].arg;
		if (!placeholder) {
			if (eq) {
				log_error("%s: --%s takes no value", cmd, name);
				return -EINVAL;
			}
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			log_error("%s: --%s needs a value: --%s %s", cmd, name, name, placeholder);
			return -EINVAL;
		}
		int r;
		if (!o) {
			if ((r = front_option(name, val, f)) < 0)
				return r;
			continue;
		}
		if (!o->apply) {
			if ((r = apply_profile(p, val, f)) < 0)
				return r;
			continue;
		}
		err[0] = '\0';
		r = o->apply(p, val, err, sizeof(err));
		if (r < 0) {
			log_error("%s: --%s %s: %s", cmd, name, val ? val : "", err[0] ? err : strerror(-r));
			return r;
		}
	}
	for (; i < argc; i++)
		if (strv_push(&p->argv, argv[i]) < 0) {
			log_error("%s: out of memory", cmd);
			return -ENOMEM;
		}
	return 0;
}
