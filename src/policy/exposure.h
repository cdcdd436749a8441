/* The exposure score of a finalized policy, modelled on systemd-analyze
 * security: each check has a weight and a badness from 0 to its range, and
 *   score = ceil(sum(ceil(badness * weight / range)) * 100 / sum(weight))
 * shown as 0.0 (best) to 10.0. Pure: reads the policy and the parsed
 * seccomp profile, makes no system call. The checks and their weights are
 * listed in husk-profile(5). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "seccomp/seccomp_profile.h"

struct exposure_finding {
	const char *id;	    /* systemd's directive name where there is one */
	const char *layer;  /* network, identity, capabilities, seccomp, mounts, limits */
	unsigned weight;
	unsigned range;
	unsigned badness;   /* 0 .. range */
	char detail[160];   /* what the policy allows, or why it is fine */
	char fix[128];	    /* what would lower it; "" when badness is 0 */
};

#define EXPOSURE_MAX_FINDINGS 48

struct exposure {
	struct exposure_finding f[EXPOSURE_MAX_FINDINGS];
	size_t n;
	unsigned score; /* 0..100, tenths of the 0.0-10.0 scale */
};

/* prof: the service's seccomp profile; NULL when unconfined. */
void exposure_compute(const struct husk_policy *p, const struct sc_profile *prof, struct exposure *out);

/* systemd's labels: PERFECT, SAFE, OK, MEDIUM, EXPOSED, UNSAFE, DANGEROUS. */
const char *exposure_label(unsigned score);
