#include "policy/exposure.h"

#include <linux/capability.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "base/util.h"
#include "launch/caps.h"
#include "seccomp/seccomp_groups.h"

/* What the service's filter answers to one call. A syscall this
 * architecture does not have cannot be made at all. */
static bool allows(const struct sc_profile *prof, const char *name, uint64_t a0, uint64_t a1)
{
	if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
		return false;
	if (!prof)
		return true;
	const uint64_t args[SC_MAX_ARGS] = { a0, a1 };
	enum sc_act_kind k = sc_profile_eval(prof, name, args).kind;
	return k == SC_ALLOW || k == SC_LOG;
}

/* allows, with the third argument (socket's protocol) given too. */
static bool allows3(const struct sc_profile *prof, const char *name, uint64_t a0, uint64_t a2)
{
	if (!prof)
		return true;
	const uint64_t args[SC_MAX_ARGS] = { a0, 0, a2 };
	enum sc_act_kind k = sc_profile_eval(prof, name, args).kind;
	return k == SC_ALLOW || k == SC_LOG;
}

/* The first member of @group (nested groups expanded) that the filter
 * allows with all-zero arguments, or NULL. */
static const char *group_allows(const struct sc_profile *prof, const char *group, int depth)
{
	const struct sc_group *g = sc_group_find(group);
	if (!g || depth > 4)
		return NULL;
	for (const char *const *m = g->members; *m; m++) {
		const char *hit = (*m)[0] == '@' ? group_allows(prof, *m + 1, depth + 1)
						 : (allows(prof, *m, 0, 0) ? *m : NULL);
		if (hit)
			return hit;
	}
	return NULL;
}

static bool has_cap(const struct husk_policy *p, int cap)
{
	return p->cap_add & (1ull << cap);
}

/* dir itself, below it, or above it (a bind of / exposes /etc). */
static bool path_touches(const char *path, const char *dir)
{
	size_t p = strlen(path), d = strlen(dir);
	if (strcmp(path, "/") == 0)
		return true;
	if (p >= d)
		return strncmp(path, dir, d) == 0 && (path[d] == '\0' || path[d] == '/');
	return strncmp(dir, path, p) == 0 && dir[p] == '/';
}

/* The first bind (writable only, when rw_only) whose host source touches
 * one of dirs, or NULL. */
static const struct mount_entry *bind_touching(const struct husk_policy *p,
					       const char *const *dirs, bool rw_only)
{
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct mount_entry *m = &p->mounts[i];
		if (m->kind != MOUNT_BIND || (rw_only && m->readonly))
			continue;
		for (const char *const *d = dirs; *d; d++)
			if (path_touches(m->src, *d))
				return m;
	}
	return NULL;
}

/* The rootfs is one of dirs or an ancestor of one: "/" holds them all. */
static bool rootfs_holds(const struct husk_policy *p, const char *const *dirs)
{
	if (!p->rootfs)
		return false;
	for (const char *const *d = dirs; *d; d++)
		if (strcmp(p->rootfs, "/") == 0 ||
		    (str_has_prefix(*d, p->rootfs) && ((*d)[strlen(p->rootfs)] == '/' ||
						       (*d)[strlen(p->rootfs)] == '\0')))
			return true;
	return false;
}

/* Capability grades: systemd's weight for the capability's check, scaled
 * so its heaviest (1500) is 10. */
static unsigned cap_grade(int cap)
{
	switch (cap) {
	case CAP_SYS_ADMIN:
	case CAP_SETUID:
	case CAP_SETGID:
	case CAP_SETPCAP:
	case CAP_SYS_PTRACE:
		return 10;
	case CAP_SYS_TIME:
	case CAP_NET_ADMIN:
	case CAP_SYS_RAWIO:
	case CAP_SYS_MODULE:
	case CAP_CHOWN:
	case CAP_FSETID:
	case CAP_SETFCAP:
	case CAP_DAC_OVERRIDE:
	case CAP_DAC_READ_SEARCH:
	case CAP_FOWNER:
	case CAP_IPC_OWNER:
		return 7;
	case CAP_AUDIT_CONTROL:
	case CAP_AUDIT_READ:
	case CAP_AUDIT_WRITE:
	case CAP_SYSLOG:
	case CAP_SYS_NICE:
	case CAP_SYS_RESOURCE:
	case CAP_MKNOD:
	case CAP_KILL:
	case CAP_NET_BIND_SERVICE:
	case CAP_NET_BROADCAST:
	case CAP_NET_RAW:
		return 3;
	default:
		return 1;
	}
}

