#include "launch/service.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/caps.h"
#include "launch/landlock.h"
#include "base/log.h"
#include "limits/rlimits.h"
#include "base/sys.h"
#include "base/timing.h"
#include "base/util.h"

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

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Marked close-on-exec rather than closed: in the sandbox the service
 * shares init's fd table until execve (spawn_service), and init still
 * needs its own. execve gives the service a table of its own and closes
 * them there. */
static void close_inherited_fds(unsigned first)
{
	if (sys_close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* CLOSE_RANGE_CLOEXEC arrived in 5.11; older kernels get the loop. */
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = first; fd < (max > 0 ? max : 65536); fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

/* Finds name as execvp would, in the service's PATH (environ is the
 * service's by now), so that the file checked below is the file run. */
static const char *find_program(const char *name, char *buf, size_t len)
{
	if (strchr(name, '/'))
		return name;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/bin:/usr/bin"; /* glibc's default for execvp */
	int err = ENOENT;
	for (const char *dir = path;; dir++) {
		size_t n = strcspn(dir, ":");
		snprintf(buf, len, "%.*s/%s", (int)n, n ? dir : ".", name);
		if (access(buf, X_OK) == 0)
			return buf;
		if (errno == EACCES)
			err = EACCES;
		dir += n;
		if (!*dir)
			break;
	}
	errno = err;
	return NULL;
}

#define MAX_INTERPRETERS 4 /* the kernel's BINPRM_MAX_RECURSION */

/* CVE-2019-5736's image vector: an entrypoint that is, or whose #!
 * interpreter is, a /proc magic link such as /proc/self/exe would exec
 * init's binary, husk's own file on the host, inside the sandbox. Each
 * file of the chain is opened without magic links first; the rootfs is
 * read-only and nothing of the service runs yet, so what is checked here
 * is what execve finds. Returns 0, or -ELOOP or -EACCES with the file
 * that failed in bad. */
static int check_exec_chain(const char *path, char *bad, size_t badlen)
{
	char cur[PATH_MAX];
	snprintf(cur, sizeof(cur), "%s", path);
	for (int depth = 0; depth <= MAX_INTERPRETERS; depth++) {
		snprintf(bad, badlen, "%s", cur);
		_cleanup_close_ int fd = sys_openat2(AT_FDCWD, cur, O_RDONLY | O_CLOEXEC, 0,
						     RESOLVE_NO_MAGICLINKS);
		if (fd < 0 && errno == ELOOP) {
			/* A plain symlink loop fails without the flag too;
			 * execve reports that one itself. */
			_cleanup_close_ int plain = open(cur, O_PATH | O_CLOEXEC);
			return plain < 0 ? 0 : -ELOOP;
		}
		if (fd < 0)
			return errno == EACCES ? -EACCES : 0; /* execve says why */
		char buf[256];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0 || !shebang_interpreter(buf, (size_t)n, cur, sizeof(cur)))
			return 0;
	}
	return 0;
}

/* The filter, with the denial channel when there is one to hand over:
 * its fd number goes to init through shared memory, since after the load
 * the service makes no call but execve (the profile may deny the rest,
 * and a denied call would wait for an answer nobody gives yet). */
static int load_filter(const struct husk_policy *p, const struct sc_bpf *filter,
		       volatile int *listener)
{
	int fd = -1;
	int r = sc_bpf_load(filter, p->seccomp_log, listener && p->seccomp_report ? &fd : NULL);
	/* Said before the exec, where a write still goes through. */
	if (r == 0 && fd == -EMFILE)
		log_warn("seccomp: no fd left under the service's nofile limit for the denial "
			 "channel: denials are answered but not reported");
	if (listener)
		*listener = fd < 0 ? -1 : fd;
	return r;
}

void service_become_ids(const struct husk_policy *p)
{
	/* In our user namespace only the service ids are mapped: a process
	 * whose ids are unmapped cannot create files (EOVERFLOW), and the
	 * root-started case starts out as unmapped host root. */
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		die_errno(errno, "user namespace: setresgid %u", p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		die_errno(errno, "user namespace: setresuid %u", p->uid);
}

void service_exec(const struct husk_policy *p, const struct sc_bpf *filter, volatile int *listener)
{
	/* No controlling terminal: otherwise TIOCSTI could push keystrokes
	 * into the caller's shell (CVE-2017-5226). */
	if (setsid() < 0)
		die_errno(errno, "service: setsid");
	reset_signals();
	/* Nothing the caller or husk had open reaches the service; a leaked
	 * directory fd is how CVE-2024-21626 reached the host. */
	/* --listen's sockets, at 3 .. (net_listen_place), stay. */
	close_inherited_fds(3 + (unsigned)p->n_listens);

	int r;
	bool ambient = caps_service_ambient(p->uid);
	/* In place, a root husk switches to the service's ids here, as
	 * --userns host does; a husk that is not root runs it as itself. */
	bool switch_ids = p->userns == USERNS_HOST || (p->in_place && geteuid() == 0);
	if (p->in_place && !switch_ids && (getuid() != p->uid || getgid() != p->gid))
		die("in place: husk runs as %u:%u and cannot switch to --user %u:%u without root",
		    (unsigned)getuid(), (unsigned)getgid(), (unsigned)p->uid, (unsigned)p->gid);
	uint64_t bounding_left = 0;
	struct cap_sets sets = caps_sets_keep(p->cap_add, ambient);
	if (p->cap_sets_set)
		sets = (struct cap_sets){ .bnd = p->cap_sets.bnd,
					  .eff = p->cap_sets.eff,
					  .prm = p->cap_sets.prm,
					  .inh = p->cap_sets.inh,
					  .amb = p->cap_sets.amb };
	/* additionalGids: while CAP_SETGID is still held (and kept through
	 * the id switch below). */
	if (p->n_groups && setgroups(p->n_groups, p->groups) < 0)
		die_errno(errno, "process.user.additionalGids: setgroups");
	if (p->umask >= 0)
		umask((mode_t)p->umask);
	/* Without no_new_privs (an OCI config that says so) loading a filter
	 * needs CAP_SYS_ADMIN: as runc does, it is loaded before the
	 * capabilities go, and what follows runs under it. */
	bool filter_early = p->no_new_privs_off && filter;
	/* Loaded early, the filter sees the steps below: no denial channel
	 * then, whose answers init could not give before the exec. */
	if (listener)
		*listener = -1;
	if (filter_early && (r = load_filter(p, filter, NULL)) < 0)
		die_errno(r, "seccomp: load the filter (before the capabilities, without "
			     "no_new_privs)");
	if (switch_ids && p->cap_sets_set)
		r = caps_apply_as(&sets, p->uid, p->gid, p->n_groups > 0);
	else if (switch_ids)
		r = caps_drop_except_as(p->cap_add, ambient, p->uid, p->gid);
	else if (p->cap_sets_set)
		r = caps_apply(&sets);
	else if (p->in_place)
		r = caps_drop_except_in_place(p->cap_add, ambient, &bounding_left);
	else
		r = caps_drop_except(p->cap_add, ambient);
	if (r < 0 && p->in_place && !switch_ids && p->cap_add)
		die_errno(r, "capabilities: in place as uid %u, husk holds no capabilities to keep "
			     "for the service; drop --cap-add, or start the container as root with "
			     "--user for the service",
			  (unsigned)getuid());
	if (r < 0)
		die_errno(r, "capabilities: drop all but the allowed set");
	if (bounding_left) {
		/* A normal user's bounding set is usually full: a count then
		 * says enough. */
		char names[512];
		int count = __builtin_popcountll(bounding_left);
		size_t n = 0;
		if (count > 8)
			snprintf(names, sizeof(names), "%d capabilities", count);
		for (int c = 0; c < 64 && n < sizeof(names) && count <= 8; c++) {
			char b[32];
			if (bounding_left & (1ull << c))
				n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? " " : "",
						      caps_to_name(c, b, sizeof(b)));
		}
		log_warn("in place: the bounding set keeps %s (husk runs without CAP_SETPCAP, so "
			 "it cannot drop them); no_new_privs keeps execve from raising any of them",
			 names);
	}
	/* The id switch cleared the parent-death signal. */
	if (p->in_place && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno(errno, "prctl PR_SET_PDEATHSIG");

	if (chdir(p->cwd) < 0)
		die_errno(errno, "chdir %s", p->cwd);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		die("chdir %s: the working directory is outside the sandbox's root", p->cwd);

	/* Already set by the monitor before clone; checked, not assumed. */
	if (!p->no_new_privs_off &&
	    (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1))
		die_errno(errno, "no_new_privs");

	environ = p->env.v;
	/* LISTEN_PID: the service's pid as it sees it (2 in the sandbox). */
	char lpid[32];
	_cleanup_free_ char **env = NULL;
	if (p->n_listens) {
		env = xcalloc(p->env.n + 2, sizeof(char *));
		memcpy(env, p->env.v, p->env.n * sizeof(char *));
		snprintf(lpid, sizeof(lpid), "LISTEN_PID=%d", (int)getpid());
		env[p->env.n] = lpid;
		environ = env;
	}
	char found[PATH_MAX], bad[PATH_MAX];
	const char *prog = find_program(p->argv.v[0], found, sizeof(found));
	if (!prog) {
		int e = errno;
		log_errno(-e, "exec %s", p->argv.v[0]);
		_exit(e == ENOENT ? HUSK_EXIT_NOTFOUND : HUSK_EXIT_NOEXEC);
	}
	r = check_exec_chain(prog, bad, sizeof(bad));
	const char *what = strcmp(bad, prog) ? "its #! interpreter " : "";
	if (r == -ELOOP) {
		log_error("exec %s: %s%s is or goes through a /proc magic link (such as "
			  "/proc/self/exe), which would run a binary from outside the rootfs "
			  "(CVE-2019-5736); refused",
			  p->argv.v[0], what, bad);
		_exit(HUSK_EXIT_NOEXEC);
	}
	if (r == -EACCES) {
		log_error("exec %s: cannot read %s%s to check for a #! interpreter; make it "
			  "readable by the service's user",
			  p->argv.v[0], what, bad);
		_exit(HUSK_EXIT_NOEXEC);
	}

	/* Landlock after chdir and before the filter: the rules are opened
	 * by path, in the root the service will see. */
	struct ll_plan ll;
	char llerr[512];
	if (landlock_plan(p, p->landlock_abi, &ll, llerr, sizeof(llerr)) < 0 ||
	    landlock_apply(&ll, p->landlock_abi, llerr, sizeof(llerr)) < 0) {
		log_error("landlock: %s", llerr);
		_exit(HUSK_EXIT_LAUNCH);
	}

	/* The service's rlimits, once husk itself opens and starts nothing
	 * more: nofile=3 or nproc=1 then limit the service, not its setup. */
	char rlerr[256];
	if ((r = rlimits_set(p->rlimits, rlerr, sizeof(rlerr))) < 0) {
		log_error("%s", rlerr);
		_exit(HUSK_EXIT_LAUNCH);
	}

	timing_mark(T_CAPS);
	/* Last, so the filter only has to allow execve itself: nothing above
	 * runs under it. */
	if (filter && !filter_early && (r = load_filter(p, filter, listener)) < 0)
		die_errno(r, "seccomp: load the filter");

	timing_mark(T_EXEC);
	execve(prog, p->argv.v, environ);
	int e = errno;
	char hint[160];
	log_errno(-e, "exec %s%s", p->argv.v[0], rlimits_exec_hint(p->rlimits, e, hint, sizeof(hint)));
	_exit(e == ENOENT || e == ENOTDIR ? HUSK_EXIT_NOTFOUND : HUSK_EXIT_NOEXEC);
}
