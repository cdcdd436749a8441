/* cgroups: a per-sandbox child cgroup below husk's own, on cgroup v2 or,
 * for hybrid and v1 hosts, in each v1 hierarchy that holds a needed
 * controller.
 *
 * The plan (from /proc/self/mountinfo and /proc/self/cgroup), the limit
 * files and the create/destroy steps are unit-tested against fake cgroupfs
 * trees; sandbox.c runs them, with CLONE_INTO_CGROUP on v2 (sys.c) and a
 * read-only cgroup2 mount inside (mounts.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cg_controller {
	CG_MEMORY = 0,
	CG_PIDS,
	CG_CPU,
	CG_IO,
	CG_NCONTROLLERS,
};

struct cg_limits {
	uint64_t memory_max;	/* bytes; 0: unset */
	uint64_t memory_high;	/* bytes; 0: unset (v2 only) */
	bool memory_swap_set;	/* else swap is 0 when memory_max is set */
	uint64_t memory_swap;	/* bytes of swap on top of memory_max */
	uint64_t pids_max;	/* 0: unset */
	uint64_t cpu_quota_us;	/* per period; 0: unset */
	uint64_t cpu_period_us; /* 0: 100000 */
	uint32_t cpu_weight;	/* 1..10000; 0: unset */
	uint32_t io_weight;	/* 1..10000; 0: unset (v2 only) */
};

/* Which controllers the limits need. */
unsigned cg_needed(const struct cg_limits *l);

/* One limit as the user gave it: what --cgroup auto applies or drops, one
 * by one, and what the warnings name. */
enum cg_knob {
	CGK_MEMORY = 0, /* --memory */
	CGK_MEMORY_HIGH,
	CGK_MEMORY_SWAP,
	CGK_PIDS,
	CGK_CPUS,
	CGK_CPU_WEIGHT,
	CGK_IO_WEIGHT,
	CGK_N,
};
/* "--memory" for CGK_MEMORY. */
const char *cg_knob_option(enum cg_knob k);
/* Bitmask of the knobs l sets. */
unsigned cg_knobs(const struct cg_limits *l);
/* Bitmask of the knobs that need a controller of ctrls (a bitmask). */
unsigned cg_knobs_of(unsigned ctrls);
/* Unsets the knobs of mask in l (dropping --memory drops --memory-swap). */
void cg_limits_drop(struct cg_limits *l, unsigned mask);

/* What --cgroup auto gave up, knob by knob, and why. */
struct cg_degraded {
	unsigned dropped;      /* knobs */
	char why[CGK_N][512]; /* for each dropped knob */
};
/* Records that the knobs of mask (those l sets and not yet dropped) could
 * not be applied, for the reason given. */
void cg_degrade(struct cg_degraded *d, const struct cg_limits *l, unsigned mask, const char *why);

struct cg_hierarchy {
	int version;	   /* 1 or 2 */
	unsigned controllers; /* bitmask of enum cg_controller handled here */
	char mount[256];   /* where it is mounted */
	char own[512];	   /* husk's cgroup in it, from /proc/self/cgroup */
};

struct cg_plan {
	struct cg_hierarchy h[CG_NCONTROLLERS];
	size_t n;
};

/* Pure: from the texts of /proc/self/mountinfo and /proc/self/cgroup,
 * where each needed controller lives (a v1 hierarchy that has it wins, as on
 * hybrid hosts, else the v2 mount). -ENOENT with a reason when a needed
 * controller is nowhere. */
int cg_plan_from(const char *mountinfo, const char *proc_cgroup, unsigned needed,
		 struct cg_plan *plan, char *err, size_t errlen);

/* The memory and CPU limits set on husk's own cgroup in plan (a
 * container's --memory and --cpus), read below root ("" for the real
 * tree). Each is 0 where the group has none or it cannot be read. */
struct cg_own_limits {
	uint64_t memory_max;
	uint64_t cpu_quota_us, cpu_period_us;
};
void cg_read_own_limits(const char *root, const struct cg_plan *plan, struct cg_own_limits *out);
/* The same for the real tree, planned from /proc/self (read once). */
void cg_read_own_limits_self(struct cg_own_limits *out);