/* Socket families with little use in a service and a long record of
 * kernel bugs reachable without privilege. */
static const struct {
	int af;
	const char *name;
} exotic_families[] = {
	{ AF_ALG, "AF_ALG" },	   { AF_VSOCK, "AF_VSOCK" },   { AF_TIPC, "AF_TIPC" },
	{ AF_RDS, "AF_RDS" },	   { AF_X25, "AF_X25" },       { AF_AX25, "AF_AX25" },
	{ AF_NETROM, "AF_NETROM" }, { AF_ROSE, "AF_ROSE" },     { AF_APPLETALK, "AF_APPLETALK" },
	{ AF_IPX, "AF_IPX" },	   { AF_DECnet, "AF_DECnet" }, { AF_ATMPVC, "AF_ATMPVC" },
	{ AF_ATMSVC, "AF_ATMSVC" }, { AF_LLC, "AF_LLC" },	{ AF_CAN, "AF_CAN" },
	{ AF_BLUETOOTH, "AF_BLUETOOTH" }, { AF_PHONET, "AF_PHONET" },
	{ AF_IEEE802154, "AF_IEEE802154" }, { AF_CAIF, "AF_CAIF" }, { AF_NFC, "AF_NFC" },
	{ AF_KCM, "AF_KCM" },	   { AF_QIPCRTR, "AF_QIPCRTR" }, { AF_SMC, "AF_SMC" },
	{ AF_XDP, "AF_XDP" },	   { AF_KEY, "AF_KEY" },       { AF_PPPOX, "AF_PPPOX" },
	{ AF_RXRPC, "AF_RXRPC" },   { AF_ISDN, "AF_ISDN" },
};

struct ctx {
	const struct husk_policy *p;
	const struct sc_profile *prof;
	bool mounts_undoable; /* CAP_SYS_ADMIN with the mount syscalls allowed */
	bool landlock;	      /* Landlock rules in force */
	struct exposure *out;
	char buf[160];
};

/* A formatted detail, valid until the next call. */
__attribute__((format(printf, 2, 3))) static const char *say(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->buf, sizeof(c->buf), fmt, ap);
	va_end(ap);
	return c->buf;
}

/* fix is shown only when the check found something. */
static void add(struct ctx *c, const char *id, const char *layer, unsigned weight, unsigned range,
		unsigned badness, const char *detail, const char *fix)
{
	if (c->out->n == EXPOSURE_MAX_FINDINGS)
		return;
	struct exposure_finding *f = &c->out->f[c->out->n++];
	*f = (struct exposure_finding){ .id = id, .layer = layer, .weight = weight, .range = range,
					.badness = badness > range ? range : badness };
	snprintf(f->detail, sizeof(f->detail), "%s", detail);
	if (f->badness)
		snprintf(f->fix, sizeof(f->fix), "%s", fix);
}

