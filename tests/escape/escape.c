/* escape: husk's adversarial probe, run inside the sandbox as the service.
 *
 * It tries the CI-safe probes of the escape catalogue (classes A-J:
 * introspection, filesystem and mounts, procfs, devices and TTY,
 * capabilities, seccomp integrity, host channels, namespace leaks, cgroups,
 * resource abuse) and prints one line per probe:
 *   PASS|FAIL|SKIP ID name: what was seen
 * then "N passed, M failed, K skipped". It exits 1 if any probe failed.
 *
 * It never harms the host. Dangerous calls get invalid arguments (fd -1,
 * pointer 1) so that a call the sandbox lets through fails harmlessly with
 * EBADF/EFAULT/EINVAL, which is what tells "reachable" from "refused"
 * (bubblewrap's try-syscall idea). Host knobs are opened for write and
 * closed unwritten. Anything that could succeed runs in a forked child, so
 * a success changes only that child's namespaces. Resource probes stop at
 * a fixed ceiling.
 *
 * Facts about the host come from the harness in the environment:
 *   HUSK_ESC_NS="user:INO mnt:INO ..."  the host's namespace inodes
 *   HUSK_ESC_HOSTNAME                   the host's host name
 *   HUSK_ESC_CAPS                       expected capability mask (hex, 0)
 *   HUSK_ESC_PORT, HUSK_ESC_ABSTRACT    a host TCP listener on 127.0.0.1
 *                                       and a host abstract unix socket
 *   HUSK_ESC_SHMKEY                     a host SysV shm key
 *   HUSK_ESC_HOSTPID                    a pid that exists on the host
 *   HUSK_ESC_PIDS, HUSK_ESC_MEMORY      the configured --pids and --memory
 * A probe whose fact is missing says SKIP.
 *
 * Arguments name the probe ids to run (default: all).
 *
 * Other modes: "escape --host-helper FILE" (run on the host by the
 * harness) opens the listeners and the shm segment, writes their names to
 * FILE and waits for SIGTERM; "escape --euid" prints its effective uid
 * (the setuid fixture). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/if.h>
#include <linux/keyctl.h>
#include <linux/kcmp.h>
#include <linux/mount.h>
#include <linux/prctl.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

enum verdict { V_PASS, V_FAIL, V_SKIP };

struct result {
	int verdict;
	char detail[400];
};

static void say(struct result *r, int v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->verdict = v;
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

/* A call that must be refused: it returned -1 with one of the allowed
 * errnos (0-terminated). Anything else, a success or an errno that means
 * the kernel looked at the arguments, is a FAIL. */
static void refused(struct result *r, long ret, int err, const int *ok)
{
	if (ret == -1)
		for (const int *e = ok; *e; e++)
			if (err == *e) {
				say(r, V_PASS, "%s", ename(err));
				return;
			}
	if (ret == -1)
		say(r, V_FAIL, "reachable: %s", ename(err));
	else
		say(r, V_FAIL, "succeeded (returned %ld)", ret);
}

#define ERRS(...) ((const int[]){ __VA_ARGS__, 0 })
/* What a seccomp denial or a missing capability looks like. */
#define BLOCKED ERRS(EPERM, ENOSYS, EACCES)
/* What a denied write to a file or mount looks like. */
#define NOWRITE ERRS(EROFS, EACCES, EPERM, ENOENT)

/* A probe that is one call: a function named after its id. */
#define CALL_PROBE(fn, call, errs)                                                                 \
	static void fn(struct result *r)                                                           \
	{                                                                                          \
		errno = 0;                                                                         \
		long v_ = (long)(call);                                                            \
		refused(r, v_, errno, errs);                                                       \
	}

#define BADPTR ((void *)1)

/* ---- small helpers ------------------------------------------------------ */

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = 0;
	ssize_t k;
	while (n + 1 < len && (k = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)k;
	buf[n] = '\0';
	close(fd);
	return (int)n;
}

static bool status_field(const char *name, char *out, size_t len)
{
	static char buf[8192];
	if (read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return false;
	size_t nl = strlen(name);
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, name, nl) == 0 && l[nl] == ':') {
			const char *v = l + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t n = strcspn(v, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

/* open(path, O_WRONLY) and close without writing: host knobs. */
static void no_write_open(struct result *r, const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		close(fd);
		say(r, V_FAIL, "%s opened for writing", path);
		return;
	}
	int e = errno;
	if (e == EROFS || e == EACCES || e == EPERM || e == ENOENT)
		say(r, V_PASS, "%s: %s", path, ename(e));
	else
		say(r, V_FAIL, "%s: unexpected %s", path, ename(e));
}

/* The same over a list: the first path that opens is the FAIL. */
static void no_write_open_all(struct result *r, const char *const *paths)
{
	char seen[400] = "";
	for (const char *const *p = paths; *p; p++) {
		no_write_open(r, *p);
		if (r->verdict == V_FAIL)
			return;
		size_t n = strlen(seen);
		snprintf(seen + n, sizeof(seen) - n, "%s%s", n ? ", " : "", r->detail);
	}
	say(r, V_PASS, "%s", seen);
}

/* Lines of /proc/self/mountinfo, split into the fields that matter. */
struct mnt {
	char point[256], opts[256], optional[128], fstype[32], super[256];
};

static int mountinfo(struct mnt *m, int max)
{
	static char buf[65536];
	if (read_file("/proc/self/mountinfo", buf, sizeof(buf)) < 0)
		return -1;
	int n = 0;
	for (char *l = strtok(buf, "\n"); l && n < max; l = strtok(NULL, "\n")) {
		char *f[16];
		int k = 0;
		for (char *s = l; k < 16;) {
			f[k++] = s;
			s = strchr(s, ' ');
			if (!s)
				break;
			*s++ = '\0';
		}
		int dash = -1;
		for (int i = 6; i < k; i++)
			if (strcmp(f[i], "-") == 0) {
				dash = i;
				break;
			}
		if (dash < 0 || dash + 3 >= k + 1)
			continue;
		struct mnt *e = &m[n++];
		snprintf(e->point, sizeof(e->point), "%s", f[4]);
		snprintf(e->opts, sizeof(e->opts), "%s", f[5]);
		e->optional[0] = '\0';
		for (int i = 6; i < dash; i++) {
			size_t len = strlen(e->optional);
			snprintf(e->optional + len, sizeof(e->optional) - len, "%s ", f[i]);
		}
		snprintf(e->fstype, sizeof(e->fstype), "%s", f[dash + 1]);
		snprintf(e->super, sizeof(e->super), "%s", dash + 3 < k ? f[dash + 3] : "");
	}
	return n;
}

static bool has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *p = opts; (p = strstr(p, opt)); p += n)
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0' || p[n] == '='))
			return true;
	return false;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* fds open when main() started, before the probe opened anything. */
static int startup_fds[64], n_startup_fds;

/* ---- A: introspection ---------------------------------------------------- */

static void ns_differs(struct result *r, const char *ns)
{
	const char *host = env("HUSK_ESC_NS");
	if (!host) {
		say(r, V_SKIP, "HUSK_ESC_NS not given");
		return;
	}
	char key[32], path[64];
	snprintf(key, sizeof(key), "%s:", ns);
	const char *h = strstr(host, key);
	if (!h) {
		say(r, V_SKIP, "no host inode for %s", ns);
		return;
	}
	unsigned long long hino = strtoull(h + strlen(key), NULL, 10);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	struct stat st;
	if (stat(path, &st) < 0) {
		say(r, V_FAIL, "stat %s: %s", path, ename(errno));
		return;
	}
	if ((unsigned long long)st.st_ino == hino)
		say(r, V_FAIL, "%s namespace is the host's (%llu)", ns, hino);
	else
		say(r, V_PASS, "%s:[%llu], host %llu", ns, (unsigned long long)st.st_ino, hino);
}

