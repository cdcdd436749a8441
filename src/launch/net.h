/* Networking inside the sandbox: lo in a new netns, and the sockets
 * --listen hands in from outside. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

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

/* --net veth (root-started): the monitor makes the pair, the host's end
 * named p->veth.host_if with its address (or in a bridge), the other,
 * eth0, born in the sandbox's network namespace (the child's pid). It
 * goes with that namespace: when the sandbox ends, even after a SIGKILL of
 * husk, the kernel removes both ends. */
int net_veth_create(const struct husk_policy *p, pid_t child, char *err, size_t errlen);
/* The host's end, at once when the sandbox has ended (the kernel would
 * take it with the namespace, a moment later). */
void net_veth_remove(const struct husk_policy *p);
/* Child side: eth0's address, up, and the default route. */
int net_veth_inside(const struct husk_policy *p);
