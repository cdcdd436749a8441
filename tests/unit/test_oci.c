/* The OCI front end: config.json into the policy, and every field husk
 * cannot honour refused with its JSON path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "front/oci.h"
#include "front/options.h"
#include "policy/policy.h"

static char bundle[256];

static int setup(void **state)
{
	(void)state;
	snprintf(bundle, sizeof(bundle), "/tmp/husk-test-oci.XXXXXX");
	if (!mkdtemp(bundle))
		return -1;
	char d[300];
	snprintf(d, sizeof(d), "%s/rootfs", bundle);
	return mkdir(d, 0755);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bundle);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_config(const char *json)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
}

/* A minimal valid config with the given extra top-level members, process
 * members and linux members (each "" or ", ..." JSON text). */
static void config(const char *top, const char *process, const char *lx)
{
	char json[8192];
	snprintf(json, sizeof(json),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
		 " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"/\"%s},"
		 " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
		 " {\"type\": \"user\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]%s}%s}",
		 process, lx, top);
	write_config(json);
}

/* Loads the bundle into p; returns the result and the error text. */
static int load(struct husk_policy *p, char *err, size_t len)
{
	policy_init(p);
	err[0] = '\0';
	return oci_load(p, bundle, err, len);
}

static void expect_error(const char *want)
{
	struct husk_policy p;
	char err[1024];
	int r = load(&p, err, sizeof(err));
	if (r >= 0 || !strstr(err, want))
		fail_msg("expected an error with '%s', got %d '%s'", want, r, err);
	policy_free(&p);
}

static void test_minimal(void **state)
{
	(void)state;
	config("", "", "");
	struct husk_policy p;
	char err[1024];
	assert_int_equal(load(&p, err, sizeof(err)), 0);
	assert_int_equal(p.argv.n, 1);
	assert_string_equal(p.argv.v[0], "/app");
	assert_true(p.cap_sets_set);
	assert_int_equal(p.cap_add, 0);
	assert_int_equal(p.userns, USERNS_PRIVATE);
	assert_int_equal(p.net, NET_NONE);
	assert_int_equal(p.ns_shared, CLONE_NEWCGROUP);
	assert_false(p.root_writable);
	assert_false(p.no_new_privs_off);
	/* No /dev mount in the config: the spec's default devices anyway. */
	assert_int_equal(p.n_mounts, 1);
	assert_int_equal(p.mounts[0].kind, MOUNT_DEV);
	assert_true(p.mounts[0].dev_bare);
	assert_non_null(strstr(p.oci_bundle, "husk-test-oci."));
	policy_free(&p);
}

