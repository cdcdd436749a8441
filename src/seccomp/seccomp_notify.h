/* Denials seen in user space: the service's main filter hands every
 * denial that is not quiet to husk's monitor through a seccomp user
 * notification fd (sc_compile_notify). The monitor answers it with the
 * errno the profile gives and prints one line per distinct denial,
 * rate-limited. No root and no kernel log are needed, and the kernel's
 * own rate limit (about 10 records per 5 s, used up by every start-up's
 * expected answers) cannot drop the one line that matters.
 *
 * The same channel records calls for husk seccomp learn, which lets each
 * proceed instead. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/search.h"
#include "seccomp/seccomp_profile.h"

#define SC_NOTIFY_MAX_DISTINCT 256
/* Lines per second at the most; the rest are counted and summed up. */
#define SC_NOTIFY_RATE 10

/* What a denial is told apart by: the call, and for the calls whose first
 * argument names what is asked (socket's family, prctl's option, clone's
 * flags) or second (ioctl's request), that argument. */
struct sc_seen {
	int nr;
	uint64_t key;
	unsigned count;
	bool allowed; /* learning: the base profile let it proceed */
	bool any;     /* a merged profile allowed every key of it */
	/* The answer, kept once known where it cannot depend on the other
	 * arguments (the call has no conditional rule): later ones skip the
	 * name lookup and the profile. */
	bool cached;
	struct sc_action act;
};

struct sc_notify {
	int fd;
	/* Learning: what the base profile (prof/name) allows proceeds
	 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE) and is recorded; the rest is
	 * refused as the base profile refuses it, so learning never widens
	 * the sandbox. */
	bool learn;
	/* The profile that says which errno each denial gets: the parsed one
	 * the launch compiled, or (precompiled filters) loaded by name at the
	 * first denial. */
	const struct sc_profile *prof;
	struct sc_profile *own;
	const char *name;
	const struct search_path *search;
	uint64_t caps;
	bool load_failed;
	struct sc_seen seen[SC_NOTIFY_MAX_DISTINCT];
	size_t n_seen;
	unsigned long total, suppressed;
	int64_t window_ms;
	unsigned in_window;
	FILE *out; /* where the lines go: stderr */
	/* libseccomp's buffers, sized by the kernel once. */
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

void sc_notify_init(struct sc_notify *n, int fd, const struct sc_profile *prof, const char *name,
		    const struct search_path *search, uint64_t caps);

/* Takes one notification from n->fd, answers it, and reports it. Returns
 * 0; -ENOENT when the call was gone before the answer (the thread died);
 * another negative errno when the fd is done (no filter user is left). */
int sc_notify_handle(struct sc_notify *n);

/* The closing line (denials not shown), and the profile loaded here. */
void sc_notify_finish(struct sc_notify *n);

/* The key sc_seen tells denials apart by, for a call and its arguments. */
uint64_t sc_notify_key(const char *name, const uint64_t args[6]);

/* "fallocate(0x7, 0x0, 0x0, ...)": the name and its first three
 * arguments, in hex. */
void sc_notify_describe(const char *name, const uint64_t args[6], char *buf, size_t len);

/* Whether a line may be printed now (SC_NOTIFY_RATE per second); pure,
 * with the clock passed in. */
bool sc_notify_rate_ok(struct sc_notify *n, int64_t now_ms);
