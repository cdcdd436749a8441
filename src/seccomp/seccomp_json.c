/* Docker/OCI seccomp JSON (moby profiles/seccomp, runtime-spec
 * config-linux.md "Seccomp") into a struct sc_profile. husk filters the
 * native architecture only, so "architectures"/"archMap" are not used; rule
 * includes/excludes by arch are matched against the native one. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "launch/caps.h"
#include "base/json_file.h"
#include "seccomp/seccomp_json.h"
#include "base/util.h"

/* Go's GOARCH spelling, which Docker uses in includes/excludes. */
static const char *native_goarch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__i386__)
	return "386";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#else
	return "unknown";
#endif
}

/* Every field is checked for its JSON type and range before it is used:
 * json-c would read "junk" as 0, true as 1, 1e30 as INT64_MAX and
 * 4294967297 as an index of 1, each a rule that means something else
 * than what its author wrote. Errors name the JSON path
 * ("syscalls[3].args[0].index"). */
struct jctx {
	const char *file;
	char *err;
	size_t errlen;
};

static int jbad(struct jctx *j, const char *at, const char *what)
{
	return errf(j->err, j->errlen, -EINVAL, "%s: %s: expected %s", j->file, at, what);
}

/* o[key] when present (NULL when not), of type t, or an error. */
static int jget(struct jctx *j, json_object *o, const char *key, json_type t, const char *at,
		const char *what, json_object **out)
{
	*out = NULL;
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, t)) {
		char full[256];
		snprintf(full, sizeof(full), "%s%s%s", at, at[0] ? "." : "", key);
		return jbad(j, full, what);
	}
	*out = v;
	return 0;
}

/* An array whose items are all strings. */
static int jstrings(struct jctx *j, json_object *o, const char *key, const char *at,
		    json_object **out)
{
	int r = jget(j, o, key, json_type_array, at, "an array of strings", out);
	for (size_t i = 0; r == 0 && *out && i < json_object_array_length(*out); i++)
		if (!json_object_is_type(json_object_array_get_idx(*out, i), json_type_string)) {
			char full[256];
			snprintf(full, sizeof(full), "%s%s%s[%zu]", at, at[0] ? "." : "", key, i);
			r = jbad(j, full, "a string");
		}
	return r;
}

/* An unsigned 64-bit integer, written as a JSON integer: a negative one,
 * a float or anything else is refused. */
static int ju64(struct jctx *j, json_object *o, const char *key, const char *at, uint64_t *out,
		bool *set)
{
	json_object *v;
	*out = 0;
	if (set)
		*set = false;
	int r = jget(j, o, key, json_type_int, at, "an integer from 0 to 2^64-1", &v);
	if (r < 0 || !v)
		return r;
	/* json-c keeps a value above INT64_MAX as unsigned; one below 0 as
	 * negative: get_int64 tells them apart. */
	if (json_object_get_int64(v) < 0) {
		char full[256];
		snprintf(full, sizeof(full), "%s%s%s", at, at[0] ? "." : "", key);
		return jbad(j, full, "an integer from 0 to 2^64-1");
	}
	*out = json_object_get_uint64(v);
	if (set)
		*set = true;
	return 0;
}

static int jerrno(struct jctx *j, json_object *o, const char *key, const char *at, int *out,
		  bool *set)
{
	uint64_t v;
	int r = ju64(j, o, key, at, &v, set);
	if (r == 0 && *set && (v == 0 || v > 4095)) {
		char full[256];
		snprintf(full, sizeof(full), "%s%s%s", at, at[0] ? "." : "", key);
		return jbad(j, full, "an errno from 1 to 4095");
	}
	if (r == 0 && *set)
		*out = (int)v;
	return r;
}

static bool in_str_array(json_object *arr, const char *s)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(arr, i));
		if (e && strcmp(e, s) == 0)
			return true;
	}
	return false;
}

