/* The exposure score, the report, and the profile evaluation they rest on
 * (checked against the kernel running the compiled filter). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy/exposure.h"
#include "front/options.h"
#include "policy/policy.h"
#include "cmd/report.h"
#include "seccomp/seccomp_filter.h"
#include "seccomp/seccomp_load.h"
#include "srcfile.h"

static char profiles[PATH_MAX];
static struct search_path sp; /* profiles alone */
static char *const no_env[] = { NULL };

static int test_abi; /* the Landlock ABI the test caller's kernel has */

/* Parses argv (after "check"), finalizes as caller uid, and scores. */
static void score(uid_t uid, struct exposure *e, int argc, char **argv)
{
	struct run_flags f = { .profiles = &sp };
	struct caller c = { .uid = uid, .gid = uid, .environ = no_env, .profiles = &sp,
			    .report_only = true, .landlock_abi = test_abi };
	struct husk_policy p;
	char err[1024];
	policy_init(&p);
	if (policy_from_argv(&p, argc, argv, &f) != 0)
		fail_msg("parse failed");
	if (policy_finalize(&p, &c, err, sizeof(err)) < 0)
		fail_msg("finalize: %s", err);
	struct preflight pf = { .n = 0 };
	json_object *j = report_build(&p, &c, &pf, e, err, sizeof(err));
	if (!j)
		fail_msg("report: %s", err);
	json_object_put(j);
	policy_free(&p);
}

#define SCORE(uid, e, ...)                                                                         \
	score(uid, e, (int)(sizeof((char *[]){ "check", __VA_ARGS__ }) / sizeof(char *)),          \
	      (char *[]){ "check", __VA_ARGS__, NULL })

static const struct exposure_finding *find(const struct exposure *e, const char *id)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->f[i].id, id) == 0)
			return &e->f[i];
	fail_msg("no check %s", id);
	return NULL;
}

static unsigned bad(const struct exposure *e, const char *id)
{
	return find(e, id)->badness;
}

static void test_shipped_go_service_profile_scores_low(void **state)
{
	struct exposure e;
	SCORE(1000, &e, "--profile", "go-service");
	assert_true(e.score < 20);
	assert_int_equal(bad(&e, "CapabilityBoundingSet"), 3); /* NET_BIND_SERVICE */
	assert_int_equal(bad(&e, "AmbientCapabilities"), 1);
	assert_int_equal(bad(&e, "MemoryMax"), 0);
	assert_int_equal(bad(&e, "TasksMax"), 0);
	assert_int_equal(bad(&e, "RestrictAddressFamilies=~exotic"), 0);
	assert_int_equal(bad(&e, "RestrictAddressFamilies=~AF_NETLINK"), 0);
	assert_int_equal(bad(&e, "RestrictNamespaces=~CLONE_NEWUSER"), 0);
	assert_int_equal(bad(&e, "SystemCallFilter=~@mount"), 0);
	/* Every non-zero finding says how to fix it. */
	for (size_t i = 0; i < e.n; i++)
		assert_true(!e.f[i].badness || e.f[i].fix[0]);
}

static void test_open_policy_scores_high(void **state)
{
	struct exposure e;
	SCORE(1000, &e, "--net", "host", "--cap-add", "SYS_ADMIN", "--seccomp", "unconfined");
	assert_true(e.score > 80);
	assert_int_equal(bad(&e, "PrivateNetwork"), 1);
	assert_int_equal(bad(&e, "CapabilityBoundingSet"), 10);
	assert_int_equal(bad(&e, "SystemCallFilter=~@debug"), 10);
	assert_int_equal(bad(&e, "SystemCallArchitectures"), 10);
	assert_int_equal(bad(&e, "AbstractUnixSockets"), 1);
	/* SYS_ADMIN with mount allowed undoes the mount-based layers. */
	assert_int_equal(bad(&e, "ProtectSystem"), 10);
	assert_int_equal(bad(&e, "ProtectProc"), 3);
	/* No bind of a home directory: nothing to undo there. */
	assert_int_equal(bad(&e, "ProtectHome"), 0);
}

