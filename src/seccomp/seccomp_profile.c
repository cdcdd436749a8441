#include "seccomp/seccomp_profile.h"

#include <ctype.h>
#include <errno.h>
#include <linux/netlink.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp/seccomp_groups.h"
#include "base/util.h"

void sc_profile_init(struct sc_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->def = (struct sc_action){ .kind = SC_ERRNO, .errnum = ENOSYS };
}

void sc_profile_free(struct sc_profile *p)
{
	for (size_t i = 0; i < p->n_sys; i++) {
		free(p->sys[i].name);
		free(p->sys[i].alts);
	}
	free(p->sys);
	for (size_t i = 0; i < p->n_sources; i++)
		free(p->sources[i]);
	free(p->sources);
	free(p->source_hash);
	memset(p, 0, sizeof(*p));
}

uint64_t sc_hash_bytes(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int sc_profile_add_source(struct sc_profile *p, const char *path, uint64_t hash)
{
	char **ns = realloc(p->sources, (p->n_sources + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	p->sources = ns;
	uint64_t *nh = realloc(p->source_hash, (p->n_sources + 1) * sizeof(*nh));
	if (!nh)
		return -ENOMEM;
	p->source_hash = nh;
	if (!(p->sources[p->n_sources] = strdup(path)))
		return -ENOMEM;
	p->source_hash[p->n_sources++] = hash;
	return 0;
}

static struct sc_syscall *lookup(struct sc_profile *p, int nr, const char *name)
{
	for (size_t i = 0; i < p->n_sys; i++)
		if (p->sys[i].nr == nr)
			return &p->sys[i];
	struct sc_syscall *ns = realloc(p->sys, (p->n_sys + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	p->sys = ns;
	struct sc_syscall *s = &p->sys[p->n_sys];
	memset(s, 0, sizeof(*s));
	s->nr = nr;
	s->name = strdup(name);
	if (!s->name)
		return NULL;
	p->n_sys++;
	return s;
}

int sc_profile_set(struct sc_profile *p, int nr, const char *name, struct sc_action act)
{
	struct sc_syscall *s = lookup(p, nr, name);
	if (!s)
		return -ENOMEM;
	free(s->alts);
	s->alts = NULL;
	s->n_alts = 0;
	s->has_fallback = true;
	s->fallback = act;
	return 0;
}

int sc_profile_add_alt(struct sc_profile *p, int nr, const char *name, const struct sc_alt *alt)
{
	if (p->n_alts_total >= SC_MAX_ALTS)
		return -E2BIG;
	struct sc_syscall *s = lookup(p, nr, name);
	if (!s)
		return -ENOMEM;
	struct sc_alt *na = realloc(s->alts, (s->n_alts + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	s->alts = na;
	s->alts[s->n_alts++] = *alt;
	p->n_alts_total++;
	return 0;
}

const struct sc_syscall *sc_profile_find(const struct sc_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_sys; i++)
		if (strcmp(p->sys[i].name, name) == 0)
			return &p->sys[i];
	return NULL;
}

struct sc_action sc_profile_fallback(const struct sc_profile *p, const struct sc_syscall *s)
{
	return s->has_fallback ? s->fallback : p->def;
}

static bool cmp_holds(const struct scmp_arg_cmp *c, const uint64_t args[SC_MAX_ARGS])
{
	uint64_t v = args[c->arg];
	switch (c->op) {
	case SCMP_CMP_NE:
		return v != c->datum_a;
	case SCMP_CMP_LT:
		return v < c->datum_a;
	case SCMP_CMP_LE:
		return v <= c->datum_a;
	case SCMP_CMP_EQ:
		return v == c->datum_a;
	case SCMP_CMP_GE:
		return v >= c->datum_a;
	case SCMP_CMP_GT:
		return v > c->datum_a;
	case SCMP_CMP_MASKED_EQ:
		return (v & c->datum_a) == c->datum_b;
	default:
		return false;
	}
}

struct sc_action sc_profile_eval(const struct sc_profile *p, const char *name,
				 const uint64_t args[SC_MAX_ARGS])
{
	const struct sc_syscall *s = sc_profile_find(p, name);
	if (!s)
		return p->def;
	bool matched = false;
	struct sc_action best = { .kind = SC_ALLOW };
	for (size_t i = 0; i < s->n_alts; i++) {
		const struct sc_alt *a = &s->alts[i];
		bool all = true;
		for (unsigned j = 0; j < a->n_cmp && all; j++)
			all = cmp_holds(&a->cmp[j], args);
		if (!all)
			continue;
		if (!matched || sc_action_rank(a->act) > sc_action_rank(best))
			best = a->act;
		matched = true;
	}
	return matched ? best : sc_profile_fallback(p, s);
}

int sc_action_rank(struct sc_action a)
{
	return (int)a.kind;
}

bool sc_action_equal(struct sc_action a, struct sc_action b)
{
	return a.kind == b.kind && (a.kind != SC_ERRNO || (a.errnum == b.errnum && a.quiet == b.quiet));
}

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "EPERM", EPERM },	    { "ENOENT", ENOENT },	    { "EIO", EIO },
	{ "EBADF", EBADF },	    { "EAGAIN", EAGAIN },	    { "ENOMEM", ENOMEM },
	{ "EACCES", EACCES },	    { "EFAULT", EFAULT },	    { "EBUSY", EBUSY },
	{ "EEXIST", EEXIST },	    { "EINVAL", EINVAL },	    { "ENOSPC", ENOSPC },
	{ "EROFS", EROFS },	    { "ENOSYS", ENOSYS },	    { "ENOTSUP", ENOTSUP },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EAFNOSUPPORT", EAFNOSUPPORT }, { "ENOTTY", ENOTTY },
	{ "EPROTONOSUPPORT", EPROTONOSUPPORT },
};

int sc_errno_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (strcmp(errnos[i].name, name) == 0)
			return errnos[i].value;
	return -1;
}

const char *sc_errno_name(int e)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].value == e)
			return errnos[i].name;
	return NULL;
}

