/* One-line diagnostics: "husk: STEP: DETAIL: REASON". */
#pragma once

#include <stdarg.h>

/* Exit codes shared with docker and podman. */
enum {
	HUSK_EXIT_LAUNCH = 125,	 /* husk itself failed */
	HUSK_EXIT_NOEXEC = 126,	 /* the program exists but cannot be executed */
	HUSK_EXIT_NOTFOUND = 127, /* the program does not exist */
};

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "husk: <msg>: <strerror(-err)>" and return err (a negative errno). */
int log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "husk: <msg>" and _exit(HUSK_EXIT_LAUNCH); for the child processes,
 * which must not run atexit handlers or flush the parent's stdio buffers. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
