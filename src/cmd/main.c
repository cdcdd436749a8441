/* husk: a setuid-free, hardened launcher for services. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/completion.h"
#include "cmd/gate.h"
#include "cmd/named.h"
#include "cmd/seccomp.h"
#include "launch/host.h"
#include "launch/idmap.h"
#include "launch/landlock.h"
#include "limits/cgroup.h"
#include "base/log.h"
#include "base/util.h"
#include "base/sys.h"
#include "front/options.h"
#include "policy/policy.h"
#include "launch/preflight.h"
#include "cmd/report.h"
#include "launch/sandbox.h"
#include "base/timing.h"
#include "seccomp/seccomp_filter.h"
#include "seccomp/seccomp_learn.h"
#include "seccomp/seccomp_notify.h"
#include "seccomp/seccomp_load.h"
#include "seccomp/seccomp_profile.h"

extern char **environ;

/* The profile search path (search.h): the caller's HUSK_PROFILE_DIR in
 * front (the caller is trusted, so its environment is too), then the
 * site's, then the shipped profiles. Built once, for the whole run. */
static struct search_path profiles;

static void profiles_init(void)
{
	search_path_init(&profiles, getenv("HUSK_PROFILE_DIR"), HUSK_SITEDIR, HUSK_PROFILEDIR,
			 HUSK_BPFDIR);
}

/* Where husk can tell before the launch that the namespaces will not work,
 * auto goes on in place and required fails, in run and check alike.
 * Root-started inside a user namespace that maps only some ids (a rootless
 * container), the host ids husk would map the service to may not exist
 * there. probe: also try the clone (check, so that it shows what run would
 * do; run, once paths resolved as the namespaces see them were refused).
 * say: the warning run gives. Returns 0 or 125 after one line. */
static int decide_namespaces(struct husk_policy *p, const char *cmd, bool probe, bool say)
{
	char err[512], why[512];
	int e = 0;
	if (p->in_place || p->namespaces == NS_NONE)
		return 0;
	if (getuid() == 0 && p->userns == USERNS_PRIVATE &&
	    (e = idmap_own_covers(p->host_uid, p->host_gid, why, sizeof(why))) < 0 &&
	    p->namespaces == NS_REQUIRED) {
		log_error("%s: %s; give --host-user ids of that map, or --namespaces auto to run in "
			  "place",
			  cmd, why);
		return HUSK_EXIT_LAUNCH;
	}
	if (e == 0 && p->namespaces == NS_AUTO && probe && (e = sandbox_probe_namespaces(p)) < 0)
		snprintf(why, sizeof(why), "create namespaces: %s", strerror(-e));
	if (e == 0 || p->namespaces != NS_AUTO)
		return 0;
	if (policy_in_place(p, err, sizeof(err)) < 0) {
		log_error("%s: %s, and in place: %s", cmd, why, err);
		return HUSK_EXIT_LAUNCH;
	}
	if (say)
		log_warn("%s; --namespaces auto goes on in place", why);
	return 0;
}

/* Parses and finalizes the policy for run or check. Returns 0, 1 after
 * --help, or an exit code (125) after one line on stderr. */
static int load_policy(struct husk_policy *p, struct caller *c, struct run_flags *f, int argc,
		       char *argv[])
{
	int r = policy_from_argv(p, argc, argv, f);
	if (r == 1)
		return 1;
	if (r < 0)
		return HUSK_EXIT_LAUNCH;
	c->report_only |= f->dry_run;
	if ((f->json || f->threshold_set) && !c->report_only) {
		log_error("%s: --json and --threshold go with husk check or --dry-run", argv[0]);
		return HUSK_EXIT_LAUNCH;
	}
	/* --cpus is measured against the CPUs husk may run on. */
	cpu_set_t cpus;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		c->ncpus = (unsigned)CPU_COUNT(&cpus);
	c->limits_known = true;
	for (int i = 0; i < HUSK_RLIMIT_COUNT; i++)
		if (getrlimit((rlimit_resource_t)i, &c->limits[i]) < 0)
			c->limits_known = false;
	c->landlock_abi = landlock_abi();
	/* In a container's entrypoint the Go variables follow the
	 * container's own limits (read only in the modes meant for it, to
	 * keep a plain launch from reading mountinfo). */
	if (p->namespaces != NS_REQUIRED && !p->no_go_env) {
		struct cg_own_limits own;
		cg_read_own_limits_self(&own);
		c->own_memory_max = own.memory_max;
		c->own_cpu_quota_us = own.cpu_quota_us;
		c->own_cpu_period_us = own.cpu_period_us;
	}
	char err[1024];
	if (policy_finalize(p, c, err, sizeof(err)) < 0) {
		log_error("%s: %s", argv[0], err);
		return HUSK_EXIT_LAUNCH;
	}
	return 0;
}

