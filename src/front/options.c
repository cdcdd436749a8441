#include "front/options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "front/oci.h"
#include "front/profile.h"

static int front_find(const char *name)
{
	for (size_t i = 0; front_options[i].name; i++)
		if (strcmp(front_options[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int front_option(const char *name, const char *val, struct run_flags *f)
{
	if (strcmp(name, "dry-run") == 0) {
		f->dry_run = true;
	} else if (strcmp(name, "json") == 0) {
		f->json = true;
	} else if (strcmp(name, "timing") == 0) {
		f->timing = true;
	} else if (strcmp(name, "bundle") == 0) {
		/* Read before the other options (oci_first). */
	} else {
		char *end;
		errno = 0;
		double v = strtod(val, &end);
		if (errno || end == val || *end || !(v >= 0 && v <= 10)) {
			log_error("--threshold %s: expected a score from 0.0 to 10.0", val);
			return -EINVAL;
		}
		f->threshold = v;
		f->threshold_set = true;
	}
	return 0;
}

static int apply_profile(struct husk_policy *p, const char *ref, const struct run_flags *f)
{
	char path[4096], err[1024];
	int r = profile_resolve(ref, f->profiles, path, sizeof(path), err, sizeof(err));
	if (r == 0)
		r = profile_apply_file(p, path, f->profiles, err, sizeof(err));
	if (r < 0)
		log_error("--profile %s: %s", ref, err);
	return r;
}

/* bubblewrap's --ro-bind SRC DST: here DST would become the program.
 * Caught when the program stands right after a --bind or --ro-bind whose
 * value has no ':', is an absolute path, and a "--" still follows (so
 * the caller meant more options). Says so and returns true. */
static bool bwrap_form(int argc, char *const argv[], int i, const char *cmd)
{
	if (i < 2 || argv[i][0] != '/')
		return false;
	const char *opt = argv[i - 2], *src = argv[i - 1];
	if ((strcmp(opt, "--bind") != 0 && strcmp(opt, "--ro-bind") != 0) || strchr(src, ':'))
		return false;
	bool later_dashes = false;
	for (int k = i + 1; k < argc; k++)
		later_dashes |= strcmp(argv[k], "--") == 0;
	if (!later_dashes)
		return false;
	log_error("%s: %s %s %s: that is bubblewrap's two-argument form, and %s would be the "
		  "program; husk takes %s %s:%s",
		  cmd, opt, src, argv[i], argv[i], opt, src, argv[i]);
	return true;
}

/* --bundle DIR, wherever it stands among the options: the config is the
 * base, and every other option overrides it. */
static int oci_first(struct husk_policy *p, int argc, char *const argv[], struct run_flags *f)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *dir = NULL;
		if (strcmp(argv[i], "--bundle") == 0 && i + 1 < argc)
			dir = argv[i + 1];
		else if (str_has_prefix(argv[i], "--bundle="))
			dir = argv[i] + 9;
		if (!dir)
			continue;
		if (f->bundle) {
			log_error("%s: --bundle is given twice", argv[0]);
			return -EINVAL;
		}
		f->bundle = dir;
		char err[1024];
		int r = oci_load(p, dir, err, sizeof(err));
		if (r < 0) {
			log_error("%s: --bundle %s: %s", argv[0], dir, err);
			return r;
		}
	}
	return 0;
}

int policy_from_argv(struct husk_policy *p, int argc, char *const argv[], struct run_flags *f)
{
	char err[512];
	const char *cmd = argv[0];
	int i = 1;
	int r0 = oci_first(p, argc, argv, f);
	if (r0 < 0)
		return r0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			options_print_help(stdout, strcmp(cmd, "check") == 0 ? HELP_CHECK : HELP_RUN);
			return 1;
		}
		if (a[0] == '-' && a[1] && a[1] != '-') {
			/* -v, -x: a habit from other tools, never a program. */
			log_error("%s: unknown option %s: husk takes long options only (see husk %s "
				  "--help); a program whose name starts with '-' goes after --",
				  cmd, a, cmd);
			return -EINVAL;
		}
		if (a[0] != '-' || a[1] != '-' || !a[2]) {
			if (bwrap_form(argc, argv, i, cmd))
				return -EINVAL;
			break;
		}
		char name[64];
		const char *val = NULL;
		const char *eq = strchr(a + 2, '=');
		size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (nlen >= sizeof(name)) {
			log_error("%s: unknown option %.40s...: see husk %s --help", cmd, a, cmd);
			return -EINVAL;
		}
		memcpy(name, a + 2, nlen);
		name[nlen] = '\0';
		const struct husk_option *o = options_find(name);
		int fo = front_find(name);
		if (!o && fo < 0) {
			log_error("%s: unknown option --%s: see husk %s --help", cmd, name, cmd);
			return -EINVAL;
		}
		const char *placeholder = o ? o->arg : front_options[fo].arg;
		if (!placeholder) {
			if (eq) {
				log_error("%s: --%s takes no value", cmd, name);
				return -EINVAL;
			}
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			log_error("%s: --%s needs a value: --%s %s", cmd, name, name, placeholder);
			return -EINVAL;
		}
		int r;
		if (!o) {
			if ((r = front_option(name, val, f)) < 0)
				return r;
			continue;
		}
		if (!o->apply) {
			if ((r = apply_profile(p, val, f)) < 0)
				return r;
			f->profile = val;
			continue;
		}
		err[0] = '\0';
		r = o->apply(p, val, err, sizeof(err));
		if (r < 0) {
			log_error("%s: --%s %s: %s", cmd, name, val ? val : "", err[0] ? err : strerror(-r));
			return r;
		}
	}
	/* A program after -- replaces the config's process.args. */
	if (f->bundle && i < argc)
		strv_free(&p->argv);
	for (; i < argc; i++)
		if (strv_push(&p->argv, argv[i]) < 0) {
			log_error("%s: out of memory", cmd);
			return -ENOMEM;
		}
	return 0;
}
