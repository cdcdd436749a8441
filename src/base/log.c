#include "base/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole line is formatted first and written with one write(2), so lines
 * from the monitor, init and the service never interleave mid-line. */
static void vemit(const char *prefix, int err, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "husk: %s", prefix);
	if (n < 0)
		return;
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if (m > 0)
		n += m;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	if (err) {
		m = snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(err));
		if (m > 0)
			n += m;
		if (n > (int)sizeof(buf) - 2)
			n = (int)sizeof(buf) - 2;
	}
	buf[n++] = '\n';
	ssize_t r = write(STDERR_FILENO, buf, (size_t)n);
	(void)r;
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vemit("", 0, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vemit("warning: ", 0, fmt, ap);
	va_end(ap);
}

int log_errno(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vemit("", err < 0 ? -err : err, fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vemit("", 0, fmt, ap);
	va_end(ap);
	_exit(HUSK_EXIT_LAUNCH);
}

void die_errno(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vemit("", err < 0 ? -err : err, fmt, ap);
	va_end(ap);
	_exit(HUSK_EXIT_LAUNCH);
}
