/* The OCI front end: a bundle's config.json (runtime-spec 1.0 to 1.1) into
 * struct husk_policy, and nothing else: the pipeline does not know where
 * the policy came from. A field husk cannot honour is an error naming its
 * JSON path; nothing is dropped without a word. husk-oci(5) lists what is
 * covered. Like the other front ends it makes no system call that changes
 * the system (it reads the bundle, and stats the host paths the config
 * names). */
#pragma once

#include <stddef.h>

#include "policy/policy.h"

/* Fills p from DIR/config.json: before the command line's options, which
 * then override it. Returns 0, or a negative errno with
 * "config.json: PATH: why" (or the file's own parse error) in err. */
int oci_load(struct husk_policy *p, const char *bundle, char *err, size_t errlen);

/* Whether a sysctl key is one a namespace of the sandbox holds (so
 * setting it changes nothing outside), given which of its namespaces are
 * its own. */
bool oci_sysctl_is_namespaced(const char *key, bool own_ipc, bool own_net);
