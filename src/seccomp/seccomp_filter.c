#include "seccomp/seccomp_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "seccomp/seccomp_json.h"
#include "seccomp/seccomp_load.h"

void sc_bpf_free(struct sc_bpf *b)
{
	for (int i = 0; i < SC_BPF_N; i++)
		free(b->prog[i]);
	memset(b, 0, sizeof(*b));
}

/* notify: the main filter of sc_compile_notify, where every denial with
 * an errno that is not quiet goes to husk's monitor, which answers it
 * with that errno and says so (seccomp_notify.h). */
static uint32_t to_scmp(struct sc_action a, bool notify)
{
	switch (a.kind) {
	case SC_ALLOW:
		return SCMP_ACT_ALLOW;
	case SC_LOG:
		return SCMP_ACT_LOG;
	case SC_ERRNO:
		return notify && !a.quiet ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO(a.errnum);
	case SC_KILL:
		return SCMP_ACT_KILL_PROCESS;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static void ctx_release(scmp_filter_ctx *c)
{
	if (*c)
		seccomp_release(*c);
}

static int export(scmp_filter_ctx ctx, struct sock_filter **prog, size_t *len)
{
	/* libseccomp 2.5 exports only to an fd. */
	_cleanup_close_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -E2BIG;
	*prog = xcalloc(1, (size_t)st.st_size);
	if (pread(fd, *prog, (size_t)st.st_size, 0) != st.st_size)
		return -EIO;
	*len = (size_t)st.st_size / sizeof(struct sock_filter);
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def, struct sc_action act, int nr,
		    const struct sc_alt *alt, bool notify)
{
	uint32_t a = to_scmp(act, notify);
	if (a == def)
		return 0; /* libseccomp refuses a rule that repeats the default */
	int r = seccomp_rule_add_array(ctx, a, nr, alt ? alt->n_cmp : 0, alt ? alt->cmp : NULL);
	return r == -EEXIST ? 0 : r;
}

/* notify: only the main filter, into prog[SC_BPF_NOTIFY]; the rest of out
 * is left as it is. */
static int compile(const struct sc_profile *p, struct sc_bpf *out, bool notify, char *err,
		   size_t errlen)
{
	if (!notify)
		memset(out, 0, sizeof(*out));
	char b1[32], b2[32];
	size_t n_rules = 0;

	const struct sc_syscall *ex = sc_profile_find(p, "execve");
	if (!ex || sc_profile_fallback(p, ex).kind != SC_ALLOW || ex->n_alts)
		return errf(err, errlen, -EINVAL,
			    "the profile does not allow execve unconditionally; husk loads the "
			    "filter before it execs the service, so every profile must");

	uint32_t def = to_scmp(p->def, notify);
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx main_ctx = seccomp_init(def);
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx overlay = NULL;
	if (!main_ctx)
		return errf(err, errlen, -ENOMEM, "seccomp_init failed");
	/* Native architecture only: an int 0x80 (i386) or x32 entry on x86_64
	 * is not in the filter's arch list and kills the process. */
	if (seccomp_attr_set(main_ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
	    seccomp_attr_set(main_ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
		return errf(err, errlen, -EINVAL, "seccomp_attr_set failed");

	for (size_t i = 0; i < p->n_sys; i++) {
		const struct sc_syscall *s = &p->sys[i];
		struct sc_action fb = sc_profile_fallback(p, s);
		int r = 0;
		if (!sc_action_equal(fb, p->def)) {
			for (size_t k = 0; k < s->n_alts; k++)
				if (sc_action_rank(s->alts[k].act) < sc_action_rank(fb))
					return errf(err, errlen, -EINVAL,
						    "%s: a conditional '%s' under the unconditional "
						    "'%s' cannot be expressed; drop the unconditional "
						    "line so the syscall falls back to the default",
						    s->name, sc_action_str(s->alts[k].act, b1, sizeof(b1)),
						    sc_action_str(fb, b2, sizeof(b2)));
			r = add_rule(main_ctx, def, fb, s->nr, NULL, notify);
			n_rules++;
		}
		for (size_t k = 0; r >= 0 && k < s->n_alts; k++) {
			const struct sc_alt *alt = &s->alts[k];
			int rank = sc_action_rank(alt->act);
			if (sc_action_equal(alt->act, fb))
				continue;
			if (rank < sc_action_rank(fb)) {
				r = add_rule(main_ctx, def, alt->act, s->nr, alt, notify);
			} else if (!notify) {
				if (!overlay) {
					overlay = seccomp_init(SCMP_ACT_ALLOW);
					if (!overlay ||
					    seccomp_attr_set(overlay, SCMP_FLTATR_ACT_BADARCH,
							     SCMP_ACT_ALLOW) < 0 ||
					    seccomp_attr_set(overlay, SCMP_FLTATR_CTL_NNP, 0) < 0)
						return errf(err, errlen, -ENOMEM, "seccomp_init failed");
				}
				r = add_rule(overlay, SCMP_ACT_ALLOW, alt->act, s->nr, alt, false);
			}
			n_rules++;
		}
		if (r < 0)
			return errf(err, errlen, r, "%s: libseccomp refused the rule: %s", s->name,
				    strerror(-r));
	}
	/* The binary tree pays off for larger filters (runc uses it above 8
	 * rules); on >= 5.11 plain allows skip BPF through the kernel's cache. */
	if (n_rules > 8)
		seccomp_attr_set(main_ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

	int main_at = notify ? SC_BPF_NOTIFY : SC_BPF_MAIN;
	int r = export(main_ctx, &out->prog[main_at], &out->len[main_at]);
	if (r == 0 && overlay)
		r = export(overlay, &out->prog[SC_BPF_OVERLAY], &out->len[SC_BPF_OVERLAY]);
	if (r < 0) {
		sc_bpf_free(out);
		return errf(err, errlen, r, "export BPF: %s", strerror(-r));
	}
	if (!notify)
		out->n_rules = n_rules;
	return 0;
}

int sc_compile(const struct sc_profile *p, struct sc_bpf *out, char *err, size_t errlen)
{
	return compile(p, out, false, err, errlen);
}

int sc_compile_notify(const struct sc_profile *p, struct sc_bpf *out, char *err, size_t errlen)
{
	return compile(p, out, true, err, errlen);
}

int sc_compile_learn(struct sc_bpf *out, char *err, size_t errlen)
{
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
	if (!ctx)
		return errf(err, errlen, -ENOMEM, "seccomp_init failed");
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* execve is the one call made between the load and the monitor's
	 * having the listener; clone3 keeps its quiet ENOSYS. */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(execve), 0);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r == 0)
		r = export(ctx, &out->prog[SC_BPF_NOTIFY], &out->len[SC_BPF_NOTIFY]);
	return r < 0 ? errf(err, errlen, r, "the learning filter: %s", strerror(-r)) : 0;
}

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

int sc_bpf_load(const struct sc_bpf *b, bool log, int *listener)
{
	bool notify = listener && b->prog[SC_BPF_NOTIFY];
	if (listener)
		*listener = -1;
	/* The overlay goes first: the main filter need not allow seccomp(2),
	 * so nothing can be loaded after it. */
	const int order[2] = { SC_BPF_OVERLAY, notify ? SC_BPF_NOTIFY : SC_BPF_MAIN };
	for (int k = 0; k < 2; k++) {
		int i = order[k];
		if (!b->prog[i])
			continue;
		struct sock_fprog fp = { .len = (unsigned short)b->len[i], .filter = b->prog[i] };
		/* FLAG_LOG: the kernel logs every action but allow (audit type
		 * 1326, in dmesg), which is how a denied call is found. */
		unsigned long flags = log ? SECCOMP_FILTER_FLAG_LOG : 0;
		if (i != SC_BPF_NOTIFY) {
			if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp) < 0)
				return -errno;
			continue;
		}
		/* The listener goes to husk's monitor. WAIT_KILLABLE_RECV
		 * (5.19): once the monitor has the call, only a fatal signal
		 * interrupts it, so Go's preemption signals (SIGURG) do not
		 * make every notified call start over. Older kernels restart
		 * it, which is slower, not wrong. */
		long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				  flags | SECCOMP_FILTER_FLAG_NEW_LISTENER |
					  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
				  &fp);
		if (fd < 0 && errno == EINVAL)
			fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				     flags | SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp);
		/* No fd left for the listener (RLIMIT_NOFILE is already the
		 * service's): the plain filter, which answers the same errnos
		 * without reporting them; the caller says so. */
		if (fd < 0 && errno == EMFILE) {
			fp = (struct sock_fprog){ .len = (unsigned short)b->len[SC_BPF_MAIN],
						  .filter = b->prog[SC_BPF_MAIN] };
			if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp) < 0)
				return -errno;
			*listener = -EMFILE;
			continue;
		}
		if (fd < 0)
			return -errno;
		*listener = (int)fd;
	}
	return 0;
}

