#include "limits/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sys.h"
#include "base/util.h"

static const char *const ctrl_name[CG_NCONTROLLERS] = { "memory", "pids", "cpu", "io" };
/* v1 calls the io controller blkio. */
static const char *const ctrl_name_v1[CG_NCONTROLLERS] = { "memory", "pids", "cpu", "blkio" };

unsigned cg_needed(const struct cg_limits *l)
{
	unsigned n = 0;
	if (l->memory_max || l->memory_high)
		n |= 1u << CG_MEMORY;
	if (l->pids_max)
		n |= 1u << CG_PIDS;
	if (l->cpu_quota_us || l->cpu_weight)
		n |= 1u << CG_CPU;
	if (l->io_weight)
		n |= 1u << CG_IO;
	return n;
}

/* Does the comma-separated list contain word? */
static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* One mountinfo line: the fields husk needs. */
struct mnt {
	char root[512], point[256], fstype[32], super[256];
};

static bool parse_mountinfo_line(const char *line, struct mnt *m)
{
	char opts[256];
	/* ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER */
	if (sscanf(line, "%*s %*s %*s %511s %255s %255s", m->root, m->point, opts) != 3)
		return false;
	const char *sep = strstr(line, " - ");
	if (!sep)
		return false;
	char source[256];
	return sscanf(sep + 3, "%31s %255s %255s", m->fstype, source, m->super) == 3;
}

