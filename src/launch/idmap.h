/* User namespace id maps: a single id inside mapped onto a single id
 * outside, written by the parent so no setuid helper (newuidmap) is needed;
 * and the range of unprivileged host ids that root-started husk maps the
 * service into. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Started as root with a user namespace, husk maps service id N onto host
 * id START + N, so nothing the service does (a file it creates through a
 * bind, a setuid bit it sets) belongs to host root or to any real account.
 * The range is the "husk" entry of /etc/subuid and /etc/subgid when there
 * is one (Docker's userns-remap uses "dockremap", Podman "containers");
 * otherwise this fixed one: systemd's UIDS-GIDS.md lists 1879048192 to
 * 2147352575 as unused by the host and by nspawn's container ranges. */
#define HUSK_SUBID_USER "husk"
#define HUSK_ROOT_RANGE_START 1879048192u
#define HUSK_ROOT_RANGE_COUNT 65536u

struct id_range {
	uint32_t start, count; /* count 0: not set */
};

/* "INSIDE OUTSIDE 1\n" into buf; returns the length or -ENOSPC. */
int idmap_format(char *buf, size_t len, uint32_t inside, uint32_t outside);

/* The first "NAME:START:COUNT" line for name in the text of a subuid(5)
 * file. Returns 0; -ENOENT when there is none; -EINVAL with a reason in
 * err for a malformed entry, one that covers host id 0 or one that runs
 * past the 32-bit id space. Other users' lines are not checked. */
int idmap_subid_parse(const char *text, const char *name, struct id_range *out, char *err,
		      size_t errlen);

/* idmap_subid_parse of a file; a missing file is -ENOENT. */
int idmap_subid_read(const char *path, const char *name, struct id_range *out, char *err,
		     size_t errlen);

/* The husk entries of /etc/subuid and /etc/subgid: both, or neither (then
 * both counts are 0). Returns 0 or a negative errno with a reason. */
int idmap_root_ranges(struct id_range *uids, struct id_range *gids, char *err, size_t errlen);

/* Parent side: writes uid_map, "deny" to setgroups, then gid_map of pid.
 * setgroups must be denied before an unprivileged gid_map write
 * (CVE-2014-8989: dropping a group could otherwise grant access). */
int idmap_write(pid_t pid, uint32_t uid_in, uint32_t uid_out, uint32_t gid_in, uint32_t gid_out);

/* One line of a uid_map or gid_map (an OCI config's uidMappings). */
struct id_mapping {
	uint32_t inside, outside, count;
};
/* "IN OUT COUNT" lines into buf; the length or -ENOSPC. */
int idmap_format_maps(char *buf, size_t len, const struct id_mapping *m, size_t n);
/* Parent side, for maps given whole: uid_map, setgroups ("deny" unless
 * allow_setgroups, which only root-started husk may ask), gid_map. */
int idmap_write_maps(pid_t pid, const struct id_mapping *u, size_t nu, const struct id_mapping *g,
		     size_t ng, bool allow_setgroups);

/* Pure: whether id is inside one of the ranges of a uid_map or gid_map
 * text ("INSIDE OUTSIDE COUNT" lines) as the process that reads it sees
 * them. */
bool idmap_text_covers(const char *map, uint32_t id);

/* Root-started husk inside a user namespace that maps only some ids (a
 * rootless container): whether the host ids the service would map to are
 * ids of husk's own user namespace. 0, or -ERANGE with a reason in err. */
int idmap_own_covers(uint32_t uid, uint32_t gid, char *err, size_t errlen);
