#include "launch/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

int idmap_format(char *buf, size_t len, uint32_t inside, uint32_t outside)
{
	int n = snprintf(buf, len, "%u %u 1\n", inside, outside);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int idmap_subid_parse(const char *text, const char *name, struct id_range *out, char *err,
		      size_t errlen)
{
	size_t nlen = strlen(name);
	for (const char *l = text; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		if (strncmp(l, name, nlen) != 0 || l[nlen] != ':')
			continue;
		char line[128];
		size_t len = strcspn(l, "\n");
		if (len >= sizeof(line))
			return errf(err, errlen, -EINVAL, "the %s entry is too long", name);
		memcpy(line, l, len);
		line[len] = '\0';
		char *start = line + nlen + 1, *count = strchr(start, ':');
		uint32_t s, c;
		if (!count)
			return errf(err, errlen, -EINVAL, "'%s': expected %s:START:COUNT", line, name);
		*count++ = '\0';
		if (parse_u32(start, &s) < 0 || parse_u32(count, &c) < 0 || c == 0)
			return errf(err, errlen, -EINVAL, "'%s:%s:%s': expected %s:START:COUNT as numbers",
				    name, start, count, name);
		if (s == 0)
			return errf(err, errlen, -EINVAL,
				    "'%s:%s:%s': the range starts at host id 0 (root); give %s a range "
				    "of unused ids, like %s:%u:%u",
				    name, start, count, name, name, HUSK_ROOT_RANGE_START,
				    HUSK_ROOT_RANGE_COUNT);
		/* The last id, 2^32-1, is (uid_t)-1: never a valid id. */
		if ((uint64_t)s + c > UINT32_MAX)
			return errf(err, errlen, -EINVAL, "'%s:%s:%s': the range runs past the last id",
				    name, start, count);
		*out = (struct id_range){ .start = s, .count = c };
		return 0;
	}
	return -ENOENT;
}

int idmap_subid_read(const char *path, const char *name, struct id_range *out, char *err,
		     size_t errlen)
{
	/* subuid files hold one line per user; 64 KB is thousands of them. */
	char buf[65536];
	int r = read_text(path, buf, sizeof(buf));
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return errf(err, errlen, r, "%s: %s", path, strerror(-r));
	if (strlen(buf) == sizeof(buf) - 1)
		return errf(err, errlen, -EFBIG, "%s: larger than %zu bytes", path, sizeof(buf) - 1);
	char why[256];
	r = idmap_subid_parse(buf, name, out, why, sizeof(why));
	if (r == -EINVAL)
		return errf(err, errlen, r, "%s: %s", path, why);
	return r;
}

static int write_proc(pid_t pid, const char *file, const char *data)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "user namespace: open %s", path);
	size_t len = strlen(data);
	ssize_t w = write(fd, data, len);
	if (w < 0)
		return log_errno(-errno, "user namespace: write '%.*s' to %s", (int)strcspn(data, "\n"),
				 data, path);
	if ((size_t)w != len)
		return log_errno(-EIO, "user namespace: short write to %s", path);
	return 0;
}

int idmap_root_ranges(struct id_range *uids, struct id_range *gids, char *err, size_t errlen)
{
	*uids = *gids = (struct id_range){ 0 };
	int ru = idmap_subid_read("/etc/subuid", HUSK_SUBID_USER, uids, err, errlen);
	if (ru < 0 && ru != -ENOENT)
		return ru;
	int rg = idmap_subid_read("/etc/subgid", HUSK_SUBID_USER, gids, err, errlen);
	if (rg < 0 && rg != -ENOENT)
		return rg;
	if ((ru == 0) != (rg == 0))
		return errf(err, errlen, -EINVAL,
			    "%s has a " HUSK_SUBID_USER " entry and %s has none: give the "
			    HUSK_SUBID_USER " user a range in both, or in neither to use husk's "
			    "fixed range",
			    ru == 0 ? "/etc/subuid" : "/etc/subgid", ru == 0 ? "/etc/subgid" : "/etc/subuid");
	return 0;
}

int idmap_write(pid_t pid, uint32_t uid_in, uint32_t uid_out, uint32_t gid_in, uint32_t gid_out)
{
	const struct id_mapping u = { uid_in, uid_out, 1 }, g = { gid_in, gid_out, 1 };
	return idmap_write_maps(pid, &u, 1, &g, 1, false);
}

int idmap_format_maps(char *buf, size_t len, const struct id_mapping *m, size_t n)
{
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(buf + at, len - at, "%u %u %u\n", m[i].inside, m[i].outside,
				 m[i].count);
		if (k < 0 || (size_t)k >= len - at)
			return -ENOSPC;
		at += (size_t)k;
	}
	return (int)at;
}

int idmap_write_maps(pid_t pid, const struct id_mapping *u, size_t nu, const struct id_mapping *g,
		     size_t ng, bool allow_setgroups)
{
	char buf[1024];
	int r;
	if ((r = idmap_format_maps(buf, sizeof(buf), u, nu)) < 0)
		return r;
	if ((r = write_proc(pid, "uid_map", buf)) < 0)
		return r;
	if (!allow_setgroups && (r = write_proc(pid, "setgroups", "deny")) < 0)
		return r;
	if ((r = idmap_format_maps(buf, sizeof(buf), g, ng)) < 0)
		return r;
	return write_proc(pid, "gid_map", buf);
}

bool idmap_text_covers(const char *map, uint32_t id)
{
	/* strtoull, not sscanf: the monitor runs this, and scanf maps tens of
	 * KB of libc into its resident set. */
	for (const char *l = map; l && *l;) {
		char *end;
		unsigned long long in = strtoull(l, &end, 10);
		strtoull(end, &end, 10);
		unsigned long long count = strtoull(end, &end, 10);
		if (end != l && id >= in && id - in < count)
			return true;
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return false;
}

int idmap_own_covers(uint32_t uid, uint32_t gid, char *err, size_t errlen)
{
	static const char *const files[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
	const uint32_t ids[] = { uid, gid };
	for (int i = 0; i < 2; i++) {
		char map[4096];
		if (read_text(files[i], map, sizeof(map)) < 0)
			continue; /* no user namespaces at all: the clone will say */
		if (!idmap_text_covers(map, ids[i]))
			return errf(err, errlen, -ERANGE,
				    "the service's host %s %u is not mapped in the user namespace "
				    "husk runs in (%s: a rootless container?)",
				    i ? "gid" : "uid", (unsigned)ids[i], files[i]);
	}
	return 0;
}
