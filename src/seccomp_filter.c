#include "seccomp_filter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

void sc_bpf_free(struct sc_bpf *b)
{
	free(b->prog[0]);
	free(b->prog[1]);
	memset(b, 0, sizeof(*b));
}

static uint32_t to_scmp(struct sc_action a)
{
	switch (a.kind) {
	case SC_ALLOW:
		return SCMP_ACT_ALLOW;
	case SC_LOG:
		return SCMP_ACT_LOG;
	case SC_ERRNO:
		return SCMP_ACT_ERRNO(a.errnum);
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
		    const struct sc_alt *alt)
{
	uint32_t a = to_scmp(act);
	if (a == def)
		return 0; /* libseccomp refuses a rule that repeats the default */
	int r = seccomp_rule_add_array(ctx, a, nr, alt ? alt->n_cmp : 0, alt ? alt->cmp : NULL);
	return r == -EEXIST ? 0 : r;
}

int sc_compile(const struct sc_profile *p, struct sc_bpf *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	char b1[32], b2[32];

	const struct sc_syscall *ex = sc_profile_find(p, "execve");
	if (!ex || sc_profile_fallback(p, ex).kind != SC_ALLOW || ex->n_alts)
		return errf(err, errlen, -EINVAL,
			    "the profile does not allow execve unconditionally; husk loads the "
			    "filter before it execs the service, so every profile must");

	uint32_t def = to_scmp(p->def);
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
			r = add_rule(main_ctx, def, fb, s->nr, NULL);
			out->n_rules++;
		}
		for (size_t k = 0; r >= 0 && k < s->n_alts; k++) {
			const struct sc_alt *alt = &s->alts[k];
			int rank = sc_action_rank(alt->act);
			if (sc_action_equal(alt->act, fb))
				continue;
			if (rank < sc_action_rank(fb)) {
				r = add_rule(main_ctx, def, alt->act, s->nr, alt);
			} else {
				if (!overlay) {
					overlay = seccomp_init(SCMP_ACT_ALLOW);
					if (!overlay ||
					    seccomp_attr_set(overlay, SCMP_FLTATR_ACT_BADARCH,
							     SCMP_ACT_ALLOW) < 0 ||
					    seccomp_attr_set(overlay, SCMP_FLTATR_CTL_NNP, 0) < 0)
						return errf(err, errlen, -ENOMEM, "seccomp_init failed");
				}
				r = add_rule(overlay, SCMP_ACT_ALLOW, alt->act, s->nr, alt);
			}
			out->n_rules++;
		}
		if (r < 0)
			return errf(err, errlen, r, "%s: libseccomp refused the rule: %s", s->name,
				    strerror(-r));
	}
	/* The binary tree pays off for larger filters (runc uses it above 8
	 * rules); on >= 5.11 plain allows skip BPF through the kernel's cache. */
	if (out->n_rules > 8)
		seccomp_attr_set(main_ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

	int r = export(main_ctx, &out->prog[0], &out->len[0]);
	if (r == 0 && overlay)
		r = export(overlay, &out->prog[1], &out->len[1]);
	if (r < 0) {
		sc_bpf_free(out);
		return errf(err, errlen, r, "export BPF: %s", strerror(-r));
	}
	return 0;
}

int sc_bpf_load(const struct sc_bpf *b, bool log)
{
	/* The overlay goes first: the main filter need not allow seccomp(2),
	 * so nothing can be loaded after it. */
	for (int i = 1; i >= 0; i--) {
		if (!b->prog[i])
			continue;
		struct sock_fprog fp = { .len = (unsigned short)b->len[i], .filter = b->prog[i] };
		/* FLAG_LOG: the kernel logs every action but allow (audit type
		 * 1326, in dmesg), which is how a denied call is found. */
		unsigned flags = log ? SECCOMP_FILTER_FLAG_LOG : 0;
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp) < 0)
			return -errno;
	}
	return 0;
}
