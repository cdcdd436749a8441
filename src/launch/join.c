#include "launch/join.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "launch/named.h"
#include "launch/service.h"
#include "limits/rlimits.h"

/* The joining child's status when the sandbox is already going away. */
#define JOIN_EXIT_GONE 99

static const struct {
	int flag;
	const char *name;
} kinds[] = {
	/* The user namespace first: joining it gives the rights in the
	 * namespaces it owns that joining those needs. */
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" },  { CLONE_NEWPID, "pid" },
	{ CLONE_NEWNET, "net" },   { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWCGROUP, "cgroup" },
};

int join_open(pid_t pid, struct join_ns *ns)
{
	ns->cgroup_unshare = false;
	for (size_t i = 0; i < JOIN_NS_KINDS; i++)
		ns->fd[i] = -1;
	for (size_t i = 0; i < JOIN_NS_KINDS; i++) {
		char path[64], self[64];
		struct stat a, b;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", kinds[i].name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &a) < 0 || stat(self, &b) < 0) {
			int e = -errno;
			if (fd >= 0)
				close(fd);
			join_close(ns);
			return e;
		}
		/* Only those the sandbox has of its own (--net host shares
		 * the caller's; setns to one's own user namespace fails). */
		if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			close(fd);
		else
			ns->fd[i] = fd;
	}
	return 0;
}

void join_close(struct join_ns *ns)
{
	for (size_t i = 0; i < JOIN_NS_KINDS; i++) {
		if (ns->fd[i] >= 0)
			close(ns->fd[i]);
		ns->fd[i] = -1;
	}
}

int join_enter(const struct join_ns *ns, int only)
{
	for (size_t i = 0; i < JOIN_NS_KINDS; i++) {
		if (ns->fd[i] < 0 || (only && !(only & kinds[i].flag)))
			continue;
		if (setns(ns->fd[i], kinds[i].flag) < 0)
			return -errno;
	}
	if (ns->cgroup_unshare && (!only || (only & CLONE_NEWCGROUP)) && unshare(CLONE_NEWCGROUP) < 0)
		return -errno;
	return 0;
}

struct spawn_args {
	const struct husk_policy *p;
	char *const *argv;
	const int *stdio;
	bool userns;
};

/* The process that runs argv: the monitor's child (CLONE_PARENT), in the
 * sandbox's pid namespace. */
static _Noreturn void become_service(const struct spawn_args *a)
{
	int hi_fds[3];
	/* Gone with husk; re-armed after each change of ids, which clears it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno(errno, "join: prctl PR_SET_PDEATHSIG");
	/* Moved above 2 first, so that one dup2 cannot close another's
	 * source. */
	for (int i = 0; a->stdio && i < 3; i++) {
		int hi = fcntl(a->stdio[i], F_DUPFD_CLOEXEC, 3);
		if (hi < 0)
			die_errno(errno, "join: stdio");
		hi_fds[i] = hi;
	}
	for (int i = 0; a->stdio && i < 3; i++)
		if (dup2(hi_fds[i], i) < 0)
			die_errno(errno, "join: stdio");
	if (a->userns) {
		service_become_ids(a->p);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die_errno(errno, "join: prctl PR_SET_PDEATHSIG");
	}
	/* The service's policy with another program, and none of what only
	 * the service is handed: --listen's sockets, the sd_notify socket. */
	struct husk_policy q = *a->p;
	q.argv.v = (char **)a->argv;
	for (q.argv.n = 0; a->argv[q.argv.n]; q.argv.n++)
		;
	q.n_listens = 0;
	q.notify_socket = NULL;
	q.seccomp_report = false;
	service_exec(&q, q.seccomp_unconfined ? NULL : &q.seccomp_bpf, NULL);
}

pid_t join_spawn(const struct husk_policy *p, const struct join_ns *ns, const struct cgroup *cg,
		 char *const *argv, const int *stdio)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t a = fork();
	if (a < 0) {
		int e = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return e;
	}
	if (a == 0) {
		close(pfd[0]);
		/* Nothing in the sandbox may read or trace this process while
		 * it holds the caller's rights (CVE-2019-5736's lesson). */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
			die_errno(errno, "join: prctl PR_SET_DUMPABLE");
		policy_close_secret_stash(p);
		named_close_in_child();
		/* The cgroup and the room for the rlimits while still the
		 * caller, in the host's /proc and cgroupfs. */
		char err[512];
		if (cg && cg->n && cg_enter(cg, getpid(), err, sizeof(err)) < 0)
			die("join: cgroup: %s", err);
		if (rlimits_raise(getpid(), p->rlimits) < 0)
			die("join: raise the rlimits");
		struct spawn_args sa = { .p = p, .argv = argv, .stdio = stdio };
		if (ns) {
			/* The user namespace's fd is first (kinds[]). */
			sa.userns = ns->fd[0] >= 0;
			int r = join_enter(ns, 0);
			if (r < 0)
				die_errno(-r, "join: enter the sandbox's namespaces");
			/* setns into the mount namespace put us at its root, the
			 * one pivot_root made; the working directory is
			 * service_exec's to set. */
		}
		/* A child of the monitor (which reaps and times it), born in
		 * the sandbox's pid namespace. */
		pid_t b = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
		if (b == 0)
			become_service(&sa);
		/* ENOMEM: the pid namespace's init has exited (the sandbox is
		 * going away), said by the status, not on stderr. */
		if (b < 0 && errno == ENOMEM)
			_exit(JOIN_EXIT_GONE);
		if (b < 0)
			die_errno(errno, "join: start the process");
		if (write(pfd[1], &b, sizeof(b)) != sizeof(b))
			kill(b, SIGKILL);
		_exit(0);
	}
	close(pfd[1]);
	pid_t b = -1;
	ssize_t n;
	do
		n = read(pfd[0], &b, sizeof(b));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	int st = 0;
	while (waitpid(a, &st, 0) < 0 && errno == EINTR)
		;
	if (n == sizeof(b) && b > 0)
		return b;
	return WIFEXITED(st) && WEXITSTATUS(st) == JOIN_EXIT_GONE ? -ESRCH : -ECHILD;
}
