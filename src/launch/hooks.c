#include "launch/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/sys.h"
#include "base/util.h"

static const char *const stage_names[HOOK_NSTAGES] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

const char *hooks_stage_name(enum hook_stage st)
{
	return st < HOOK_NSTAGES ? stage_names[st] : "?";
}

char *hooks_state_json(const struct husk_policy *p, const char *status, pid_t pid)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(o, "id", json_object_new_string(p->oci_id ? p->oci_id : ""));
	json_object_object_add(o, "status", json_object_new_string(status));
	/* The spec: pid is required once the container process exists,
	 * which it does from createRuntime on; poststop has none left. */
	if (pid > 0)
		json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "bundle",
			       json_object_new_string(p->oci_bundle ? p->oci_bundle : ""));
	json_object *ann = p->oci_annotations ? json_tokener_parse(p->oci_annotations) : NULL;
	if (ann)
		json_object_object_add(o, "annotations", ann);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = text ? strdup(text) : NULL;
	json_object_put(o);
	return out;
}

static _Noreturn void hook_child(const struct oci_hook *h, int in, int fd)
{
	/* The callers block the signals they supervise: a hook starts with
	 * none blocked and the default dispositions, as after a fresh exec
	 * from a shell. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* A husk that is killed takes its hook with it: nothing of a launch
	 * outlives it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (dup2(in, STDIN_FILENO) < 0)
		_exit(127);
	char *empty[] = { NULL };
	char *argv0[] = { h->path, NULL };
	char *const *argv = h->args.n ? h->args.v : argv0;
	if (fd >= 0) {
		/* A script's interpreter opens it as /dev/fd/N: N must stay
		 * open across exec, which dup gives. */
		int keep = dup(fd);
		syscall(SYS_execveat, keep, "", argv, h->env_set ? h->env.v : empty, AT_EMPTY_PATH);
	} else {
		execve(h->path, argv, h->env_set ? h->env.v : empty);
	}
	fprintf(stderr, "husk: hook %s: exec: %s\n", h->path, strerror(errno));
	_exit(127);
}

/* waitpid with a deadline (timeout 0: none); the hook is killed at it. */
static int wait_hook(pid_t pid, int timeout, int *status, bool *timed_out)
{
	*timed_out = false;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t w = waitpid(pid, status, timeout ? WNOHANG : 0);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (w == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= timeout) {
				kill(pid, SIGKILL);
				waitpid(pid, status, 0);
				*timed_out = true;
				return 0;
			}
			struct timespec tick = { 0, 5 * 1000 * 1000 };
			nanosleep(&tick, NULL);
		}
	}
}

void hooks_open(const struct husk_policy *p, enum hook_stage st, int *fds)
{
	for (size_t i = 0; i < p->hooks.n[st]; i++)
		fds[i] = open(p->hooks.h[st][i].path, O_PATH | O_CLOEXEC);
}

int hooks_run(const struct husk_policy *p, enum hook_stage st, const char *state, char *err,
	      size_t errlen)
{
	return hooks_run_fds(p, st, state, NULL, err, errlen);
}

int hooks_run_fds(const struct husk_policy *p, enum hook_stage st, const char *state,
		  const int *hookfds, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->hooks.n[st]; i++) {
		const struct oci_hook *h = &p->hooks.h[st][i];
		int fds[2];
		if (pipe2(fds, O_CLOEXEC) < 0)
			return errf(err, errlen, -errno, "hooks.%s[%zu] %s: pipe: %s", stage_names[st],
				    i, h->path, strerror(errno));
		pid_t pid = fork();
		if (pid < 0) {
			int e = errno;
			close(fds[0]);
			close(fds[1]);
			return errf(err, errlen, -e, "hooks.%s[%zu] %s: fork: %s", stage_names[st], i,
				    h->path, strerror(e));
		}
		if (pid == 0) {
			close(fds[1]);
			hook_child(h, fds[0], hookfds ? hookfds[i] : -1);
		}
		close(fds[0]);
		/* A hook that does not read its stdin is no error: EPIPE is
		 * ignored (SIGPIPE is blocked or ignored in the callers). */
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;
		sigaction(SIGPIPE, &ign, &old);
		sys_write_all(fds[1], state, strlen(state));
		sigaction(SIGPIPE, &old, NULL);
		close(fds[1]);
		int status = 0;
		bool timed_out;
		int r = wait_hook(pid, h->timeout, &status, &timed_out);
		if (r < 0)
			return errf(err, errlen, r, "hooks.%s[%zu] %s: wait: %s", stage_names[st], i,
				    h->path, strerror(-r));
		if (timed_out)
			return errf(err, errlen, -ETIMEDOUT,
				    "hooks.%s[%zu] %s: still running after its timeout of %d s; "
				    "killed",
				    stage_names[st], i, h->path, h->timeout);
		if (WIFSIGNALED(status))
			return errf(err, errlen, -ECHILD, "hooks.%s[%zu] %s: killed by signal %d",
				    stage_names[st], i, h->path, WTERMSIG(status));
		if (WEXITSTATUS(status) != 0)
			return errf(err, errlen, -ECHILD, "hooks.%s[%zu] %s: exited with status %d",
				    stage_names[st], i, h->path, WEXITSTATUS(status));
	}
	return 0;
}
