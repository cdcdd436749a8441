#include "front/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/json_file.h"
#include "base/util.h"
#include "launch/caps.h"
#include "limits/rlimits.h"

/* One JSON path being read, for errors: "linux.namespaces[2].type". */
struct at {
	char s[256];
};

static struct at at_key(const struct at *base, const char *key)
{
	struct at a;
	/* A path past its buffer is cut: it only names the place. */
	if (snprintf(a.s, sizeof(a.s), "%s%s%s", base->s, base->s[0] ? "." : "", key) < 0)
		a.s[0] = '\0';
	return a;
}

static struct at at_idx(const struct at *base, size_t i)
{
	struct at a;
	if (snprintf(a.s, sizeof(a.s), "%s[%zu]", base->s, i) < 0)
		a.s[0] = '\0';
	return a;
}

#define FAIL(r, at, ...)                                                                           \
	do {                                                                                       \
		char m_[1024];                                                                     \
		if (snprintf(m_, sizeof(m_), __VA_ARGS__) < 0)                                     \
			m_[0] = '\0';                                                              \
		return errf(err, errlen, (r), "config.json: %s: %s", (at)->s, m_);                 \
	} while (0)

struct ctx {
	struct husk_policy *p;
	char *err;
	size_t errlen;
	const char *bundle; /* absolute */
};

/* Every key of o must be one of keys (NULL-terminated): a field husk does
 * not know is refused, never skipped. */
static int known_keys(const struct at *a, json_object *o, const char *const *keys, char *err,
		      size_t errlen)
{
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		bool ok = false;
		for (const char *const *x = keys; *x && !ok; x++)
			ok = strcmp(*x, k) == 0;
		if (!ok) {
			struct at f = at_key(a, k);
			FAIL(-EOPNOTSUPP, &f, "not supported by husk (see husk-oci(5))");
		}
	}
	return 0;
}

static json_object *field(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int want_type(const struct at *a, json_object *v, json_type t, char *err, size_t errlen)
{
	if (json_object_is_type(v, t))
		return 0;
	static const char *const names[] = { [json_type_null] = "null",
					     [json_type_boolean] = "a boolean",
					     [json_type_double] = "a number",
					     [json_type_int] = "an integer",
					     [json_type_object] = "an object",
					     [json_type_array] = "an array",
					     [json_type_string] = "a string" };
	FAIL(-EINVAL, a, "expected %s, found %s", names[t], names[json_object_get_type(v)]);
}

static int get_str(const struct at *base, json_object *o, const char *key, const char **out,
		   char *err, size_t errlen)
{
	json_object *v = field(o, key);
	*out = NULL;
	if (!v)
		return 0;
	struct at a = at_key(base, key);
	int r = want_type(&a, v, json_type_string, err, errlen);
	if (r == 0)
		*out = json_object_get_string(v);
	return r;
}

static int get_bool(const struct at *base, json_object *o, const char *key, bool *out, bool *set,
		    char *err, size_t errlen)
{
	json_object *v = field(o, key);
	*set = v != NULL;
	if (!v)
		return 0;
	struct at a = at_key(base, key);
	int r = want_type(&a, v, json_type_boolean, err, errlen);
	if (r == 0)
		*out = json_object_get_boolean(v);
	return r;
}

/* An integer in [min, max]; json-c keeps numbers as int64 (or uint64 above
 * INT64_MAX, which no field here takes). */
static int int_in(const struct at *a, json_object *v, int64_t min, int64_t max, int64_t *out,
		  char *err, size_t errlen)
{
	int r = want_type(a, v, json_type_int, err, errlen);
	if (r < 0)
		return r;
	errno = 0;
	int64_t x = json_object_get_int64(v);
	if (errno || x < min || x > max)
		FAIL(-ERANGE, a, "%s is out of range (%lld to %lld)", json_object_to_json_string(v),
		     (long long)min, (long long)max);
	*out = x;
	return 0;
}

static int get_int(const struct at *base, json_object *o, const char *key, int64_t min,
		   int64_t max, int64_t *out, bool *set, char *err, size_t errlen)
{
	json_object *v = field(o, key);
	*set = v != NULL;
	if (!v)
		return 0;
	struct at a = at_key(base, key);
	return int_in(&a, v, min, max, out, err, errlen);
}

static int get_u64(const struct at *base, json_object *o, const char *key, uint64_t *out,
		   bool *set, char *err, size_t errlen)
{
	json_object *v = field(o, key);
	*set = v != NULL;
	if (!v)
		return 0;
	struct at a = at_key(base, key);
	int r = want_type(&a, v, json_type_int, err, errlen);
	if (r < 0)
		return r;
	/* json-c keeps numbers above INT64_MAX as uint64; get_int64 then
	 * saturates, never goes negative. */
	if (json_object_get_int64(v) < 0)
		FAIL(-ERANGE, &a, "%s is negative", json_object_to_json_string(v));
	*out = json_object_get_uint64(v);
	return 0;
}

static int get_array(const struct at *base, json_object *o, const char *key, json_object **out,
		     char *err, size_t errlen)
{
	json_object *v = field(o, key);
	*out = NULL;
	if (!v)
		return 0;
	struct at a = at_key(base, key);
	int r = want_type(&a, v, json_type_array, err, errlen);
	if (r == 0)
		*out = v;
	return r;
}

static int get_object(const struct at *base, json_object *o, const char *key, json_object **out,
		      char *err, size_t errlen)
{
	json_object *v = field(o, key);
	*out = NULL;
	if (!v)
		return 0;
	struct at a = at_key(base, key);
	int r = want_type(&a, v, json_type_object, err, errlen);
	if (r == 0)
		*out = v;
	return r;
}

/* An array of strings into sv (appended). */
static int str_array(const struct at *base, json_object *o, const char *key, struct strv *sv,
		     bool *given, char *err, size_t errlen)
{
	json_object *arr;
	int r = get_array(base, o, key, &arr, err, errlen);
	if (given)
		*given = arr != NULL;
	if (r < 0 || !arr)
		return r;
	struct at a = at_key(base, key);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		struct at ai = at_idx(&a, i);
		if ((r = want_type(&ai, v, json_type_string, err, errlen)) < 0)
			return r;
		if (strv_push(sv, json_object_get_string(v)) < 0)
			return errf(err, errlen, -ENOMEM, "config.json: out of memory");
	}
	return 0;
}

/* A string that says nothing to enforce ("" or absent) is a label; any
 * other value is a feature husk does not have. */
static int only_empty(const struct at *base, json_object *o, const char *key, const char *why,
		      char *err, size_t errlen)
{
	const char *s;
	int r = get_str(base, o, key, &s, err, errlen);
	if (r < 0 || !s || !*s)
		return r;
	struct at a = at_key(base, key);
	FAIL(-EOPNOTSUPP, &a, "%s is not supported: %s", s, why);
}