const char *sc_action_str(struct sc_action a, char *buf, size_t len)
{
	switch (a.kind) {
	case SC_ALLOW:
		return "allow";
	case SC_LOG:
		return "log";
	case SC_KILL:
		return "kill";
	case SC_ERRNO: {
		const char *n = sc_errno_name(a.errnum);
		if (n)
			snprintf(buf, len, "errno %s%s", n, a.quiet ? " quiet" : "");
		else
			snprintf(buf, len, "errno %u%s", a.errnum, a.quiet ? " quiet" : "");
		return buf;
	}
	}
	return "?";
}

/* ---- the text format --------------------------------------------------- */

/* Named constants usable in conditions, from the system headers. */
static const struct {
	const char *name;
	uint64_t value;
} constants[] = {
	{ "AF_UNIX", AF_UNIX },
	{ "AF_LOCAL", AF_LOCAL },
	{ "AF_INET", AF_INET },
	{ "AF_INET6", AF_INET6 },
	{ "AF_NETLINK", AF_NETLINK },
	{ "NETLINK_ROUTE", NETLINK_ROUTE },
	{ "AF_PACKET", AF_PACKET },
	{ "AF_KEY", AF_KEY },
	{ "AF_ALG", AF_ALG },
	{ "AF_VSOCK", AF_VSOCK },
	{ "AF_BLUETOOTH", AF_BLUETOOTH },
	{ "SOCK_STREAM", SOCK_STREAM },
	{ "SOCK_DGRAM", SOCK_DGRAM },
	{ "SOCK_RAW", SOCK_RAW },
	{ "IPPROTO_MPTCP", 262 },
	{ "CLONE_NEWNS", CLONE_NEWNS },
	{ "CLONE_NEWUTS", CLONE_NEWUTS },
	{ "CLONE_NEWIPC", CLONE_NEWIPC },
	{ "CLONE_NEWUSER", CLONE_NEWUSER },
	{ "CLONE_NEWPID", CLONE_NEWPID },
	{ "CLONE_NEWNET", CLONE_NEWNET },
	{ "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
	{ "CLONE_NEWTIME", 0x80 },
	{ "TIOCSTI", TIOCSTI },
	{ "TIOCLINUX", TIOCLINUX },
	{ "PER_LINUX", PER_LINUX },
	{ "PER_LINUX32", PER_LINUX32 },
	{ "UNAME26", UNAME26 },
	{ "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE },
	{ "PER_QUERY", 0xffffffffu },
};

struct cursor {
	const char *file;
	unsigned line;
	const char *s; /* the line */
	size_t i;
	char *err;
	size_t errlen;
};

static int perr(struct cursor *c, size_t col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(struct cursor *c, size_t col, const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "%s:%u:%zu: ", c->file, c->line, col + 1);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void skip_ws(struct cursor *c)
{
	while (c->s[c->i] == ' ' || c->s[c->i] == '\t')
		c->i++;
}

static bool at_end(struct cursor *c)
{
	skip_ws(c);
	return c->s[c->i] == '\0';
}

static bool word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '@' || ch == '?' ||
	       ch == '.' || ch == '/';
}

/* Reads a word into buf; returns its start column, -1 if there is none,
 * or WORD_TOO_LONG (with the error in c->err) for one that does not fit:
 * cut short, "00000000000000000000001" would become another number. */
#define WORD_TOO_LONG (-2)
static ssize_t read_word(struct cursor *c, char *buf, size_t len)
{
	skip_ws(c);
	size_t start = c->i, n = 0;
	while (word_char(c->s[c->i])) {
		if (n + 1 >= len) {
			perr(c, start, "a word longer than %zu characters", len - 1);
			return WORD_TOO_LONG;
		}
		buf[n++] = c->s[c->i];
		c->i++;
	}
	buf[n] = '\0';
	return c->i == start ? -1 : (ssize_t)start;
}

static bool accept_tok(struct cursor *c, const char *tok)
{
	skip_ws(c);
	size_t n = strlen(tok);
	if (strncmp(c->s + c->i, tok, n) != 0)
		return false;
	c->i += n;
	return true;
}

static int parse_action(struct cursor *c, struct sc_action *a)
{
	char w[64];
	ssize_t col = read_word(c, w, sizeof(w));
	if (col == WORD_TOO_LONG)
		return -EINVAL;
	if (col < 0)
		return perr(c, c->i, "expected an action: allow, log, kill or errno NAME");
	if (strcmp(w, "allow") == 0) {
		*a = (struct sc_action){ .kind = SC_ALLOW };
	} else if (strcmp(w, "log") == 0) {
		*a = (struct sc_action){ .kind = SC_LOG };
	} else if (strcmp(w, "kill") == 0) {
		*a = (struct sc_action){ .kind = SC_KILL };
	} else if (strcmp(w, "errno") == 0) {
		ssize_t ecol = read_word(c, w, sizeof(w));
		if (ecol == WORD_TOO_LONG)
			return -EINVAL;
		if (ecol < 0)
			return perr(c, c->i, "errno needs a name like EPERM or a number");
		int e = sc_errno_from_name(w);
		if (e < 0) {
			uint32_t v;
			if (parse_u32(w, &v) < 0 || v == 0 || v > 4095)
				return perr(c, (size_t)ecol, "unknown errno '%s'", w);
			e = (int)v;
		}
		*a = (struct sc_action){ .kind = SC_ERRNO, .errnum = (uint16_t)e };
		/* "quiet": an expected answer, not reported as a denial. */
		size_t save = c->i;
		ssize_t qcol = read_word(c, w, sizeof(w));
		if (qcol == WORD_TOO_LONG)
			return -EINVAL;
		if (qcol >= 0 && strcmp(w, "quiet") == 0)
			a->quiet = true;
		else
			c->i = save;
	} else {
		return perr(c, (size_t)col, "unknown action '%s': use allow, log, kill or errno NAME",
			    w);
	}
	return 0;
}

static int parse_value(struct cursor *c, uint64_t *out)
{
	uint64_t v = 0;
	do {
		char w[64];
		ssize_t col = read_word(c, w, sizeof(w));
		if (col == WORD_TOO_LONG)
			return -EINVAL;
		if (col < 0)
			return perr(c, c->i, "expected a number or a constant name");
		uint64_t term;
		char *end;
		errno = 0;
		if (isdigit((unsigned char)w[0])) {
			term = strtoull(w, &end, 0);
			if (errno || *end)
				return perr(c, (size_t)col, "bad number '%s'", w);
		} else {
			size_t k;
			for (k = 0; k < ARRAY_SIZE(constants); k++)
				if (strcmp(constants[k].name, w) == 0)
					break;
			if (k == ARRAY_SIZE(constants))
				return perr(c, (size_t)col, "unknown constant '%s'", w);
			term = constants[k].value;
		}
		v |= term;
		skip_ws(c);
	} while (c->s[c->i] == '|' && c->s[c->i + 1] != '|' && ++c->i);
	*out = v;
	return 0;
}

static int parse_cmp(struct cursor *c, struct scmp_arg_cmp *cmp)
{
	skip_ws(c);
	size_t col = c->i;
	if (strncmp(c->s + c->i, "arg", 3) != 0 || c->s[c->i + 3] < '0' || c->s[c->i + 3] > '5' ||
	    word_char(c->s[c->i + 4]))
		return perr(c, col, "expected arg0 to arg5");
	cmp->arg = (unsigned)(c->s[c->i + 3] - '0');
	c->i += 4;
	bool masked = false;
	uint64_t mask = 0;
	if (accept_tok(c, "&") ) {
		masked = true;
		int r = parse_value(c, &mask);
		if (r < 0)
			return r;
	}
	skip_ws(c);
	size_t opcol = c->i;
	static const struct {
		const char *tok;
		enum scmp_compare op;
	} ops[] = { { "==", SCMP_CMP_EQ }, { "!=", SCMP_CMP_NE }, { "<=", SCMP_CMP_LE },
		    { ">=", SCMP_CMP_GE }, { "<", SCMP_CMP_LT },  { ">", SCMP_CMP_GT } };
	size_t k;
	for (k = 0; k < ARRAY_SIZE(ops); k++)
		if (accept_tok(c, ops[k].tok))
			break;
	if (k == ARRAY_SIZE(ops))
		return perr(c, opcol, "expected a comparison: == != < <= > >=");
	uint64_t v;
	int r = parse_value(c, &v);
	if (r < 0)
		return r;
	if (masked) {
		if (ops[k].op != SCMP_CMP_EQ)
			return perr(c, opcol, "a masked comparison (argN & MASK) takes only ==");
		*cmp = (struct scmp_arg_cmp){ .arg = cmp->arg, .op = SCMP_CMP_MASKED_EQ,
					      .datum_a = mask, .datum_b = v };
	} else {
		*cmp = (struct scmp_arg_cmp){ .arg = cmp->arg, .op = ops[k].op, .datum_a = v };
	}
	return 0;
}

struct parse_ctx {
	struct sc_profile *p;
	char *err;
	size_t errlen;
	unsigned depth;
	char *stack[16]; /* realpaths of the files being read, for loops */
};

static int parse_text(struct parse_ctx *pc, const char *text, const char *name, const char *dir);

/* Reads and parses one file. Failures before parsing (missing file, loop)
 * are reported at the including line when there is one. */
static int parse_path(struct parse_ctx *pc, const char *path, struct cursor *from, size_t col)
{
#define PRE_ERR(r, ...)                                                                            \
	(from ? (perr(from, col, __VA_ARGS__), (r)) : errf(pc->err, pc->errlen, (r), __VA_ARGS__))
	_cleanup_free_ char *real = realpath(path, NULL);
	if (!real) {
		int e = errno;
		return PRE_ERR(-e, "%s: %s", path, strerror(e));
	}
	for (unsigned i = 0; i < pc->depth; i++)
		if (strcmp(pc->stack[i], real) == 0)
			return PRE_ERR(-ELOOP, "%s: include loop", path);
	if (pc->depth >= ARRAY_SIZE(pc->stack))
		return PRE_ERR(-ELOOP, "%s: includes nested too deep", path);

	/* A regular file under 1 MiB (read_capped_file says why not),
	 * reported at the including line. */
	_cleanup_free_ char *buf = NULL;
	size_t len;
	char why[PATH_MAX + 128];
	int rr = read_capped_file(real, 1u << 20, &buf, &len, why, sizeof(why));
	if (rr < 0)
		return PRE_ERR(rr, "%s", why);
#undef PRE_ERR
	ssize_t n = (ssize_t)len;
	/* A NUL would end the text there, and the rest of its line and of
	 * the file would mean nothing without a word. */
	const char *nul = memchr(buf, '\0', (size_t)n);
	if (nul) {
		unsigned line = 1;
		const char *bol = buf;
		for (const char *q = buf; q < nul; q++)
			if (*q == '\n')
				line++, bol = q + 1;
		return errf(pc->err, pc->errlen, -EINVAL, "%s:%u:%zu: a NUL byte (a profile is text)", path,
			    line, (size_t)(nul - bol) + 1);
	}

	_cleanup_free_ char *dir = xstrdup(real);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (sc_profile_add_source(pc->p, real, sc_hash_bytes(buf, len)) < 0)
		return -ENOMEM;
	pc->stack[pc->depth++] = real;
	int r = parse_text(pc, buf, path, dir);
	pc->depth--;
	return r;
}

static int resolve_name(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);
	return nr == __NR_SCMP_ERROR ? -ENOENT : nr;
}

static int apply_group(struct parse_ctx *pc, struct cursor *c, size_t col, const char *gname,
		       const struct sc_action *act, unsigned depth)
{
	const struct sc_group *g = sc_group_find(gname);
	if (!g)
		return perr(c, col, "unknown group '@%s'", gname);
	if (depth > 4)
		return perr(c, col, "group '@%s' nests too deep", gname);
	for (const char *const *m = g->members; *m; m++) {
		int r;
		if ((*m)[0] == '@') {
			r = apply_group(pc, c, col, *m + 1, act, depth + 1);
		} else {
			int nr = resolve_name(*m);
			if (nr == -ENOENT)
				continue; /* not known to this libseccomp: nothing to filter */
			r = sc_profile_set(pc->p, nr, *m, *act);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_line(struct parse_ctx *pc, struct cursor *c, const char *dir)
{
	char w[128];
	ssize_t col = read_word(c, w, sizeof(w));
	if (col == WORD_TOO_LONG)
		return -EINVAL;
	if (col < 0)
		return perr(c, c->i, "expected a syscall name, @group, default or include");

	if (strcmp(w, "default") == 0) {
		struct sc_action a;
		int r = parse_action(c, &a);
		if (r < 0)
			return r;
		/* Go turns SIGSYS into a crash; a default that kills would
		 * take down a service for any syscall nobody listed. */
		if (a.kind == SC_KILL)
			return perr(c, (size_t)col, "'kill' cannot be the default action; use errno");
		if (!at_end(c))
			return perr(c, c->i, "unexpected text after the default action");
		pc->p->def = a;
		return 0;
	}
	if (strcmp(w, "include") == 0) {
		char path[PATH_MAX];
		ssize_t pcol = read_word(c, path, sizeof(path));
		if (pcol == WORD_TOO_LONG)
			return -EINVAL;
		if (pcol < 0)
			return perr(c, c->i, "include needs a file name");
		if (!at_end(c))
			return perr(c, c->i, "unexpected text after the file name");
		char full[PATH_MAX * 2];
		if (path[0] == '/')
			snprintf(full, sizeof(full), "%s", path);
		else
			snprintf(full, sizeof(full), "%s/%s", dir ? dir : ".", path);
		/* No file beside: a name in the search path (include
		 * default.policy from a policy of one's own). */
		char found[PATH_MAX];
		if (access(full, F_OK) < 0 && !strchr(path, '/') && pc->p->search &&
		    search_find(pc->p->search, path, found, sizeof(found)) >= 0)
			snprintf(full, sizeof(full), "%s", found);
		return parse_path(pc, full, c, (size_t)pcol);
	}

	/* NAME or @group, an optional condition, an optional action. */
	bool optional = w[0] == '?';
	const char *name = optional ? w + 1 : w;
	bool has_cond = accept_tok(c, ":");
	struct sc_alt alts[8];
	unsigned n_alts = 0;
	if (has_cond) {
		if (name[0] == '@')
			return perr(c, (size_t)col, "a group cannot take a condition");
		do {
			if (n_alts == ARRAY_SIZE(alts))
				return perr(c, c->i, "at most %zu alternatives ('||') per line",
					    ARRAY_SIZE(alts));
			struct sc_alt *a = &alts[n_alts++];
			memset(a, 0, sizeof(*a));
			do {
				if (a->n_cmp == SC_MAX_ARGS)
					return perr(c, c->i, "at most %d comparisons per alternative",
						    SC_MAX_ARGS);
				skip_ws(c);
				size_t ccol = c->i;
				int r = parse_cmp(c, &a->cmp[a->n_cmp]);
				if (r < 0)
					return r;
				/* libseccomp takes one comparison per argument in a rule. */
				for (unsigned k = 0; k < a->n_cmp; k++)
					if (a->cmp[k].arg == a->cmp[a->n_cmp].arg)
						return perr(c, ccol,
							    "arg%u compared twice in one alternative",
							    a->cmp[k].arg);
				a->n_cmp++;
			} while (accept_tok(c, "&&"));
		} while (accept_tok(c, "||"));
	}
	struct sc_action act = { .kind = SC_ALLOW };
	if (accept_tok(c, "=>")) {
		int r = parse_action(c, &act);
		if (r < 0)
			return r;
	}
	if (!at_end(c))
		return perr(c, c->i, "unexpected '%c': expected ':', '=>' or the end of the line",
			    c->s[c->i]);

	if (name[0] == '@')
		return apply_group(pc, c, (size_t)col, name + 1, &act, 0);
	int nr = resolve_name(name);
	if (nr == -ENOENT) {
		if (optional)
			return 0;
		return perr(c, (size_t)col,
			    "unknown syscall '%s' (prefix it with '?' if it may be missing)", name);
	}
	if (!has_cond)
		return sc_profile_set(pc->p, nr, name, act);
	/* "socket: arg0 == AF_INET" after a group allowed socket narrows it:
	 * the unconditional allow gives way to the profile default. */
	struct sc_syscall *s = lookup(pc->p, nr, name);
	if (!s)
		return -ENOMEM;
	if (s->has_fallback && sc_action_equal(s->fallback, act))
		s->has_fallback = false;
	for (unsigned k = 0; k < n_alts; k++) {
		alts[k].act = act;
		int r = sc_profile_add_alt(pc->p, nr, name, &alts[k]);
		if (r == -E2BIG)
			return perr(c, 0, "more than %d conditional rules in all: no filter can hold "
					  "them (the kernel takes 4096 instructions)",
				    SC_MAX_ALTS);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_text(struct parse_ctx *pc, const char *text, const char *name, const char *dir)
{
	struct cursor c = { .file = name, .err = pc->err, .errlen = pc->errlen };
	const char *p = text;
	unsigned line = 0;
	while (*p) {
		line++;
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *ln = strndup(p, len);
		if (!ln)
			return -ENOMEM;
		char *hash = strchr(ln, '#');
		if (hash)
			*hash = '\0';
		c.s = ln;
		c.i = 0;
		c.line = line;
		if (!at_end(&c)) {
			int r = parse_line(pc, &c, dir);
			if (r < 0)
				return r;
		}
		p = nl ? nl + 1 : p + len;
	}
	return 0;
}

int sc_profile_parse_string(struct sc_profile *p, const char *text, const char *name,
			    const char *dir, char *err, size_t errlen)
{
	struct parse_ctx pc = { .p = p, .err = err, .errlen = errlen };
	err[0] = '\0';
	return parse_text(&pc, text, name, dir);
}

int sc_profile_parse_file(struct sc_profile *p, const char *path, char *err, size_t errlen)
{
	struct parse_ctx pc = { .p = p, .err = err, .errlen = errlen };
	err[0] = '\0';
	return parse_path(&pc, path, NULL, 0);
}

static int cmp_by_name(const void *a, const void *b)
{
	const struct sc_syscall *x = *(const struct sc_syscall *const *)a;
	const struct sc_syscall *y = *(const struct sc_syscall *const *)b;
	return strcmp(x->name, y->name);
}

static void print_value(FILE *out, uint64_t v)
{
	if (v < 4096)
		fprintf(out, "%llu", (unsigned long long)v);
	else
		fprintf(out, "0x%llx", (unsigned long long)v);
}

void sc_profile_print(const struct sc_profile *p, FILE *out)
{
	char b1[32];
	fprintf(out, "default %s\n", sc_action_str(p->def, b1, sizeof(b1)));
	const struct sc_syscall **v = xcalloc(p->n_sys, sizeof(*v));
	for (size_t i = 0; i < p->n_sys; i++)
		v[i] = &p->sys[i];
	qsort(v, p->n_sys, sizeof(*v), cmp_by_name);
	static const char *const opname[] = { [SCMP_CMP_NE] = "!=", [SCMP_CMP_LT] = "<",
					      [SCMP_CMP_LE] = "<=", [SCMP_CMP_EQ] = "==",
					      [SCMP_CMP_GE] = ">=", [SCMP_CMP_GT] = ">" };
	for (size_t i = 0; i < p->n_sys; i++) {
		const struct sc_syscall *s = v[i];
		struct sc_action fb = sc_profile_fallback(p, s);
		if (s->has_fallback && !sc_action_equal(fb, p->def))
			fprintf(out, "%s => %s\n", s->name, sc_action_str(fb, b1, sizeof(b1)));
		for (size_t k = 0; k < s->n_alts; k++) {
			const struct sc_alt *a = &s->alts[k];
			fprintf(out, "%s:", s->name);
			for (unsigned j = 0; j < a->n_cmp; j++) {
				const struct scmp_arg_cmp *c = &a->cmp[j];
				fprintf(out, "%s arg%u", j ? " &&" : "", c->arg);
				if (c->op == SCMP_CMP_MASKED_EQ) {
					fprintf(out, " & ");
					print_value(out, c->datum_a);
					fprintf(out, " == ");
					print_value(out, c->datum_b);
				} else {
					fprintf(out, " %s ", opname[c->op]);
					print_value(out, c->datum_a);
				}
			}
			fprintf(out, " => %s\n", sc_action_str(a->act, b1, sizeof(b1)));
		}
	}
	free(v);
}
