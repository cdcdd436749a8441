#include "launch/view.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

#define MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
#define KIND_LINK 100 /* lookup only: a symlink, its target in link */

void view_init(struct view *v, const struct husk_policy *p, int rootfd, const int *srcfd)
{
	*v = (struct view){ .p = p, .rootfd = rootfd, .srcfd = srcfd };
	v->dst = xcalloc(p->n_mounts ? p->n_mounts : 1, sizeof(char *));
}

void view_free(struct view *v)
{
	for (size_t i = 0; v->dst && i < v->p->n_mounts; i++)
		free(v->dst[i]);
	free(v->dst);
	for (size_t i = 0; i < v->n_mirror; i++)
		free(v->mirror[i]);
	memset(v, 0, sizeof(*v));
}

const char *view_dst(const struct view *v, size_t i)
{
	return v->dst[i] ? v->dst[i] : v->p->mounts[i].dst;
}

/* path is dir or below it. */
static bool under(const char *path, const char *dir)
{
	size_t d = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, d) == 0 && (path[d] == '\0' || path[d] == '/');
}

/* The mount in place that holds path: the last one whose destination is
 * path or an ancestor of it, the deepest winning; -1 for the root. */
static ssize_t holder(const struct view *v, const char *path)
{
	ssize_t best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < v->active; i++) {
		size_t len = strlen(v->dst[i]);
		if (under(path, v->dst[i]) && (best < 0 || len >= best_len)) {
			best = (ssize_t)i;
			best_len = len;
		}
	}
	return best;
}

/* A directory that an earlier mount's destination lies below: it exists
 * in the sandbox whether or not the layer under it has it. */
static bool is_mount_ancestor(const struct view *v, const char *path)
{
	for (size_t i = 0; i < v->active; i++)
		if (under(v->dst[i], path) && strcmp(v->dst[i], path) != 0)
			return true;
	return false;
}

static int stat_kind(const struct stat *st)
{
	return S_ISLNK(st->st_mode) ? KIND_LINK : S_ISDIR(st->st_mode) ? VIEW_DIR : VIEW_FILE;
}

