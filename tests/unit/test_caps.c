#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/capability.h>
#include <string.h>

#include "launch/caps.h"

static void test_names(void **state)
{
	assert_int_equal(caps_from_name("NET_BIND_SERVICE"), CAP_NET_BIND_SERVICE);
	assert_int_equal(caps_from_name("net_bind_service"), CAP_NET_BIND_SERVICE);
	assert_int_equal(caps_from_name("CAP_NET_BIND_SERVICE"), CAP_NET_BIND_SERVICE);
	assert_int_equal(caps_from_name("cap_sys_admin"), CAP_SYS_ADMIN);
	assert_int_equal(caps_from_name("CHOWN"), CAP_CHOWN);
}

static void test_bad_names(void **state)
{
	assert_int_equal(caps_from_name(""), -EINVAL);
	assert_int_equal(caps_from_name("CAP_"), -EINVAL);
	assert_int_equal(caps_from_name("NET_BIND"), -EINVAL);
	assert_int_equal(caps_from_name("ALL"), -EINVAL);
	assert_int_equal(caps_from_name("10"), -EINVAL);
	assert_int_equal(caps_from_name(NULL), -EINVAL);
}

static void test_round_trip(void **state)
{
	char buf[32];
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		const char *n = caps_to_name(c, buf, sizeof(buf));
		assert_non_null(n);
		assert_int_equal(caps_from_name(n), c);
	}
	assert_string_equal(caps_to_name(CAP_NET_RAW, buf, sizeof(buf)), "NET_RAW");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
