/* User namespace id maps: a single id inside mapped onto a single id
 * outside, written by the parent so no setuid helper (newuidmap) is needed. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* "INSIDE OUTSIDE 1\n" into buf; returns the length or -ENOSPC. */
int idmap_format(char *buf, size_t len, uint32_t inside, uint32_t outside);

/* Parent side: writes uid_map, "deny" to setgroups, then gid_map of pid.
 * setgroups must be denied before an unprivileged gid_map write
 * (CVE-2014-8989: dropping a group could otherwise grant access). */
int idmap_write(pid_t pid, uint32_t uid_in, uint32_t uid_out, uint32_t gid_in, uint32_t gid_out);
