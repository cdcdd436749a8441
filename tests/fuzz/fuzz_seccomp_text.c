/* libFuzzer: husk's seccomp text format (husk-seccomp(5)). Invariant, not
 * only "no crash": a profile that parses, printed by sc_profile_print
 * (husk seccomp show) and parsed again, prints the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/seccomp_profile.h"
#include "print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *text = calloc(1, size + 1);
	memcpy(text, data, size);
	/* The file reader refuses a NUL; the string parser sees text. */
	if (memchr(text, '\0', size)) {
		free(text);
		return 0;
	}
	struct sc_profile a, b;
	sc_profile_init(&a);
	sc_profile_init(&b);
	char err[1024];
	/* Includes resolve against a directory that does not exist. */
	if (sc_profile_parse_string(&a, text, "fuzz.policy", "/nonexistent", err, sizeof(err)) == 0) {
		size_t la, lb;
		char *pa = print_profile(&a, &la);
		if (sc_profile_parse_string(&b, pa, "printed.policy", "/nonexistent", err, sizeof(err)) != 0) {
			fprintf(stderr, "printed profile does not parse: %s\n---\n%s", err, pa);
			abort();
		}
		char *pb = print_profile(&b, &lb);
		if (la != lb || memcmp(pa, pb, la) != 0) {
			fprintf(stderr, "printed twice, differs:\n%s---\n%s", pa, pb);
			abort();
		}
		free(pa);
		free(pb);
	}
	sc_profile_free(&a);
	sc_profile_free(&b);
	free(text);
	return 0;
}
