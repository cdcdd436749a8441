/* Supervision: husk's monitor outside the sandbox and the tiny init that is
 * pid 1 inside it share one loop: wait for the main child, forward signals,
 * reap. */
#pragma once

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "seccomp/seccomp_notify.h"

/* The signals forwarded to the main child. */
void supervise_sigset(sigset_t *set);

/* Exit status husk reports for a wait status: the code, or 128+signal. */
int exit_code_from_status(int wstatus);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t mono_ms(void);

/* Fds the loop watches besides (the --publish forwarder's): fill adds
 * pollfds, at most max; handle gets them back with their revents. */
#define SUPERVISE_MAX_IO 2
struct supervise_io {
	size_t (*fill)(void *arg, struct pollfd *pfd, size_t max);
	void (*handle)(void *arg, const struct pollfd *pfd, size_t n);
	void *arg;
};

/* Timed work of the loop besides its own (health probes, launch/probe.h):
 * tick is called after every wakeup with the monotonic time in ms and
 * returns when it next wants to be (-1: no need); setting *stop_sig stops
 * the service as that signal from outside would. reaped gets the children
 * the loop reaps that are not the main one (reap_all). */
struct supervise_tick {
	int64_t (*tick)(void *arg, int64_t now, int *stop_sig);
	void (*reaped)(void *arg, pid_t pid, int status);
	void *arg;
};

struct supervise_opts {
	/* pid 1 inside: reap every zombie (orphans are reparented to us). */
	bool reap_all;
	/* After a forwarded SIGTERM, SIGKILL everything else in the pid
	 * namespace after this many seconds; 0 means at once. Only with
	 * reap_all, where kill(-1) reaches exactly the sandbox. */
	uint32_t stop_timeout;
	/* Whom the stop timeout kills: 0, everything but us (kill(-1), for a
	 * pid 1); else the process group of that id (in place, where husk is
	 * not pid 1 and kill(-1) would reach the caller's other processes). */
	pid_t group;
	/* The denial channel (seccomp_notify.h): answered here as they come,
	 * between signals. NULL or fd -1: none. */
	struct sc_notify *notify;
	/* Type=notify: the service's sd_notify socket, relayed to relay_to
	 * as messages come (sdnotify.h); only with relay_to set. */
	int relay_fd;
	const char *relay_to;
	/* Up to two sources of fds: --publish's forwarder, the --name
	 * control socket. */
	const struct supervise_io *io[SUPERVISE_MAX_IO];
	const struct supervise_tick *tick;
	/* Set to the signal when husk was told to stop (SIGTERM, SIGINT,
	 * SIGQUIT from outside), so that no restart follows. */
	int *stopped_by;
	/* Set once the service is ready (sd_notify READY=1 relayed, or a
	 * first healthy probe), when the "ready" event goes out. */
	bool *ready;
};

/* Call with the supervise_sigset() signals and SIGCHLD blocked. Returns the
 * exit code of child (exit_code_from_status). */
int supervise(pid_t child, const struct supervise_opts *o);