/* fstatat of rel (no symlink followed) below fd, or fd itself. */
static int stat_in(int fd, const char *rel, struct stat *st, char *link, size_t linklen)
{
	if (fstatat(fd, *rel ? rel : "", st, AT_SYMLINK_NOFOLLOW | (*rel ? 0 : AT_EMPTY_PATH)) < 0)
		return errno == ENOENT ? VIEW_MISSING : -errno;
	int k = stat_kind(st);
	if (k == KIND_LINK) {
		ssize_t n = readlinkat(fd, rel, link, linklen - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
	}
	return k;
}

/* What the layer under cand has there (the rootfs, or the mount that
 * holds it), without following a final symlink. cand's ancestors are
 * directories of the view, none a symlink. */
static int lookup_raw(const struct view *v, const char *cand, struct stat *st, char *link,
		      size_t linklen)
{
	ssize_t h = holder(v, cand);
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFDIR | 0755; /* what husk's own directories are */
	if (h < 0) {
		if (v->rootfd < 0)
			return strcmp(cand, "/") == 0 ? VIEW_DIR : VIEW_MISSING;
		return stat_in(v->rootfd, cand + 1, st, link, linklen);
	}
	const struct mount_entry *m = &v->p->mounts[h];
	const char *rel = cand + strlen(v->dst[h]);
	rel += *rel == '/';
	switch (m->kind) {
	case MOUNT_TMPFS:
		return *rel ? VIEW_MISSING : VIEW_DIR;
	case MOUNT_DEV:
		/* An OCI /dev is a writable tmpfs the config mounts into. */
		if (m->dev_bare)
			return *rel ? VIEW_MISSING : VIEW_DIR;
		return *rel ? VIEW_SPECIAL : VIEW_DIR;
	case MOUNT_SYSFS:
		/* Its directories (fs/cgroup) are the kernel's: taken as there;
		 * the mount itself says if one is not. */
		return VIEW_DIR;
	case MOUNT_PROC:
	case MOUNT_DEVPTS:
	case MOUNT_MQUEUE:
	case MOUNT_CGROUP:
		return *rel ? VIEW_SPECIAL : VIEW_DIR;
	case MOUNT_BIND:
	default:
		return stat_in(v->srcfd[h], rel, st, link, linklen);
	}
}

/* lookup_raw, where a directory that an earlier mount's destination lies
 * below exists whether or not the layer has it: husk creates it. */
static int lookup(const struct view *v, const char *cand, struct stat *st, char *link,
		  size_t linklen)
{
	int k = lookup_raw(v, cand, st, link, linklen);
	if (k == VIEW_MISSING && is_mount_ancestor(v, cand)) {
		st->st_mode = S_IFDIR | 0755;
		k = VIEW_DIR;
	}
	return k;
}

/* Appends "/name" to a canonical path ("" stands for the root). */
static int join(char *buf, size_t len, const char *name, size_t nlen)
{
	size_t n = strlen(buf);
	if (n + 1 + nlen >= len)
		return -ENAMETOOLONG;
	buf[n] = '/';
	memcpy(buf + n + 1, name, nlen);
	buf[n + 1 + nlen] = '\0';
	return 0;
}

/* view_resolve, and how much of out is the existing ancestor. */
static int resolve(const struct view *v, const char *path, char *out, size_t outlen,
		   struct stat *st, size_t *existing)
{
	char res[PATH_MAX] = "", todo[PATH_MAX * 2], link[PATH_MAX];
	struct stat sb;
	if (!st)
		st = &sb;
	if (strlen(path) >= sizeof(todo))
		return -ENAMETOOLONG;
	strcpy(todo, path);
	int links = 0, kind = VIEW_DIR;
	char *t = todo;
	while (*t) {
		while (*t == '/')
			t++;
		if (!*t)
			break;
		size_t n = strcspn(t, "/");
		char *next = t + n;
		if (n == 1 && t[0] == '.') {
			t = next;
			continue;
		}
		if (n == 2 && t[0] == '.' && t[1] == '.') {
			char *slash = strrchr(res, '/');
			if (slash)
				*slash = '\0';
			t = next;
			continue;
		}
		size_t before = strlen(res);
		if (join(res, sizeof(res), t, n) < 0)
			return -ENAMETOOLONG;
		kind = lookup(v, res, st, link, sizeof(link));
		if (kind < 0)
			return kind;
		if (kind == KIND_LINK) {
			if (++links > MAX_LINKS)
				return -ELOOP;
			res[before] = '\0';
			if (link[0] == '/')
				res[0] = '\0';
			/* The rest of the path goes after the link's target. */
			char rest[PATH_MAX * 2];
			int w = snprintf(rest, sizeof(rest), "%s%s", link, next);
			if (w < 0 || (size_t)w >= sizeof(todo))
				return -ENAMETOOLONG;
			strcpy(todo, rest);
			t = todo;
			continue;
		}
		if (kind == VIEW_MISSING || kind == VIEW_SPECIAL) {
			*existing = before;
			if (snprintf(out, outlen, "%s%s", res, next) >= (int)outlen)
				return -ENAMETOOLONG;
			return kind;
		}
		t = next;
		while (*t == '/')
			t++;
		if (kind == VIEW_FILE && *t)
			return -ENOTDIR;
	}
	if (snprintf(out, outlen, "%s", res[0] ? res : "/") >= (int)outlen)
		return -ENAMETOOLONG;
	*existing = strlen(out);
	if (!res[0]) {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFDIR | 0755;
		if (v->rootfd >= 0 && holder(v, "/") < 0 && fstatat(v->rootfd, "", st, AT_EMPTY_PATH) < 0)
			return -errno;
	}
	return kind;
}

int view_resolve(const struct view *v, const char *path, char *out, size_t outlen, struct stat *st)
{
	size_t existing;
	return resolve(v, path, out, outlen, st, &existing);
}

static bool is_mirror(const struct view *v, const char *path)
{
	for (size_t i = 0; i < v->n_mirror; i++)
		if (strcmp(v->mirror[i], path) == 0)
			return true;
	return false;
}

static size_t depth(const char *path)
{
	size_t n = 0;
	if (strcmp(path, "/") == 0)
		return 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

static bool mirror_before(ssize_t after_a, const char *a, ssize_t after_b, const char *b)
{
	return after_a != after_b ? after_a < after_b : depth(a) < depth(b);
}

static int add_mirror(struct view *v, const char *path, ssize_t after, const char *why)
{
	if (v->n_mirror == VIEW_MAX_MIRRORS)
		return -E2BIG;
	size_t at = v->n_mirror;
	while (at > 0 && mirror_before(after, path, v->mirror_after[at - 1], v->mirror[at - 1]))
		at--;
	size_t n = v->n_mirror - at;
	memmove(&v->mirror[at + 1], &v->mirror[at], n * sizeof(v->mirror[0]));
	memmove(&v->mirror_for[at + 1], &v->mirror_for[at], n * sizeof(v->mirror_for[0]));
	memmove(&v->mirror_after[at + 1], &v->mirror_after[at], n * sizeof(v->mirror_after[0]));
	v->mirror[at] = xstrdup(path);
	v->mirror_for[at] = why;
	v->mirror_after[at] = after;
	v->n_mirror++;
	return 0;
}

static const char *kind_word(const struct mount_entry *m)
{
	switch (m->kind) {
	case MOUNT_TMPFS:
		return "tmpfs";
	case MOUNT_PROC:
		return "proc";
	case MOUNT_DEV:
		return "dev";
	case MOUNT_SYSFS:
		return "sysfs";
	case MOUNT_DEVPTS:
		return "devpts";
	case MOUNT_MQUEUE:
		return "mqueue";
	case MOUNT_CGROUP:
		return "cgroup";
	case MOUNT_BIND:
	default:
		return m->readonly ? "ro-bind" : "bind";
	}
}

/* Where a missing mount point can be created: the directory anc (existing
 * in the view) is writable while husk sets up (a tmpfs, a writable bind, a
 * mirror, an empty root), or gets a mirror; inside /proc and /dev, never. */
static int make_room(struct view *v, const struct mount_entry *m, const char *anc, char *err,
		     size_t errlen)
{
	if (is_mirror(v, anc))
		return 0;
	struct stat st;
	char link[PATH_MAX];
	/* A directory husk itself creates for an earlier mount was created in
	 * a place writable during setup: so is the directory itself. */
	if (lookup_raw(v, anc, &st, link, sizeof(link)) == VIEW_MISSING)
		return 0;
	ssize_t h = holder(v, anc);
	/* A writable root (an OCI config's root.readonly false) takes the
	 * mount point itself, as runc makes it. */
	if (h < 0 && (v->rootfd < 0 || v->p->root_writable))
		return 0;
	if (h >= 0) {
		const struct mount_entry *hm = &v->p->mounts[h];
		if (hm->kind == MOUNT_TMPFS || (hm->kind == MOUNT_BIND && !hm->readonly) ||
		    (hm->kind == MOUNT_DEV && hm->dev_bare))
			return 0;
		if (hm->kind == MOUNT_PROC || hm->kind == MOUNT_DEV)
			return errf(err, errlen, -EINVAL,
				    "mount %s on %s: %s is inside %s, which husk sets up itself; choose "
				    "another destination",
				    kind_word(m), m->dst, anc, view_dst(v, (size_t)h));
	}
	if (add_mirror(v, anc, h, m->dst) < 0)
		return errf(err, errlen, -E2BIG,
			    "mount %s on %s: more than %d directories would need mirroring for "
			    "missing mount points; create them in the rootfs",
			    kind_word(m), m->dst, VIEW_MAX_MIRRORS);
	return 0;
}

static int plan_one(struct view *v, size_t i, char *err, size_t errlen)
{
	const struct mount_entry *m = &v->p->mounts[i];
	const char *what = kind_word(m);
	bool want_dir = true;
	if (m->kind == MOUNT_BIND) {
		struct stat st;
		if (fstat(v->srcfd[i], &st) < 0)
			return errf(err, errlen, -errno, "mount %s: source %s: %s", what, m->src,
				    strerror(errno));
		want_dir = S_ISDIR(st.st_mode);
	}
	char canon[PATH_MAX];
	struct stat st;
	size_t existing;
	int k = resolve(v, m->dst, canon, sizeof(canon), &st, &existing);
	if (k == -ELOOP)
		return errf(err, errlen, k,
			    "mount %s on %s: too many symlinks (a loop?) in the rootfs; symlinks "
			    "there are resolved inside it, never on the host",
			    what, m->dst);
	if (k == -ENOTDIR)
		return errf(err, errlen, k,
			    "mount %s on %s: a component of the path is a file in the sandbox; "
			    "choose another destination",
			    what, m->dst);
	if (k < 0)
		return errf(err, errlen, k, "mount %s on %s: %s", what, m->dst, strerror(-k));
	if (k == VIEW_SPECIAL)
		return errf(err, errlen, -EINVAL,
			    "mount %s on %s: it resolves to %s, inside /proc or /dev, which husk "
			    "sets up itself; choose another destination",
			    what, m->dst, canon);
	/* /proc and /dev go only on real directories: a rootfs that makes
	 * them symlinks wants husk's masks to land somewhere the service
	 * does not look (runc CVE-2019-19921, CVE-2025-52565). */
	if ((m->kind == MOUNT_PROC || m->kind == MOUNT_DEV) &&
	    (strcmp(canon, m->dst) != 0 || k == VIEW_FILE))
		return errf(err, errlen, -ELOOP,
			    "mount %s: %s in the rootfs is a symlink or not a directory; husk mounts "
			    "it only on a real directory",
			    what, m->dst);
	if (k == VIEW_DIR && !want_dir)
		return errf(err, errlen, -EISDIR,
			    "mount %s %s on %s: the destination is a directory in the sandbox and "
			    "the source is a file; bind a directory, or choose a file destination",
			    what, m->src, m->dst);
	if (k == VIEW_FILE && want_dir)
		return errf(err, errlen, -ENOTDIR,
			    "mount %s on %s: %s is a file in the sandbox%s, and %s needs a directory; "
			    "choose another destination",
			    what, m->dst, canon, strcmp(canon, m->dst) ? " (through a symlink)" : "",
			    m->kind == MOUNT_BIND ? "a directory bind" : "a tmpfs");
	if (k == VIEW_MISSING) {
		char anc[PATH_MAX];
		snprintf(anc, sizeof(anc), "%.*s", (int)existing, canon);
		int r = make_room(v, m, anc[0] ? anc : "/", err, errlen);
		if (r < 0)
			return r;
	}
	v->dst[i] = xstrdup(canon);
	v->active = i + 1;
	return 0;
}

int view_plan(struct view *v, char *err, size_t errlen)
{
	for (size_t i = 0; i < v->p->n_mounts; i++) {
		int r = plan_one(v, i, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

int view_open(const struct view *v, const char *canon)
{
	ssize_t h = holder(v, canon);
	int fd;
	if (h < 0) {
		if (v->rootfd < 0)
			return -ENOENT;
		fd = openat(v->rootfd, canon[1] ? canon + 1 : ".", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	const struct mount_entry *m = &v->p->mounts[h];
	if (m->kind != MOUNT_BIND)
		return -ENOENT;
	const char *rel = canon + strlen(v->dst[h]);
	rel += *rel == '/';
	fd = *rel ? openat(v->srcfd[h], rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
		  : open(m->src, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
