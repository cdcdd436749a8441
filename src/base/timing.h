/* --timing: where a launch spends its time. Each step stamps CLOCK_MONOTONIC
 * into a page shared by the monitor, init and the service (mapped before
 * the clone), and the monitor prints the steps after the sandbox exits. A
 * no-op unless enabled, so the launch path pays nothing for it. */
#pragma once

#include <stdio.h>

enum timing_step {
	T_MAIN = 0,  /* husk's main() */
	T_POLICY,    /* options parsed, policy finalized (seccomp filter ready) */
	T_CGROUP,    /* cgroup made (or skipped) */
	T_CLONE,     /* clone3 into the namespaces returned in the monitor */
	T_CHILD_NET, /* child: hostname, lo up (while the monitor writes the maps) */
	T_RELEASED,  /* cgroup entered, rlimits and id maps written, "go" sent */
	T_CHILD_IDS, /* child: released; cgroup ns, service ids */
	T_MOUNTS,    /* child: new root built and pivoted into */
	T_FORKED,    /* service: forked from init */
	T_CAPS,	     /* service: capabilities dropped, cwd, no_new_privs checked */
	T_EXEC,	     /* service: seccomp loaded, about to execve */
	T_EXITED,    /* monitor: the sandbox has exited */
	T_NSTEPS,
};

/* main() calls timing_start first thing (one clock read); the front end
 * calls timing_enable once it has parsed --timing. */
void timing_start(void);
void timing_enable(void);
void timing_mark(enum timing_step s);
void timing_report(FILE *out);
