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

#include "limits/cgroup.h"

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
	/* Issue 22, misreading 6: memory + swap wrapped, a memsw limit of
	 * almost nothing. parse_size keeps both at most 2^48 now; the sum
	 * saturates all the same for any caller that did not. */
	struct cg_limits huge = { .memory_max = UINT64_MAX - 10, .memory_swap = 100,
				  .memory_swap_set = true };
	h.controllers = 1u << CG_MEMORY;
	n = cg_writes(&h, &huge, w, 16);
	assert_int_equal(n, 2);
	assert_string_equal(w[1].file, "memory.memsw.limit_in_bytes");
	assert_string_equal(w[1].value, "18446744073709551615");
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
	if (cg_create(root, &plan, &limits, "husk.123", &cg, NULL, err, sizeof(err)) < 0)
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
	assert_true(cg_create(root, &plan, &limits, "husk.123", &again, NULL, err, sizeof(err)) < 0);
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
	assert_true(cg_create(root, &plan, &limits, "husk.9", &cg, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "memory"));
	char leaf[1200];
	snprintf(leaf, sizeof(leaf), "%s/sys/fs/cgroup/cpu/husk.9", root);
	struct stat st;
	assert_int_equal(stat(leaf, &st), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static void test_knobs(void **state)
{
	struct cg_limits l = { .memory_max = 64ull << 20, .memory_high = 32ull << 20, .io_weight = 200 };
	unsigned k = cg_knobs(&l);
	assert_int_equal(k, 1u << CGK_MEMORY | 1u << CGK_MEMORY_SWAP | 1u << CGK_MEMORY_HIGH |
				    1u << CGK_IO_WEIGHT);
	assert_int_equal(cg_knobs_of(1u << CG_IO), 1u << CGK_IO_WEIGHT);
	assert_string_equal(cg_knob_option(CGK_IO_WEIGHT), "--io-weight");
	struct cg_degraded d = { 0 };
	/* Dropping the memory limit drops the swap cap with it. */
	cg_degrade(&d, &l, 1u << CGK_MEMORY, "why");
	assert_int_equal(d.dropped, 1u << CGK_MEMORY | 1u << CGK_MEMORY_SWAP);
	/* A knob not set is never recorded; the first reason stays. */
	cg_degrade(&d, &l, 1u << CGK_PIDS | 1u << CGK_MEMORY, "later");
	assert_int_equal(d.dropped, 1u << CGK_MEMORY | 1u << CGK_MEMORY_SWAP);
	assert_string_equal(d.why[CGK_MEMORY], "why");
	cg_limits_drop(&l, d.dropped);
	assert_int_equal(l.memory_max, 0);
	assert_int_equal(l.memory_high, 32ull << 20);
	assert_int_equal(cg_needed(&l), 1u << CG_MEMORY | 1u << CG_IO);
}

static void test_writes_weights_and_v1_high(void **state)
{
	struct cg_limits l = { .memory_high = 32ull << 20, .io_weight = 5000 };
	struct cg_hierarchy h = { .version = 1, .controllers = 1u << CG_MEMORY | 1u << CG_IO };
	struct cg_write w[16];
	assert_int_equal(cg_writes(&h, &l, w, 16), 2);
	/* v1 has no memory.high: a write with no file, for the caller to refuse. */
	assert_string_equal(w[0].file, "");
	assert_int_equal(w[0].knob, CGK_MEMORY_HIGH);
	assert_string_equal(w[1].file, "blkio.weight");
	assert_string_equal(w[1].alt, "blkio.bfq.weight");
	assert_string_equal(w[1].alt_value, "1000"); /* BFQ's range ends at 1000 */
	h.version = 2;
	assert_int_equal(cg_writes(&h, &l, w, 16), 2);
	assert_string_equal(w[0].file, "memory.high");
	assert_string_equal(w[1].file, "io.weight");
	assert_string_equal(w[1].value, "5000");
	assert_string_equal(w[1].alt, "io.bfq.weight");
}

/* --cgroup auto: the knob that cannot apply goes, the others are written. */
static void test_fake_v1_degraded(void **state)
{
	char root[] = "/tmp/husk-cg-XXXXXX";
	assert_non_null(mkdtemp(root));
	char cmd[1200], err[512], buf[64];
	struct cg_plan plan;
	struct cg_limits l = { .memory_max = 64ull << 20, .memory_high = 32ull << 20, .pids_max = 64 };
	unsigned need = 1u << CG_MEMORY | 1u << CG_PIDS;
	assert_int_equal(cg_plan_from(hybrid_mountinfo, hybrid_cgroup, need, &plan, err, sizeof(err)), 0);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sys/fs/cgroup/memory/process_api/3e22 %s/sys/fs/cgroup/pids",
		 root, root);
	assert_int_equal(system(cmd), 0);
	struct cgroup cg;
	/* Required: refused, naming the option. */
	assert_int_equal(cg_create(root, &plan, &l, "husk.7", &cg, NULL, err, sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "--memory-high: cgroup v1 has no memory.high"));
	struct cg_degraded d = { 0 };
	assert_int_equal(cg_create(root, &plan, &l, "husk.7", &cg, &d, err, sizeof(err)), 0);
	assert_int_equal(d.dropped, 1u << CGK_MEMORY_HIGH);
	assert_non_null(strstr(d.why[CGK_MEMORY_HIGH], "no memory.high"));
	assert_int_equal(cg.n, 2);
	snprintf(cmd, sizeof(cmd), "%s/memory.limit_in_bytes", cg.dir[0]);
	slurp(cmd, buf, sizeof(buf));
	assert_string_equal(buf, "67108864");
	snprintf(cmd, sizeof(cmd), "%s/pids.max", cg.dir[1]);
	slurp(cmd, buf, sizeof(buf));
	assert_string_equal(buf, "64");
	cg_destroy(&cg);

	/* A hierarchy that cannot be made: only its knobs go. */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/sys/fs/cgroup/pids", root);
	assert_int_equal(system(cmd), 0);
	memset(&d, 0, sizeof(d));
	l.memory_high = 0;
	assert_int_equal(cg_create(root, &plan, &l, "husk.8", &cg, &d, err, sizeof(err)), 0);
	assert_int_equal(d.dropped, 1u << CGK_PIDS);
	assert_int_equal(cg.n, 1);
	cg_destroy(&cg);

	/* husk check sees the same from the parent groups. */
	memset(&d, 0, sizeof(d));
	l.memory_high = 1 << 30;
	cg_check_knobs(root, &plan, &l, NULL, &d);
	assert_int_equal(d.dropped, 1u << CGK_MEMORY_HIGH);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static void test_check_weight_files(void **state)
{
	static const char mi[] = "38 31 0:35 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n";
	char root[] = "/tmp/husk-cg-XXXXXX";
	assert_non_null(mkdtemp(root));
	char cmd[1200], err[512];
	struct cg_plan plan;
	struct cg_limits l = { .io_weight = 200 };
	assert_int_equal(cg_plan_from(mi, "7:blkio:/\n", 1u << CG_IO, &plan, err, sizeof(err)), 0);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sys/fs/cgroup/blkio", root);
	assert_int_equal(system(cmd), 0);
	struct cg_degraded d = { 0 };
	cg_check_knobs(root, &plan, &l, NULL, &d);
	assert_int_equal(d.dropped, 1u << CGK_IO_WEIGHT);
	assert_non_null(strstr(d.why[CGK_IO_WEIGHT], "neither blkio.weight nor blkio.bfq.weight"));
	/* With BFQ's file the weight applies. */
	snprintf(cmd, sizeof(cmd), "touch %s/sys/fs/cgroup/blkio/blkio.bfq.weight", root);
	assert_int_equal(system(cmd), 0);
	memset(&d, 0, sizeof(d));
	cg_check_knobs(root, &plan, &l, NULL, &d);
	assert_int_equal(d.dropped, 0);
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

/* The limits of the group husk runs in: a container's --memory and
 * --cpus, on v2 and on the v1 hierarchies of a hybrid host; "max", -1 and
 * v1's near-2^63 value mean none. */
static void test_own_limits(void **state)
{
	(void)state;
	char root[] = "/tmp/husk-cg-XXXXXX", cmd[4096], err[512];
	assert_non_null(mkdtemp(root));
	struct cg_plan plan;
	struct cg_own_limits own;
	assert_int_equal(cg_plan_from(v2_mountinfo, v2_cgroup, 1u << CG_MEMORY | 1u << CG_CPU, &plan,
				      err, sizeof(err)),
			 0);
	snprintf(cmd, sizeof(cmd),
		 "d=%s/sys/fs/cgroup%s && mkdir -p $d && echo 536870912 >$d/memory.max && "
		 "echo '150000 100000' >$d/cpu.max",
		 root, plan.h[0].own);
	assert_int_equal(system(cmd), 0);
	cg_read_own_limits(root, &plan, &own);
	assert_int_equal(own.memory_max, 536870912);
	assert_int_equal(own.cpu_quota_us, 150000);
	assert_int_equal(own.cpu_period_us, 100000);
	snprintf(cmd, sizeof(cmd),
		 "d=%s/sys/fs/cgroup%s && echo max >$d/memory.max && echo 'max 100000' >$d/cpu.max",
		 root, plan.h[0].own);
	assert_int_equal(system(cmd), 0);
	cg_read_own_limits(root, &plan, &own);
	assert_int_equal(own.memory_max, 0);
	assert_int_equal(own.cpu_quota_us, 0);

	assert_int_equal(cg_plan_from(hybrid_mountinfo, hybrid_cgroup, 1u << CG_MEMORY | 1u << CG_CPU,
				      &plan, err, sizeof(err)),
			 0);
	snprintf(cmd, sizeof(cmd),
		 "m=%s/sys/fs/cgroup/memory/process_api/3e22 c=%s/sys/fs/cgroup/cpu && mkdir -p $m $c && "
		 "echo 268435456 >$m/memory.limit_in_bytes && echo 50000 >$c/cpu.cfs_quota_us && "
		 "echo 100000 >$c/cpu.cfs_period_us",
		 root, root);
	assert_int_equal(system(cmd), 0);
	cg_read_own_limits(root, &plan, &own);
	assert_int_equal(own.memory_max, 268435456);
	assert_int_equal(own.cpu_quota_us, 50000);
	assert_int_equal(own.cpu_period_us, 100000);
	snprintf(cmd, sizeof(cmd),
		 "echo 9223372036854771712 >%s/sys/fs/cgroup/memory/process_api/3e22/memory.limit_in_bytes "
		 "&& echo -1 >%s/sys/fs/cgroup/cpu/cpu.cfs_quota_us",
		 root, root);
	assert_int_equal(system(cmd), 0);
	cg_read_own_limits(root, &plan, &own);
	assert_int_equal(own.memory_max, 0);
	assert_int_equal(own.cpu_quota_us, 0);
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
		cmocka_unit_test(test_knobs),
		cmocka_unit_test(test_writes_weights_and_v1_high),
		cmocka_unit_test(test_fake_v1_degraded),
		cmocka_unit_test(test_check_weight_files),
		cmocka_unit_test(test_own_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