#define NS_PROBE(ns)                                                                               \
	static void a1_##ns(struct result *r)                                                      \
	{                                                                                          \
		ns_differs(r, #ns);                                                                \
	}
NS_PROBE(user)
NS_PROBE(mnt)
NS_PROBE(pid)
NS_PROBE(net)
NS_PROBE(ipc)
NS_PROBE(uts)
NS_PROBE(cgroup)

static void id_map(struct result *r, const char *file)
{
	char buf[512], path[64];
	snprintf(path, sizeof(path), "/proc/self/%s", file);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		say(r, V_FAIL, "cannot read %s", path);
		return;
	}
	unsigned long in, out, count, total = 0;
	int n = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		if (sscanf(l, "%lu %lu %lu", &in, &out, &count) != 3)
			continue;
		n++;
		total += count;
		if (out == 0) {
			say(r, V_FAIL, "host id 0 is mapped: %s", l);
			return;
		}
	}
	if (n == 0)
		say(r, V_FAIL, "%s is empty", file);
	else if (total > 65536)
		say(r, V_FAIL, "%lu ids mapped (host-wide map)", total);
	else
		say(r, V_PASS, "%lu id(s) mapped, none is host root", total);
}

static void a2_uid_map(struct result *r)
{
	id_map(r, "uid_map");
}

static void a2_gid_map(struct result *r)
{
	id_map(r, "gid_map");
}

static void a3_setgroups(struct result *r)
{
	char buf[32];
	if (read_file("/proc/self/setgroups", buf, sizeof(buf)) < 0)
		say(r, V_FAIL, "cannot read /proc/self/setgroups");
	else if (strncmp(buf, "deny", 4) == 0)
		say(r, V_PASS, "deny");
	else
		say(r, V_FAIL, "setgroups is %.*s (CVE-2014-8989)", (int)strcspn(buf, "\n"), buf);
}

static void a4_nnp(struct result *r)
{
	char v[16] = "";
	int p = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	status_field("NoNewPrivs", v, sizeof(v));
	if (p == 1 && strcmp(v, "1") == 0)
		say(r, V_PASS, "NoNewPrivs 1");
	else
		say(r, V_FAIL, "prctl says %d, status says '%s'", p, v);
}

static void a5_seccomp(struct result *r)
{
	char v[16] = "";
	status_field("Seccomp", v, sizeof(v));
	if (strcmp(v, "2") == 0)
		say(r, V_PASS, "Seccomp 2 (filter)");
	else
		say(r, V_FAIL, "Seccomp '%s', not 2", v);
}

static void a6_caps(struct result *r)
{
	uint64_t want = 0;
	if (env("HUSK_ESC_CAPS"))
		want = strtoull(env("HUSK_ESC_CAPS"), NULL, 16);
	static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	uint64_t v[5];
	for (int i = 0; i < 5; i++) {
		char s[32];
		if (!status_field(sets[i], s, sizeof(s))) {
			say(r, V_FAIL, "no %s in /proc/self/status", sets[i]);
			return;
		}
		v[i] = strtoull(s, NULL, 16);
	}
	/* Permitted, effective and bounding are exactly the allowlist;
	 * inheritable and ambient never hold more (CVE-2022-29162). */
	if (v[1] != want || v[2] != want || v[3] != want || (v[0] & ~want) || (v[4] & ~want))
		say(r, V_FAIL, "inh %" PRIx64 " prm %" PRIx64 " eff %" PRIx64 " bnd %" PRIx64
			       " amb %" PRIx64 ", allowed %" PRIx64,
		    v[0], v[1], v[2], v[3], v[4], want);
	else
		say(r, V_PASS, "every set within %" PRIx64, want);
}

/* Names a launcher must never pass on: the harness puts them in husk's
 * own environment. */
static bool secret_name(const char *var)
{
	static const char *const bad[] = { "HUSK_TEST_SECRET", "SSH_AUTH_SOCK", "AWS_SECRET",
					   "GITHUB_TOKEN",     "DBUS_SESSION",  "XDG_RUNTIME_DIR",
					   NULL };
	for (const char *const *b = bad; *b; b++)
		if (strncmp(var, *b, strlen(*b)) == 0)
			return true;
	return false;
}

static void a7_secrets(struct result *r)
{
	extern char **environ;
	for (char **e = environ; *e; e++)
		if (secret_name(*e)) {
			say(r, V_FAIL, "own environment holds %.*s", (int)strcspn(*e, "="), *e);
			return;
		}
	/* Every environment this process can read, init's included. */
	DIR *d = opendir("/proc");
	struct dirent *de;
	int readable = 0, hidden = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char path[64], buf[16384];
		snprintf(path, sizeof(path), "/proc/%s/environ", de->d_name);
		int n = read_file(path, buf, sizeof(buf));
		if (n < 0) {
			hidden++;
			continue;
		}
		readable++;
		for (char *v = buf; v < buf + n; v += strlen(v) + 1)
			if (secret_name(v)) {
				say(r, V_FAIL, "%s holds %.*s", path, (int)strcspn(v, "="), v);
				closedir(d);
				return;
			}
	}
	if (d)
		closedir(d);
	say(r, V_PASS, "no launcher secret in %d readable environments (%d unreadable)", readable,
	    hidden);
}

static void a9_rlimits(struct result *r)
{
	struct rlimit core, nofile, rtprio;
	getrlimit(RLIMIT_CORE, &core);
	getrlimit(RLIMIT_NOFILE, &nofile);
	getrlimit(RLIMIT_RTPRIO, &rtprio);
	if (core.rlim_cur != 0 || nofile.rlim_max > 4096 || nofile.rlim_max == RLIM_INFINITY ||
	    rtprio.rlim_max != 0)
		say(r, V_FAIL, "core %llu nofile %llu:%llu rtprio %llu", (unsigned long long)core.rlim_cur,
		    (unsigned long long)nofile.rlim_cur, (unsigned long long)nofile.rlim_max,
		    (unsigned long long)rtprio.rlim_max);
	else
		say(r, V_PASS, "core 0, nofile %llu:%llu, rtprio 0", (unsigned long long)nofile.rlim_cur,
		    (unsigned long long)nofile.rlim_max);
}

/* ---- B: filesystem, mounts, fds, binaries ----------------------------------- */

static void b1_readonly_root(struct result *r)
{
	static const char *const dirs[] = { "/", "/bin", "/etc", "/dev", "/var", NULL };
	char seen[300] = "";
	for (const char *const *d = dirs; *d; d++) {
		struct stat st;
		if (stat(*d, &st) < 0)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "%s/.husk-escape", strcmp(*d, "/") ? *d : "");
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			unlink(path);
			say(r, V_FAIL, "created %s", path);
			return;
		}
		int e = errno;
		if (e != EROFS && e != EACCES && e != EPERM) {
			say(r, V_FAIL, "%s: unexpected %s", path, ename(e));
			return;
		}
		size_t n = strlen(seen);
		snprintf(seen + n, sizeof(seen) - n, "%s%s %s", n ? ", " : "", *d, ename(e));
	}
	say(r, V_PASS, "%s", seen);
}

CALL_PROBE(b2_remount_rw, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL), BLOCKED)
CALL_PROBE(b3_mount_tmpfs, mount("none", "/tmp", "tmpfs", 0, NULL), BLOCKED)
CALL_PROBE(b3_fsopen, syscall(SYS_fsopen, "tmpfs", 0), BLOCKED)
CALL_PROBE(b3_open_tree, syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE), BLOCKED)
CALL_PROBE(b3_move_mount, syscall(SYS_move_mount, -1, "", AT_FDCWD, "/tmp", 0), BLOCKED)
CALL_PROBE(b3_mount_setattr, syscall(SYS_mount_setattr, -1, "", 0, BADPTR, 32), BLOCKED)
/* runc's mask.bats: a mask the service can unmount is no mask. */
static void b4_umount_mask(struct result *r)
{
	static const char *const masks[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list",
					     "/proc/sched_debug", "/proc/scsi", "/proc/acpi", NULL };
	for (const char *const *m = masks; *m; m++) {
		struct stat st;
		if (stat(*m, &st) < 0)
			continue;
		errno = 0;
		long v = umount2(*m, MNT_DETACH);
		refused(r, v, errno, BLOCKED);
		char d[sizeof(r->detail)];
		snprintf(d, sizeof(d), "%s: %s", *m, r->detail);
		say(r, r->verdict, "%s", d);
		return;
	}
	say(r, V_SKIP, "none of the masked paths exists on this kernel");
}

static void b5_propagation(struct result *r)
{
	struct mnt m[128];
	int n = mountinfo(m, 128);
	if (n <= 0) {
		say(r, V_FAIL, "cannot read mountinfo");
		return;
	}
	for (int i = 0; i < n; i++)
		if (strstr(m[i].optional, "shared:")) {
			say(r, V_FAIL, "%s is shared with a peer group (%s)", m[i].point, m[i].optional);
			return;
		}
	say(r, V_PASS, "no shared mount among %d", n);
}