/* husk's cgroup in a hierarchy: "0::/path" (v2) or "N:ctrl,ctrl:/path". */
static bool own_path(const char *proc_cgroup, int version, const char *ctrl, char *out, size_t len)
{
	const char *p = proc_cgroup;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			char *c1 = strchr(line, ':');
			char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (c2) {
				*c1 = *c2 = '\0';
				bool match = version == 2 ? (strcmp(line, "0") == 0 && c1[1] == '\0')
							  : list_has(c1 + 1, ctrl);
				if (match) {
					snprintf(out, len, "%s", c2 + 1);
					return true;
				}
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* The cgroup directory at the mount is the mount's root; the own path is
 * relative to the same namespace root, so strip that prefix. */
static void strip_root(char *own, const char *root)
{
	size_t n = strlen(root);
	if (strcmp(root, "/") != 0 && strncmp(own, root, n) == 0 && (own[n] == '/' || !own[n]))
		memmove(own, own + n, strlen(own + n) + 1);
	if (!*own)
		strcpy(own, "/");
}

int cg_plan_from(const char *mountinfo, const char *proc_cgroup, unsigned needed,
		 struct cg_plan *plan, char *err, size_t errlen)
{
	memset(plan, 0, sizeof(*plan));
	struct mnt v2 = { 0 };
	bool have_v2 = false;
	unsigned done = 0;
	for (const char *p = mountinfo; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[2048];
		struct mnt m;
		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (parse_mountinfo_line(line, &m)) {
				if (strcmp(m.fstype, "cgroup2") == 0 && !have_v2) {
					v2 = m;
					have_v2 = true;
				} else if (strcmp(m.fstype, "cgroup") == 0) {
					unsigned here = 0;
					for (int c = 0; c < CG_NCONTROLLERS; c++) {
						if ((needed & ~done & (1u << c)) &&
						    list_has(m.super, ctrl_name_v1[c]))
							here |= 1u << c;
					}
					if (here) {
						struct cg_hierarchy *h = &plan->h[plan->n];
						h->version = 1;
						h->controllers = here;
						snprintf(h->mount, sizeof(h->mount), "%s", m.point);
						const char *v1name = ctrl_name_v1[__builtin_ctz(here)];
						if (!own_path(proc_cgroup, 1, v1name, h->own, sizeof(h->own)))
							return errf(err, errlen, -ENOENT,
								    "cgroup v1 %s: husk's cgroup is not in "
								    "/proc/self/cgroup",
								    v1name);
						strip_root(h->own, m.root);
						plan->n++;
						done |= here;
					}
				}
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	unsigned rest = needed & ~done;
	if (rest && have_v2) {
		struct cg_hierarchy *h = &plan->h[plan->n];
		h->version = 2;
		h->controllers = rest;
		snprintf(h->mount, sizeof(h->mount), "%s", v2.point);
		if (!own_path(proc_cgroup, 2, NULL, h->own, sizeof(h->own)))
			return errf(err, errlen, -ENOENT, "cgroup v2: no 0:: line in /proc/self/cgroup");
		strip_root(h->own, v2.root);
		plan->n++;
		rest = 0;
	}
	if (rest) {
		int c = __builtin_ctz(rest);
		return errf(err, errlen, -ENOENT,
			    "no cgroup hierarchy has the %s controller mounted", ctrl_name[c]);
	}
	return 0;
}

static const struct {
	const char *option;
	enum cg_controller ctrl;
} knob_table[CGK_N] = {
	[CGK_MEMORY] = { "--memory", CG_MEMORY },
	[CGK_MEMORY_HIGH] = { "--memory-high", CG_MEMORY },
	[CGK_MEMORY_SWAP] = { "--memory-swap", CG_MEMORY },
	[CGK_PIDS] = { "--pids", CG_PIDS },
	[CGK_CPUS] = { "--cpus", CG_CPU },
	[CGK_CPU_WEIGHT] = { "--cpu-weight", CG_CPU },
	[CGK_IO_WEIGHT] = { "--io-weight", CG_IO },
};

const char *cg_knob_option(enum cg_knob k)
{
	return k < CGK_N ? knob_table[k].option : "?";
}

unsigned cg_knobs(const struct cg_limits *l)
{
	unsigned k = 0;
	if (l->memory_max)
		/* swap is capped too (0 unless --memory-swap): a knob of its own */
		k |= 1u << CGK_MEMORY | 1u << CGK_MEMORY_SWAP;
	if (l->memory_high)
		k |= 1u << CGK_MEMORY_HIGH;
	if (l->pids_max)
		k |= 1u << CGK_PIDS;
	if (l->cpu_quota_us)
		k |= 1u << CGK_CPUS;
	if (l->cpu_weight)
		k |= 1u << CGK_CPU_WEIGHT;
	if (l->io_weight)
		k |= 1u << CGK_IO_WEIGHT;
	return k;
}

unsigned cg_knobs_of(unsigned ctrls)
{
	unsigned k = 0;
	for (int i = 0; i < CGK_N; i++)
		if (ctrls & (1u << knob_table[i].ctrl))
			k |= 1u << i;
	return k;
}

void cg_limits_drop(struct cg_limits *l, unsigned mask)
{
	if (mask & (1u << CGK_MEMORY)) {
		l->memory_max = 0;
		l->memory_swap_set = false;
		l->memory_swap = 0;
	}
	if (mask & (1u << CGK_MEMORY_SWAP)) {
		l->memory_swap_set = false;
		l->memory_swap = 0;
	}
	if (mask & (1u << CGK_MEMORY_HIGH))
		l->memory_high = 0;
	if (mask & (1u << CGK_PIDS))
		l->pids_max = 0;
	if (mask & (1u << CGK_CPUS)) {
		l->cpu_quota_us = 0;
		l->cpu_period_us = 0;
	}
	if (mask & (1u << CGK_CPU_WEIGHT))
		l->cpu_weight = 0;
	if (mask & (1u << CGK_IO_WEIGHT))
		l->io_weight = 0;
}

void cg_degrade(struct cg_degraded *d, const struct cg_limits *l, unsigned mask, const char *why)
{
	/* Without the memory limit there is no swap cap either. */
	if (mask & (1u << CGK_MEMORY))
		mask |= 1u << CGK_MEMORY_SWAP;
	mask &= cg_knobs(l) & ~d->dropped;
	for (int k = 0; k < CGK_N; k++)
		if (mask & (1u << k))
			snprintf(d->why[k], sizeof(d->why[k]), "%s", why);
	d->dropped |= mask;
}

static void add(struct cg_write *out, size_t max, size_t *n, enum cg_knob knob, const char *file,
		unsigned long long v)
{
	if (*n >= max)
		return;
	out[*n] = (struct cg_write){ .knob = knob };
	snprintf(out[*n].file, sizeof(out[*n].file), "%s", file);
	snprintf(out[*n].value, sizeof(out[*n].value), "%llu", v);
	(*n)++;
}

/* The file to try when the last write's is missing. */
static void add_alt(struct cg_write *out, size_t n, const char *file, unsigned long long v)
{
	if (n == 0)
		return;
	snprintf(out[n - 1].alt, sizeof(out[n - 1].alt), "%s", file);
	snprintf(out[n - 1].alt_value, sizeof(out[n - 1].alt_value), "%llu", v);
}

/* BFQ's weights run from 1 to 1000, 100 the default, as io.weight's do up
 * to 10000. */
static unsigned long long bfq_weight(uint32_t w)
{
	return w > 1000 ? 1000 : w;
}

size_t cg_writes(const struct cg_hierarchy *h, const struct cg_limits *l, struct cg_write *out,
		 size_t max)
{
	size_t n = 0;
	uint64_t period = l->cpu_period_us ? l->cpu_period_us : 100000;
	uint64_t swap = l->memory_swap_set ? l->memory_swap : 0;
	bool mem = h->controllers & (1u << CG_MEMORY);
	bool cpu = h->controllers & (1u << CG_CPU);
	bool io = h->controllers & (1u << CG_IO);
	if (h->version == 2) {
		if (mem && l->memory_high)
			add(out, max, &n, CGK_MEMORY_HIGH, "memory.high", l->memory_high);
		if (mem && l->memory_max) {
			add(out, max, &n, CGK_MEMORY, "memory.max", l->memory_max);
			add(out, max, &n, CGK_MEMORY_SWAP, "memory.swap.max", swap);
			/* Without swap accounting there is no file, and a
			 * default swap of 0 has nothing to cap. */
			out[n - 1].optional = !l->memory_swap_set;
		}
		if ((h->controllers & (1u << CG_PIDS)) && l->pids_max)
			add(out, max, &n, CGK_PIDS, "pids.max", l->pids_max);
		if (cpu && l->cpu_quota_us && n < max) {
			add(out, max, &n, CGK_CPUS, "cpu.max", 0);
			snprintf(out[n - 1].value, sizeof(out[n - 1].value), "%llu %llu",
				 (unsigned long long)l->cpu_quota_us, (unsigned long long)period);
		}
		if (cpu && l->cpu_weight)
			add(out, max, &n, CGK_CPU_WEIGHT, "cpu.weight", l->cpu_weight);
		if (io && l->io_weight) {
			/* io.weight comes with the io.cost model; BFQ has its own. */
			add(out, max, &n, CGK_IO_WEIGHT, "io.weight", l->io_weight);
			add_alt(out, n, "io.bfq.weight", bfq_weight(l->io_weight));
		}
		return n;
	}
	if (mem && l->memory_high)
		add(out, max, &n, CGK_MEMORY_HIGH, "", 0); /* v1 has no such limit */
	if (mem && l->memory_max) {
		add(out, max, &n, CGK_MEMORY, "memory.limit_in_bytes", l->memory_max);
		/* memsw exists only with swap accounting; the default swap of
		 * 0 has nothing to cap without it. */
		/* Both are at most HUSK_SIZE_MAX (parse_size), so the sum
		 * cannot wrap; checked all the same, saturating. */
		uint64_t memsw = l->memory_max + swap < l->memory_max ? UINT64_MAX : l->memory_max + swap;
		add(out, max, &n, CGK_MEMORY_SWAP, "memory.memsw.limit_in_bytes", memsw);
		out[n - 1].optional = !l->memory_swap_set;
	}
	if ((h->controllers & (1u << CG_PIDS)) && l->pids_max)
		add(out, max, &n, CGK_PIDS, "pids.max", l->pids_max);
	if (cpu && l->cpu_quota_us) {
		/* The period first: the kernel checks quota against it. */
		add(out, max, &n, CGK_CPUS, "cpu.cfs_period_us", period);
		add(out, max, &n, CGK_CPUS, "cpu.cfs_quota_us", l->cpu_quota_us);
	}
	if (cpu && l->cpu_weight)
		/* v2's default weight 100 is v1's default 1024 shares. */
		add(out, max, &n, CGK_CPU_WEIGHT, "cpu.shares",
		    (unsigned long long)l->cpu_weight * 1024 / 100);
	if (io && l->io_weight) {
		/* CFQ's blkio.weight (10-1000), gone with CFQ in 5.0; BFQ's since. */
		add(out, max, &n, CGK_IO_WEIGHT, "blkio.weight",
		    10 + ((unsigned long long)l->io_weight - 1) * 990 / 9999);
		add_alt(out, n, "blkio.bfq.weight", bfq_weight(l->io_weight));
	}
	return n;
}

/* Why write w cannot be made in a group dir of h. */
static void missing_why(const struct cg_hierarchy *h, const struct cg_write *w, const char *dir,
			char *buf, size_t len)
{
	if (!w->file[0])
		snprintf(buf, len,
			 "cgroup v1 has no memory.high (this host's memory controller is the v1 "
			 "hierarchy at %s, where --memory works)",
			 h->mount);
	else if (w->alt[0])
		snprintf(buf, len,
			 "%.400s has neither %.63s nor %.63s (the kernel has no proportional-weight I/O "
			 "scheduler, BFQ or io.cost, for this cgroup)",
			 dir, w->file, w->alt);
	else
		snprintf(buf, len, "%.400s has no %.63s", dir, w->file);
}

/* In a fake tree (unit tests) the files a kernel would provide are created,
 * and writes append, so a test can read back everything written. */
static int write_file(const char *dir, const char *file, const char *value, bool fake)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (fake ? O_CREAT | O_APPEND : 0);
	_cleanup_close_ int fd = open(path, flags, 0644);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	if (write(fd, value, len) != (ssize_t)len)
		return -errno;
	return 0;
}

/* v2: enable the controllers for children of parent (no-internal-process
 * rule: this fails with EBUSY while parent itself holds processes). */
static int enable_controllers(const char *parent, unsigned ctrls, bool fake, char *err,
			      size_t errlen)
{
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		if (!(ctrls & (1u << c)))
			continue;
		char v[32];
		snprintf(v, sizeof(v), "+%s", ctrl_name[c]);
		int r = write_file(parent, "cgroup.subtree_control", v, fake);
		if (r < 0)
			return errf(err, errlen, r,
				    "enable %s in %s/cgroup.subtree_control: %s%s", ctrl_name[c],
				    parent, strerror(-r),
				    r == -EBUSY ? " (the group holds other processes than husk, and "
						  "cgroup v2 lets only leaves hold processes: start husk "
						  "alone in a delegated group, or give --cgroup-parent; "
						  "see husk(1), DELEGATION)"
				    : r == -EACCES || r == -EPERM
					    ? " (not delegated to you: see husk(1), DELEGATION)"
					    : "");
	}
	return 0;
}


/* Whether pid is the only process of the v2 group dir. */
static bool alone_in(const char *dir, pid_t pid)
{
	char path[1100], buf[64], want[24];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(want, sizeof(want), "%d\n", (int)pid);
	return read_text(path, buf, sizeof(buf)) == 0 && strcmp(buf, want) == 0;
}

/* The controllers of ctrls that dir does not enable for its children. */
static unsigned not_enabled(const char *dir, unsigned ctrls)
{
	char path[1100], buf[256];
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return ctrls;
	unsigned have = 0;
	for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
		for (int c = 0; c < CG_NCONTROLLERS; c++)
			if (strcmp(w, ctrl_name[c]) == 0)
				have |= 1u << c;
	return ctrls & ~have;
}

/* cgroup v2's "no internal processes" rule: a group that holds processes
 * cannot enable controllers for its children. When husk is the only
 * process of its group (systemd-run --scope -p Delegate=yes), it moves
 * into a leaf of its own, NAME.monitor, as systemd does with a delegated
 * unit's processes, and the sandbox's group goes beside that leaf. */
static int move_into_leaf(const char *parent, const char *name, unsigned ctrls,
			  struct cgroup *cg, char *err, size_t errlen)
{
	snprintf(cg->leaf, sizeof(cg->leaf), "%s/%.200s.monitor", parent, name);
	if (mkdir(cg->leaf, 0755) < 0) {
		int e = -errno;
		cg->leaf[0] = '\0';
		return errf(err, errlen, e, "create cgroup %s/%s.monitor: %s", parent, name,
			    strerror(-e));
	}
	char pid[24];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	int r = write_file(cg->leaf, "cgroup.procs", pid, false);
	if (r < 0) {
		rmdir(cg->leaf);
		cg->leaf[0] = '\0';
		return errf(err, errlen, r, "move husk into a leaf of %s: %s", parent, strerror(-r));
	}
	snprintf(cg->leaf_parent, sizeof(cg->leaf_parent), "%s", parent);
	cg->leaf_enabled = not_enabled(parent, ctrls);
	return 0;
}

/* Undoes move_into_leaf for the calling process (husk, or its reaper):
 * the controllers husk enabled go, the caller goes back, the leaf goes
 * once nobody is left in it. */
static void leave_leaf(const struct cgroup *cg)
{
	if (!cg->leaf[0])
		return;
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		char v[32];
		snprintf(v, sizeof(v), "-%s", ctrl_name[c]);
		if (cg->leaf_enabled & (1u << c))
			write_file(cg->leaf_parent, "cgroup.subtree_control", v, false);
	}
	char pid[24];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	write_file(cg->leaf_parent, "cgroup.procs", pid, false);
	rmdir(cg->leaf); /* EBUSY while the reaper is still in it; it does this too */
}

int cg_create(const char *root, const struct cg_plan *plan, const struct cg_limits *l,
	      const char *name, struct cgroup *cg, struct cg_degraded *dg, char *err,
	      size_t errlen)
{
	memset(cg, 0, sizeof(*cg));
	cg->fake = root[0] != '\0';
	int r = 0;
	for (size_t i = 0; i < plan->n && r == 0; i++) {
		const struct cg_hierarchy *h = &plan->h[i];
		unsigned here = cg_knobs_of(h->controllers) & cg_knobs(l);
		if (dg && !(here & ~dg->dropped))
			continue; /* all given up already */
		char parent[768];
		snprintf(parent, sizeof(parent), "%s%s%s", root, h->mount,
			 strcmp(h->own, "/") == 0 ? "" : h->own);
		if (h->version == 2) {
			r = enable_controllers(parent, h->controllers, cg->fake, err, errlen);
			if (r == -EBUSY && !cg->fake && !cg->leaf[0] && alone_in(parent, getpid()) &&
			    (r = move_into_leaf(parent, name, h->controllers, cg, err, errlen)) == 0)
				r = enable_controllers(parent, h->controllers, cg->fake, err, errlen);
		}
		char *dir = cg->dir[cg->n];
		if (r == 0 && (size_t)snprintf(dir, sizeof(cg->dir[0]), "%s/%.200s", parent, name) >=
				      sizeof(cg->dir[0]))
			r = errf(err, errlen, -ENAMETOOLONG, "cgroup path too long below %s", parent);
		if (r == 0 && mkdir(dir, 0755) < 0)
			r = errf(err, errlen, -errno, "create cgroup %s: %s%s", dir, strerror(errno),
				 errno == EACCES || errno == EROFS
					 ? " (no writable cgroup here: see husk(1), DELEGATION)"
					 : "");
		if (r < 0 && dg) {
			/* --cgroup auto: this hierarchy's limits go, the others stay. */
			cg_degrade(dg, l, here, err);
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		cg->version[cg->n++] = h->version;
		struct cg_write w[16];
		size_t n = cg_writes(h, l, w, ARRAY_SIZE(w));
		for (size_t k = 0; k < n; k++) {
			if (dg && (dg->dropped & (1u << w[k].knob)))
				continue;
			char why[1400];
			int wr = -EOPNOTSUPP;
			if (w[k].file[0])
				wr = write_file(dir, w[k].file, w[k].value, cg->fake);
			if (wr == -ENOENT && w[k].alt[0])
				wr = write_file(dir, w[k].alt, w[k].alt_value, cg->fake);
			if (wr == -ENOENT && w[k].optional)
				continue;
			if (wr == 0)
				continue;
			if (wr == -ENOENT || wr == -EOPNOTSUPP)
				missing_why(h, &w[k], dir, why, sizeof(why));
			else
				snprintf(why, sizeof(why), "cgroup %.400s: write %.63s=%.63s: %s", dir, w[k].file,
					 w[k].value, strerror(-wr));
			if (dg) {
				cg_degrade(dg, l, 1u << w[k].knob, why);
				continue;
			}
			r = errf(err, errlen, wr, "%s: %s", cg_knob_option(w[k].knob), why);
			break;
		}
	}
	if (r < 0)
		cg_destroy(cg);
	return r;
}

void cg_check_knobs(const char *root, const struct cg_plan *plan, const struct cg_limits *l,
		    const char *parent_override, struct cg_degraded *d)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct cg_hierarchy *h = &plan->h[i];
		const char *own = parent_override ? parent_override : h->own;
		char parent[768];
		snprintf(parent, sizeof(parent), "%s%s%s", root, h->mount,
			 strcmp(own, "/") == 0 ? "" : own);
		/* v2's root group has no limit files at all: nothing to see. */
		bool v2_root = h->version == 2 && strcmp(own, "/") == 0;
		struct cg_write w[16];
		size_t n = cg_writes(h, l, w, ARRAY_SIZE(w));
		for (size_t k = 0; k < n; k++) {
			char path[1200], why[1400];
			bool missing = !w[k].file[0];
			if (!missing && w[k].alt[0] && !v2_root) {
				snprintf(path, sizeof(path), "%s/%.63s", parent, w[k].file);
				missing = access(path, F_OK) < 0;
				snprintf(path, sizeof(path), "%s/%.63s", parent, w[k].alt);
				missing = missing && access(path, F_OK) < 0;
			}
			if (!missing)
				continue;
			missing_why(h, &w[k], parent, why, sizeof(why));
			cg_degrade(d, l, 1u << w[k].knob, why);
		}
	}
}