static void check_network(struct ctx *c)
{
	const struct husk_policy *p = c->p;
	const char *fix = p->in_place ? "allow namespaces (drop --namespaces none, or unconfine them in "
					"the container)"
				      : "drop --net host";
	bool host = p->net == NET_HOST || p->in_place;
	add(c, "PrivateNetwork", "network", 2500, 1, host,
	    host		    ? "the host's network namespace: every host interface and port"
	    : p->net == NET_JOIN ? say(c, "the network namespace %s, as its owner set it up",
				       p->net_path)
				 : "own network namespace with only lo",
	    fix);

	/* --listen: sockets the host's network reaches the service through,
	 * counted as systemd-analyze counts IP ingress; loopback ones are
	 * the host's own business. */
	char open_to[256] = "";
	size_t at = 0;
	for (size_t i = 0; i < p->n_listens + p->n_publish && at < sizeof(open_to); i++) {
		const struct listen_spec *l = i < p->n_listens ? &p->listens[i]
							       : &p->publish[i - p->n_listens];
		bool loop = l->inherited < 0 && (str_has_prefix(l->addr, "127.") ||
						 strcmp(l->addr, "::1") == 0);
		if (!loop)
			at += (size_t)snprintf(open_to + at, sizeof(open_to) - at, " %s:%u",
					       l->inherited >= 0 ? l->name : l->addr, l->port);
	}
	/* Only a policy with sockets has the check: the others' scores stay
	 * what they were. */
	if (p->n_listens || p->n_publish)
		add(c, "IPIngress", "network", 1000, 1, open_to[0] != '\0',
	    open_to[0] ? say(c, "sockets reachable from the host's network:%s", open_to)
	    : p->n_listens || p->n_publish ? "listens on loopback only"
			   : "no socket from the host's network",
	    "bind --listen and --publish to 127.0.0.1, or to the one address that needs it");

	bool inet = allows(c->prof, "socket", AF_INET, 0) || allows(c->prof, "socket", AF_INET6, 0);
	add(c, "RestrictAddressFamilies=~AF_INET|AF_INET6", "network", 1500, 1, host && inet,
	    !inet  ? "no IP sockets"
	    : host ? "IP sockets on the host's network (its loopback services, metadata endpoints)"
		   : "IP sockets, on the sandbox's own loopback only",
	    fix);

	bool unix_ = allows(c->prof, "socket", AF_UNIX, 0);
	add(c, "AbstractUnixSockets", "network", 1000, 1, host && unix_,
	    host && unix_ ? "can reach the host's abstract unix sockets (CVE-2020-15257 class)"
			  : "abstract unix sockets are per network namespace: only the sandbox's",
	    fix);

	const char *exotic = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(exotic_families) && !exotic; i++)
		if (allows(c->prof, "socket", (uint64_t)exotic_families[i].af, 0))
			exotic = exotic_families[i].name;
	add(c, "RestrictAddressFamilies=~exotic", "network", 1250, 1, exotic != NULL,
	    exotic ? say(c, "socket(%s) and other rare families allowed", exotic)
		   : "rare socket families denied",
	    "use a seccomp profile that allows only the families the service uses "
	    "(--seccomp go-service)");

	bool packet = allows(c->prof, "socket", AF_PACKET, 0) && has_cap(p, CAP_NET_RAW);
	add(c, "RestrictAddressFamilies=~AF_PACKET", "network", 1000, 1, packet,
	    packet ? "raw packet sockets (AF_PACKET with CAP_NET_RAW)"
		   : "no raw packet sockets (denied, or CAP_NET_RAW dropped)",
	    "drop --cap-add NET_RAW");

	/* Route netlink alone is how Go's net.Interfaces lists addresses; the
	 * other families (sock_diag, audit, uevents, netfilter, ...) are the
	 * surface worth counting. */
	bool route = allows(c->prof, "socket", AF_NETLINK, 0);
	bool netlink = false;
	static const uint64_t other[] = { NETLINK_SOCK_DIAG, NETLINK_AUDIT, NETLINK_NETFILTER,
					  NETLINK_KOBJECT_UEVENT, NETLINK_GENERIC, NETLINK_XFRM };
	for (size_t i = 0; i < ARRAY_SIZE(other) && !netlink; i++)
		netlink = allows3(c->prof, "socket", AF_NETLINK, other[i]);
	add(c, "RestrictAddressFamilies=~AF_NETLINK", "network", 200, 1, netlink,
	    netlink ? "netlink sockets allowed"
	    : route ? "only route netlink (interface listing); the other netlink families denied"
		    : "netlink sockets denied",
	    "use a seccomp profile that allows at most NETLINK_ROUTE (--seccomp go-service)");
}

