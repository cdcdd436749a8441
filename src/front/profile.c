#include "front/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "front/option_table.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && strcmp(s + a - b, suffix) == 0;
}

int profile_resolve(const char *ref, const struct search_path *sp, char *path, size_t len,
		    char *err, size_t errlen)
{
	static const char *const suffixes[] = { ".profile", NULL };
	if (!*ref)
		return errf(err, errlen, -EINVAL, "empty profile name");
	if (search_ref_is_file(ref, suffixes)) {
		if ((size_t)snprintf(path, len, "%s", ref) >= len)
			return errf(err, errlen, -ENAMETOOLONG, "%s: name too long", ref);
		return 0;
	}
	char file[256];
	if ((size_t)snprintf(file, sizeof(file), "%s%s", ref,
			     has_suffix(ref, ".profile") ? "" : ".profile") >= sizeof(file))
		return errf(err, errlen, -ENAMETOOLONG, "%s: name too long", ref);
	if (search_find(sp, file, path, len) >= 0)
		return 0;
	char where[2048];
	search_path_describe(sp, where, sizeof(where));
	return errf(err, errlen, -ENOENT, "no %s in the profile path: %s (give a path, or a name "
					  "of a .profile file there)",
		    file, where);
}

/* The files being read, outermost first: an include of any of them is a
 * loop. Compared by realpath, so "./a" and "a" are the same file. */
struct stack {
	char *files[PROFILE_MAX_DEPTH];
	size_t n;
	const struct search_path *sp;
};

/* The seccomp text reader's cap too. */
#define PROFILE_MAX_SIZE (1 << 20)

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
	case OPT_PATH_IF_FILE: {
		/* A path, or a file beside the profile (app.json); else a
		 * name for the search path. */
		if (strchr(val, '/'))
			return from_dir(dir, val);
		_cleanup_free_ char *beside = from_dir(dir, val);
		if ((has_suffix(val, ".json") || has_suffix(val, ".policy")) &&
		    access(beside, F_OK) == 0)
			return xstrdup(beside);
		break;
	}
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
		char sub[2048], named[PATH_MAX];
		bool opened = false;
		/* Not a file beside this one: a profile name (include
		 * go-service, include base.profile) in the search path. */
		if (access(inc, F_OK) < 0 && !strchr(val, '/')) {
			char want[256];
			snprintf(want, sizeof(want), "%.200s%s", val,
				 has_suffix(val, ".profile") ? "" : ".profile");
			if (st->sp && search_find(st->sp, want, named, sizeof(named)) >= 0) {
				free(inc);
				inc = xstrdup(named);
			}
		}
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

	/* Read whole, a regular file under 1 MiB only: /dev/zero would grow
	 * a line until memory ran out, and a FIFO would hold husk forever. */
	_cleanup_free_ char *text = NULL;
	size_t got;
	int rr = read_capped_file(real, PROFILE_MAX_SIZE, &text, &got, err, errlen);
	if (rr < 0)
		return rr;
	if (memchr(text, '\0', got))
		return errf(err, errlen, -EINVAL, "%s: a NUL byte (a profile is text)", real);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", real);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';

	st->files[st->n++] = real;
	*opened = true;
	unsigned lineno = 0;
	int r = 0;
	for (char *line = text; r == 0 && line < text + got;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		r = apply_line(p, line, real, ++lineno, dir, st, err, errlen);
		line = nl ? nl + 1 : text + got;
	}
	st->n--;
	return r;
}

int profile_apply_file(struct husk_policy *p, const char *path, const struct search_path *sp,
		       char *err, size_t errlen)
{
	struct stack st = { .n = 0, .sp = sp };
	bool opened = false;
	return apply_file(p, path, &st, &opened, err, errlen);
}