/* ---- process ------------------------------------------------------------ */

static int parse_caps(struct ctx *c, const struct at *base, json_object *o)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	static const char *const keys[] = { "bounding", "effective", "inheritable", "permitted",
					    "ambient", NULL };
	int r = known_keys(base, o, keys, err, errlen);
	if (r < 0)
		return r;
	uint64_t *sets[] = { &c->p->cap_sets.bnd, &c->p->cap_sets.eff, &c->p->cap_sets.inh,
			     &c->p->cap_sets.prm, &c->p->cap_sets.amb };
	for (size_t k = 0; k < 5; k++) {
		__attribute__((cleanup(strv_free))) struct strv names = { 0 };
		if ((r = str_array(base, o, keys[k], &names, NULL, err, errlen)) < 0)
			return r;
		struct at a = at_key(base, keys[k]);
		for (size_t i = 0; i < names.n; i++) {
			int cap = caps_from_name(names.v[i]);
			if (cap < 0 || strncmp(names.v[i], "CAP_", 4) != 0) {
				struct at ai = at_idx(&a, i);
				FAIL(-EINVAL, &ai, "'%s' is not a capability (CAP_NET_BIND_SERVICE, ...)",
				     names.v[i]);
			}
			*sets[k] |= 1ull << cap;
		}
	}
	struct cap_sets_policy *s = &c->p->cap_sets;
	c->p->cap_sets_set = true;
	c->p->cap_add = s->bnd | s->eff | s->prm | s->inh | s->amb;
	c->p->cap_sets_base = c->p->cap_add;
	return 0;
}

static int parse_rlimits(struct ctx *c, const struct at *base, json_object *arr)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	bool seen[HUSK_RLIMIT_COUNT] = { 0 };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct at a = at_idx(base, i);
		int r = want_type(&a, o, json_type_object, err, errlen);
		static const char *const keys[] = { "type", "soft", "hard", NULL };
		if (r == 0)
			r = known_keys(&a, o, keys, err, errlen);
		const char *type;
		if (r == 0)
			r = get_str(&a, o, "type", &type, err, errlen);
		if (r < 0)
			return r;
		int res = type && str_has_prefix(type, "RLIMIT_") ? rlimit_from_name(type) : -EINVAL;
		if (res < 0) {
			struct at t = at_key(&a, "type");
			FAIL(-EINVAL, &t, "'%s' is not an rlimit (RLIMIT_NOFILE, ...)",
			     type ? type : "(missing)");
		}
		if (seen[res])
			FAIL(-EINVAL, &a, "%s is given twice; the spec makes that an error", type);
		seen[res] = true;
		uint64_t soft = 0, hard = 0;
		bool ss, hs;
		/* uint64 in the spec, RLIM_INFINITY spelt as its largest value. */
		if ((r = get_u64(&a, o, "soft", &soft, &ss, err, errlen)) < 0 ||
		    (r = get_u64(&a, o, "hard", &hard, &hs, err, errlen)) < 0)
			return r;
		if (!ss || !hs)
			FAIL(-EINVAL, &a, "needs both soft and hard");
		if (soft > hard)
			FAIL(-EINVAL, &a, "soft %llu is above hard %llu", (unsigned long long)soft,
			     (unsigned long long)hard);
		c->p->rlimits[res] = (struct husk_rlimit){ .set = true, .soft = soft, .hard = hard };
	}
	return 0;
}

static int parse_process(struct ctx *c, json_object *o)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct husk_policy *p = c->p;
	struct at base = { "process" };
	static const char *const keys[] = { "terminal",	    "consoleSize",   "user",
					    "args",	    "env",	     "cwd",
					    "capabilities", "rlimits",	     "noNewPrivileges",
					    "apparmorProfile", "selinuxLabel", NULL };
	int r = known_keys(&base, o, keys, err, errlen);
	if (r < 0)
		return r;
	bool term = false, set;
	if ((r = get_bool(&base, o, "terminal", &term, &set, err, errlen)) < 0)
		return r;
	if (term) {
		struct at a = at_key(&base, "terminal");
		FAIL(-EOPNOTSUPP, &a,
		     "true is not supported: husk gives a service no terminal (a terminal lets it "
		     "push input into the caller's, CVE-2017-5226); set it to false");
	}
	if (field(o, "consoleSize")) {
		struct at a = at_key(&base, "consoleSize");
		FAIL(-EOPNOTSUPP, &a, "not supported: there is no terminal to size");
	}
	json_object *user;
	if ((r = get_object(&base, o, "user", &user, err, errlen)) < 0)
		return r;
	if (!user) {
		struct at a = at_key(&base, "user");
		FAIL(-EINVAL, &a, "missing; the spec requires uid and gid");
	}
	struct at ua = at_key(&base, "user");
	static const char *const ukeys[] = { "uid", "gid", "umask", "additionalGids", NULL };
	if ((r = known_keys(&ua, user, ukeys, err, errlen)) < 0)
		return r;
	int64_t uid, gid, um;
	bool us, gs, ums;
	if ((r = get_int(&ua, user, "uid", 0, UINT32_MAX - 1, &uid, &us, err, errlen)) < 0 ||
	    (r = get_int(&ua, user, "gid", 0, UINT32_MAX - 1, &gid, &gs, err, errlen)) < 0 ||
	    (r = get_int(&ua, user, "umask", 0, 0777, &um, &ums, err, errlen)) < 0)
		return r;
	if (!us || !gs)
		FAIL(-EINVAL, &ua, "needs uid and gid");
	p->uid = (uint32_t)uid;
	p->gid = (uint32_t)gid;
	p->user_set = true;
	p->umask = ums ? (int)um : -1;
	json_object *groups;
	if ((r = get_array(&ua, user, "additionalGids", &groups, err, errlen)) < 0)
		return r;
	struct at ga = at_key(&ua, "additionalGids");
	for (size_t i = 0; groups && i < json_object_array_length(groups); i++) {
		struct at gi = at_idx(&ga, i);
		int64_t g;
		if ((r = int_in(&gi, json_object_array_get_idx(groups, i), 0, UINT32_MAX - 1, &g, err,
				errlen)) < 0)
			return r;
		if (p->n_groups == HUSK_MAX_GROUPS)
			FAIL(-E2BIG, &ga, "more than %d groups", HUSK_MAX_GROUPS);
		p->groups[p->n_groups++] = (uint32_t)g;
	}

	bool args_given;
	if ((r = str_array(&base, o, "args", &p->argv, &args_given, err, errlen)) < 0)
		return r;
	if (args_given && p->argv.n == 0) {
		struct at a = at_key(&base, "args");
		FAIL(-EINVAL, &a, "empty; name the program");
	}
	__attribute__((cleanup(strv_free))) struct strv env = { 0 };
	if ((r = str_array(&base, o, "env", &env, NULL, err, errlen)) < 0)
		return r;
	for (size_t i = 0; i < env.n; i++) {
		if (!strchr(env.v[i], '=') || env.v[i][0] == '=') {
			struct at a = at_key(&base, "env"), ai = at_idx(&a, i);
			FAIL(-EINVAL, &ai, "'%s' is not NAME=VALUE", env.v[i]);
		}
		if (strv_push(&p->env_set, env.v[i]) < 0)
			return errf(err, errlen, -ENOMEM, "config.json: out of memory");
	}
	const char *cwd;
	if ((r = get_str(&base, o, "cwd", &cwd, err, errlen)) < 0)
		return r;
	if (!cwd || cwd[0] != '/') {
		struct at a = at_key(&base, "cwd");
		FAIL(-EINVAL, &a, "%s; the spec requires an absolute path",
		     cwd ? "relative" : "missing");
	}
	free(p->cwd);
	p->cwd = xstrdup(cwd);
	json_object *caps, *rl;
	if ((r = get_object(&base, o, "capabilities", &caps, err, errlen)) < 0)
		return r;
	struct at ca = at_key(&base, "capabilities");
	if (caps && (r = parse_caps(c, &ca, caps)) < 0)
		return r;
	if (!caps) {
		/* No sets: none, as the spec reads it. */
		p->cap_sets_set = true;
		p->cap_add = p->cap_sets_base = 0;
	}
	if ((r = get_array(&base, o, "rlimits", &rl, err, errlen)) < 0)
		return r;
	struct at ra = at_key(&base, "rlimits");
	if (rl && (r = parse_rlimits(c, &ra, rl)) < 0)
		return r;
	bool nnp = true;
	if ((r = get_bool(&base, o, "noNewPrivileges", &nnp, &set, err, errlen)) < 0)
		return r;
	/* Left out: husk's own default, no_new_privs on. */
	if (set && !nnp) {
		p->no_new_privs_off = true;
		strv_push(&p->warnings, "process.noNewPrivileges is false: setuid files and file "
					"capabilities in the root can raise the service's privileges");
	}
	if ((r = only_empty(&base, o, "apparmorProfile",
			    "husk confines with namespaces, seccomp and Landlock, not AppArmor", err,
			    errlen)) < 0 ||
	    (r = only_empty(&base, o, "selinuxLabel", "husk does not set SELinux labels", err,
			    errlen)) < 0)
		return r;
	return 0;
}

