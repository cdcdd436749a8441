#include "launch/preflight.h"

#include <errno.h>
#include <sched.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "limits/cgroup.h"
#include "base/log.h"
#include "launch/named.h"
#include "launch/view.h"

#define MAX_INTERPRETERS 4 /* the kernel's BINPRM_MAX_RECURSION */

__attribute__((format(printf, 5, 6))) static void add(struct preflight *pf, const char *step,
						       int code, const char *fix, const char *fmt, ...)
{
	if (pf->n == PREFLIGHT_MAX_ERRORS)
		return;
	struct preflight_error *e = &pf->e[pf->n++];
	e->step = step;
	e->exit_code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	snprintf(e->fix, sizeof(e->fix), "%s", fix ? fix : "");
}

/* The planner's lines read "what is wrong; what to do": kept apart. */
static void add_split(struct preflight *pf, const char *step, const char *line)
{
	const char *semi = strrchr(line, ';');
	if (!semi) {
		add(pf, step, HUSK_EXIT_LAUNCH, "", "%s", line);
		return;
	}
	add(pf, step, HUSK_EXIT_LAUNCH, semi + 2, "%.*s", (int)(semi - line), line);
}

static const char *env_path(const struct husk_policy *p)
{
	for (size_t i = 0; i < p->env.n; i++)
		if (str_has_prefix(p->env.v[i], "PATH="))
			return p->env.v[i] + 5;
	return "/bin:/usr/bin"; /* glibc's execvp default */
}

/* The program as execvp will find it in the service's PATH: the first
 * regular file with an execute bit. Returns its kind, canonical path in
 * out; the kind of the best miss otherwise. */
static int find_program(const struct view *v, const struct husk_policy *p, const char *name,
			char *out, size_t outlen)
{
	struct stat st;
	if (strchr(name, '/')) {
		char abs[PATH_MAX];
		/* Relative to the working directory, as execve takes it. */
		snprintf(abs, sizeof(abs), "%s%s%s", name[0] == '/' ? "" : p->cwd,
			 name[0] == '/' || strcmp(p->cwd, "/") == 0 ? "" : "/", name);
		int k = view_resolve(v, abs, out, outlen, &st);
		if (k == VIEW_FILE && !(S_ISREG(st.st_mode) && (st.st_mode & 0111)))
			return -EACCES;
		return k;
	}
	const char *path = env_path(p);
	int best = VIEW_MISSING;
	for (const char *dir = path;; dir++) {
		size_t n = strcspn(dir, ":");
		char cand[PATH_MAX];
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, n ? dir : ".", name);
		if (cand[0] == '/') {
			int k = view_resolve(v, cand, out, outlen, &st);
			if (k == VIEW_FILE && S_ISREG(st.st_mode) && (st.st_mode & 0111))
				return k;
			if (k == VIEW_SPECIAL)
				return k;
			if (k == VIEW_FILE || k == VIEW_DIR)
				best = -EACCES;
		}
		dir += n;
		if (!*dir)
			break;
	}
	return best;
}

/* The #! and ELF interpreter chain of the program: each must be in the
 * sandbox, and none a /proc magic link (CVE-2019-5736's image vector,
 * checked again by the service right before execve). */
static void check_chain(struct preflight *pf, const struct view *v, const char *prog,
			const char *canon)
{
	char cur[PATH_MAX], next[PATH_MAX];
	snprintf(cur, sizeof(cur), "%s", canon);
	for (int depth = 0; depth <= MAX_INTERPRETERS; depth++) {
		int fd = view_open(v, cur);
		if (fd < 0)
			return; /* unreadable: the service says why, if it must */
		unsigned char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n <= 0)
			return;
		const char *what;
		if (shebang_interpreter((const char *)buf, (size_t)n, next, sizeof(next)))
			what = "#! interpreter";
		else if (elf_interp(buf, (size_t)n, next, sizeof(next)) == 1)
			what = "ELF interpreter (dynamic loader)";
		else
			return;
		char found[PATH_MAX];
		struct stat st;
		int k = view_resolve(v, next, found, sizeof(found), &st);
		if (k == VIEW_SPECIAL) {
			add(pf, "exec", HUSK_EXIT_NOEXEC, "refused",
			    "exec %s: its %s %s of %s is or goes through a /proc magic link (such "
			    "as /proc/self/exe), which would run a binary from outside the rootfs "
			    "(CVE-2019-5736)",
			    prog, what, next, cur);
			return;
		}
		if (k != VIEW_FILE) {
			bool elf = what[0] == 'E';
			add(pf, "exec", HUSK_EXIT_NOTFOUND,
			    elf ? "build the program static (CGO_ENABLED=0 for Go), or copy the loader "
				  "and its libraries into the rootfs"
				: "install the interpreter in the rootfs, or fix the #! line",
			    "exec %s: the %s %s of %s is %s in the sandbox", prog, what, next, cur,
			    k == VIEW_DIR ? "a directory" : "not");
			return;
		}
		if (what[0] == 'E')
			return; /* the loader is not itself a script */
		snprintf(cur, sizeof(cur), "%s", found);
	}
}

