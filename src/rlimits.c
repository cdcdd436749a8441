#include "rlimits.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "util.h"

static const struct {
	const char *name;
	int resource;
	bool bytes; /* takes k/m/g */
} table[] = {
	{ "as", RLIMIT_AS, true },
	{ "core", RLIMIT_CORE, true },
	{ "cpu", RLIMIT_CPU, false },
	{ "data", RLIMIT_DATA, true },
	{ "fsize", RLIMIT_FSIZE, true },
	{ "locks", RLIMIT_LOCKS, false },
	{ "memlock", RLIMIT_MEMLOCK, true },
	{ "msgqueue", RLIMIT_MSGQUEUE, true },
	{ "nice", RLIMIT_NICE, false },
	{ "nofile", RLIMIT_NOFILE, false },
	{ "nproc", RLIMIT_NPROC, false },
	{ "rss", RLIMIT_RSS, true },
	{ "rtprio", RLIMIT_RTPRIO, false },
	{ "rttime", RLIMIT_RTTIME, false },
	{ "sigpending", RLIMIT_SIGPENDING, false },
	{ "stack", RLIMIT_STACK, true },
};

int rlimit_from_name(const char *name)
{
	if (strncasecmp(name, "RLIMIT_", 7) == 0)
		name += 7;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (strcasecmp(table[i].name, name) == 0)
			return table[i].resource;
	return -EINVAL;
}

const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].resource == resource)
			return table[i].name;
	return NULL;
}

static bool is_bytes(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].resource == resource)
			return table[i].bytes;
	return false;
}

static int parse_value(const char *s, bool bytes, uint64_t *out)
{
	if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	int r = bytes ? parse_size(s, out) : parse_u64(s, out);
	if (r == 0 && *out == RLIM_INFINITY)
		return -ERANGE;
	return r;
}

int rlimit_parse(const char *arg, int *resource, struct husk_rlimit *out, char *err,
		 size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char name[32];
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name))
		return errf(err, errlen, -EINVAL, "expected NAME=SOFT[:HARD], like nofile=1024:4096");
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	int res = rlimit_from_name(name);
	if (res < 0)
		return errf(err, errlen, -EINVAL,
			    "unknown limit '%s' (as core cpu data fsize locks memlock msgqueue nice "
			    "nofile nproc rss rtprio rttime sigpending stack)",
			    name);
	char val[64];
	if (strlen(eq + 1) >= sizeof(val) || !eq[1])
		return errf(err, errlen, -EINVAL, "expected a value after '='");
	strcpy(val, eq + 1);
	char *colon = strchr(val, ':');
	if (colon)
		*colon = '\0';
	bool bytes = is_bytes(res);
	uint64_t soft, hard;
	if (parse_value(val, bytes, &soft) < 0 || (colon && parse_value(colon + 1, bytes, &hard) < 0))
		return errf(err, errlen, -EINVAL, "expected a number%s or unlimited",
			    bytes ? " (k, m, g allowed)" : "");
	if (!colon)
		hard = soft;
	if (soft > hard)
		return errf(err, errlen, -EINVAL, "the soft limit is above the hard limit");
	*resource = res;
	*out = (struct husk_rlimit){ .set = true, .soft = soft, .hard = hard };
	return 0;
}

int rlimits_apply(pid_t pid, const struct husk_rlimit *limits)
{
	for (int res = 0; res < HUSK_RLIMIT_COUNT; res++) {
		if (!limits[res].set)
			continue;
		struct rlimit rl = { .rlim_cur = limits[res].soft, .rlim_max = limits[res].hard };
		if (prlimit(pid, (enum __rlimit_resource)res, &rl, NULL) < 0)
			return log_errno(-errno, "rlimit %s=%llu:%llu%s", rlimit_name(res),
					 (unsigned long long)rl.rlim_cur,
					 (unsigned long long)rl.rlim_max,
					 errno == EPERM ? " (raising a hard limit needs root)" : "");
	}
	return 0;
}
