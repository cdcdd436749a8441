#include "host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int host_seccomp_mode(const char *root)
{
	char path[512], buf[4096];
	snprintf(path, sizeof(path), "%s/proc/self/status", root);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	const char *s = strstr(buf, "\nSeccomp:");
	int mode;
	if (!s || sscanf(s + 9, "%d", &mode) != 1)
		return -1;
	return mode;
}

const char *host_container(const char *root, const char *container_env)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/.dockerenv", root);
	if (access(path, F_OK) == 0)
		return "docker";
	snprintf(path, sizeof(path), "%s/run/.containerenv", root);
	if (access(path, F_OK) == 0)
		return "podman";
	if (container_env && *container_env)
		return container_env;
	return NULL;
}

const char *host_clone_hint(int err, int seccomp_mode, const char *container, char *buf,
			    size_t len)
{
	switch (err) {
	case EPERM:
	case EACCES:
		/* A container engine's default seccomp profile (Docker's,
		 * Podman's) refuses clone with namespace flags: then the
		 * sysctls are not the cause, and saying so saves an hour. */
		if (seccomp_mode == 2 || container) {
			char where[96] = "";
			if (container)
				snprintf(where, sizeof(where), "in a container (%s)%s", container,
					 seccomp_mode == 2 ? " " : "");
			snprintf(buf, len,
				 " (husk runs %s%s, which refuses new namespaces, whatever the "
				 "sysctls say: give the container --security-opt seccomp=unconfined, "
				 "or its engine's profile with namespaces allowed)",
				 where,
				 seccomp_mode == 2 ? "under a seccomp filter (Seccomp: 2 in "
						     "/proc/self/status)"
						   : "");
			return buf;
		}
		return " (unprivileged user namespaces may be disabled: check the sysctls "
		       "kernel.unprivileged_userns_clone and "
		       "kernel.apparmor_restrict_unprivileged_userns)";
	case ENOSPC:
		return " (the namespace limit was reached: see user.max_user_namespaces and "
		       "nesting depth)";
	case EINVAL:
		return " (the kernel lacks a namespace type husk needs)";
	default:
		return "";
	}
}
