/* --metrics FILE: the sandbox's state as a Prometheus text file, for
 * node_exporter's textfile collector: rewritten whole (a rename, so the
 * collector never reads half of one) every --metrics-interval, on each
 * health change, and at exit (husk_up 0). Every series carries the label
 * sandbox="NAME" (--name, else the program's file name). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "limits/cgroup.h"

struct metrics_values {
	bool up;
	uint64_t restarts;
	int health; /* -1: no check; 0 starting, 1 healthy, 2 unhealthy */
	uint64_t probes, probe_failures;
	uint64_t denials;
	const struct cgroup *cg; /* NULL: no group, no memory or CPU series */
};

/* Writes path with the values; 0 or a negative errno. */
int metrics_write(const char *path, const char *sandbox, const struct metrics_values *v);
/* The text itself, for the unit test: into buf (len), returns its length. */
size_t metrics_format(char *buf, size_t len, const char *sandbox, const struct metrics_values *v,
		      const struct cg_usage *u);
