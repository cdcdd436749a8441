#include "cmd/gate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/json_file.h"
#include "base/log.h"
#include "base/util.h"
#include "front/options.h"
#include "seccomp/seccomp_export.h"
#include "seccomp/seccomp_load.h"

#define GATE_DEFAULT_PROFILE "restricted"	 /* husk hook gate's */
#define RUNTIME_DEFAULT_PROFILE "hardened" /* husk runtime's */
#define GATE_DEFAULT_RUNTIME "runc"
/* Where husk runtime keeps its hardened copy of a bundle's config. */
#define GATE_COPY_DIR ".husk-runtime"

int gate_profile_load(struct gate_profile *gp, const char *name, const struct search_path *profiles)
{
	memset(gp, 0, sizeof(*gp));
	policy_init(&gp->p);
	sc_profile_init(&gp->sc);
	sc_profile_init(&gp->sc_oci);
	snprintf(gp->name, sizeof(gp->name), "%s", name);
	/* The profile as husk check reads it: a policy with no program. */
	char *argv[] = { "gate", "--profile", (char *)name, NULL };
	struct run_flags f = { .profiles = profiles };
	if (policy_from_argv(&gp->p, 3, argv, &f) != 0)
		return HUSK_EXIT_LAUNCH;
	extern char **environ;
	struct caller c = { .uid = getuid(),
			    .gid = getgid(),
			    .environ = environ,
			    .profiles = profiles,
			    .report_only = true };
	char err[1024];
	if (policy_finalize(&gp->p, &c, err, sizeof(err)) < 0) {
		log_error("gate: profile %s: %s", name, err);
		return HUSK_EXIT_LAUNCH;
	}
	const struct sc_profile *sc = NULL;
	int r;
	if (!gp->p.seccomp_unconfined) {
		const char *sn = gp->p.seccomp_name ? gp->p.seccomp_name : HUSK_DEFAULT_SECCOMP;
		if (sc_profile_load(&gp->sc, sn, profiles, gp->p.cap_add, err, sizeof(err)) < 0) {
			log_error("gate: profile %s: seccomp %s: %s", name, sn, err);
			return HUSK_EXIT_LAUNCH;
		}
		sc = &gp->sc;
		json_object *exp = sc_profile_export_oci(sc);
		r = gate_oci_view(&gp->sc_oci, exp, gp->p.cap_add, err, sizeof(err));
		json_object_put(exp);
		if (r < 0) {
			log_error("gate: profile %s: seccomp %s as OCI: %s", name, sn, err);
			return HUSK_EXIT_LAUNCH;
		}
	}
	gate_want_from_policy(&gp->want, &gp->p, sc, &gp->sc_oci, gp->name);
	return 0;
}

void gate_profile_free(struct gate_profile *gp)
{
	policy_free(&gp->p);
	sc_profile_free(&gp->sc);
	sc_profile_free(&gp->sc_oci);
}

void gate_print(FILE *out, const char *prefix, const struct gate_result *r, bool all)
{
	for (size_t i = 0; i < r->n; i++)
		if (all || !r->f[i].fixed)
			fprintf(out, "%s%s: %s\n", prefix, r->f[i].rule, r->f[i].why);
}

/* A bundle's config.json, parsed; NULL after one line. */
static json_object *read_config(const char *cmd, const char *bundle)
{
	char path[PATH_MAX], err[1024];
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path)) {
		log_error("%s: bundle %s: path too long", cmd, bundle);
		return NULL;
	}
	json_object *cfg = json_file_parse(path, err, sizeof(err));
	if (!cfg)
		log_error("%s: %s (the bundle's config.json must be readable JSON)", cmd, err);
	return cfg;
}

int gate_judge_bundle(const char *cmd, const char *bundle, const char *profile,
		      const struct search_path *profiles, struct gate_result *res)
{
	__attribute__((cleanup(gate_profile_free))) struct gate_profile gp;
	int r = gate_profile_load(&gp, profile, profiles);
	if (r)
		return r;
	json_object *cfg = read_config(cmd, bundle);
	if (!cfg)
		return HUSK_EXIT_LAUNCH;
	char err[1024];
	r = gate_judge(cfg, &gp.want, false, res, err, sizeof(err));
	json_object_put(cfg);
	if (r < 0) {
		log_error("%s: %s", cmd, err);
		return HUSK_EXIT_LAUNCH;
	}
	return 0;
}

/* ---- husk hook gate ---- */

