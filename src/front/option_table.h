/* The option table: one source for the command line, profile files,
 * --help, completion and the man page's option list, so they cannot drift
 * apart. Below both front ends (options.h for argv, profile.h for files). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy/policy.h"

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

extern const struct husk_option husk_run_options[];
const struct husk_option *options_find(const char *name);

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
