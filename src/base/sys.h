/* Thin wrappers around system calls that libc may lack (musl, older glibc):
 * each returns what the kernel returns, with errno set. No policy here. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int sys_pivot_root(const char *new_root, const char *put_old);
int sys_open_tree(int dirfd, const char *path, unsigned int flags);
int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
		   unsigned int flags);
int sys_mount_setattr(int dirfd, const char *path, unsigned int flags, uint64_t attr_set,
		      uint64_t attr_clr);
int sys_fsopen(const char *fsname, unsigned int flags);
int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux);
int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags);
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
/* write(2) until all of buf is written, through EINTR and short writes:
 * 0 or a negative errno. */
int sys_write_all(int fd, const void *buf, size_t len);

/* fork()-like clone with namespace flags: returns the child's pid in the
 * parent and 0 in the child. With cgroup_fd >= 0 (a cgroup v2 directory)
 * the child is born in that group and *in_cgroup is true, in both; where
 * the kernel cannot do that, *in_cgroup is false and CLONE_NEWCGROUP is
 * left out, for the caller to move the child and make it later. */
pid_t sys_clone_ns(uint64_t flags, int cgroup_fd, bool *in_cgroup);
