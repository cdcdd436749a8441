#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "idmap.h"

static void test_format(void **state)
{
	char buf[64];
	assert_int_equal(idmap_format(buf, sizeof(buf), 1000, 1001), 12);
	assert_string_equal(buf, "1000 1001 1\n");
	assert_true(idmap_format(buf, sizeof(buf), 0, 4294967294u) > 0);
	assert_string_equal(buf, "0 4294967294 1\n");
}

static void test_format_too_small(void **state)
{
	char buf[8];
	assert_int_equal(idmap_format(buf, sizeof(buf), 65534, 65534), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_too_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