/* ---- precompiled filters ---------------------------------------------- */

#define BPF_MAGIC "HUSKBPF2"

struct bpf_header {
	char magic[8];
	uint32_t arch;	       /* seccomp_arch_native() */
	uint32_t scmp_version; /* major << 16 | minor << 8 | micro */
	uint32_t n_sources;
	uint32_t len[SC_BPF_N]; /* instructions in the main, overlay and notify programs */
};

static uint32_t scmp_version(void)
{
	const struct scmp_version *v = seccomp_version();
	return v->major << 16 | v->minor << 8 | v->micro;
}

/* Sources are recorded relative to the profile's directory when they are
 * in it, so an installed profile and its .bpf can move together. */
static const char *relative_to(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strncmp(path, dir, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

/* The directory an existing file is in, symlinks resolved; NULL if the
 * file does not exist. */
static char *dir_of(const char *path)
{
	char *real = realpath(path, NULL);
	if (!real)
		return NULL;
	char *slash = strrchr(real, '/');
	slash[slash == real ? 1 : 0] = '\0'; /* "/x" is in "/" */
	return real;
}

int sc_bpf_save(const struct sc_bpf *b, const struct sc_profile *p, const char *path, char *err,
		size_t errlen)
{
	if (p->n_sources == 0)
		return errf(err, errlen, -EINVAL,
			    "only text profiles can be precompiled (JSON rules depend on the caps)");
	/* Relative to the profile's own directory: the .bpf is only ever
	 * used from beside its profile, wherever the two are installed. */
	_cleanup_free_ char *dir = dir_of(p->sources[0]);
	if (!dir)
		return errf(err, errlen, -errno, "%s: %s", p->sources[0], strerror(errno));
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "wbx");
	if (!f)
		return errf(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	struct bpf_header h = { .arch = seccomp_arch_native(),
				.scmp_version = scmp_version(),
				.n_sources = (uint32_t)p->n_sources,
				.len = { (uint32_t)b->len[0], (uint32_t)b->len[1],
					 (uint32_t)b->len[2] } };
	memcpy(h.magic, BPF_MAGIC, 8);
	bool ok = fwrite(&h, sizeof(h), 1, f) == 1;
	for (size_t i = 0; ok && i < p->n_sources; i++) {
		const char *rel = relative_to(p->sources[i], dir);
		uint32_t n = (uint32_t)strlen(rel);
		ok = fwrite(&p->source_hash[i], 8, 1, f) == 1 && fwrite(&n, 4, 1, f) == 1 &&
		     fwrite(rel, 1, n, f) == n;
	}
	for (int i = 0; ok && i < SC_BPF_N; i++)
		if (b->len[i])
			ok = fwrite(b->prog[i], sizeof(struct sock_filter), b->len[i], f) == b->len[i];
	if (fclose(f) != 0)
		ok = false;
	if (!ok || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;
		unlink(tmp);
		return errf(err, errlen, -e, "%s: %s", path, strerror(e));
	}
	return 0;
}

static int read_small_file(int dirfd, const char *path, char **buf, size_t *len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size > (1 << 20))
		return -EINVAL;
	*buf = xcalloc((size_t)st.st_size + 1, 1);
	if (pread(fd, *buf, (size_t)st.st_size, 0) != st.st_size) {
		free(*buf);
		return -EIO;
	}
	*len = (size_t)st.st_size;
	return 0;
}

int sc_bpf_load_precompiled(const char *path, const char *profile_path, struct sc_bpf *b)
{
	memset(b, 0, sizeof(*b));
	/* The sources are named relative to the profile's directory, which
	 * need not be the .bpf's (the shipped ones sit under libdir). */
	_cleanup_free_ char *dir = dir_of(profile_path);
	_cleanup_close_ int dirfd = dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dirfd < 0)
		return -ENOENT;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = read_small_file(AT_FDCWD, path, &buf, &len);
	if (r < 0)
		return r;
	struct bpf_header h;
	if (len < sizeof(h))
		return -ESTALE;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, BPF_MAGIC, 8) != 0 || h.arch != seccomp_arch_native() ||
	    h.scmp_version != scmp_version() || h.len[0] == 0 || h.len[0] > BPF_MAXINSNS ||
	    h.len[1] > BPF_MAXINSNS || h.len[2] > BPF_MAXINSNS || h.n_sources == 0 ||
	    h.n_sources > 64)
		return -ESTALE;
	size_t off = sizeof(h);
	for (uint32_t i = 0; i < h.n_sources; i++) {
		uint64_t want;
		uint32_t n;
		if (off + 12 > len)
			return -ESTALE;
		memcpy(&want, buf + off, 8);
		memcpy(&n, buf + off + 8, 4);
		off += 12;
		if (n == 0 || n >= 4096 || off + n > len)
			return -ESTALE;
		char src[4096];
		memcpy(src, buf + off, n);
		src[n] = '\0';
		off += n;
		_cleanup_free_ char *sbuf = NULL;
		size_t slen;
		if (read_small_file(dirfd, src, &sbuf, &slen) < 0 || sc_hash_bytes(sbuf, slen) != want)
			return -ESTALE;
	}
	size_t total = 0;
	for (int i = 0; i < SC_BPF_N; i++)
		total += h.len[i] * sizeof(struct sock_filter);
	if (off + total != len)
		return -ESTALE;
	for (int i = 0; i < SC_BPF_N; i++) {
		if (!h.len[i])
			continue;
		size_t bytes = h.len[i] * sizeof(struct sock_filter);
		b->prog[i] = xcalloc(h.len[i], sizeof(struct sock_filter));
		memcpy(b->prog[i], buf + off, bytes);
		b->len[i] = h.len[i];
		off += bytes;
	}
	return 0;
}