/* The gate's verdict on a bundle's config.json as its owner wrote it,
 * against a profile, into the report as "gate". */
static int gate_verdict(json_object *j, const char *bundle, const char *profile, size_t *unmet)
{
	struct gate_result res;
	int r = gate_judge_bundle("check", bundle, profile, &profiles, &res);
	if (r)
		return r;
	json_object *g = json_object_new_object(), *list = json_object_new_array();
	json_object_object_add(g, "profile", json_object_new_string(profile));
	json_object_object_add(g, "meets", json_object_new_boolean(res.unmet == 0));
	for (size_t i = 0; i < res.n; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "rule", json_object_new_string(res.f[i].rule));
		json_object_object_add(x, "why", json_object_new_string(res.f[i].why));
		json_object_array_add(list, x);
	}
	json_object_object_add(g, "weaker", list);
	json_object_object_add(j, "gate", g);
	*unmet = res.unmet;
	return 0;
}

static void gate_verdict_print(json_object *j, FILE *out)
{
	json_object *g, *v;
	if (!json_object_object_get_ex(j, "gate", &g))
		return;
	json_object_object_get_ex(g, "weaker", &v);
	size_t n = json_object_array_length(v);
	fprintf(out, "\ngate (husk hook gate --profile %s): %s\n",
		json_object_get_string(json_object_object_get(g, "profile")),
		n ? "refused, the config as written is weaker" : "meets the profile");
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(v, i);
		fprintf(out, "  %-26s %s\n", json_object_get_string(json_object_object_get(x, "rule")),
			json_object_get_string(json_object_object_get(x, "why")));
	}
}

/* husk check, husk run --dry-run: the report; 125 where run would refuse
 * the policy, 1 above --threshold. */
static int report(struct husk_policy *p, const struct caller *c, const struct run_flags *f)
{
	char err[1024];
	struct exposure e;
	/* auto: what run would get here, namespaces or in place. */
	int r = decide_namespaces(p, "check", true, false);
	if (r)
		return r;
	__attribute__((cleanup(preflight_free))) struct preflight pf;
	size_t refused = preflight_run(p, true, &pf);
	/* What --cgroup auto would give up is shown as given up. */
	if (pf.cg.dropped)
		policy_limits_in_force(p, &pf.cg);
	json_object *j = report_build(p, c, &pf, &e, err, sizeof(err));
	if (!j) {
		log_error("check: %s", err);
		return HUSK_EXIT_LAUNCH;
	}
	/* check --bundle DIR --profile P: also the verdict husk hook gate
	 * and husk runtime --mode gate would give the config as written. */
	size_t unmet = 0;
	if (f->bundle && f->profile && (r = gate_verdict(j, f->bundle, f->profile, &unmet)))
		return json_object_put(j), r;
	if (f->json)
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		report_print_text(j, stdout);
	if (!f->json && f->bundle && f->profile)
		gate_verdict_print(j, stdout);
	json_object_put(j);
	if (fflush(stdout) != 0)
		return HUSK_EXIT_LAUNCH;
	if (refused) {
		log_error("check: %s%s%s", pf.e[0].detail, pf.e[0].fix[0] ? "; " : "", pf.e[0].fix);
		return HUSK_EXIT_LAUNCH;
	}
	if (unmet) {
		log_error("check: the gate refuses this config: %zu rule%s of profile %s not met",
			  unmet, unmet == 1 ? "" : "s", f->profile);
		return 1;
	}
	/* Compared in tenths, as shown: 2.0 passes --threshold 2. */
	if (f->threshold_set && e.score > (unsigned)(f->threshold * 10 + 0.5)) {
		log_error("check: exposure %.1f is above the threshold %.1f", e.score / 10.0,
			  f->threshold);
		return 1;
	}
	return 0;
}

/* husk seccomp learn: where the profile goes, and whether to add to it. */
struct learn_opts {
	const char *out;
	bool merge;
};