int cg_enter(const struct cgroup *cg, pid_t pid, char *err, size_t errlen)
{
	char v[32];
	snprintf(v, sizeof(v), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++) {
		int r = write_file(cg->dir[i], "cgroup.procs", v, cg->fake);
		if (r < 0)
			return errf(err, errlen, r, "move pid %s into %s: %s%s", v, cg->dir[i],
				    strerror(-r),
				    r == -EACCES || r == -EPERM
					    ? " (moving needs write access to cgroup.procs of the "
					      "closest group holding both husk and the target: see "
					      "husk(1), DELEGATION)"
					    : "");
	}
	return 0;
}

bool cg_oom_killed(const struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		char path[1200], buf[4096];
		snprintf(path, sizeof(path), "%s/%s", cg->dir[i],
			 cg->version[i] == 2 ? "memory.events" : "memory.oom_control");
		if (read_text(path, buf, sizeof(buf)) < 0)
			continue;
		const char *k = strstr(buf, "oom_kill ");
		if (k && strtoull(k + 9, NULL, 10) > 0)
			return true;
	}
	return false;
}

void cg_usage(const struct cgroup *cg, struct cg_usage *u)
{
	memset(u, 0, sizeof(*u));
	for (size_t i = 0; i < cg->n; i++) {
		char path[1200], buf[4096];
		bool v2 = cg->version[i] == 2;
		snprintf(path, sizeof(path), "%s/%s", cg->dir[i],
			 v2 ? "memory.current" : "memory.usage_in_bytes");
		if (!u->has_memory && read_text(path, buf, sizeof(buf)) == 0) {
			u->memory_bytes = strtoull(buf, NULL, 10);
			u->has_memory = true;
		}
		snprintf(path, sizeof(path), "%s/%s", cg->dir[i], v2 ? "cpu.stat" : "cpuacct.usage");
		if (u->has_cpu || read_text(path, buf, sizeof(buf)) < 0)
			continue;
		/* v2: "usage_usec N" (cpu.stat has it even without the cpu
		 * controller); v1: nanoseconds. */
		const char *k = v2 ? strstr(buf, "usage_usec ") : buf;
		if (k) {
			u->cpu_usec = strtoull(v2 ? k + 11 : k, NULL, 10) / (v2 ? 1 : 1000);
			u->has_cpu = true;
		}
	}
}

