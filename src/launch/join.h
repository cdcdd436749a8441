/* Starting a process in a running sandbox (a health probe; later husk
 * exec): it enters the sandbox's namespaces and cgroup, then becomes the
 * service through the same service_exec: its ids, capabilities,
 * no_new_privs, Landlock, rlimits and seccomp filter. So nothing started
 * this way has more than the service has, and debugging never weakens
 * the sandbox. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "limits/cgroup.h"
#include "policy/policy.h"

#define JOIN_NS_KINDS 7

/* The sandbox's namespaces, opened by the monitor right after the clone:
 * later its init is no longer dumpable, and /proc/PID/ns of a process
 * that is not dumpable is closed to a caller without CAP_SYS_PTRACE (a
 * normal user's husk). */
struct join_ns {
	int fd[JOIN_NS_KINDS]; /* -1: shared with the caller, not joined */
	/* The sandbox's cgroup namespace is made after the clone (hybrid
	 * hosts): a joiner makes its own, rooted at the same group. */
	bool cgroup_unshare;
};

/* Opens those of pid's namespaces that differ from the caller's. */
int join_open(pid_t pid, struct join_ns *ns);
void join_close(struct join_ns *ns);

/* Enters them, the user namespace first (it gives the rights the others
 * need); only: a mask of CLONE_NEW* (0: all). In a single-threaded child.
 * Returns 0 or a negative errno. */
int join_enter(const struct join_ns *ns, int only);

/* Starts argv in the sandbox (ns NULL: in place, where there is none) as
 * the service, with stdin, stdout and stderr on stdio[0..2] (NULL: husk's). The
 * process is a child of the caller in its own session (kill(-pid)
 * reaches what it starts). Returns its host pid or a negative errno:
 * -ESRCH when the sandbox is going away (its init has exited). */
pid_t join_spawn(const struct husk_policy *p, const struct join_ns *ns, const struct cgroup *cg,
		 char *const *argv, const int *stdio);
