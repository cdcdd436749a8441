/* husk seccomp learn's output: a husk policy (husk-seccomp(5)) that allows
 * exactly the calls a run made, keyed where the format can condition on
 * the argument that says what is asked (socket families, ioctl requests,
 * prctl options, clone flags), grouped under the @groups they belong to.
 * Pure but for the file it reads back with --merge. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "seccomp/seccomp_notify.h"

/* Which argument a call is keyed on, or -1. */
int sc_learn_key_arg(const char *name);

/* Writes the policy for the allowed entries of seen. about: the header's
 * "from ..." text (the command line). */
int sc_learn_write(FILE *out, const struct sc_seen *seen, size_t n, const char *about);

/* --merge: the allows of an existing profile into seen (up to max
 * entries), as if a run had made them. Returns 0 or a negative errno with
 * the reason in err. */
int sc_learn_read(const char *path, struct sc_seen *seen, size_t *n, size_t max, char *err,
		  size_t errlen);
