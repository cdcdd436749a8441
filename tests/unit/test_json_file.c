#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json_file.h"

static const char *fails(const char *text, char *err, size_t len)
{
	json_object *o = json_text_parse(text, strlen(text), "p.json", err, len);
	if (o) {
		json_object_put(o);
		return NULL;
	}
	return err;
}

static void test_position(void **state)
{
	char err[256];
	/* The x is on line 3, column 8. */
	assert_string_equal(fails("{\n  \"a\": 1,\n  \"b\": x\n}", err, sizeof(err)),
			    "p.json:3:8: not valid JSON: unexpected character");
	assert_string_equal(fails("[1 2]", err, sizeof(err)),
			    "p.json:1:4: not valid JSON: array value separator ',' expected");
	assert_string_equal(fails("{\"a\": [1, 2,", err, sizeof(err)),
			    "p.json:1:13: not valid JSON: the text ends inside a value");
}

static void test_strict(void **state)
{
	char err[256];
	/* What Go's encoding/json refuses: a trailing comma, text after the value. */
	assert_non_null(fails("{\"a\": 1,}", err, sizeof(err)));
	assert_non_null(fails("{\"a\": 1} {}", err, sizeof(err)));
	assert_null(fails("  {\"a\": [1, 2]}\n\n", err, sizeof(err)));
}

static void test_file(void **state)
{
	char err[256];
	assert_null(json_file_parse("/nonexistent.json", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent.json: No such file"));
	assert_null(json_file_parse("/", err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));
	char path[] = "/tmp/husk-json-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\n\"x\": tru\n}", 12), 12);
	close(fd);
	assert_null(json_file_parse(path, err, sizeof(err)));
	char want[128];
	snprintf(want, sizeof(want), "%s:2:", path);
	assert_non_null(strstr(err, want));
	unlink(path);
	/* Issue 22, misreading 3, for JSON profiles: no device, and a FIFO
	 * neither blocks the open nor is read. */
	assert_null(json_file_parse("/dev/zero", err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));
	char fifo[] = "/tmp/husk-json-fifo-XXXXXX";
	assert_non_null(mkdtemp(fifo));
	char fp[64];
	snprintf(fp, sizeof(fp), "%s/f", fifo);
	assert_int_equal(mkfifo(fp, 0600), 0);
	assert_null(json_file_parse(fp, err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));
	unlink(fp);
	rmdir(fifo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_position),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