/* ---- root, mounts ------------------------------------------------------- */

/* A path of the bundle: absolute as given, relative from the bundle. A
 * relative one must stay inside the bundle once resolved, symlinks and ..
 * included. */
static int bundle_path(struct ctx *c, const struct at *a, const char *path, bool must_exist,
		       char **out)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	char joined[PATH_MAX * 2];
	if (path[0] == '/') {
		*out = xstrdup(path);
		return 0;
	}
	snprintf(joined, sizeof(joined), "%s/%s", c->bundle, path);
	char real[PATH_MAX];
	if (!realpath(joined, real)) {
		if (errno == ENOENT && !must_exist) {
			*out = xstrdup(joined);
			return 0;
		}
		FAIL(-errno, a, "%s: %s", path, strerror(errno));
	}
	size_t n = strlen(c->bundle);
	if (strncmp(real, c->bundle, n) != 0 || (real[n] != '/' && real[n] != '\0'))
		FAIL(-EXDEV, a, "%s resolves to %s, outside the bundle %s (through .. or a symlink); "
				"give an absolute path to use a directory elsewhere",
		     path, real, c->bundle);
	*out = xstrdup(real);
	return 0;
}

static int parse_root(struct ctx *c, json_object *o)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct at base = { "root" };
	static const char *const keys[] = { "path", "readonly", NULL };
	int r = known_keys(&base, o, keys, err, errlen);
	const char *path;
	if (r == 0)
		r = get_str(&base, o, "path", &path, err, errlen);
	if (r < 0)
		return r;
	struct at pa = at_key(&base, "path");
	if (!path || !*path)
		FAIL(-EINVAL, &pa, "missing; name the root directory (rootfs)");
	char *real;
	if ((r = bundle_path(c, &pa, path, true, &real)) < 0)
		return r;
	struct stat st;
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		FAIL(-ENOTDIR, &pa, "%s is not a directory", path);
	}
	free(c->p->rootfs);
	c->p->rootfs = real;
	bool ro = false, set;
	if ((r = get_bool(&base, o, "readonly", &ro, &set, err, errlen)) < 0)
		return r;
	c->p->root_writable = !ro;
	return 0;
}

/* One mount option: MOUNT_ATTR_* added, readonly, recursion, and the
 * file system's own options (data). Returns 0, or 1 when opt is not one
 * husk reads here. */
static int mount_flag(const char *opt, struct mount_entry *m, bool *bind, bool *rbind)
{
	static const struct {
		const char *name;
		uint64_t attr;
	} attrs[] = { { "nosuid", MOUNT_ATTR_NOSUID },
		      { "nodev", MOUNT_ATTR_NODEV },
		      { "noexec", MOUNT_ATTR_NOEXEC } };
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++)
		if (strcmp(opt, attrs[i].name) == 0) {
			m->attrs |= attrs[i].attr;
			return 0;
		}
	/* Access times are no matter of confinement: the kernel's default
	 * (relatime) stays, documented in husk-oci(5). "exec" is already so;
	 * every mount is private. */
	static const char *const as_is[] = { "rw",	   "exec",     "relatime", "norelatime",
					     "strictatime", "noatime", "nodiratime", "atime",
					     "diratime",    "private", "rprivate", NULL };
	for (const char *const *a = as_is; *a; a++)
		if (strcmp(opt, *a) == 0)
			return 0;
	if (strcmp(opt, "ro") == 0) {
		m->readonly = true;
		return 0;
	}
	if (strcmp(opt, "bind") == 0) {
		*bind = true;
		return 0;
	}
	if (strcmp(opt, "rbind") == 0) {
		*rbind = true;
		return 0;
	}
	return 1;
}

static int append_data(struct mount_entry *m, const char *opt)
{
	size_t old = m->data ? strlen(m->data) : 0;
	char *d = realloc(m->data, old + strlen(opt) + 2);
	if (!d)
		return -ENOMEM;
	if (old)
		d[old++] = ',';
	strcpy(d + old, opt);
	m->data = d;
	return 0;
}

static int tmpfs_option(const char *opt, struct mount_entry *m)
{
	const char *eq = strchr(opt, '=');
	if (!eq)
		return 1;
	const char *v = eq + 1;
	size_t k = (size_t)(eq - opt);
	if (k == 4 && strncmp(opt, "size", 4) == 0)
		return parse_size(v, &m->size) < 0 || m->size == 0 ? -EINVAL : 0;
	if (k == 9 && strncmp(opt, "nr_inodes", 9) == 0)
		return parse_u64(v, &m->nr_inodes) < 0 || m->nr_inodes == 0 ? -EINVAL : 0;
	if (k == 4 && strncmp(opt, "mode", 4) == 0)
		return parse_mode(v, &m->mode) < 0 ? -EINVAL : 0;
	return 1;
}

