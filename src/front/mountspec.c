#include "front/mountspec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void mountspec_free(struct mount_entry *m)
{
	free(m->src);
	free(m->dst);
	m->src = m->dst = NULL;
}

static int check_dst(const char *dst, char *err, size_t errlen)
{
	if (!path_is_normal_absolute(dst))
		return errf(err, errlen, -EINVAL,
			    "destination '%s' must be an absolute path without '.', '..', '//' "
			    "or a trailing '/'",
			    dst);
	return 0;
}

int mountspec_parse_bind(const char *arg, bool readonly, struct mount_entry *m, char *err,
			 size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->kind = MOUNT_BIND;
	m->readonly = readonly;
	const char *colon = strchr(arg, ':');
	size_t srclen = colon ? (size_t)(colon - arg) : strlen(arg);
	if (srclen == 0)
		return errf(err, errlen, -EINVAL, "empty source: use SRC[:DST]");
	const char *dst = colon ? colon + 1 : arg;
	if (colon && strchr(dst, ':'))
		return errf(err, errlen, -EINVAL, "more than one ':': use SRC[:DST]");
	m->src = strndup(arg, srclen);
	if (!m->src)
		return -ENOMEM;
	if (!colon && m->src[0] != '/') {
		mountspec_free(m);
		return errf(err, errlen, -EINVAL, "relative source '%s' needs an explicit :DST", arg);
	}
	m->dst = strdup(dst);
	if (!m->dst) {
		mountspec_free(m);
		return -ENOMEM;
	}
	int r = check_dst(m->dst, err, errlen);
	if (r < 0)
		mountspec_free(m);
	return r;
}

static int parse_tmpfs_opt(struct mount_entry *m, const char *opt, char *err, size_t errlen)
{
	const char *eq = strchr(opt, '=');
	if (!eq || eq == opt || !eq[1])
		return errf(err, errlen, -EINVAL, "option '%s': use KEY=VALUE (size, nr_inodes, mode)", opt);
	size_t klen = (size_t)(eq - opt);
	const char *val = eq + 1;
	if (klen == 4 && strncmp(opt, "size", 4) == 0) {
		int r = parse_size(val, &m->size);
		if (r == -ERANGE)
			return errf(err, errlen, -ERANGE,
				    "size=%s: above husk's maximum of 256t (2^48 bytes), where the kernel "
				    "would wrap it to no bound at all",
				    val);
		if (r < 0 || m->size == 0)
			return errf(err, errlen, -EINVAL, "size=%s: expected a positive size like 64m", val);
	} else if (klen == 9 && strncmp(opt, "nr_inodes", 9) == 0) {
		if (parse_size(val, &m->nr_inodes) < 0 || m->nr_inodes == 0)
			return errf(err, errlen, -EINVAL, "nr_inodes=%s: expected a positive count like 4k",
				    val);
	} else if (klen == 4 && strncmp(opt, "mode", 4) == 0) {
		if (parse_mode(val, &m->mode) < 0)
			return errf(err, errlen, -EINVAL, "mode=%s: expected an octal mode like 1777", val);
	} else {
		return errf(err, errlen, -EINVAL, "unknown option '%.*s': known are size, nr_inodes, mode",
			    (int)klen, opt);
	}
	return 0;
}

int mountspec_parse_tmpfs(const char *arg, struct mount_entry *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->kind = MOUNT_TMPFS;
	m->size = HUSK_DEFAULT_TMPFS_SIZE;
	m->nr_inodes = HUSK_DEFAULT_TMPFS_INODES;
	m->mode = HUSK_DEFAULT_TMPFS_MODE;

	const char *colon = strchr(arg, ':');
	m->dst = colon ? strndup(arg, (size_t)(colon - arg)) : strdup(arg);
	if (!m->dst)
		return -ENOMEM;
	int r = check_dst(m->dst, err, errlen);
	if (r < 0)
		goto out;
	if (colon) {
		_cleanup_free_ char *opts = strdup(colon + 1);
		if (!opts) {
			r = -ENOMEM;
			goto out;
		}
		if (!*opts) {
			r = errf(err, errlen, -EINVAL, "empty option list after ':'");
			goto out;
		}
		/* Every item must be an option: strtok_r would skip the empty
		 * ones, so "/tmp:," passed where "/tmp:" did not. */
		for (char *o = opts, *next; o; o = next) {
			next = strchr(o, ',');
			if (next)
				*next++ = '\0';
			if (!*o) {
				r = errf(err, errlen, -EINVAL, "an empty option in '%s'", colon + 1);
				goto out;
			}
			if ((r = parse_tmpfs_opt(m, o, err, errlen)) < 0)
				goto out;
		}
	}
	return 0;
out:
	mountspec_free(m);
	return r;
}