/* In place the namespaces' checks count as absent, and without Landlock so
 * does the read-only root (the test caller's kernel has no Landlock). */
static void test_in_place_counts(void **state)
{
	struct exposure ns, in;
	SCORE(0, &ns, "--seccomp", "strict", "--rootfs", "/");
	SCORE(0, &in, "--seccomp", "strict", "--namespaces", "none");
	assert_true(in.score > ns.score);
	assert_int_equal(bad(&ns, "PrivatePIDs"), 0);
	assert_int_equal(bad(&in, "PrivatePIDs"), 1);
	assert_int_equal(bad(&in, "PrivateUsers"), 1);
	assert_int_equal(bad(&in, "PrivateNetwork"), 1);
	assert_int_equal(bad(&in, "ProtectSystem"), 10);
	assert_int_equal(bad(&in, "Landlock"), 1);
	assert_int_equal(find(&in, "Landlock")->weight, 2000);
	assert_int_equal(find(&ns, "Landlock")->weight, 200);
	/* The container's own root is not the host's. */
	assert_int_equal(bad(&in, "RootDirectory=/RootImage="), 0);
	assert_int_equal(bad(&ns, "RootDirectory=/RootImage="), 1);
	assert_int_equal(bad(&in, "ProtectProc"), 2);
}

/* CAP_SYS_ADMIN with the mount calls cannot undo the mounts of a Landlock
 * domain: only with Landlock off do the mount checks count in full. */
static void test_landlock_keeps_mounts(void **state)
{
	struct exposure ll, off;
	test_abi = 7;
	SCORE(1000, &ll, "--cap-add", "SYS_ADMIN", "--seccomp", "unconfined");
	SCORE(1000, &off, "--cap-add", "SYS_ADMIN", "--seccomp", "unconfined", "--landlock", "off");
	test_abi = 0;
	assert_int_equal(bad(&ll, "ProtectSystem"), 0);
	assert_int_equal(bad(&ll, "ProtectProc"), 0);
	assert_int_equal(bad(&ll, "Landlock"), 0);
	assert_int_equal(bad(&off, "ProtectSystem"), 10);
	assert_int_equal(bad(&off, "ProtectProc"), 3);
	assert_true(off.score > ll.score);
}

static void test_each_layer_counts(void **state)
{
	struct exposure base, e;
	SCORE(1000, &base, "--seccomp", "strict", "--memory", "64m", "--pids", "64");

	SCORE(1000, &e, "--seccomp", "strict", "--memory", "64m", "--pids", "64", "--net", "host");
	assert_true(e.score > base.score);
	assert_int_equal(bad(&e, "PrivateNetwork"), 1);

	SCORE(1000, &e, "--seccomp", "strict", "--memory", "64m", "--pids", "64", "--cap-add", "CHOWN");
	assert_true(e.score > base.score);
	assert_int_equal(bad(&e, "CapabilityBoundingSet"), 7);

	SCORE(1000, &e, "--seccomp", "strict");
	assert_true(e.score > base.score);
	assert_int_equal(bad(&e, "MemoryMax"), 1);

	/* SYS_ADMIN under a filter that denies @mount cannot undo mounts. */
	SCORE(1000, &e, "--seccomp", "strict", "--cap-add", "SYS_ADMIN");
	assert_int_equal(bad(&e, "ProtectSystem"), 0);
	assert_int_equal(bad(&e, "CapabilityBoundingSet"), 10);

	SCORE(1000, &e, "--bind", "/etc:/hostetc");
	assert_int_equal(bad(&e, "ProtectSystem"), 10);
	SCORE(1000, &e, "--ro-bind", "/etc:/hostetc");
	assert_int_equal(bad(&e, "ProtectSystem"), 0);
	SCORE(1000, &e, "--ro-bind", "/root:/r");
	assert_int_equal(bad(&e, "ProtectHome"), 5);
	SCORE(1000, &e, "--bind", "/:/host");
	assert_int_equal(bad(&e, "ProtectHome"), 10);
	assert_int_equal(bad(&e, "ProtectSystem"), 10);
	assert_int_equal(bad(&e, "PrivateDevices"), 1);

	SCORE(1000, &e, "--user", "0");
	assert_int_equal(bad(&e, "User"), 5);
	SCORE(0, &e, "--userns", "host", "--user", "0");
	assert_int_equal(bad(&e, "User"), 10);
	assert_int_equal(bad(&e, "PrivateUsers"), 1);
	SCORE(0, &e, "--rlimit", "rtprio=5");
	assert_int_equal(bad(&e, "RestrictRealtime"), 1);
}

