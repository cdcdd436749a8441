/* libFuzzer: Docker/OCI seccomp JSON. Invariants: a profile that imports,
 * exported as OCI JSON and imported again, gives the same rules (printed);
 * and a value of the wrong JSON type is never read as a number: from a
 * text with no digit in it (so no index, value or errnoRet can be a JSON
 * integer) no conditional rule can come. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/seccomp_export.h"
#include "seccomp/seccomp_json.h"
#include "seccomp/seccomp_profile.h"
#include "print.h"

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
		bool digit = false;
		for (size_t i = 0; i < size && !digit; i++)
			digit = text[i] >= '0' && text[i] <= '9';
		if (!digit && a.n_alts_total) {
			fprintf(stderr, "a conditional rule from a text with no number:\n%s\n", text);
			abort();
		}
		json_object *j = sc_profile_export_oci(&a);
		const char *exp = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
		if (sc_profile_parse_json_text(&b, exp, "exported.json", 0, err, sizeof(err)) != 0) {
			fprintf(stderr, "the export does not import: %s\n%s\n", err, exp);
			abort();
		}
		size_t la, lb;
		char *pa = print_profile(&a, &la), *pb = print_profile(&b, &lb);
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
