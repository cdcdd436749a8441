/* husk check: the effective policy, resolved but not launched, with its
 * exposure findings, as JSON (json-c) or as text rendered from the same
 * JSON, so the two views cannot disagree. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "policy/exposure.h"
#include "policy/policy.h"
#include "launch/preflight.h"

/* p must be finalized; c is what it was finalized with (the profile
 * directory, to read the seccomp profile for its rule count); pf is its
 * preflight (the mirrors, and what run would refuse). Fills *e. Returns a
 * new JSON object, or NULL with err set. */
json_object *report_build(const struct husk_policy *p, const struct caller *c,
			  const struct preflight *pf, struct exposure *e, char *err, size_t errlen);

void report_print_text(json_object *report, FILE *out);
