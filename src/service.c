#include "service.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"
#include "sys.h"
#include "timing.h"

extern char **environ;

static void reset_signals(void)
{
	/* Dispositions the caller ignored (nohup, a shell's SIGPIPE) would
	 * survive exec; the service starts with the defaults. */
	struct sigaction sa = { .sa_handler = SIG_DFL };
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void close_inherited_fds(void)
{
	if (sys_close_range(3, ~0U, 0) == 0)
		return;
	/* close_range arrived in 5.9; older kernels get the plain loop. */
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = 3; fd < (max > 0 ? max : 65536); fd++)
		close((int)fd);
}

void service_exec(const struct husk_policy *p, const struct sc_bpf *filter)
{
	/* No controlling terminal: otherwise TIOCSTI could push keystrokes
	 * into the caller's shell (CVE-2017-5226). */
	if (setsid() < 0)
		die_errno(errno, "service: setsid");
	reset_signals();
	/* Nothing the caller or husk had open reaches the service; a leaked
	 * directory fd is how CVE-2024-21626 reached the host. */
	close_inherited_fds();

	int r;
	bool ambient = caps_service_ambient(p->uid);
	if (p->userns == USERNS_HOST)
		r = caps_drop_except_as(p->cap_add, ambient, p->uid, p->gid);
	else
		r = caps_drop_except(p->cap_add, ambient);
	if (r < 0)
		die_errno(r, "capabilities: drop all but the allowed set");

	if (chdir(p->cwd) < 0)
		die_errno(errno, "chdir %s", p->cwd);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		die("chdir %s: the working directory is outside the sandbox's root", p->cwd);

	/* Already set by the monitor before clone; checked, not assumed. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		die_errno(errno, "no_new_privs");

	timing_mark(T_CAPS);
	/* Last, so the filter only has to allow execve itself: nothing above
	 * runs under it. */
	if (filter && (r = sc_bpf_load(filter, p->seccomp_log)) < 0)
		die_errno(r, "seccomp: load the filter");

	environ = p->env.v;
	timing_mark(T_EXEC);
	execvp(p->argv.v[0], p->argv.v);
	int e = errno;
	log_errno(-e, "exec %s", p->argv.v[0]);
	_exit(e == ENOENT || e == ENOTDIR ? HUSK_EXIT_NOTFOUND : HUSK_EXIT_NOEXEC);
}