/* The formula: ceil(sum(ceil(badness * weight / range)) * 100 / sum(weight)). */
static void test_score_formula(void **state)
{
	struct exposure e;
	SCORE(1000, &e, "--seccomp", "unconfined");
	unsigned long sum = 0, w = 0;
	for (size_t i = 0; i < e.n; i++) {
		double part = (double)e.f[i].badness * e.f[i].weight / e.f[i].range;
		unsigned long c = (unsigned long)part;
		sum += c + (part > (double)c);
		w += e.f[i].weight;
	}
	double want = (double)sum * 100 / (double)w;
	unsigned long up = (unsigned long)want + (want > (double)(unsigned long)want);
	assert_int_equal(e.score, up);
	assert_string_equal(exposure_label(0), "PERFECT");
	assert_string_equal(exposure_label(1), "SAFE");
	assert_string_equal(exposure_label(10), "OK");
	assert_string_equal(exposure_label(50), "MEDIUM");
	assert_string_equal(exposure_label(75), "EXPOSED");
	assert_string_equal(exposure_label(90), "UNSAFE");
	assert_string_equal(exposure_label(100), "DANGEROUS");
}

/* husk-profile(5) lists every check the code scores. */
static void test_man_page_lists_every_check(void **state)
{
	char *man = read_source("man/husk-profile.5.in");
	assert_non_null(man);
	/* The table marks break points with "\:": read past them. */
	for (char *r = man, *w = man;; r++) {
		if (r[0] == '\\' && r[1] == ':') {
			r++;
			continue;
		}
		if (!(*w++ = *r))
			break;
	}
	struct exposure e;
	SCORE(1000, &e, "--seccomp", "unconfined");
	assert_true(e.n > 30);
	for (size_t i = 0; i < e.n; i++) {
		const char *id = e.f[i].id;
		const char *at = strchr(id, '@');
		char want[96];
		/* Groups share a row: "SystemCallFilter=~@swap @clock ...". */
		snprintf(want, sizeof(want), "%s", at ? at : id);
		if (!strstr(man, want))
			fail_msg("husk-profile(5) does not list %s", id);
	}
	free(man);
}

/* ---- sc_profile_eval against the kernel --------------------------------- */

struct probe {
	const char *name; /* the syscall sc_profile_eval is asked about */
	uint64_t a0, a1;
	int allowed_errno; /* an errno the call may give when the filter allows it */
};

static const struct probe probes[] = {
	{ "getpid", 0, 0, 0 },
	{ "ioctl", (uint64_t)-1, TIOCSTI, EBADF },
	{ "socket", AF_INET, 0, EAFNOSUPPORT },
	{ "socket", AF_UNIX, 0, EAFNOSUPPORT },
	{ "socket", AF_NETLINK, 0, EPROTONOSUPPORT },
	{ "personality", READ_IMPLIES_EXEC, 0, 0 },
	{ "keyctl", 0, (uint64_t)-100, EINVAL },
	{ "umount2", 0, 0xffff, EINVAL },
	{ "clone3", 0, 0, EINVAL },
	{ "unshare", CLONE_NEWUSER, 0, EPERM },
};