static int write_learned(const struct husk_policy *p, const struct learn_opts *lo)
{
	size_t max = SC_NOTIFY_MAX_DISTINCT * 4, n = 0;
	_cleanup_free_ struct sc_seen *all = xcalloc(max, sizeof(*all));
	char err[1024];
	if (lo->merge && access(lo->out, F_OK) == 0 &&
	    sc_learn_read(lo->out, all, &n, max, err, sizeof(err)) < 0) {
		log_error("seccomp learn: --merge %s: %s", lo->out, err);
		return HUSK_EXIT_LAUNCH;
	}
	const struct sc_notify *nt = p->learn;
	for (size_t i = 0; i < nt->n_seen && n < max; i++)
		if (nt->seen[i].allowed)
			all[n++] = nt->seen[i];
	char about[1024];
	size_t at = 0;
	for (size_t i = 0; i < p->argv.n && at < sizeof(about); i++)
		at += (size_t)snprintf(about + at, sizeof(about) - at, "%s%s", i ? " " : "",
				       p->argv.v[i]);
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", lo->out, (int)getpid());
	FILE *f = fopen(tmp, "wx");
	if (!f) {
		log_errno(-errno, "seccomp learn: write %s", tmp);
		return HUSK_EXIT_LAUNCH;
	}
	int r = sc_learn_write(f, all, n, about);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, lo->out) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		log_errno(r, "seccomp learn: write %s", lo->out);
		return HUSK_EXIT_LAUNCH;
	}
	size_t allowed = 0;
	for (size_t i = 0; i < nt->n_seen; i++)
		allowed += nt->seen[i].allowed;
	fprintf(stderr, "husk: seccomp learn: %lu calls, %zu distinct allowed, written to %s%s\n",
		nt->total, allowed, lo->out, lo->merge ? " (merged)" : "");
	return 0;
}

static int cmd_run_or_check(int argc, char *argv[], bool check, const struct learn_opts *lo)
{
	__attribute__((cleanup(policy_free))) struct husk_policy p;
	policy_init(&p);
	struct sc_notify learned;
	if (lo)
		p.learn = &learned;
	struct run_flags f = { .profiles = &profiles };
	struct caller c = { .uid = getuid(),
			    .gid = getgid(),
			    .environ = environ,
			    .profiles = &profiles,
			    .report_only = check };
	/* Sockets systemd (or anything speaking its protocol) started husk
	 * with: passed on to the service. */
	const char *lpid = getenv("LISTEN_PID"), *lfds = getenv("LISTEN_FDS");
	uint32_t nfds;
	if (lpid && lfds && strtol(lpid, NULL, 10) == (long)getpid() && parse_u32(lfds, &nfds) == 0 &&
	    nfds > 0 && nfds <= HUSK_MAX_LISTEN) {
		c.listen_fds = nfds;
		c.listen_names = getenv("LISTEN_FDNAMES");
	}
	c.notify_socket = getenv("NOTIFY_SOCKET");
	c.pid = getpid();
	char err[1024];
	if (c.uid == 0 && idmap_root_ranges(&c.root_uids, &c.root_gids, err, sizeof(err)) < 0) {
		log_error("%s: host id range: %s", argv[0], err);
		return HUSK_EXIT_LAUNCH;
	}
	int r = load_policy(&p, &c, &f, argc, argv);
	if (r)
		return r == 1 ? 0 : r;
	if (c.report_only)
		return report(&p, &c, &f);
	if ((r = decide_namespaces(&p, "run", false, true)))
		return r;
	/* What check would refuse, refused before anything is created, with
	 * the same words. */
	__attribute__((cleanup(preflight_free))) struct preflight pf;
	size_t refused = preflight_run(&p, false, &pf);
	/* auto resolves paths as the namespaces would see them; where that
	 * fails, and the namespaces would be refused anyway, as in place. */
	if (refused && p.namespaces == NS_AUTO && !p.in_place) {
		if ((r = decide_namespaces(&p, "run", true, true)))
			return r;
		if (p.in_place) {
			preflight_free(&pf);
			refused = preflight_run(&p, false, &pf);
		}
	}
	if (refused) {
		log_error("run: %s%s%s", pf.e[0].detail, pf.e[0].fix[0] ? "; " : "", pf.e[0].fix);
		return pf.e[0].exit_code;
	}
	for (size_t i = 0; i < p.warnings.n; i++)
		log_warn("%s", p.warnings.v[i]);
	if (p.seccomp_unconfined)
		log_warn("--seccomp unconfined: the service can make every system call");
	if (f.timing)
		timing_enable();
	timing_mark(T_POLICY);
	r = sandbox_run(&p);
	timing_report(stderr);
	/* Learned from a run that ended, whatever its status: a server is
	 * usually stopped by a signal. Not from one that never started. */
	if (lo && r != HUSK_EXIT_LAUNCH && write_learned(&p, lo) != 0)
		return HUSK_EXIT_LAUNCH;
	return r;
}

