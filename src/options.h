/* The option table: one source for the command line, --help and (later)
 * profile files, so they cannot drift apart. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

struct husk_option {
	const char *name; /* long option name, without "--" */
	const char *arg;  /* argument placeholder for help; NULL: takes none */
	const char *help; /* one line */
	bool repeatable;
	/* Applies one value to the policy. On error writes the reason (without
	 * the option name) into err and returns a negative errno. */
	int (*apply)(struct husk_policy *p, const char *arg, char *err, size_t errlen);
};

extern const struct husk_option husk_run_options[];
const struct husk_option *options_find(const char *name);

/* Fills p from "husk run" arguments (argv[0] is "run"). Options stop at
 * "--" or the first non-option; the rest is the program and its
 * arguments. Returns 0; 1 when --help was printed; or a negative errno
 * after one line on stderr. Does not finalize. */
int policy_from_argv(struct husk_policy *p, int argc, char *const argv[]);

void options_print_help(const char *prog);
