/* The option table: one source for the command line, --help and (later)
 * profile files, so they cannot drift apart. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy/policy.h"
#include "front/search.h"

/* Which part of an option's value is a host path, so a profile file can
 * take relative ones from its own directory. */
enum option_path {
	OPT_PATH_NONE = 0,
	OPT_PATH_WHOLE,	  /* DIR */
	OPT_PATH_SOURCE,  /* SRC[:DST] */
	OPT_PATH_IF_FILE, /* a name; a path when it holds a '/' or names a file beside */
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
	const struct search_path *profiles; /* where --profile NAME is looked up */
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

/* What --help shows: everything (husk --help), or one command's options
 * (husk run --help, husk check --help). */
enum help_scope { HELP_ALL = 0, HELP_RUN, HELP_CHECK };

/* The front ends' own options (--dry-run, --json, ...), not the policy's;
 * ended by a NULL name. */
struct front_option {
	const char *name, *arg, *help;
	enum help_scope scope; /* the command it belongs to */
};
extern const struct front_option front_options[];
void options_print_help(FILE *out, enum help_scope scope);
/* The usage lines alone, for a bare "husk". */
void options_print_usage(FILE *out);
/* The --help section an option of the table is listed in; NULL if none. */
const char *options_help_group(const char *name);
