/* What husk can see of where it runs: a seccomp filter already in force on
 * it, a container engine's marker. Used to name the real cause when the
 * kernel refuses namespaces, and printed by husk --version. The readers
 * take a root prefix so the unit tests can point them at a fake tree. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The Seccomp: field of root/proc/self/status: 0 none, 1 strict, 2 a
 * filter; -1 when it cannot be read. */
int host_seccomp_mode(const char *root);

/* The container engine husk seems to run under: "docker" (/.dockerenv),
 * "podman" (/run/.containerenv), the value of $container (systemd's
 * convention, set by podman, LXC, systemd-nspawn), or NULL. */
const char *host_container(const char *root, const char *container_env);

/* Pure: the hint for a refused clone of namespaces, err being its errno,
 * seccomp_mode and container what the functions above found. Returns a
 * string starting with " (" or "". */
const char *host_clone_hint(int err, int seccomp_mode, const char *container, char *buf,
			    size_t len);

/* For husk --version: libseccomp's version and API level, the kernel, and
 * the features husk probes for (user namespaces, seccomp, clone3, openat2,
 * close_range, the cgroup layout, a container around husk), one per line. */
void host_print_features(FILE *out);
