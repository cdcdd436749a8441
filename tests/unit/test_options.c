#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/completion.h"
#include "front/options.h"
#include "policy/policy.h"
#include "srcfile.h"

#define ARGV(...) ((char *const[]){ "run", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "run", __VA_ARGS__ }) / sizeof(char *)))
static struct run_flags flags;
#define PARSE(p, ...) policy_from_argv(p, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &flags)

static char *const test_environ[] = { "SECRET=hunter2", "LANG=C.UTF-8", "TERM=xterm", NULL };
static char profiles[2048];
static struct caller user = { .uid = 1000, .gid = 1001, .environ = test_environ };
static struct caller root = { .uid = 0, .gid = 0, .environ = test_environ };

/* stderr is where the one-line errors go; keep the test output readable
 * and check that exactly one line was written. */
static int saved_stderr = -1;
static char captured[4096]; /* what the last capture read */
static int err_pipe[2];
static void capture_stderr(void)
{
	assert_int_equal(pipe2(err_pipe, O_NONBLOCK), 0);
	saved_stderr = dup(2);
	dup2(err_pipe[1], 2);
}
static int captured_lines(void)
{
	dup2(saved_stderr, 2);
	close(saved_stderr);
	close(err_pipe[1]);
	char *buf = captured;
	ssize_t n = read(err_pipe[0], buf, sizeof(captured) - 1);
	close(err_pipe[0]);
	buf[n > 0 ? n : 0] = '\0';
	int lines = 0;
	for (ssize_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

static void test_program_and_args(void **state)
{
	struct husk_policy p;
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--rootfs", "/", "--", "/app", "-addr", ":80"), 0);
	assert_string_equal(p.rootfs, "/");
	assert_int_equal(p.argv.n, 3);
	assert_string_equal(p.argv.v[0], "/app");
	assert_string_equal(p.argv.v[1], "-addr");
	policy_free(&p);

	/* Options stop at the first non-option, without "--" too. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--net=host", "/bin/sh", "--net", "none"), 0);
	assert_int_equal(p.net, NET_HOST);
	assert_int_equal(p.argv.n, 3);
	assert_string_equal(p.argv.v[1], "--net");
	policy_free(&p);
}

static void test_every_option(void **state)
{
	struct husk_policy p;
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--rootfs", "/tmp", "--ro-bind", "/etc:/host-etc", "--bind",
			       "/tmp:/data", "--tmpfs", "/run:size=1m", "--cap-add",
			       "NET_BIND_SERVICE", "--cap-add", "cap_chown", "--env", "A=1",
			       "--env-keep", "LANG", "--chdir", "/srv", "--hostname", "svc",
			       "--net", "host", "--user", "1000:2000", "--userns", "private",
			       "--stop-timeout", "3", "--cgroup-parent", "/husk.slice/svc", "--",
			       "/app"),
			 0);
	assert_string_equal(p.rootfs, "/tmp");
	assert_int_equal(p.n_mounts, 3);
	assert_int_equal(p.mounts[0].kind, MOUNT_BIND);
	assert_true(p.mounts[0].readonly);
	assert_string_equal(p.mounts[0].src, "/etc");
	assert_string_equal(p.mounts[0].dst, "/host-etc");
	assert_false(p.mounts[1].readonly);
	assert_int_equal(p.mounts[2].kind, MOUNT_TMPFS);
	assert_true(p.mounts[2].size == 1 << 20);
	assert_true(p.cap_add == ((1ull << CAP_NET_BIND_SERVICE) | (1ull << CAP_CHOWN)));
	assert_string_equal(p.cwd, "/srv");
	assert_string_equal(p.hostname, "svc");
	assert_int_equal(p.net, NET_HOST);
	assert_true(p.user_set);
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.gid, 2000);
	assert_int_equal(p.stop_timeout, 3);
	assert_string_equal(p.cgroup_parent, "/husk.slice/svc");
	policy_free(&p);
}

static void test_malformed(void **state)
{
	static const char *const cases[][3] = {
		{ "--bogus", "x", "/app" },
		{ "--rootfs", "/nonexistent-husk-test", "/app" },
		{ "--rootfs", "/etc/passwd", "/app" },
		{ "--bind", "/nonexistent-husk-test:/x", "/app" },
		{ "--ro-bind", "/etc:relative", "/app" },
		{ "--tmpfs", "/tmp:size=0", "/app" },
		{ "--cap-add", "NOT_A_CAP", "/app" },
		{ "--env", "NOEQUALS", "/app" },
		{ "--env", "1A=b", "/app" },
		{ "--env-keep", "A=B", "/app" },
		{ "--chdir", "relative", "/app" },
		{ "--hostname", "bad host", "/app" },
		{ "--net", "bridge", "/app" },
		{ "--user", "root", "/app" },
		{ "--user", "1000:", "/app" },
		{ "--user", "4294967295", "/app" },
		{ "--userns", "maybe", "/app" },
		{ "--stop-timeout", "-1", "/app" },
		{ "--stop-timeout", "1.5", "/app" },
		{ "--cgroup-parent", "husk.slice", "/app" },
		{ "--cgroup-parent", "/husk.slice/../..", "/app" },
		{ "--namespaces", "some", "/app" },
		{ "--landlock", "on", "/app" },
		{ "--allow-tcp-bind", "0", "/app" },
		{ "--allow-tcp-bind", "65536", "/app" },
		{ "--allow-tcp-bind", "80,", "/app" },
		{ "--allow-tcp-bind", "90-80", "/app" },
		{ "--allow-tcp-connect", "http", "/app" },
		{ "--allow-tcp-connect", "1-100", "/app" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct husk_policy p;
		policy_init(&p);
		char *argv[] = { "run", (char *)cases[i][0], (char *)cases[i][1],
				 (char *)cases[i][2], NULL };
		capture_stderr();
		int r = policy_from_argv(&p, 4, argv, &flags);
		int lines = captured_lines();
		if (r >= 0)
			fail_msg("accepted: %s %s", cases[i][0], cases[i][1]);
		assert_int_equal(lines, 1);
		policy_free(&p);
	}
}

/* The one line names what is wrong with the value, not a generic form. */
static void test_error_texts(void **state)
{
	static const char *const cases[][3] = {
		{ "--memory", "99999999999999999999", "above husk's maximum of 256t" },
		{ "--memory", "17179869184g", "above husk's maximum of 256t" },
		{ "--memory", "1m", "at least 4m" },
		{ "--memory-swap", "99999999999999999999", "above husk's maximum of 256t" },
		{ "--rlimit", "nofile=99999999999999999999", "overflows 64 bits" },
		{ "--rlimit", "nofile=x", "expected a number" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct husk_policy p;
		policy_init(&p);
		char *argv[] = { "run", (char *)cases[i][0], (char *)cases[i][1], "/app", NULL };
		capture_stderr();
		int r = policy_from_argv(&p, 4, argv, &flags);
		int lines = captured_lines();
		if (r >= 0)
			fail_msg("accepted: %s %s", cases[i][0], cases[i][1]);
		assert_int_equal(lines, 1);
		if (!strstr(captured, cases[i][2]))
			fail_msg("%s %s: '%s' lacks '%s'", cases[i][0], cases[i][1], captured,
				 cases[i][2]);
		policy_free(&p);
	}
}

static void test_missing_value(void **state)
{
	struct husk_policy p;
	policy_init(&p);
	char *argv[] = { "run", "--rootfs", NULL };
	capture_stderr();
	assert_true(policy_from_argv(&p, 2, argv, &flags) < 0);
	assert_int_equal(captured_lines(), 1);
	policy_free(&p);
}

static void test_finalize_user_defaults(void **state)
{
	struct husk_policy p;
	char err[256];
	policy_init(&p);
	assert_int_equal(PARSE(&p, "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.gid, 1001);
	assert_int_equal(p.host_uid, 1000);
	assert_int_equal(p.host_gid, 1001);
	assert_string_equal(p.cwd, "/");
	assert_string_equal(p.hostname, HUSK_DEFAULT_HOSTNAME);
	assert_int_equal(p.net, NET_NONE);
	assert_int_equal(p.userns, USERNS_PRIVATE);
	assert_true(p.cap_add == 0);
	/* /proc, /dev and a bounded /tmp come first. */
	assert_int_equal(p.n_mounts, 3);
	assert_int_equal(p.mounts[0].kind, MOUNT_PROC);
	assert_int_equal(p.mounts[1].kind, MOUNT_DEV);
	assert_int_equal(p.mounts[2].kind, MOUNT_TMPFS);
	assert_string_equal(p.mounts[2].dst, "/tmp");
	assert_true(p.mounts[2].size == HUSK_DEFAULT_TMPFS_SIZE);
	policy_free(&p);

	/* A user maps its own ids onto whatever --user names. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--user", "0", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	assert_int_equal(p.uid, 0);
	assert_int_equal(p.host_uid, 1000);
	assert_int_equal(p.host_gid, 1001);
	policy_free(&p);
}

static void test_finalize_root_defaults(void **state)
{
	struct husk_policy p;
	char err[256];
	policy_init(&p);
	assert_int_equal(PARSE(&p, "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), 0);
	assert_int_equal(p.uid, 65534);
	assert_int_equal(p.gid, 65534);
	/* Never the same ids on the host: husk's unprivileged range. */
	assert_int_equal(p.host_uid, HUSK_ROOT_RANGE_START + 65534);
	assert_int_equal(p.host_gid, HUSK_ROOT_RANGE_START + 65534);
	assert_int_equal(p.host_ids_from, HOST_IDS_RANGE);
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--user", "1000:1000", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), 0);
	assert_int_equal(p.host_uid, HUSK_ROOT_RANGE_START + 1000);
	policy_free(&p);
}

/* The hole of issue 14: root-started "--user 0:0" was "0 0 1", real host
 * root behind every bind mount. */
static void test_finalize_root_user0_not_host_root(void **state)
{
	struct husk_policy p;
	char err[256];
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--user", "0:0", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), 0);
	assert_int_equal(p.uid, 0);
	assert_true(p.host_uid != 0 && p.host_gid != 0);
	assert_int_equal(p.host_uid, HUSK_ROOT_RANGE_START);
	policy_free(&p);

	/* The husk entry of /etc/subuid, as Docker's userns-remap. */
	struct caller c = root;
	c.root_uids = (struct id_range){ 200000, 65536 };
	c.root_gids = (struct id_range){ 300000, 65536 };
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--user", "0:5", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &c, err, sizeof(err)), 0);
	assert_int_equal(p.host_uid, 200000);
	assert_int_equal(p.host_gid, 300005);
	assert_int_equal(p.host_ids_from, HOST_IDS_SUBID);
	policy_free(&p);

	/* An id past the range is an error, not a wrap onto other ids. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--user", "65536", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &c, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "--host-user"));
	policy_free(&p);
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--user", "70000", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "fixed range"));
	policy_free(&p);
}

static void test_finalize_host_user(void **state)
{
	struct husk_policy p;
	char err[256];
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--user", "0", "--host-user", "1000:1001", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), 0);
	assert_int_equal(p.host_uid, 1000);
	assert_int_equal(p.host_gid, 1001);
	assert_int_equal(p.host_ids_from, HOST_IDS_EXPLICIT);
	policy_free(&p);

	/* Host root is --userns host, never a map. */
	policy_init(&p);
	capture_stderr();
	assert_true(PARSE(&p, "--host-user", "0", "/app") < 0);
	assert_true(PARSE(&p, "--host-user", "1000:0", "/app") < 0);
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--host-user", "1000", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), -EPERM);
	policy_free(&p);
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--host-user", "1000", "--userns", "host", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), -EINVAL);
	policy_free(&p);

	/* --userns host: the ids are the host's, said so. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--userns", "host", "--user", "1000", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), 0);
	assert_int_equal(p.host_uid, 1000);
	assert_int_equal(p.host_ids_from, HOST_IDS_SAME);
	policy_free(&p);
}

static bool env_has(const struct husk_policy *p, const char *kv)
{
	for (size_t i = 0; i < p->env.n; i++)
		if (strcmp(p->env.v[i], kv) == 0)
			return true;
	return false;
}

/* --cpus above the CPUs husk may use: clamped, with a warning, and
 * GOMAXPROCS from the clamped value. */
static void test_finalize_cpus_clamped(void **state)
{
	struct husk_policy p;
	char err[256];
	struct caller two = user;
	two.ncpus = 2;
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--cpus", "1000", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &two, err, sizeof(err)), 0);
	assert_int_equal(p.cgroup.cpu_quota_us, 200000);
	assert_true(env_has(&p, "GOMAXPROCS=2"));
	assert_int_equal(p.warnings.n, 1);
	assert_non_null(strstr(p.warnings.v[0], "--cpus 1000.00 is more than the 2 CPUs"));
	policy_free(&p);
	/* Within the count: as asked, no warning. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--cpus", "1.5", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &two, err, sizeof(err)), 0);
	assert_int_equal(p.cgroup.cpu_quota_us, 150000);
	assert_true(env_has(&p, "GOMAXPROCS=2"));
	assert_int_equal(p.warnings.n, 0);
	policy_free(&p);
}

/* --cgroup auto without the memory limit: GOMEMLIMIT goes with it, unless
 * the caller set it; the CPU limit and its GOMAXPROCS stay. */
static void test_limits_in_force(void **state)
{
	struct husk_policy p;
	char err[256];
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--cgroup", "auto", "--memory", "100m", "--cpus", "1", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	assert_true(env_has(&p, "GOMEMLIMIT=94371840"));
	struct cg_degraded d = { 0 };
	cg_degrade(&d, &p.cgroup, 1u << CGK_MEMORY, "no memory controller");
	policy_limits_in_force(&p, &d);
	assert_int_equal(p.cgroup.memory_max, 0);
	assert_int_equal(p.cgroup.cpu_quota_us, 100000);
	assert_false(env_has(&p, "GOMEMLIMIT=94371840"));
	assert_true(env_has(&p, "GOMAXPROCS=1"));
	assert_int_equal(p.warnings.n, 1); /* --memory; its swap cap goes with it */
	assert_non_null(strstr(p.warnings.v[0], "--memory is not in force: no memory controller"));
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--cgroup", "auto", "--memory", "100m", "--env", "GOMEMLIMIT=50MiB",
			       "/app"),
			 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	memset(&d, 0, sizeof(d));
	cg_degrade(&d, &p.cgroup, 1u << CGK_MEMORY, "x");
	policy_limits_in_force(&p, &d);
	assert_true(env_has(&p, "GOMEMLIMIT=50MiB"));
	policy_free(&p);
}

static void test_finalize_user_tmp_replaces_default(void **state)
{
	struct husk_policy p;
	char err[256];
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--tmpfs", "/tmp:size=1m", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	assert_int_equal(p.n_mounts, 3);
	assert_string_equal(p.mounts[2].dst, "/tmp");
	assert_true(p.mounts[2].size == 1 << 20);
	policy_free(&p);
}

static void test_finalize_env(void **state)
{
	struct husk_policy p;
	char err[256];
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--env-keep", "LANG", "--env-keep", "MISSING", "--env", "A=1",
			       "--env", "A=2", "--env", "PATH=/bin", "/app"),
			 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	assert_int_equal(p.env.n, 4);
	assert_string_equal(p.env.v[0], "PATH=/bin");
	assert_string_equal(p.env.v[1], "HOME=/");
	assert_string_equal(p.env.v[2], "LANG=C.UTF-8");
	assert_string_equal(p.env.v[3], "A=2");
	for (size_t i = 0; i < p.env.n; i++)
		assert_null(strstr(p.env.v[i], "SECRET"));
	policy_free(&p);
}

static void test_finalize_errors(void **state)
{
	struct husk_policy p;
	char err[256];

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--net", "none"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no program"));
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--userns", "host", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), -EPERM);
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--net", "host", "--cap-add", "NET_BIND_SERVICE", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--userns host"));
	policy_free(&p);

	/* As root without a user namespace the same request is fine. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--userns", "host", "--net", "host", "--cap-add",
			       "NET_BIND_SERVICE", "/app"),
			 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), 0);
	policy_free(&p);

	static const char *const reserved[] = { "/proc", "/proc/sys", "/dev" };
	for (size_t i = 0; i < 3; i++) {
		char arg[64];
		snprintf(arg, sizeof(arg), "%s:size=1m", reserved[i]);
		policy_init(&p);
		assert_int_equal(PARSE(&p, "--tmpfs", arg, "/app"), 0);
		assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), -EINVAL);
		policy_free(&p);
	}
}

/* --namespaces, --landlock and the port lists. */
static void test_isolation_options(void **state)
{
	struct husk_policy p;
	policy_init(&p);
	assert_int_equal(p.namespaces, NS_REQUIRED);
	assert_int_equal(p.landlock, LANDLOCK_AUTO);
	assert_int_equal(PARSE(&p, "--namespaces", "auto", "--landlock", "required", "--allow-tcp-bind",
			       "80,8000-8002", "--allow-tcp-connect", "none", "/app"),
			 0);
	assert_int_equal(p.namespaces, NS_AUTO);
	assert_int_equal(p.landlock, LANDLOCK_REQUIRED);
	assert_true(p.tcp_bind.set);
	assert_int_equal(p.tcp_bind.n, 4);
	assert_int_equal(p.tcp_bind.v[0], 80);
	assert_int_equal(p.tcp_bind.v[3], 8002);
	assert_true(p.tcp_connect.set);
	assert_int_equal(p.tcp_connect.n, 0);
	policy_free(&p);
	/* A later list replaces an earlier one, as a later option does. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--allow-tcp-bind", "80", "--allow-tcp-bind", "443", "--namespaces",
			       "none", "--landlock", "off", "/app"),
			 0);
	assert_int_equal(p.tcp_bind.n, 1);
	assert_int_equal(p.tcp_bind.v[0], 443);
	assert_int_equal(p.namespaces, NS_NONE);
	assert_int_equal(p.landlock, LANDLOCK_OFF);
	policy_free(&p);
}

/* --namespaces none: what in place cannot do is refused at finalize, with
 * the fix; what it gives up is one warning per layer. */
static void test_finalize_in_place(void **state)
{
	struct husk_policy p;
	char err[512];
	struct caller ll = root;
	ll.landlock_abi = 7;

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--namespaces", "none", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &ll, err, sizeof(err)), 0);
	assert_true(p.in_place);
	assert_string_equal(p.rootfs, "/");
	/* Root's default ids, as with namespaces, and no map: the same ids. */
	assert_int_equal(p.uid, 65534);
	assert_int_equal(p.host_uid, 65534);
	assert_int_equal(p.host_ids_from, HOST_IDS_SAME);
	assert_int_equal(p.warnings.n, 5);
	assert_non_null(strstr(p.warnings.v[0], "no user namespace"));
	assert_non_null(strstr(p.warnings.v[4], "no network namespace"));
	policy_free(&p);

	/* Without Landlock, a sixth line says the root is not read-only. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--namespaces", "none", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), 0);
	assert_int_equal(p.warnings.n, 6);
	assert_non_null(strstr(p.warnings.v[5], "no Landlock"));
	policy_free(&p);

	static const char *const refused[][4] = {
		{ "--rootfs", "/tmp", "--rootfs /tmp", NULL },
		{ "--bind", "/tmp:/data", "make /data a volume", NULL },
		{ "--host-user", "5000", "--host-user", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		policy_init(&p);
		assert_int_equal(PARSE(&p, "--namespaces", "none", (char *)refused[i][0], (char *)refused[i][1], "/app"), 0);
		assert_true(policy_finalize(&p, &ll, err, sizeof(err)) < 0);
		if (!strstr(err, refused[i][2]))
			fail_msg("%s %s: %s", refused[i][0], refused[i][1], err);
		policy_free(&p);
	}
	/* A bind in place is the container's volume at the same path. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--namespaces", "none", "--bind", "/tmp", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &ll, err, sizeof(err)), 0);
	policy_free(&p);

	/* A normal user cannot switch ids without a user namespace. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--namespaces", "none", "--user", "0:0", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "drop --user"));
	policy_free(&p);

	/* A network capability acts on the network husk runs in: allowed. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--namespaces", "none", "--cap-add", "NET_BIND_SERVICE", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &ll, err, sizeof(err)), 0);
	policy_free(&p);

	/* Port rules need Landlock ABI 4 and Landlock on. */
	struct caller old = root;
	old.landlock_abi = 3;
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--allow-tcp-bind", "80", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &old, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "ABI 4"));
	policy_free(&p);
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--allow-tcp-bind", "80", "--landlock", "off", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &ll, err, sizeof(err)), -EINVAL);
	policy_free(&p);
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--landlock", "required", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &root, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "no Landlock"));
	policy_free(&p);
}

/* The Go variables follow the limits of the cgroup husk runs in (a
 * container's), unless husk has its own or the caller set them. */
static void test_go_env_from_own_cgroup(void **state)
{
	struct husk_policy p;
	char err[256];
	struct caller in = user;
	in.ncpus = 2;
	in.own_memory_max = 512ull << 20;
	in.own_cpu_quota_us = 150000;
	in.own_cpu_period_us = 100000;
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--namespaces", "auto", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &in, err, sizeof(err)), 0);
	assert_true(env_has(&p, "GOMEMLIMIT=483183819"));
	assert_true(env_has(&p, "GOMAXPROCS=2"));
	/* Not husk's own limits: --cgroup auto never takes them back. */
	assert_int_equal(p.go_env_derived, 0);
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--memory", "100m", "--env", "GOMAXPROCS=7", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &in, err, sizeof(err)), 0);
	assert_true(env_has(&p, "GOMEMLIMIT=94371840"));
	assert_true(env_has(&p, "GOMAXPROCS=7"));
	policy_free(&p);

	/* A container quota above the CPUs husk may use: clamped. */
	in.own_cpu_quota_us = 800000;
	policy_init(&p);
	assert_int_equal(PARSE(&p, "/app"), 0);
	assert_int_equal(policy_finalize(&p, &in, err, sizeof(err)), 0);
	assert_true(env_has(&p, "GOMAXPROCS=2"));
	policy_free(&p);
}

static void test_help_is_generated_from_the_table(void **state)
{
	for (const struct husk_option *o = husk_run_options; o->name; o++) {
		assert_non_null(o->help);
		/* Only --profile is read by the front ends themselves. */
		if (strcmp(o->name, "profile") != 0)
			assert_non_null(o->apply);
		assert_ptr_equal(options_find(o->name), o);
	}
	assert_null(options_find("nope"));
	struct husk_policy p;
	policy_init(&p);
	int devnull = open("/dev/null", O_WRONLY);
	int saved = dup(1);
	dup2(devnull, 1);
	int r = PARSE(&p, "--help");
	dup2(saved, 1);
	close(saved);
	close(devnull);
	assert_int_equal(r, 1);
	policy_free(&p);
}

/* Every option is in exactly one --help section, and every section name
 * is an option. */
static void test_help_groups(void **state)
{
	for (const struct husk_option *o = husk_run_options; o->name; o++)
		if (!options_help_group(o->name))
			fail_msg("--%s is in no --help section", o->name);
}

static char *help_text(enum help_scope scope)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	options_print_help(f, scope);
	fclose(f);
	return buf;
}

/* Within 80 columns, and each command's help shows only what it takes. */
static void test_help_scoped_and_narrow(void **state)
{
	for (int sc = HELP_ALL; sc <= HELP_CHECK; sc++) {
		char *h = help_text((enum help_scope)sc);
		for (char *line = h, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			size_t n = nl ? (size_t)(nl - line) : strlen(line);
			if (n > 80)
				fail_msg("help line of %zu columns: %.*s", n, (int)n, line);
		}
		bool has_json = strstr(h, "--json") != NULL, has_timing = strstr(h, "--timing") != NULL;
		assert_non_null(strstr(h, "--rootfs DIR"));
		if (sc == HELP_RUN)
			assert_true(has_timing && !has_json);
		if (sc == HELP_CHECK)
			assert_true(has_json && !has_timing);
		if (sc == HELP_ALL)
			assert_true(has_json && has_timing);
		free(h);
	}
}

/* Short options are refused, not run as the program; -h is help. */
static void test_short_options_and_bwrap_form(void **state)
{
	struct husk_policy p;
	policy_init(&p);
	capture_stderr();
	assert_true(PARSE(&p, "--rootfs", "/", "-v") < 0);
	assert_int_equal(captured_lines(), 1);
	assert_non_null(strstr(captured, "unknown option -v: husk takes long options only"));
	policy_free(&p);

	policy_init(&p);
	int devnull = open("/dev/null", O_WRONLY), saved = dup(1);
	dup2(devnull, 1);
	int r = PARSE(&p, "--rootfs", "/", "-h");
	dup2(saved, 1);
	close(saved);
	close(devnull);
	assert_int_equal(r, 1);
	policy_free(&p);

	/* bubblewrap's --ro-bind SRC DST, with more options to come. */
	policy_init(&p);
	capture_stderr();
	assert_true(PARSE(&p, "--ro-bind", "/etc", "/etc2", "--", "/app") < 0);
	assert_int_equal(captured_lines(), 1);
	assert_non_null(strstr(captured, "bubblewrap's two-argument form"));
	assert_non_null(strstr(captured, "--ro-bind /etc:/etc2"));
	policy_free(&p);
	/* Without a later --, /bin/true is the program, as written. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--ro-bind", "/etc", "/bin/true"), 0);
	assert_string_equal(p.argv.v[0], "/bin/true");
	policy_free(&p);
	/* After --, anything is the program's. */
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--", "-v"), 0);
	assert_string_equal(p.argv.v[0], "-v");
	policy_free(&p);
}

/* A later option takes back what an earlier one (or a profile) added. */
static void test_inverse_options(void **state)
{
	struct husk_policy p;
	policy_init(&p);
	assert_int_equal(PARSE(&p, "--cap-add", "NET_RAW", "--cap-add", "NET_BIND_SERVICE", "--cap-drop",
			       "NET_RAW", "/app"),
			 0);
	assert_true(p.cap_add == (1ull << CAP_NET_BIND_SERVICE));
	assert_int_equal(PARSE(&p, "--cap-drop", "all", "/app"), 0);
	assert_true(p.cap_add == 0);
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--env", "A=1", "--env", "B=2", "--env-keep", "TERM", "--env-keep",
			       "LANG", "--env-drop", "A", "--env-drop", "TERM", "/app"),
			 0);
	assert_int_equal(p.env_set.n, 1);
	assert_string_equal(p.env_set.v[0], "B=2");
	assert_int_equal(p.env_keep.n, 1);
	assert_string_equal(p.env_keep.v[0], "LANG");
	assert_int_equal(PARSE(&p, "--env-clear", "/app"), 0);
	assert_int_equal(p.env_set.n + p.env_keep.n, 0);
	policy_free(&p);
}

/* The completion scripts come from the table: every option is in both. */
static void test_completion_from_table(void **state)
{
	for (int sh = 0; sh < 2; sh++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (sh == 0)
			completion_bash(f);
		else
			completion_zsh(f);
		fclose(f);
		char want[80];
		for (const struct husk_option *o = husk_run_options; o->name; o++) {
			snprintf(want, sizeof(want), "--%s%s", o->name, sh ? "[" : " ");
			if (!strstr(buf, want))
				fail_msg("%s completion lacks %s", sh ? "zsh" : "bash", want);
		}
		/* Choices from the placeholder, directories for --rootfs. */
		assert_non_null(strstr(buf, sh ? "(none host ns: veth)" : "--net) COMPREPLY=($(compgen -W 'none host ns: veth'"));
		assert_non_null(strstr(buf, sh ? ":DIR:_files -/" : "--rootfs) COMPREPLY=($(compgen -d"));
		free(buf);
	}
}

/* The man page documents every option of the table, so the table (which
 * drives the parser, profiles and --help) and husk(1) cannot drift. */
static void test_man_page_names_every_option(void **state)
{
	char want[128];
	char *man = read_source("man/husk.1.in");
	assert_non_null(man);
	const char *names[128];
	size_t n = 0;
	for (const struct husk_option *o = husk_run_options; o->name; o++)
		names[n++] = o->name;
	for (size_t i = 0; front_options[i].name; i++)
		names[n++] = front_options[i].name;
	names[n++] = "help";
	names[n++] = "version";
	for (size_t i = 0; i < n; i++) {
		/* groff spells "--cap-add" as "\-\-cap\-add", at the start of
		 * an option's own paragraph (.B, .BI or .BR). */
		size_t k = snprintf(want, sizeof(want), "\\-\\-");
		for (const char *c = names[i]; *c && k + 3 < sizeof(want); c++) {
			if (*c == '-')
				want[k++] = '\\';
			want[k++] = *c;
		}
		want[k] = '\0';
		char para[3][160];
		snprintf(para[0], sizeof(para[0]), "\n.B %s\n", want);
		snprintf(para[1], sizeof(para[1]), "\n.BI %s ", want);
		snprintf(para[2], sizeof(para[2]), "\n.BR %s ", want);
		if (!strstr(man, para[0]) && !strstr(man, para[1]) && !strstr(man, para[2]))
			fail_msg("husk(1) has no paragraph for --%s (looked for .B %s)", names[i], want);
	}
	free(man);
}

/* Issue 22, misreadings 5 and 7: sizes above 256t and --cpus in any
 * spelling but plain decimal are refused; limits in check --json are
 * printed unsigned. */
static void test_size_and_cpus_spellings(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
		{ "--memory", "300t" },	   { "--memory-swap", "18446744073709551615" },
		{ "--memory-high", "257t" }, { "--cpus", " 1" },
		{ "--cpus", "0x1p3" },	   { "--cpus", "+1" },
		{ "--cpus", "1e1" },	   { "--cpus", "inf" },
		{ "--cpus", "nan" },	   { "--cpus", "." },
		{ "--cpus", "1.2.3" },	   { "--cpus", "-0.5" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct husk_policy p;
		policy_init(&p);
		capture_stderr();
		if (PARSE(&p, (char *)bad[i][0], (char *)bad[i][1], "/app") >= 0)
			fail_msg("%s '%s' was accepted", bad[i][0], bad[i][1]);
		policy_free(&p);
	}
	static const char *const good[][2] = {
		{ "--cpus", "0.5" }, { "--cpus", "2" }, { "--cpus", ".5" }, { "--cpus", "1." },
		{ "--memory", "256t" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct husk_policy p;
		policy_init(&p);
		if (PARSE(&p, (char *)good[i][0], (char *)good[i][1], "/app") != 0)
			fail_msg("%s '%s' was refused", good[i][0], good[i][1]);
		policy_free(&p);
	}
}

static void test_seccomp_options(void **state)
{
	struct husk_policy p;
	char err[512];
	policy_init(&p);
	assert_int_equal(PARSE(&p, "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	assert_false(p.seccomp_unconfined);
	assert_non_null(p.seccomp); /* the default profile, loaded */
	assert_non_null(sc_profile_find(p.seccomp, "read"));
	assert_false(p.seccomp_log);
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--seccomp", "go-service", "--seccomp-log", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	assert_true(p.seccomp_log);
	assert_null(sc_profile_find(p.seccomp, "mount"));
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--seccomp", "strict", "--seccomp", "unconfined", "/app"), 0);
	assert_int_equal(policy_finalize(&p, &user, err, sizeof(err)), 0);
	assert_true(p.seccomp_unconfined);
	assert_null(p.seccomp);
	policy_free(&p);

	policy_init(&p);
	assert_int_equal(PARSE(&p, "--seccomp", "no-such-profile", "/app"), 0);
	assert_true(policy_finalize(&p, &user, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "no-such-profile"));
	policy_free(&p);

	policy_init(&p);
	capture_stderr();
	assert_true(PARSE(&p, "--seccomp-log=yes", "/app") < 0);
	assert_int_equal(captured_lines(), 1);
	policy_free(&p);
}

int main(void)
{
	const char *src = getenv("HUSK_SRCDIR");
	snprintf(profiles, sizeof(profiles), "%s/profiles", src ? src : ".");
	static struct search_path sp;
	search_path_init(&sp, profiles, NULL, NULL, NULL);
	user.profiles = &sp;
	root.profiles = &sp;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_and_args),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_error_texts),
		cmocka_unit_test(test_finalize_cpus_clamped),
		cmocka_unit_test(test_limits_in_force),
		cmocka_unit_test(test_finalize_user_defaults),
		cmocka_unit_test(test_finalize_root_defaults),
		cmocka_unit_test(test_finalize_root_user0_not_host_root),
		cmocka_unit_test(test_finalize_host_user),
		cmocka_unit_test(test_finalize_user_tmp_replaces_default),
		cmocka_unit_test(test_finalize_env),
		cmocka_unit_test(test_finalize_errors),
		cmocka_unit_test(test_isolation_options),
		cmocka_unit_test(test_finalize_in_place),
		cmocka_unit_test(test_go_env_from_own_cgroup),
		cmocka_unit_test(test_help_is_generated_from_the_table),
		cmocka_unit_test(test_help_groups),
		cmocka_unit_test(test_help_scoped_and_narrow),
		cmocka_unit_test(test_short_options_and_bwrap_form),
		cmocka_unit_test(test_inverse_options),
		cmocka_unit_test(test_completion_from_table),
		cmocka_unit_test(test_man_page_names_every_option),
		cmocka_unit_test(test_size_and_cpus_spellings),
		cmocka_unit_test(test_seccomp_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