static void test_fields(void **state)
{
	(void)state;
	config(", \"hostname\": \"box\", \"mounts\": ["
	       "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	       "{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
	       "{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},"
	       "{\"destination\": \"/data/\", \"type\": \"bind\", \"source\": \"/etc\", \"options\": [\"rbind\", \"ro\", \"noexec\"]},"
	       "{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"ro\"]}],"
	       " \"annotations\": {\"a\": \"b\"}",
	       ", \"env\": [\"A=1\", \"B=\"], \"noNewPrivileges\": false,"
	       " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 20},"
	       "              {\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615, \"hard\": 18446744073709551615}],"
	       " \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_NET_RAW\"], \"effective\": [\"CAP_KILL\"],"
	       " \"permitted\": [\"CAP_KILL\"], \"inheritable\": [], \"ambient\": [\"CAP_KILL\"]}",
	       ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
	       " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
	       " \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"],"
	       " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"kernel.shmmax\": \"100\"},"
	       " \"resources\": {\"memory\": {\"limit\": 1048576, \"swap\": 2097152, \"reservation\": 524288},"
	       "  \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000}, \"pids\": {\"limit\": 64},"
	       "  \"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
	       " \"cgroupsPath\": \"/user.slice/app\", \"rootfsPropagation\": \"rprivate\"");
	struct husk_policy p;
	char err[1024];
	assert_int_equal(load(&p, err, sizeof(err)), 0);
	assert_string_equal(p.hostname, "box");
	assert_int_equal(p.env_set.n, 2);
	assert_true(p.no_new_privs_off);
	assert_int_equal(p.warnings.n, 1);
	assert_true(p.rlimits[RLIMIT_NOFILE].set);
	assert_int_equal(p.rlimits[RLIMIT_NOFILE].soft, 10);
	assert_int_equal(p.rlimits[RLIMIT_NOFILE].hard, 20);
	assert_true(p.rlimits[RLIMIT_CORE].hard == UINT64_MAX);
	assert_int_equal(p.cap_sets.bnd, (1ull << 5) | (1ull << 13));
	assert_int_equal(p.cap_sets.eff, 1ull << 5);
	assert_int_equal(p.cap_sets.amb, 1ull << 5);
	assert_int_equal(p.cap_sets.inh, 0);
	assert_int_equal(p.n_uid_maps, 1);
	assert_int_equal(p.uid_maps[0].outside, 1000);
	assert_int_equal(p.masked_paths.n, 1);
	assert_true(p.paths_set);
	assert_int_equal(p.sysctls.n, 2);
	assert_int_equal(p.cgroup.memory_max, 1048576);
	assert_int_equal(p.cgroup.memory_swap, 1048576);
	assert_int_equal(p.cgroup.memory_high, 524288);
	assert_int_equal(p.cgroup.cpu_quota_us, 50000);
	/* runc's conversion: 1024 shares are weight 39. */
	assert_int_equal(p.cgroup.cpu_weight, 39);
	assert_int_equal(p.cgroup.pids_max, 64);
	assert_string_equal(p.cgroup_parent, "/user.slice/app");
	assert_string_equal(p.oci_annotations, "{\"a\":\"b\"}");
	/* The config's mounts in order, destinations normalised. */
	assert_int_equal(p.n_mounts, 5);
	assert_int_equal(p.mounts[0].kind, MOUNT_PROC);
	assert_int_equal(p.mounts[1].kind, MOUNT_DEV);
	assert_int_equal(p.mounts[1].size, 65536ull << 10);
	assert_int_equal(p.mounts[1].mode, 0755);
	assert_int_equal(p.mounts[2].kind, MOUNT_DEVPTS);
	assert_string_equal(p.mounts[2].data, "ptmxmode=0666,mode=0620,gid=5,newinstance");
	assert_int_equal(p.mounts[3].kind, MOUNT_BIND);
	assert_string_equal(p.mounts[3].dst, "/data");
	assert_true(p.mounts[3].readonly);
	assert_false(p.mounts[3].nonrecursive);
	assert_true(p.mounts[3].attrs & MOUNT_ATTR_NOEXEC);
	assert_int_equal(p.mounts[4].kind, MOUNT_SYSFS);
	policy_free(&p);
}

static void test_namespaces(void **state)
{
	(void)state;
	write_config("{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"rootfs\"},"
		     " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"/\"},"
		     " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
		     " {\"type\": \"network\", \"path\": \"/proc/self/ns/net\"}]}}");
	struct husk_policy p;
	char err[1024];
	assert_int_equal(load(&p, err, sizeof(err)), 0);
	assert_int_equal(p.userns, USERNS_HOST);
	assert_int_equal(p.ns_shared, CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP);
	assert_int_equal(p.n_ns_joins, 1);
	assert_int_equal(p.ns_joins[0].type, CLONE_NEWNET);
	assert_true(p.root_writable);
	policy_free(&p);

	write_config("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"rootfs\"},"
		     " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"/\"},"
		     " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}]}}");
	expect_error("linux.namespaces: no mount namespace");
	write_config("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"rootfs\"},"
		     " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"/\"},"
		     " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"pid\"}]}}");
	expect_error("linux.namespaces[2].type: pid is given twice");
	write_config("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"rootfs\"},"
		     " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"/\"},"
		     " \"linux\": {\"namespaces\": [{\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}, {\"type\": \"mount\"}]}}");
	expect_error("linux.namespaces[0].path: joining a pid namespace is not supported");
}

