/* Profile files (husk-profile(5)): the long options of husk run, one per
 * line, so that a reviewed file can stand in for twenty flags. The second
 * front end onto the option table; like argv, it only fills the policy. */
#pragma once

#include <stddef.h>

#include "policy.h"

/* How deep includes may nest before husk calls it a loop it cannot see. */
#define PROFILE_MAX_DEPTH 16

/* The file a --profile reference names: a path when it contains '/',
 * else NAME.profile in profile_dir (the shipped profiles). */
int profile_resolve(const char *ref, const char *profile_dir, char *path, size_t len, char *err,
		    size_t errlen);

/* Applies the file's options to p in order, includes where they stand.
 * Relative paths (includes, rootfs, bind sources, seccomp paths) are taken
 * from the file's own directory. On error, err holds "FILE:LINE: what:
 * why" and a negative errno is returned; p may hold the lines before. */
int profile_apply_file(struct husk_policy *p, const char *path, char *err, size_t errlen);
