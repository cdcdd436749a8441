/* Seccomp profiles as plain data: what each syscall gets, parsed from
 * husk's text format (husk-seccomp(5)) or imported from Docker/OCI JSON.
 * No filter is built here; seccomp.c compiles a profile to BPF. */
#pragma once

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/search.h"

enum sc_act_kind {
	SC_ALLOW = 0,
	SC_LOG,
	SC_ERRNO,
	SC_KILL, /* the whole process */
};

struct sc_action {
	enum sc_act_kind kind;
	uint16_t errnum; /* SC_ERRNO only */
	/* SC_ERRNO only: an answer the service expects (clone3's ENOSYS, so
	 * that libc and Go fall back to clone), never reported as a denial. */
	bool quiet;
};

#define SC_MAX_ARGS 6

/* One alternative: all comparisons must hold (AND). */
struct sc_alt {
	struct sc_action act;
	unsigned n_cmp;
	struct scmp_arg_cmp cmp[SC_MAX_ARGS];
};

/* Everything a profile says about one syscall. The fallback applies when no
 * alternative matches; when several match, the most restrictive action
 * wins (the kernel's rule for stacked filters, which is how husk compiles
 * conditional denials). */
struct sc_syscall {
	int nr;
	char *name;
	bool has_fallback; /* else the profile default */
	struct sc_action fallback;
	struct sc_alt *alts;
	size_t n_alts;
};

struct sc_profile {
	struct sc_action def;
	struct sc_syscall *sys;
	size_t n_sys;
	size_t n_alts_total; /* conditional alternatives, all calls together */
	size_t skipped; /* distinct names unknown to this libseccomp (JSON import) */
	/* Every file the profile was read from (realpath) and the FNV-1a hash
	 * of its bytes, so a precompiled filter can tell when it is stale. */
	char **sources;
	uint64_t *source_hash;
	size_t n_sources;
	/* Where an include that is no file beside its policy is looked up
	 * by name (a user's policy including the shipped default.policy);
	 * NULL: beside only. Set by the caller before parsing. */
	const struct search_path *search;
};

uint64_t sc_hash_bytes(const void *buf, size_t len);
int sc_profile_add_source(struct sc_profile *p, const char *path, uint64_t hash);

void sc_profile_init(struct sc_profile *p);
void sc_profile_free(struct sc_profile *p);

/* Unconditional rule: replaces whatever the profile said before about nr. */
int sc_profile_set(struct sc_profile *p, int nr, const char *name, struct sc_action act);
/* Conditional rule, added to the ones before it; -E2BIG past
 * SC_MAX_ALTS. Each costs a handful of BPF instructions and a filter
 * holds 4096 (the kernel's BPF_MAXINSNS): more could never load, and
 * libseccomp would spend tens of seconds before it said so. */
#define SC_MAX_ALTS 1024
int sc_profile_add_alt(struct sc_profile *p, int nr, const char *name, const struct sc_alt *alt);
const struct sc_syscall *sc_profile_find(const struct sc_profile *p, const char *name);
/* The action for a syscall with no arguments considered (its fallback). */
struct sc_action sc_profile_fallback(const struct sc_profile *p, const struct sc_syscall *s);

/* What the profile answers to one call: the most restrictive alternative
 * that matches args, else the syscall's fallback, else the default. This
 * is the profile's meaning, which sc_compile turns into BPF (husk check
 * and the exposure score ask it; tests check the BPF agrees). */
struct sc_action sc_profile_eval(const struct sc_profile *p, const char *name,
				 const uint64_t args[SC_MAX_ARGS]);

/* Larger is more restrictive: ALLOW < LOG < ERRNO < KILL. */
int sc_action_rank(struct sc_action a);
bool sc_action_equal(struct sc_action a, struct sc_action b);
/* "allow", "errno EPERM", ...; buf must hold 32 bytes. */
const char *sc_action_str(struct sc_action a, char *buf, size_t len);

/* Errno names used in profiles (EPERM, ENOSYS, ...), both ways. */
int sc_errno_from_name(const char *name);
const char *sc_errno_name(int e);

/* Parses a text profile. Errors name "FILE:LINE:COL: reason" in err. */
int sc_profile_parse_file(struct sc_profile *p, const char *path, char *err, size_t errlen);
/* Same, from a string; name is used in error messages and includes are
 * resolved against dir. */
int sc_profile_parse_string(struct sc_profile *p, const char *text, const char *name,
			    const char *dir, char *err, size_t errlen);

/* Writes the resolved rule list, one line per rule, sorted by name. */
void sc_profile_print(const struct sc_profile *p, FILE *out);
