/* The gate: an OCI config.json that someone else wrote (runc's, Docker's,
 * Podman's) compared with a husk profile, rule by rule, and, when asked,
 * rewritten to meet it. Used by `husk hook gate` (refuse), `husk runtime`
 * (enforce or refuse, then hand over to the real runtime) and `husk check
 * --bundle --profile` (show the verdict). The rules carry the names husk
 * check's findings use (systemd's directive names); a profile may relax
 * one with `gate-allow RULE` (restricted.profile does, to match Pod
 * Security Admission's "restricted" level).
 *
 * Unlike the OCI front end (front/oci.h), which refuses what husk cannot
 * run, the gate reads only the fields its rules judge and ignores the rest:
 * the runtime that starts the container understands them. Nothing here
 * makes a system call that changes the system. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/util.h"
#include "policy/policy.h"
#include "seccomp/seccomp_profile.h"

/* What a profile asks of a container, taken from the finalized policy. */
struct gate_want {
	const char *profile; /* its name, for messages */
	bool root_ok;	     /* the profile itself runs the service as uid 0 */
	uint32_t uid, gid;   /* what enforce makes a root container run as */
	uint64_t caps;	     /* the capability allowlist */
	/* The profile's seccomp rules; NULL: unconfined, nothing asked.
	 * sc_oci: the same as an OCI filter carries them to runc (see
	 * gate_oci_view), which is what a config's filter is compared with. */
	const struct sc_profile *sc, *sc_oci;
	bool own_net, own_user;	       /* --net host / --userns host ask neither */
	uint64_t memory_max, pids_max; /* 0: no limit asked */
	/* Hard rlimits asked (LimitCORE, LimitNOFILE, LimitRTPRIO); set: asked. */
	struct husk_rlimit core, nofile, rtprio;
	const struct strv *relaxed;    /* gate-allow RULE */
};

#define GATE_MAX_FINDINGS 48

struct gate_finding {
	const char *rule;
	char why[384];
	bool fixed; /* enforce changed the config so that it meets the rule */
};

struct gate_result {
	struct gate_finding f[GATE_MAX_FINDINGS];
	size_t n;
	size_t unmet; /* findings not fixed */
	bool changed; /* the config was rewritten */
};

/* Every rule's name, NULL-terminated, in the order they are judged. */
extern const char *const gate_rules[];
bool gate_rule_known(const char *name);

/* The want of a finalized policy; sc is its parsed seccomp profile (or
 * NULL for unconfined), sc_oci its gate_oci_view. */
void gate_want_from_policy(struct gate_want *w, const struct husk_policy *p,
			   const struct sc_profile *sc, const struct sc_profile *sc_oci,
			   const char *profile_name);

/* An OCI seccomp object as runc's libseccomp builds it, into out: where a
 * call has a rule with no argument condition, libseccomp drops its
 * conditional rules (checked on this host: an unconditional allow of
 * ioctl and an errno for ioctl(TIOCSTI) give a filter that lets TIOCSTI
 * through, in either order). caps: the container's bounding set, for
 * Docker's rules that name capabilities. */
int gate_oci_view(struct sc_profile *out, json_object *seccomp, uint64_t caps, char *err,
		  size_t errlen);

/* Judges cfg against w. fix: rewrites cfg where a rule allows it (see
 * husk(1), GATING OTHER RUNTIMES). Returns 0 (the verdict in r), or a
 * negative errno with "config.json: PATH: why" in err when a field a rule
 * reads has the wrong JSON type. */
int gate_judge(json_object *cfg, const struct gate_want *w, bool fix, struct gate_result *r,
	       char *err, size_t errlen);

/* The same for a process alone (runc exec --process FILE: the process
 * object, which joins a container already judged): the rules that read
 * process.* only (User, NoNewPrivileges, CapabilityBoundingSet and the
 * rlimits). */
int gate_judge_process(json_object *process, const struct gate_want *w, bool fix,
		       struct gate_result *r, char *err, size_t errlen);
