/* The command-line front end: husk run and husk check arguments into the
 * policy, with --profile files applied where they stand. */
#pragma once

#include <stdbool.h>

#include "front/option_table.h"
#include "base/search.h"
#include "policy/policy.h"

/* What the command line asks of the front end itself, not of the policy. */
struct run_flags {
	const struct search_path *profiles; /* where --profile NAME is looked up */
	bool dry_run;		 /* --dry-run: resolve and report, do not launch */
	bool timing;		 /* --timing: print each launch step's time at exit */
	bool json;		 /* --json: the report as JSON */
	bool threshold_set;	 /* --threshold X: fail when the exposure is above X */
	const char *bundle;	 /* --bundle DIR: an OCI bundle, read before the options */
	const char *profile;	 /* the last --profile given (check --bundle's gate verdict) */
	double threshold;
};

/* Fills p from "husk run" or "husk check" arguments (argv[0] is the
 * command), --profile files where they stand. Options stop at "--" or the
 * first non-option; the rest is the program and its arguments. Returns 0;
 * 1 when --help was printed; or a negative errno after one line on stderr.
 * Does not finalize. */
int policy_from_argv(struct husk_policy *p, int argc, char *const argv[], struct run_flags *f);

