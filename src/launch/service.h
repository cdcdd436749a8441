/* The service process: the last steps before exec, in the order that keeps
 * each one from undoing an earlier one. */
#pragma once

#include "policy/policy.h"
#include "seccomp/seccomp_filter.h"

/* Runs in the service process (pid 2) after the filesystem is in place.
 * Never returns: execs the program, or exits 125 (a hardening step failed),
 * 126 (cannot execute) or 127 (not found) after one line on stderr.
 * listener: where the denial channel's fd number goes (memory init
 * shares, and an fd table it shares until execve); NULL: none. */
_Noreturn void service_exec(const struct husk_policy *p, const struct sc_bpf *filter,
			    volatile int *listener);

/* In a user namespace where only the service's ids are mapped: become
 * them (a process whose ids are unmapped cannot create files). Dies on
 * failure. */
void service_become_ids(const struct husk_policy *p);
