#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

static void test_parse_u64(void **state)
{
	uint64_t v;
	assert_int_equal(parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("", &v), -EINVAL);
	assert_int_equal(parse_u64("-1", &v), -EINVAL);
	assert_int_equal(parse_u64("+1", &v), -EINVAL);
	assert_int_equal(parse_u64("1 ", &v), -EINVAL);
	assert_int_equal(parse_u64("0x10", &v), -EINVAL);
	assert_int_equal(parse_u64(NULL, &v), -EINVAL);
}

static void test_parse_u32(void **state)
{
	uint32_t v;
	assert_int_equal(parse_u32("4294967295", &v), 0);
	assert_true(v == UINT32_MAX);
	assert_int_equal(parse_u32("4294967296", &v), -ERANGE);
}

static void test_parse_size(void **state)
{
	uint64_t v;
	assert_int_equal(parse_size("64m", &v), 0);
	assert_true(v == 64ull << 20);
	assert_int_equal(parse_size("2G", &v), 0);
	assert_true(v == 2ull << 30);
	assert_int_equal(parse_size("4k", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(parse_size("123", &v), 0);
	assert_true(v == 123);
	assert_int_equal(parse_size("m", &v), -EINVAL);
	assert_int_equal(parse_size("1.5m", &v), -EINVAL);
	assert_int_equal(parse_size("17179869184g", &v), -ERANGE);
	assert_int_equal(parse_size("", &v), -EINVAL);
	/* Issue 22, misreading 5: a size near 2^64 wrapped in the kernel to
	 * "unlimited"; everything above HUSK_SIZE_MAX is refused. */
	assert_int_equal(parse_size("256t", &v), 0);
	assert_true(v == HUSK_SIZE_MAX);
	assert_int_equal(parse_size("1t", &v), 0);
	assert_true(v == 1ull << 40);
	assert_int_equal(parse_size("257t", &v), -ERANGE);
	assert_int_equal(parse_size("281474976710657", &v), -ERANGE);
	assert_int_equal(parse_size("18446744073709551615", &v), -ERANGE);
	assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
}

static void test_parse_mode(void **state)
{
	uint32_t v;
	assert_int_equal(parse_mode("1777", &v), 0);
	assert_int_equal(v, 01777);
	assert_int_equal(parse_mode("0755", &v), 0);
	assert_int_equal(v, 0755);
	assert_int_equal(parse_mode("8", &v), -EINVAL);
	assert_int_equal(parse_mode("17777", &v), -ERANGE);
	assert_int_equal(parse_mode("777777", &v), -EINVAL);
	assert_int_equal(parse_mode("", &v), -EINVAL);
}

static void test_path_is_normal_absolute(void **state)
{
	assert_true(path_is_normal_absolute("/"));
	assert_true(path_is_normal_absolute("/tmp"));
	assert_true(path_is_normal_absolute("/var/lib/app"));
	assert_true(path_is_normal_absolute("/a/.hidden/..b"));
	assert_false(path_is_normal_absolute("tmp"));
	assert_false(path_is_normal_absolute(""));
	assert_false(path_is_normal_absolute("/tmp/"));
	assert_false(path_is_normal_absolute("//tmp"));
	assert_false(path_is_normal_absolute("/a//b"));
	assert_false(path_is_normal_absolute("/a/../b"));
	assert_false(path_is_normal_absolute("/a/./b"));
	assert_false(path_is_normal_absolute("/.."));
	assert_false(path_is_normal_absolute(NULL));
}

static void test_strv(void **state)
{
	struct strv sv = { 0 };
	assert_int_equal(strv_push(&sv, "a"), 0);
	assert_int_equal(strv_push(&sv, "b"), 0);
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[0], "a");
	assert_string_equal(sv.v[1], "b");
	assert_null(sv.v[2]);
	strv_free(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
}

/* What binfmt_script would run: the check for CVE-2019-5736's
 * "#!/proc/self/exe" follows exactly this name. */
static void test_shebang_interpreter(void **state)
{
	(void)state;
	char out[32];
#define SB(s) shebang_interpreter(s, sizeof(s) - 1, out, sizeof(out))
	assert_true(SB("#!/proc/self/exe\n"));
	assert_string_equal(out, "/proc/self/exe");
	assert_true(SB("#! \t/bin/sh -e\necho"));
	assert_string_equal(out, "/bin/sh");
	assert_true(SB("#!/usr/bin/env"));
	assert_string_equal(out, "/usr/bin/env");
	assert_true(SB("#!interp"));
	assert_string_equal(out, "interp");
	assert_false(SB("\x7f" "ELF\x02\x01"));
	assert_false(SB("#"));
	assert_false(SB("#!   \n/bin/sh"));
	assert_false(SB(" #!/bin/sh"));
	assert_false(SB("#!/a/name/that/is/far/too/long/for/the/buffer"));
#undef SB
}

/* Whole file when it fits, the start of it when not, and the errno of a
 * file that cannot be opened. */
static void test_read_text(void **state)
{
	(void)state;
	char path[] = "/tmp/husk-test-util.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "40\n", 3), 3);
	close(fd);
	char buf[16];
	assert_int_equal(read_text(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "40\n");
	char small[2];
	assert_int_equal(read_text(path, small, sizeof(small)), 0);
	assert_string_equal(small, "4");
	unlink(path);
	assert_int_equal(read_text(path, buf, sizeof(buf)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),   cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_parse_size),  cmocka_unit_test(test_parse_mode),
		cmocka_unit_test(test_path_is_normal_absolute), cmocka_unit_test(test_strv),
		cmocka_unit_test(test_shebang_interpreter), cmocka_unit_test(test_read_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
