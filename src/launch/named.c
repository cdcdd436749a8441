#include "launch/named.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/util.h"

static char dir[PATH_MAX];

/* DIR/FILE into out; false when it does not fit. */
static bool sub(char *out, size_t len, const char *d, const char *file)
{
	int n = snprintf(out, len, "%s/%s", d, file);
	return n > 0 && (size_t)n < len;
}
static int lock_fd = -1, ctl_fd = -1;
static json_object *status;

bool named_valid(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > NAMED_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

int named_base(char *out, size_t len, char *err, size_t errlen)
{
	if (geteuid() == 0) {
		snprintf(out, len, "/run/husk");
		return 0;
	}
	const char *x = getenv("XDG_RUNTIME_DIR");
	if (!x || x[0] != '/')
		return errf(err, errlen, -ENOENT,
			    "XDG_RUNTIME_DIR is not set (a login session sets it; else set it to a "
			    "directory of your own, such as /run/user/%u)",
			    (unsigned)getuid());
	if ((size_t)snprintf(out, len, "%s/husk", x) >= len)
		return errf(err, errlen, -ENAMETOOLONG, "XDG_RUNTIME_DIR is too long");
	return 0;
}

/* The directory, ours and closed to others: a name's state must not be
 * readable or replaceable by another user. */
static int own_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	struct stat st;
	if (lstat(path, &st) < 0)
		return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return errf(err, errlen, -EPERM,
			    "%s: not a directory of uid %u's alone (mode %o, owner %u); remove it", path,
			    (unsigned)geteuid(), (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	return 0;
}

static pid_t holder_of(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_GETLK, &fl) < 0)
		return -errno;
	return fl.l_type == F_UNLCK ? 0 : fl.l_pid;
}

/* D/lock, opened as flags says; an fd or a negative errno. */
static int open_lock(const char *d, int flags)
{
	char path[PATH_MAX];
	if (!sub(path, sizeof(path), d, "lock"))
		return -ENAMETOOLONG;
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

pid_t named_holder(const char *d)
{
	_cleanup_close_ int fd = open_lock(d, O_RDONLY);
	return fd < 0 ? fd : holder_of(fd);
}

static void remove_state(const char *d)
{
	static const char *const files[] = { "status.json", "status.json.tmp", "ctl", "pid", "lock" };
	char path[PATH_MAX];
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (sub(path, sizeof(path), d, files[i]))
			unlink(path);
	rmdir(d);
}

int named_clean_stale(const char *d)
{
	_cleanup_close_ int fd = open_lock(d, O_RDWR);
	if (fd < 0)
		return fd;
	/* Taken first, so a husk claiming the name meanwhile is not robbed. */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &fl) < 0)
		return -EBUSY;
	remove_state(d);
	return 0;
}

int named_claim(const char *name, char *err, size_t errlen)
{
	char base[PATH_MAX - 128];
	int r = named_base(base, sizeof(base), err, errlen);
	if (r < 0)
		return r;
	if ((r = own_dir(base, err, errlen)) < 0)
		return r;
	if (!sub(dir, sizeof(dir), base, name))
		return errf(err, errlen, -ENAMETOOLONG, "%s/%s: too long", base, name);
	for (int tries = 0; tries < 3; tries++) {
		if ((r = own_dir(dir, err, errlen)) < 0)
			return r;
		char path[PATH_MAX];
		if (!sub(path, sizeof(path), dir, "lock"))
			return errf(err, errlen, -ENAMETOOLONG, "%s: too long", dir);
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		if (fcntl(fd, F_SETLK, &fl) < 0) {
			int e = errno;
			pid_t h = holder_of(fd);
			close(fd);
			if (e == EACCES || e == EAGAIN)
				return errf(err, errlen, -EEXIST,
					    "a sandbox named %s is running (husk pid %d); stop it with husk "
					    "stop %s, or choose another name",
					    name, (int)h, name);
			return errf(err, errlen, -e, "%s: lock: %s", path, strerror(e));
		}
		/* A husk cleaning a stale entry may have removed this file
		 * after we opened it: then the lock is on nothing, and we try
		 * again. */
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			lock_fd = fd;
			break;
		}
		close(fd);
	}
	if (lock_fd < 0)
		return errf(err, errlen, -EAGAIN, "%s: the entry kept changing; try again", dir);
	/* What a husk killed with SIGKILL left. */
	char path[PATH_MAX];
	static const char *const old[] = { "status.json", "status.json.tmp", "ctl", "pid" };
	for (size_t i = 0; i < ARRAY_SIZE(old); i++)
		if (sub(path, sizeof(path), dir, old[i]))
			unlink(path);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!sub(path, sizeof(path), dir, "ctl") || strlen(path) >= sizeof(sa.sun_path)) {
		named_release();
		return errf(err, errlen, -ENAMETOOLONG, "%s: too long for a socket's path", path);
	}
	strcpy(sa.sun_path, path);
	ctl_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl_fd < 0 || bind(ctl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ctl_fd, 8) < 0) {
		int e = errno;
		named_release();
		return errf(err, errlen, -e, "%s: %s", path, strerror(e));
	}
	/* The pid file, for scripts; the lock is what says it is live. */
	char pidtext[32];
	int n = snprintf(pidtext, sizeof(pidtext), "%d\n", (int)getpid());
	if (sub(path, sizeof(path), dir, "pid")) {
		int pf = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (pf >= 0) {
			if (write(pf, pidtext, (size_t)n) != n)
				unlink(path);
			close(pf);
		}
	}
	status = json_object_new_object();
	json_object_object_add(status, "name", json_object_new_string(name));
	json_object_object_add(status, "pid", json_object_new_int(getpid()));
	return 0;
}

bool named_on(void)
{
	return lock_fd >= 0;
}

int named_ctl_fd(void)
{
	return ctl_fd;
}

void named_set(const char *key, json_object *val)
{
	if (!status) {
		json_object_put(val);
		return;
	}
	json_object_object_add(status, key, val);
	char tmp[PATH_MAX], path[PATH_MAX];
	if (!sub(tmp, sizeof(tmp), dir, "status.json.tmp") || !sub(path, sizeof(path), dir, "status.json"))
		return;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	const char *text = json_object_to_json_string_ext(status, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(text);
	bool ok = write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
	close(fd);
	/* Readers see the old status or the new one, never half of one. */
	if (ok)
		rename(tmp, path);
	else
		unlink(tmp);
}

void named_close_in_child(void)
{
	/* A POSIX lock belongs to the process that took it: closing the
	 * child's copy leaves the monitor's lock alone. */
	if (ctl_fd >= 0)
		close(ctl_fd);
	if (lock_fd >= 0)
		close(lock_fd);
}

void named_release(void)
{
	if (ctl_fd >= 0)
		close(ctl_fd);
	ctl_fd = -1;
	if (lock_fd < 0)
		return;
	remove_state(dir);
	/* The lock goes with its fd, after the files: a claim that waits on
	 * it finds a clean directory. */
	close(lock_fd);
	lock_fd = -1;
	if (status)
		json_object_put(status);
	status = NULL;
}
