#include "launch/init.h"

#include <errno.h>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/events.h"
#include "base/log.h"
#include "base/util.h"
#include "launch/sdnotify.h"

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

void supervise_sigset(sigset_t *set)
{
	sigemptyset(set);
	for (unsigned i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

int exit_code_from_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return HUSK_EXIT_LAUNCH;
}

int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reaps what has exited; returns true once child has, with its status. */
static bool reap(pid_t child, const struct supervise_opts *o, int *status)
{
	bool reap_all = o->reap_all;
	bool done = false;
	for (;;) {
		int st;
		pid_t p = waitpid(reap_all ? -1 : child, &st, WNOHANG);
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			break;
		if (WIFSTOPPED(st)) {
			/* Only a tracee reports stops without WUNTRACED: a child
			 * that called PTRACE_TRACEME made us its tracer. We never
			 * trace, so let it go with the signal that stopped it. */
			ptrace(PTRACE_DETACH, p, NULL, (void *)(long)WSTOPSIG(st));
			continue;
		}
		if (p == child) {
			*status = st;
			done = true;
		} else if (o->tick && o->tick->reaped) {
			o->tick->reaped(o->tick->arg, p, st);
		}
	}
	return done;
}

/* Waits for one of the blocked signals, or (with a denial channel) a
 * notification, until the deadline; like sigtimedwait, -1 with EAGAIN at
 * the deadline, and 0 after a notification was handled. */
static int wait_event(const sigset_t *set, int sigfd, struct sc_notify *nt,
		      const struct supervise_opts *o, int64_t deadline)
{
	if (sigfd < 0) {
		struct timespec ts, *tsp = NULL;
		if (deadline >= 0) {
			int64_t left = deadline - mono_ms();
			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tsp = &ts;
		}
		siginfo_t si;
		return sigtimedwait(set, &si, tsp);
	}
	int nfd = nt ? nt->fd : -1;
	struct pollfd pfd[3 + 2 * 160] = { { .fd = sigfd, .events = POLLIN },
					   { .fd = nfd, .events = POLLIN },
					   { .fd = o->relay_to ? o->relay_fd : -1, .events = POLLIN } };
	size_t nio = 0, cnt[SUPERVISE_MAX_IO];
	for (size_t i = 0; i < SUPERVISE_MAX_IO; i++) {
		cnt[i] = o->io[i] ? o->io[i]->fill(o->io[i]->arg, pfd + 3 + nio, ARRAY_SIZE(pfd) - 3 - nio)
				  : 0;
		nio += cnt[i];
	}
	int timeout = -1;
	if (deadline >= 0) {
		int64_t left = deadline - mono_ms();
		timeout = left < 0 ? 0 : (int)left;
	}
	/* A negative fd is skipped by poll. */
	int n = poll(pfd, 3 + nio, timeout);
	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (n < 0)
		return -1;
	if (pfd[2].fd >= 0 && (pfd[2].revents & POLLIN) && sdnotify_relay(o->relay_fd, o->relay_to) &&
	    o->ready && !*o->ready) {
		*o->ready = true;
		json_object *r = json_object_new_object();
		json_object_object_add(r, "source", json_object_new_string("notify"));
		events_emit("ready", r);
	}
	for (size_t i = 0, off = 3; i < SUPERVISE_MAX_IO; off += cnt[i], i++)
		if (cnt[i])
			o->io[i]->handle(o->io[i]->arg, pfd + off, cnt[i]);
	/* A channel that is done is closed: should a task of the filter be
	 * left, its later denials get the kernel's ENOSYS instead of waiting
	 * for an answer. */
	if (nt && nt->fd >= 0 &&
	    (((pfd[1].revents & POLLIN) && sc_notify_handle(nt) < 0) ||
	     (!(pfd[1].revents & POLLIN) && (pfd[1].revents & (POLLHUP | POLLERR | POLLNVAL))))) {
		close(nt->fd);
		nt->fd = -1;
	}
	if (pfd[0].revents & POLLIN) {
		struct signalfd_siginfo si;
		if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			return (int)si.ssi_signo;
	}
	return 0;
}

int supervise(pid_t child, const struct supervise_opts *o)
{
	sigset_t set;
	supervise_sigset(&set);
	int64_t deadline = -1;
	int status = 0;
	/* With a denial channel the signals come through a signalfd, so one
	 * poll waits for both. */
	struct sc_notify *nt = o->notify && o->notify->fd >= 0 ? o->notify : NULL;
	bool relay = (o->relay_fd >= 0 && o->relay_to) || o->io[0] || o->io[1] || o->tick;
	int sigfd = nt || relay ? signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK) : -1;
	if (nt && sigfd < 0) {
		/* No way to wait for both: the kernel answers ENOSYS once the
		 * listener is gone, so nothing waits for us. */
		close(nt->fd);
		nt->fd = -1;
		nt = NULL;
	}

	for (;;) {
		if (reap(child, o, &status)) {
			if (sigfd >= 0)
				close(sigfd);
			return exit_code_from_status(status);
		}
		int64_t wake = deadline;
		if (o->tick) {
			int stop = 0;
			int64_t t = o->tick->tick(o->tick->arg, mono_ms(), &stop);
			if (stop) {
				kill(child, stop);
				if (stop == SIGTERM && o->reap_all && deadline < 0)
					wake = deadline = mono_ms() + (int64_t)o->stop_timeout * 1000;
			}
			if (t >= 0 && (wake < 0 || t < wake))
				wake = t;
		}
		int sig = wait_event(&set, sigfd, nt, o, wake);
		if (sig == 0)
			continue;
		if (sig < 0) {
			if (errno == EAGAIN && deadline >= 0 && mono_ms() >= deadline) {
				/* The stop timeout expired: as pid 1, kill(-1)
				 * reaches every process of the namespace but us. */
				kill(o->group ? -o->group : -1, SIGKILL);
				deadline = -1;
			}
			continue;
		}
		if (sig == SIGCHLD)
			continue;
		if (o->stopped_by && (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT))
			*o->stopped_by = sig;
		kill(child, sig);
		if (sig == SIGTERM && o->reap_all && deadline < 0)
			deadline = mono_ms() + (int64_t)o->stop_timeout * 1000;
	}
}