static void check_program(struct preflight *pf, const struct view *v, const struct husk_policy *p)
{
	const char *name = p->argv.v[0];
	char canon[PATH_MAX];
	int k = find_program(v, p, name, canon, sizeof(canon));
	const char *where = strchr(name, '/') ? "" : " in the service's PATH";
	switch (k) {
	case VIEW_FILE:
		snprintf(pf->program, sizeof(pf->program), "%s", canon);
		check_chain(pf, v, name, canon);
		return;
	case VIEW_SPECIAL:
		add(pf, "exec", HUSK_EXIT_NOEXEC, "refused",
		    "exec %s: it is or goes through a /proc magic link (%s), which would run a "
		    "binary from outside the rootfs (CVE-2019-5736)",
		    name, canon);
		return;
	case VIEW_DIR:
		add(pf, "exec", HUSK_EXIT_NOEXEC, "name the program file, not its directory",
		    "exec %s: %s is a directory", name, canon);
		return;
	case -EACCES:
		add(pf, "exec", HUSK_EXIT_NOEXEC, "make it an executable regular file (chmod +x)",
		    "exec %s: found%s, but it is not an executable regular file", name, where);
		return;
	case VIEW_MISSING:
		add(pf, "exec", HUSK_EXIT_NOTFOUND,
		    "put the program in the rootfs, bind it in with --ro-bind, or give its full path",
		    "exec %s: not found in the sandbox%s%s%s", name, where, *where ? " " : "",
		    *where ? env_path(p) : "");
		return;
	default:
		add(pf, "exec", HUSK_EXIT_NOTFOUND, "", "exec %s: %s", name, strerror(-k));
	}
}

static void check_cwd(struct preflight *pf, const struct view *v, const struct husk_policy *p)
{
	char canon[PATH_MAX];
	int k = view_resolve(v, p->cwd, canon, sizeof(canon), NULL);
	if (k == VIEW_DIR || k == VIEW_SPECIAL)
		return;
	add(pf, "chdir", HUSK_EXIT_LAUNCH,
	    "create the directory in the rootfs, mount one there, or choose another --chdir",
	    "--chdir %s: %s in the sandbox", p->cwd,
	    k == VIEW_FILE ? "not a directory" : k == VIEW_MISSING ? "no such directory" : strerror(-k));
}

/* What cg_create will need: a directory husk may create groups in, in each
 * hierarchy that holds a needed controller, and the limit files each knob
 * writes. Under --cgroup auto a knob that cannot be applied is recorded in
 * pf->cg (the caller makes the policy's limits those in force); otherwise
 * it is an error, as in run. */
static void check_cgroup(struct preflight *pf, const struct husk_policy *p)
{
	if (p->cgroup_mode == CGROUP_OFF || !cg_needed(&p->cgroup))
		return;
	bool degrade = p->cgroup_mode == CGROUP_AUTO;
	struct cg_degraded *d = &pf->cg;
	char err[1024];
	struct cg_plan plan;
	if (cg_plan_degraded(&p->cgroup, &plan, degrade ? d : NULL, err, sizeof(err)) < 0) {
		if (degrade)
			cg_degrade(d, &p->cgroup, cg_knobs(&p->cgroup), err);
		else
			add(pf, "cgroup", HUSK_EXIT_LAUNCH,
			    "start husk in a delegated cgroup (see husk(1), DELEGATION), give "
			    "--cgroup-parent, or --cgroup auto to run without the limits",
			    "%s (the limits need a writable cgroup)", err);
		return;
	}
	for (size_t i = 0; i < plan.n; i++) {
		char dir[1024];
		snprintf(dir, sizeof(dir), "%s%s", plan.h[i].mount,
			 p->cgroup_parent ? p->cgroup_parent : plan.h[i].own);
		if (access(dir, W_OK) == 0)
			continue;
		snprintf(err, sizeof(err), "cannot create a group in %.900s: %s", dir, strerror(errno));
		if (degrade) {
			cg_degrade(d, &p->cgroup, cg_knobs_of(plan.h[i].controllers), err);
			continue;
		}
		add(pf, "cgroup", HUSK_EXIT_LAUNCH,
		    "start husk in a delegated cgroup (see husk(1), DELEGATION), give "
		    "--cgroup-parent, or --cgroup auto to run without the limits",
		    "%s (the limits need a writable cgroup)", err);
		return;
	}
	struct cg_degraded files = { 0 };
	cg_check_knobs("", &plan, &p->cgroup, p->cgroup_parent, &files);
	for (int k = 0; k < CGK_N; k++) {
		if (!(files.dropped & (1u << k)) || (d->dropped & (1u << k)))
			continue;
		if (degrade) {
			cg_degrade(d, &p->cgroup, 1u << k, files.why[k]);
			continue;
		}
		add(pf, "cgroup", HUSK_EXIT_LAUNCH, "drop it, or give --cgroup auto to run without it",
		    "%s: %s", cg_knob_option((enum cg_knob)k), files.why[k]);
	}
}

