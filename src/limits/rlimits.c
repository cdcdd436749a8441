#include "limits/rlimits.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/util.h"

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
	int rs = parse_value(val, bytes, &soft);
	int rh = colon ? parse_value(colon + 1, bytes, &hard) : 0;
	if (rs == -ERANGE || rh == -ERANGE)
		return errf(err, errlen, -ERANGE,
			    "the value overflows 64 bits; give a smaller one or unlimited");
	if (rs < 0 || rh < 0)
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

static void format_limit(uint64_t v, char *buf, size_t len)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

int rlimits_raise(pid_t pid, const struct husk_rlimit *limits)
{
	for (int res = 0; res < HUSK_RLIMIT_COUNT; res++) {
		if (!limits[res].set)
			continue;
		struct rlimit now;
		if (prlimit(pid, (rlimit_resource_t)res, NULL, &now) < 0)
			return log_errno(-errno, "rlimit %s: read the sandbox's limit", rlimit_name(res));
		if (limits[res].hard <= now.rlim_max) /* RLIM_INFINITY is the largest */
			continue;
		struct rlimit rl = { .rlim_cur = now.rlim_cur, .rlim_max = limits[res].hard };
		if (prlimit(pid, (rlimit_resource_t)res, &rl, NULL) < 0) {
			char h[32];
			format_limit(limits[res].hard, h, sizeof(h));
			return log_errno(-errno, "rlimit %s: raise the hard limit to %s%s",
					 rlimit_name(res), h,
					 errno == EPERM ? " (raising a hard limit needs root)" : "");
		}
	}
	return 0;
}

int rlimits_set(const struct husk_rlimit *limits, char *err, size_t errlen)
{
	for (int res = 0; res < HUSK_RLIMIT_COUNT; res++) {
		if (!limits[res].set)
			continue;
		struct rlimit rl = { .rlim_cur = limits[res].soft, .rlim_max = limits[res].hard };
		if (setrlimit((rlimit_resource_t)res, &rl) < 0) {
			int e = errno;
			char s[32], h[32];
			format_limit(rl.rlim_cur, s, sizeof(s));
			format_limit(rl.rlim_max, h, sizeof(h));
			return errf(err, errlen, -e, "rlimit %s=%s:%s: %s", rlimit_name(res), s, h,
				    strerror(e));
		}
	}
	return 0;
}

const char *rlimits_exec_hint(const struct husk_rlimit *limits, int err, char *buf, size_t len)
{
	static const int memory[] = { RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK };
	static const int counts[] = { RLIMIT_NOFILE, RLIMIT_NPROC };
	const int *which = err == ENOMEM || err == E2BIG ? memory : counts;
	size_t nwhich = err == ENOMEM || err == E2BIG ? ARRAY_SIZE(memory) : ARRAY_SIZE(counts);
	if (err != ENOMEM && err != E2BIG && err != EMFILE && err != EAGAIN)
		return "";
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < nwhich; i++) {
		const struct husk_rlimit *l = &limits[which[i]];
		if (!l->set || l->soft == RLIM_INFINITY)
			continue;
		char v[32];
		format_limit(l->soft, v, sizeof(v));
		int n = snprintf(buf + at, len - at, "%s%s=%s", at ? ", " : " (the service's --rlimit ",
				 rlimit_name(which[i]), v);
		if (n < 0 || (size_t)n >= len - at)
			return "";
		at += (size_t)n;
	}
	if (!at)
		return "";
	snprintf(buf + at, len - at, " may be too small for it)");
	return buf;
}
