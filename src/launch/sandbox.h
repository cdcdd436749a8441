/* The launch pipeline: one ordered sequence of steps that reads a
 * finalized policy and never parses text. */
#pragma once

#include "policy/policy.h"

/* Runs the sandbox to completion and returns husk's exit code: the
 * service's status, 128+signal, or 125 when a launch step failed. Under
 * --cgroup auto the policy's limits become those in force (see
 * policy_limits_in_force), so the one change it makes is to the policy. */
int sandbox_run(struct husk_policy *p);
