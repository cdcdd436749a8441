/* Named syscall groups for the text policy format (@basic-io, ...). The
 * grouping follows systemd's SystemCallFilter= sets, which users of systemd
 * hardening already know; the lists are husk's own. Names that the running
 * libseccomp or architecture does not know are skipped when a group is used. */
#pragma once

struct sc_group {
	const char *name;	       /* without the '@' */
	const char *const *members; /* syscall names or "@group" references */
};

extern const struct sc_group sc_groups[];
const struct sc_group *sc_group_find(const char *name);
