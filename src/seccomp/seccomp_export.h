/* A husk profile in the other ecosystems' format: Docker/OCI seccomp JSON,
 * for docker run --security-opt seccomp=FILE, Podman, Kubernetes'
 * localhost/ profiles and an OCI config's linux.seccomp. husk's own
 * importer (seccomp_json.h) reads it back to the same rules. */
#pragma once

#include <json-c/json.h>

#include "seccomp/seccomp_profile.h"

/* The profile as a JSON object (the caller puts it), native architecture
 * only, as husk's filter is. */
json_object *sc_profile_export_oci(const struct sc_profile *p);
