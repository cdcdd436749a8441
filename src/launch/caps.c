#include "launch/caps.h"

#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

int caps_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	if (!*name)
		return -EINVAL;
	int c = capng_name_to_capability(name);
	return c < 0 ? -EINVAL : c;
}

const char *caps_to_name(int cap, char *buf, size_t buflen)
{
	const char *n = capng_capability_to_name((unsigned)cap);
	if (!n || buflen == 0)
		return NULL;
	size_t i;
	for (i = 0; n[i] && i + 1 < buflen; i++)
		buf[i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 'a' + 'A' : n[i]);
	buf[i] = '\0';
	return buf;
}

static int cached_last_cap = -1;

int caps_last_cap(void)
{
	if (cached_last_cap >= 0)
		return cached_last_cap;
	/* read_text and parse_u32 rather than stdio: the monitor calls this,
	 * and fscanf alone pulls tens of KB of libc into its resident set. */
	int last = CAP_LAST_CAP;
	char buf[16];
	uint32_t v;
	if (read_text("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (parse_u32(buf, &v) == 0 && v < 64)
			last = (int)v;
	}
	return cached_last_cap = last;
}

/* bounding: also check the bounding set (not where it could not be
 * dropped, see caps_drop_except_in_place). */
static int verify(uint64_t keep, bool ambient, bool bounding)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	uint64_t eff = data[0].effective | ((uint64_t)data[1].effective << 32);
	uint64_t prm = data[0].permitted | ((uint64_t)data[1].permitted << 32);
	uint64_t inh = data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
	if ((eff & ~keep) || (prm & ~keep) || (inh & ~keep))
		return -EPERM;
	int last = caps_last_cap();
	for (int c = 0; c <= last && c < 64; c++) {
		bool want = keep & (1ull << c);
		int b = bounding ? prctl(PR_CAPBSET_READ, c, 0, 0, 0) : want;
		if (b < 0 || (b == 1) != want)
			return -EPERM;
		int a = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
		if (a < 0 || (a == 1) != (want && ambient))
			return -EPERM;
	}
	return 0;
}

static int stage(uint64_t keep, bool ambient)
{
	/* libcap-ng remembers the thread it first ran in; init shares its
	 * memory with the service until the service execs (vfork-style), so
	 * say which process this is every time. */
	capng_setpid((int)syscall(SYS_gettid));
	capng_clear(CAPNG_SELECT_ALL);
	int last = caps_last_cap();
	for (int c = 0; c <= last && c < 64; c++) {
		if (!(keep & (1ull << c)))
			continue;
		capng_type_t t = CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
				 CAPNG_BOUNDING_SET;
		if (ambient)
			t |= CAPNG_AMBIENT;
		if (capng_update(CAPNG_ADD, t, (unsigned)c) < 0)
			return -EINVAL;
	}
	return 0;
}

int caps_drop_except(uint64_t keep, bool ambient)
{
	int r = stage(keep, ambient);
	if (r < 0)
		return r;
	errno = 0;
	if (capng_apply(CAPNG_SELECT_ALL) < 0)
		return errno ? -errno : -EPERM;
	return verify(keep, ambient, true);
}

int caps_drop_except_as(uint64_t keep, bool ambient, uint32_t uid, uint32_t gid)
{
	int r = stage(keep, ambient);
	if (r < 0)
		return r;
	errno = 0;
	/* The bounding set goes first, while CAP_SETPCAP is still held. */
	if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
		return errno ? -errno : -EPERM;
	if (capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP) < 0)
		return errno ? -errno : -EPERM;
	if (ambient && capng_apply(CAPNG_SELECT_AMBIENT) < 0)
		return errno ? -errno : -EPERM;
	return verify(keep, ambient, true);
}

int caps_drop_except_in_place(uint64_t keep, bool ambient, uint64_t *bounding_left)
{
	*bounding_left = 0;
	capng_setpid((int)syscall(SYS_gettid));
	if (capng_get_caps_process() == 0 && capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		return caps_drop_except(keep, ambient);
	int r = stage(keep, ambient);
	if (r < 0)
		return r;
	errno = 0;
	if (capng_apply(CAPNG_SELECT_CAPS) < 0 ||
	    (ambient && keep && capng_apply(CAPNG_SELECT_AMBIENT) < 0))
		return errno ? -errno : -EPERM;
	int last = caps_last_cap();
	for (int c = 0; c <= last && c < 64; c++)
		if (!(keep & (1ull << c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			*bounding_left |= 1ull << c;
	return verify(keep, ambient, false);
}