/* Each malformed or unsupported field: its JSON path in the one error. */
static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *top, *process, *lx, *want;
	} cases[] = {
		{ "", ", \"terminal\": true", "", "process.terminal: true is not supported" },
		{ "", "", ", \"intelRdt\": {}", "linux.intelRdt: not supported by husk" },
		{ ", \"vm\": {}", "", "", "config.json: vm: not supported by husk" },
		{ "", ", \"oomScoreAdj\": 5", "", "process.oomScoreAdj: not supported" },
		{ "", ", \"env\": [\"NOEQUALS\"]", "", "process.env[0]: 'NOEQUALS' is not NAME=VALUE" },
		{ "", ", \"capabilities\": {\"bounding\": [\"NET_RAW\"]}", "",
		  "process.capabilities.bounding[0]: 'NET_RAW' is not a capability" },
		{ "", ", \"capabilities\": {\"bounding\": [\"CAP_BOGUS\"]}", "",
		  "'CAP_BOGUS' is not a capability" },
		{ "", ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},"
		      " {\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}]",
		  "", "process.rlimits[1]: RLIMIT_NOFILE is given twice" },
		{ "", ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 9, \"hard\": 1}]", "",
		  "soft 9 is above hard 1" },
		{ "", ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": -1, \"hard\": 1}]", "",
		  "process.rlimits[0].soft: -1 is negative" },
		{ "", ", \"rlimits\": [{\"type\": \"NOFILE\", \"soft\": 1, \"hard\": 1}]", "",
		  "process.rlimits[0].type: 'NOFILE' is not an rlimit" },
		{ "", ", \"apparmorProfile\": \"docker-default\"", "",
		  "process.apparmorProfile: docker-default is not supported" },
		{ "", "", ", \"sysctl\": {\"kernel.hostname\": \"x\"}",
		  "linux.sysctl.kernel.hostname: not a sysctl of a namespace" },
		{ "", "", ", \"sysctl\": {\"kernel.shmmax\": 5}", "linux.sysctl.kernel.shmmax: expected a string" },
		{ "", "", ", \"resources\": {\"blockIO\": {}}", "linux.resources.blockIO: not supported" },
		{ "", "", ", \"resources\": {\"devices\": [{\"allow\": true, \"type\": \"c\"}]}",
		  "linux.resources.devices[0]: allow rules are not supported" },
		{ "", "", ", \"resources\": {\"memory\": {\"limit\": \"1g\"}}",
		  "linux.resources.memory.limit: expected an integer, found a string" },
		{ "", "", ", \"resources\": {\"memory\": {\"swap\": 10}}", "linux.resources.memory.swap: is memory plus swap" },
		{ "", "", ", \"rootfsPropagation\": \"shared\"", "linux.rootfsPropagation: shared is not supported" },
		{ "", "", ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 4294967000, \"size\": 1000}]",
		  "linux.uidMappings[0]: runs past the 32-bit id space" },
		{ "", "", ", \"cgroupsPath\": \"system.slice:husk:app\"", "linux.cgroupsPath: system.slice:husk:app" },
		{ "", "", ", \"devices\": [{\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 5}]",
		  "linux.devices[0]: /dev/null on the host is not c 1:5" },
		{ "", "", ", \"devices\": [{\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"uid\": 5}]",
		  "linux.devices[0]: uid and gid are not supported" },
		{ ", \"mounts\": [{\"destination\": \"tmp\", \"type\": \"tmpfs\"}]", "", "",
		  "mounts[0].destination: tmp is relative" },
		{ ", \"mounts\": [{\"destination\": \"/a/../b\", \"type\": \"tmpfs\"}]", "", "",
		  "mounts[0].destination: /a/../b has . or .. components" },
		{ ", \"mounts\": [{\"destination\": \"/x\", \"type\": \"ext4\", \"source\": \"/dev/sda\"}]", "", "",
		  "mounts[0].type: 'ext4' is not supported" },
		{ ", \"mounts\": [{\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [\"size=0\"]}]", "", "",
		  "mounts[0].options: 'size=0' is not a valid value" },
		{ ", \"mounts\": [{\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [\"suid\"]}]", "", "",
		  "mounts[0].options: 'suid' is not a tmpfs option" },
		{ ", \"mounts\": [{\"destination\": \"/x\", \"type\": \"bind\", \"options\": [\"rbind\"]}]", "", "",
		  "mounts[0].source: missing" },
		{ ", \"hooks\": {\"prestart\": [{\"path\": \"relative\"}]}", "", "",
		  "hooks.prestart[0].path: relative" },
		{ ", \"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"timeout\": 0}]}", "", "",
		  "hooks.prestart[0].timeout: 0 is out of range" },
		{ ", \"hooks\": {\"onExit\": []}", "", "", "hooks.onExit: not supported" },
		{ ", \"hostname\": 5", "", "", "hostname: expected a string, found an integer" },
		{ ", \"domainname\": \"corp\"", "", "", "domainname: corp is not supported" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config(cases[i].top, cases[i].process, cases[i].lx);
		expect_error(cases[i].want);
	}
}