static int parse_mount(struct ctx *c, const struct at *a, json_object *o)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	static const char *const keys[] = { "destination", "type", "source", "options", NULL };
	int r = want_type(a, o, json_type_object, err, errlen);
	if (r == 0 && field(o, "uidMappings"))
		FAIL(-EOPNOTSUPP, a, "uidMappings: id-mapped mounts are not supported");
	if (r == 0)
		r = known_keys(a, o, keys, err, errlen);
	const char *dst, *type, *source;
	if (r == 0)
		r = get_str(a, o, "destination", &dst, err, errlen);
	if (r == 0)
		r = get_str(a, o, "type", &type, err, errlen);
	if (r == 0)
		r = get_str(a, o, "source", &source, err, errlen);
	if (r < 0)
		return r;
	struct at da = at_key(a, "destination");
	if (!dst || dst[0] != '/')
		FAIL(-EINVAL, &da, "%s%s; husk takes absolute destinations (inside the root)",
		     dst ? dst : "missing", dst ? " is relative" : "");
	char norm[PATH_MAX];
	snprintf(norm, sizeof(norm), "%s", dst);
	for (size_t n = strlen(norm); n > 1 && norm[n - 1] == '/'; n--)
		norm[n - 1] = '\0';
	if (!path_is_normal_absolute(norm))
		FAIL(-EINVAL, &da, "%s has . or .. components or empty ones", dst);
	__attribute__((cleanup(strv_free))) struct strv opts = { 0 };
	if ((r = str_array(a, o, "options", &opts, NULL, err, errlen)) < 0)
		return r;

	struct mount_entry m = { .dst = norm };
	bool bind = false, rbind = false;
	__attribute__((cleanup(strv_free))) struct strv rest = { 0 };
	for (size_t i = 0; i < opts.n; i++) {
		int k = mount_flag(opts.v[i], &m, &bind, &rbind);
		if (k == 1)
			strv_push(&rest, opts.v[i]);
	}
	struct at oa = at_key(a, "options");
	if (!type || bind || rbind)
		type = bind || rbind ? "bind" : type;
	if (!type)
		FAIL(-EINVAL, a, "type: missing, and no bind or rbind option");
	int rr = 0;
	if (strcmp(type, "bind") == 0 || strcmp(type, "rbind") == 0 ||
	    (strcmp(type, "none") == 0 && (bind || rbind))) {
		m.kind = MOUNT_BIND;
		m.nonrecursive = !rbind && strcmp(type, "rbind") != 0;
		struct at sa = at_key(a, "source");
		if (!source || !*source)
			FAIL(-EINVAL, &sa, "missing; a bind names its host path");
		char *src;
		if ((r = bundle_path(c, &sa, source, false, &src)) < 0)
			return r;
		m.src = src;
		if (rest.n) {
			free(m.src);
			FAIL(-EOPNOTSUPP, &oa, "'%s' is not supported on a bind", rest.v[0]);
		}
	} else if (strcmp(type, "tmpfs") == 0) {
		bool dev = strcmp(norm, "/dev") == 0;
		m.kind = dev ? MOUNT_DEV : MOUNT_TMPFS;
		m.dev_bare = dev;
		/* Left out, husk's bounds: every tmpfs it makes is. */
		m.size = dev ? 64ull << 10 : HUSK_DEFAULT_TMPFS_SIZE;
		m.nr_inodes = dev ? 4096 : HUSK_DEFAULT_TMPFS_INODES;
		m.mode = dev ? 0755 : HUSK_DEFAULT_TMPFS_MODE;
		for (size_t i = 0; i < rest.n; i++) {
			int k = tmpfs_option(rest.v[i], &m);
			if (k != 0)
				FAIL(-EINVAL, &oa, "'%s' %s", rest.v[i],
				     k < 0 ? "is not a valid value" : "is not a tmpfs option husk takes "
								    "(size, nr_inodes, mode)");
		}
		/* /dev's nodes are binds, never made: its tmpfs is small. */
	} else if (strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0 ||
		   strcmp(type, "mqueue") == 0 || strcmp(type, "cgroup") == 0 ||
		   strcmp(type, "cgroup2") == 0 || strcmp(type, "devpts") == 0) {
		m.kind = strcmp(type, "proc") == 0	 ? MOUNT_PROC
			 : strcmp(type, "sysfs") == 0	 ? MOUNT_SYSFS
			 : strcmp(type, "mqueue") == 0	 ? MOUNT_MQUEUE
			 : strcmp(type, "devpts") == 0	 ? MOUNT_DEVPTS
							 : MOUNT_CGROUP;
		static const char *const pts_opts[] = { "newinstance", "ptmxmode=", "mode=", "gid=",
							NULL };
		for (size_t i = 0; i < rest.n; i++) {
			bool ok = false;
			for (const char *const *x = pts_opts; *x && m.kind == MOUNT_DEVPTS && !ok; x++)
				ok = strchr(*x, '=') ? str_has_prefix(rest.v[i], *x)
						     : strcmp(rest.v[i], *x) == 0;
			if (!ok)
				FAIL(-EOPNOTSUPP, &oa, "'%s' is not an option husk takes for %s",
				     rest.v[i], type);
			/* Every devpts husk mounts is a new instance. */
			if (strcmp(rest.v[i], "newinstance") != 0 &&
			    append_data(&m, rest.v[i]) < 0)
				rr = -ENOMEM;
		}
		if (m.kind == MOUNT_DEVPTS && append_data(&m, "newinstance") < 0)
			rr = -ENOMEM;
		if (source && *source)
			m.fs_source = xstrdup(source);
	} else {
		struct at ta = at_key(a, "type");
		FAIL(-EOPNOTSUPP, &ta,
		     "'%s' is not supported (husk mounts bind, tmpfs, proc, sysfs, devpts, mqueue "
		     "and cgroup)",
		     type);
	}
	if (m.kind == MOUNT_TMPFS || m.kind == MOUNT_DEV)
		m.fs_source = source && *source ? xstrdup(source) : NULL;
	if (rr == 0)
		rr = policy_append_mount(c->p, &m);
	free(m.src);
	free(m.fs_source);
	free(m.data);
	if (rr < 0)
		return errf(err, errlen, rr, "config.json: out of memory");
	return 0;
}

/* ---- linux -------------------------------------------------------------- */

