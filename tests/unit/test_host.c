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
#include <unistd.h>

#include "launch/host.h"

static char root[] = "/tmp/husk-test-host.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	if (!mkdtemp(root))
		return -1;
	char d[512];
	snprintf(d, sizeof(d), "%s/proc", root);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/proc/self", root);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/run", root);
	mkdir(d, 0755);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_seccomp_mode(void **state)
{
	put("proc/self/status", "Name:\tx\nNoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n");
	assert_int_equal(host_seccomp_mode(root), 2);
	put("proc/self/status", "Name:\tx\nSeccomp:\t0\n");
	assert_int_equal(host_seccomp_mode(root), 0);
	/* A kernel without seccomp has no such line. */
	put("proc/self/status", "Name:\tx\n");
	assert_int_equal(host_seccomp_mode(root), -1);
	assert_int_equal(host_seccomp_mode("/nonexistent"), -1);
}

static void test_container(void **state)
{
	assert_null(host_container(root, NULL));
	assert_null(host_container(root, ""));
	assert_string_equal(host_container(root, "lxc"), "lxc");
	put("run/.containerenv", "");
	assert_string_equal(host_container(root, "podman"), "podman");
	put(".dockerenv", "");
	assert_string_equal(host_container(root, NULL), "docker");
}

static void test_clone_hint(void **state)
{
	char buf[400];
	/* Nothing seen: the sysctls are the likely cause. */
	const char *h = host_clone_hint(EPERM, 0, NULL, buf, sizeof(buf));
	assert_non_null(strstr(h, "kernel.unprivileged_userns_clone"));
	/* A filter in force: it is named, and the sysctls are not. */
	h = host_clone_hint(EPERM, 2, NULL, buf, sizeof(buf));
	assert_non_null(strstr(h, "Seccomp: 2"));
	assert_non_null(strstr(h, "seccomp=unconfined"));
	assert_null(strstr(h, "kernel.unprivileged_userns_clone"));
	h = host_clone_hint(EPERM, 2, "docker", buf, sizeof(buf));
	assert_non_null(strstr(h, "in a container (docker) under a seccomp filter"));
	h = host_clone_hint(EACCES, 0, "podman", buf, sizeof(buf));
	assert_non_null(strstr(h, "in a container (podman)"));
	assert_null(strstr(h, "Seccomp: 2"));
	/* Other errors keep their own hints. */
	assert_non_null(strstr(host_clone_hint(ENOSPC, 2, "docker", buf, sizeof(buf)),
			       "max_user_namespaces"));
	assert_string_equal(host_clone_hint(ENOMEM, 0, NULL, buf, sizeof(buf)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seccomp_mode),
		cmocka_unit_test(test_container),
		cmocka_unit_test(test_clone_hint),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
