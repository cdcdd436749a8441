#include "base/timing.h"

#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

static uint64_t *stamps; /* T_NSTEPS slots, shared across the clone and fork */
static uint64_t started;

static const char *const names[T_NSTEPS] = {
	[T_MAIN] = "main",
	[T_POLICY] = "parse options, finalize policy, prepare seccomp",
	[T_CGROUP] = "cgroup",
	[T_CLONE] = "clone into the namespaces",
	[T_RELEASED] = "monitor: cgroup enter, rlimits, id maps, release",
	[T_CHILD_NET] = "child: hostname, lo up (in parallel with the monitor)",
	[T_CHILD_IDS] = "child: released; cgroup namespace, service ids",
	[T_MOUNTS] = "child: mounts and pivot_root",
	[T_FORKED] = "init: fork the service",
	[T_CAPS] = "service: setsid, fds, capabilities, cwd, entrypoint check, Landlock",
	[T_EXEC] = "service: seccomp load, up to execve",
	[T_EXITED] = "program ran and the sandbox exited",
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void timing_start(void)
{
	started = now_ns();
}

void timing_enable(void)
{
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return;
	stamps = m;
	stamps[T_MAIN] = started ? started : now_ns();
}

void timing_mark(enum timing_step s)
{
	if (stamps)
		stamps[s] = now_ns();
}

void timing_report(FILE *out)
{
	if (!stamps)
		return;
	uint64_t prev = stamps[T_MAIN];
	/* The child and the monitor overlap, so a step may end before the
	 * one listed above it: its delta is then negative. */
	fprintf(out, "husk: timing (ms since main, and since the step above)\n");
	for (int s = T_MAIN + 1; s < T_NSTEPS; s++) {
		if (!stamps[s]) {
			fprintf(out, "husk:   %8s %8s  %s (not reached)\n", "-", "-", names[s]);
			continue;
		}
		fprintf(out, "husk:   %8.3f %8.3f  %s\n", (double)(stamps[s] - stamps[T_MAIN]) / 1e6,
			(double)(int64_t)(stamps[s] - prev) / 1e6, names[s]);
		prev = stamps[s];
	}
}