static int ns_type(const char *s)
{
	static const struct {
		const char *name;
		int flag;
	} t[] = { { "pid", CLONE_NEWPID },	 { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
		  { "ipc", CLONE_NEWIPC },	 { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
		  { "cgroup", CLONE_NEWCGROUP }, { "time", 0x80 /* CLONE_NEWTIME */ } };
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (strcmp(s, t[i].name) == 0)
			return t[i].flag;
	return -1;
}

static int parse_namespaces(struct ctx *c, json_object *arr)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct husk_policy *p = c->p;
	struct at base = { "linux.namespaces" };
	int have = 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct at a = at_idx(&base, i);
		static const char *const keys[] = { "type", "path", NULL };
		int r = want_type(&a, o, json_type_object, err, errlen);
		const char *type, *path;
		if (r == 0)
			r = known_keys(&a, o, keys, err, errlen);
		if (r == 0)
			r = get_str(&a, o, "type", &type, err, errlen);
		if (r == 0)
			r = get_str(&a, o, "path", &path, err, errlen);
		if (r < 0)
			return r;
		struct at ta = at_key(&a, "type");
		int t = type ? ns_type(type) : -1;
		if (t < 0)
			FAIL(-EINVAL, &ta, "'%s' is not a namespace type (pid, network, mount, ipc, "
					   "uts, user, cgroup)",
			     type ? type : "(missing)");
		if (t == 0x80)
			FAIL(-EOPNOTSUPP, &ta, "time namespaces are not supported");
		if (have & t)
			FAIL(-EINVAL, &ta, "%s is given twice; the spec makes that an error", type);
		have |= t;
		if (path && *path) {
			struct at pa = at_key(&a, "path");
			if (t == CLONE_NEWPID || t == CLONE_NEWNS || t == CLONE_NEWUSER)
				FAIL(-EOPNOTSUPP, &pa,
				     "joining a %s namespace is not supported: husk makes its own "
				     "(network, ipc, uts and cgroup ones can be joined)",
				     type);
			if (path[0] != '/')
				FAIL(-EINVAL, &pa, "%s is relative; give an absolute path", path);
			struct stat st;
			if (stat(path, &st) < 0)
				FAIL(-errno, &pa, "%s: %s", path, strerror(errno));
			if (p->n_ns_joins == HUSK_MAX_NS_JOINS)
				FAIL(-E2BIG, &pa, "too many namespaces to join");
			p->ns_joins[p->n_ns_joins].type = t;
			p->ns_joins[p->n_ns_joins++].path = xstrdup(path);
		}
	}
	if (!(have & CLONE_NEWNS))
		FAIL(-EOPNOTSUPP, &base,
		     "no mount namespace: husk always makes one (its root is built in it); add "
		     "{\"type\": \"mount\"}");
	if (!(have & CLONE_NEWPID))
		FAIL(-EOPNOTSUPP, &base,
		     "no pid namespace: husk always makes one (its init reaps and stops the "
		     "service); add {\"type\": \"pid\"}");
	p->userns = have & CLONE_NEWUSER ? USERNS_PRIVATE : USERNS_HOST;
	p->net = have & CLONE_NEWNET ? NET_NONE : NET_HOST;
	p->ns_shared = (uint64_t)((have & CLONE_NEWIPC ? 0 : CLONE_NEWIPC) |
				  (have & CLONE_NEWUTS ? 0 : CLONE_NEWUTS) |
				  (have & CLONE_NEWCGROUP ? 0 : CLONE_NEWCGROUP));
	return 0;
}

static int parse_idmaps(struct ctx *c, json_object *lx, const char *key, struct id_mapping *m,
			size_t *n)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct at base = { "linux" };
	json_object *arr;
	int r = get_array(&base, lx, key, &arr, err, errlen);
	if (r < 0 || !arr)
		return r;
	struct at a = at_key(&base, key);
	if (c->p->userns != USERNS_PRIVATE && json_object_array_length(arr))
		FAIL(-EINVAL, &a, "given, but linux.namespaces has no user namespace to map ids in");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct at ai = at_idx(&a, i);
		static const char *const keys[] = { "containerID", "hostID", "size", NULL };
		int64_t in, out, size;
		bool s1, s2, s3;
		if ((r = want_type(&ai, o, json_type_object, err, errlen)) < 0 ||
		    (r = known_keys(&ai, o, keys, err, errlen)) < 0 ||
		    (r = get_int(&ai, o, "containerID", 0, UINT32_MAX - 1, &in, &s1, err, errlen)) < 0 ||
		    (r = get_int(&ai, o, "hostID", 0, UINT32_MAX - 1, &out, &s2, err, errlen)) < 0 ||
		    (r = get_int(&ai, o, "size", 1, UINT32_MAX, &size, &s3, err, errlen)) < 0)
			return r;
		if (!s1 || !s2 || !s3)
			FAIL(-EINVAL, &ai, "needs containerID, hostID and size");
		if (in + size > (int64_t)UINT32_MAX || out + size > (int64_t)UINT32_MAX)
			FAIL(-ERANGE, &ai, "runs past the 32-bit id space");
		if (*n == HUSK_MAX_IDMAPS)
			FAIL(-E2BIG, &a, "more than %d mappings", HUSK_MAX_IDMAPS);
		m[(*n)++] = (struct id_mapping){ (uint32_t)in, (uint32_t)out, (uint32_t)size };
	}
	return 0;
}

bool oci_sysctl_is_namespaced(const char *key, bool own_ipc, bool own_net)
{
	/* runc's list (libcontainer/configs/validate): the System V and
	 * POSIX IPC ones belong to the ipc namespace, net.* to the network
	 * one. */
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					   "kernel.sem",    "kernel.shmall", "kernel.shmmax",
					   "kernel.shmmni", "kernel.shm_rmid_forced", NULL };
	for (const char *const *k = ipc; *k; k++)
		if (strcmp(key, *k) == 0)
			return own_ipc;
	if (str_has_prefix(key, "fs.mqueue."))
		return own_ipc;
	if (str_has_prefix(key, "net."))
		return own_net;
	return false;
}

static int parse_sysctl(struct ctx *c, json_object *o)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct husk_policy *p = c->p;
	struct at base = { "linux.sysctl" };
	bool own_ipc = !(p->ns_shared & CLONE_NEWIPC);
	bool own_net = p->net == NET_NONE;
	json_object_object_foreach(o, k, v)
	{
		struct at a = at_key(&base, k);
		int r = want_type(&a, v, json_type_string, err, errlen);
		if (r < 0)
			return r;
		if (strchr(k, '/') || strstr(k, "..") || !*k)
			FAIL(-EINVAL, &a, "not a sysctl name");
		if (!oci_sysctl_is_namespaced(k, own_ipc, own_net))
			FAIL(-EPERM, &a,
			     "not a sysctl of a namespace the sandbox owns: setting it would change "
			     "the host (namespaced ones: kernel.msg*, kernel.sem, kernel.shm*, "
			     "fs.mqueue.* with an ipc namespace; net.* with a network namespace)");
		char kv[1024];
		snprintf(kv, sizeof(kv), "%s=%s", k, json_object_get_string(v));
		if (strv_push(&p->sysctls, kv) < 0)
			return errf(err, errlen, -ENOMEM, "config.json: out of memory");
	}
	return 0;
}