static int hook_usage(FILE *out)
{
	fprintf(out, "Usage: husk hook gate [--profile NAME|FILE]\n\n"
		     "An OCI hook (createRuntime or prestart): reads the container's state on\n"
		     "stdin, judges its bundle's config.json against the profile (default\n"
		     "%s) and exits 1 with one line per rule it misses, which stops the\n"
		     "runtime from starting it. husk(1), GATING OTHER RUNTIMES.\n",
		GATE_DEFAULT_PROFILE);
	return out == stdout ? 0 : HUSK_EXIT_LAUNCH;
}

int cmd_hook(int argc, char *argv[], const struct search_path *profiles)
{
	const char *profile = GATE_DEFAULT_PROFILE;
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return hook_usage(stdout);
	if (argc < 2 || strcmp(argv[1], "gate") != 0) {
		log_error("hook: use husk hook gate [--profile NAME] (the only hook husk has)");
		return HUSK_EXIT_LAUNCH;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
			profile = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			return hook_usage(stdout);
		} else {
			log_error("hook gate: unknown argument '%s': husk hook gate [--profile NAME]",
				  argv[i]);
			return HUSK_EXIT_LAUNCH;
		}
	}
	/* The state first: a hook that cannot read it refuses before it
	 * loads anything. */
	char err[1024];
	static char state[1 << 16];
	size_t n = fread(state, 1, sizeof(state) - 1, stdin);
	state[n] = '\0';
	json_object *st = json_text_parse(state, n, "the state on stdin", err, sizeof(err));
	json_object *b = NULL;
	if (!st || !json_object_is_type(st, json_type_object) ||
	    !json_object_object_get_ex(st, "bundle", &b) || !json_object_is_type(b, json_type_string)) {
		log_error("hook gate: %s", st ? "the state on stdin has no \"bundle\" string (OCI "
					      "runtime-spec runtime.md#state)"
					    : err);
		json_object_put(st);
		return HUSK_EXIT_LAUNCH;
	}
	char bundle[PATH_MAX];
	snprintf(bundle, sizeof(bundle), "%s", json_object_get_string(b));
	json_object_put(st);
	struct stat sb;
	if (stat(bundle, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		log_error("hook gate: bundle %s: %s", bundle,
			  errno ? strerror(errno) : "not a directory");
		return HUSK_EXIT_LAUNCH;
	}
	struct gate_result res;
	int r = gate_judge_bundle("hook gate", bundle, profile, profiles, &res);
	if (r)
		return r;
	if (!res.unmet)
		return 0;
	char prefix[300];
	snprintf(prefix, sizeof(prefix), "husk: hook gate: weaker than profile %s: ", profile);
	gate_print(stderr, prefix, &res, false);
	return 1;
}

/* ---- husk runtime ---- */

/* The real runtime's global flags that take a value (runc's and crun's):
 * what comes after them is not the command. */
static bool global_takes_value(const char *a)
{
	static const char *const v[] = { "--root", "--log", "--log-format", "--criu", "--rootless",
					 "--cgroup-manager", NULL };
	for (const char *const *x = v; *x; x++)
		if (strcmp(a, *x) == 0)
			return true;
	return false;
}

struct runtime_opts {
	const char *profile, *runtime;
	/* In front of the profile path, as HUSK_PROFILE_DIR is for the
	 * other commands: a daemon may start its runtime with a clean
	 * environment (Podman does). */
	const char *profile_dir;
	bool enforce;
};

/* husk-runtime.conf in the site directory: "profile NAME", "runtime
 * PATH", "mode enforce|gate", one per line, # comments; what a daemon's
 * runtime entry cannot pass as arguments. */
static int read_conf(struct runtime_opts *o, char *store, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/husk-runtime.conf", HUSK_SITEDIR);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	char line[512];
	size_t used = 0;
	int r = 0, ln = 0;
	while (fgets(line, sizeof(line), f)) {
		ln++;
		char *h = strchr(line, '#');
		if (h)
			*h = '\0';
		char key[32], val[400];
		int k = sscanf(line, "%31s %399s", key, val);
		if (k <= 0)
			continue;
		size_t vl = strlen(val) + 1;
		if (k != 2 || used + vl > len) {
			r = -EINVAL;
			break;
		}
		char *v = memcpy(store + used, val, vl);
		used += vl;
		if (strcmp(key, "profile") == 0)
			o->profile = v;
		else if (strcmp(key, "runtime") == 0)
			o->runtime = v;
		else if (strcmp(key, "profile-dir") == 0)
			o->profile_dir = v;
		else if (strcmp(key, "mode") == 0 && (strcmp(v, "enforce") == 0 || strcmp(v, "gate") == 0))
			o->enforce = strcmp(v, "enforce") == 0;
		else {
			r = -EINVAL;
			break;
		}
	}
	fclose(f);
	if (r < 0)
		log_error("runtime: %s:%d: use \"profile NAME\", \"runtime PATH\" or \"mode "
			  "enforce|gate\"",
			  path, ln);
	return r;
}