static void b6_one_root(struct result *r)
{
	struct mnt m[128];
	int n = mountinfo(m, 128), roots = 0;
	for (int i = 0; i < n; i++)
		roots += strcmp(m[i].point, "/") == 0;
	if (roots == 1)
		say(r, V_PASS, "one mount at /, the old root is gone (%d mounts in all)", n);
	else
		say(r, V_FAIL, "%d mounts at / (the host's root is still stacked there)", roots);
}

static void b6_dotdot(struct result *r)
{
	struct stat a, b;
	if (stat("/", &a) < 0 || stat("/..", &b) < 0)
		say(r, V_FAIL, "stat: %s", ename(errno));
	else if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		say(r, V_PASS, "/.. is /");
	else
		say(r, V_FAIL, "/.. leads out of the root");
}

/* The classic chroot escape; in this child only. */
static void b6_chroot(struct result *r)
{
	errno = 0;
	if (chroot("/tmp") == 0) {
		for (int i = 0; i < 64; i++)
			if (chdir("..") < 0)
				break;
		struct stat st;
		if (chroot(".") < 0)
			st.st_mode = 0;
		bool escaped = stat("/.husk-host-marker", &st) == 0;
		say(r, V_FAIL, "chroot succeeded%s", escaped ? " and the walk reached the host" : "");
		return;
	}
	refused(r, -1, errno, BLOCKED);
}

CALL_PROBE(b6_pivot_root, syscall(SYS_pivot_root, BADPTR, BADPTR), BLOCKED)

static void b8_fds(struct result *r)
{
	char list[200] = "";
	bool extra = false;
	for (int i = 0; i < n_startup_fds; i++) {
		size_t n = strlen(list);
		snprintf(list + n, sizeof(list) - n, "%s%d", n ? "," : "", startup_fds[i]);
		if (startup_fds[i] > 2)
			extra = true;
	}
	say(r, extra ? V_FAIL : V_PASS, "fds at start: %s", list);
}

static void b9_cwd(struct result *r)
{
	char cwd[512] = "", root[512] = "", pcwd[512] = "";
	long n = syscall(SYS_getcwd, cwd, sizeof(cwd));
	ssize_t a = readlink("/proc/self/root", root, sizeof(root) - 1);
	ssize_t b = readlink("/proc/self/cwd", pcwd, sizeof(pcwd) - 1);
	if (a > 0)
		root[a] = '\0';
	if (b > 0)
		pcwd[b] = '\0';
	if (n <= 0 || cwd[0] != '/' || strcmp(root, "/") != 0 || pcwd[0] != '/')
		say(r, V_FAIL, "getcwd '%s', root '%s', cwd link '%s'", cwd, root, pcwd);
	else
		say(r, V_PASS, "cwd %s, root /", cwd);
}

/* CVE-2019-5736: no visible process exposes a writable binary, and the
 * launcher's own binary (init is husk) cannot even be named. */
static void b10_proc_exe(struct result *r)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int named = 0, hidden = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char path[64], target[512];
		snprintf(path, sizeof(path), "/proc/%s/exe", de->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			say(r, V_FAIL, "%s opened for writing", path);
			closedir(d);
			return;
		}
		if (n < 0) {
			hidden++;
			continue;
		}
		target[n] = '\0';
		struct stat a, b;
		if (stat(path, &a) == 0 && (stat(target, &b) < 0 || a.st_ino != b.st_ino ||
					     a.st_dev != b.st_dev)) {
			say(r, V_FAIL, "%s is %s, a binary outside the sandbox's root", path, target);
			closedir(d);
			return;
		}
		named++;
	}
	if (d)
		closedir(d);
	say(r, V_PASS, "%d exe links inside the root, %d hidden, none writable", named, hidden);
}

static void b11_shocker(struct result *r)
{
	/* struct file_handle with 8 bytes of handle: inode 2, the root of
	 * most filesystems. */
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) + 8];
	} h = { .fh = { .handle_bytes = 8, .handle_type = 1 } };
	h.raw[sizeof(struct file_handle)] = 2;
	int dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	errno = 0;
	long v = syscall(SYS_open_by_handle_at, dirfd, &h.fh, O_RDONLY);
	int e = errno;
	if (v >= 0)
		close((int)v);
	close(dirfd);
	refused(r, v, e, ERRS(EPERM, ENOSYS));
}

static void b12_nosuid(struct result *r)
{
	struct mnt m[128];
	int n = mountinfo(m, 128);
	for (int i = 0; i < n; i++)
		if (!has_opt(m[i].opts, "nosuid")) {
			say(r, V_FAIL, "%s (%s) is not nosuid", m[i].point, m[i].fstype);
			return;
		}
	say(r, n > 0 ? V_PASS : V_FAIL, "all %d mounts nosuid", n);
}

/* The harness plants /escape-suid, a setuid copy of this program owned by
 * another id (root-started only). Running it must not change our euid. */