static long call(const struct probe *pr)
{
	if (strcmp(pr->name, "getpid") == 0)
		return syscall(SYS_getpid);
	if (strcmp(pr->name, "ioctl") == 0)
		return syscall(SYS_ioctl, (int)pr->a0, pr->a1, 0);
	if (strcmp(pr->name, "socket") == 0)
		return syscall(SYS_socket, (int)pr->a0, pr->a0 == AF_NETLINK ? SOCK_RAW : SOCK_STREAM, 0);
	if (strcmp(pr->name, "personality") == 0)
		return syscall(SYS_personality, pr->a0);
	if (strcmp(pr->name, "keyctl") == 0)
		return syscall(SYS_keyctl, pr->a0, pr->a1, 0);
	if (strcmp(pr->name, "umount2") == 0)
		return syscall(SYS_umount2, "/nonexistent-husk-test", pr->a1);
	if (strcmp(pr->name, "clone3") == 0)
		return syscall(SYS_clone3, NULL, 0);
	if (strcmp(pr->name, "unshare") == 0)
		return syscall(SYS_unshare, pr->a0);
	return -1;
}

static void check_profile_against_kernel(const char *name)
{
	struct sc_profile prof;
	struct sc_bpf bpf;
	char err[512];
	sc_profile_init(&prof);
	assert_int_equal(sc_profile_load(&prof, name, &sp, 0, err, sizeof(err)), 0);
	assert_int_equal(sc_compile(&prof, &bpf, err, sizeof(err)), 0);

	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || sc_bpf_load(&bpf, false, NULL) < 0)
			_exit(2);
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			long r = call(&probes[i]);
			int res[2] = { r < 0 ? -1 : 0, r < 0 ? errno : 0 };
			if (write(fds[1], res, sizeof(res)) != sizeof(res))
				_exit(3);
		}
		_exit(0);
	}
	close(fds[1]);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *pr = &probes[i];
		int res[2];
		assert_int_equal(read(fds[0], res, sizeof(res)), sizeof(res));
		const uint64_t args[SC_MAX_ARGS] = { pr->a0, pr->a1 };
		struct sc_action a = sc_profile_eval(&prof, pr->name, args);
		if (a.kind == SC_ERRNO) {
			if (res[0] != -1 || res[1] != a.errnum)
				fail_msg("%s: %s(%#llx, %#llx): profile says errno %d, kernel gave %d/%d",
					 name, pr->name, (unsigned long long)pr->a0,
					 (unsigned long long)pr->a1, a.errnum, res[0], res[1]);
		} else if (a.kind == SC_ALLOW) {
			if (res[0] == -1 && res[1] != pr->allowed_errno && res[1] != EFAULT)
				fail_msg("%s: %s(%#llx): profile allows it, kernel gave errno %d", name,
					 pr->name, (unsigned long long)pr->a0, res[1]);
		}
	}
	close(fds[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	sc_bpf_free(&bpf);
	sc_profile_free(&prof);
}

static void test_eval_agrees_with_the_kernel(void **state)
{
	check_profile_against_kernel("default");
	check_profile_against_kernel("go-service");
	check_profile_against_kernel("strict");
}

int main(void)
{
	const char *src = getenv("HUSK_SRCDIR");
	snprintf(profiles, sizeof(profiles), "%s/profiles", src ? src : ".");
	search_path_init(&sp, profiles, NULL, NULL, NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_go_service_profile_scores_low),
		cmocka_unit_test(test_open_policy_scores_high),
		cmocka_unit_test(test_each_layer_counts),
		cmocka_unit_test(test_in_place_counts),
		cmocka_unit_test(test_landlock_keeps_mounts),
		cmocka_unit_test(test_score_formula),
		cmocka_unit_test(test_man_page_lists_every_check),
		cmocka_unit_test(test_eval_agrees_with_the_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
