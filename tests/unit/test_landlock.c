/* Landlock: the plan (pure: which rights, on which paths, at which ABI) and
 * the rules applied by the kernel, in a forked child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "front/options.h"
#include "launch/landlock.h"
#include "policy/policy.h"

#define ARGV(...) ((char *const[]){ "run", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "run", __VA_ARGS__ }) / sizeof(char *)))
static struct run_flags flags;
#define PARSE(p, ...) policy_from_argv(p, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &flags)

static char *const no_env[] = { NULL };

/* Parses and finalizes as root with seccomp off (no profile needed here). */
static void policy_for(struct husk_policy *p, int abi, int argc, char *const *argv)
{
	struct caller c = { .uid = 0, .gid = 0, .environ = no_env, .landlock_abi = abi };
	char err[512];
	policy_init(p);
	if (policy_from_argv(p, argc, argv, &flags) != 0)
		fail_msg("parse failed");
	if (policy_finalize(p, &c, err, sizeof(err)) < 0)
		fail_msg("finalize: %s", err);
}
#define POLICY(p, abi, ...) policy_for(p, abi, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static const struct ll_rule *rule_at(const struct ll_plan *pl, const char *path)
{
	for (size_t i = 0; i < pl->n; i++)
		if (strcmp(pl->rule[i].path, path) == 0)
			return &pl->rule[i];
	return NULL;
}

#define READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

static void test_plan_follows_the_mounts(void **state)
{
	struct husk_policy p;
	struct ll_plan pl;
	char err[256];
	POLICY(&p, 7, "--seccomp", "unconfined", "--bind", "/tmp:/data", "--ro-bind", "/etc:/conf",
	       "--tmpfs", "/run:size=1m", "/app");
	assert_int_equal(landlock_plan(&p, 7, &pl, err, sizeof(err)), 0);
	/* The root: read and execute only. */
	assert_int_equal(rule_at(&pl, "/")->access, READ);
	/* Writable: every handled right on binds and tmpfs, /tmp included. */
	assert_int_equal(rule_at(&pl, "/data")->access, pl.handled_fs);
	assert_int_equal(rule_at(&pl, "/run")->access, pl.handled_fs);
	assert_int_equal(rule_at(&pl, "/tmp")->access, pl.handled_fs);
	assert_int_equal(rule_at(&pl, "/dev/shm")->access, pl.handled_fs);
	/* A read-only bind needs no rule beyond the root's. */
	assert_null(rule_at(&pl, "/conf"));
	/* /dev: writes to existing files (null, the terminal), nothing made. */
	const struct ll_rule *dev = rule_at(&pl, "/dev");
	assert_true(dev->access & LANDLOCK_ACCESS_FS_WRITE_FILE);
	assert_false(dev->access & LANDLOCK_ACCESS_FS_MAKE_REG);
	assert_false(dev->access & LANDLOCK_ACCESS_FS_MAKE_CHAR);
	/* ABI 6+: scoped; no port rules asked: no network rights handled. */
	assert_int_equal(pl.scoped, 3);
	assert_int_equal(pl.handled_net, 0);
	/* husk's own /tmp is not optional in a sandbox: husk made it. */
	assert_false(rule_at(&pl, "/tmp")->optional);
	assert_false(rule_at(&pl, "/data")->optional);
	policy_free(&p);
}

