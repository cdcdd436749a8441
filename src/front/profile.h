/* Profile files (husk-profile(5)): the long options of husk run, one per
 * line, so that a reviewed file can stand in for twenty flags. The second
 * front end onto the option table; like argv, it only fills the policy. */
#pragma once

#include <stddef.h>

#include "policy/policy.h"
#include "base/search.h"

/* How deep includes may nest before husk calls it a loop it cannot see. */
#define PROFILE_MAX_DEPTH 16

/* The file a --profile reference names: a path when it holds a '/'; a
 * FILE.profile in the current directory when one is there; else
 * NAME.profile (or FILE.profile as named) in the search path. */
int profile_resolve(const char *ref, const struct search_path *sp, char *path, size_t len,
		    char *err, size_t errlen);

/* Applies the file's options to p in order, includes where they stand.
 * Relative paths (includes, rootfs, bind sources, seccomp paths) are taken
 * from the file's own directory; an include that is no file there is a
 * profile name, looked up in sp (so a site profile can include a shipped
 * one by name). On error, err holds "FILE:LINE: what: why" and a negative
 * errno is returned; p may hold the lines before. */
int profile_apply_file(struct husk_policy *p, const char *path, const struct search_path *sp,
		       char *err, size_t errlen);
