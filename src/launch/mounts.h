/* The filesystem view: a read-only root, bounded tmpfs mounts, a fresh
 * /proc with masked paths and a minimal /dev, then pivot_root. */
#pragma once

#include "policy/policy.h"

/* Docker's masked and read-only /proc paths (moby oci/defaults.go), which
 * husk check prints and tests read. */
extern const char *const mounts_proc_masked[];
extern const char *const mounts_proc_readonly[];
extern const char *const mounts_dev_nodes[];

/* MOUNT_ATTR_* of the root and of each policy mount as set up. */
uint64_t mounts_root_attrs(const struct husk_policy *p);
uint64_t mounts_attrs(const struct mount_entry *m);
/* "ro,nosuid,nodev,noexec" */
const char *mounts_attrs_str(uint64_t attrs, char *buf, size_t len);

/* Child side, after the id maps are in place and before any capability is
 * dropped. Everything the rootfs holds (symlinks, device nodes, mount
 * points) is treated as hostile: destinations are resolved inside the new
 * root only, and the rootfs is never written to. On failure it has logged
 * one line naming the mount and returns a negative errno; nothing it did is
 * visible outside the sandbox's own mount namespace. cgroup2: the sandbox
 * has its own cgroup v2 group (and namespace), to be shown read-only at
 * /sys/fs/cgroup. before_pivot, when given, runs once every mount is in
 * place and before pivot_root (the OCI hooks' point); its failure fails
 * the setup. */
int mounts_setup(const struct husk_policy *p, bool cgroup2, int (*before_pivot)(void *), void *arg);

/* The sd_notify socket mounts_setup made in the sandbox's /dev for a
 * policy with a NOTIFY_SOCKET to relay to (launch/sdnotify.h), handed to
 * the caller once; -1 when there is none. */
int mounts_take_notify_fd(void);
