/* Landlock: file system rules that follow the mounts, and TCP port rules.
 * The plan is pure (unit-tested); the service applies it just before its
 * rlimits and seccomp filter. In namespaces Landlock doubles the read-only
 * root; in place (a container's entrypoint) it is what makes the root
 * read-only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* The kernel's ABI version (1 = 5.13, 2 = 5.19 REFER, 3 = 6.2 TRUNCATE,
 * 4 = 6.7 TCP, 5 = 6.10 IOCTL_DEV, 6 = 6.12 scopes); 0 where Landlock is
 * not built in, not enabled at boot, or refused by a seccomp filter. */
int landlock_abi(void);

#define LL_MAX_RULES 48

struct ll_rule {
	const char *path; /* inside the sandbox (or the container, in place) */
	uint64_t access;  /* directory rights; a file keeps only its file rights */
	bool optional;	  /* husk's own default paths: skipped where missing */
};

struct ll_plan {
	uint64_t handled_fs;
	uint64_t handled_net;
	uint64_t scoped;
	struct ll_rule rule[LL_MAX_RULES];
	size_t n;
	const struct port_list *bind, *connect;
};

/* What to enforce for this policy at this ABI. Returns 0, or -ENOTSUP with
 * the reason in err where the policy asks for what the ABI lacks (TCP
 * rules before ABI 4, anything with --landlock required and no Landlock). A
 * plan with handled_fs 0 means Landlock is not applied. */
int landlock_plan(const struct husk_policy *p, int abi, struct ll_plan *out, char *err, size_t errlen);

/* Service side: builds the ruleset and restricts the calling thread (and
 * what it execs). no_new_privs must be set. Returns 0 or a negative errno
 * with the path that failed in err. */
int landlock_apply(const struct ll_plan *plan, int abi, char *err, size_t errlen);

/* For husk check: a one-line account of what the plan enforces. */
void landlock_describe(const struct ll_plan *plan, int abi, char *buf, size_t len);
