#include "launch/mounts.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/log.h"
#include "base/sys.h"
#include "launch/sdnotify.h"
#include "launch/view.h"

const char *const mounts_proc_masked[] = {
	"/proc/acpi",	     "/proc/asound",	    "/proc/interrupts", "/proc/kcore",
	"/proc/keys",	     "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi",
	"/proc/timer_list", "/proc/timer_stats",   NULL,
};

const char *const mounts_proc_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

const char *const mounts_dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };

#define ROOT_TMPFS_SIZE "1m"
#define ROOT_TMPFS_INODES "4096"
#define DEV_TMPFS_SIZE "64k"
#define DEV_TMPFS_INODES "64"
#define SHM_SIZE "64m"
#define MASK_TMPFS_SIZE "4k"
/* A mirror holds empty inodes and short symlinks: little data, an inode
 * per entry and some for the mount points made in it. */
#define MIRROR_TMPFS_SIZE "1m"
#define MIRROR_SPARE_INODES 256
#define MIRROR_MAX_ENTRIES 4096

/* The attributes of each kind of top-level mount, in one place so that what
 * husk check prints is what mounts_setup applies. */
#define ATTR_ROOT (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
#define ATTR_TMPFS (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
#define ATTR_PROC (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)
#define ATTR_DEV (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

uint64_t mounts_root_attrs(const struct husk_policy *p)
{
	return p->root_writable ? ATTR_ROOT & ~(uint64_t)MOUNT_ATTR_RDONLY : ATTR_ROOT;
}

/* An OCI config adds flags (m->attrs) to these, never takes husk's away;
 * only a device bind goes without nodev, which its node needs. */
uint64_t mounts_attrs(const struct mount_entry *m)
{
	uint64_t ro = m->readonly ? MOUNT_ATTR_RDONLY : 0;
	switch (m->kind) {
	case MOUNT_PROC:
		return ATTR_PROC | m->attrs | ro;
	case MOUNT_DEV:
		/* An OCI /dev stays writable, as runc's: the config mounts
		 * into it. */
		return (m->dev_bare ? ATTR_DEV & ~(uint64_t)MOUNT_ATTR_RDONLY : ATTR_DEV) | m->attrs;
	case MOUNT_TMPFS:
		return ATTR_TMPFS | m->attrs | ro;
	case MOUNT_SYSFS:
	case MOUNT_MQUEUE:
	case MOUNT_CGROUP:
		return ATTR_PROC | m->attrs | ro;
	case MOUNT_DEVPTS:
		return MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | m->attrs | ro;
	case MOUNT_BIND:
		break;
	}
	return MOUNT_ATTR_NOSUID | (m->device ? 0 : MOUNT_ATTR_NODEV) | m->attrs | ro;
}

const char *mounts_attrs_str(uint64_t attrs, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", attrs & MOUNT_ATTR_RDONLY ? "ro" : "rw",
		 attrs & MOUNT_ATTR_NOSUID ? ",nosuid" : "", attrs & MOUNT_ATTR_NODEV ? ",nodev" : "",
		 attrs & MOUNT_ATTR_NOEXEC ? ",noexec" : "");
	return buf;
}

/* Symlinks are followed only inside the new root: an absolute or ../ link
 * in the rootfs can never name a host path (CVE-2021-30465,
 * CVE-2025-31133 classes), and /proc magic links are refused outright. */
#define RESOLVE_SANDBOX (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

static int resolve_how(int rootfd, const char *path, int flags, uint64_t how)
{
	const char *rel = path[0] == '/' ? path + 1 : path;
	if (!*rel)
		rel = ".";
	int fd = sys_openat2(rootfd, rel, (uint64_t)(flags | O_CLOEXEC), 0, how);
	return fd < 0 ? -errno : fd;
}

static int resolve(int rootfd, const char *path, int flags)
{
	return resolve_how(rootfd, path, flags, RESOLVE_SANDBOX);
}

