#include "launch/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

/* The kernel's ABI is stable, but Debian 12's headers stop at ABI 2: the
 * later rights, the TCP rule and the scopes are spelled out here. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#define LL_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LL_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define LL_RULE_NET_PORT 2
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

/* struct landlock_ruleset_attr as of ABI 6; the size passed to the kernel
 * is that of the ABI in force, as an older kernel refuses unknown fields. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define FS_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* What a rule on a file (not a directory) may carry. */
#define FS_FILE_RIGHTS                                                                             \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	 LANDLOCK_ACCESS_FS_TRUNCATE)

int landlock_abi(void)
{
	static int abi = -1;
	if (abi < 0) {
		long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
		abi = v < 0 ? 0 : (int)v;
	}
	return abi;
}

static uint64_t handled_fs_for(int abi)
{
	if (abi < 1)
		return 0;
	uint64_t fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0-12 */
	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	/* IOCTL_DEV (ABI 5) is left unhandled: the seccomp filter already
	 * decides which ioctls exist, and a terminal needs its ioctls. */
	return fs;
}

static void rule(struct ll_plan *pl, const char *path, uint64_t access, bool optional)
{
	for (size_t i = 0; i < pl->n; i++)
		if (strcmp(pl->rule[i].path, path) == 0) {
			pl->rule[i].access |= access;
			pl->rule[i].optional &= optional;
			return;
		}
	if (pl->n < LL_MAX_RULES)
		pl->rule[pl->n++] = (struct ll_rule){ .path = path, .access = access, .optional = optional };
}

int landlock_plan(const struct husk_policy *p, int abi, struct ll_plan *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	bool ports = p->tcp_bind.set || p->tcp_connect.set;
	if (p->landlock == LANDLOCK_OFF) {
		if (ports)
			return errf(err, errlen, -EINVAL,
				    "--allow-tcp-bind and --allow-tcp-connect are Landlock rules; drop "
				    "--landlock off or the port rules");
		return 0;
	}
	if (abi < 1) {
		if (p->landlock == LANDLOCK_REQUIRED || ports)
			return errf(err, errlen, -ENOTSUP,
				    "this kernel has no Landlock (Linux 5.13+ with lsm=landlock); %s",
				    ports ? "drop --allow-tcp-bind and --allow-tcp-connect"
					  : "use --landlock auto to go on without it");
		return 0;
	}
	if (ports && abi < 4)
		return errf(err, errlen, -ENOTSUP,
			    "TCP port rules need Landlock ABI 4 (Linux 6.7); this kernel has ABI %d: "
			    "drop --allow-tcp-bind and --allow-tcp-connect",
			    abi);

	out->handled_fs = handled_fs_for(abi);
	uint64_t all = out->handled_fs;
	uint64_t dev = FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | (all & LANDLOCK_ACCESS_FS_TRUNCATE);
	/* root.readonly false (an OCI config): the root is the service's. */
	rule(out, "/", p->root_writable ? all : FS_READ, false);
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct mount_entry *m = &p->mounts[i];
		/* The default /tmp is husk's in namespaces, the container's in
		 * place, where an image may lack it. */
		bool dflt = m->kind == MOUNT_TMPFS && strcmp(m->dst, "/tmp") == 0 && m->size == HUSK_DEFAULT_TMPFS_SIZE;
		switch (m->kind) {
		case MOUNT_TMPFS:
			/* The secrets' tmpfs is read-only: read is all it gets. */
			if (!m->secrets)
				rule(out, m->dst, all, p->in_place && dflt);
			break;
		case MOUNT_BIND:
			if (!m->readonly)
				rule(out, m->dst, all, false);
			break;
		case MOUNT_DEV:
			/* Writes to /dev/null and the terminal; nothing made there. */
			rule(out, "/dev", dev, true);
			rule(out, "/dev/shm", all, true);
			break;
		case MOUNT_PROC:
		case MOUNT_SYSFS:
		case MOUNT_CGROUP:
			break;
		case MOUNT_DEVPTS:
		case MOUNT_MQUEUE:
			/* An OCI config's: a pty or a queue is opened for writing. */
			rule(out, m->dst, all, true);
			break;
		}
	}
	if (abi >= 4) {
		out->handled_net = (p->tcp_bind.set ? LL_ACCESS_NET_BIND_TCP : 0) |
				   (p->tcp_connect.set ? LL_ACCESS_NET_CONNECT_TCP : 0);
		out->bind = &p->tcp_bind;
		out->connect = &p->tcp_connect;
	}
	/* The service may not signal, nor reach the abstract unix sockets of,
	 * anything outside its own domain: in place that is the container's
	 * other processes and husk itself. */
	if (abi >= 6)
		out->scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
	return 0;
}