void cg_destroy(struct cgroup *cg)
{
	for (size_t i = cg->n; i-- > 0;) {
		if (cg->fake) {
			/* cgroupfs removes its files with the directory; a
			 * fake tree's plain files must go first. */
			DIR *d = opendir(cg->dir[i]);
			for (struct dirent *e; d && (e = readdir(d));)
				if (e->d_type == DT_REG)
					unlinkat(dirfd(d), e->d_name, 0);
			if (d)
				closedir(d);
		}
		/* The pid namespace is gone once init is reaped, but the
		 * cgroup may report busy for a moment longer. */
		for (int t = 0; t < 50 && rmdir(cg->dir[i]) < 0 && errno == EBUSY; t++)
			usleep(2000);
	}
	cg->n = 0;
	leave_leaf(cg);
	cg->leaf[0] = '\0';
}

int cg_spawn_reaper(const struct cgroup *cg)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	if (pid > 0) {
		close(fds[0]);
		return fds[1];
	}
	/* The reaper: no terminal, no signals from it, none of the caller's
	 * fds (a caller reading husk's stdout must see EOF when husk ends). */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	int in = fds[0];
	if (in != 3) {
		dup2(in, 3);
		in = 3;
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	/* Every other fd, however high: this process outlives husk. */
	if (sys_close_range(4, ~0U, 0) < 0)
		for (int fd = 4; fd < 65536; fd++)
			close(fd);
	/* Nobody writes: read returns 0 once husk and init have both gone. */
	char b;
	ssize_t got;
	do
		got = read(in, &b, 1);
	while (got != 0 && (got > 0 || errno == EINTR));
	struct cgroup copy = *cg;
	for (int t = 0; t < 500; t++) {
		bool left = false;
		for (size_t i = 0; i < copy.n; i++)
			if (rmdir(copy.dir[i]) < 0 && errno != ENOENT)
				left = true;
		if (!left)
			break;
		usleep(20000);
	}
	leave_leaf(&copy);
	_exit(0);
}

