#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "launch/idmap.h"

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

static void test_subid_parse(void **state)
{
	struct id_range r;
	char err[256];
	const char *text = "alice:100000:65536\nhusky:1:2\nhusk:165536:65536\nhusk:9:9\n";
	assert_int_equal(idmap_subid_parse(text, "husk", &r, err, sizeof(err)), 0);
	assert_int_equal(r.start, 165536);
	assert_int_equal(r.count, 65536);
	assert_int_equal(idmap_subid_parse(text, "bob", &r, err, sizeof(err)), -ENOENT);
	assert_int_equal(idmap_subid_parse("", "husk", &r, err, sizeof(err)), -ENOENT);
	/* No trailing newline. */
	assert_int_equal(idmap_subid_parse("husk:5:10", "husk", &r, err, sizeof(err)), 0);
	assert_int_equal(r.start, 5);
}

static void test_subid_refused(void **state)
{
	struct id_range r;
	char err[256];
	/* A range over host root would put the service back on it. */
	assert_int_equal(idmap_subid_parse("husk:0:65536\n", "husk", &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "host id 0"));
	assert_int_equal(idmap_subid_parse("husk:4294967000:65536\n", "husk", &r, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(idmap_subid_parse("husk:100000\n", "husk", &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(idmap_subid_parse("husk:x:1\n", "husk", &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(idmap_subid_parse("husk:1:0\n", "husk", &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(idmap_subid_parse("husk:-1:5\n", "husk", &r, err, sizeof(err)), -EINVAL);
}

/* A rootless container's map: container root is the user, 1..65536 its
 * subordinate ids; husk's fixed range is not there. */
static void test_text_covers(void **state)
{
	static const char podman[] = "         0        999          1\n"
				     "         1     300000      65536\n";
	assert_true(idmap_text_covers(podman, 0));
	assert_true(idmap_text_covers(podman, 65534));
	assert_true(idmap_text_covers(podman, 65536));
	assert_false(idmap_text_covers(podman, 65537));
	assert_false(idmap_text_covers(podman, HUSK_ROOT_RANGE_START + 65534));
	assert_true(idmap_text_covers("0 0 4294967295\n", HUSK_ROOT_RANGE_START + 65534));
	assert_false(idmap_text_covers("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_covers),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_too_small),
		cmocka_unit_test(test_subid_parse),
		cmocka_unit_test(test_subid_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
