/* libFuzzer: the small parsers of values, sizes and mount specs. The
 * first byte picks one. Invariants: a size that parses is within
 * HUSK_SIZE_MAX; a tmpfs spec that parses has a bounded, non-zero size
 * and inode count and a normal absolute destination; an rlimit that
 * parses has soft <= hard. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "front/mountspec.h"
#include "limits/rlimits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	char *s = calloc(1, size);
	memcpy(s, data + 1, size - 1);
	char err[512];
	switch (data[0] % 4) {
	case 0: {
		uint64_t v;
		if (parse_size(s, &v) == 0 && v > HUSK_SIZE_MAX)
			abort();
		break;
	}
	case 1: {
		struct mount_entry m;
		if (mountspec_parse_tmpfs(s, &m, err, sizeof(err)) == 0) {
			if (!m.size || m.size > HUSK_SIZE_MAX || !m.nr_inodes || m.nr_inodes > HUSK_SIZE_MAX ||
			    !path_is_normal_absolute(m.dst))
				abort();
			mountspec_free(&m);
		}
		break;
	}
	case 2: {
		struct mount_entry m;
		if (mountspec_parse_bind(s, false, &m, err, sizeof(err)) == 0) {
			if (!path_is_normal_absolute(m.dst))
				abort();
			mountspec_free(&m);
		}
		break;
	}
	case 3: {
		int res;
		struct husk_rlimit rl;
		if (rlimit_parse(s, &res, &rl, err, sizeof(err)) == 0 && rl.soft > rl.hard)
			abort();
		break;
	}
	}
	free(s);
	return 0;
}