/* Rewrites what a copy of the config in DIR/.husk-runtime would read
 * differently from the original's place: a relative root path. */
static void anchor_paths(json_object *cfg, const char *bundle)
{
	json_object *root, *path;
	if (!json_object_object_get_ex(cfg, "root", &root) ||
	    !json_object_object_get_ex(root, "path", &path) ||
	    !json_object_is_type(path, json_type_string))
		return;
	const char *p = json_object_get_string(path);
	if (p[0] == '/')
		return;
	char abs[PATH_MAX];
	if (snprintf(abs, sizeof(abs), "%s/%s", bundle, p) >= (int)sizeof(abs))
		return;
	json_object_object_add(root, "path", json_object_new_string(abs));
}

/* The hardened config, written beside the caller's: BUNDLE/.husk-runtime/
 * config.json. The caller's file is never changed, so what it wrote is
 * what it reads back. Returns 0 with the new bundle in out. */
static int write_copy(json_object *cfg, const char *bundle, char *out, size_t len)
{
	char abs[PATH_MAX];
	if (!realpath(bundle, abs))
		return -errno;
	anchor_paths(cfg, abs);
	if (snprintf(out, len, "%s/%s", abs, GATE_COPY_DIR) >= (int)len)
		return -ENAMETOOLONG;
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return -errno;
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	snprintf(path, sizeof(path), "%s/config.json", out);
	snprintf(tmp, sizeof(tmp), "%s/.config.json.%d", out, (int)getpid());
	if (json_object_to_file_ext(tmp, cfg, JSON_C_TO_STRING_PRETTY) < 0)
		return -EIO;
	if (rename(tmp, path) < 0) {
		int e = -errno;
		unlink(tmp);
		return e;
	}
	return 0;
}

static int runtime_usage(FILE *out)
{
	fprintf(out,
		"Usage: husk runtime [--profile NAME] [--mode enforce|gate] [--runtime PATH]\n"
		"                    [--profile-dir DIR] [RUNTIME GLOBAL FLAGS] COMMAND [ARGS...]\n"
		"       husk-runtime ...   (the same, for a daemon's runtime entry)\n\n"
		"An OCI runtime command line. On create and run, the bundle's config.json\n"
		"is judged against the profile (default %s): enforce (the default)\n"
		"rewrites it to meet the profile, in a copy in BUNDLE/%s, and\n"
		"refuses what it cannot fix; gate refuses every miss. Then, and for every\n"
		"other command, the real runtime (default %s) runs with the same\n"
		"arguments. --profile-dir goes in front of the profile path. Defaults\n"
		"may be set in %s/husk-runtime.conf. husk(1), GATING OTHER RUNTIMES.\n",
		RUNTIME_DEFAULT_PROFILE, GATE_COPY_DIR, GATE_DEFAULT_RUNTIME, HUSK_SITEDIR);
	return out == stdout ? 0 : HUSK_EXIT_LAUNCH;
}

/* The runtime's --log file, in runc's JSON lines when --log-format json:
 * containerd and Podman read a failed create's reason from there, so a
 * refusal reaches `docker run`'s error as husk's words. */
static void log_refusal(const char *log, bool json, const char *msg)
{
	if (!log)
		return;
	FILE *f = fopen(log, "ae");
	if (!f)
		return;
	if (json) {
		char ts[64];
		time_t now = time(NULL);
		struct tm tm;
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
		json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string("error"));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(ts));
		fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		fprintf(f, "%s\n", msg);
	}
	fclose(f);
}

struct runtime_call {
	char **args;
	int n, cmd;
	const char *log;
	bool log_json;
	struct runtime_opts o;
	const struct search_path *profiles;
};