static void b12_setuid_exec(struct result *r)
{
	struct stat st;
	if (stat("/escape-suid", &st) < 0 || !(st.st_mode & S_ISUID)) {
		say(r, V_SKIP, "no setuid fixture /escape-suid in the rootfs");
		return;
	}
	int p[2];
	if (pipe(p) < 0) {
		say(r, V_FAIL, "pipe");
		return;
	}
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		execl("/escape-suid", "escape-suid", "--euid", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[32] = "";
	ssize_t k = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	waitpid(c, NULL, 0);
	unsigned long euid = k > 0 ? strtoul(buf, NULL, 10) : (unsigned long)-1;
	if (k <= 0)
		say(r, V_FAIL, "the fixture did not run");
	else if (euid != geteuid())
		say(r, V_FAIL, "exec of a setuid file (owner %u) gave euid %lu", st.st_uid, euid);
	else
		say(r, V_PASS, "setuid bit ignored: euid stays %lu (file owner %u)", euid, st.st_uid);
}

/* Every writable mount is a bounded tmpfs; proc and devpts are the
 * kernel's own. */
static void b13_writable_bounded(struct result *r)
{
	struct mnt m[128];
	int n = mountinfo(m, 128), rw = 0;
	for (int i = 0; i < n; i++) {
		struct stat st;
		/* proc and devpts are the kernel's own; /dev/null and its
		 * kind are bind mounts of single device nodes. */
		if (!has_opt(m[i].opts, "rw") || !strcmp(m[i].fstype, "proc") ||
		    !strcmp(m[i].fstype, "devpts") ||
		    (stat(m[i].point, &st) == 0 && S_ISCHR(st.st_mode)))
			continue;
		rw++;
		if (strcmp(m[i].fstype, "tmpfs") != 0) {
			say(r, V_FAIL, "%s is writable %s", m[i].point, m[i].fstype);
			return;
		}
		if (!has_opt(m[i].opts, "nodev") || !has_opt(m[i].super, "size") ||
		    !has_opt(m[i].super, "nr_inodes")) {
			say(r, V_FAIL, "%s: %s %s lacks nodev, size= or nr_inodes=", m[i].point,
			    m[i].opts, m[i].super);
			return;
		}
	}
	say(r, V_PASS, "%d writable mounts, all bounded nodev tmpfs", rw);
}

/* ---- C: procfs and sysfs ------------------------------------------------ */

static void c1_masked(struct result *r)
{
	static const char *const paths[] = {
		"/proc/kcore",	     "/proc/keys",	   "/proc/timer_list", "/proc/sched_debug",
		"/proc/latency_stats", "/proc/timer_stats", "/proc/acpi",	    "/proc/asound",
		"/proc/scsi",	     "/proc/interrupts",  "/sys/firmware",	    NULL,
	};
	int checked = 0;
	for (const char *const *p = paths; *p; p++) {
		int fd = open(*p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* absent or EACCES: nothing to read */
		checked++;
		struct stat st;
		fstat(fd, &st);
		if (S_ISDIR(st.st_mode)) {
			DIR *d = fdopendir(fd);
			struct dirent *de;
			int entries = 0;
			while (d && (de = readdir(d)))
				entries += de->d_name[0] != '.';
			if (d)
				closedir(d);
			if (entries) {
				say(r, V_FAIL, "%s lists %d entries", *p, entries);
				return;
			}
			continue;
		}
		char c;
		ssize_t k = read(fd, &c, 1);
		close(fd);
		if (k > 0) {
			say(r, V_FAIL, "%s can be read", *p);
			return;
		}
	}
	say(r, V_PASS, "nothing readable (%d opened, empty)", checked);
}

static void c2_readonly_proc(struct result *r)
{
	static const char *const paths[] = { "/proc/sys/kernel/hostname", "/proc/sysrq-trigger",
					     "/proc/irq/default_smp_affinity",
					     "/proc/sys/vm/drop_caches", NULL };
	no_write_open_all(r, paths);
}

#define KNOB_PROBE(fn, path)                                                                       \
	static void fn(struct result *r)                                                           \
	{                                                                                          \
		no_write_open(r, path);                                                            \
	}
KNOB_PROBE(c3_core_pattern, "/proc/sys/kernel/core_pattern")
KNOB_PROBE(c3_modprobe, "/proc/sys/kernel/modprobe")
KNOB_PROBE(c3_poweroff_cmd, "/proc/sys/kernel/poweroff_cmd")
KNOB_PROBE(c3_binfmt_register, "/proc/sys/fs/binfmt_misc/register")
KNOB_PROBE(c3_uevent_helper, "/sys/kernel/uevent_helper")
KNOB_PROBE(c3_sysrq_trigger, "/proc/sysrq-trigger")

CALL_PROBE(c4_mount_proc, mount("proc", "/tmp", "proc", 0, NULL), BLOCKED)
CALL_PROBE(c4_mount_sysfs, mount("sysfs", "/tmp", "sysfs", 0, NULL), BLOCKED)

static void c6_kallsyms(struct result *r)
{
	char buf[4096];
	int n = read_file("/proc/kallsyms", buf, sizeof(buf));
	if (n < 0) {
		say(r, V_PASS, "/proc/kallsyms: %s", ename(-n));
		return;
	}
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		if (strspn(l, "0") < 16 && strchr(l, ' ') && strchr(l, ' ') - l == 16) {
			say(r, V_FAIL, "a kernel address is visible: %.40s", l);
			return;
		}
	say(r, V_PASS, "addresses read as zero");
}

CALL_PROBE(c6_syslog, klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), BLOCKED)
CALL_PROBE(c6_proc_kmsg, open("/proc/kmsg", O_RDONLY | O_CLOEXEC), ERRS(EACCES, ENOENT, EPERM))
CALL_PROBE(c6_dev_kmsg, open("/dev/kmsg", O_RDONLY | O_CLOEXEC), ERRS(ENOENT, EACCES, EPERM))

static void c7_net_sysctl(struct result *r)
{
	static const char *const paths[] = { "/proc/sys/net/ipv4/ip_forward",
					     "/proc/sys/net/ipv4/conf/all/route_localnet",
					     "/proc/sys/kernel/shmmax", NULL };
	no_write_open_all(r, paths);
}

/* ---- D: devices and TTY ----------------------------------------------- */

static void d1_dev_minimal(struct result *r)
{
	static const char *const ok[] = { "null",  "zero", "full", "random", "urandom",
					  "tty",   "ptmx", "pts",  "shm",	  "fd",
					  "stdin", "stdout", "stderr", "console", "mqueue", NULL };
	DIR *d = opendir("/dev");
	if (!d) {
		say(r, V_FAIL, "opendir /dev: %s", ename(errno));
		return;
	}
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		bool known = false;
		for (const char *const *o = ok; *o && !known; o++)
			known = strcmp(*o, de->d_name) == 0;
		if (!known) {
			say(r, V_FAIL, "/dev/%s is present", de->d_name);
			closedir(d);
			return;
		}
		n++;
	}
	closedir(d);
	say(r, V_PASS, "%d entries, all in the minimal set", n);
}

static void d2_mknod(struct result *r)
{
	/* Only where a file can be made: EROFS would pass for the wrong
	 * reason. */
	int fd = open("/tmp/.husk-file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		say(r, V_SKIP, "/tmp is not writable here (%s)", ename(errno));
		return;
	}
	close(fd);
	unlink("/tmp/.husk-file");
	const struct {
		mode_t mode;
		dev_t dev;
		const char *name;
	} nodes[] = { { S_IFCHR | 0666, makedev(1, 3), "c 1:3" },
		      { S_IFBLK | 0600, makedev(7, 0), "b 7:0" } };
	for (int i = 0; i < 2; i++) {
		errno = 0;
		long v = mknod("/tmp/.husk-node", nodes[i].mode, nodes[i].dev);
		if (v == 0)
			unlink("/tmp/.husk-node");
		refused(r, v, errno, BLOCKED);
		if (r->verdict == V_FAIL) {
			char d[sizeof(r->detail)];
			snprintf(d, sizeof(d), "mknod %s: %s", nodes[i].name, r->detail);
			say(r, V_FAIL, "%s", d);
			return;
		}
	}
	say(r, V_PASS, "mknod c 1:3 and b 7:0 refused (%s)", r->detail);
}

/* The root-started harness plants a device node (1:3) in the rootfs. */
static void d3_image_device(struct result *r)
{
	struct stat st;
	if (stat("/dev-null-copy", &st) < 0) {
		say(r, V_SKIP, "no planted device node in the rootfs");
		return;
	}
	int fd = open("/dev-null-copy", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		say(r, V_FAIL, "the image's device node opens");
		return;
	}
	refused(r, -1, errno, ERRS(EACCES, EPERM));
}

static void d4_devices_cgroup(struct result *r)
{
	static const char *const paths[] = { "/sys/fs/cgroup/devices/devices.allow",
					     "/sys/fs/cgroup/devices.allow", NULL };
	no_write_open_all(r, paths);
}

CALL_PROBE(d5_dev_tty, open("/dev/tty", O_RDWR | O_CLOEXEC), ERRS(ENXIO, ENOENT, EACCES))
CALL_PROBE(d5_tiocsti, ioctl(-1, TIOCSTI, BADPTR), BLOCKED)
CALL_PROBE(d5_tiocsti_high, syscall(SYS_ioctl, -1, (1ul << 32) | TIOCSTI, BADPTR), BLOCKED)
CALL_PROBE(d6_tioclinux, ioctl(-1, TIOCLINUX, BADPTR), BLOCKED)

static void d7_devpts(struct result *r)
{
	DIR *d = opendir("/dev/pts");
	if (!d) {
		say(r, V_FAIL, "opendir /dev/pts: %s", ename(errno));
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, "ptmx") != 0) {
			say(r, V_FAIL, "/dev/pts/%s: a pty of another devpts instance", de->d_name);
			closedir(d);
			return;
		}
	closedir(d);
	say(r, V_PASS, "a private devpts instance: only ptmx");
}

/* ---- E: capabilities and privilege transitions -------------------------- */

static void e1_setuid(struct result *r)
{
	if (geteuid() == 0) {
		say(r, V_SKIP, "the service runs as uid 0 of its namespace");
		return;
	}
	errno = 0;
	long v = setuid(0);
	refused(r, v, errno, ERRS(EPERM, EINVAL));
}

CALL_PROBE(e1_setgroups, setgroups(0, NULL), BLOCKED)
CALL_PROBE(e2_ambient_raise, prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0),
	   BLOCKED)

static void e4_capset(struct result *r)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	memset(d, 0xff, sizeof(d));
	errno = 0;
	long v = syscall(SYS_capset, &h, d);
	refused(r, v, errno, BLOCKED);
}

CALL_PROBE(e5_traceme, syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, NULL, NULL), BLOCKED)
CALL_PROBE(e5_attach_init, syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 1, NULL, NULL),
	   ERRS(EPERM, ENOSYS, EACCES, ESRCH))

static void e5_vm_readv(struct result *r)
{
	char buf[8];
	struct iovec local = { buf, sizeof(buf) }, remote = { BADPTR, sizeof(buf) };
	errno = 0;
	long v = syscall(SYS_process_vm_readv, 1, &local, 1, &remote, 1, 0);
	refused(r, v, errno, ERRS(EPERM, ENOSYS, ESRCH));
}

