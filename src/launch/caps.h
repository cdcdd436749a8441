/* Capabilities: the name table (pure) and the drop steps (libcap-ng). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "NET_BIND_SERVICE", "net_bind_service" or "CAP_NET_BIND_SERVICE" to the
 * capability number; -EINVAL for an unknown name. */
int caps_from_name(const char *name);
/* "NET_BIND_SERVICE" for a number; NULL when unknown. Static storage. */
const char *caps_to_name(int cap, char *buf, size_t buflen);

/* The kernel's idea of the last capability, which may be newer or older
 * than libcap-ng's. Read once and cached: the parent calls it before the
 * clone so init and the service inherit the value instead of each opening
 * /proc twice. */
int caps_last_cap(void);

/* Whether a service running as uid gets its kept capabilities in the
 * ambient set too: a non-root program keeps them across execve only so
 * (root gets them back from the bounding set). */
static inline bool caps_service_ambient(uint32_t uid)
{
	return uid != 0;
}

/* The five sets a service starts with. husk's own flags give the same caps
 * in the first four (and in ambient for a non-root service); an OCI
 * config names each set. */
struct cap_sets {
	uint64_t bnd, eff, prm, inh, amb;
};
struct cap_sets caps_sets_keep(uint64_t keep, bool ambient);

/* Service side, just before exec: every set becomes exactly what s holds
 * (ambient must lie in permitted and inheritable, as the kernel keeps it),
 * verified after applying; a negative errno on any mismatch. _as also
 * switches from root to uid/gid in the caller's user namespace
 * (capng_change_id), supplementary groups dropped unless keep_groups. */
int caps_apply(const struct cap_sets *s);
int caps_apply_as(const struct cap_sets *s, uint32_t uid, uint32_t gid, bool keep_groups);

/* Service side, just before exec: every set (effective, permitted,
 * inheritable, bounding, ambient) is cleared except the caps in keep. With
 * ambient, the kept caps are also raised in the ambient set, which is how a
 * non-root program keeps them across execve (static Go binaries have no file
 * capabilities and cannot be helped by LD_PRELOAD). Verified after applying;
 * returns a negative errno on any mismatch. */
int caps_drop_except(uint64_t keep, bool ambient);

/* The same, for a process that still has to switch from root to uid/gid in
 * the caller's user namespace (--userns host): the switch keeps exactly the
 * caps in keep (libcap-ng's capng_change_id), supplementary groups dropped. */
int caps_drop_except_as(uint64_t keep, bool ambient, uint32_t uid, uint32_t gid);

/* In place, for a husk that is not root: without CAP_SETPCAP the bounding
 * set cannot be dropped (a container started with --user keeps what the
 * engine left there). The other four sets are cleared but for keep, and
 * *bounding_left says what stays in the bounding set; no_new_privs keeps
 * execve from raising any of it. With CAP_SETPCAP, caps_drop_except. */
int caps_drop_except_in_place(uint64_t keep, bool ambient, uint64_t *bounding_left);
