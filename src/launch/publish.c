#include "launch/publish.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"

void publish_init(struct publisher *pb, int ctl, const struct husk_policy *p, const int *lfd)
{
	memset(pb, 0, sizeof(*pb));
	pb->ctl = ctl;
	pb->n = p->n_publish;
	for (size_t i = 0; i < pb->n; i++) {
		pb->lfd[i] = lfd[i];
		pb->inner[i] = p->publish_port[i];
		fcntl(lfd[i], F_SETFL, O_NONBLOCK);
	}
}

static void conn_close(struct publisher *pb, size_t i)
{
	struct pub_conn *c = &pb->conn[i];
	if (c->a >= 0)
		close(c->a);
	if (c->b >= 0)
		close(c->b);
	free(c->ab.buf);
	free(c->ba.buf);
	c->a = c->b = -1;
	c->ab.buf = c->ba.buf = NULL;
}

/* Request: 'P', the port (big-endian). Answer: 'p', 0 or an errno, and the
 * connected socket's fd. */
static void request(struct publisher *pb, size_t ci, uint16_t port)
{
	unsigned char req[3] = { 'P', (unsigned char)(port >> 8), (unsigned char)port };
	if (send(pb->ctl, req, sizeof(req), MSG_NOSIGNAL) != sizeof(req)) {
		conn_close(pb, ci);
		return;
	}
	pb->pending[pb->npending++] = ci;
}

