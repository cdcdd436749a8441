/* The harnesses' shared helper: a profile as husk seccomp show prints
 * it, into memory (free it), for comparing two parses. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include "seccomp/seccomp_profile.h"

static inline char *print_profile(const struct sc_profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		abort();
	sc_profile_print(p, f);
	fclose(f);
	return buf;
}
