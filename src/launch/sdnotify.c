#include "launch/sdnotify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/util.h"

static socklen_t addr_of(const char *name, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	size_t n = strlen(name);
	if (n + 1 > sizeof(sa->sun_path))
		n = sizeof(sa->sun_path) - 1;
	memcpy(sa->sun_path, name, n);
	/* '@': the abstract namespace, sun_path[0] = '\0'. */
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

int sdnotify_bind_at(int dirfd, const char *name)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* bind(2) takes a path: the directory through its /proc link. */
	char path[108];
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	struct sockaddr_un sa;
	socklen_t len = addr_of(path, &sa);
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || fchmodat(dirfd, name, 0666, 0) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

size_t sdnotify_filter(const char *msg, size_t len, char *out, size_t outlen)
{
	static const char *const keep[] = { "READY=",	"STATUS=", "STOPPING=", "RELOADING=",
					    "WATCHDOG=", "ERRNO=",  "BUSERROR=", "EXTEND_TIMEOUT_USEC=",
					    "MONOTONIC_USEC=", NULL };
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && msg[e] != '\n')
			e++;
		bool ok = false;
		for (const char *const *k = keep; *k && !ok; k++)
			ok = e - i >= strlen(*k) && strncmp(msg + i, *k, strlen(*k)) == 0;
		if (ok && n + (e - i) + 1 < outlen) {
			memcpy(out + n, msg + i, e - i);
			n += e - i;
			out[n++] = '\n';
		}
		i = e + 1;
	}
	if (n < outlen)
		out[n] = '\0';
	return n;
}

bool sdnotify_relay(int fd, const char *to)
{
	char buf[4096], out[4096];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n <= 0)
		return false;
	size_t m = sdnotify_filter(buf, (size_t)n, out, sizeof(out));
	if (!m)
		return false;
	bool ready = strncmp(out, "READY=1\n", 8) == 0 || strstr(out, "\nREADY=1\n");
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return ready;
	struct sockaddr_un sa;
	socklen_t len = addr_of(to, &sa);
	/* What systemd cannot take is lost, as with sd_notify itself. */
	if (sendto(s, out, m, MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0)
		fprintf(stderr, "husk: NOTIFY_SOCKET %s: %s\n", to, strerror(errno));
	close(s);
	return ready;
}