static void test_plan_per_abi(void **state)
{
	struct husk_policy p;
	struct ll_plan pl;
	char err[256];
	POLICY(&p, 1, "--seccomp", "unconfined", "/app");
	assert_int_equal(landlock_plan(&p, 1, &pl, err, sizeof(err)), 0);
	assert_false(pl.handled_fs & LANDLOCK_ACCESS_FS_REFER);
	assert_int_equal(pl.handled_fs, (1ull << 13) - 1);
	assert_int_equal(pl.scoped, 0);
	assert_int_equal(landlock_plan(&p, 3, &pl, err, sizeof(err)), 0);
	assert_true(pl.handled_fs & LANDLOCK_ACCESS_FS_REFER);
	assert_true(pl.handled_fs & (1ull << 14)); /* TRUNCATE */
	/* No Landlock: nothing planned, no error, under auto. */
	assert_int_equal(landlock_plan(&p, 0, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.handled_fs, 0);
	policy_free(&p);

	/* In place, the default /tmp is the container's: optional. */
	POLICY(&p, 7, "--seccomp", "unconfined", "--namespaces", "none", "/app");
	assert_int_equal(landlock_plan(&p, 7, &pl, err, sizeof(err)), 0);
	assert_true(rule_at(&pl, "/tmp")->optional);
	policy_free(&p);

	/* Ports: handled only for what was given. */
	POLICY(&p, 7, "--seccomp", "unconfined", "--allow-tcp-bind", "8080", "/app");
	assert_int_equal(landlock_plan(&p, 7, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.handled_net, 1);
	assert_int_equal(pl.bind->n, 1);
	assert_int_equal(landlock_plan(&p, 3, &pl, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "ABI 4"));
	assert_int_equal(landlock_plan(&p, 0, &pl, err, sizeof(err)), -ENOTSUP);
	policy_free(&p);

	/* off: nothing, even where the kernel has it. */
	POLICY(&p, 7, "--seccomp", "unconfined", "--landlock", "off", "/app");
	assert_int_equal(landlock_plan(&p, 7, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.handled_fs, 0);
	char text[512];
	landlock_describe(&pl, 7, text, sizeof(text));
	assert_string_equal(text, "off");
	policy_free(&p);
}

/* The kernel enforces the plan: in a child, / read-only, one directory
 * writable, a missing optional path skipped. */
static void test_apply_in_the_kernel(void **state)
{
	int abi = landlock_abi();
	if (abi < 1) {
		/* Said, not silently passed: the plan tests above still ran. */
		print_message("SKIP: this kernel has no Landlock\n");
		skip();
	}
	char dir[] = "/tmp/husk-ll.XXXXXX", ro[] = "/tmp/husk-ll-ro.XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(ro));
	struct ll_plan pl = { .handled_fs = (1ull << 13) - 1 };
	pl.rule[pl.n++] = (struct ll_rule){ .path = "/", .access = READ };
	pl.rule[pl.n++] = (struct ll_rule){ .path = dir, .access = pl.handled_fs };
	pl.rule[pl.n++] = (struct ll_rule){ .path = "/nonexistent-husk", .access = READ, .optional = true };
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256], path[64];
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || landlock_apply(&pl, abi, err, sizeof(err)) < 0)
			_exit(10);
		snprintf(path, sizeof(path), "%s/ok", dir);
		int fd = open(path, O_WRONLY | O_CREAT, 0600);
		if (fd < 0)
			_exit(11);
		close(fd);
		snprintf(path, sizeof(path), "%s/refused", ro);
		fd = open(path, O_WRONLY | O_CREAT, 0600);
		if (fd >= 0 || errno != EACCES)
			_exit(12);
		/* Reading still works everywhere. */
		if (access("/etc/passwd", R_OK) < 0 && errno != ENOENT)
			_exit(13);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	char path[64];
	snprintf(path, sizeof(path), "%s/ok", dir);
	unlink(path);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	/* A required path that is missing is an error naming it. */
	struct ll_plan bad = pl;
	bad.rule[2].optional = false;
	char err[256];
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		int r = landlock_apply(&bad, abi, err, sizeof(err));
		if (r != -ENOENT || !strstr(err, "/nonexistent-husk"))
			fprintf(stderr, "landlock_apply: %d %s\n", r, err);
		_exit(r == -ENOENT && strstr(err, "/nonexistent-husk") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	rmdir(dir);
	rmdir(ro);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_follows_the_mounts),
		cmocka_unit_test(test_plan_per_abi),
		cmocka_unit_test(test_apply_in_the_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