static bool has_cap(uint64_t caps, const char *name)
{
	int c = caps_from_name(name);
	return c >= 0 && c < 64 && (caps & (1ull << c));
}

/* "5.8" against the running kernel's release. */
static bool kernel_at_least(const char *min)
{
	unsigned a = 0, b = 0, x = 0, y = 0;
	struct utsname u;
	if (sscanf(min, "%u.%u", &a, &b) < 1 || uname(&u) < 0 || sscanf(u.release, "%u.%u", &x, &y) < 1)
		return true;
	return x > a || (x == a && y >= b);
}

/* Whether a rule's includes and excludes let it apply here; 1 yes, 0 no,
 * or an error for a field of the wrong type. */
static int rule_applies(struct jctx *j, json_object *rule, const char *at, uint64_t caps)
{
	json_object *inc, *exc, *cl, *al, *mk;
	char sub[200];
	int r;
	if ((r = jget(j, rule, "includes", json_type_object, at, "an object", &inc)) < 0 ||
	    (r = jget(j, rule, "excludes", json_type_object, at, "an object", &exc)) < 0)
		return r;
	if (inc) {
		snprintf(sub, sizeof(sub), "%s.includes", at);
		if ((r = jstrings(j, inc, "caps", sub, &cl)) < 0 ||
		    (r = jstrings(j, inc, "arches", sub, &al)) < 0 ||
		    (r = jget(j, inc, "minKernel", json_type_string, sub, "a string like \"5.8\"", &mk)) < 0)
			return r;
		for (size_t i = 0; cl && i < json_object_array_length(cl); i++)
			if (!has_cap(caps, json_object_get_string(json_object_array_get_idx(cl, i))))
				return 0;
		if (al && json_object_array_length(al) > 0 && !in_str_array(al, native_goarch()))
			return 0;
		if (mk && !kernel_at_least(json_object_get_string(mk)))
			return 0;
	}
	if (exc) {
		snprintf(sub, sizeof(sub), "%s.excludes", at);
		if ((r = jstrings(j, exc, "caps", sub, &cl)) < 0 ||
		    (r = jstrings(j, exc, "arches", sub, &al)) < 0)
			return r;
		for (size_t i = 0; cl && i < json_object_array_length(cl); i++)
			if (has_cap(caps, json_object_get_string(json_object_array_get_idx(cl, i))))
				return 0;
		if (al && in_str_array(al, native_goarch()))
			return 0;
	}
	return 1;
}

static int parse_act(const char *s, int errnum, struct sc_action *a)
{
	if (!s)
		return -EINVAL;
	if (strcmp(s, "SCMP_ACT_ALLOW") == 0)
		*a = (struct sc_action){ .kind = SC_ALLOW };
	else if (strcmp(s, "SCMP_ACT_LOG") == 0)
		*a = (struct sc_action){ .kind = SC_LOG };
	else if (strcmp(s, "SCMP_ACT_KILL") == 0 || strcmp(s, "SCMP_ACT_KILL_PROCESS") == 0 ||
		 strcmp(s, "SCMP_ACT_KILL_THREAD") == 0)
		*a = (struct sc_action){ .kind = SC_KILL };
	else if (strcmp(s, "SCMP_ACT_ERRNO") == 0)
		*a = (struct sc_action){ .kind = SC_ERRNO, .errnum = (uint16_t)errnum };
	else
		return -EOPNOTSUPP;
	return 0;
}