static void test_versions_and_root(void **state)
{
	(void)state;
	write_config("{\"ociVersion\": \"2.0.0\"}");
	expect_error("ociVersion: 2.0.0: husk reads runtime-spec 1.0 to 1.1");
	write_config("[1]");
	expect_error("expected an object, found an array");
	write_config("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs/../..\"},"
		     " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"/\"},"
		     " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]}}");
	expect_error("root.path: rootfs/../.. resolves to");
	write_config("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
		     " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"app\"},"
		     " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]}}");
	expect_error("process.cwd: relative");
	write_config("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
		     " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"/\"}}");
	expect_error("linux: missing");
}

static void test_sysctl_namespaced(void **state)
{
	(void)state;
	assert_true(oci_sysctl_is_namespaced("kernel.shmmax", true, false));
	assert_false(oci_sysctl_is_namespaced("kernel.shmmax", false, true));
	assert_true(oci_sysctl_is_namespaced("fs.mqueue.msg_max", true, false));
	assert_true(oci_sysctl_is_namespaced("net.ipv4.ip_forward", false, true));
	assert_false(oci_sysctl_is_namespaced("net.ipv4.ip_forward", true, false));
	assert_false(oci_sysctl_is_namespaced("kernel.pid_max", true, true));
	assert_false(oci_sysctl_is_namespaced("vm.overcommit_memory", true, true));
	assert_false(oci_sysctl_is_namespaced("kernel.shmmaxx", true, true));
}

/* The command line over the config: options override, a program after --
 * replaces process.args. */
static void test_cli_overrides(void **state)
{
	(void)state;
	config(", \"hostname\": \"box\"", ", \"capabilities\": {\"bounding\": [\"CAP_KILL\"],"
					  " \"permitted\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"]}",
	       "");
	struct husk_policy p;
	struct run_flags f = { 0 };
	policy_init(&p);
	char *const argv[] = { "run", "--bundle", bundle, "--hostname", "other", "--cap-drop", "KILL",
			       "--cap-add", "NET_RAW", "--", "/bin/true", "x", NULL };
	assert_int_equal(policy_from_argv(&p, 12, argv, &f), 0);
	assert_string_equal(p.hostname, "other");
	assert_int_equal(p.argv.n, 2);
	assert_string_equal(p.argv.v[0], "/bin/true");
	char *const env[] = { NULL };
	struct caller c = { .uid = 0, .gid = 0, .environ = env };
	char err[1024];
	p.seccomp_unconfined = true;
	p.landlock = LANDLOCK_OFF;
	assert_int_equal(policy_finalize(&p, &c, err, sizeof(err)), 0);
	/* --cap-drop KILL leaves every set; --cap-add NET_RAW joins the
	 * bounding, permitted and effective ones (root: not ambient). */
	assert_int_equal(p.cap_sets.bnd, 1ull << 13);
	assert_int_equal(p.cap_sets.eff, 1ull << 13);
	assert_int_equal(p.cap_sets.amb, 0);
	policy_free(&p);
}

/* In place there is no container: hooks and sysctls are refused, not
 * skipped. */
static void test_in_place_refuses_hooks(void **state)
{
	(void)state;
	config(", \"hooks\": {\"poststop\": [{\"path\": \"/bin/true\"}]}", "", "");
	struct husk_policy p;
	struct run_flags f = { 0 };
	policy_init(&p);
	char *const argv[] = { "run", "--bundle", bundle, "--namespaces", "none", NULL };
	assert_int_equal(policy_from_argv(&p, 5, argv, &f), 0);
	char *const env[] = { NULL };
	struct caller c = { .uid = 0, .gid = 0, .environ = env };
	char err[1024];
	p.seccomp_unconfined = true;
	p.landlock = LANDLOCK_OFF;
	assert_true(policy_finalize(&p, &c, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "hooks: in place there is no container"));
	policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_versions_and_root),
		cmocka_unit_test(test_sysctl_namespaced),
		cmocka_unit_test(test_cli_overrides),
		cmocka_unit_test(test_in_place_refuses_hooks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