/* Refused: every miss on stderr, and all of them in one line in the log. */
static int refuse(struct runtime_call *rc, const struct gate_result *res)
{
	char prefix[300], msg[4096];
	snprintf(prefix, sizeof(prefix), "husk: runtime: weaker than profile %s: ", rc->o.profile);
	gate_print(stderr, prefix, res, false);
	size_t at = (size_t)snprintf(msg, sizeof(msg), "%s", prefix);
	for (size_t i = 0, k = 0; i < res->n && at < sizeof(msg); i++)
		if (!res->f[i].fixed)
			at += (size_t)snprintf(msg + at, sizeof(msg) - at, "%s%s: %s", k++ ? "; " : "",
					       res->f[i].rule, res->f[i].why);
	log_refusal(rc->log, rc->log_json, msg);
	return 1;
}

static int fail_line(struct runtime_call *rc, const char *msg)
{
	log_error("runtime: %s", msg);
	char m[1200];
	snprintf(m, sizeof(m), "husk: runtime: %s", msg);
	log_refusal(rc->log, rc->log_json, m);
	return HUSK_EXIT_LAUNCH;
}

/* create, run: the bundle's config judged, and a hardened copy for the
 * runtime to read where enforce changed it. */
static int runtime_bundle(struct runtime_call *rc, struct gate_profile *gp, char *copy, size_t len)
{
	char **args = rc->args;
	/* --bundle DIR, --bundle=DIR or -b DIR; else the current directory,
	 * as runc takes it. */
	int bi = -1;
	const char *bundle = ".";
	for (int i = rc->cmd + 1; i <= rc->n; i++) {
		if ((strcmp(args[i], "--bundle") == 0 || strcmp(args[i], "-b") == 0) && i < rc->n)
			bi = ++i, bundle = args[i];
		else if (str_has_prefix(args[i], "--bundle="))
			bi = i, bundle = args[i] + 9;
	}
	char err[1024], path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return fail_line(rc, "the bundle's path is too long");
	json_object *cfg = json_file_parse(path, err, sizeof(err));
	if (!cfg)
		return fail_line(rc, err);
	struct gate_result res;
	int r = 0;
	if (gate_judge(cfg, &gp->want, rc->o.enforce, &res, err, sizeof(err)) < 0)
		r = fail_line(rc, err);
	else if (res.unmet)
		r = refuse(rc, &res);
	else if (res.changed && (r = write_copy(cfg, bundle, copy, len)) < 0) {
		snprintf(err, sizeof(err), "write the hardened config in %s/%s: %s", bundle,
			 GATE_COPY_DIR, strerror(-r));
		r = fail_line(rc, err);
	} else if (res.changed) {
		/* The runtime reads the copy; the caller's bundle keeps its
		 * rootfs, its config and its state files. */
		if (bi < 0) {
			memmove(args + rc->cmd + 3, args + rc->cmd + 1,
				(size_t)(rc->n - rc->cmd) * sizeof(char *));
			args[rc->cmd + 1] = "--bundle";
			args[rc->cmd + 2] = copy;
			rc->n += 2;
		} else if (args[bi] == bundle) {
			args[bi] = copy;
		} else {
			static char eq[PATH_MAX + 16];
			snprintf(eq, sizeof(eq), "--bundle=%s", copy);
			args[bi] = eq;
		}
	}
	json_object_put(cfg);
	return r;
}

/* exec --process FILE (-p FILE): the process that joins the container is
 * held to the same rules as its first one (docker exec writes one with
 * root and the engine's capabilities), hardened into FILE.husk. Without
 * --process, runc builds it from the bundle's config, the hardened copy. */
static int runtime_exec(struct runtime_call *rc, struct gate_profile *gp, char *copy, size_t len)
{
	char **args = rc->args;
	int pi = -1;
	for (int i = rc->cmd + 1; i < rc->n && pi < 0; i++)
		if (strcmp(args[i], "--process") == 0 || strcmp(args[i], "-p") == 0)
			pi = i + 1;
	if (pi < 0)
		return 0;
	char err[1024];
	json_object *proc = json_file_parse(args[pi], err, sizeof(err));
	if (!proc)
		return fail_line(rc, err);
	struct gate_result res;
	int r = 0;
	if (gate_judge_process(proc, &gp->want, rc->o.enforce, &res, err, sizeof(err)) < 0) {
		r = fail_line(rc, err);
	} else if (res.unmet) {
		r = refuse(rc, &res);
	} else if (res.changed) {
		if (snprintf(copy, len, "%s.husk", args[pi]) >= (int)len ||
		    json_object_to_file_ext(copy, proc, JSON_C_TO_STRING_PLAIN) < 0) {
			r = fail_line(rc, "cannot write the hardened process.json beside --process's");
		} else {
			args[pi] = copy;
		}
	}
	json_object_put(proc);
	return r;
}