static int parse_op(const char *s, enum scmp_compare *op)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = { { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		    { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		    { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ } };
	for (size_t i = 0; s && i < ARRAY_SIZE(ops); i++)
		if (strcmp(ops[i].name, s) == 0) {
			*op = ops[i].op;
			return 0;
		}
	return -EINVAL;
}

static int parse_root(struct sc_profile *p, json_object *root, const char *path, uint64_t caps,
		      char *err, size_t errlen);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sc_profile_parse_json(struct sc_profile *p, const char *path, uint64_t caps, char *err,
			  size_t errlen)
{
	json_object *root = json_file_parse(path, err, errlen);
	if (!root)
		return -EINVAL;
	int r = parse_root(p, root, path, caps, err, errlen);
	json_object_put(root);
	return r;
}

int sc_profile_parse_json_text(struct sc_profile *p, const char *text, const char *name,
			       uint64_t caps, char *err, size_t errlen)
{
	json_object *root = json_text_parse(text, strlen(text), name, err, errlen);
	if (!root)
		return -EINVAL;
	int r = parse_root(p, root, name, caps, err, errlen);
	json_object_put(root);
	return r;
}

static int parse_root(struct sc_profile *p, json_object *root, const char *path, uint64_t caps,
		      char *err, size_t errlen)
{
	int r = 0;
	struct strv unknown = { 0 };
	struct jctx jc = { .file = path, .err = err, .errlen = errlen }, *j = &jc;
	if (!json_object_is_type(root, json_type_object))
		return errf(err, errlen, -EINVAL, "%s: expected a JSON object", path);
	/* defaultErrnoRet is the default action's errno only: a rule's
	 * SCMP_ACT_ERRNO without errnoRet is EPERM, as runc reads it. */
	int def_errno = EPERM;
	bool set;
	json_object *da, *rules;
	if ((r = jerrno(j, root, "defaultErrnoRet", "", &def_errno, &set)) < 0 ||
	    (r = jget(j, root, "defaultAction", json_type_string, "", "a string", &da)) < 0 ||
	    (r = jget(j, root, "syscalls", json_type_array, "", "an array", &rules)) < 0)
		goto out;
	if (!da) {
		r = errf(err, errlen, -EINVAL, "%s: defaultAction is missing", path);
		goto out;
	}
	const char *das = json_object_get_string(da);
	if (parse_act(das, def_errno, &p->def) < 0 || p->def.kind == SC_KILL) {
		r = errf(err, errlen, -EINVAL,
			 "%s: defaultAction %s: husk takes SCMP_ACT_ERRNO, SCMP_ACT_LOG or "
			 "SCMP_ACT_ALLOW as the default (a kill would crash Go services)",
			 path, das);
		goto out;
	}
	size_t nrules = rules ? json_object_array_length(rules) : 0;
	for (size_t i = 0; i < nrules; i++) {
		json_object *rule = json_object_array_get_idx(rules, i);
		char at[96];
		snprintf(at, sizeof(at), "syscalls[%zu]", i);
		if (!json_object_is_type(rule, json_type_object)) {
			r = jbad(j, at, "an object");
			goto out;
		}
		json_object *ao, *args, *names, *single;
		int errnum = EPERM;
		if ((r = jget(j, rule, "action", json_type_string, at, "a string", &ao)) < 0 ||
		    (r = jerrno(j, rule, "errnoRet", at, &errnum, &set)) < 0 ||
		    (r = jget(j, rule, "args", json_type_array, at, "an array", &args)) < 0 ||
		    (r = jstrings(j, rule, "names", at, &names)) < 0 ||
		    (r = jget(j, rule, "name", json_type_string, at, "a string", &single)) < 0)
			goto out;
		int applies = rule_applies(j, rule, at, caps);
		if (applies < 0) {
			r = applies;
			goto out;
		}
		if (!applies)
			continue;
		struct sc_action act;
		const char *as = ao ? json_object_get_string(ao) : NULL;
		int ar = parse_act(as, errnum, &act);
		if (ar < 0) {
			r = errf(err, errlen, ar, "%s: %s.action: %s is not supported", path, at,
				 as ? as : "(missing)");
			goto out;
		}
		struct sc_alt alt = { .act = act };
		size_t nargs = args ? json_object_array_length(args) : 0;
		if (nargs > SC_MAX_ARGS) {
			r = errf(err, errlen, -EINVAL, "%s: %s.args: more than %d", path, at, SC_MAX_ARGS);
			goto out;
		}
		for (size_t k = 0; k < nargs; k++) {
			json_object *a = json_object_array_get_idx(args, k), *op;
			char aat[128];
			snprintf(aat, sizeof(aat), "%s.args[%zu]", at, k);
			if (!json_object_is_type(a, json_type_object)) {
				r = jbad(j, aat, "an object");
				goto out;
			}
			struct scmp_arg_cmp *c = &alt.cmp[alt.n_cmp++];
			uint64_t idx;
			bool idx_set;
			if ((r = ju64(j, a, "index", aat, &idx, &idx_set)) < 0 ||
			    (r = ju64(j, a, "value", aat, &c->datum_a, NULL)) < 0 ||
			    (r = ju64(j, a, "valueTwo", aat, &c->datum_b, NULL)) < 0 ||
			    (r = jget(j, a, "op", json_type_string, aat, "a string", &op)) < 0)
				goto out;
			if (!idx_set || idx > 5) {
				char f[160];
				snprintf(f, sizeof(f), "%s.index", aat);
				r = jbad(j, f, "an argument index from 0 to 5");
				goto out;
			}
			c->arg = (unsigned)idx;
			if (!op || parse_op(json_object_get_string(op), &c->op) < 0) {
				char f[160];
				snprintf(f, sizeof(f), "%s.op", aat);
				r = jbad(j, f, "SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT or _MASKED_EQ");
				goto out;
			}
		}
		size_t nn = names ? json_object_array_length(names) : 0;
		const char *one = single ? json_object_get_string(single) : NULL; /* the old format */
		for (size_t k = 0; k < nn || (k == 0 && one); k++) {
			const char *name = nn ? json_object_get_string(json_object_array_get_idx(names, k))
					      : one;
			int nr = name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR;
			if (nr == __NR_SCMP_ERROR) {
				/* Newer than this libseccomp: nothing to filter.
				 * Counted once each at the end (a search per name
				 * was quadratic: 100k names took 27 s). */
				if (name && strv_push(&unknown, name) < 0) {
					r = errf(err, errlen, -ENOMEM, "%s: out of memory", path);
					goto out;
				}
				continue;
			}
			if (alt.n_cmp == 0) {
				/* Docker lists a name in several rules (one per cap
				 * set); an allow already given is not taken back. */
				const struct sc_syscall *s = sc_profile_find(p, name);
				if (s && s->has_fallback && sc_action_rank(s->fallback) < sc_action_rank(act))
					continue;
				/* Docker's and Podman's clone3 ENOSYS is there for
				 * the same reason as husk's: an expected answer. */
				struct sc_action a = act;
				a.quiet = a.kind == SC_ERRNO && strcmp(name, "clone3") == 0;
				r = sc_profile_set(p, nr, name, a);
			} else {
				const struct sc_syscall *s = sc_profile_find(p, name);
				if (s && s->has_fallback && sc_action_equal(s->fallback, act))
					continue; /* already unconditionally so */
				r = sc_profile_add_alt(p, nr, name, &alt);
				if (r == -E2BIG) {
					r = errf(err, errlen, r,
						 "%s: %s: more than %d conditional rules in all: no filter "
						 "can hold them (the kernel takes 4096 instructions)",
						 path, at, SC_MAX_ALTS);
					goto out;
				}
			}
			if (r < 0) {
				errf(err, errlen, r, "%s: out of memory", path);
				goto out;
			}
		}
	}
	if (unknown.n) {
		qsort(unknown.v, unknown.n, sizeof(char *), cmp_str);
		for (size_t u = 0; u < unknown.n; u++)
			p->skipped += u == 0 || strcmp(unknown.v[u], unknown.v[u - 1]) != 0;
	}
out:
	strv_free(&unknown);
	return r;
}
