/* A seccomp profile reference to a profile: where the file is (a path, a
 * file in the current directory, a name in the profile path) and which
 * parser reads it, text (seccomp_profile.h) or JSON (seccomp_json.h).
 * Above both, so neither includes the other. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/search.h"
#include "seccomp/seccomp_profile.h"

/* Loads a profile by name or path (see sc_profile_resolve); .json selects
 * the JSON importer. */
int sc_profile_load(struct sc_profile *p, const char *name_or_path, const struct search_path *sp,
		    uint64_t caps, char *err, size_t errlen);

/* The file a profile reference names: a path when it holds a '/'; a
 * FILE.policy or FILE.json in the current directory when one is there;
 * else, in the first directory of sp that has one, NAME.policy, then
 * NAME.json (or the file as named). bpf_dir (may be NULL) gets where that
 * directory keeps precompiled filters; NULL for a path. */
int sc_profile_resolve(const char *name_or_path, const struct search_path *sp, char *path,
		       size_t len, bool *is_json, const char **bpf_dir, char *err, size_t errlen);