CALL_PROBE(e5_kcmp, syscall(SYS_kcmp, getpid(), 1, KCMP_FILE, 0, 0), ERRS(EPERM, ENOSYS, ESRCH))
CALL_PROBE(e6_init_module, syscall(SYS_init_module, NULL, 0, ""), BLOCKED)
CALL_PROBE(e6_finit_module, syscall(SYS_finit_module, -1, "", 0), BLOCKED)
CALL_PROBE(e6_delete_module, syscall(SYS_delete_module, "husk_none", O_NONBLOCK), BLOCKED)
CALL_PROBE(e7_kexec_load, syscall(SYS_kexec_load, 0, 0, NULL, 0xffff0000ul), BLOCKED)
CALL_PROBE(e7_kexec_file_load, syscall(SYS_kexec_file_load, -1, -1, 0, "", 0xfffful), BLOCKED)
CALL_PROBE(e8_reboot, syscall(SYS_reboot, 0, 0, 0, NULL), BLOCKED)
CALL_PROBE(e9_clock_settime, syscall(SYS_clock_settime, CLOCK_REALTIME, BADPTR), BLOCKED)
CALL_PROBE(e9_settimeofday, syscall(SYS_settimeofday, BADPTR, NULL), BLOCKED)
CALL_PROBE(e9_adjtimex, syscall(SYS_adjtimex, BADPTR), BLOCKED)
/* Port I/O exists on x86 only; elsewhere there is nothing to probe. */
#if defined(SYS_iopl) && defined(SYS_ioperm)
CALL_PROBE(e10_iopl, syscall(SYS_iopl, 4), BLOCKED)
CALL_PROBE(e10_ioperm, syscall(SYS_ioperm, 0x10000ul, 8, 1), BLOCKED)
#else
static void e10_iopl(struct result *r)
{
	say(r, V_SKIP, "no iopl on this architecture");
}
static void e10_ioperm(struct result *r)
{
	say(r, V_SKIP, "no ioperm on this architecture");
}
#endif
CALL_PROBE(e11_packet_raw, socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0),
	   ERRS(EPERM, EACCES, EAFNOSUPPORT))
CALL_PROBE(e11_inet_raw, socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP), ERRS(EPERM, EACCES))

/* CAP_NET_ADMIN over any netns is how CVE-2021-22555 and CVE-2024-1086
 * are reached; setting lo's MTU to its own value is a no-op if allowed. */
static void e12_net_admin(struct result *r)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFMTU, &ifr) < 0) {
		say(r, V_SKIP, "cannot read lo's MTU");
		return;
	}
	errno = 0;
	long v = ioctl(s, SIOCSIFMTU, &ifr);
	refused(r, v, errno, BLOCKED);
	close(s);
}

CALL_PROBE(e13_swapon, swapon("/nonexistent", 0), BLOCKED)
CALL_PROBE(e13_quotactl, syscall(SYS_quotactl, 0, BADPTR, 0, NULL), BLOCKED)
CALL_PROBE(e13_acct, syscall(SYS_acct, BADPTR), BLOCKED)
CALL_PROBE(e13_sethostname, syscall(SYS_sethostname, BADPTR, 4), BLOCKED)
CALL_PROBE(e13_setdomainname, syscall(SYS_setdomainname, BADPTR, 4), BLOCKED)
CALL_PROBE(e13_vhangup, syscall(SYS_vhangup), BLOCKED)
CALL_PROBE(e14_keyctl, syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
	   BLOCKED)
CALL_PROBE(e14_add_key, syscall(SYS_add_key, "user", "husk", "x", 1, KEY_SPEC_PROCESS_KEYRING),
	   BLOCKED)
CALL_PROBE(e14_request_key, syscall(SYS_request_key, "user", "husk-none", NULL, 0), BLOCKED)
CALL_PROBE(e15_setns, setns(-1, 0), BLOCKED)

static void e15_unshare(struct result *r)
{
	static const struct {
		int flag;
		const char *name;
	} ns[] = { { CLONE_NEWNS, "mnt" },   { CLONE_NEWNET, "net" },
		   { CLONE_NEWPID, "pid" },  { CLONE_NEWIPC, "ipc" },
		   { CLONE_NEWUTS, "uts" },  { CLONE_NEWCGROUP, "cgroup" },
		   { 0x80 /* CLONE_NEWTIME */, "time" } };
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		if (unshare(ns[i].flag) == 0) {
			say(r, V_FAIL, "unshare %s succeeded", ns[i].name);
			return;
		}
		if (errno != EPERM && errno != ENOSYS) {
			say(r, V_FAIL, "unshare %s: reachable: %s", ns[i].name, ename(errno));
			return;
		}
	}
	say(r, V_PASS, "mnt net pid ipc uts cgroup time: all EPERM");
}

CALL_PROBE(e15_open_init_ns, open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC), ERRS(EACCES, EPERM))

/* ---- F: seccomp integrity and kernel attack surface ---------------------- */

CALL_PROBE(f2_unshare_user, unshare(CLONE_NEWUSER), ERRS(EPERM, ENOSYS, ENOSPC))

static void f2_clone_user(struct result *r)
{
	errno = 0;
	long v = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (v == 0)
		_exit(0);
	int e = errno;
	if (v > 0)
		waitpid((pid_t)v, NULL, 0);
	refused(r, v, e, ERRS(EPERM, ENOSYS, ENOSPC));
}

/* ENOSYS, not EPERM: libc then falls back to clone, whose flags can be
 * checked. */
CALL_PROBE(f3_clone3, syscall(SYS_clone3, NULL, 0), ERRS(ENOSYS))

#if defined(__x86_64__)
/* A blocked call through another ABI: x32 must be killed or refused. */
static void f4_x32(struct result *r)
{
	errno = 0;
	long v = syscall(0x40000000 | SYS_unshare, CLONE_NEWUSER);
	refused(r, v, errno, BLOCKED);
}

static void f4_int80(struct result *r)
{
	long v;
	/* i386 unshare(CLONE_NEWUSER) */
	__asm__ volatile("int $0x80" : "=a"(v) : "a"(310), "b"(CLONE_NEWUSER) : "memory");
	refused(r, v < 0 && v > -4096 ? -1 : v, v < 0 ? (int)-v : 0, BLOCKED);
}
#endif

CALL_PROBE(f5_socket_high, syscall(SYS_socket, (1ul << 32) | AF_ALG, SOCK_SEQPACKET, 0),
	   ERRS(EPERM, EAFNOSUPPORT))

static void f6_io_uring(struct result *r)
{
	static const long nr[] = { SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register };
	static const char *const names[] = { "setup", "enter", "register" };
	for (int i = 0; i < 3; i++) {
		errno = 0;
		long v = i == 0 ? syscall(nr[i], 1, BADPTR) : syscall(nr[i], -1, 0, 0, 0, NULL, 0);
		refused(r, v, errno, ERRS(EPERM, ENOSYS));
		if (r->verdict == V_FAIL) {
			char d[sizeof(r->detail)];
			snprintf(d, sizeof(d), "io_uring_%s: %s", names[i], r->detail);
			say(r, V_FAIL, "%s", d);
			return;
		}
	}
	say(r, V_PASS, "setup, enter, register: refused");
}

CALL_PROBE(f7_userfaultfd, syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY), BLOCKED)
CALL_PROBE(f8_bpf, syscall(SYS_bpf, 0, NULL, 0), BLOCKED)
CALL_PROBE(f8_perf_event_open, syscall(SYS_perf_event_open, BADPTR, 0, -1, -1, 0), BLOCKED)
CALL_PROBE(f9_af_alg, socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), ERRS(EPERM, EAFNOSUPPORT))
CALL_PROBE(f9_af_vsock, socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0), ERRS(EPERM, EAFNOSUPPORT))
CALL_PROBE(f10_personality, personality(ADDR_NO_RANDOMIZE), BLOCKED)

static void f11_unknown(struct result *r)
{
	long nrs[] = { 470, 511, 1000 };
	for (int i = 0; i < 3; i++) {
		errno = 0;
		long v = syscall(nrs[i], -1, -1, -1);
		if (v != -1 || errno != ENOSYS) {
			say(r, V_FAIL, "syscall %ld: %s", nrs[i], v == -1 ? ename(errno) : "succeeded");
			return;
		}
	}
	say(r, V_PASS, "470, 511, 1000: ENOSYS");
}

