/* Resource limits (setrlimit): the name table and parsing (pure), and the
 * step that applies them to the sandbox. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define HUSK_RLIMIT_COUNT RLIM_NLIMITS

/* The resource argument of getrlimit, setrlimit and prlimit: glibc's
 * prototypes take its own enum (under _GNU_SOURCE), musl's an int. */
#ifdef __GLIBC__
typedef __rlimit_resource_t rlimit_resource_t;
#else
typedef int rlimit_resource_t;
#endif

struct husk_rlimit {
	bool set;
	uint64_t soft, hard; /* RLIM_INFINITY for unlimited */
};

/* "nofile", "NOFILE" or "RLIMIT_NOFILE" to the resource; -EINVAL if unknown. */
int rlimit_from_name(const char *name);
/* "nofile" for RLIMIT_NOFILE; NULL when unknown. */
const char *rlimit_name(int resource);

/* "NAME=SOFT[:HARD]": a number (k/m/g suffixes for the byte-sized limits)
 * or "unlimited"; HARD defaults to SOFT, as docker --ulimit does. */
int rlimit_parse(const char *arg, int *resource, struct husk_rlimit *out, char *err,
		 size_t errlen);

/* Parent side, before the child is released: raises pid's hard limit
 * with prlimit(2) wherever the service's is higher (only root may, and
 * inside a user namespace not even root can), and leaves everything else
 * as it is. husk's own setup in the child (lo, the mounts, starting the
 * service) so runs under husk's limits, not the service's: nofile=3 or
 * nproc=1 would otherwise fail husk itself and blame the wrong step. */
int rlimits_raise(pid_t pid, const struct husk_rlimit *limits);

/* Service side, the last step before seccomp and execve: sets every limit
 * of the policy on the calling process (only lowering by then). Returns 0
 * or a negative errno with the limit named in err. */
int rlimits_set(const struct husk_rlimit *limits, char *err, size_t errlen);

/* When execve failed with err: a hint (" (...)") naming the service's
 * limits that can make a program fail to load (as, data, stack with
 * ENOMEM; nofile, nproc), or "". */
const char *rlimits_exec_hint(const struct husk_rlimit *limits, int err, char *buf, size_t len);
