#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "front/mountspec.h"

static void test_bind_src_only(void **state)
{
	struct mount_entry m;
	char err[256];
	assert_int_equal(mountspec_parse_bind("/srv/data", true, &m, err, sizeof(err)), 0);
	assert_int_equal(m.kind, MOUNT_BIND);
	assert_true(m.readonly);
	assert_string_equal(m.src, "/srv/data");
	assert_string_equal(m.dst, "/srv/data");
	mountspec_free(&m);
}

static void test_bind_src_dst(void **state)
{
	struct mount_entry m;
	char err[256];
	assert_int_equal(mountspec_parse_bind("./data:/data", false, &m, err, sizeof(err)), 0);
	assert_false(m.readonly);
	assert_string_equal(m.src, "./data");
	assert_string_equal(m.dst, "/data");
	mountspec_free(&m);
}

static void test_bind_malformed(void **state)
{
	static const char *const bad[] = {
		"",	      ":/data",	     "/a:",	"/a:rel",  "/a:/b:/c", "rel",
		"/a:/b/../c", "/a:/b/",	     "/a://b",	"/a:/./b", NULL,
	};
	for (const char *const *b = bad; *b; b++) {
		struct mount_entry m;
		char err[256] = "";
		assert_int_equal(mountspec_parse_bind(*b, false, &m, err, sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 0);
		assert_null(m.src);
		assert_null(m.dst);
	}
}

static void test_tmpfs_defaults(void **state)
{
	struct mount_entry m;
	char err[256];
	assert_int_equal(mountspec_parse_tmpfs("/var/tmp", &m, err, sizeof(err)), 0);
	assert_int_equal(m.kind, MOUNT_TMPFS);
	assert_string_equal(m.dst, "/var/tmp");
	assert_true(m.size == HUSK_DEFAULT_TMPFS_SIZE);
	assert_true(m.nr_inodes == HUSK_DEFAULT_TMPFS_INODES);
	assert_int_equal(m.mode, HUSK_DEFAULT_TMPFS_MODE);
	mountspec_free(&m);
}

static void test_tmpfs_options(void **state)
{
	struct mount_entry m;
	char err[256];
	assert_int_equal(mountspec_parse_tmpfs("/run:size=8m,mode=0755,nr_inodes=1k", &m, err,
					       sizeof(err)),
			 0);
	assert_string_equal(m.dst, "/run");
	assert_true(m.size == 8ull << 20);
	assert_true(m.nr_inodes == 1024);
	assert_int_equal(m.mode, 0755);
	mountspec_free(&m);
}

static void test_tmpfs_malformed(void **state)
{
	static const char *const bad[] = {
		"tmp",		   "/tmp:",	       "/tmp:size",	  "/tmp:size=",
		"/tmp:size=0",	   "/tmp:nr_inodes=0", "/tmp:size=abc",	  "/tmp:mode=999",
		"/tmp:uid=0",	   "/tmp:=1",	       "/tmp/../etc",	  "/tmp:size=1x",
		/* Issue 22, misreading 7: an empty item was skipped, so
		 * "/tmp:," passed where "/tmp:" did not. */
		"/tmp:,",	   "/tmp:size=64m,",   "/tmp:,size=64m",  "/tmp:size=64m,,mode=700",
		NULL,
	};
	for (const char *const *b = bad; *b; b++) {
		struct mount_entry m;
		char err[256] = "";
		assert_int_equal(mountspec_parse_tmpfs(*b, &m, err, sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 0);
		assert_null(m.dst);
	}
}

/* Misreading 5: size=16777216t (near 2^64) became an unbounded tmpfs in
 * the kernel; refused above 256t, with why. */
static void test_tmpfs_size_ceiling(void **state)
{
	(void)state;
	struct mount_entry m;
	char err[256] = "";
	assert_int_equal(mountspec_parse_tmpfs("/tmp:size=18446744073709551615", &m, err, sizeof(err)),
			 -ERANGE);
	assert_non_null(strstr(err, "above husk's maximum of 256t"));
	assert_int_equal(mountspec_parse_tmpfs("/tmp:size=256t", &m, err, sizeof(err)), 0);
	assert_true(m.size == 1ull << 48);
	mountspec_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpfs_size_ceiling),
		cmocka_unit_test(test_bind_src_only),	cmocka_unit_test(test_bind_src_dst),
		cmocka_unit_test(test_bind_malformed),	cmocka_unit_test(test_tmpfs_defaults),
		cmocka_unit_test(test_tmpfs_options),	cmocka_unit_test(test_tmpfs_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
