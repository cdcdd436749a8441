#include "seccomp/seccomp_load.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "seccomp/seccomp_json.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && strcmp(s + a - b, suffix) == 0;
}

int sc_profile_resolve(const char *name_or_path, const struct search_path *sp, char *path,
		       size_t len, bool *is_json, const char **bpf_dir, char *err, size_t errlen)
{
	static const char *const suffixes[] = { ".policy", ".json", NULL };
	const char *ref = name_or_path;
	if (bpf_dir)
		*bpf_dir = NULL;
	*is_json = has_suffix(ref, ".json");
	if (search_ref_is_file(ref, suffixes)) {
		if ((size_t)snprintf(path, len, "%s", ref) >= len)
			return errf(err, errlen, -ENAMETOOLONG, "%s: name too long", ref);
		return 0;
	}
	char file[2][256];
	size_t nfiles = 0;
	if (has_suffix(ref, ".policy") || has_suffix(ref, ".json")) {
		snprintf(file[nfiles++], sizeof(file[0]), "%s", ref);
	} else {
		snprintf(file[nfiles++], sizeof(file[0]), "%.200s.policy", ref);
		snprintf(file[nfiles++], sizeof(file[0]), "%.200s.json", ref);
	}
	/* The first directory with either wins: a user's NAME.json shadows
	 * the shipped NAME.policy. */
	for (size_t d = 0; sp && d < sp->n; d++)
		for (size_t f = 0; f < nfiles; f++) {
			int n = snprintf(path, len, "%s/%s", sp->d[d].dir, file[f]);
			if (n < 0 || (size_t)n >= len || access(path, F_OK) < 0)
				continue;
			*is_json = has_suffix(file[f], ".json");
			if (bpf_dir)
				*bpf_dir = sp->d[d].bpf_dir;
			return 0;
		}
	char where[2048] = "no profile directory";
	if (sp)
		search_path_describe(sp, where, sizeof(where));
	return errf(err, errlen, -ENOENT,
		    "no profile '%s' in the profile path: %s (give a path, or one of the .policy "
		    "files there)",
		    ref, where);
}

int sc_profile_load(struct sc_profile *p, const char *name_or_path, const struct search_path *sp,
		    uint64_t caps, char *err, size_t errlen)
{
	char path[PATH_MAX];
	bool is_json;
	int r = sc_profile_resolve(name_or_path, sp, path, sizeof(path), &is_json, NULL, err, errlen);
	if (r < 0)
		return r;
	p->search = sp;
	if (is_json)
		return sc_profile_parse_json(p, path, caps, err, errlen);
	return sc_profile_parse_file(p, path, err, errlen);
}
