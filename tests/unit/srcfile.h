/* Tests that compare code with the docs read files of the source tree. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

/* The whole of $HUSK_SRCDIR/rel (or ./rel), NUL-terminated, malloc'd;
 * NULL if it cannot be read. */
static inline char *read_source(const char *rel)
{
	const char *src = getenv("HUSK_SRCDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}
