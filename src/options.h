/* The option table: one source for the command line, --help and (later)
 * profile files, so they cannot drift apart. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* Which part of an option's value is a host path, so a profile file can
 * take relative ones from its own directory. */
enum option_path {
	OPT_PATH_NONE = 0,
	OPT_PATH_WHOLE,	  /* DIR */
	OPT_PATH_SOURCE,  /* SRC[:DST] */
	OPT_PATH_IF_SLASH, /* a name, or a path when it holds a '/' */
};

struct husk_option {
	const char *name; /* long option name, without "--" */
	const char *arg;  /* argument placeholder for help; NULL: takes none */
	const char *help; /* one line */
	bool repeatable;
	/* Applies one value to the policy. On error writes the reason (without
	 * the option name) into err and returns a negative errno. */
	int (*apply)(struct husk_policy *p, const char *arg, char *err, size_t errlen);
	enum option_path path;
};

/* What the command line asks of the front end itself, not of the policy. */
struct run_flags {
	const char *profile_dir; /* where --profile NAME is looked up */
	bool dry_run;		 /* --dry-run: resolve and report, do not launch */
	bool timing;		 /* --timing: print each launch step's time at exit */
	bool json;		 /* --json: the report as JSON */
	bool threshold_set;	 /* --threshold X: fail when the exposure is above X */
	double threshold;
};

extern const struct husk_option husk_run_options[];
const struct husk_option *options_find(const char *name);

/* Fills p from "husk run" or "husk check" arguments (argv[0] is the
 * command), --profile files where they stand. Options stop at "--" or the
 * first non-option; the rest is the program and its arguments. Returns 0;
 * 1 when --help was printed; or a negative errno after one line on stderr.
 * Does not finalize. */
int policy_from_argv(struct husk_policy *p, int argc, char *const argv[], struct run_flags *f);

void options_print_help(const char *prog);
