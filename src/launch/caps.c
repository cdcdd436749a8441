#include "launch/caps.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
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
static int verify(const struct cap_sets *s, bool bounding)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	uint64_t eff = data[0].effective | ((uint64_t)data[1].effective << 32);
	uint64_t prm = data[0].permitted | ((uint64_t)data[1].permitted << 32);
	uint64_t inh = data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
	/* Caps this kernel does not know are neither set nor asked for. */
	int last = caps_last_cap();
	uint64_t known = last >= 63 ? ~0ull : (1ull << (last + 1)) - 1;
	if (eff != (s->eff & known) || prm != (s->prm & known) || inh != (s->inh & known))
		return -EPERM;
	for (int c = 0; c <= last && c < 64; c++) {
		bool want = s->bnd & (1ull << c);
		int b = bounding ? prctl(PR_CAPBSET_READ, c, 0, 0, 0) : want;
		if (b < 0 || (b == 1) != want)
			return -EPERM;
		int a = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
		if (a < 0 || (a == 1) != ((s->amb & (1ull << c)) != 0))
			return -EPERM;
	}
	return 0;
}

static int stage(const struct cap_sets *s)
{
	/* libcap-ng remembers the thread it first ran in; init shares its
	 * memory with the service until the service execs (vfork-style), so
	 * say which process this is every time. */
	capng_setpid((int)syscall(SYS_gettid));
	capng_clear(CAPNG_SELECT_ALL);
	int last = caps_last_cap();
	for (int c = 0; c <= last && c < 64; c++) {
		uint64_t bit = 1ull << c;
		capng_type_t t = (s->eff & bit ? CAPNG_EFFECTIVE : 0) |
				 (s->prm & bit ? CAPNG_PERMITTED : 0) |
				 (s->inh & bit ? CAPNG_INHERITABLE : 0) |
				 (s->bnd & bit ? CAPNG_BOUNDING_SET : 0) |
				 (s->amb & bit ? CAPNG_AMBIENT : 0);
		if (t && capng_update(CAPNG_ADD, t, (unsigned)c) < 0)
			return -EINVAL;
	}
	return 0;
}

struct cap_sets caps_sets_keep(uint64_t keep, bool ambient)
{
	return (struct cap_sets){
		.bnd = keep, .eff = keep, .prm = keep, .inh = keep, .amb = ambient ? keep : 0
	};
}

int caps_apply(const struct cap_sets *s)
{
	int r = stage(s);
	if (r < 0)
		return r;
	errno = 0;
	if (capng_apply(CAPNG_SELECT_ALL) < 0)
		return errno ? -errno : -EPERM;
	return verify(s, true);
}

int caps_apply_as(const struct cap_sets *s, uint32_t uid, uint32_t gid, bool keep_groups)
{
	int r = stage(s);
	if (r < 0)
		return r;
	errno = 0;
	/* The bounding set goes first, while CAP_SETPCAP is still held. */
	if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
		return errno ? -errno : -EPERM;
	/* The id switch by hand, not capng_change_id: that one also takes
	 * CAP_SETPCAP out of the sets, which an OCI config may keep. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresgid(gid, gid, gid) < 0 ||
	    (!keep_groups && setgroups(0, NULL) < 0) || setresuid(uid, uid, uid) < 0 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return errno ? -errno : -EPERM;
	if (s->amb && capng_apply(CAPNG_SELECT_AMBIENT) < 0)
		return errno ? -errno : -EPERM;
	return verify(s, true);
}

int caps_drop_except(uint64_t keep, bool ambient)
{
	struct cap_sets s = caps_sets_keep(keep, ambient);
	return caps_apply(&s);
}

int caps_drop_except_as(uint64_t keep, bool ambient, uint32_t uid, uint32_t gid)
{
	struct cap_sets s = caps_sets_keep(keep, ambient);
	return caps_apply_as(&s, uid, gid, false);
}

int caps_drop_except_in_place(uint64_t keep, bool ambient, uint64_t *bounding_left)
{
	*bounding_left = 0;
	capng_setpid((int)syscall(SYS_gettid));
	if (capng_get_caps_process() == 0 && capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		return caps_drop_except(keep, ambient);
	struct cap_sets s = caps_sets_keep(keep, ambient);
	int r = stage(&s);
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
	return verify(&s, false);
}