static void check_identity(struct ctx *c)
{
	const struct husk_policy *p = c->p;
	bool host_ns = p->userns == USERNS_HOST || p->in_place;
	/* What the kernel checks on the host is the host id: root inside a
	 * user namespace is root only over what that namespace owns, unless
	 * the map puts it on host root. */
	bool host_root = p->host_uid == 0 || p->host_gid == 0;
	unsigned bad = host_root ? 10 : p->uid != 0 ? 0 : 5;
	add(c, "User", "identity", 2000, 10, bad,
	    host_root && p->in_place ? say(c, "root: uid %u gid %u of the system husk runs in",
					   (unsigned)p->uid, (unsigned)p->gid)
	    : host_root ? say(c, "host root: uid %u gid %u on the host", (unsigned)p->host_uid,
			      (unsigned)p->host_gid)
	    : p->uid != 0 ? say(c, "uid %u, host uid %u, not root", (unsigned)p->uid,
				(unsigned)p->host_uid)
			  : say(c, "root inside the sandbox's user namespace only (host uid %u)",
				(unsigned)p->host_uid),
	    host_root && !p->in_place ? "--user 1000:1000 (any non-zero id), or drop --userns host"
		      : "--user 1000:1000 (any non-zero id)");

	add(c, "PrivateUsers", "identity", 1000, 1, host_ns,
	    p->in_place ? "in place: no user namespace; the ids and capabilities are those of "
			  "the system husk runs in"
	    : host_ns	? "no user namespace: real host ids and host capabilities"
			: "own user namespace, one id mapped",
	    p->in_place ? "allow namespaces where husk runs" : "drop --userns host");
	add(c, "PrivatePIDs", "identity", 1000, 1, p->in_place,
	    p->in_place ? "in place: no pid namespace; the service sees and may signal the "
			  "processes around it"
			: "own pid namespace under a tiny init",
	    "allow namespaces where husk runs");
}

static void check_caps(struct ctx *c)
{
	const struct husk_policy *p = c->p;
	unsigned worst = 0;
	int worst_cap = -1;
	/* CAP_SYS_ADMIN first among equals: it is the one that reads as
	 * "root" to a reviewer. */
	if (has_cap(p, CAP_SYS_ADMIN)) {
		worst = cap_grade(CAP_SYS_ADMIN);
		worst_cap = CAP_SYS_ADMIN;
	}
	for (int cap = 0; cap < 64; cap++)
		if (has_cap(p, cap) && cap_grade(cap) > worst) {
			worst = cap_grade(cap);
			worst_cap = cap;
		}
	char name[32] = "";
	if (worst_cap >= 0)
		caps_to_name(worst_cap, name, sizeof(name));
	/* One check graded by the strongest capability kept, where systemd
	 * has one per capability group: husk's capabilities live in the
	 * sandbox's own user namespace, and what the strongest one reaches
	 * decides the exposure. */
	add(c, "CapabilityBoundingSet", "capabilities", 2500, 10, worst,
	    worst_cap < 0 ? "every capability dropped"
			  : say(c, "keeps CAP_%s%s", name,
				p->cap_add & (p->cap_add - 1) ? " and more" : ""),
	    "drop the --cap-add options the service does not need");

	bool ambient = p->cap_sets_set ? p->cap_sets.amb != 0
				       : p->cap_add && caps_service_ambient(p->uid);
	add(c, "AmbientCapabilities", "capabilities", 500, 1, ambient,
	    ambient ? "kept capabilities are ambient (a non-root service keeps them across exec)"
		    : "no ambient capabilities",
	    "drop --cap-add, or listen on a port above 1023 instead of using NET_BIND_SERVICE");

	/* Only an OCI config can turn it off ("noNewPrivileges": false). */
	add(c, "NoNewPrivileges", "capabilities", 1000, 1, p->no_new_privs_off,
	    p->no_new_privs_off ? "off: setuid files and file capabilities in the root can raise "
				  "privileges"
				: "set: execve never raises privileges",
	    "set process.noNewPrivileges to true (or leave it out) in config.json");
}

