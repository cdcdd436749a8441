/* husk for other runtimes (gate/gate.h judges): `husk hook gate`, an OCI
 * hook that refuses a container weaker than a profile, and `husk runtime`
 * (also installed as husk-runtime), an OCI runtime command line that
 * hardens or refuses a bundle on create and run, then hands every command
 * to the real runtime (runc by default). */
#pragma once

#include <json-c/json.h>

#include "base/search.h"
#include "gate/gate.h"

int cmd_hook(int argc, char *argv[], const struct search_path *profiles);
int cmd_runtime(int argc, char *argv[], const struct search_path *profiles);

/* A profile loaded for judging: its policy, its seccomp rules and the
 * want drawn from both. */
struct gate_profile {
	struct husk_policy p;
	struct sc_profile sc, sc_oci;
	struct gate_want want;
	char name[256];
};
/* Returns 0, or HUSK_EXIT_LAUNCH after one line naming the profile. */
int gate_profile_load(struct gate_profile *gp, const char *name, const struct search_path *profiles);
void gate_profile_free(struct gate_profile *gp);

/* The gate's verdict on BUNDLE/config.json as written, against a
 * profile (no rewrite). Returns 0 with it in res, or HUSK_EXIT_LAUNCH
 * after one line naming cmd (a profile or a config that cannot be read,
 * a field of the wrong type). */
int gate_judge_bundle(const char *cmd, const char *bundle, const char *profile,
		      const struct search_path *profiles, struct gate_result *res);

/* The verdict as lines: "RULE: why", unmet ones only unless all. */
void gate_print(FILE *out, const char *prefix, const struct gate_result *r, bool all);