static void f13_filter_stays(struct result *r)
{
	prctl(PR_SET_SECCOMP, 0 /* SECCOMP_MODE_DISABLED */, 0, 0, 0);
	char v[16] = "";
	status_field("Seccomp", v, sizeof(v));
	if (strcmp(v, "2") == 0)
		say(r, V_PASS, "still Seccomp 2");
	else
		say(r, V_FAIL, "Seccomp '%s' after trying to lift it", v);
}

/* ---- G: host channels ------------------------------------------------------ */

static int connect_timeout(int s, const struct sockaddr *a, socklen_t len)
{
	if (connect(s, a, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	struct pollfd p = { .fd = s, .events = POLLOUT };
	if (poll(&p, 1, 300) <= 0)
		return -ETIMEDOUT;
	int err = 0;
	socklen_t el = sizeof(err);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el);
	return -err;
}

static int walk_sockets(const char *dir, int depth, char *found, size_t len)
{
	if (depth > 6)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", de->d_name);
		if (!strcmp(path, "/proc") || !strcmp(path, "/sys"))
			continue;
		struct stat st;
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += walk_sockets(path, depth + 1, found, len);
		} else if (S_ISSOCK(st.st_mode)) {
			int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			struct sockaddr_un a = { .sun_family = AF_UNIX };
			snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
			if (connect_timeout(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
				snprintf(found, len, "%s", path);
				n++;
			}
			close(s);
		}
	}
	closedir(d);
	return n;
}

static void g1_host_sockets(struct result *r)
{
	static const char *const known[] = {
		"/var/run/docker.sock", "/run/docker.sock",	     "/run/containerd/containerd.sock",
		"/run/crio/crio.sock",	"/run/podman/podman.sock", "/run/dbus/system_bus_socket",
		"/run/systemd/private", "/tmp/.X11-unix",	     NULL,
	};
	for (const char *const *k = known; *k; k++)
		if (access(*k, F_OK) == 0) {
			say(r, V_FAIL, "%s is visible", *k);
			return;
		}
	char found[512] = "";
	if (walk_sockets("/", 0, found, sizeof(found)))
		say(r, V_FAIL, "connected to %s", found);
	else
		say(r, V_PASS, "no runtime socket visible, no socket file accepts a connection");
}

/* A listener the harness holds on the host: only a refusal passes (the
 * sandbox has its own loopback and abstract socket namespace). */
static void host_listener(struct result *r, const char *what, const struct sockaddr *a,
			  socklen_t len)
{
	int s = socket(a->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int e = connect_timeout(s, a, len);
	close(s);
	if (e == 0)
		say(r, V_FAIL, "connected to the host's %s", what);
	else if (e == -ECONNREFUSED || e == -EPERM || e == -EACCES)
		say(r, V_PASS, "%s: %s", what, ename(-e));
	else
		say(r, V_FAIL, "%s: unexpected %s", what, ename(-e));
}

/* CVE-2020-15257: containerd-shim's abstract socket in the host netns. */
static void g2_abstract(struct result *r)
{
	const char *name = env("HUSK_ESC_ABSTRACT");
	if (!name) {
		say(r, V_SKIP, "HUSK_ESC_ABSTRACT not given");
		return;
	}
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	if (n > sizeof(a.sun_path) - 2)
		n = sizeof(a.sun_path) - 2;
	memcpy(a.sun_path + 1, name, n);
	char what[128];
	snprintf(what, sizeof(what), "@%s", name);
	host_listener(r, what, (struct sockaddr *)&a,
		      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
}

static void g2_proc_net_unix(struct result *r)
{
	char buf[8192];
	int n = read_file("/proc/net/unix", buf, sizeof(buf));
	if (n < 0) {
		say(r, V_PASS, "/proc/net/unix: %s", ename(-n));
		return;
	}
	int lines = 0;
	for (char *l = strchr(buf, '\n'); l && l[1]; l = strchr(l + 1, '\n'))
		lines++;
	if (lines)
		say(r, V_FAIL, "%d unix sockets of another network namespace are listed", lines);
	else
		say(r, V_PASS, "no unix socket listed");
}

static void g3_host_port(struct result *r)
{
	const char *port = env("HUSK_ESC_PORT");
	if (!port) {
		say(r, V_SKIP, "HUSK_ESC_PORT not given");
		return;
	}
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char what[64];
	snprintf(what, sizeof(what), "127.0.0.1:%s", port);
	host_listener(r, what, (struct sockaddr *)&a, sizeof(a));
}

static void g3_metadata(struct result *r)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };
	inet_pton(AF_INET, "169.254.169.254", &a.sin_addr);
	int e = connect_timeout(s, (struct sockaddr *)&a, sizeof(a));
	close(s);
	if (e == -ENETUNREACH)
		say(r, V_PASS, "169.254.169.254: ENETUNREACH");
	else
		say(r, V_FAIL, "169.254.169.254: %s (a route leaves the sandbox)",
		    e ? ename(-e) : "connected");
}

/* ---- H: namespace leaks ----------------------------------------------------- */

static void h1_pids(struct result *r)
{
	int seen = 0;
	for (pid_t p = 1; p <= 65536; p++) {
		if (kill(p, 0) == 0 || errno == EPERM) {
			char path[32];
			snprintf(path, sizeof(path), "/proc/%d", (int)p);
			if (access(path, F_OK) < 0) {
				say(r, V_FAIL, "pid %d answers but is not in /proc", (int)p);
				return;
			}
			seen++;
		}
	}
	const char *host = env("HUSK_ESC_HOSTPID");
	if (host && kill(atoi(host), 0) == 0) {
		char path[32];
		snprintf(path, sizeof(path), "/proc/%s", host);
		if (access(path, F_OK) < 0) {
			say(r, V_FAIL, "host pid %s answers", host);
			return;
		}
	}
	say(r, V_PASS, "%d pids answer, all listed in this /proc", seen);
}

static void h2_interfaces(struct result *r)
{
	char buf[4096];
	if (read_file("/proc/net/dev", buf, sizeof(buf)) < 0) {
		say(r, V_FAIL, "cannot read /proc/net/dev");
		return;
	}
	int n = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		char *colon = strchr(l, ':');
		if (!colon || strstr(l, "|"))
			continue;
		*colon = '\0';
		while (*l == ' ')
			l++;
		if (strcmp(l, "lo") != 0) {
			say(r, V_FAIL, "interface %s is visible", l);
			return;
		}
		n++;
	}
	say(r, n == 1 ? V_PASS : V_FAIL, "%s", n == 1 ? "only lo" : "no lo");
}

static void h3_sysvipc(struct result *r)
{
	char buf[4096];
	if (read_file("/proc/sysvipc/shm", buf, sizeof(buf)) < 0) {
		say(r, V_FAIL, "cannot read /proc/sysvipc/shm");
		return;
	}
	char *second = strchr(buf, '\n');
	if (second && second[1])
		say(r, V_FAIL, "shared memory segments of another ipc namespace are listed");
	else
		say(r, V_PASS, "/proc/sysvipc/shm is empty");
}

static void h3_host_shm(struct result *r)
{
	const char *key = env("HUSK_ESC_SHMKEY");
	if (!key) {
		say(r, V_SKIP, "HUSK_ESC_SHMKEY not given");
		return;
	}
	errno = 0;
	long v = shmget((key_t)strtol(key, NULL, 0), 0, 0);
	refused(r, v, errno, ERRS(ENOENT));
}

static void h4_hostname(struct result *r)
{
	const char *host = env("HUSK_ESC_HOSTNAME");
	char name[256] = "";
	gethostname(name, sizeof(name));
	if (!host)
		say(r, V_SKIP, "HUSK_ESC_HOSTNAME not given");
	else if (strcmp(host, name) == 0)
		say(r, V_FAIL, "the host's name '%s' is visible", name);
	else
		say(r, V_PASS, "'%s', not the host's", name);
}

static void h5_cgroup(struct result *r)
{
	char buf[4096];
	if (read_file("/proc/self/cgroup", buf, sizeof(buf)) < 0) {
		say(r, V_FAIL, "cannot read /proc/self/cgroup");
		return;
	}
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		char *path = strrchr(l, ':');
		if (!path || strcmp(path, ":/") != 0) {
			say(r, V_FAIL, "host cgroup path visible: %s", l);
			return;
		}
	}
	say(r, V_PASS, "every hierarchy reads /");
}

/* ---- I: cgroups ------------------------------------------------------------ */

CALL_PROBE(i1_mount_cgroup, mount("cgroup", "/tmp", "cgroup", 0, "rdma"), BLOCKED)

