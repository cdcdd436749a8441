/* Networking inside the sandbox: lo in a new netns, and the sockets
 * --listen hands in from outside. */
#pragma once

#include <stddef.h>

#include "policy/policy.h"

/* Child side, in the new network namespace: sets lo up over rtnetlink
 * (libmnl). The kernel then gives it 127.0.0.1/8 and ::1. */
int net_loopback_up(void);

/* Monitor side, before the clone: binds and listens on each --listen
 * socket in the caller's network namespace, as the caller (a normal user
 * gets ports above the unprivileged floor); inherited ones are passed as
 * they are. fds gets one per spec (O_CLOEXEC). On error, one line in err
 * naming the socket and the fix, everything opened closed again. */
int net_listen_open(const struct listen_spec *specs, size_t n, int *fds, char *err, size_t errlen);

/* Service side of the fd table, before the service starts: the n sockets
 * at 3 .. 3 + n - 1 (not close-on-exec), whatever held those numbers
 * moved above them (*keep follows its fd). */
int net_listen_place(const int *fds, size_t n, int *keep);
