/* The launch pipeline: one ordered sequence of steps that reads a
 * finalized policy and never parses text. */
#pragma once

#include "policy.h"

/* Runs the sandbox to completion and returns husk's exit code: the
 * service's status, 128+signal, or 125 when a launch step failed. */
int sandbox_run(const struct husk_policy *p);