static void parent_of(const char *root, const struct cg_hierarchy *h, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", root, h->mount, strcmp(h->own, "/") == 0 ? "" : h->own);
}

int cg_sweep(const char *root, const struct cg_plan *plan)
{
	int removed = 0;
	for (size_t i = 0; i < plan->n; i++) {
		char parent[768];
		parent_of(root, &plan->h[i], parent, sizeof(parent));
		DIR *d = opendir(parent);
		for (struct dirent *e; d && (e = readdir(d));) {
			if (e->d_type != DT_DIR || strncmp(e->d_name, "husk.", 5) != 0)
				continue;
			/* husk.PID, and the leaf husk.PID.monitor (see
			 * move_into_leaf) */
			char num[32];
			size_t len = strcspn(e->d_name + 5, ".");
			const char *rest = e->d_name + 5 + len;
			if (len >= sizeof(num) || (*rest && strcmp(rest, ".monitor") != 0))
				continue;
			memcpy(num, e->d_name + 5, len);
			num[len] = '\0';
			uint32_t pid;
			if (parse_u32(num, &pid) < 0 || pid == 0)
				continue;
			if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
				continue; /* its husk still runs (or is not ours to judge) */
			if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == 0)
				removed++;
		}
		if (d)
			closedir(d);
	}
	return removed;
}

