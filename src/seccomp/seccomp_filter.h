/* Compiling a seccomp profile to BPF (libseccomp) and loading it. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "seccomp/seccomp_profile.h"

/* Up to two programs: the main filter (native arch only,
 * the profile's default, allows and conditional allows) and, when the
 * profile has conditional rules stricter than a syscall's own action (deny
 * TIOCSTI on an allowed ioctl), an overlay whose default is allow. The
 * kernel applies the most restrictive answer of the two (for two errno
 * answers, the main filter's, as it is loaded last). libseccomp cannot
 * hold both in one filter: an unconditional rule for a syscall silently
 * replaces its conditional ones. */
enum { SC_BPF_MAIN = 0, SC_BPF_OVERLAY, SC_BPF_NOTIFY, SC_BPF_N };
struct sc_bpf {
	/* main, overlay, and the main filter of sc_compile_notify (NULL
	 * unless asked for) */
	struct sock_filter *prog[SC_BPF_N];
	size_t len[SC_BPF_N];
	size_t n_rules; /* rules added across both filters */
};

void sc_bpf_free(struct sc_bpf *b);

/* Precompiled filters. Compiling a large profile with libseccomp costs
 * milliseconds on every launch; a .bpf file written beside the profile
 * (husk seccomp precompile, and make install for the shipped ones) is
 * loaded instead when it was built by this libseccomp for this
 * architecture from the current bytes of every file the profile was read
 * from. It is as trusted as the profile directory it sits in. */
int sc_bpf_save(const struct sc_bpf *b, const struct sc_profile *p, const char *path, char *err,
		size_t errlen);
/* The filter for a profile reference: a current precompiled NAME.bpf beside
 * a text profile when there is one (*parsed is then NULL), else the profile
 * parsed (returned in *parsed, owned by the caller) and compiled. notify:
 * with the notify program too (compiled when a precompiled file lacks it). */
int sc_prepare(const char *name_or_path, const struct search_path *sp, uint64_t caps, bool notify,
	       struct sc_bpf *out, struct sc_profile **parsed, char *err, size_t errlen);
/* DIR/NAME.policy -> DIR/NAME.bpf (or PATH.bpf); with bpf_dir, that
 * directory instead of the profile's. */
void sc_bpf_path(const char *profile_path, const char *bpf_dir, char *out, size_t len);

/* 0 and *b filled when path is a valid, current precompiled filter;
 * -ENOENT when there is none; -ESTALE or another error otherwise. */
int sc_bpf_load_precompiled(const char *path, const char *profile_path, struct sc_bpf *b);

/* Parent side, before clone. Errors name the syscall and the reason. */
int sc_compile(const struct sc_profile *p, struct sc_bpf *out, char *err, size_t errlen);
/* The main filter once more, into prog[SC_BPF_NOTIFY], with every errno
 * answer that is not quiet turned into SECCOMP_RET_USER_NOTIF: husk's
 * monitor then answers it with the profile's errno and reports the
 * denial. Quiet ones, and the overlay's, stay plain errno answers. */
int sc_compile_notify(const struct sc_profile *p, struct sc_bpf *out, char *err, size_t errlen);
/* husk seccomp learn's main filter, into prog[SC_BPF_NOTIFY]: every call
 * but execve (and clone3's quiet ENOSYS) goes to the monitor, which lets
 * what the base profile allows proceed and records it. */
int sc_compile_learn(struct sc_bpf *out, char *err, size_t errlen);

/* Service side: the very last step before execve (after capabilities and
 * no_new_privs, which unprivileged filter loading requires). With
 * listener, and a notify program in b, the main filter is that one and
 * *listener gets its notification fd (O_CLOEXEC); else -1, or -EMFILE
 * where no fd was left for it (the plain main filter is then loaded). */
int sc_bpf_load(const struct sc_bpf *b, bool log, int *listener);
