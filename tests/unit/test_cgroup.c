#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"

/* This machine's layout: hybrid, controllers in v1, v2 holding none. */
static const char hybrid_mountinfo[] =
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"37 30 0:34 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"39 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_cgroup[] = "8:pids:/\n"
				    "4:memory:/process_api/3e22\n"
				    "1:cpu:/\n"
				    "2:cpuacct:/\n"
				    "0::/\n";

/* A systemd host on pure v2, husk started in a delegated scope. */
static const char v2_mountinfo[] =
	"24 1 0:21 / / rw - ext4 /dev/vda rw\n"
	"35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";
static const char v2_cgroup[] =
	"0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-husk.scope\n";

static const unsigned all3 = 1u << CG_MEMORY | 1u << CG_PIDS | 1u << CG_CPU;

static void test_plan_hybrid(void **state)
{
	struct cg_plan plan;
	char err[256];
	assert_int_equal(cg_plan_from(hybrid_mountinfo, hybrid_cgroup, all3, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.n, 3);
	for (size_t i = 0; i < plan.n; i++)
		assert_int_equal(plan.h[i].version, 1);
	assert_string_equal(plan.h[0].mount, "/sys/fs/cgroup/cpu");
	assert_int_equal(plan.h[0].controllers, 1u << CG_CPU);
	assert_string_equal(plan.h[1].mount, "/sys/fs/cgroup/memory");
	assert_string_equal(plan.h[1].own, "/process_api/3e22");
	assert_string_equal(plan.h[2].own, "/");
}

static void test_plan_v2(void **state)
{
	struct cg_plan plan;
	char err[256];
	assert_int_equal(cg_plan_from(v2_mountinfo, v2_cgroup, all3, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.h[0].version, 2);
	assert_int_equal(plan.h[0].controllers, all3);
	assert_string_equal(plan.h[0].mount, "/sys/fs/cgroup");
	assert_string_equal(plan.h[0].own,
			    "/user.slice/user-1000.slice/user@1000.service/app.slice/run-husk.scope");
}

static void test_plan_container_root(void **state)
{
	/* Inside a container without a cgroup namespace the mount's root is
	 * the container's cgroup, and /proc/self/cgroup names full paths. */
	static const char mi[] = "40 30 0:40 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	static const char cg[] = "0::/docker/abc/svc\n";
	struct cg_plan plan;
	char err[256];
	assert_int_equal(cg_plan_from(mi, cg, 1u << CG_PIDS, &plan, err, sizeof(err)), 0);
	assert_string_equal(plan.h[0].own, "/svc");
}

static void test_plan_missing(void **state)
{
	static const char mi[] = "37 30 0:34 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
	struct cg_plan plan;
	char err[256];
	assert_int_equal(cg_plan_from(mi, "8:pids:/\n", all3, &plan, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "memory"));
	/* Nothing needed, nothing planned. */
	assert_int_equal(cg_plan_from(mi, "8:pids:/\n", 0, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.n, 0);
}

static const struct cg_limits limits = {
	.memory_max = 64ull << 20, .pids_max = 64, .cpu_quota_us = 50000, .cpu_weight = 100
};

static void test_writes_v2(void **state)
{
	struct cg_hierarchy h = { .version = 2, .controllers = all3 };
	struct cg_write w[16];
	size_t n = cg_writes(&h, &limits, w, 16);
	assert_int_equal(n, 5);
	assert_string_equal(w[0].file, "memory.max");
	assert_string_equal(w[0].value, "67108864");
	assert_string_equal(w[1].file, "memory.swap.max");
	assert_string_equal(w[1].value, "0");
	assert_string_equal(w[2].file, "pids.max");
	assert_string_equal(w[3].file, "cpu.max");
	assert_string_equal(w[3].value, "50000 100000");
	assert_string_equal(w[4].file, "cpu.weight");
	/* Only this hierarchy's controllers are written. */
	h.controllers = 1u << CG_PIDS;
	assert_int_equal(cg_writes(&h, &limits, w, 16), 1);
}

static void test_writes_v1(void **state)
{
	struct cg_hierarchy h = { .version = 1, .controllers = all3 };
	struct cg_write w[16];
	size_t n = cg_writes(&h, &limits, w, 16);
	assert_int_equal(n, 6);
	assert_string_equal(w[0].file, "memory.limit_in_bytes");
	assert_string_equal(w[1].file, "memory.memsw.limit_in_bytes");
	assert_string_equal(w[1].value, "67108864");
	assert_string_equal(w[3].file, "cpu.cfs_period_us"); /* before the quota */
	assert_string_equal(w[4].file, "cpu.cfs_quota_us");
	assert_string_equal(w[5].file, "cpu.shares");
	assert_string_equal(w[5].value, "1024");
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_fake_v2_tree(void **state)
{
	char root[] = "/tmp/husk-cg-XXXXXX";
	assert_non_null(mkdtemp(root));
	char own[1024], path[1400], buf[256], err[512];
	struct cg_plan plan;
	assert_int_equal(cg_plan_from(v2_mountinfo, v2_cgroup, all3, &plan, err, sizeof(err)), 0);
	snprintf(own, sizeof(own), "mkdir -p %s/sys/fs/cgroup%s", root, plan.h[0].own);
	assert_int_equal(system(own), 0);

	struct cgroup cg;
	if (cg_create(root, &plan, &limits, "husk.123", &cg, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(cg.n, 1);
	snprintf(path, sizeof(path), "%s/sys/fs/cgroup%s/cgroup.subtree_control", root, plan.h[0].own);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "+memory+pids+cpu");
	snprintf(path, sizeof(path), "%s/memory.max", cg.dir[0]);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "67108864");
	snprintf(path, sizeof(path), "%s/cpu.max", cg.dir[0]);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "50000 100000");

	assert_int_equal(cg_enter(&cg, 4242, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg.dir[0]);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "4242");

	assert_false(cg_oom_killed(&cg));
	snprintf(path, sizeof(path), "%s/memory.events", cg.dir[0]);
	FILE *f = fopen(path, "w");
	fputs("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", f);
	fclose(f);
	assert_true(cg_oom_killed(&cg));

	/* A second sandbox of the same name is refused, not merged. */
	struct cgroup again;
	assert_true(cg_create(root, &plan, &limits, "husk.123", &again, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "husk.123"));

	char leaf[1024];
	snprintf(leaf, sizeof(leaf), "%s", cg.dir[0]);
	cg_destroy(&cg);
	struct stat st;
	assert_int_equal(stat(leaf, &st), -1);
	snprintf(own, sizeof(own), "rm -rf %s", root);
	assert_int_equal(system(own), 0);
}

static void test_fake_v1_cleanup_on_failure(void **state)
{
	char root[] = "/tmp/husk-cg-XXXXXX";
	assert_non_null(mkdtemp(root));
	char cmd[1200], err[512];
	struct cg_plan plan;
	assert_int_equal(cg_plan_from(hybrid_mountinfo, hybrid_cgroup, all3, &plan, err, sizeof(err)), 0);
	/* cpu exists, memory's parent is missing: the cpu leaf made first must
	 * be gone again after the failure. */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sys/fs/cgroup/cpu", root);
	assert_int_equal(system(cmd), 0);
	struct cgroup cg;
	assert_true(cg_create(root, &plan, &limits, "husk.9", &cg, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "memory"));
	char leaf[1200];
	snprintf(leaf, sizeof(leaf), "%s/sys/fs/cgroup/cpu/husk.9", root);
	struct stat st;
	assert_int_equal(stat(leaf, &st), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

/* A SIGKILLed husk's groups go, its leaf (husk.PID.monitor) too; a live
 * husk's and names that are not husk's stay. */
static void test_sweep(void **state)
{
	(void)state;
	char root[] = "/tmp/husk-cg-XXXXXX", cmd[8192], err[512];
	assert_non_null(mkdtemp(root));
	struct cg_plan plan;
	assert_int_equal(cg_plan_from(v2_mountinfo, v2_cgroup, all3, &plan, err, sizeof(err)), 0);
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	char base[1400];
	snprintf(base, sizeof(base), "%s/sys/fs/cgroup%s", root, plan.h[0].own);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/husk.%d %s/husk.%d.monitor %s/husk.%d %s/husk.%d.other %s/husk.x",
		 base, (int)dead, base, (int)dead, base, (int)getpid(), base, (int)dead, base);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(cg_sweep(root, &plan), 2);
	struct stat st;
	snprintf(cmd, sizeof(cmd), "%s/husk.%d", base, (int)getpid());
	assert_int_equal(stat(cmd, &st), 0);
	snprintf(cmd, sizeof(cmd), "%s/husk.%d.other", base, (int)dead);
	assert_int_equal(stat(cmd, &st), 0);
	snprintf(cmd, sizeof(cmd), "%s/husk.%d.monitor", base, (int)dead);
	assert_int_equal(stat(cmd, &st), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_hybrid),
		cmocka_unit_test(test_plan_v2),
		cmocka_unit_test(test_plan_container_root),
		cmocka_unit_test(test_plan_missing),
		cmocka_unit_test(test_writes_v2),
		cmocka_unit_test(test_writes_v1),
		cmocka_unit_test(test_fake_v2_tree),
		cmocka_unit_test(test_fake_v1_cleanup_on_failure),
		cmocka_unit_test(test_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