/* cpu.shares (cgroup v1, 2 to 262144) to cpu.weight (v2, 1 to 10000), as
 * runc and crun convert it. */
static uint32_t shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return (uint32_t)(1 + ((shares - 2) * 9999) / 262142);
}

static int parse_resources(struct ctx *c, json_object *o)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct cg_limits *l = &c->p->cgroup;
	struct at base = { "linux.resources" };
	static const char *const keys[] = { "memory", "cpu", "pids", "devices", NULL };
	int r = known_keys(&base, o, keys, err, errlen);
	if (r < 0)
		return r;
	json_object *mem, *cpu, *pids, *devs;
	if ((r = get_object(&base, o, "memory", &mem, err, errlen)) < 0 ||
	    (r = get_object(&base, o, "cpu", &cpu, err, errlen)) < 0 ||
	    (r = get_object(&base, o, "pids", &pids, err, errlen)) < 0 ||
	    (r = get_array(&base, o, "devices", &devs, err, errlen)) < 0)
		return r;
	int64_t v;
	bool set;
	if (mem) {
		struct at a = at_key(&base, "memory");
		static const char *const mk[] = { "limit", "reservation", "swap", NULL };
		if ((r = known_keys(&a, mem, mk, err, errlen)) < 0 ||
		    (r = get_int(&a, mem, "limit", -1, INT64_MAX, &v, &set, err, errlen)) < 0)
			return r;
		if (set && v > 0)
			l->memory_max = (uint64_t)v;
		/* A soft limit the kernel reclaims down to under pressure:
		 * memory.high is v2's closest, and what husk has. */
		if ((r = get_int(&a, mem, "reservation", -1, INT64_MAX, &v, &set, err, errlen)) < 0)
			return r;
		if (set && v > 0)
			l->memory_high = (uint64_t)v;
		if ((r = get_int(&a, mem, "swap", -1, INT64_MAX, &v, &set, err, errlen)) < 0)
			return r;
		/* OCI's swap is memory plus swap, as Docker's --memory-swap. */
		if (set && v > 0) {
			struct at s = at_key(&a, "swap");
			if (!l->memory_max || (uint64_t)v < l->memory_max)
				FAIL(-EINVAL, &s, "is memory plus swap: it needs a limit, and not below it");
			l->memory_swap_set = true;
			l->memory_swap = (uint64_t)v - l->memory_max;
		}
	}
	if (cpu) {
		struct at a = at_key(&base, "cpu");
		static const char *const ck[] = { "shares", "quota", "period", NULL };
		if ((r = known_keys(&a, cpu, ck, err, errlen)) < 0 ||
		    (r = get_int(&a, cpu, "shares", 0, INT64_MAX, &v, &set, err, errlen)) < 0)
			return r;
		if (set && v > 0)
			l->cpu_weight = shares_to_weight((uint64_t)v);
		if ((r = get_int(&a, cpu, "quota", -1, INT64_MAX, &v, &set, err, errlen)) < 0)
			return r;
		if (set && v > 0)
			l->cpu_quota_us = (uint64_t)v;
		if ((r = get_int(&a, cpu, "period", 0, 1000000, &v, &set, err, errlen)) < 0)
			return r;
		if (set && v > 0)
			l->cpu_period_us = (uint64_t)v;
	}
	if (pids) {
		struct at a = at_key(&base, "pids");
		static const char *const pk[] = { "limit", NULL };
		if ((r = known_keys(&a, pids, pk, err, errlen)) < 0 ||
		    (r = get_int(&a, pids, "limit", -1, INT64_MAX, &v, &set, err, errlen)) < 0)
			return r;
		if (set && v > 0)
			l->pids_max = (uint64_t)v;
	}
	/* Device rules: husk's sandbox can use no device but the nodes it
	 * binds (every other mount is nodev), so "deny all" is what it does
	 * already; an allow rule would have to grant what a bind does not
	 * give, and is refused. */
	struct at da = at_key(&base, "devices");
	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		struct at di = at_idx(&da, i);
		static const char *const dk[] = { "allow", "type", "major", "minor", "access", NULL };
		bool allow = false;
		if ((r = want_type(&di, d, json_type_object, err, errlen)) < 0 ||
		    (r = known_keys(&di, d, dk, err, errlen)) < 0 ||
		    (r = get_bool(&di, d, "allow", &allow, &set, err, errlen)) < 0)
			return r;
		if (allow)
			FAIL(-EOPNOTSUPP, &di,
			     "allow rules are not supported: the sandbox reaches only the device "
			     "nodes of linux.devices and the defaults, through binds");
	}
	return 0;
}

static int parse_devices(struct ctx *c, json_object *arr)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct at base = { "linux.devices" };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct at a = at_idx(&base, i);
		static const char *const keys[] = { "path", "type", "major", "minor",
						    "fileMode", "uid", "gid", NULL };
		const char *path, *type;
		int64_t major, minor, mode, uid, gid;
		bool s1, s2, s3, s4, s5;
		int r;
		if ((r = want_type(&a, o, json_type_object, err, errlen)) < 0 ||
		    (r = known_keys(&a, o, keys, err, errlen)) < 0 ||
		    (r = get_str(&a, o, "path", &path, err, errlen)) < 0 ||
		    (r = get_str(&a, o, "type", &type, err, errlen)) < 0 ||
		    (r = get_int(&a, o, "major", 0, INT32_MAX, &major, &s1, err, errlen)) < 0 ||
		    (r = get_int(&a, o, "minor", 0, INT32_MAX, &minor, &s2, err, errlen)) < 0 ||
		    (r = get_int(&a, o, "fileMode", 0, 07777, &mode, &s3, err, errlen)) < 0 ||
		    (r = get_int(&a, o, "uid", 0, UINT32_MAX - 1, &uid, &s4, err, errlen)) < 0 ||
		    (r = get_int(&a, o, "gid", 0, UINT32_MAX - 1, &gid, &s5, err, errlen)) < 0)
			return r;
		if (!path || path[0] != '/' || !type)
			FAIL(-EINVAL, &a, "needs an absolute path and a type");
		bool chr = strcmp(type, "c") == 0 || strcmp(type, "u") == 0;
		if (!chr && strcmp(type, "b") != 0)
			FAIL(-EOPNOTSUPP, &a, "type %s: husk binds character and block devices", type);
		if (!s1 || !s2)
			FAIL(-EINVAL, &a, "needs major and minor");
		/* Device nodes cannot be made in a user namespace: the host's
		 * node at the same path is bound, and must be this device. */
		struct stat st;
		if (stat(path, &st) < 0)
			FAIL(-errno, &a, "%s: the host has no node there to bind: %s", path,
			     strerror(errno));
		if ((chr ? !S_ISCHR(st.st_mode) : !S_ISBLK(st.st_mode)) ||
		    major(st.st_rdev) != (unsigned)major || minor(st.st_rdev) != (unsigned)minor)
			FAIL(-EINVAL, &a,
			     "%s on the host is not %s %lld:%lld; husk binds the host's node and "
			     "makes none",
			     path, type, (long long)major, (long long)minor);
		if (s3 && (st.st_mode & 07777) != (mode_t)mode)
			FAIL(-EOPNOTSUPP, &a,
			     "fileMode %04llo differs from the host node's %04o, which a bind keeps",
			     (unsigned long long)mode, (unsigned)(st.st_mode & 07777));
		if (s4 || s5)
			FAIL(-EOPNOTSUPP, &a, "uid and gid are not supported: a bound node keeps "
					      "the host's owner");
		struct mount_entry m = { .kind = MOUNT_BIND,
					 .src = (char *)path,
					 .dst = (char *)path,
					 .device = true,
					 .nonrecursive = true,
					 .attrs = MOUNT_ATTR_NOEXEC };
		if (policy_append_mount(c->p, &m) < 0)
			return errf(err, errlen, -ENOMEM, "config.json: out of memory");
	}
	return 0;
}

