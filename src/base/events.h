/* --events FILE|fd:N: what happens to the sandbox as JSON lines, one
 * object per event with "time" (UTC, RFC 3339 with milliseconds) and
 * "event": start, seccomp_denied, oom, health, ready, restart, exit.
 * Security-relevant ones are the seeds' "security logging": a consumer
 * ships the lines as they are.
 * No secret's value and no environment value is ever in an event.
 * One sink per husk process, opened by the launch before the clone (so
 * the monitor has it) and written by the monitor only. */
#pragma once

#include <json-c/json.h>

/* Opens the sink: FILE (created 0600, appended to) or fd:N (an inherited
 * descriptor, kept). Returns 0 or a negative errno with why in err. */
int events_open(const char *spec, char *err, size_t errlen);
/* Writes {"time", "event": type, ...fields} as one line (one write(2), so
 * lines from husks sharing a file do not interleave) and takes fields
 * (may be NULL). Nothing when no sink is open. */
void events_emit(const char *type, json_object *fields);
void events_close(void);
/* Whether a sink is open (to skip building fields nobody reads). */
int events_on(void);
