/* Where husk finds profiles by name: the directories of $HUSK_PROFILE_DIR
 * (colon-separated, in front), then the site directory $(sysconfdir)/husk,
 * then the shipped $(pkgdatadir)/profiles. The first directory that has
 * the file wins, so a site or a user can shadow a shipped profile by name
 * and still include the shipped one by path. Precompiled filters (.bpf)
 * are architecture-specific: the shipped ones live apart, under
 * $(pkglibdir)/profiles; elsewhere they sit beside their .policy. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SEARCH_MAX 8

struct search_dir {
	char *dir;
	char *bpf_dir; /* where this directory's precompiled filters are */
	const char *origin; /* "HUSK_PROFILE_DIR", "site", "shipped" */
};

struct search_path {
	struct search_dir d[SEARCH_MAX];
	size_t n;
};

/* env: $HUSK_PROFILE_DIR or NULL; empty entries are skipped. */
void search_path_init(struct search_path *sp, const char *env, const char *site,
		      const char *shipped, const char *shipped_bpf);
void search_path_free(struct search_path *sp);

/* The first directory holding file (a plain name): its index, with the
 * full path in path; -ENOENT when none has it. */
int search_find(const struct search_path *sp, const char *file, char *path, size_t len);

/* "DIR (ORIGIN), DIR (ORIGIN), ..." for errors and husk --version. */
void search_path_describe(const struct search_path *sp, char *buf, size_t len);

/* Whether a reference names a file rather than a profile name: it holds a
 * '/', or ends with one of the suffixes (".profile", or ".policy" and
 * ".json") and exists relative to the current directory. */
bool search_ref_is_file(const char *ref, const char *const *suffixes);
