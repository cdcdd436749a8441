/* --publish HOSTPORT:PORT: a port of the caller's network forwarded to
 * 127.0.0.1:PORT in the sandbox's own network namespace, for services that
 * bind their own socket (--listen hands a socket to those that take one).
 * Rootless: the inside connection is made by the sandbox's init, in its
 * namespace, and handed to husk's monitor over their socket; the monitor
 * moves the bytes in its event loop, no thread per connection. */
#pragma once

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

#define PUBLISH_MAX_CONNS 128
#define PUBLISH_BUF 65536

struct pub_dir {
	char *buf;
	size_t len, off;
	bool eof; /* the reading side is done */
};

struct pub_conn {
	int a, b; /* the host's side, the sandbox's (-1 while init makes it) */
	struct pub_dir ab, ba;
};

struct publisher {
	int ctl; /* to the sandbox's init */
	size_t n;
	int lfd[HUSK_MAX_LISTEN];
	uint16_t inner[HUSK_MAX_LISTEN];
	struct pub_conn conn[PUBLISH_MAX_CONNS];
	size_t nconn;
	size_t pending[PUBLISH_MAX_CONNS]; /* conns waiting for their inside end, in order */
	size_t npending;
	size_t nfds; /* what fill gave */
};

void publish_init(struct publisher *pb, int ctl, const struct husk_policy *p, const int *lfd);
/* The loop's hooks (init.h's supervise_io). */
size_t publish_fill(void *arg, struct pollfd *pfd, size_t max);
void publish_handle(void *arg, const struct pollfd *pfd, size_t n);
void publish_close(struct publisher *pb);

/* The sandbox init's side: answers each request on ctl with a socket
 * connected to 127.0.0.1:PORT (or ::1) in its network namespace. */
size_t publish_init_fill(void *arg, struct pollfd *pfd, size_t max);
void publish_init_handle(void *arg, const struct pollfd *pfd, size_t n);