int cmd_runtime(int argc, char *argv[], const struct search_path *profiles)
{
	struct runtime_call rc = { .o = { .profile = RUNTIME_DEFAULT_PROFILE,
					  .runtime = GATE_DEFAULT_RUNTIME,
					  .enforce = true },
				   .cmd = -1,
				   .profiles = profiles };
	static char conf[4096];
	if (read_conf(&rc.o, conf, sizeof(conf)) < 0)
		return HUSK_EXIT_LAUNCH;
	/* husk's own flags come first and are taken out; the rest goes to
	 * the runtime as it was. */
	_cleanup_free_ char **args = xcalloc((size_t)argc + 3, sizeof(char *));
	rc.args = args;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		/* husk's own: --NAME VALUE or --NAME=VALUE (Podman's
		 * --runtime-flag NAME=VALUE passes the second form). */
		const char *own = NULL, *v = NULL;
		static const char *const mine[] = { "profile", "mode", "runtime", "profile-dir" };
		for (size_t k = 0; rc.cmd < 0 && k < ARRAY_SIZE(mine) && !own; k++) {
			size_t l = strlen(mine[k]);
			if (a[0] != '-' || a[1] != '-' || strncmp(a + 2, mine[k], l) != 0)
				continue;
			if (a[2 + l] == '=')
				own = mine[k], v = a + 3 + l;
			else if (a[2 + l] == '\0')
				own = mine[k];
		}
		if (own && !v) {
			if (i + 1 >= argc) {
				log_error("runtime: --%s needs a value", own);
				return HUSK_EXIT_LAUNCH;
			}
			v = argv[++i];
		}
		if (own) {
			if (strcmp(own, "profile") == 0)
				rc.o.profile = v;
			else if (strcmp(own, "runtime") == 0)
				rc.o.runtime = v;
			else if (strcmp(own, "profile-dir") == 0)
				rc.o.profile_dir = v;
			else if (strcmp(v, "enforce") == 0 || strcmp(v, "gate") == 0)
				rc.o.enforce = strcmp(v, "enforce") == 0;
			else {
				log_error("runtime: --mode %s: use enforce or gate", v);
				return HUSK_EXIT_LAUNCH;
			}
			continue;
		}
		if (rc.cmd < 0 && rc.n == 0 && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0))
			return runtime_usage(stdout);
		args[++rc.n] = argv[i];
		if (rc.cmd < 0 && a[0] != '-') {
			rc.cmd = rc.n;
		} else if (rc.cmd < 0 && global_takes_value(a) && i + 1 < argc) {
			args[++rc.n] = argv[++i];
			if (strcmp(a, "--log") == 0)
				rc.log = argv[i];
			else if (strcmp(a, "--log-format") == 0)
				rc.log_json = strcmp(argv[i], "json") == 0;
		} else if (rc.cmd < 0 && str_has_prefix(a, "--log=")) {
			rc.log = a + 6;
		} else if (rc.cmd < 0 && strcmp(a, "--log-format=json") == 0) {
			rc.log_json = true;
		}
	}
	args[0] = (char *)rc.o.runtime;
	if (rc.cmd < 0)
		return runtime_usage(stderr);
	const char *c = args[rc.cmd];
	char copy[PATH_MAX];
	bool bundle = strcmp(c, "create") == 0 || strcmp(c, "run") == 0;
	if (bundle || strcmp(c, "exec") == 0) {
		__attribute__((cleanup(search_path_free))) struct search_path own = { 0 };
		if (rc.o.profile_dir) {
			search_path_init(&own, rc.o.profile_dir, HUSK_SITEDIR, HUSK_PROFILEDIR,
					 HUSK_BPFDIR);
			profiles = &own;
		}
		__attribute__((cleanup(gate_profile_free))) struct gate_profile gp;
		int r = gate_profile_load(&gp, rc.o.profile, profiles);
		if (r) {
			char m[400];
			snprintf(m, sizeof(m), "profile %s cannot be loaded", rc.o.profile);
			log_refusal(rc.log, rc.log_json, m);
			return r;
		}
		r = bundle ? runtime_bundle(&rc, &gp, copy, sizeof(copy))
			   : runtime_exec(&rc, &gp, copy, sizeof(copy));
		if (r)
			return r;
	}
	args[rc.n + 1] = NULL;
	execvp(rc.o.runtime, args);
	log_errno(-errno, "runtime: exec %s (give --runtime PATH, or runtime in "
			  "husk-runtime.conf)",
		  rc.o.runtime);
	return HUSK_EXIT_LAUNCH;
}
