/* What husk run resolves before the clone, and husk check with it, so that
 * check refuses what run would: the rootfs and bind sources, where every
 * mount goes (view.h), the working directory, the program found in the
 * service's PATH inside the sandbox with its #! and ELF interpreters, and
 * (for check, which creates nothing) whether a needed cgroup can be made.
 * Only reads. The sandbox's init plans the mounts again over the real
 * tree, which stays authoritative. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "base/util.h"

#define PREFLIGHT_MAX_ERRORS 8

struct preflight_error {
	const char *step; /* rootfs, mounts, chdir, exec, cgroup */
	char detail[512];
	char fix[256];
	int exit_code; /* what husk run exits with: 125, or 126/127 for the program */
};

struct preflight {
	struct preflight_error e[PREFLIGHT_MAX_ERRORS];
	size_t n;
	struct strv mirrors;	 /* "DIR for DST" of each mirror the mounts need */
	char program[4096];	 /* the program as found, in the sandbox */
	struct cg_degraded cg;	 /* --cgroup auto: the knobs that would not apply */
};

/* check_cgroup: also test that the cgroup husk would create can be made
 * (run creates it for real, with its own error). Returns the number of
 * errors; out must be freed with preflight_free. */
size_t preflight_run(const struct husk_policy *p, bool check_cgroup, struct preflight *out);
void preflight_free(struct preflight *pf);