/* Explains a failed destination lookup: whether a symlink was involved. */
static const char *why_missing(int rootfd, const char *path)
{
	const char *rel = path[0] == '/' ? path + 1 : path;
	int fd = sys_openat2(rootfd, rel, O_PATH | O_CLOEXEC, 0,
			     RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
	if (fd >= 0) {
		close(fd);
		return "";
	}
	if (errno == ELOOP)
		return " (it goes through a symlink; symlinks in the root are resolved inside it, "
		       "never on the host)";
	return "";
}

/* Opens dst inside the new root as an O_PATH fd, creating it (and missing
 * parents) as a directory or an empty file. On a read-only rootfs nothing
 * can be created, so the rootfs is never modified: a missing mount point is
 * an error that tells the user to add it. */
static int open_mountpoint(int rootfd, const char *what, const char *dst, bool want_dir)
{
	int fd = resolve(rootfd, dst, O_PATH);
	if (fd >= 0)
		goto check;
	if (fd != -ENOENT)
		return log_errno(fd, "mount %s: destination %s%s", what, dst, why_missing(rootfd, dst));

	/* Create missing components one by one, each looked up anew from the
	 * root so a symlink can only lead inside it. */
	char buf[PATH_MAX];
	if (strlen(dst) >= sizeof(buf))
		return log_errno(-ENAMETOOLONG, "mount %s: destination %s", what, dst);
	strcpy(buf, dst);
	for (char *slash = buf + 1;; slash++) {
		slash = strchr(slash, '/');
		bool last = slash == NULL;
		if (!last)
			*slash = '\0';
		int cfd = resolve(rootfd, buf, O_PATH);
		if (cfd == -ENOENT) {
			char *name = strrchr(buf, '/');
			*name = '\0';
			_cleanup_close_ int parent = resolve(rootfd, buf[0] ? buf : "/", O_PATH | O_DIRECTORY);
			*name = '/';
			if (parent < 0)
				return log_errno(parent, "mount %s: destination %s: parent of %s", what,
						 dst, buf);
			int r;
			if (!last || want_dir) {
				r = mkdirat(parent, name + 1, 0755);
			} else {
				r = openat(parent, name + 1,
					   O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (r >= 0)
					close(r);
			}
			if (r < 0 && errno == EROFS)
				return log_errno(-ENOENT,
						 "mount %s: destination %s does not exist in the "
						 "read-only root%s; create %s in the rootfs",
						 what, dst, why_missing(rootfd, dst), buf);
			if (r < 0 && errno != EEXIST)
				return log_errno(-errno, "mount %s: create mount point %s", what, buf);
		} else if (cfd < 0) {
			return log_errno(cfd, "mount %s: destination %s: at %s%s", what, dst, buf,
					 why_missing(rootfd, buf));
		} else {
			close(cfd);
		}
		if (last)
			break;
		*slash = '/';
	}
	fd = resolve(rootfd, dst, O_PATH);
	if (fd < 0)
		return log_errno(fd, "mount %s: destination %s%s", what, dst, why_missing(rootfd, dst));
check:;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		close(fd);
		return log_errno(e, "mount %s: stat %s", what, dst);
	}
	if (S_ISDIR(st.st_mode) != want_dir) {
		close(fd);
		return log_errno(want_dir ? -ENOTDIR : -EISDIR,
				 "mount %s: destination %s is %s, the source is %s", what, dst,
				 want_dir ? "not a directory" : "a directory",
				 want_dir ? "a directory" : "not a directory");
	}
	return fd;
}

static int attach(int mntfd, int targetfd)
{
	if (sys_move_mount(mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return -errno;
	return 0;
}

/* The options of an OCI mount ("newinstance,ptmxmode=0666") on a new
 * file system context, and the source name mountinfo shows. */
static int fs_options(int fs, const char *source, const char *data)
{
	if (source && sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return -errno;
	if (!data || !*data)
		return 0;
	char buf[1024];
	if (strlen(data) >= sizeof(buf))
		return -E2BIG;
	strcpy(buf, data);
	char *save = NULL;
	for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');
		int r;
		if (eq) {
			*eq = '\0';
			r = sys_fsconfig(fs, FSCONFIG_SET_STRING, o, eq + 1, 0);
		} else {
			r = sys_fsconfig(fs, FSCONFIG_SET_FLAG, o, NULL, 0);
		}
		if (r < 0)
			return -errno;
	}
	return 0;
}

/* A new detached tmpfs; every tmpfs husk makes is bounded in bytes and
 * inodes, since an unbounded one lets the service fill host memory. */
static int tmpfs_new_src(const char *size, const char *inodes, const char *mode, unsigned attrs,
			 const char *source)
{
	_cleanup_close_ int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	int r = fs_options(fs, source, NULL);
	if (r < 0)
		return r;
	if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "size", size, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "nr_inodes", inodes, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	int m = sys_fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	return m < 0 ? -errno : m;
}

static int tmpfs_new(const char *size, const char *inodes, const char *mode, unsigned attrs)
{
	return tmpfs_new_src(size, inodes, mode, attrs, NULL);
}

/* A new mount of a file system with no size to bound (sysfs, devpts,
 * mqueue, cgroup2), detached. */
static int fs_new(const char *type, const struct mount_entry *m, uint64_t attrs)
{
	_cleanup_close_ int fs = sys_fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	int r = fs_options(fs, m->fs_source, m->data);
	if (r < 0)
		return r;
	if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	int mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs);
	return mnt < 0 ? -errno : mnt;
}

/* A detached clone of a host path with extra restrictions (flags can be
 * added, never cleared: the kernel locks what the host set). */
static int clone_path(int dirfd, const char *path, bool recursive, uint64_t attrs)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
	if (!*path)
		flags |= AT_EMPTY_PATH;
	_cleanup_close_ int fd = sys_open_tree(dirfd, path, flags);
	if (fd < 0)
		return -errno;
	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attrs, 0) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* The secrets into their tmpfs while it is detached and writable, each
 * 0400 and the service's, the directory 0500 and the service's; then the
 * mount is made read-only. husk's copy of each value is wiped as it is
 * written: this process goes on to exec the service's init. */
static int write_secrets(int mnt, const struct husk_policy *p)
{
	for (size_t i = 0; i < p->n_secrets; i++) {
		struct secret_spec *s = (struct secret_spec *)&p->secrets[i];
		_cleanup_close_ int fd = openat(mnt, s->name,
						O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
		if (fd < 0)
			return log_errno(-errno, "secret %s: create %s/%s", s->name, HUSK_SECRETS_DIR,
					 s->name);
		for (size_t at = 0; at < s->len;) {
			ssize_t n = write(fd, s->value + at, s->len - at);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return log_errno(n < 0 ? -errno : -EIO, "secret %s: write", s->name);
			at += (size_t)n;
		}
		if (fchown(fd, p->uid, p->gid) < 0)
			return log_errno(-errno, "secret %s: give it to %u:%u", s->name, (unsigned)p->uid,
					 (unsigned)p->gid);
		explicit_bzero(s->value, s->len);
	}
	if (fchownat(mnt, "", p->uid, p->gid, AT_EMPTY_PATH) < 0)
		return log_errno(-errno, "secrets: give %s to %u:%u", HUSK_SECRETS_DIR, (unsigned)p->uid,
				 (unsigned)p->gid);
	if (sys_mount_setattr(mnt, "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY, 0) < 0)
		return log_errno(-errno, "secrets: make %s read-only", HUSK_SECRETS_DIR);
	return 0;
}

static int mount_tmpfs_at(int rootfd, const struct mount_entry *m, const struct husk_policy *p)
{
	char size[32], inodes[32], mode[16];
	snprintf(size, sizeof(size), "%llu", (unsigned long long)m->size);
	snprintf(inodes, sizeof(inodes), "%llu", (unsigned long long)m->nr_inodes);
	snprintf(mode, sizeof(mode), "%o", m->mode);
	_cleanup_close_ int target = open_mountpoint(rootfd, "tmpfs", m->dst, true);
	if (target < 0)
		return target;
	/* The secrets' tmpfs is written before it is made read-only. */
	uint64_t attrs = mounts_attrs(m) & (m->secrets ? ~(uint64_t)MOUNT_ATTR_RDONLY : ~0ull);
	_cleanup_close_ int mnt = tmpfs_new_src(size, inodes, mode, (unsigned)attrs, m->fs_source);
	if (mnt < 0)
		return log_errno(mnt, "mount tmpfs on %s: size=%s,nr_inodes=%s,mode=%s", m->dst, size,
				 inodes, mode);
	int r = m->secrets ? write_secrets(mnt, p) : 0;
	if (r < 0)
		return r;
	r = attach(mnt, target);
	if (r < 0)
		return log_errno(r, "mount tmpfs on %s", m->dst);
	return 0;
}

static int mount_bind_at(int rootfd, const struct mount_entry *m, int srcfd)
{
	struct stat st;
	if (fstat(srcfd, &st) < 0)
		return log_errno(-errno, "mount bind %s: stat source", m->src);
	const char *what = m->readonly ? "ro-bind" : "bind";
	_cleanup_close_ int target = open_mountpoint(rootfd, what, m->dst, S_ISDIR(st.st_mode));
	if (target < 0)
		return target;
	int r = attach(srcfd, target);
	if (r < 0)
		return log_errno(r, "mount %s %s on %s", what, m->src, m->dst);
	return 0;
}

static int mask_path(int rootfd, const char *path)
{
	/* not every kernel has every file, and an OCI list names paths a
	 * root may not have */
	_cleanup_close_ int target = resolve(rootfd, path, O_PATH | O_NOFOLLOW);
	if (target == -ENOENT)
		return 0; /* not every kernel has every file */
	if (target < 0)
		return log_errno(target, "mask %s", path);
	struct stat st;
	if (fstat(target, &st) < 0)
		return log_errno(-errno, "mask %s", path);
	_cleanup_close_ int mnt = -1;
	if (S_ISDIR(st.st_mode)) {
		mnt = tmpfs_new(MASK_TMPFS_SIZE, "1", "0", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					   MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	} else {
		/* /dev/null on a nodev mount: opening it fails with EACCES, so
		 * a masked file cannot be read at all. */
		mnt = clone_path(AT_FDCWD, "/dev/null", false,
				 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					 MOUNT_ATTR_NOEXEC);
	}
	if (mnt < 0)
		return log_errno(mnt, "mask %s", path);
	int r = attach(mnt, target);
	if (r < 0)
		return log_errno(r, "mask %s", path);
	return 0;
}

static int readonly_path(int rootfd, const char *path)
{
	_cleanup_close_ int target = resolve(rootfd, path, O_PATH | O_NOFOLLOW);
	if (target == -ENOENT)
		return 0;
	if (target < 0)
		return log_errno(target, "read-only path %s", path);
	_cleanup_close_ int mnt = clone_path(target, "", true,
					     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
						     MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return log_errno(mnt, "read-only path %s", path);
	int r = attach(mnt, target);
	if (r < 0)
		return log_errno(r, "read-only path %s", path);
	return 0;
}

/* /proc and /dev go only on real directories: a rootfs that makes them
 * symlinks wants husk's masks to land somewhere the service does not look
 * (runc CVE-2019-19921, CVE-2025-52565). */
static int open_strict_mountpoint(int rootfd, const char *what, const char *dst)
{
	int fd = resolve_how(rootfd, dst, O_PATH | O_DIRECTORY,
			     RESOLVE_SANDBOX | RESOLVE_NO_SYMLINKS);
	if (fd == -ELOOP || fd == -ENOTDIR)
		return log_errno(fd, "mount %s: %s in the rootfs is a symlink or not a directory; "
				     "husk mounts it only on a real directory",
				 what, dst);
	if (fd == -ENOENT)
		return open_mountpoint(rootfd, what, dst, true);
	if (fd < 0)
		return log_errno(fd, "mount %s: destination %s", what, dst);
	return fd;
}

static int proc_refused(const struct mount_entry *m)
{
	log_warn("mount proc on %s: refused, as inside a container whose /proc is partly "
		 "masked; --namespaces auto goes on without a fresh one: %s is what the root "
		 "holds there, read-only (a container's /proc lists its processes outside the "
		 "sandbox's pid namespace)",
		 m->dst, m->dst);
	return 1;
}

/* may_skip: --namespaces auto, where a container's partly masked /proc
 * makes the kernel refuse a fresh one (mnt_too_revealing): the sandbox
 * keeps what the root holds at /proc, said once, rather than failing
 * (returns 1 then). Its masked and read-only paths come once every mount
 * and sysctl is in place (proc_lists). */
static int mount_proc_at(int rootfd, const struct mount_entry *m, bool may_skip)
{
	_cleanup_close_ int target = open_strict_mountpoint(rootfd, "proc", m->dst);
	if (target < 0)
		return target;
	/* A fresh procfs shows only the sandbox's pid namespace. */
	_cleanup_close_ int fs = sys_fsopen("proc", FSOPEN_CLOEXEC);
	if (fs >= 0 && m->fs_source && sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", m->fs_source, 0) < 0)
		return log_errno(-errno, "mount proc on %s: source %s", m->dst, m->fs_source);
	if (fs < 0 || sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		if (errno == EPERM && may_skip)
			return proc_refused(m);
		return log_errno(-errno, "mount proc on %s%s", m->dst,
				 errno == EPERM ? " (is the host /proc partly masked, as inside "
						  "a container? see husk(1))"
						: "");
	}
	_cleanup_close_ int mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, mounts_attrs(m));
	if (mnt < 0 && errno == EPERM && may_skip)
		return proc_refused(m);
	if (mnt < 0)
		return log_errno(-errno, "mount proc on %s", m->dst);
	int r = attach(mnt, target);
	if (r == -EPERM && may_skip)
		return proc_refused(m);
	if (r < 0)
		return log_errno(r, "mount proc on %s", m->dst);
	return 0;
}

/* husk's own masked and read-only /proc paths (Docker's lists). */
static int proc_lists(int rootfd)
{
	int r;
	for (const char *const *p = mounts_proc_masked; *p; p++)
		if ((r = mask_path(rootfd, *p)) < 0)
			return r;
	for (const char *const *p = mounts_proc_readonly; *p; p++)
		if ((r = readonly_path(rootfd, *p)) < 0)
			return r;
	return 0;
}

static int dev_symlinks(int devfd)
{
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },	   { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
		{ "ptmx", "pts/ptmx" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][1], devfd, links[i][0]) < 0)
			return log_errno(-errno, "mount dev: symlink /dev/%s", links[i][0]);
	return 0;
}

static int mount_fs_at(int rootfd, const struct mount_entry *m, bool cgroupns);

/* newinstance: the sandbox's ptys are its own, never the host's. */
static int mount_devpts(int rootfd)
{
	const struct mount_entry pts = { .kind = MOUNT_DEVPTS,
					 .dst = "/dev/pts",
					 .data = "newinstance,ptmxmode=0666,mode=0620" };
	return mount_fs_at(rootfd, &pts, true);
}

static int notify_fd = -1;

int mounts_take_notify_fd(void)
{
	int fd = notify_fd;
	notify_fd = -1;
	return fd;
}

static int mount_dev_at(int rootfd, const struct mount_entry *m, bool notify)
{
	_cleanup_close_ int target = open_strict_mountpoint(rootfd, "dev", m->dst);
	if (target < 0)
		return target;
	/* The tmpfs itself is nodev: the only usable device nodes are the
	 * bind mounts of the host's harmless ones below, which mknod inside a
	 * user namespace could not create anyway. */
	char size[32] = DEV_TMPFS_SIZE, inodes[32] = DEV_TMPFS_INODES, mode[16] = "0755";
	if (m->dev_bare) {
		snprintf(size, sizeof(size), "%llu", (unsigned long long)m->size);
		snprintf(inodes, sizeof(inodes), "%llu", (unsigned long long)m->nr_inodes);
		snprintf(mode, sizeof(mode), "%o", m->mode);
	}
	_cleanup_close_ int mnt = tmpfs_new_src(size, inodes, mode,
						(unsigned)(mounts_attrs(m) & ~(uint64_t)MOUNT_ATTR_RDONLY),
						m->fs_source);
	if (mnt < 0)
		return log_errno(mnt, "mount dev: tmpfs on %s", m->dst);
	int r = attach(mnt, target);
	if (r < 0)
		return log_errno(r, "mount dev: tmpfs on %s", m->dst);
	_cleanup_close_ int devfd = resolve(rootfd, m->dst, O_PATH | O_DIRECTORY);
	if (devfd < 0)
		return log_errno(devfd, "mount dev: open %s", m->dst);

	for (const char *const *n = mounts_dev_nodes; *n; n++) {
		char host[64];
		snprintf(host, sizeof(host), "/dev/%s", *n);
		_cleanup_close_ int src =
			clone_path(AT_FDCWD, host, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
		if (src == -ENOENT || src == -ENXIO)
			continue;
		if (src < 0)
			return log_errno(src, "mount dev: bind %s", host);
		int f = openat(devfd, *n, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (f < 0)
			return log_errno(-errno, "mount dev: create /dev/%s", *n);
		close(f);
		_cleanup_close_ int node = resolve(devfd, *n, O_PATH | O_NOFOLLOW);
		if (node < 0)
			return log_errno(node, "mount dev: open /dev/%s", *n);
		if ((r = attach(src, node)) < 0)
			return log_errno(r, "mount dev: bind %s", host);
	}
	if ((r = dev_symlinks(devfd)) < 0)
		return r;
	/* Before /dev goes read-only: the service's sd_notify socket. */
	if (notify && (notify_fd = sdnotify_bind_at(devfd, SDNOTIFY_NAME)) < 0)
		return log_errno(notify_fd, "mount dev: the sd_notify socket " SDNOTIFY_PATH);
	/* An OCI config mounts its own devpts and shm (or does without). */
	if (m->dev_bare)
		return 0;
	if (mkdirat(devfd, "pts", 0755) < 0 || mkdirat(devfd, "shm", 01777) < 0)
		return log_errno(-errno, "mount dev: mkdir");
	if ((r = mount_devpts(rootfd)) < 0)
		return r;
	_cleanup_close_ int shm_target = open_mountpoint(rootfd, "shm", "/dev/shm", true);
	if (shm_target < 0)
		return shm_target;
	_cleanup_close_ int shm = tmpfs_new(SHM_SIZE, "16384", "1777",
					    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (shm < 0 || (r = attach(shm, shm_target)) < 0)
		return log_errno(shm < 0 ? shm : r, "mount dev: tmpfs on /dev/shm");
	/* Read-only once populated; the binds and pts/shm are mounts of their
	 * own and keep their flags. */
	if (sys_mount_setattr(devfd, "", AT_EMPTY_PATH, mounts_attrs(m) & MOUNT_ATTR_RDONLY, 0) < 0)
		return log_errno(-errno, "mount dev: make %s read-only", m->dst);
	return 0;
}

/* The sandbox's own cgroup v2 group, read-only at /sys/fs/cgroup, as
 * Docker and runc show it: the cgroup namespace makes that group the
 * mount's root, so none of the host's tree is visible, and a runtime that
 * reads its limits there (Go 1.25's GOMAXPROCS) finds them. /sys is a tiny
 * read-only tmpfs holding only fs/cgroup; the host's sysfs stays out. A
 * rootfs without a real /sys directory gets no such mount: it is a view,
 * not a layer of confinement. */
static int mount_cgroup2(int rootfd, bool root_is_tmpfs)
{
	uint64_t how = RESOLVE_SANDBOX | RESOLVE_NO_SYMLINKS;
	_cleanup_close_ int sys = resolve_how(rootfd, "/sys", O_PATH | O_DIRECTORY, how);
	if (sys == -ENOENT && root_is_tmpfs && mkdirat(rootfd, "sys", 0755) == 0)
		sys = resolve_how(rootfd, "/sys", O_PATH | O_DIRECTORY, how);
	if (sys < 0)
		return 0;
	_cleanup_close_ int tmp = tmpfs_new("16k", "8", "0755", ATTR_PROC);
	if (tmp < 0)
		return log_errno(tmp, "mount cgroup2: tmpfs on /sys");
	_cleanup_close_ int fs = -1, cg = -1, target = -1;
	int r = attach(tmp, sys);
	if (r == 0) {
		close(sys);
		sys = resolve(rootfd, "/sys", O_PATH | O_DIRECTORY);
		if (sys < 0 || mkdirat(sys, "fs", 0755) < 0)
			r = sys < 0 ? sys : -errno;
	}
	if (r == 0) {
		_cleanup_close_ int fsdir = openat(sys, "fs", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fsdir < 0 || mkdirat(fsdir, "cgroup", 0755) < 0)
			r = -errno;
		else if ((target = openat(fsdir, "cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			r = -errno;
	}
	if (r < 0)
		return log_errno(r, "mount cgroup2: /sys/fs/cgroup");
	fs = sys_fsopen("cgroup2", FSOPEN_CLOEXEC);
	if (fs < 0 || sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (cg = sys_fsmount(fs, FSMOUNT_CLOEXEC, ATTR_PROC | MOUNT_ATTR_RDONLY)) < 0)
		return log_errno(-errno, "mount cgroup2 on /sys/fs/cgroup");
	if ((r = attach(cg, target)) < 0)
		return log_errno(r, "mount cgroup2 on /sys/fs/cgroup");
	if (sys_mount_setattr(sys, "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY, 0) < 0)
		return log_errno(-errno, "mount cgroup2: make /sys read-only");
	return 0;
}

/* An OCI config's sysfs, devpts, mqueue and cgroup mounts. A cgroup mount
 * is the sandbox's own cgroup v2 tree where it has a cgroup namespace
 * (its group, or the caller's, as the namespace's root); without one (the
 * config leaves it out, as runc spec --rootless does) a fresh mount would
 * be refused, and the host's tree is bound read-only instead, as runc
 * does for rootless containers. */
static int mount_fs_at(int rootfd, const struct mount_entry *m, bool cgroupns)
{
	static const char *const types[] = { [MOUNT_SYSFS] = "sysfs",
					     [MOUNT_DEVPTS] = "devpts",
					     [MOUNT_MQUEUE] = "mqueue",
					     [MOUNT_CGROUP] = "cgroup2" };
	const char *type = types[m->kind];
	_cleanup_close_ int target = open_mountpoint(rootfd, type, m->dst, true);
	if (target < 0)
		return target;
	_cleanup_close_ int mnt = -1;
	if (m->kind == MOUNT_CGROUP && !cgroupns)
		mnt = clone_path(AT_FDCWD, "/sys/fs/cgroup", true, mounts_attrs(m) | MOUNT_ATTR_RDONLY);
	else
		mnt = fs_new(type, m, mounts_attrs(m));
	if (mnt < 0)
		return log_errno(mnt, "mount %s on %s%s", type, m->dst,
				 mnt == -EPERM && m->kind == MOUNT_SYSFS
					 ? " (a fresh sysfs needs a network namespace of the "
					   "sandbox's own)"
					 : "");
	int r = attach(mnt, target);
	return r < 0 ? log_errno(r, "mount %s on %s", type, m->dst) : 0;
}

/* linux.sysctl, through the sandbox's own /proc before its read-only
 * paths are applied. Only namespaced keys reach here (the front end
 * refuses the rest), so nothing outside the sandbox changes. */
static int set_sysctls(int rootfd, const struct strv *sysctls)
{
	for (size_t i = 0; i < sysctls->n; i++) {
		const char *kv = sysctls->v[i];
		const char *eq = strchr(kv, '=');
		char path[PATH_MAX];
		int n = snprintf(path, sizeof(path), "/proc/sys/%.*s", (int)(eq - kv), kv);
		if (n < 0 || (size_t)n >= sizeof(path))
			return log_errno(-ENAMETOOLONG, "linux.sysctl %s", kv);
		for (char *c = path + 10; *c; c++)
			if (*c == '.')
				*c = '/';
		_cleanup_close_ int fd = resolve(rootfd, path, O_WRONLY);
		if (fd < 0)
			return log_errno(fd, "linux.sysctl %.*s: open %s%s", (int)(eq - kv), kv, path,
					 fd == -ENOENT ? " (is /proc among the mounts?)" : "");
		size_t len = strlen(eq + 1);
		if (write(fd, eq + 1, len) != (ssize_t)len)
			return log_errno(-errno, "linux.sysctl %s", kv);
	}
	return 0;
}

/* The entries of a directory, without . and .. */
static int list_dir(int dirfd, struct strv *names)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = -errno;
		close(fd);
		return e;
	}
	struct dirent *de;
	int r = 0;
	errno = 0;
	while (r == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (names->n == MIRROR_MAX_ENTRIES)
			r = -E2BIG;
		else if (strv_push(names, de->d_name) < 0)
			r = -ENOMEM;
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

/* One entry of a mirrored directory: the same name in the tmpfs, with the
 * original bound onto it (read-only, as the layer it came from) or, for a
 * symlink, the same link text (it is resolved in the sandbox either way). */
static int mirror_entry(int orig, int tmp, const char *name, uint64_t attrs)
{
	struct stat st;
	if (fstatat(orig, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		char link[PATH_MAX];
		ssize_t n = readlinkat(orig, name, link, sizeof(link) - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
		return symlinkat(link, tmp, name) < 0 ? -errno : 0;
	}
	bool dir = S_ISDIR(st.st_mode);
	int r = dir ? mkdirat(tmp, name, 0755)
		    : openat(tmp, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (r < 0)
		return -errno;
	if (!dir)
		close(r);
	_cleanup_close_ int src = clone_path(orig, name, true, attrs);
	if (src < 0)
		return src;
	_cleanup_close_ int target = openat(tmp, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return -errno;
	return attach(src, target);
}

/* Puts a tmpfs over the directory path of the tree being built, holding
 * the same entries bound back from the original, so that missing mount
 * points can be created in it (see view.h). Returns the tmpfs's mount fd,
 * to be made read-only once the mounts are in place; a mirror of / also
 * becomes the new root in *rootfd. */
static int mirror_dir(int *rootfd, const char *path)
{
	_cleanup_close_ int orig = resolve_how(*rootfd, path, O_PATH | O_DIRECTORY,
					       RESOLVE_SANDBOX | RESOLVE_NO_SYMLINKS);
	if (orig < 0)
		return log_errno(orig, "mount: mirror %s for a missing mount point", path);
	struct stat st;
	struct statvfs sf;
	if (fstat(orig, &st) < 0 || fstatvfs(orig, &sf) < 0)
		return log_errno(-errno, "mount: mirror %s: stat", path);
	/* The entries keep the restrictions of the layer they come from;
	 * husk's own are added in any case. */
	uint64_t attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			 (sf.f_flag & ST_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
	__attribute__((cleanup(strv_free))) struct strv names = { 0 };
	int r = list_dir(orig, &names);
	if (r < 0)
		return log_errno(r, "mount: mirror %s: list its entries%s", path,
				 r == -E2BIG ? " (too many: create the mount point in the rootfs)" : "");
	char mode[16], inodes[32];
	snprintf(mode, sizeof(mode), "%o", (unsigned)(st.st_mode & 07777));
	snprintf(inodes, sizeof(inodes), "%zu", names.n + MIRROR_SPARE_INODES);
	int tmp = tmpfs_new(MIRROR_TMPFS_SIZE, inodes, mode, attrs & ~(uint64_t)MOUNT_ATTR_RDONLY);
	if (tmp < 0)
		return log_errno(tmp, "mount: mirror %s: tmpfs", path);
	r = attach(tmp, orig);
	for (size_t i = 0; r == 0 && i < names.n; i++)
		if ((r = mirror_entry(orig, tmp, names.v[i], attrs)) < 0)
			log_errno(r, "mount: mirror %s: entry %s", path, names.v[i]);
	if (r == 0 && strcmp(path, "/") == 0) {
		int nr = fcntl(tmp, F_DUPFD_CLOEXEC, 3);
		if (nr < 0)
			r = -errno;
		else {
			close(*rootfd);
			*rootfd = nr;
		}
	}
	if (r < 0) {
		close(tmp);
		return log_errno(r, "mount: mirror %s", path);
	}
	return tmp;
}

/* Creates the detached tree that becomes /: a read-only clone of the rootfs
 * (nosuid and nodev: its setuid files and device nodes are the attacker's),
 * or an empty tmpfs that is made read-only once the mount points exist. */
static int new_root(const struct husk_policy *p)
{
	if (p->rootfs) {
		int fd = clone_path(AT_FDCWD, p->rootfs, true, mounts_root_attrs(p));
		if (fd < 0)
			return log_errno(fd, "rootfs %s%s", p->rootfs,
					 fd == -EACCES ? " (the service's user must be able to reach it)"
						       : "");
		return fd;
	}
	int fd = tmpfs_new(ROOT_TMPFS_SIZE, ROOT_TMPFS_INODES, "0755",
			   ATTR_ROOT & ~(uint64_t)MOUNT_ATTR_RDONLY);
	if (fd < 0)
		return log_errno(fd, "root tmpfs");
	return fd;
}

/* Where the new root is attached while it is populated. Only this mount
 * namespace sees it; the host's /tmp is untouched. */
#define STAGE_DIR "/tmp"

int mounts_setup(const struct husk_policy *p, bool cgroup2, int (*before_pivot)(void *), void *arg)
{
	int r;
	/* Every step below uses the mount API (fsopen and open_tree: 5.2,
	 * openat2: 5.6, mount_setattr: 5.12); an older kernel gets one clear
	 * line instead of a bare ENOSYS halfway through. */
	if (sys_mount_setattr(-1, "", 0, 0, 0) < 0 && errno == ENOSYS)
		return log_errno(-ENOSYS, "mount: this kernel lacks mount_setattr(2); husk needs "
					  "Linux 5.12 or later");
	/* Nothing done below may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return log_errno(-errno, "mount: make / private");

	/* Bind sources are opened first, while every host path is visible
	 * (the stage directory below hides the host's /tmp). */
	_cleanup_free_ int *src = xcalloc(p->n_mounts, sizeof(int));
	for (size_t i = 0; i < p->n_mounts; i++)
		src[i] = -1;
	r = 0;
	for (size_t i = 0; i < p->n_mounts && r == 0; i++) {
		const struct mount_entry *m = &p->mounts[i];
		if (m->kind != MOUNT_BIND)
			continue;
		src[i] = clone_path(AT_FDCWD, m->src, !m->nonrecursive, mounts_attrs(m));
		if (src[i] < 0)
			r = log_errno(src[i], "mount %s: source %s", m->readonly ? "ro-bind" : "bind",
				      m->src);
	}

	_cleanup_close_ int rootfd = -1;
	if (r == 0)
		rootfd = r = new_root(p);
	if (r >= 0) {
		r = 0;
		if (sys_move_mount(rootfd, "", AT_FDCWD, STAGE_DIR, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			r = log_errno(-errno, "mount: attach the new root at %s", STAGE_DIR);
	}
	/* Where each mount goes, and which read-only directories need a
	 * mirror for a missing mount point: planned over the real tree. */
	struct view v;
	view_init(&v, p, p->rootfs ? rootfd : -1, src);
	int mirrors[VIEW_MAX_MIRRORS];
	size_t n_mirrors = 0;
	bool proc_fresh = false;
	if (r == 0) {
		char err[1024];
		if ((r = view_plan(&v, err, sizeof(err))) < 0)
			log_error("%s", err);
	}
	/* Each mirror once the mount that holds its directory is in place. */
	for (ssize_t i = -1; i < (ssize_t)p->n_mounts && r == 0; i++) {
		if (i >= 0) {
			const struct mount_entry *m = &p->mounts[i];
			switch (m->kind) {
			case MOUNT_PROC:
				r = mount_proc_at(rootfd, m, p->namespaces == NS_AUTO);
				proc_fresh |= r == 0;
				r = r == 1 ? 0 : r;
				break;
			case MOUNT_SYSFS:
			case MOUNT_DEVPTS:
			case MOUNT_MQUEUE:
			case MOUNT_CGROUP:
				r = mount_fs_at(rootfd, m, !(p->ns_shared & CLONE_NEWCGROUP));
				break;
			case MOUNT_DEV:
				r = mount_dev_at(rootfd, m,
						 p->notify_socket && strcmp(m->dst, "/dev") == 0);
				break;
			case MOUNT_TMPFS:
				r = mount_tmpfs_at(rootfd, m, p);
				break;
			case MOUNT_BIND:
				r = mount_bind_at(rootfd, m, src[i]);
				break;
			}
		}
		for (size_t k = 0; r == 0 && k < v.n_mirror; k++) {
			if (v.mirror_after[k] != i)
				continue;
			int fd = mirror_dir(&rootfd, v.mirror[k]);
			if (fd < 0)
				r = fd;
			else
				mirrors[n_mirrors++] = fd;
		}
	}
	view_free(&v);
	for (size_t i = 0; i < p->n_mounts; i++)
		if (src[i] >= 0)
			close(src[i]);
	/* An OCI config says itself where a cgroup tree goes. */
	if (r == 0 && cgroup2 && !p->oci_bundle)
		r = mount_cgroup2(rootfd, !p->rootfs);
	if (r == 0)
		r = set_sysctls(rootfd, &p->sysctls);
	/* The masks go last, over every mount (and after the sysctls, which
	 * write through /proc/sys). */
	if (r == 0 && proc_fresh && !p->paths_set)
		r = proc_lists(rootfd);
	/* An OCI config's masked and read-only paths, over all its mounts
	 * (runc's order: /sys/firmware lies in a later mount than /proc). */
	for (size_t i = 0; r == 0 && p->paths_set && i < p->masked_paths.n; i++)
		r = mask_path(rootfd, p->masked_paths.v[i]);
	for (size_t i = 0; r == 0 && p->paths_set && i < p->readonly_paths.n; i++)
		r = readonly_path(rootfd, p->readonly_paths.v[i]);
	/* The mirrors are read-only like the layer they stand in for. */
	for (size_t i = 0; i < n_mirrors; i++) {
		if (r == 0 && sys_mount_setattr(mirrors[i], "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY, 0) < 0)
			r = log_errno(-errno, "mount: make a mirror read-only");
		close(mirrors[i]);
	}
	if (r < 0)
		return r;

	if (!p->rootfs && sys_mount_setattr(rootfd, "", AT_EMPTY_PATH, ATTR_ROOT & MOUNT_ATTR_RDONLY, 0) < 0)
		return log_errno(-errno, "mount: make / read-only");
	if (before_pivot && (r = before_pivot(arg)) < 0)
		return r;

	/* pivot_root(".", ".") stacks the old root on the new one; detaching
	 * it leaves no path back to the host (the runc/LXC idiom). */
	if (fchdir(rootfd) < 0 || sys_pivot_root(".", ".") < 0)
		return log_errno(-errno, "pivot_root into the new root%s",
				 errno == EINVAL ? " (is the host's / the initramfs? the kernel "
						   "cannot pivot away from it: switch_root to a "
						   "tmpfs first, as a distribution's init does)"
						 : "");
	if (umount2(".", MNT_DETACH) < 0)
		return log_errno(-errno, "pivot_root: detach the old root");
	if (chdir("/") < 0)
		return log_errno(-errno, "pivot_root: chdir /");
	return 0;
}
