/* Compiling a seccomp profile to BPF (libseccomp) and loading it. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "seccomp_profile.h"

/* Up to two programs: the main filter (native arch only,
 * the profile's default, allows and conditional allows) and, when the
 * profile has conditional rules stricter than a syscall's own action (deny
 * TIOCSTI on an allowed ioctl), an overlay whose default is allow. The
 * kernel applies the most restrictive answer of the two (for two errno
 * answers, the main filter's, as it is loaded last). libseccomp cannot
 * hold both in one filter: an unconditional rule for a syscall silently
 * replaces its conditional ones. */
struct sc_bpf {
	struct sock_filter *prog[2];
	size_t len[2];
	size_t n_rules; /* rules added across both filters */
};

void sc_bpf_free(struct sc_bpf *b);

/* Parent side, before clone. Errors name the syscall and the reason. */
int sc_compile(const struct sc_profile *p, struct sc_bpf *out, char *err, size_t errlen);

/* Service side: the very last step before execve (after capabilities and
 * no_new_privs, which unprivileged filter loading requires). */
int sc_bpf_load(const struct sc_bpf *b, bool log);
