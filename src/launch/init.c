#include "launch/init.h"

#include <errno.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#include "base/log.h"

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

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reaps what has exited; returns true once child has, with its status. */
static bool reap(pid_t child, bool reap_all, int *status)
{
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
		}
	}
	return done;
}

int supervise(pid_t child, const struct supervise_opts *o)
{
	sigset_t set;
	supervise_sigset(&set);
	int64_t deadline = -1;
	int status = 0;

	for (;;) {
		if (reap(child, o->reap_all, &status))
			return exit_code_from_status(status);

		struct timespec ts, *tsp = NULL;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tsp = &ts;
		}
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, tsp);
		if (sig < 0) {
			if (errno == EAGAIN && deadline >= 0) {
				/* The stop timeout expired: as pid 1, kill(-1)
				 * reaches every process of the namespace but us. */
				kill(o->group ? -o->group : -1, SIGKILL);
				deadline = -1;
			}
			continue;
		}
		if (sig == SIGCHLD)
			continue;
		kill(child, sig);
		if (sig == SIGTERM && o->reap_all && deadline < 0)
			deadline = now_ms() + (int64_t)o->stop_timeout * 1000;
	}
}
