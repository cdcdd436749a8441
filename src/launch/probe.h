/* The monitor's side of health checks: starts each probe when it is due
 * (--health-cmd through launch/join.h; --health-tcp and --health-http from
 * a child in the sandbox's network namespace alone), kills one that
 * outlives its timeout, feeds the results to the state machine
 * (health.h), reports the transitions (stderr, --events health and
 * ready), and stops the service when it is unhealthy and the policy says
 * so. Driven by the supervise loop (launch/init.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "launch/join.h"
#include "limits/cgroup.h"
#include "policy/policy.h"
#include "supervise/health.h"

struct prober {
	const struct husk_policy *p;
	const struct cgroup *cg;
	const struct join_ns *ns; /* the sandbox's namespaces; NULL in place */
	struct health h;
	pid_t pid; /* the running probe; 0: none */
	int64_t began, deadline;
	bool timed_out;
	bool unhealthy_stop; /* the policy's action stopped the service */
	bool *ready;	     /* the ready event was sent (shared with sd_notify's) */
};

void prober_init(struct prober *pr, const struct husk_policy *p, const struct cgroup *cg,
		 const struct join_ns *ns, int64_t now);
/* For supervise_tick (init.h): starts, times and reaps probes; returns
 * when it wants to be called next, and sets *stop_sig to stop the
 * service. */
int64_t prober_tick(void *arg, int64_t now, int *stop_sig);
/* A child the loop reaped for us (in place, where it reaps everything). */
void prober_reaped(void *arg, pid_t pid, int status);
/* Kills and reaps a probe still running. */
void prober_finish(struct prober *pr);

/* The probe of a TCP or HTTP check, in the calling (child) process, whose
 * network namespace is the sandbox's: exits 0 when healthy. Visible for
 * the unit test of the status line. */
int probe_http_status(const char *resp, size_t len);