void sc_bpf_path(const char *profile_path, const char *bpf_dir, char *out, size_t len)
{
	const char *base = profile_path;
	char dir[4096] = "";
	if (bpf_dir) {
		const char *slash = strrchr(profile_path, '/');
		base = slash ? slash + 1 : profile_path;
		snprintf(dir, sizeof(dir), "%s/", bpf_dir);
	}
	size_t n = strlen(base);
	if (n > 7 && strcmp(base + n - 7, ".policy") == 0)
		snprintf(out, len, "%s%.*s.bpf", dir, (int)(n - 7), base);
	else
		snprintf(out, len, "%s%s.bpf", dir, base);
}

int sc_prepare(const char *name_or_path, const struct search_path *sp, uint64_t caps, bool notify,
	       struct sc_bpf *out, struct sc_profile **parsed, char *err, size_t errlen)
{
	char path[4096], bpf[4200];
	bool is_json;
	const char *bpf_dir;
	*parsed = NULL;
	int r = sc_profile_resolve(name_or_path, sp, path, sizeof(path), &is_json, &bpf_dir, err,
				   errlen);
	if (r < 0)
		return r;
	if (!is_json) {
		sc_bpf_path(path, bpf_dir, bpf, sizeof(bpf));
		if (sc_bpf_load_precompiled(bpf, path, out) == 0 && (!notify || out->prog[SC_BPF_NOTIFY]))
			return 0;
		sc_bpf_free(out);
	}
	struct sc_profile *p = xcalloc(1, sizeof(*p));
	sc_profile_init(p);
	p->search = sp;
	r = is_json ? sc_profile_parse_json(p, path, caps, err, errlen)
		    : sc_profile_parse_file(p, path, err, errlen);
	if (r == 0)
		r = sc_compile(p, out, err, errlen);
	if (r == 0 && notify)
		r = sc_compile_notify(p, out, err, errlen);
	if (r < 0) {
		sc_profile_free(p);
		free(p);
		return r;
	}
	*parsed = p;
	return 0;
}