static int parse_linux(struct ctx *c, json_object *o)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct husk_policy *p = c->p;
	struct at base = { "linux" };
	static const char *const keys[] = {
		"namespaces", "uidMappings", "gidMappings", "devices",	 "cgroupsPath",
		"resources",  "sysctl",	     "seccomp",	    "maskedPaths", "readonlyPaths",
		"rootfsPropagation", "mountLabel", NULL
	};
	int r = known_keys(&base, o, keys, err, errlen);
	if (r < 0)
		return r;
	json_object *ns, *res, *sys, *sc, *devs;
	if ((r = get_array(&base, o, "namespaces", &ns, err, errlen)) < 0)
		return r;
	if (!ns) {
		struct at a = at_key(&base, "namespaces");
		FAIL(-EINVAL, &a, "missing: husk needs at least pid and mount");
	}
	if ((r = parse_namespaces(c, ns)) < 0)
		return r;
	if ((r = parse_idmaps(c, o, "uidMappings", p->uid_maps, &p->n_uid_maps)) < 0 ||
	    (r = parse_idmaps(c, o, "gidMappings", p->gid_maps, &p->n_gid_maps)) < 0)
		return r;
	const char *cg;
	if ((r = get_str(&base, o, "cgroupsPath", &cg, err, errlen)) < 0)
		return r;
	if (cg && *cg) {
		struct at a = at_key(&base, "cgroupsPath");
		if (!path_is_normal_absolute(cg) || strlen(cg) > 400)
			FAIL(-EINVAL, &a,
			     "%s: husk takes an absolute cgroup path (/user.slice/app), relative to "
			     "the cgroup mount; systemd's slice:prefix:name form is not supported",
			     cg);
		free(p->cgroup_parent);
		p->cgroup_parent = xstrdup(cg);
	}
	if ((r = get_object(&base, o, "resources", &res, err, errlen)) < 0 ||
	    (res && (r = parse_resources(c, res)) < 0))
		return r;
	if ((r = get_object(&base, o, "sysctl", &sys, err, errlen)) < 0 ||
	    (sys && (r = parse_sysctl(c, sys)) < 0))
		return r;
	if ((r = get_object(&base, o, "seccomp", &sc, err, errlen)) < 0)
		return r;
	if (sc) {
		free(p->seccomp_json);
		p->seccomp_json = xstrdup(json_object_to_json_string_ext(sc, JSON_C_TO_STRING_PLAIN));
	}
	bool m_given, r_given;
	if ((r = str_array(&base, o, "maskedPaths", &p->masked_paths, &m_given, err, errlen)) < 0 ||
	    (r = str_array(&base, o, "readonlyPaths", &p->readonly_paths, &r_given, err, errlen)) <
		    0)
		return r;
	p->paths_set = m_given || r_given;
	for (size_t i = 0; i < p->masked_paths.n + p->readonly_paths.n; i++) {
		bool m = i < p->masked_paths.n;
		const char *path = m ? p->masked_paths.v[i] : p->readonly_paths.v[i - p->masked_paths.n];
		if (path[0] != '/') {
			struct at a = at_key(&base, m ? "maskedPaths" : "readonlyPaths");
			FAIL(-EINVAL, &a, "%s is relative; the paths are absolute in the root", path);
		}
	}
	const char *prop;
	if ((r = get_str(&base, o, "rootfsPropagation", &prop, err, errlen)) < 0)
		return r;
	if (prop && *prop && strcmp(prop, "private") != 0 && strcmp(prop, "rprivate") != 0) {
		struct at a = at_key(&base, "rootfsPropagation");
		FAIL(-EOPNOTSUPP, &a, "%s is not supported: every mount of the sandbox is private, "
				      "so nothing it does reaches the host",
		     prop);
	}
	if ((r = only_empty(&base, o, "mountLabel", "husk does not set SELinux labels", err,
			    errlen)) < 0)
		return r;
	if ((r = get_array(&base, o, "devices", &devs, err, errlen)) < 0 ||
	    (devs && (r = parse_devices(c, devs)) < 0))
		return r;
	return 0;
}

/* ---- hooks, annotations -------------------------------------------------- */

static int parse_hooks(struct ctx *c, json_object *o)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct husk_policy *p = c->p;
	struct at base = { "hooks" };
	static const char *const keys[] = { "prestart",	      "createRuntime", "createContainer",
					    "startContainer", "poststart",     "poststop",
					    NULL };
	int r = known_keys(&base, o, keys, err, errlen);
	if (r < 0)
		return r;
	for (int st = 0; st < HOOK_NSTAGES; st++) {
		json_object *arr;
		if ((r = get_array(&base, o, keys[st], &arr, err, errlen)) < 0)
			return r;
		struct at sa = at_key(&base, keys[st]);
		size_t n = arr ? json_object_array_length(arr) : 0;
		if (!n)
			continue;
		p->hooks.h[st] = xcalloc(n, sizeof(struct oci_hook));
		for (size_t i = 0; i < n; i++) {
			json_object *h = json_object_array_get_idx(arr, i);
			struct at a = at_idx(&sa, i);
			struct oci_hook *hk = &p->hooks.h[st][p->hooks.n[st]++];
			static const char *const hkeys[] = { "path", "args", "env", "timeout", NULL };
			const char *path;
			int64_t timeout;
			bool ts;
			if ((r = want_type(&a, h, json_type_object, err, errlen)) < 0 ||
			    (r = known_keys(&a, h, hkeys, err, errlen)) < 0 ||
			    (r = get_str(&a, h, "path", &path, err, errlen)) < 0 ||
			    (r = str_array(&a, h, "args", &hk->args, NULL, err, errlen)) < 0 ||
			    (r = str_array(&a, h, "env", &hk->env, &hk->env_set, err, errlen)) < 0 ||
			    (r = get_int(&a, h, "timeout", 1, INT32_MAX, &timeout, &ts, err, errlen)) < 0)
				return r;
			struct at pa = at_key(&a, "path");
			if (!path || path[0] != '/')
				FAIL(-EINVAL, &pa, "%s; the spec requires an absolute path",
				     path ? "relative" : "missing");
			hk->path = xstrdup(path);
			hk->timeout = ts ? (int)timeout : 0;
			/* startContainer's path is the root's, which the
			 * sandbox resolves; the others are the host's. */
			if (st != HOOK_START_CONTAINER && access(path, X_OK) < 0)
				FAIL(-errno, &pa, "%s: %s", path, strerror(errno));
		}
	}
	return 0;
}

