#include "launch/host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/util.h"
#include "launch/landlock.h"

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
				 "sysctls say: run husk with --namespaces auto to add the layers "
				 "the container allows (husk(1), AS A CONTAINER ENTRYPOINT), or give "
				 "the container --security-opt seccomp=unconfined)",
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

/* Whether the kernel has the system call just made: the probes pass
 * arguments a kernel that has it refuses with EINVAL, never ENOSYS. */
static const char *has_syscall(long r)
{
	return r < 0 && errno == ENOSYS ? "no" : "yes";
}

static void print_sysctl(FILE *out, const char *label, const char *path)
{
	char buf[64];
	if (read_text(path, buf, sizeof(buf)) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		fprintf(out, "%s: %s (%s)\n", label, buf, path);
	}
}

static const char *cgroup_layout(void)
{
	static char mi[1 << 16];
	if (read_text("/proc/self/mountinfo", mi, sizeof(mi)) < 0)
		return "unknown";
	bool v1 = strstr(mi, " - cgroup cgroup ") != NULL;
	bool v2 = strstr(mi, " - cgroup2 ") != NULL;
	return v1 && v2 ? "hybrid (controllers in v1 hierarchies, cgroup2 beside)"
	       : v2	? "cgroup v2"
	       : v1	? "cgroup v1"
			: "none mounted";
}

void host_print_features(FILE *out)
{
	const struct scmp_version *v = seccomp_version();
	fprintf(out, "libseccomp: %u.%u.%u, API level %u\n", v->major, v->minor, v->micro,
		seccomp_api_get());
	struct utsname u;
	if (uname(&u) == 0)
		fprintf(out, "kernel: %s %s\n", u.release, u.machine);
	int mode = host_seccomp_mode("");
	fprintf(out, "seccomp: %s\n",
		mode < 0    ? "not in this kernel"
		: mode == 2 ? "yes; husk itself runs under a filter (Seccomp: 2)"
			    : "yes");
	print_sysctl(out, "user namespaces, at most", "/proc/sys/user/max_user_namespaces");
	print_sysctl(out, "unprivileged user namespaces", "/proc/sys/kernel/unprivileged_userns_clone");
	print_sysctl(out, "AppArmor restricts unprivileged user namespaces",
		     "/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	fprintf(out, "clone3: %s\n", has_syscall(syscall(SYS_clone3, NULL, 0)));
	fprintf(out, "openat2: %s\n", has_syscall(syscall(SYS_openat2, -1, NULL, NULL, 0)));
	fprintf(out, "close_range: %s\n", has_syscall(syscall(SYS_close_range, 1, 0, 0)));
	fprintf(out, "cgroups: %s\n", cgroup_layout());
	int abi = landlock_abi();
	if (abi > 0)
		fprintf(out, "landlock: ABI %d\n", abi);
	else
		fprintf(out, "landlock: not available\n");
	const char *c = host_container("", getenv("container"));
	if (c)
		fprintf(out, "container: %s\n", c);
}
