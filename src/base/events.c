#include "base/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

static int sink = -1;

int events_open(const char *spec, char *err, size_t errlen)
{
	if (str_has_prefix(spec, "fd:")) {
		uint32_t n;
		if (parse_u32(spec + 3, &n) < 0 || n < 3 || n > 65535)
			return errf(err, errlen, -EINVAL, "--events %s: expected fd:N, N an open descriptor above 2",
				    spec);
		if (fcntl((int)n, F_GETFL) < 0)
			return errf(err, errlen, -errno, "--events %s: %s", spec, strerror(errno));
		/* The service never gets it: fds above 2 are closed in the
		 * sandbox, and this one is close-on-exec from now on. */
		fcntl((int)n, F_SETFD, FD_CLOEXEC);
		sink = (int)n;
		return 0;
	}
	int fd = open(spec, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return errf(err, errlen, -errno, "--events %s: %s", spec, strerror(errno));
	sink = fd;
	return 0;
}

int events_on(void)
{
	return sink >= 0;
}

void events_emit(const char *type, json_object *fields)
{
	if (sink < 0) {
		json_object_put(fields);
		return;
	}
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char when[64], stamp[80];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp, sizeof(stamp), "%s.%03ldZ", when, ts.tv_nsec / 1000000);
	/* time and event first, for a reader that greps. */
	json_object *o = json_object_new_object();
	json_object_object_add(o, "time", json_object_new_string(stamp));
	json_object_object_add(o, "event", json_object_new_string(type));
	if (fields) {
		json_object_object_foreach(fields, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(fields);
	}
	const char *line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(line);
	char *buf = xcalloc(1, n + 2);
	memcpy(buf, line, n);
	buf[n] = '\n';
	/* A sink that fails loses the event, never the service. */
	ssize_t w;
	do
		w = write(sink, buf, n + 1);
	while (w < 0 && errno == EINTR);
	free(buf);
	json_object_put(o);
}

void events_close(void)
{
	if (sink >= 0)
		close(sink);
	sink = -1;
}