static void check_seccomp(struct ctx *c)
{
	const struct sc_profile *prof = c->prof;
	const char *fix = !prof ? "drop --seccomp unconfined"
					: "deny it in the seccomp profile (husk-seccomp(5))";
	bool newuser = allows(prof, "unshare", CLONE_NEWUSER, 0) ||
		       allows(prof, "clone", CLONE_NEWUSER, 0);
	add(c, "RestrictNamespaces=~CLONE_NEWUSER", "seccomp", 1500, 1, newuser,
	    newuser ? "can make user namespaces (and hold every capability in them)"
		    : "cannot make user namespaces",
	    fix);

	static const uint64_t ns_flags[] = { CLONE_NEWNS,  CLONE_NEWIPC,    CLONE_NEWPID,
					     CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWUTS };
	bool otherns = false;
	for (size_t i = 0; i < ARRAY_SIZE(ns_flags); i++)
		otherns |= allows(prof, "unshare", ns_flags[i], 0) || allows(prof, "clone", ns_flags[i], 0);
	add(c, "RestrictNamespaces=~other", "seccomp", 500, 1, otherns,
	    otherns ? "can make mount, pid, net, ipc, uts or cgroup namespaces"
		    : "cannot make other namespaces",
	    fix);

	/* systemd's SystemCallFilter= checks and their weights. */
	static const struct {
		const char *id, *group;
		unsigned weight;
	} groups[] = {
		{ "SystemCallFilter=~@swap", "swap", 1000 },
		{ "SystemCallFilter=~@clock", "clock", 1000 },
		{ "SystemCallFilter=~@debug", "debug", 1000 },
		{ "SystemCallFilter=~@mount", "mount", 1000 },
		{ "SystemCallFilter=~@module", "module", 1000 },
		{ "SystemCallFilter=~@raw-io", "raw-io", 1000 },
		{ "SystemCallFilter=~@reboot", "reboot", 1000 },
		{ "SystemCallFilter=~@privileged", "privileged", 700 },
		{ "SystemCallFilter=~@resources", "resources", 700 },
		{ "SystemCallFilter=~@obsolete", "obsolete", 250 },
		{ "SystemCallFilter=~@cpu-emulation", "cpu-emulation", 250 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		const char *hit = group_allows(prof, groups[i].group, 0);
		/* systemd: no filter 10; a filter that still allows a member 9. */
		unsigned bad = !prof ? 10 : hit ? 9 : 0;
		char gfix[64];
		snprintf(gfix, sizeof(gfix), "deny @%s in the seccomp profile", groups[i].group);
		add(c, groups[i].id, "seccomp", groups[i].weight, 10, bad,
		    !prof ? "no system call filter"
		    : hit ? say(c, "allows %s", hit)
			  : say(c, "@%s denied", groups[i].group),
		    prof ? gfix : fix);
	}

	add(c, "SystemCallArchitectures", "seccomp", 1000, 10, !prof ? 10 : 0,
	    !prof ? "every architecture's system calls (no filter)"
		  : "native architecture only; other ABIs are killed",
	    fix);

	bool keys = allows(prof, "keyctl", 0, 0) || allows(prof, "add_key", 0, 0);
	add(c, "KeyringMode", "seccomp", 1000, 1, keys,
	    keys ? "kernel keyring calls allowed" : "kernel keyring calls denied", fix);

	bool pers = allows(prof, "personality", READ_IMPLIES_EXEC, 0) ||
		    allows(prof, "personality", ADDR_NO_RANDOMIZE, 0);
	add(c, "LockPersonality", "seccomp", 100, 1, pers,
	    pers ? "can change its execution domain (READ_IMPLIES_EXEC, no ASLR)"
		 : "personality locked to the harmless ones",
	    fix);

	/* Not offered by husk yet: said so rather than left out. */
	add(c, "MemoryDenyWriteExecute", "seccomp", 100, 1, 1,
	    "writable and executable memory allowed (husk does not restrict it yet)",
	    "none in husk yet");
}

static void check_mounts(struct ctx *c)
{
	const struct husk_policy *p = c->p;
	bool undo = c->mounts_undoable;
	const char *undo_fix = "drop --cap-add SYS_ADMIN, or keep the @mount calls denied";
	static const char *const system_dirs[] = { "/usr", "/etc", "/boot", "/efi", "/bin",
						   "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
						   "/opt", NULL };
	static const char *const home_dirs[] = { "/home", "/root", "/run/user", NULL };
	static const char *const tmp_dirs[] = { "/tmp", "/var/tmp", NULL };
	static const char *const dev_dirs[] = { "/dev", NULL };
	static const char *const kernel_dirs[] = { "/sys", "/proc", NULL };
	static const char *const cgroup_dirs[] = { "/sys/fs/cgroup", NULL };
	static const char *const kmsg[] = { "/dev/kmsg", "/proc/kmsg", NULL };
	const struct mount_entry *m;

	/* A rootfs that is the host's / (or holds its system or home
	 * directories) shows the service every host file its ids can read:
	 * systemd's ProtectSystem=no and ProtectHome=no, whatever the
	 * read-only flag says. */
	const char *own_root = "give --rootfs a directory that holds only the service's files";
	/* In place the root is the container's image, the service's own. */
	bool host_sys = !p->in_place && rootfs_holds(p, system_dirs);
	bool host_home = !p->in_place && rootfs_holds(p, home_dirs);
	bool writable_root = p->in_place && !c->landlock;
	add(c, "Landlock", "mounts", p->in_place ? 2000 : 200, 1, !c->landlock,
	    c->landlock ? "Landlock: read-only /, writes only where the policy mounts"
	    : p->landlock == LANDLOCK_OFF ? "--landlock off"
					  : "this kernel has no Landlock",
	    p->landlock == LANDLOCK_OFF ? "drop --landlock off" : "a kernel with Landlock (5.13+)");
	add(c, "RootDirectory=/RootImage=", "mounts", 200, 1, host_sys,
	    host_sys ? say(c, "the root is the host's own %s", p->rootfs)
		     : p->rootfs ? "a root of the service's own" : "an empty root",
	    own_root);

	m = bind_touching(p, system_dirs, true);
	add(c, "ProtectSystem", "mounts", 1000, 10, m || undo || host_sys || writable_root ? 10 : 0,
	    m	       ? say(c, "writable bind of host %s", m->src)
	    : writable_root ? "in place without Landlock: the root is as writable as husk found it"
	    : host_sys ? say(c, "root %s is the host's system tree (/usr, /etc, ... read-only)",
			     p->rootfs)
	    : undo     ? "read-only root, which CAP_SYS_ADMIN can remount writable"
		       : "read-only root; no writable host system directory",
	    m ? "make the bind --ro-bind" : host_sys ? own_root : writable_root ? "a kernel with Landlock (5.13+), or namespaces" : undo_fix);

	m = bind_touching(p, home_dirs, false);
	add(c, "ProtectHome", "mounts", 1000, 10, host_home ? 10 : !m ? 0 : m->readonly ? 5 : 10,
	    host_home ? say(c, "root %s holds the host's /home, /root and the like", p->rootfs)
	    : m	      ? say(c, "%s bind of host %s", m->readonly ? "read-only" : "writable", m->src)
		      : "no host home directory",
	    host_home ? own_root : "bind only the files the service needs, not a home directory");

	m = bind_touching(p, tmp_dirs, false);
	const struct mount_entry *tmp = policy_find_mount(p, "/tmp");
	bool shared_tmp = m || (tmp && tmp->kind == MOUNT_BIND);
	add(c, "PrivateTmp", "mounts", 1000, 1, shared_tmp || undo,
	    shared_tmp ? "shares a host temporary directory"
	    : undo     ? "own /tmp, which CAP_SYS_ADMIN can unmount"
		       : "own tmpfs /tmp",
	    shared_tmp ? "use --tmpfs /tmp" : undo_fix);

	/* Each of these holds unless a bind brings the host's in, or the
	 * service can unmount what husk put in front of it. */
	static const struct {
		const char *id;
		const char *const *dirs;
		const char *good, *undone;
	} guarded[] = {
		{ "PrivateDevices", dev_dirs, "minimal /dev (null zero full random urandom tty, pts, shm)",
		  "minimal /dev, which CAP_SYS_ADMIN can unmount" },
		{ "ProtectKernelTunables", kernel_dirs, "/proc/sys and friends read-only, no /sys",
		  "read-only /proc/sys, which CAP_SYS_ADMIN can unmount" },
		{ "ProtectControlGroups", cgroup_dirs, "no cgroup filesystem inside",
		  "no cgroupfs, but CAP_SYS_ADMIN can mount one" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(guarded); i++) {
		m = bind_touching(p, guarded[i].dirs, false);
		add(c, guarded[i].id, "mounts", 1000, 1, m || undo,
		    m ? say(c, "bind of host %s", m->src) : undo ? guarded[i].undone : guarded[i].good,
		    m ? "drop the bind" : undo_fix);
	}

	add(c, "ProtectProc", "mounts", 1000, 3, undo ? 3 : p->in_place ? 2 : 0,
	    undo	  ? "masked /proc paths, which CAP_SYS_ADMIN can unmount"
	    : p->in_place ? "in place: the /proc husk found, with every process around it"
			  : "own /proc of the sandbox's pid namespace, kernel files masked",
	    p->in_place ? "allow namespaces where husk runs" : undo_fix);

	m = bind_touching(p, kmsg, false);
	bool syslog = allows(c->prof, "syslog", 0, 0);
	add(c, "ProtectKernelLogs", "mounts", 1000, 1, m || syslog,
	    m	     ? say(c, "bind of host %s", m->src)
	    : syslog ? "syslog(2) allowed"
		     : "no kernel log access",
	    m ? "drop the bind" : "use a seccomp profile that denies syslog");

	const char *mod = group_allows(c->prof, "module", 0);
	bool modules = mod || has_cap(p, CAP_SYS_MODULE);
	add(c, "ProtectKernelModules", "mounts", 1000, 1, modules,
	    modules ? say(c, "%s allowed", mod ? mod : "CAP_SYS_MODULE")
		    : "module calls denied, no CAP_SYS_MODULE",
	    "drop --cap-add SYS_MODULE and keep @module denied");
}

static void check_limits(struct ctx *c)
{
	const struct husk_policy *p = c->p;
	const struct cg_limits *l = &p->cgroup;
	bool cg = p->cgroup_mode != CGROUP_OFF;
	add(c, "MemoryMax", "limits", 500, 1, !(cg && l->memory_max),
	    cg && l->memory_max ? "memory limited" : "no memory limit: a leak can take the host down",
	    "--memory SIZE");
	add(c, "TasksMax", "limits", 500, 1, !(cg && l->pids_max),
	    cg && l->pids_max ? "process count limited"
			      : "no process limit: a fork bomb can take the host down",
	    "--pids N");

	bool rt = p->rlimits[RLIMIT_RTPRIO].hard > 0 || has_cap(p, CAP_SYS_NICE);
	add(c, "RestrictRealtime", "limits", 500, 1, rt,
	    rt ? "can take realtime priority" : "no realtime priority (rtprio=0, no CAP_SYS_NICE)",
	    "drop --rlimit rtprio and --cap-add SYS_NICE");
}

void exposure_compute(const struct husk_policy *p, const struct sc_profile *prof, struct exposure *out)
{
	memset(out, 0, sizeof(*out));
	struct ctx c = { .p = p, .prof = prof, .out = out };
	c.landlock = p->landlock != LANDLOCK_OFF && p->landlock_abi > 0;
	/* A Landlock domain may not change its mounts (landlock(7)). */
	c.mounts_undoable = has_cap(p, CAP_SYS_ADMIN) && group_allows(prof, "mount", 0) != NULL &&
			    !c.landlock;

	check_network(&c);
	check_identity(&c);
	check_caps(&c);
	check_seccomp(&c);
	check_mounts(&c);
	check_limits(&c);

	unsigned long sum = 0, weights = 0;
	for (size_t i = 0; i < out->n; i++) {
		const struct exposure_finding *f = &out->f[i];
		sum += (f->badness * f->weight + f->range - 1) / f->range;
		weights += f->weight;
	}
	out->score = weights ? (unsigned)((sum * 100 + weights - 1) / weights) : 0;
}

const char *exposure_label(unsigned score)
{
	if (score >= 100)
		return "DANGEROUS";
	if (score >= 90)
		return "UNSAFE";
	if (score >= 75)
		return "EXPOSED";
	if (score >= 50)
		return "MEDIUM";
	if (score >= 10)
		return "OK";
	if (score >= 1)
		return "SAFE";
	return "PERFECT";
}
