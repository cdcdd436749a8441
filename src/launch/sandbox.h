/* The launch pipeline: one ordered sequence of steps that reads a
 * finalized policy and never parses text. */
#pragma once

#include "policy/policy.h"

/* Runs the sandbox to completion and returns husk's exit code: the
 * service's status, 128+signal, or 125 when a launch step failed. Under
 * --cgroup auto the policy's limits become those in force (see
 * policy_limits_in_force), so the one change it makes is to the policy. */
int sandbox_run(struct husk_policy *p);

/* For husk check under --namespaces auto: whether the kernel (and the
 * container around husk) lets husk create the sandbox's namespaces. A
 * child is cloned with them and exits at once. 0, or the clone's negative
 * errno where it refused. */
int sandbox_probe_namespaces(const struct husk_policy *p);
