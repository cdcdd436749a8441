#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"
#include "util.h"

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

static void add(struct cg_write *out, size_t max, size_t *n, const char *file,
		unsigned long long v)
{
	if (*n >= max)
		return;
	snprintf(out[*n].file, sizeof(out[*n].file), "%s", file);
	snprintf(out[*n].value, sizeof(out[*n].value), "%llu", v);
	(*n)++;
}

size_t cg_writes(const struct cg_hierarchy *h, const struct cg_limits *l, struct cg_write *out,
		 size_t max)
{
	size_t n = 0;
	uint64_t period = l->cpu_period_us ? l->cpu_period_us : 100000;
	uint64_t swap = l->memory_swap_set ? l->memory_swap : 0;
	bool mem = h->controllers & (1u << CG_MEMORY);
	bool cpu = h->controllers & (1u << CG_CPU);
	if (h->version == 2) {
		if (mem && l->memory_high)
			add(out, max, &n, "memory.high", l->memory_high);
		if (mem && l->memory_max) {
			add(out, max, &n, "memory.max", l->memory_max);
			add(out, max, &n, "memory.swap.max", swap);
		}
		if ((h->controllers & (1u << CG_PIDS)) && l->pids_max)
			add(out, max, &n, "pids.max", l->pids_max);
		if (cpu && l->cpu_quota_us && n < max) {
			snprintf(out[n].file, sizeof(out[n].file), "cpu.max");
			snprintf(out[n].value, sizeof(out[n].value), "%llu %llu",
				 (unsigned long long)l->cpu_quota_us, (unsigned long long)period);
			n++;
		}
		if (cpu && l->cpu_weight)
			add(out, max, &n, "cpu.weight", l->cpu_weight);
		if ((h->controllers & (1u << CG_IO)) && l->io_weight)
			add(out, max, &n, "io.weight", l->io_weight);
		return n;
	}
	if (mem && l->memory_max) {
		add(out, max, &n, "memory.limit_in_bytes", l->memory_max);
		/* memsw exists only with swap accounting; cg_create skips a
		 * missing file for it and says so. */
		add(out, max, &n, "memory.memsw.limit_in_bytes", l->memory_max + swap);
	}
	if ((h->controllers & (1u << CG_PIDS)) && l->pids_max)
		add(out, max, &n, "pids.max", l->pids_max);
	if (cpu && l->cpu_quota_us) {
		/* The period first: the kernel checks quota against it. */
		add(out, max, &n, "cpu.cfs_period_us", period);
		add(out, max, &n, "cpu.cfs_quota_us", l->cpu_quota_us);
	}
	if (cpu && l->cpu_weight)
		/* v2's default weight 100 is v1's default 1024 shares. */
		add(out, max, &n, "cpu.shares", (unsigned long long)l->cpu_weight * 1024 / 100);
	if ((h->controllers & (1u << CG_IO)) && l->io_weight)
		add(out, max, &n, "blkio.weight",
		    10 + ((unsigned long long)l->io_weight - 1) * 990 / 9999);
	return n;
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
	      const char *name, struct cgroup *cg, char *err, size_t errlen)
{
	memset(cg, 0, sizeof(*cg));
	cg->fake = root[0] != '\0';
	int r = 0;
	for (size_t i = 0; i < plan->n && r == 0; i++) {
		const struct cg_hierarchy *h = &plan->h[i];
		char parent[768];
		snprintf(parent, sizeof(parent), "%s%s%s", root, h->mount,
			 strcmp(h->own, "/") == 0 ? "" : h->own);
		if (h->version == 2) {
			r = enable_controllers(parent, h->controllers, cg->fake, err, errlen);
			if (r == -EBUSY && !cg->fake && !cg->leaf[0] && alone_in(parent, getpid()) &&
			    (r = move_into_leaf(parent, name, h->controllers, cg, err, errlen)) == 0)
				r = enable_controllers(parent, h->controllers, cg->fake, err, errlen);
			if (r < 0)
				break;
		}
		char *dir = cg->dir[cg->n];
		if ((size_t)snprintf(dir, sizeof(cg->dir[0]), "%s/%.200s", parent, name) >=
		    sizeof(cg->dir[0])) {
			r = errf(err, errlen, -ENAMETOOLONG, "cgroup path too long below %s", parent);
			break;
		}
		if (mkdir(dir, 0755) < 0) {
			r = errf(err, errlen, -errno, "create cgroup %s: %s%s", dir, strerror(errno),
				 errno == EACCES || errno == EROFS
					 ? " (no writable cgroup here: see husk(1), DELEGATION)"
					 : "");
			break;
		}
		cg->version[cg->n++] = h->version;
		struct cg_write w[16];
		size_t n = cg_writes(h, l, w, ARRAY_SIZE(w));
		for (size_t k = 0; k < n; k++) {
			int wr = write_file(dir, w[k].file, w[k].value, cg->fake);
			if (wr == -ENOENT && strcmp(w[k].file, "memory.memsw.limit_in_bytes") == 0)
				continue; /* no swap accounting on this kernel: nothing to cap */
			if (wr < 0) {
				r = errf(err, errlen, wr, "cgroup %s: write %s=%s: %s", dir, w[k].file,
					 w[k].value, strerror(-wr));
				break;
			}
		}
	}
	if (r < 0)
		cg_destroy(cg);
	return r;
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
