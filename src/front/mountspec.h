/* Parsing of mount option arguments into struct mount_entry. Pure: no
 * system calls, so tests/unit/test_mountspec.c covers it exhaustively. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

/* "SRC[:DST]": DST defaults to SRC. SRC is kept as given (the caller makes
 * it absolute); DST must be a normal absolute path. Fills *m with owned
 * strings; on error writes a reason into err and returns a negative errno. */
int mountspec_parse_bind(const char *arg, bool readonly, struct mount_entry *m, char *err,
			 size_t errlen);

/* "DST[:size=SIZE,nr_inodes=N,mode=OCTAL]": sizes take k/m/g. Unset keys
 * take husk's defaults; zero size or inodes (which tmpfs reads as
 * "unlimited") is refused, since every tmpfs must be bounded. */
int mountspec_parse_tmpfs(const char *arg, struct mount_entry *m, char *err, size_t errlen);

void mountspec_free(struct mount_entry *m);
