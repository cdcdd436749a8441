/* The sandbox's file tree before it exists: in-sandbox paths resolved over
 * the rootfs and the policy's mounts the way the kernel will resolve them
 * after pivot_root (symlinks followed inside the sandbox's root, never on
 * the host), and the plan of where missing mount points go.
 *
 * One planner for three callers: husk check and husk run (before clone,
 * over the rootfs and bind sources opened as the caller) and the sandbox's
 * init (over the real detached tree, which is authoritative), so what
 * check refuses is what run refuses. It only reads (fstatat, readlinkat).
 *
 * Missing mount points: the rootfs is never written. A destination whose
 * parent lies on a read-only mount (the rootfs, a --ro-bind) gets that
 * parent "mirrored": a small tmpfs holding the same entries, each bound
 * back read-only from the original, plus the new mount point; it is made
 * read-only once the mounts are in place. (An overlay with a tmpfs upper
 * cannot do it unprivileged: copy-up must chown to the lower owner, which
 * the user namespace does not map.) */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "policy/policy.h"

#define VIEW_MAX_MIRRORS 32

struct view {
	const struct husk_policy *p;
	int rootfd;	  /* the rootfs root (any fd usable with fstatat), or -1: empty tmpfs */
	const int *srcfd; /* per mount: the bind source, -1 for other kinds */
	char **dst;	  /* per mount: canonical destination (view_plan) */
	size_t active;	  /* mounts [0, active) are in place */
	char *mirror[VIEW_MAX_MIRRORS]; /* canonical dirs that get a mirror, parents first */
	const char *mirror_for[VIEW_MAX_MIRRORS]; /* the destination that needed it */
	/* The mount after which the mirror is made (-1: before the first):
	 * the one that holds its directory, which must be in place. Sorted
	 * by that, then parents first. */
	ssize_t mirror_after[VIEW_MAX_MIRRORS];
	size_t n_mirror;
};

enum view_kind {
	VIEW_MISSING = 0,
	VIEW_DIR,
	VIEW_FILE,    /* anything but a directory */
	VIEW_SPECIAL, /* inside /proc or /dev: not known before they are mounted */
};

void view_init(struct view *v, const struct husk_policy *p, int rootfd, const int *srcfd);
void view_free(struct view *v);

/* Resolves an absolute in-sandbox path. Returns its kind, with the
 * canonical path (symlinks resolved) in out and, for an existing object,
 * its stat in st (NULL to skip); for VIEW_MISSING, out holds the canonical
 * deepest existing ancestor followed by the rest of the path. Negative
 * errno: -ELOOP (too many links), -ENAMETOOLONG, or the error of a lookup. */
int view_resolve(const struct view *v, const char *path, char *out, size_t outlen,
		 struct stat *st);

/* Plans every mount in order: canonical destinations, the type of each
 * destination against what is mounted there, and the mirrors. Returns 0 or
 * a negative errno with one line in err that names the mount and the fix. */
int view_plan(struct view *v, char *err, size_t errlen);

/* Opens the object at the canonical path canon (from view_resolve) for
 * reading, without following a final symlink. A bind of a file is opened
 * by its host path. Negative errno; -ENOENT inside husk's own tmpfs. */
int view_open(const struct view *v, const char *canon);

/* Where the plan put mount i (valid after view_plan). */
const char *view_dst(const struct view *v, size_t i);
