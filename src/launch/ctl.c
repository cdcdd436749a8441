#include "launch/ctl.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "launch/init.h"

#define CTL_MSG_MAX 32768
#define CTL_MAX_ARGS 256

void ctl_init(struct ctl *c, int listen_fd, const struct husk_policy *p)
{
	memset(c, 0, sizeof(*c));
	c->listen_fd = listen_fd;
	c->p = p;
	for (size_t i = 0; i < CTL_MAX_SESSIONS; i++)
		c->s[i].fd = -1;
}

void ctl_attach(struct ctl *c, const struct join_ns *ns, const struct cgroup *cg)
{
	c->attached = true;
	c->ns = ns;
	c->cg = cg;
}

static void send_int(int fd, char type, int32_t v)
{
	char msg[5];
	msg[0] = type;
	memcpy(msg + 1, &v, sizeof(v));
	send(fd, msg, sizeof(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void session_end(struct ctl *c, size_t i, int code)
{
	if (c->s[i].fd >= 0 && code >= 0)
		send_int(c->s[i].fd, 's', code);
	if (c->s[i].fd >= 0)
		close(c->s[i].fd);
	c->s[i].fd = -1;
	c->s[i].pid = 0;
}

void ctl_detach(struct ctl *c)
{
	for (size_t i = 0; i < CTL_MAX_SESSIONS; i++) {
		if (c->s[i].pid > 0) {
			kill(-c->s[i].pid, SIGKILL);
			kill(c->s[i].pid, SIGKILL);
			int st;
			while (waitpid(c->s[i].pid, &st, 0) < 0 && errno == EINTR)
				;
			session_end(c, i, exit_code_from_status(st));
		} else if (c->s[i].fd >= 0) {
			session_end(c, i, 137);
		}
	}
	c->attached = false;
	c->ns = NULL;
	c->cg = NULL;
}

size_t ctl_fill(void *arg, struct pollfd *pfd, size_t max)
{
	struct ctl *c = arg;
	size_t n = 0;
	if (c->listen_fd >= 0 && n < max)
		pfd[n++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
	for (size_t i = 0; i < CTL_MAX_SESSIONS && n < max; i++)
		pfd[n++] = (struct pollfd){ .fd = c->s[i].fd, .events = POLLIN };
	return n;
}

static void refuse(int fd, const char *why)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "e%s", why);
	send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* The first message of a session: the program and the client's stdio. */
static void start(struct ctl *c, size_t i)
{
	int fd = c->s[i].fd;
	static char buf[CTL_MSG_MAX];
	union {
		char b[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
			     .msg_controllen = sizeof(cm.b) };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	int fds[3] = { -1, -1, -1 }, nfds = 0;
	for (struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; h; h = CMSG_NXTHDR(&mh, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t j = 0; j < k; j++) {
				int f;
				memcpy(&f, CMSG_DATA(h) + j * sizeof(int), sizeof(int));
				if (nfds < 3)
					fds[nfds++] = f;
				else
					close(f);
			}
		}
	const char *why = NULL;
	char *argv[CTL_MAX_ARGS + 1];
	size_t argc = 0;
	if (n <= 1 || buf[0] != 'x' || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || nfds != 3)
		why = "a malformed request";
	else if (!c->attached)
		why = "the service is not running now (it is being restarted)";
	if (!why) {
		buf[n] = '\0';
		/* NUL-terminated words after the type byte. */
		for (char *w = buf + 1; w < buf + n && argc < CTL_MAX_ARGS; w += strlen(w) + 1)
			argv[argc++] = w;
		argv[argc] = NULL;
		if (!argc || buf[n - 1] != '\0' || !argv[0][0])
			why = "a malformed request";
	}
	pid_t pid = -1;
	if (!why) {
		pid = join_spawn(c->p, c->ns, c->cg, argv, fds);
		if (pid < 0)
			why = "the process could not be started (see husk's stderr)";
	}
	for (int j = 0; j < nfds; j++)
		close(fds[j]);
	if (why) {
		refuse(fd, why);
		session_end(c, i, -1);
		return;
	}
	c->s[i].pid = pid;
	send_int(fd, 'p', pid);
}

void ctl_handle(void *arg, const struct pollfd *pfd, size_t n)
{
	struct ctl *c = arg;
	size_t k = 0;
	if (c->listen_fd >= 0 && k < n && (pfd[k++].revents & POLLIN)) {
		int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct ucred cr;
		socklen_t cl = sizeof(cr);
		/* The directory is the user's alone; the credentials say so
		 * again, should it not be. */
		bool ok = fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 &&
			  (cr.uid == geteuid() || cr.uid == 0);
		size_t slot = CTL_MAX_SESSIONS;
		/* A slot whose client left while its process runs stays
		 * taken until the process is reaped. */
		for (size_t i = 0; ok && i < CTL_MAX_SESSIONS && slot == CTL_MAX_SESSIONS; i++)
			if (c->s[i].fd < 0 && c->s[i].pid == 0)
				slot = i;
		if (fd >= 0 && ok && slot == CTL_MAX_SESSIONS)
			refuse(fd, "too many husk exec sessions at once");
		if (fd >= 0 && (!ok || slot == CTL_MAX_SESSIONS))
			close(fd);
		else if (fd >= 0)
			c->s[slot].fd = fd;
	}
	for (size_t i = 0; i < CTL_MAX_SESSIONS && k < n; i++, k++) {
		if (c->s[i].fd < 0 || pfd[k].fd != c->s[i].fd || !pfd[k].revents)
			continue;
		if (c->s[i].pid == 0 && (pfd[k].revents & POLLIN)) {
			start(c, i);
			continue;
		}
		char msg[16];
		ssize_t m = (pfd[k].revents & POLLIN) ? recv(c->s[i].fd, msg, sizeof(msg), MSG_DONTWAIT) : 0;
		if (m == 5 && msg[0] == 'k' && c->s[i].pid > 0) {
			int32_t sig;
			memcpy(&sig, msg + 1, sizeof(sig));
			if (sig > 0 && sig < NSIG)
				kill(c->s[i].pid, sig);
		} else if (m == 0 || (m < 0 && errno != EAGAIN)) {
			/* The client is gone: so is what it started. */
			if (c->s[i].pid > 0) {
				kill(-c->s[i].pid, SIGKILL);
				kill(c->s[i].pid, SIGKILL);
				close(c->s[i].fd);
				c->s[i].fd = -1; /* reaped later, reported to nobody */
			} else {
				session_end(c, i, -1);
			}
		}
	}
}

bool ctl_reaped(struct ctl *c, pid_t pid, int status)
{
	for (size_t i = 0; i < CTL_MAX_SESSIONS; i++)
		if (c->s[i].pid == pid && pid > 0) {
			session_end(c, i, exit_code_from_status(status));
			return true;
		}
	return false;
}

void ctl_tick(struct ctl *c)
{
	for (size_t i = 0; i < CTL_MAX_SESSIONS; i++) {
		int st;
		if (c->s[i].pid > 0 && waitpid(c->s[i].pid, &st, WNOHANG) == c->s[i].pid)
			session_end(c, i, exit_code_from_status(st));
	}
}

/* ---- the client: husk exec ---- */

int ctl_exec(const char *path, pid_t holder, char *const argv[])
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error("exec: %s: too long for a socket's path", path), HUSK_EXIT_LAUNCH;
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return log_errno(-errno, "exec: connect to %s", path), HUSK_EXIT_LAUNCH;
	/* Our stdio goes only to the husk that holds the name. */
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0 || cr.pid != holder ||
	    (cr.uid != geteuid() && cr.uid != 0))
		return log_error("exec: %s is not the socket of husk pid %d", path, (int)holder),
		       HUSK_EXIT_LAUNCH;
	static char buf[CTL_MSG_MAX];
	size_t n = 0;
	buf[n++] = 'x';
	for (size_t i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		if (i >= CTL_MAX_ARGS || n + l > sizeof(buf) - 1)
			return log_error("exec: the command is longer than %d bytes or %d words",
					 CTL_MSG_MAX, CTL_MAX_ARGS),
			       HUSK_EXIT_LAUNCH;
		memcpy(buf + n, argv[i], l);
		n += l;
	}
	int fds[3] = { 0, 1, 2 };
	union {
		char b[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} cm;
	memset(&cm, 0, sizeof(cm));
	struct iovec iov = { .iov_base = buf, .iov_len = n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
			     .msg_controllen = sizeof(cm.b) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(h), fds, sizeof(fds));
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		return log_errno(-errno, "exec: send the command"), HUSK_EXIT_LAUNCH;
	/* The signals a terminal or a supervisor sends us go to the process. */
	sigset_t set;
	sigemptyset(&set);
	int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < ARRAY_SIZE(fwd); i++)
		sigaddset(&set, fwd[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return log_errno(-errno, "exec: poll"), HUSK_EXIT_LAUNCH;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				char msg[5] = { 'k' };
				int32_t sig = (int32_t)si.ssi_signo;
				memcpy(msg + 1, &sig, sizeof(sig));
				send(fd, msg, sizeof(msg), MSG_NOSIGNAL);
			}
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		char msg[512];
		ssize_t m = recv(fd, msg, sizeof(msg) - 1, 0);
		if (m <= 0)
			return log_error("exec: the sandbox went away before the command ended"),
			       HUSK_EXIT_LAUNCH;
		msg[m] = '\0';
		int32_t v = 0;
		if (m == 5)
			memcpy(&v, msg + 1, sizeof(v));
		if (msg[0] == 'e')
			return log_error("exec: %s", msg + 1), HUSK_EXIT_LAUNCH;
		if (msg[0] == 's' && m == 5)
			return v;
	}
}
