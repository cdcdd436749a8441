/* Type=notify through husk: the service's sd_notify messages (READY=1,
 * STATUS=, STOPPING=1, ...) are relayed to the NOTIFY_SOCKET husk itself
 * was given by systemd. The service sends them to /dev/husk-notify, a
 * socket the sandbox's init makes in the sandbox's /dev (not an abstract
 * one: Landlock scopes those away from the service), whose fd husk's
 * monitor reads. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SDNOTIFY_NAME "husk-notify"
#define SDNOTIFY_PATH "/dev/" SDNOTIFY_NAME

/* A datagram socket bound to NAME in the directory dirfd (an O_PATH fd),
 * writable by anyone who reaches it. */
int sdnotify_bind_at(int dirfd, const char *name);

/* The lines of a message that are relayed, newline-separated into out:
 * the state ones, never MAINPID (the service's pid means nothing to
 * systemd outside its pid namespace) or FDSTORE. Pure. Returns the
 * length. */
size_t sdnotify_filter(const char *msg, size_t len, char *out, size_t outlen);

/* Reads one message from fd and sends what is relayed to to (a path, or
 * @abstract), as sd_notify does. Returns whether it said READY=1. */
bool sdnotify_relay(int fd, const char *to);