/* --net ns:PATH must name a network namespace: ip netns add makes them,
 * and a wrong path (a directory, another kind of namespace) is said
 * before anything is made. */
static void check_netns(struct preflight *pf, const struct husk_policy *p)
{
	if (p->net != NET_JOIN)
		return;
	_cleanup_close_ int fd = open(p->net_path, O_RDONLY | O_CLOEXEC);
	int type = fd < 0 ? -1 : ioctl(fd, NS_GET_NSTYPE);
	if (fd < 0)
		add(pf, "net", HUSK_EXIT_LAUNCH, "give the path of a network namespace (/run/netns/NAME)",
		    "--net ns:%s: %s", p->net_path, strerror(errno));
	else if (type != CLONE_NEWNET)
		add(pf, "net", HUSK_EXIT_LAUNCH,
		    "give a network namespace's file: ip netns add NAME makes /run/netns/NAME",
		    "--net ns:%s: not a network namespace", p->net_path);
}

/* --name: where its state would go, and whether a live husk holds it. */
static void check_name(struct preflight *pf, const struct husk_policy *p)
{
	char base[PATH_MAX - 128], dir[PATH_MAX], err[512];
	if (!p->name)
		return;
	if (named_base(base, sizeof(base), err, sizeof(err)) < 0) {
		add(pf, "name", HUSK_EXIT_LAUNCH, "set XDG_RUNTIME_DIR, or drop --name", "--name %s: %s",
		    p->name, err);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%.*s", base, NAMED_MAX, p->name);
	pid_t h = named_holder(dir);
	if (h > 0)
		add(pf, "name", HUSK_EXIT_LAUNCH, "stop it with husk stop, or choose another name",
		    "--name %s: a sandbox named %s is running (husk pid %d)", p->name, p->name,
		    (int)h);
}

size_t preflight_run(const struct husk_policy *p, bool cgroup, struct preflight *pf)
{
	memset(pf, 0, sizeof(*pf));
	check_name(pf, p);
	check_netns(pf, p);
	_cleanup_close_ int rootfd = -1;
	if (p->rootfs && (rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		add(pf, "rootfs", HUSK_EXIT_LAUNCH, "give a directory the caller can reach",
		    "rootfs %s: %s", p->rootfs, strerror(errno));
		return pf->n;
	}
	_cleanup_free_ int *src = xcalloc(p->n_mounts ? p->n_mounts : 1, sizeof(int));
	bool ok = true;
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct mount_entry *m = &p->mounts[i];
		src[i] = m->kind == MOUNT_BIND ? open(m->src, O_PATH | O_CLOEXEC) : -1;
		if (m->kind == MOUNT_BIND && src[i] < 0) {
			add(pf, "mounts", HUSK_EXIT_LAUNCH, "give a source that exists",
			    "mount %s: source %s: %s", m->readonly ? "ro-bind" : "bind", m->src,
			    strerror(errno));
			ok = false;
		}
	}
	if (ok) {
		struct view v;
		char err[1024];
		/* In place husk mounts nothing: the program, the working
		 * directory and the rest are found in the root as it is, and a
		 * --tmpfs must be there already (Landlock's rule opens it). */
		struct husk_policy as_is;
		if (p->in_place) {
			as_is = *p;
			as_is.n_mounts = 0;
			for (size_t i = 0; i < p->n_mounts; i++) {
				const struct mount_entry *m = &p->mounts[i];
				bool dflt_tmp = strcmp(m->dst, "/tmp") == 0 &&
						m->size == HUSK_DEFAULT_TMPFS_SIZE;
				if (m->kind == MOUNT_TMPFS && !dflt_tmp && access(m->dst, F_OK) < 0)
					add(pf, "mounts", HUSK_EXIT_LAUNCH,
					    "make it a tmpfs or volume of the container",
					    "tmpfs %s: in place husk mounts nothing, and %s is not there: %s",
					    m->dst, m->dst, strerror(errno));
			}
		}
		view_init(&v, p->in_place ? &as_is : p, rootfd, src);
		if (view_plan(&v, err, sizeof(err)) < 0) {
			add_split(pf, "mounts", err);
		} else {
			for (size_t i = 0; i < v.n_mirror; i++) {
				char line[PATH_MAX * 2];
				snprintf(line, sizeof(line), "%s for %s", v.mirror[i], v.mirror_for[i]);
				strv_push(&pf->mirrors, line);
			}
			check_cwd(pf, &v, p);
			if (p->argv.n)
				check_program(pf, &v, p);
		}
		view_free(&v);
	}
	for (size_t i = 0; i < p->n_mounts; i++)
		if (src[i] >= 0)
			close(src[i]);
	if (cgroup)
		check_cgroup(pf, p);
	return pf->n;
}

void preflight_free(struct preflight *pf)
{
	strv_free(&pf->mirrors);
}