static size_t attr_size(int abi)
{
	return abi >= 6 ? sizeof(struct ll_ruleset_attr) : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
}

static int add_ports(int fd, const struct port_list *l, uint64_t access)
{
	for (size_t i = 0; l && l->set && i < l->n; i++) {
		struct ll_net_port_attr a = { .allowed_access = access, .port = l->v[i] };
		if (syscall(__NR_landlock_add_rule, fd, LL_RULE_NET_PORT, &a, 0) < 0)
			return -errno;
	}
	return 0;
}

int landlock_apply(const struct ll_plan *pl, int abi, char *err, size_t errlen)
{
	if (!pl->handled_fs)
		return 0;
	struct ll_ruleset_attr attr = { .handled_access_fs = pl->handled_fs,
					.handled_access_net = pl->handled_net,
					.scoped = pl->scoped };
	_cleanup_close_ int fd = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size(abi), 0);
	if (fd < 0)
		return errf(err, errlen, -errno, "create the ruleset");
	for (size_t i = 0; i < pl->n; i++) {
		const struct ll_rule *r = &pl->rule[i];
		_cleanup_close_ int pfd = open(r->path, O_PATH | O_CLOEXEC);
		if (pfd < 0 && r->optional)
			continue;
		if (pfd < 0)
			return errf(err, errlen, -errno, "%s: %s", r->path, strerror(errno));
		struct stat st;
		if (fstat(pfd, &st) < 0)
			return errf(err, errlen, -errno, "%s: %s", r->path, strerror(errno));
		struct landlock_path_beneath_attr pb = {
			.allowed_access = (S_ISDIR(st.st_mode) ? r->access : r->access & FS_FILE_RIGHTS) &
					  pl->handled_fs,
			.parent_fd = pfd,
		};
		if (syscall(__NR_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
			return errf(err, errlen, -errno, "rule for %s: %s", r->path, strerror(errno));
	}
	int e = 0;
	if (pl->handled_net & LL_ACCESS_NET_BIND_TCP)
		e = add_ports(fd, pl->bind, LL_ACCESS_NET_BIND_TCP);
	if (e == 0 && (pl->handled_net & LL_ACCESS_NET_CONNECT_TCP))
		e = add_ports(fd, pl->connect, LL_ACCESS_NET_CONNECT_TCP);
	if (e < 0)
		return errf(err, errlen, e, "TCP port rule: %s", strerror(-e));
	if (syscall(__NR_landlock_restrict_self, fd, 0) < 0)
		return errf(err, errlen, -errno, "restrict: %s", strerror(errno));
	return 0;
}

static void ports_text(char *buf, size_t len, const char *what, const struct port_list *l)
{
	size_t n = strlen(buf);
	if (!l || !l->set || n >= len)
		return;
	n += (size_t)snprintf(buf + n, len - n, "; %s TCP ports:", what);
	for (size_t i = 0; i < l->n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%u", i ? "," : " ", l->v[i]);
	if (!l->n && n < len)
		snprintf(buf + n, len - n, " none");
}

void landlock_describe(const struct ll_plan *pl, int abi, char *buf, size_t len)
{
	if (!pl->handled_fs) {
		snprintf(buf, len, "%s", abi < 1 ? "not available on this kernel" : "off");
		return;
	}
	size_t n = (size_t)snprintf(buf, len, "ABI %d: read and execute on /; write on", abi);
	size_t writable = 0;
	for (size_t i = 1; i < pl->n && n < len; i++)
		if (pl->rule[i].access & LANDLOCK_ACCESS_FS_WRITE_FILE)
			n += (size_t)snprintf(buf + n, len - n, "%s %s", writable++ ? "," : "",
					      pl->rule[i].path);
	if (!writable && n < len)
		n += (size_t)snprintf(buf + n, len - n, " nothing");
	if (pl->scoped && n < len)
		snprintf(buf + n, len - n, "; signals and abstract sockets scoped to the service");
	ports_text(buf, len, "bind", pl->handled_net & LL_ACCESS_NET_BIND_TCP ? pl->bind : NULL);
	ports_text(buf, len, "connect", pl->handled_net & LL_ACCESS_NET_CONNECT_TCP ? pl->connect : NULL);
}