static void accept_one(struct publisher *pb, size_t li)
{
	int a = accept4(pb->lfd[li], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (a < 0)
		return;
	size_t ci = PUBLISH_MAX_CONNS;
	for (size_t i = 0; i < pb->nconn && ci == PUBLISH_MAX_CONNS; i++)
		if (pb->conn[i].a < 0 && pb->conn[i].b < 0)
			ci = i;
	if (ci == PUBLISH_MAX_CONNS && pb->nconn < PUBLISH_MAX_CONNS)
		ci = pb->nconn++;
	if (ci == PUBLISH_MAX_CONNS || pb->npending == PUBLISH_MAX_CONNS) {
		close(a); /* full: the client sees a reset, not a hang */
		return;
	}
	struct pub_conn *c = &pb->conn[ci];
	*c = (struct pub_conn){ .a = a, .b = -1 };
	c->ab.buf = xcalloc(1, PUBLISH_BUF);
	c->ba.buf = xcalloc(1, PUBLISH_BUF);
	request(pb, ci, pb->inner[li]);
}

static int recv_answer(int ctl, int *fd)
{
	unsigned char ans[2];
	struct iovec iov = { .iov_base = ans, .iov_len = 2 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	*fd = -1;
	ssize_t n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n != 2 || ans[0] != 'p')
		return n == 0 ? -EPIPE : -EAGAIN;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return ans[1] ? -ans[1] : 0;
}

/* One direction: from into the buffer, from the buffer to to. */
static int pump(int from, int to, struct pub_dir *d, short rev_from, short rev_to)
{
	bool fresh = false;
	if ((rev_from & (POLLIN | POLLHUP)) && !d->eof && d->len < PUBLISH_BUF) {
		ssize_t n = read(from, d->buf + d->len, PUBLISH_BUF - d->len);
		if (n > 0) {
			d->len += (size_t)n;
			fresh = true;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			d->eof = true;
		}
	}
	/* What just came in goes out at once: the peer's socket nearly always
	 * has room, and waiting for the next poll to say so cost a round of
	 * the loop per request (bench/net-forward). A full peer gives EAGAIN
	 * and the buffer waits for POLLOUT as before. */
	if (((rev_to & POLLOUT) || fresh) && d->off < d->len) {
		ssize_t n = write(to, d->buf + d->off, d->len - d->off);
		if (n > 0)
			d->off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
	}
	if (d->off == d->len)
		d->off = d->len = 0;
	return 0;
}

size_t publish_fill(void *arg, struct pollfd *pfd, size_t max)
{
	struct publisher *pb = arg;
	size_t k = 0;
	for (size_t i = 0; i < pb->n && k < max; i++)
		pfd[k++] = (struct pollfd){ .fd = pb->lfd[i], .events = POLLIN };
	if (k < max)
		pfd[k++] = (struct pollfd){ .fd = pb->npending ? pb->ctl : -1, .events = POLLIN };
	for (size_t i = 0; i < pb->nconn && k + 1 < max; i++) {
		struct pub_conn *c = &pb->conn[i];
		bool live = c->a >= 0 && c->b >= 0;
		short ea = 0, eb = 0;
		if (live) {
			ea = (short)((!c->ab.eof && c->ab.len < PUBLISH_BUF ? POLLIN : 0) |
				     (c->ba.len > c->ba.off ? POLLOUT : 0));
			eb = (short)((!c->ba.eof && c->ba.len < PUBLISH_BUF ? POLLIN : 0) |
				     (c->ab.len > c->ab.off ? POLLOUT : 0));
		}
		pfd[k++] = (struct pollfd){ .fd = live ? c->a : -1, .events = ea };
		pfd[k++] = (struct pollfd){ .fd = live ? c->b : -1, .events = eb };
	}
	pb->nfds = k;
	return k;
}

void publish_handle(void *arg, const struct pollfd *pfd, size_t n)
{
	struct publisher *pb = arg;
	size_t k = 0;
	for (size_t i = 0; i < pb->n && k < n; i++, k++)
		if (pfd[k].revents & POLLIN)
			for (int burst = 0; burst < 16 && pb->npending < PUBLISH_MAX_CONNS; burst++) {
				size_t before = pb->npending;
				accept_one(pb, i);
				if (pb->npending == before)
					break;
			}
	if (k < n && (pfd[k].revents & (POLLIN | POLLHUP))) {
		int fd, r;
		while (pb->npending && (r = recv_answer(pb->ctl, &fd)) != -EAGAIN) {
			size_t ci = pb->pending[0];
			memmove(pb->pending, pb->pending + 1, --pb->npending * sizeof(pb->pending[0]));
			if (r < 0 || fd < 0) {
				/* The port is closed inside, or init is gone. */
				if (fd >= 0)
					close(fd);
				conn_close(pb, ci);
				if (r == -EPIPE)
					break;
				continue;
			}
			fcntl(fd, F_SETFL, O_NONBLOCK);
			pb->conn[ci].b = fd;
		}
	}
	k++;
	for (size_t i = 0; i < pb->nconn && k + 1 < n; i++, k += 2) {
		struct pub_conn *c = &pb->conn[i];
		if (pfd[k].fd < 0)
			continue;
		short ra = pfd[k].revents, rb = pfd[k + 1].revents;
		if (pump(c->a, c->b, &c->ab, ra, rb) < 0 || pump(c->b, c->a, &c->ba, rb, ra) < 0 ||
		    (ra & (POLLERR | POLLNVAL)) || (rb & (POLLERR | POLLNVAL))) {
			conn_close(pb, i);
			continue;
		}
		/* A side done reading: its peer gets the end of stream once
		 * what is buffered has gone. */
		if (c->ab.eof && c->ab.len == 0)
			shutdown(c->b, SHUT_WR);
		if (c->ba.eof && c->ba.len == 0)
			shutdown(c->a, SHUT_WR);
		if (c->ab.eof && c->ba.eof && !c->ab.len && !c->ba.len)
			conn_close(pb, i);
	}
}

void publish_close(struct publisher *pb)
{
	for (size_t i = 0; i < pb->nconn; i++)
		conn_close(pb, i);
	pb->nconn = 0;
}

/* ---- the sandbox's init ---- */

size_t publish_init_fill(void *arg, struct pollfd *pfd, size_t max)
{
	int *ctl = arg;
	if (!max)
		return 0;
	pfd[0] = (struct pollfd){ .fd = *ctl, .events = POLLIN };
	return 1;
}

static void answer(int ctl, int err, int fd)
{
	unsigned char ans[2] = { 'p', (unsigned char)(err > 255 ? 255 : err) };
	struct iovec iov = { .iov_base = ans, .iov_len = 2 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	sendmsg(ctl, &mh, MSG_NOSIGNAL);
	if (fd >= 0)
		close(fd);
}

void publish_init_handle(void *arg, const struct pollfd *pfd, size_t n)
{
	int *ctl = arg;
	if (!n || !(pfd[0].revents & POLLIN))
		return;
	unsigned char req[3];
	while (recv(*ctl, req, sizeof(req), MSG_DONTWAIT) == sizeof(req)) {
		if (req[0] != 'P')
			continue;
		uint16_t port = (uint16_t)(req[1] << 8 | req[2]);
		/* In the sandbox's network namespace: its lo. */
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			answer(*ctl, e ? e : EIO, -1);
			continue;
		}
		answer(*ctl, 0, fd);
	}
}