int cg_plan_degraded(const struct cg_limits *l, struct cg_plan *plan, struct cg_degraded *dg,
		     char *err, size_t errlen)
{
	unsigned needed = cg_needed(l);
	int r = cg_plan_self(needed, plan, err, errlen);
	if (r == 0 || !dg)
		return r;
	/* Which controllers are nowhere: their knobs go, the rest is planned. */
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		char why[1024];
		if ((needed & (1u << c)) && cg_plan_self(1u << c, plan, why, sizeof(why)) < 0) {
			cg_degrade(dg, l, cg_knobs_of(1u << c), why);
			needed &= ~(1u << c);
		}
	}
	if (!needed) {
		memset(plan, 0, sizeof(*plan));
		return 0;
	}
	return cg_plan_self(needed, plan, err, errlen);
}

int cg_plan_self(unsigned needed, struct cg_plan *plan, char *err, size_t errlen)
{
	_cleanup_free_ char *mi = xcalloc(1, 1 << 18);
	char cg[8192];
	int r = read_text("/proc/self/mountinfo", mi, 1 << 18);
	if (r == 0)
		r = read_text("/proc/self/cgroup", cg, sizeof(cg));
	if (r < 0)
		return errf(err, errlen, r, "read /proc/self: %s", strerror(-r));
	return cg_plan_from(mi, cg, needed, plan, err, errlen);
}

