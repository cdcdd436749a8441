#include "profile.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

int profile_resolve(const char *ref, const char *profile_dir, char *path, size_t len, char *err,
		    size_t errlen)
{
	if (!*ref)
		return errf(err, errlen, -EINVAL, "empty profile name");
	int n = strchr(ref, '/') ? snprintf(path, len, "%s", ref)
				 : snprintf(path, len, "%s/%s.profile", profile_dir, ref);
	if (n < 0 || (size_t)n >= len)
		return errf(err, errlen, -ENAMETOOLONG, "%s: name too long", ref);
	return 0;
}

/* The files being read, outermost first: an include of any of them is a
 * loop. Compared by realpath, so "./a" and "a" are the same file. */
struct stack {
	char *files[PROFILE_MAX_DEPTH];
	size_t n;
};

static int apply_file(struct husk_policy *p, const char *path, struct stack *st, bool *opened,
		      char *err, size_t errlen);

/* "dir/" + rel when rel is relative; rel as is otherwise. */
static char *from_dir(const char *dir, const char *rel)
{
	if (rel[0] == '/')
		return xstrdup(rel);
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *out = xcalloc(n, 1);
	snprintf(out, n, "%s/%s", dir, rel);
	return out;
}

/* The value with its host path, if relative, taken from dir. */
static char *rebase_value(const struct husk_option *o, const char *dir, const char *val)
{
	switch (o->path) {
	case OPT_PATH_NONE:
		break;
	case OPT_PATH_WHOLE:
		return from_dir(dir, val);
	case OPT_PATH_IF_SLASH:
		if (strchr(val, '/'))
			return from_dir(dir, val);
		break;
	case OPT_PATH_SOURCE:
		/* SRC without :DST must be absolute (mountspec says so), so
		 * only SRC:DST is rebased. */
		if (val[0] != '/' && strchr(val, ':'))
			return from_dir(dir, val);
		break;
	}
	return xstrdup(val);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* A '#' at the start or after a blank starts a comment; one inside a word
 * (env URL=http://h/#frag) does not. */
static void strip_comment(char *s)
{
	for (char *c = s; (c = strchr(c, '#')); c++)
		if (c == s || c[-1] == ' ' || c[-1] == '\t') {
			*c = '\0';
			return;
		}
}

static int apply_line(struct husk_policy *p, char *line, const char *file, unsigned lineno,
		      const char *dir, struct stack *st, char *err, size_t errlen)
{
	strip_comment(line);
	char *key = trim(line);
	if (!*key)
		return 0;
	char *val = key + strcspn(key, " \t");
	if (*val)
		*val++ = '\0';
	val = trim(val);

	if (strcmp(key, "include") == 0) {
		if (!*val)
			return errf(err, errlen, -EINVAL, "%s:%u: include needs a file name", file,
				    lineno);
		_cleanup_free_ char *inc = from_dir(dir, val);
		char sub[1024];
		bool opened = false;
		int r = apply_file(p, inc, st, &opened, sub, sizeof(sub));
		/* A file that could not be read is this line's error; one
		 * inside it already names its own file and line. */
		if (r < 0 && !opened)
			return errf(err, errlen, r, "%s:%u: include %s: %s", file, lineno, val, sub);
		if (r < 0)
			return errf(err, errlen, r, "%s", sub);
		return 0;
	}

	const struct husk_option *o = options_find(key);
	if (!o || !o->apply)
		return errf(err, errlen, -EINVAL, "%s:%u: unknown key '%s'%s", file, lineno, key,
			    o ? " (use include FILE)" : " (the keys are husk run's long options; see "
							"husk-profile(5))");
	if (!o->arg && *val)
		return errf(err, errlen, -EINVAL, "%s:%u: %s takes no value", file, lineno, key);
	if (o->arg && !*val)
		return errf(err, errlen, -EINVAL, "%s:%u: %s needs a value: %s %s", file, lineno, key,
			    key, o->arg);

	_cleanup_free_ char *v = o->arg ? rebase_value(o, dir, val) : NULL;
	char why[512] = "";
	int r = o->apply(p, v, why, sizeof(why));
	if (r < 0)
		return errf(err, errlen, r, "%s:%u: %s%s%s: %s", file, lineno, key, *val ? " " : "",
			    val, why[0] ? why : strerror(-r));
	return 0;
}

static int apply_file(struct husk_policy *p, const char *path, struct stack *st, bool *opened,
		      char *err, size_t errlen)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->files[i], real) == 0)
			return errf(err, errlen, -ELOOP, "include loop: %s includes itself", real);
	if (st->n == PROFILE_MAX_DEPTH)
		return errf(err, errlen, -ELOOP, "includes nested deeper than %d", PROFILE_MAX_DEPTH);

	FILE *f = fopen(real, "re");
	if (!f)
		return errf(err, errlen, -errno, "%s: %s", real, strerror(errno));
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", real);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';

	st->files[st->n++] = real;
	*opened = true;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int r = 0;
	while (r == 0 && getline(&line, &cap, f) >= 0)
		r = apply_line(p, line, real, ++lineno, dir, st, err, errlen);
	if (r == 0 && ferror(f))
		r = errf(err, errlen, -EIO, "%s: read error", real);
	st->n--;
	free(line);
	fclose(f);
	return r;
}

int profile_apply_file(struct husk_policy *p, const char *path, char *err, size_t errlen)
{
	struct stack st = { .n = 0 };
	bool opened = false;
	return apply_file(p, path, &st, &opened, err, errlen);
}