static void i2_cgroupfs(struct result *r)
{
	static const char *const paths[] = { "/sys/fs/cgroup/cgroup.procs",
					     "/sys/fs/cgroup/memory/memory.limit_in_bytes",
					     "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/pids.max",
					     NULL };
	no_write_open_all(r, paths);
}

/* ---- J: resource abuse, bounded ------------------------------------------- */

static void j1_fork_bomb(struct result *r)
{
	const char *limit = env("HUSK_ESC_PIDS");
	if (!limit) {
		say(r, V_SKIP, "no --pids limit configured");
		return;
	}
	int max = 2 * atoi(limit) + 16, n = 0, e = 0;
	pid_t kids[1024];
	if (max > 1024)
		max = 1024;
	for (; n < max; n++) {
		pid_t c = fork();
		if (c == 0) {
			pause();
			_exit(0);
		}
		if (c < 0) {
			e = errno;
			break;
		}
		kids[n] = c;
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	if (e == EAGAIN)
		say(r, V_PASS, "fork EAGAIN after %d children (--pids %s)", n, limit);
	else
		say(r, V_FAIL, "%d children and no EAGAIN (%s)", n, e ? ename(e) : "ceiling reached");
}

static void j2_memory_bomb(struct result *r)
{
	const char *limit = env("HUSK_ESC_MEMORY");
	if (!limit) {
		say(r, V_SKIP, "no --memory limit configured");
		return;
	}
	size_t max = 2 * strtoull(limit, NULL, 10);
	if (max > (512ul << 20))
		max = 512ul << 20;
	pid_t c = fork();
	if (c == 0) {
		for (size_t done = 0; done < max; done += 1 << 20) {
			char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(2);
			memset(p, 1, 1 << 20);
		}
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		say(r, V_PASS, "the hog was OOM-killed below 2x --memory");
	else
		say(r, V_FAIL, "the hog %s", WIFEXITED(st) && WEXITSTATUS(st) == 0
						      ? "touched 2x --memory unharmed"
						      : "ended otherwise");
}

static void j3_tmpfs_fill(struct result *r)
{
	int fd = open("/tmp/.husk-fill", O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		say(r, V_SKIP, "/tmp is not writable here");
		return;
	}
	static char block[1 << 16];
	size_t total = 0, ceiling = 512ul << 20;
	int e = 0;
	while (total < ceiling) {
		ssize_t k = write(fd, block, sizeof(block));
		if (k < 0) {
			e = errno;
			break;
		}
		total += (size_t)k;
	}
	close(fd);
	unlink("/tmp/.husk-fill");
	if (e == ENOSPC)
		say(r, V_PASS, "ENOSPC after %zu MiB", total >> 20);
	else
		say(r, V_FAIL, "%zu MiB written, %s", total >> 20, e ? ename(e) : "no limit");
}

static void j4_fd_bomb(struct result *r)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	int n = 0, e = 0;
	for (; n < 70000; n++)
		if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0) {
			e = errno;
			break;
		}
	if (e == EMFILE && (rlim_t)n < rl.rlim_cur)
		say(r, V_PASS, "EMFILE after %d opens (RLIMIT_NOFILE %llu)", n,
		    (unsigned long long)rl.rlim_cur);
	else
		say(r, V_FAIL, "%d opens, %s", n, e ? ename(e) : "no limit");
}

static void j5_mlock(struct result *r)
{
	struct rlimit rl;
	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY) {
		say(r, V_FAIL, "RLIMIT_MEMLOCK is unlimited");
		return;
	}
	size_t len = (size_t)rl.rlim_cur + (1 << 20);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	errno = 0;
	long v = p == MAP_FAILED ? -1 : mlock(p, len);
	refused(r, v, errno, ERRS(ENOMEM, EPERM, EAGAIN));
}

static void j6_fifo(struct result *r)
{
	struct sched_param sp = { .sched_priority = 1 };
	errno = 0;
	long v = sched_setscheduler(0, SCHED_FIFO, &sp);
	refused(r, v, errno, BLOCKED);
}

CALL_PROBE(j6_nice, setpriority(PRIO_PROCESS, 0, -20), ERRS(EACCES, EPERM))

/* A crash must not reach the host's core_pattern helper (core(5)). */
static void j7_core(struct result *r)
{
	pid_t c = fork();
	if (c == 0) {
		signal(SIGABRT, SIG_DFL);
		abort();
	}
	int st;
	waitpid(c, &st, 0);
	if (WIFSIGNALED(st) && !WCOREDUMP(st))
		say(r, V_PASS, "the crash left no core");
	else
		say(r, V_FAIL, "a core was dumped");
}

/* ---- the table -------------------------------------------------------------- */

struct probe {
	const char *id, *name;
	void (*fn)(struct result *);
};

