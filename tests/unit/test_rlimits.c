#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy/policy.h"
#include "limits/rlimits.h"

static void test_names(void **state)
{
	assert_int_equal(rlimit_from_name("nofile"), RLIMIT_NOFILE);
	assert_int_equal(rlimit_from_name("NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(rlimit_from_name("rlimit_as"), RLIMIT_AS);
	assert_int_equal(rlimit_from_name("files"), -EINVAL);
	assert_int_equal(rlimit_from_name(""), -EINVAL);
	for (int r = 0; r < RLIM_NLIMITS; r++)
		assert_int_equal(rlimit_from_name(rlimit_name(r)), r);
}

static void test_parse(void **state)
{
	int res;
	struct husk_rlimit rl;
	char err[256];
	assert_int_equal(rlimit_parse("nofile=1024:4096", &res, &rl, err, sizeof(err)), 0);
	assert_int_equal(res, RLIMIT_NOFILE);
	assert_true(rl.set && rl.soft == 1024 && rl.hard == 4096);
	assert_int_equal(rlimit_parse("core=0", &res, &rl, err, sizeof(err)), 0);
	assert_true(rl.soft == 0 && rl.hard == 0);
	assert_int_equal(rlimit_parse("as=512m:1g", &res, &rl, err, sizeof(err)), 0);
	assert_true(rl.soft == 512ull << 20 && rl.hard == 1ull << 30);
	assert_int_equal(rlimit_parse("stack=8m:unlimited", &res, &rl, err, sizeof(err)), 0);
	assert_true(rl.hard == RLIM_INFINITY);
	assert_int_equal(rlimit_parse("RLIMIT_CPU=unlimited", &res, &rl, err, sizeof(err)), 0);
	assert_true(rl.soft == RLIM_INFINITY && rl.hard == RLIM_INFINITY);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"nofile",     "=1",	   "nofile=",	   "nofile=a",	 "nofile=10:5",
		"nofile=4k",  "cpu=1m",	   "bogus=1",	   "nofile=1:",	 "nofile=-1",
		"as=1.5g",    "core=1:2:3", NULL,
	};
	for (const char *const *b = bad; *b; b++) {
		int res;
		struct husk_rlimit rl;
		char err[256] = "";
		if (rlimit_parse(*b, &res, &rl, err, sizeof(err)) >= 0)
			fail_msg("accepted %s", *b);
		assert_true(strlen(err) > 0);
	}
}

static void test_defaults_and_caller_ceiling(void **state)
{
	struct caller c = { .uid = 1000, .gid = 1000, .limits_known = true };
	for (int r = 0; r < RLIM_NLIMITS; r++)
		c.limits[r] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	c.limits[RLIMIT_NOFILE] = (struct rlimit){ 256, 512 };
	struct husk_policy p;
	char err[512];

	policy_init(&p);
	p.seccomp_unconfined = true;
	strv_push(&p.argv, "/app");
	assert_int_equal(policy_finalize(&p, &c, err, sizeof(err)), 0);
	assert_true(p.rlimits[RLIMIT_CORE].set && p.rlimits[RLIMIT_CORE].hard == 0);
	assert_true(p.rlimits[RLIMIT_RTPRIO].set && p.rlimits[RLIMIT_RTPRIO].hard == 0);
	/* The caller's lower nofile wins over 1024:4096. */
	assert_true(p.rlimits[RLIMIT_NOFILE].soft == 512 && p.rlimits[RLIMIT_NOFILE].hard == 512);
	assert_false(p.rlimits[RLIMIT_NICE].set);
	policy_free(&p);

	policy_init(&p);
	p.seccomp_unconfined = true;
	strv_push(&p.argv, "/app");
	p.rlimits[RLIMIT_NOFILE] = (struct husk_rlimit){ .set = true, .soft = 100, .hard = 1000 };
	assert_int_equal(policy_finalize(&p, &c, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "--rlimit nofile: hard limit 1000 is above yours (512)"));
	policy_free(&p);

	/* Root may raise. */
	c.uid = 0;
	policy_init(&p);
	p.seccomp_unconfined = true;
	strv_push(&p.argv, "/app");
	p.rlimits[RLIMIT_NOFILE] = (struct husk_rlimit){ .set = true, .soft = 100, .hard = 1000 };
	assert_int_equal(policy_finalize(&p, &c, err, sizeof(err)), 0);
	policy_free(&p);
}

static void test_exec_hint(void **state)
{
	struct husk_rlimit l[HUSK_RLIMIT_COUNT] = { 0 };
	char buf[160];
	assert_string_equal(rlimits_exec_hint(l, ENOMEM, buf, sizeof(buf)), "");
	l[RLIMIT_AS] = (struct husk_rlimit){ .set = true, .soft = 1 << 20, .hard = 1 << 20 };
	l[RLIMIT_NOFILE] = (struct husk_rlimit){ .set = true, .soft = 3, .hard = 3 };
	assert_string_equal(rlimits_exec_hint(l, ENOMEM, buf, sizeof(buf)),
			    " (the service's --rlimit as=1048576 may be too small for it)");
	assert_string_equal(rlimits_exec_hint(l, EMFILE, buf, sizeof(buf)),
			    " (the service's --rlimit nofile=3 may be too small for it)");
	assert_string_equal(rlimits_exec_hint(l, ENOENT, buf, sizeof(buf)), "");
	/* Unlimited limits are no cause. */
	l[RLIMIT_AS].soft = RLIM_INFINITY;
	assert_string_equal(rlimits_exec_hint(l, ENOMEM, buf, sizeof(buf)), "");
}

/* The service sets its own limits: in a child, so the test runner keeps
 * its own. */
static void test_set(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct husk_rlimit l[HUSK_RLIMIT_COUNT] = { 0 };
		char err[256];
		l[RLIMIT_NOFILE] = (struct husk_rlimit){ .set = true, .soft = 3, .hard = 5 };
		if (rlimits_set(l, err, sizeof(err)) < 0)
			_exit(1);
		struct rlimit now;
		getrlimit(RLIMIT_NOFILE, &now);
		if (now.rlim_cur != 3 || now.rlim_max != 5)
			_exit(2);
		/* Raising a hard limit back is refused, and the error names it. */
		l[RLIMIT_NOFILE].hard = 6;
		if (geteuid() != 0 &&
		    (rlimits_set(l, err, sizeof(err)) != -EPERM || !strstr(err, "rlimit nofile=3:6")))
			_exit(3);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_defaults_and_caller_ceiling),
		cmocka_unit_test(test_exec_hint),
		cmocka_unit_test(test_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