static int parse_config(struct ctx *c, json_object *root)
{
	char *err = c->err;
	size_t errlen = c->errlen;
	struct husk_policy *p = c->p;
	struct at top = { "" };
	int r = want_type(&top, root, json_type_object, err, errlen);
	static const char *const keys[] = { "ociVersion", "process", "root",   "hostname",
					    "domainname", "mounts",  "hooks",  "annotations",
					    "linux",	  NULL };
	if (r == 0)
		r = known_keys(&top, root, keys, err, errlen);
	const char *ver;
	if (r == 0)
		r = get_str(&top, root, "ociVersion", &ver, err, errlen);
	if (r < 0)
		return r;
	struct at va = { "ociVersion" };
	if (!ver)
		FAIL(-EINVAL, &va, "missing");
	if (!str_has_prefix(ver, "1.0") && !str_has_prefix(ver, "1.1"))
		FAIL(-EOPNOTSUPP, &va, "%s: husk reads runtime-spec 1.0 to 1.1", ver);
	/* linux first: the namespaces decide what hostname and sysctl may do. */
	json_object *lx, *process, *rootobj, *mounts, *hooks, *ann;
	if ((r = get_object(&top, root, "linux", &lx, err, errlen)) < 0)
		return r;
	if (!lx) {
		struct at a = { "linux" };
		FAIL(-EINVAL, &a, "missing: husk runs Linux containers");
	}
	if ((r = parse_linux(c, lx)) < 0)
		return r;
	if ((r = get_object(&top, root, "process", &process, err, errlen)) < 0 ||
	    (process && (r = parse_process(c, process)) < 0))
		return r;
	if (!process) {
		struct at a = { "process" };
		FAIL(-EINVAL, &a, "missing: nothing to run");
	}
	if ((r = get_object(&top, root, "root", &rootobj, err, errlen)) < 0)
		return r;
	if (!rootobj) {
		struct at a = { "root" };
		FAIL(-EINVAL, &a, "missing; name the root directory (rootfs)");
	}
	if ((r = parse_root(c, rootobj)) < 0)
		return r;
	const char *host;
	if ((r = get_str(&top, root, "hostname", &host, err, errlen)) < 0)
		return r;
	if (host && *host) {
		free(p->hostname);
		p->hostname = xstrdup(host);
	}
	if ((r = only_empty(&top, root, "domainname", "husk sets no NIS domain name", err, errlen)) <
	    0)
		return r;
	/* The spec's default devices, when the config mounts no /dev of its
	 * own: the nodes and links in a small tmpfs, first. */
	if ((r = get_array(&top, root, "mounts", &mounts, err, errlen)) < 0)
		return r;
	bool own_dev = false;
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		json_object *d = field(json_object_array_get_idx(mounts, i), "destination");
		own_dev |= d && json_object_is_type(d, json_type_string) &&
			   strcmp(json_object_get_string(d), "/dev") == 0;
	}
	size_t before = p->n_mounts;
	if (!own_dev) {
		struct mount_entry dev = { .kind = MOUNT_DEV,
					   .dst = "/dev",
					   .dev_bare = true,
					   .size = 64ull << 10,
					   .nr_inodes = 4096,
					   .mode = 0755 };
		if (policy_append_mount(p, &dev) < 0)
			return errf(err, errlen, -ENOMEM, "config.json: out of memory");
	}
	struct at ma = { "mounts" };
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		struct at a = at_idx(&ma, i);
		if ((r = parse_mount(c, &a, json_object_array_get_idx(mounts, i))) < 0)
			return r;
	}
	/* linux.devices were appended before the mounts: they go after /dev. */
	if (before) {
		size_t n = p->n_mounts;
		struct mount_entry *tmp = xcalloc(n, sizeof(*tmp));
		memcpy(tmp, p->mounts + before, (n - before) * sizeof(*tmp));
		memcpy(tmp + (n - before), p->mounts, before * sizeof(*tmp));
		memcpy(p->mounts, tmp, n * sizeof(*tmp));
		free(tmp);
	}
	if ((r = get_object(&top, root, "hooks", &hooks, err, errlen)) < 0 ||
	    (hooks && (r = parse_hooks(c, hooks)) < 0))
		return r;
	if ((r = get_object(&top, root, "annotations", &ann, err, errlen)) < 0)
		return r;
	if (ann) {
		struct at aa = { "annotations" };
		json_object_object_foreach(ann, k, v)
		{
			struct at a = at_key(&aa, k);
			if ((r = want_type(&a, v, json_type_string, err, errlen)) < 0)
				return r;
		}
		p->oci_annotations = xstrdup(json_object_to_json_string_ext(ann, JSON_C_TO_STRING_PLAIN));
	}
	return 0;
}

int oci_load(struct husk_policy *p, const char *bundle, char *err, size_t errlen)
{
	char real[PATH_MAX];
	if (!realpath(bundle, real))
		return errf(err, errlen, -errno, "bundle %s: %s", bundle, strerror(errno));
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/config.json", real);
	struct stat st;
	if (stat(path, &st) < 0)
		return errf(err, errlen, -errno, "bundle %s: config.json: %s", bundle, strerror(errno));
	json_object *root = json_file_parse(path, err, errlen);
	if (!root)
		return -EINVAL;
	free(p->oci_bundle);
	p->oci_bundle = xstrdup(real);
	const char *base = strrchr(real, '/');
	free(p->oci_id);
	p->oci_id = xstrdup(base && base[1] ? base + 1 : "husk");
	struct ctx c = { .p = p, .err = err, .errlen = errlen, .bundle = p->oci_bundle };
	int r = parse_config(&c, root);
	json_object_put(root);
	return r;
}
