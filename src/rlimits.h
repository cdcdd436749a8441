/* Resource limits (setrlimit): the name table and parsing (pure), and the
 * step that applies them to the sandbox. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define HUSK_RLIMIT_COUNT RLIM_NLIMITS

struct husk_rlimit {
	bool set;
	uint64_t soft, hard; /* RLIM_INFINITY for unlimited */
};

/* "nofile", "NOFILE" or "RLIMIT_NOFILE" to the resource; -EINVAL if unknown. */
int rlimit_from_name(const char *name);
/* "nofile" for RLIMIT_NOFILE; NULL when unknown. */
const char *rlimit_name(int resource);

/* "NAME=SOFT[:HARD]": a number (k/m/g suffixes for the byte-sized limits)
 * or "unlimited"; HARD defaults to SOFT, as docker --ulimit does. */
int rlimit_parse(const char *arg, int *resource, struct husk_rlimit *out, char *err,
		 size_t errlen);

/* Parent side, before the child is released: sets each limit on pid with
 * prlimit(2). husk's own limits are left alone. */
int rlimits_apply(pid_t pid, const struct husk_rlimit *limits);
