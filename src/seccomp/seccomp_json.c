/* Docker/OCI seccomp JSON (moby profiles/seccomp, runtime-spec
 * config-linux.md "Seccomp") into a struct sc_profile. husk filters the
 * native architecture only, so "architectures"/"archMap" are not used; rule
 * includes/excludes by arch are matched against the native one. */
#include <errno.h>
#include <json-c/json.h>
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

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *array_of(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
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

static bool rule_applies(json_object *rule, uint64_t caps)
{
	json_object *inc, *exc;
	if (json_object_object_get_ex(rule, "includes", &inc) && inc) {
		json_object *cl = array_of(inc, "caps");
		for (size_t i = 0; cl && i < json_object_array_length(cl); i++)
			if (!has_cap(caps, json_object_get_string(json_object_array_get_idx(cl, i))))
				return false;
		json_object *al = array_of(inc, "arches");
		if (al && json_object_array_length(al) > 0 && !in_str_array(al, native_goarch()))
			return false;
		const char *mk = str_of(inc, "minKernel");
		if (mk && !kernel_at_least(mk))
			return false;
	}
	if (json_object_object_get_ex(rule, "excludes", &exc) && exc) {
		json_object *cl = array_of(exc, "caps");
		for (size_t i = 0; cl && i < json_object_array_length(cl); i++)
			if (has_cap(caps, json_object_get_string(json_object_array_get_idx(cl, i))))
				return false;
		json_object *al = array_of(exc, "arches");
		if (al && in_str_array(al, native_goarch()))
			return false;
	}
	return true;
}

static int parse_act(const char *s, json_object *errno_obj, int def_errno, struct sc_action *a)
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
	else if (strcmp(s, "SCMP_ACT_ERRNO") == 0) {
		int e = errno_obj ? json_object_get_int(errno_obj) : def_errno;
		if (e <= 0 || e > 4095)
			return -ERANGE;
		*a = (struct sc_action){ .kind = SC_ERRNO, .errnum = (uint16_t)e };
	} else
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

static uint64_t u64_of(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint64_t)json_object_get_uint64(v);
}

static int parse_root(struct sc_profile *p, json_object *root, const char *path, uint64_t caps,
		      char *err, size_t errlen);

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
	json_object *v;
	struct strv unknown = { 0 };
	int def_errno = EPERM;
	if (json_object_object_get_ex(root, "defaultErrnoRet", &v))
		def_errno = json_object_get_int(v);
	const char *da = str_of(root, "defaultAction");
	if (!da) {
		r = errf(err, errlen, -EINVAL, "%s: defaultAction is missing", path);
		goto out;
	}
	if (parse_act(da, NULL, def_errno, &p->def) < 0 || p->def.kind == SC_KILL) {
		r = errf(err, errlen, -EINVAL,
			 "%s: defaultAction %s: husk takes SCMP_ACT_ERRNO, SCMP_ACT_LOG or "
			 "SCMP_ACT_ALLOW as the default (a kill would crash Go services)",
			 path, da);
		goto out;
	}
	json_object *rules = array_of(root, "syscalls");
	size_t nrules = rules ? json_object_array_length(rules) : 0;
	for (size_t i = 0; i < nrules; i++) {
		json_object *rule = json_object_array_get_idx(rules, i);
		if (!rule_applies(rule, caps))
			continue;
		struct sc_action act;
		json_object *eo = NULL;
		json_object_object_get_ex(rule, "errnoRet", &eo);
		int ar = parse_act(str_of(rule, "action"), eo, def_errno, &act);
		if (ar < 0) {
			r = errf(err, errlen, ar, "%s: syscalls[%zu]: action %s is not supported", path,
				 i, str_of(rule, "action") ? str_of(rule, "action") : "(missing)");
			goto out;
		}
		struct sc_alt alt = { .act = act };
		json_object *args = array_of(rule, "args");
		size_t nargs = args ? json_object_array_length(args) : 0;
		if (nargs > SC_MAX_ARGS) {
			r = errf(err, errlen, -EINVAL, "%s: syscalls[%zu]: more than %d args", path, i,
				 SC_MAX_ARGS);
			goto out;
		}
		for (size_t k = 0; k < nargs; k++) {
			json_object *a = json_object_array_get_idx(args, k);
			struct scmp_arg_cmp *c = &alt.cmp[alt.n_cmp++];
			c->arg = (unsigned)u64_of(a, "index");
			c->datum_a = u64_of(a, "value");
			c->datum_b = u64_of(a, "valueTwo");
			if (c->arg > 5 || parse_op(str_of(a, "op"), &c->op) < 0) {
				r = errf(err, errlen, -EINVAL, "%s: syscalls[%zu].args[%zu]: bad index or op",
					 path, i, k);
				goto out;
			}
		}
		json_object *names = array_of(rule, "names");
		size_t nn = names ? json_object_array_length(names) : 0;
		const char *single = str_of(rule, "name"); /* the old format */
		for (size_t k = 0; k < nn || (k == 0 && single); k++) {
			const char *name = nn ? json_object_get_string(json_object_array_get_idx(names, k))
					      : single;
			int nr = name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR;
			if (nr == __NR_SCMP_ERROR) {
				/* Newer than this libseccomp: nothing to filter. */
				bool seen = false;
				for (size_t u = 0; name && u < unknown.n; u++)
					seen |= strcmp(unknown.v[u], name) == 0;
				if (!seen && name && strv_push(&unknown, name) == 0)
					p->skipped++;
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
			}
			if (r < 0) {
				errf(err, errlen, r, "%s: out of memory", path);
				goto out;
			}
		}
	}
out:
	strv_free(&unknown);
	return r;
}