/* Pure: the files to write in a sandbox cgroup of hierarchy h, in order. */
struct cg_write {
	char file[64];	    /* "" when this version has no such limit (v1 memory.high) */
	char value[64];
	char alt[64];	    /* tried when file is missing (the BFQ weight); "" none */
	char alt_value[64];
	bool optional;	    /* missing file and alt: nothing to cap (swap accounting off) */
	enum cg_knob knob;
};
size_t cg_writes(const struct cg_hierarchy *h, const struct cg_limits *l, struct cg_write *out,
		 size_t max);

/* What cg_create made, so it can be removed on every exit path. */
struct cgroup {
	bool fake; /* made below a test root: plain files stand in for cgroupfs */
	size_t n;
	char dir[CG_NCONTROLLERS][1024];
	int version[CG_NCONTROLLERS];
	/* v2, when husk was alone in its group (a systemd scope with
	 * Delegate=yes): the leaf it moved into so that controllers could be
	 * enabled for the sandbox's group beside it, the group it left, and
	 * the controllers it enabled there (to be undone). */
	char leaf[1024];
	char leaf_parent[768];
	unsigned leaf_enabled;
};

/* Creates NAME below husk's own cgroup in every hierarchy of the plan and
 * writes the limits. root is prepended to every path (tests point it at a
 * fake tree; "" for the real one). On v2 the needed controllers are enabled
 * in the parent's cgroup.subtree_control first. On failure everything
 * created is removed again. With degraded (--cgroup auto), a hierarchy or
 * a limit that fails is recorded there and skipped instead, and the rest
 * goes on. */
int cg_create(const char *root, const struct cg_plan *plan, const struct cg_limits *l,
	      const char *name, struct cgroup *cg, struct cg_degraded *degraded, char *err,
	      size_t errlen);

/* For husk check, which creates nothing: the knobs of l that this plan
 * cannot apply, seen from the parent groups (root as for cg_create): a v1
 * memory controller has no memory.high, a parent without the weight files
 * of blkio/io has children without them too. Recorded in d. */
void cg_check_knobs(const char *root, const struct cg_plan *plan, const struct cg_limits *l,
		    const char *parent_override, struct cg_degraded *d);
/* Puts pid into every created cgroup. */
int cg_enter(const struct cgroup *cg, pid_t pid, char *err, size_t errlen);
/* What the sandbox's groups have used so far (--metrics): memory now and
 * CPU time, where a hierarchy of the group counts them. */
struct cg_usage {
	bool has_memory, has_cpu;
	uint64_t memory_bytes, cpu_usec;
};
void cg_usage(const struct cgroup *cg, struct cg_usage *u);
/* Whether the kernel OOM-killed inside the sandbox's memory cgroup. */
bool cg_oom_killed(const struct cgroup *cg);
/* Removes the created directories (they must be empty of processes);
 * retries briefly while the kernel finishes tearing the sandbox down.
 * After a move into a leaf, it undoes the controllers husk enabled and
 * moves the caller back to where it was. */
void cg_destroy(struct cgroup *cg);

/* Forks a reaper that outlives husk: it waits until every holder of the
 * returned pipe end is gone (husk, and the sandbox's init, which inherits
 * it), then removes the groups. So a SIGKILLed husk leaves nothing behind.
 * Returns the write end (O_CLOEXEC) to keep open, or a negative errno. */
int cg_spawn_reaper(const struct cgroup *cg);

/* Removes "husk.<pid>" groups left by a husk that was SIGKILLed: only where
 * that pid is gone and the group holds no process. Returns how many. */
int cg_sweep(const char *root, const struct cg_plan *plan);

/* Reads /proc/self/mountinfo and /proc/self/cgroup and plans (see
 * cg_plan_from). */
int cg_plan_self(unsigned needed, struct cg_plan *plan, char *err, size_t errlen);
/* cg_plan_self for the controllers l needs; with dg (--cgroup auto), a
 * controller no hierarchy has is recorded there with its knobs, and the
 * others are planned (plan->n is 0 when none is left). */
int cg_plan_degraded(const struct cg_limits *l, struct cg_plan *plan, struct cg_degraded *dg,
		     char *err, size_t errlen);