/* A value of a limit file; 0 for "max", -1, or v1's "no limit" (the
 * largest multiple of the page size below 2^63). */
static uint64_t limit_value(const char *dir, const char *file)
{
	char path[1024], buf[64];
	uint64_t v;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	buf[strcspn(buf, " \n")] = '\0';
	if (parse_u64(buf, &v) < 0 || v >= (1ull << 62))
		return 0;
	return v;
}

void cg_read_own_limits(const char *root, const struct cg_plan *plan, struct cg_own_limits *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < plan->n; i++) {
		const struct cg_hierarchy *h = &plan->h[i];
		char dir[1024];
		snprintf(dir, sizeof(dir), "%s%s%s", root, h->mount, h->own);
		if (h->controllers & (1u << CG_MEMORY))
			out->memory_max = limit_value(dir, h->version == 2 ? "memory.max" : "memory.limit_in_bytes");
		if (!(h->controllers & (1u << CG_CPU)))
			continue;
		if (h->version == 1) {
			out->cpu_quota_us = limit_value(dir, "cpu.cfs_quota_us");
			out->cpu_period_us = limit_value(dir, "cpu.cfs_period_us");
			continue;
		}
		/* cpu.max: "QUOTA PERIOD", QUOTA "max" for none. */
		char path[1100], buf[64];
		snprintf(path, sizeof(path), "%s/cpu.max", dir);
		if (read_text(path, buf, sizeof(buf)) < 0)
			continue;
		char *sp = strchr(buf, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		sp[1 + strcspn(sp + 1, "\n")] = '\0';
		if (parse_u64(buf, &out->cpu_quota_us) < 0 || parse_u64(sp + 1, &out->cpu_period_us) < 0)
			out->cpu_quota_us = out->cpu_period_us = 0;
	}
}

void cg_read_own_limits_self(struct cg_own_limits *out)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *mi = xcalloc(1, 1 << 18);
	char cg[8192], err[512];
	if (read_text("/proc/self/mountinfo", mi, 1 << 18) < 0 ||
	    read_text("/proc/self/cgroup", cg, sizeof(cg)) < 0)
		return;
	/* One controller at a time: a host may have either without the
	 * other. The texts are read once. */
	struct cg_plan plan;
	struct cg_own_limits one;
	if (cg_plan_from(mi, cg, 1u << CG_MEMORY, &plan, err, sizeof(err)) == 0) {
		cg_read_own_limits("", &plan, &one);
		out->memory_max = one.memory_max;
	}
	if (cg_plan_from(mi, cg, 1u << CG_CPU, &plan, err, sizeof(err)) == 0) {
		cg_read_own_limits("", &plan, &one);
		out->cpu_quota_us = one.cpu_quota_us;
		out->cpu_period_us = one.cpu_period_us;
	}
}