/* husk seccomp learn -o FILE [--merge] [RUN OPTIONS] -- PROGRAM [ARG...] */
static int cmd_learn(int argc, char *argv[])
{
	struct learn_opts lo = { 0 };
	_cleanup_free_ char **args = xcalloc((size_t)argc + 1, sizeof(char *));
	int n = 0;
	args[n++] = "learn";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			for (; i < argc; i++)
				args[n++] = argv[i];
			break;
		}
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			lo.out = argv[++i];
		else if (strcmp(argv[i], "--merge") == 0)
			lo.merge = true;
		else
			args[n++] = argv[i];
	}
	if (!lo.out) {
		log_error("seccomp learn: -o FILE.policy is needed: husk seccomp learn -o FILE "
			  "[--merge] [RUN OPTIONS] -- PROGRAM [ARG...]");
		return HUSK_EXIT_LAUNCH;
	}
	if (!lo.merge && access(lo.out, F_OK) == 0) {
		log_error("seccomp learn: %s exists; give --merge to add this run to it, or another "
			  "file",
			  lo.out);
		return HUSK_EXIT_LAUNCH;
	}
	return cmd_run_or_check(n, args, false, &lo);
}

/* husk --version: the version, and what it found here, as crun --version
 * does: libseccomp, the kernel's features, where profiles are looked up. */
static int print_version(void)
{
	char where[4096];
	printf("husk %s\n", PACKAGE_VERSION);
	host_print_features(stdout);
	search_path_describe(&profiles, where, sizeof(where));
	printf("profile path: %s\n", where);
	return fflush(stdout) == 0 ? 0 : HUSK_EXIT_LAUNCH;
}

/* husk completion bash|zsh: the script, from the option table. */
static int cmd_completion(int argc, char *argv[])
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: husk completion bash|zsh\n\n"
		       "Prints the completion script for the shell, written from husk's option\n"
		       "table: source it, or install it as make install does.\n");
		return 0;
	}
	if (argc != 2 || (strcmp(argv[1], "bash") != 0 && strcmp(argv[1], "zsh") != 0)) {
		log_error("completion: use husk completion bash, or husk completion zsh");
		return HUSK_EXIT_LAUNCH;
	}
	if (strcmp(argv[1], "bash") == 0)
		completion_bash(stdout);
	else
		completion_zsh(stdout);
	return fflush(stdout) == 0 ? 0 : HUSK_EXIT_LAUNCH;
}

int main(int argc, char *argv[])
{
	timing_start();
	profiles_init();
	/* A daemon's runtime entry names a program, not arguments. */
	const char *base = strrchr(argv[0], '/');
	if (strcmp(base ? base + 1 : argv[0], "husk-runtime") == 0)
		return cmd_runtime(argc, argv, &profiles);
	if (argc < 2) {
		options_print_usage(stderr);
		fprintf(stderr, "Try husk --help, or husk run --help.\n");
		return HUSK_EXIT_LAUNCH;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return print_version();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		options_print_help(stdout, HELP_ALL);
		return 0;
	}
	if (strcmp(argv[1], "completion") == 0)
		return cmd_completion(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run_or_check(argc - 1, argv + 1, false, NULL);
	if (strcmp(argv[1], "check") == 0)
		return cmd_run_or_check(argc - 1, argv + 1, true, NULL);
	if (strcmp(argv[1], "seccomp") == 0 && argc > 2 && strcmp(argv[2], "learn") == 0)
		return cmd_learn(argc - 2, argv + 2);
	if (strcmp(argv[1], "seccomp") == 0)
		return cmd_seccomp(argc - 1, argv + 1, &profiles);
	if (strcmp(argv[1], "hook") == 0)
		return cmd_hook(argc - 1, argv + 1, &profiles);
	if (strcmp(argv[1], "runtime") == 0)
		return cmd_runtime(argc - 1, argv + 1, &profiles);
	static const char *const named[] = { "ps", "status", "health", "stop", "kill", "exec" };
	for (size_t i = 0; i < ARRAY_SIZE(named); i++)
		if (strcmp(argv[1], named[i]) == 0)
			return cmd_named(argc - 1, argv + 1);
	log_error("unknown command '%s': use husk run [OPTIONS] -- PROGRAM, or husk --help%s",
		  argv[1], argv[1][0] == '-' ? " (options go after the command: husk run --help)" : "");
	return HUSK_EXIT_LAUNCH;
}
