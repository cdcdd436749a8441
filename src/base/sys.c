#include "base/sys.h"

#include <errno.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
		   unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

int sys_mount_setattr(int dirfd, const char *path, unsigned int flags, uint64_t attr_set,
		      uint64_t attr_clr)
{
	struct mount_attr attr = { .attr_set = attr_set, .attr_clr = attr_clr };
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, &attr, sizeof(attr));
}

int sys_fsopen(const char *fsname, unsigned int flags)
{
	return (int)syscall(SYS_fsopen, fsname, flags);
}

int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr_flags);
}

int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

pid_t sys_clone_ns(uint64_t flags, int cgroup_fd, bool *in_cgroup)
{
	/* clone3 first, with CLONE_INTO_CGROUP when asked (5.7). On any
	 * failure of that (a kernel without the flag: EINVAL, or E2BIG for
	 * the larger struct; no right to the group: EACCES) a plain clone3
	 * follows, and before 5.3 the legacy clone; the caller then moves
	 * the child itself, and a refused move is reported with its path. */
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.exit_signal = SIGCHLD;
	*in_cgroup = false;
	long r;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
		r = syscall(SYS_clone3, &args, sizeof(args));
		if (r >= 0) {
			*in_cgroup = true; /* in the child's copy too */
			return (pid_t)r;
		}
		/* The child starts in our group and is moved: its cgroup
		 * namespace must wait for the move. */
		flags &= ~(uint64_t)CLONE_NEWCGROUP;
		args.flags = flags;
		args.cgroup = 0;
	}
	r = syscall(SYS_clone3, &args, offsetof(struct clone_args, set_tid));
	if (r >= 0 || errno != ENOSYS)
		return (pid_t)r;
	return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

int sys_write_all(int fd, const void *buf, size_t len)
{
	const char *b = buf;
	while (len) {
		ssize_t w = write(fd, b, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		len -= (size_t)w;
	}
	return 0;
}
