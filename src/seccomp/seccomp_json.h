/* Docker, Podman and OCI seccomp profiles (JSON) into the profile model
 * of seccomp_profile.h. */
#pragma once

#include <stdint.h>

#include "seccomp/seccomp_profile.h"

/* Imports a Docker/OCI seccomp JSON profile; rules whose includes/excludes
 * name capabilities are kept or dropped by caps (a bitmask), as Docker does
 * for the container's capability set. */
int sc_profile_parse_json(struct sc_profile *p, const char *path, uint64_t caps, char *err,
			  size_t errlen);

/* The same, from a JSON text (an OCI config's linux.seccomp); name is
 * what errors call it. */
int sc_profile_parse_json_text(struct sc_profile *p, const char *text, const char *name,
			       uint64_t caps, char *err, size_t errlen);
