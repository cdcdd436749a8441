/* The control socket of a named sandbox (named.h), and husk exec over it.
 * husk exec NAME -- CMD sends CMD and its own stdin, stdout and stderr
 * (SCM_RIGHTS) to the monitor, which starts CMD in the sandbox as the
 * service (join.h) with them, tells the client its pid, forwards the
 * signals the client gets, and sends its exit status. A client that goes
 * away takes its process with it. Messages (SOCK_SEQPACKET):
 *   client: 'x' argv as NUL-terminated strings (+ 3 fds); 'k' int signal
 *   monitor: 'p' int pid | 'e' text (refused) ; 's' int exit status */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#include "launch/join.h"
#include "limits/cgroup.h"
#include "policy/policy.h"

#define CTL_MAX_SESSIONS 8

struct ctl {
	int listen_fd; /* -1: none */
	const struct husk_policy *p;
	/* The running sandbox (ctl_attach); none between restarts. */
	bool attached;
	const struct join_ns *ns; /* NULL in place */
	const struct cgroup *cg;
	struct {
		int fd;
		pid_t pid; /* 0: not started (yet) */
	} s[CTL_MAX_SESSIONS];
};

void ctl_init(struct ctl *c, int listen_fd, const struct husk_policy *p);
void ctl_attach(struct ctl *c, const struct join_ns *ns, const struct cgroup *cg);
/* The sandbox is gone: ends every session (its processes killed, the
 * clients told 137 or their status). */
void ctl_detach(struct ctl *c);
/* For the supervise loop (init.h): pollfds and their handling; the
 * reaping of the processes started. */
size_t ctl_fill(void *arg, struct pollfd *pfd, size_t max);
void ctl_handle(void *arg, const struct pollfd *pfd, size_t n);
void ctl_tick(struct ctl *c);
bool ctl_reaped(struct ctl *c, pid_t pid, int status);

/* husk exec: runs argv in the sandbox whose monitor is holder, through
 * the socket at path; returns the program's exit status, or 125 after one
 * line. */
int ctl_exec(const char *path, pid_t holder, char *const argv[]);
