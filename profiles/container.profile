# husk profile for a container's entrypoint (husk-profile(5), husk(1)
# "AS A CONTAINER ENTRYPOINT"):
#
#   ENTRYPOINT ["/usr/bin/husk", "run", "--profile", "container", "--", "/app"]
#
# Inside Docker, Podman or Kubernetes, husk may be refused namespaces (the
# engines' default seccomp profiles refuse them). With "namespaces auto" it
# uses them where they work and otherwise runs the service in place: its
# own ids, every capability dropped but the allowed ones, no_new_privs,
# Landlock (the root read-only, writes only to the tmpfs and binds named
# here, which in place must be the container's own volumes or tmpfs
# mounts), husk's seccomp filter stacked on the engine's, rlimits, a clean
# environment, and husk as pid 1 reaping, forwarding signals and returning
# the service's status. Each layer not in force is one warning at start.
# GOMAXPROCS and GOMEMLIMIT follow the container's --cpus and --memory.

include base.profile

namespaces auto
rootfs /                       # the container's root, read-only
landlock auto
