/* OCI hooks (runtime-spec config.md "POSIX-platform Hooks"): each hook
 * runs as a child of whoever calls, with the container's state JSON on
 * its stdin, its own args and env (nothing inherited), and a timeout. The
 * caller is where the spec says the stage runs: the monitor for prestart,
 * createRuntime, poststart and poststop (the runtime's namespaces); the
 * sandbox's init for createContainer (its namespaces, host paths, before
 * pivot_root) and startContainer (inside the root, before the service). */
#pragma once

#include <sys/types.h>

#include "policy/policy.h"

/* The name of a stage as config.json spells it ("createRuntime"). */
const char *hooks_stage_name(enum hook_stage st);

/* The state JSON (runtime-spec runtime.md#state) for p at status; pid is
 * the sandbox's as the runtime's pid namespace sees it. malloc'd, or NULL
 * when out of memory. */
char *hooks_state_json(const struct husk_policy *p, const char *status, pid_t pid);

/* Runs the hooks of stage st in order, each given state on stdin. The
 * first that fails (cannot start, exits non-zero, dies, or outlives its
 * timeout and is killed) ends the stage: a negative errno with
 * "hooks.STAGE[i] PATH: why" in err. */
int hooks_run(const struct husk_policy *p, enum hook_stage st, const char *state, char *err,
	      size_t errlen);

/* createContainer hooks run where the host's /tmp is covered by the root
 * being built: their files are opened (O_PATH) before the clone, here,
 * and run from those fds. fds gets one per hook of the stage (or -1). */
void hooks_open(const struct husk_policy *p, enum hook_stage st, int *fds);
int hooks_run_fds(const struct husk_policy *p, enum hook_stage st, const char *state,
		  const int *fds, char *err, size_t errlen);
