#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

int idmap_format(char *buf, size_t len, uint32_t inside, uint32_t outside)
{
	int n = snprintf(buf, len, "%u %u 1\n", inside, outside);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

static int write_proc(pid_t pid, const char *file, const char *data)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "user namespace: open %s", path);
	size_t len = strlen(data);
	ssize_t w = write(fd, data, len);
	if (w < 0)
		return log_errno(-errno, "user namespace: write '%.*s' to %s", (int)strcspn(data, "\n"),
				 data, path);
	if ((size_t)w != len)
		return log_errno(-EIO, "user namespace: short write to %s", path);
	return 0;
}

int idmap_write(pid_t pid, uint32_t uid_in, uint32_t uid_out, uint32_t gid_in, uint32_t gid_out)
{
	char buf[64];
	int r;
	if ((r = idmap_format(buf, sizeof(buf), uid_in, uid_out)) < 0)
		return r;
	if ((r = write_proc(pid, "uid_map", buf)) < 0)
		return r;
	if ((r = write_proc(pid, "setgroups", "deny")) < 0)
		return r;
	if ((r = idmap_format(buf, sizeof(buf), gid_in, gid_out)) < 0)
		return r;
	return write_proc(pid, "gid_map", buf);
}
