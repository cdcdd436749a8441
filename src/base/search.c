#include "base/search.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

static void add(struct search_path *sp, const char *dir, size_t len, const char *bpf_dir,
		const char *origin)
{
	if (!len || sp->n == SEARCH_MAX)
		return;
	struct search_dir *d = &sp->d[sp->n++];
	d->dir = xcalloc(len + 1, 1);
	memcpy(d->dir, dir, len);
	d->bpf_dir = xstrdup(bpf_dir ? bpf_dir : d->dir);
	d->origin = origin;
}

void search_path_init(struct search_path *sp, const char *env, const char *site,
		      const char *shipped, const char *shipped_bpf)
{
	memset(sp, 0, sizeof(*sp));
	for (const char *e = env; e && *e;) {
		size_t n = strcspn(e, ":");
		add(sp, e, n, NULL, "HUSK_PROFILE_DIR");
		e += n;
		if (*e == ':')
			e++;
	}
	if (site)
		add(sp, site, strlen(site), NULL, "site");
	if (shipped)
		add(sp, shipped, strlen(shipped), shipped_bpf, "shipped");
}

void search_path_free(struct search_path *sp)
{
	for (size_t i = 0; i < sp->n; i++) {
		free(sp->d[i].dir);
		free(sp->d[i].bpf_dir);
	}
	sp->n = 0;
}

int search_find(const struct search_path *sp, const char *file, char *path, size_t len)
{
	for (size_t i = 0; i < sp->n; i++) {
		int n = snprintf(path, len, "%s/%s", sp->d[i].dir, file);
		if (n > 0 && (size_t)n < len && access(path, F_OK) == 0)
			return (int)i;
	}
	return -ENOENT;
}

void search_path_describe(const struct search_path *sp, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sp->n && at < len; i++) {
		int n = snprintf(buf + at, len - at, "%s%s (%s)", i ? ", " : "", sp->d[i].dir,
				 sp->d[i].origin);
		if (n < 0)
			break;
		at += (size_t)n;
	}
	if (!sp->n)
		snprintf(buf, len, "no profile directory");
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && strcmp(s + a - b, suffix) == 0;
}

bool search_ref_is_file(const char *ref, const char *const *suffixes)
{
	if (strchr(ref, '/'))
		return true;
	for (const char *const *s = suffixes; *s; s++)
		if (has_suffix(ref, *s))
			return access(ref, F_OK) == 0;
	return false;
}