static const struct probe probes[] = {
	{ "A1", "user namespace differs", a1_user },
	{ "A1", "mount namespace differs", a1_mnt },
	{ "A1", "pid namespace differs", a1_pid },
	{ "A1", "net namespace differs", a1_net },
	{ "A1", "ipc namespace differs", a1_ipc },
	{ "A1", "uts namespace differs", a1_uts },
	{ "A1", "cgroup namespace differs", a1_cgroup },
	{ "A2", "uid_map small, no host root", a2_uid_map },
	{ "A2", "gid_map small, no host root", a2_gid_map },
	{ "A3", "setgroups deny", a3_setgroups },
	{ "A4", "no_new_privs", a4_nnp },
	{ "A5", "seccomp filter on", a5_seccomp },
	{ "A6", "capability sets", a6_caps },
	{ "A7", "no launcher secrets", a7_secrets },
	{ "A9", "rlimits", a9_rlimits },
	{ "B1", "root read-only", b1_readonly_root },
	{ "B2", "remount / rw", b2_remount_rw },
	{ "B3", "mount tmpfs", b3_mount_tmpfs },
	{ "B3", "fsopen", b3_fsopen },
	{ "B3", "open_tree clone", b3_open_tree },
	{ "B3", "move_mount", b3_move_mount },
	{ "B3", "mount_setattr", b3_mount_setattr },
	{ "B4", "umount a mask", b4_umount_mask },
	{ "B5", "no shared propagation", b5_propagation },
	{ "B6", "old root detached", b6_one_root },
	{ "B6", "/.. is /", b6_dotdot },
	{ "B6", "chroot escape", b6_chroot },
	{ "B6", "pivot_root", b6_pivot_root },
	{ "B8", "no leaked fds", b8_fds },
	{ "B9", "cwd inside the root", b9_cwd },
	{ "B10", "/proc/PID/exe not writable (CVE-2019-5736)", b10_proc_exe },
	{ "B11", "open_by_handle_at (shocker)", b11_shocker },
	{ "B12", "every mount nosuid", b12_nosuid },
	{ "B12", "setuid exec gains nothing", b12_setuid_exec },
	{ "B13", "writable mounts bounded", b13_writable_bounded },
	{ "C1", "masked paths", c1_masked },
	{ "C2", "read-only proc paths", c2_readonly_proc },
	{ "C3", "core_pattern", c3_core_pattern },
	{ "C3", "modprobe", c3_modprobe },
	{ "C3", "poweroff_cmd", c3_poweroff_cmd },
	{ "C3", "binfmt_misc register", c3_binfmt_register },
	{ "C3", "uevent_helper", c3_uevent_helper },
	{ "C3", "sysrq-trigger", c3_sysrq_trigger },
	{ "C4", "mount proc", c4_mount_proc },
	{ "C4", "mount sysfs", c4_mount_sysfs },
	{ "C6", "kallsyms addresses", c6_kallsyms },
	{ "C6", "syslog", c6_syslog },
	{ "C6", "/proc/kmsg", c6_proc_kmsg },
	{ "C6", "/dev/kmsg", c6_dev_kmsg },
	{ "C7", "namespaced sysctls read-only", c7_net_sysctl },
	{ "D1", "minimal /dev", d1_dev_minimal },
	{ "D2", "mknod devices", d2_mknod },
	{ "D3", "image device nodes inert", d3_image_device },
	{ "D4", "device cgroup", d4_devices_cgroup },
	{ "D5", "no controlling tty", d5_dev_tty },
	{ "D5", "TIOCSTI", d5_tiocsti },
	{ "D5", "TIOCSTI high bits (CVE-2019-10063)", d5_tiocsti_high },
	{ "D6", "TIOCLINUX", d6_tioclinux },
	{ "D7", "private devpts", d7_devpts },
	{ "E1", "setuid(0)", e1_setuid },
	{ "E1", "setgroups", e1_setgroups },
	{ "E2", "ambient raise", e2_ambient_raise },
	{ "E4", "capset", e4_capset },
	{ "E5", "PTRACE_TRACEME", e5_traceme },
	{ "E5", "PTRACE_ATTACH init", e5_attach_init },
	{ "E5", "process_vm_readv init", e5_vm_readv },
	{ "E5", "kcmp", e5_kcmp },
	{ "E6", "init_module", e6_init_module },
	{ "E6", "finit_module", e6_finit_module },
	{ "E6", "delete_module", e6_delete_module },
	{ "E7", "kexec_load", e7_kexec_load },
	{ "E7", "kexec_file_load", e7_kexec_file_load },
	{ "E8", "reboot", e8_reboot },
	{ "E9", "clock_settime", e9_clock_settime },
	{ "E9", "settimeofday", e9_settimeofday },
	{ "E9", "adjtimex", e9_adjtimex },
	{ "E10", "iopl", e10_iopl },
	{ "E10", "ioperm", e10_ioperm },
	{ "E11", "AF_PACKET raw socket", e11_packet_raw },
	{ "E11", "AF_INET raw socket", e11_inet_raw },
	{ "E12", "netdevice config (NET_ADMIN)", e12_net_admin },
	{ "E13", "swapon", e13_swapon },
	{ "E13", "quotactl", e13_quotactl },
	{ "E13", "acct", e13_acct },
	{ "E13", "sethostname", e13_sethostname },
	{ "E13", "setdomainname", e13_setdomainname },
	{ "E13", "vhangup", e13_vhangup },
	{ "E14", "keyctl", e14_keyctl },
	{ "E14", "add_key", e14_add_key },
	{ "E14", "request_key", e14_request_key },
	{ "E15", "setns", e15_setns },
	{ "E15", "unshare other namespaces", e15_unshare },
	{ "E15", "open init's namespaces", e15_open_init_ns },
	{ "F2", "unshare(CLONE_NEWUSER)", f2_unshare_user },
	{ "F2", "clone(CLONE_NEWUSER)", f2_clone_user },
	{ "F3", "clone3 gets ENOSYS", f3_clone3 },
#if defined(__x86_64__)
	{ "F4", "x32 ABI", f4_x32 },
	{ "F4", "i386 int 0x80", f4_int80 },
#endif
	{ "F5", "socket family high bits", f5_socket_high },
	{ "F6", "io_uring", f6_io_uring },
	{ "F7", "userfaultfd", f7_userfaultfd },
	{ "F8", "bpf", f8_bpf },
	{ "F8", "perf_event_open", f8_perf_event_open },
	{ "F9", "AF_ALG socket", f9_af_alg },
	{ "F9", "AF_VSOCK socket", f9_af_vsock },
	{ "F10", "personality(ADDR_NO_RANDOMIZE)", f10_personality },
	{ "F11", "unknown syscalls get ENOSYS", f11_unknown },
	{ "F13", "the filter cannot be lifted", f13_filter_stays },
	{ "G1", "host runtime sockets", g1_host_sockets },
	{ "G2", "host abstract socket", g2_abstract },
	{ "G2", "/proc/net/unix", g2_proc_net_unix },
	{ "G3", "host loopback port", g3_host_port },
	{ "G3", "cloud metadata address", g3_metadata },
	{ "H1", "pids outside the namespace", h1_pids },
	{ "H2", "only lo", h2_interfaces },
	{ "H3", "sysvipc empty", h3_sysvipc },
	{ "H3", "host shm key", h3_host_shm },
	{ "H4", "host name", h4_hostname },
	{ "H5", "cgroup paths", h5_cgroup },
	{ "I1", "mount cgroup v1 (CVE-2022-0492)", i1_mount_cgroup },
	{ "I2", "cgroupfs not writable", i2_cgroupfs },
	{ "J1", "fork bomb", j1_fork_bomb },
	{ "J2", "memory bomb", j2_memory_bomb },
	{ "J3", "tmpfs fill", j3_tmpfs_fill },
	{ "J4", "fd bomb", j4_fd_bomb },
	{ "J5", "mlock", j5_mlock },
	{ "J6", "SCHED_FIFO", j6_fifo },
	{ "J6", "nice -20", j6_nice },
	{ "J7", "no core dump", j7_core },
};

/* Runs one probe in a child with a deadline; how the child ended is part
 * of the answer: SIGSYS means the filter killed the call. */
static struct result run_probe(const struct probe *p)
{
	struct result res = { .verdict = V_FAIL };
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		say(&res, V_FAIL, "pipe: %s", ename(errno));
		return res;
	}
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		close(fds[0]);
		alarm(20);
		struct result mine = { .verdict = V_FAIL, .detail = "no verdict" };
		p->fn(&mine);
		if (write(fds[1], &mine, sizeof(mine)) != (ssize_t)sizeof(mine))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	ssize_t k = c > 0 ? read(fds[0], &res, sizeof(res)) : -1;
	close(fds[0]);
	int st = 0;
	if (c > 0)
		waitpid(c, &st, 0);
	if (k == (ssize_t)sizeof(res))
		return res;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		say(&res, V_PASS, "killed by SIGSYS");
	else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		say(&res, V_FAIL, "timed out (the call blocked)");
	else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !strcmp(p->id, "F4"))
		say(&res, V_SKIP, "SIGSEGV: this kernel has no i386 emulation");
	else if (WIFSIGNALED(st))
		say(&res, V_FAIL, "died of %s", strsignal(WTERMSIG(st)));
	else
		say(&res, V_FAIL, "ended without a verdict (status %d)", st);
	return res;
}

/* Host side: a TCP listener on 127.0.0.1, an abstract unix socket and a
 * SysV shm segment that the sandbox must not reach. */
static int host_helper(const char *file)
{
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof(a);
	if (t < 0 || bind(t, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(t, 64) < 0 ||
	    getsockname(t, (struct sockaddr *)&a, &al) < 0) {
		perror("escape: host helper: tcp");
		return 1;
	}
	char name[64];
	snprintf(name, sizeof(name), "husk-escape-%d", (int)getpid());
	int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un ua = { .sun_family = AF_UNIX };
	memcpy(ua.sun_path + 1, name, strlen(name));
	if (u < 0 ||
	    bind(u, (struct sockaddr *)&ua,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))) < 0 ||
	    listen(u, 64) < 0) {
		perror("escape: host helper: abstract socket");
		return 1;
	}
	key_t key = (key_t)(0x48550000 | (getpid() & 0xffff));
	int shm = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	if (shm < 0) {
		perror("escape: host helper: shmget");
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	FILE *f = fopen(file, "w");
	if (!f) {
		shmctl(shm, IPC_RMID, NULL);
		perror(file);
		return 1;
	}
	fprintf(f, "HUSK_ESC_PORT=%d\nHUSK_ESC_ABSTRACT=%s\nHUSK_ESC_SHMKEY=%#x\n",
		ntohs(a.sin_port), name, (unsigned)key);
	fclose(f);
	int sig;
	sigwait(&set, &sig);
	shmctl(shm, IPC_RMID, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--euid") == 0) {
		printf("%u\n", (unsigned)geteuid());
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--host-helper") == 0)
		return host_helper(argv[2]);

	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d) &&
		    n_startup_fds < (int)(sizeof(startup_fds) / sizeof(startup_fds[0])))
			startup_fds[n_startup_fds++] = atoi(de->d_name);
	if (d)
		closedir(d);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Arguments, if any, name the probe ids to run (e.g. J1 J2). */
	int passed = 0, failed = 0, skipped = 0;
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];
		bool chosen = argc == 1;
		for (int a = 1; a < argc && !chosen; a++)
			chosen = strcmp(argv[a], p->id) == 0;
		if (!chosen)
			continue;
		struct result res = run_probe(p);
		static const char *const words[] = { "PASS", "FAIL", "SKIP" };
		printf("%s %s %s: %s\n", words[res.verdict], p->id, p->name, res.detail);
		passed += res.verdict == V_PASS;
		failed += res.verdict == V_FAIL;
		skipped += res.verdict == V_SKIP;
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
