/* Profile files: parsing, includes, relative paths, overrides, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "front/options.h"
#include "policy/policy.h"
#include "front/profile.h"

static char dir[PATH_MAX];

static void put_file(const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* Its directory first, for names like "site/x.profile". */
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *path_of(const char *name)
{
	static char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int apply(struct husk_policy *p, const char *name, char *err, size_t len)
{
	err[0] = '\0';
	return profile_apply_file(p, path_of(name), NULL, err, len);
}

static void test_options_comments_and_flags(void **state)
{
	put_file("a.profile", "# a comment\n"
			      "\n"
			      "   hostname   web   # trailing comment\n"
			      "cap-add NET_BIND_SERVICE\n"
			      "cap-add\tCAP_CHOWN\n"
			      "env URL=http://h/#frag\n"
			      "no-go-env\n"
			      "user 1000:1000\r\n"
			      "memory 512m\n"
			      "rlimit nofile=100:200\n");
	struct husk_policy p;
	char err[512];
	policy_init(&p);
	assert_int_equal(apply(&p, "a.profile", err, sizeof(err)), 0);
	assert_string_equal(p.hostname, "web");
	assert_true(p.cap_add == ((1ull << CAP_NET_BIND_SERVICE) | (1ull << CAP_CHOWN)));
	assert_int_equal(p.env_set.n, 1);
	assert_string_equal(p.env_set.v[0], "URL=http://h/#frag");
	assert_true(p.no_go_env);
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.cgroup.memory_max, 512ull << 20);
	assert_int_equal(p.rlimits[RLIMIT_NOFILE].hard, 200);
	policy_free(&p);
}

static void test_relative_paths_from_the_profile_dir(void **state)
{
	char sub[PATH_MAX + 16];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0755);
	mkdir(path_of("sub/root"), 0755);
	mkdir(path_of("sub/data"), 0755);
	put_file("sub/rel.profile", "rootfs root\n"
				    "ro-bind data:/data\n"
				    "bind /tmp:/scratch\n"
				    "seccomp ./my.policy\n");
	put_file("top.profile", "include sub/rel.profile\nseccomp default\n");
	struct husk_policy p;
	char err[512], want[PATH_MAX + 64];
	policy_init(&p);
	/* From another working directory: the profile's own dir counts. */
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(apply(&p, "sub/rel.profile", err, sizeof(err)), 0);
	assert_int_equal(chdir(cwd), 0);
	char real[PATH_MAX];
	assert_non_null(realpath(dir, real));
	snprintf(want, sizeof(want), "%s/sub/root", real);
	assert_string_equal(p.rootfs, want);
	assert_int_equal(p.n_mounts, 2);
	snprintf(want, sizeof(want), "%s/sub/data", real);
	assert_string_equal(p.mounts[0].src, want);
	assert_string_equal(p.mounts[0].dst, "/data");
	assert_string_equal(p.mounts[1].src, "/tmp");
	snprintf(want, sizeof(want), "%s/sub/my.policy", real);
	assert_string_equal(p.seccomp_name, want);
	/* A seccomp name (no '/') stays a name. */
	assert_int_equal(apply(&p, "top.profile", err, sizeof(err)), 0);
	assert_string_equal(p.seccomp_name, "default");
	policy_free(&p);
}

static void expect_error(const char *name, const char *text, int want_r, const char *want_err)
{
	put_file(name, text);
	struct husk_policy p;
	char err[1024], want[PATH_MAX + 256];
	policy_init(&p);
	int r = apply(&p, name, err, sizeof(err));
	if (r != want_r)
		fail_msg("%s: returned %d, expected %d (%s)", name, r, want_r, err);
	char real[PATH_MAX];
	assert_non_null(realpath(dir, real));
	/* want_err is "%s/FILE:LINE: ..." with %s standing for the dir. */
	assert_true(strncmp(want_err, "%s", 2) == 0);
	snprintf(want, sizeof(want), "%s%s", real, want_err + 2);
	if (!strstr(err, want))
		fail_msg("%s: error '%s' lacks '%s'", name, err, want);
	assert_null(strchr(err, '\n'));
	policy_free(&p);
}

static void test_errors_name_file_and_line(void **state)
{
	expect_error("unknown.profile", "net none\n# x\nfrobnicate yes\n", -EINVAL,
		     "%s/unknown.profile:3: unknown key 'frobnicate'");
	expect_error("badvalue.profile", "memory 1k\n", -EINVAL,
		     "%s/badvalue.profile:1: memory 1k: expected a size of at least 4m");
	expect_error("flagval.profile", "\nseccomp-log on\n", -EINVAL,
		     "%s/flagval.profile:2: seccomp-log takes no value");
	expect_error("noval.profile", "rootfs\n", -EINVAL,
		     "%s/noval.profile:1: rootfs needs a value: rootfs DIR");
	expect_error("nested.profile", "profile go-service\n", -EINVAL,
		     "%s/nested.profile:1: unknown key 'profile' (use include FILE)");
	expect_error("noinc.profile", "include\n", -EINVAL,
		     "%s/noinc.profile:1: include needs a file name");
	expect_error("missing.profile", "net none\ninclude gone.profile\n", -ENOENT,
		     "%s/missing.profile:2: include gone.profile:");
	/* An error inside an included file names that file and its line. */
	put_file("inner.profile", "net none\nnet sideways\n");
	expect_error("outer.profile", "include inner.profile\n", -EINVAL,
		     "%s/inner.profile:2: net sideways: expected none or host");
}

/* Issue 22, misreading 3: include opened any file type: /dev/zero grew
 * a line until memory ran out (and under a memory rlimit the failure
 * read as an empty file), a FIFO held husk forever. Now only a regular
 * file of at most 1 MiB is read, whole, and a read error is an error. */
static void test_include_only_regular_files(void **state)
{
	(void)state;
	expect_error("zero.profile", "include /dev/zero\n", -EINVAL,
		     "%s/zero.profile:1: include /dev/zero: /dev/zero: not a regular file of at most 1 MiB");
	char fifo[PATH_MAX + 64];
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_error("fifo.profile", "include fifo\n", -EINVAL,
		     "%s/fifo: not a regular file of at most 1 MiB");
	unlink(fifo);
	expect_error("dirinc.profile", "include /\n", -EINVAL,
		     "%s/dirinc.profile:1: include /: /: not a regular file of at most 1 MiB");
	/* Past the cap, by one byte. */
	char *big = calloc(1, (1 << 20) + 2);
	assert_non_null(big);
	memset(big, '#', (1 << 20) + 1);
	put_file("big.profile", big);
	free(big);
	expect_error("bigger.profile", "include big.profile\n", -EINVAL,
		     "%s/big.profile: not a regular file of at most 1 MiB");
}

static void test_include_loops(void **state)
{
	expect_error("self.profile", "include self.profile\n", -ELOOP,
		     "%s/self.profile:1: include self.profile: include loop");
	put_file("loop-b.profile", "hostname b\ninclude ./loop-a.profile\n");
	expect_error("loop-a.profile", "include loop-b.profile\n", -ELOOP,
		     "%s/loop-b.profile:2: include ./loop-a.profile: include loop");
	/* The same file twice, not nested, is fine. */
	put_file("leaf.profile", "cap-add CHOWN\n");
	put_file("twice.profile", "include leaf.profile\ninclude leaf.profile\n");
	struct husk_policy p;
	char err[512];
	policy_init(&p);
	assert_int_equal(apply(&p, "twice.profile", err, sizeof(err)), 0);
	policy_free(&p);
	/* Deep but finite nesting stops at PROFILE_MAX_DEPTH. */
	for (int i = 0; i < PROFILE_MAX_DEPTH + 2; i++) {
		char name[32], text[64];
		snprintf(name, sizeof(name), "deep%d.profile", i);
		snprintf(text, sizeof(text), "include deep%d.profile\n", i + 1);
		put_file(name, text);
	}
	put_file("deep18.profile", "net none\n");
	policy_init(&p);
	assert_int_equal(apply(&p, "deep0.profile", err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "nested deeper than 16"));
	policy_free(&p);
}

static void test_resolve(void **state)
{
	char path[PATH_MAX], err[1024];
	struct search_path sp;
	/* The first directory that has it wins: the site's shadows the shipped. */
	put_file("site/go-service.profile", "net none\n");
	char site[PATH_MAX + 16];
	snprintf(site, sizeof(site), "%s/site", dir);
	search_path_init(&sp, NULL, site, dir, NULL);
	put_file("go-service.profile", "net none\n");
	assert_int_equal(profile_resolve("go-service", &sp, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, path_of("site/go-service.profile"));
	/* A name with its suffix is a name too, when no such file is here. */
	assert_int_equal(profile_resolve("go-service.profile", &sp, path, sizeof(path), err,
					 sizeof(err)),
			 0);
	assert_string_equal(path, path_of("site/go-service.profile"));
	assert_int_equal(profile_resolve("./x.profile", &sp, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, "./x.profile");
	assert_true(profile_resolve("", &sp, path, sizeof(path), err, sizeof(err)) < 0);
	/* Not found: the error lists where husk looked. */
	assert_int_equal(profile_resolve("nope", &sp, path, sizeof(path), err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no nope.profile in the profile path"));
	assert_non_null(strstr(err, "(site)"));
	assert_non_null(strstr(err, "(shipped)"));
	search_path_free(&sp);
}

static void test_search_path(void **state)
{
	struct search_path sp;
	char buf[1024], path[PATH_MAX];
	/* HUSK_PROFILE_DIR's entries in front, empty ones skipped. */
	search_path_init(&sp, "/a::/b:", "/etc/husk", "/usr/share/husk/profiles", "/usr/lib/husk/profiles");
	assert_int_equal(sp.n, 4);
	assert_string_equal(sp.d[0].dir, "/a");
	assert_string_equal(sp.d[1].dir, "/b");
	assert_string_equal(sp.d[1].bpf_dir, "/b");
	assert_string_equal(sp.d[3].bpf_dir, "/usr/lib/husk/profiles");
	search_path_describe(&sp, buf, sizeof(buf));
	assert_string_equal(buf, "/a (HUSK_PROFILE_DIR), /b (HUSK_PROFILE_DIR), /etc/husk (site), "
				 "/usr/share/husk/profiles (shipped)");
	assert_int_equal(search_find(&sp, "no-such.profile", path, sizeof(path)), -ENOENT);
	search_path_free(&sp);
	/* An empty HUSK_PROFILE_DIR is no entry: the shipped ones remain. */
	search_path_init(&sp, "", NULL, "/s", NULL);
	assert_int_equal(sp.n, 1);
	search_path_free(&sp);
}

/* app.profile in the current directory is that file, not app.profile.profile. */
static void test_resolve_cwd_file(void **state)
{
	char path[PATH_MAX], err[1024], old[PATH_MAX];
	struct search_path sp;
	search_path_init(&sp, "/nonexistent", NULL, NULL, NULL);
	assert_non_null(getcwd(old, sizeof(old)));
	put_file("app.profile", "net none\n");
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(profile_resolve("app.profile", &sp, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, "app.profile");
	assert_int_equal(chdir(old), 0);
	search_path_free(&sp);
}

/* include NAME: a file beside first, else a profile in the search path. */
static void test_include_by_name(void **state)
{
	put_file("shipped/base.profile", "hostname shipped\n");
	put_file("shipped/go-service.profile", "include base.profile\nnet none\n");
	put_file("mine/app.profile", "include go-service\nhostname mine\n");
	char shipped[PATH_MAX + 16], err[1024];
	snprintf(shipped, sizeof(shipped), "%s/shipped", dir);
	struct search_path sp;
	search_path_init(&sp, "/nonexistent-empty", NULL, shipped, NULL);
	struct husk_policy p;
	policy_init(&p);
	assert_int_equal(profile_apply_file(&p, path_of("mine/app.profile"), &sp, err, sizeof(err)), 0);
	assert_string_equal(p.hostname, "mine");
	policy_free(&p);
	/* Without the search path, the same include is a missing file. */
	policy_init(&p);
	assert_true(profile_apply_file(&p, path_of("mine/app.profile"), NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "include go-service"));
	policy_free(&p);
	search_path_free(&sp);
}

/* --profile applies where it stands among the flags. */
static void test_order_with_flags(void **state)
{
	put_file("h.profile", "hostname fromprofile\ntmpfs /data:size=8m\nbind /tmp:/data/cache\n");
	char ref[PATH_MAX + 64];
	snprintf(ref, sizeof(ref), "%s", path_of("h.profile"));
	struct search_path sp;
	search_path_init(&sp, dir, NULL, NULL, NULL);
	struct run_flags f = { .profiles = &sp };
	struct husk_policy p;

	policy_init(&p);
	char *a1[] = { "run", "--hostname", "early", "--profile", ref, "/app", NULL };
	assert_int_equal(policy_from_argv(&p, 6, a1, &f), 0);
	assert_string_equal(p.hostname, "fromprofile");
	policy_free(&p);

	policy_init(&p);
	char *a2[] = { "run", "--profile", ref, "--hostname", "late", "--tmpfs", "/data:size=1m", "/app", NULL };
	assert_int_equal(policy_from_argv(&p, 8, a2, &f), 0);
	assert_string_equal(p.hostname, "late");
	/* The later tmpfs replaced the profile's in place, before the bind
	 * below it. */
	assert_int_equal(p.n_mounts, 2);
	assert_string_equal(p.mounts[0].dst, "/data");
	assert_int_equal(p.mounts[0].size, 1ull << 20);
	assert_string_equal(p.mounts[1].dst, "/data/cache");
	policy_free(&p);
	search_path_free(&sp);
}

/* Mounts end up parents first, whatever order they were given in. */
static void test_finalize_sorts_mounts_by_depth(void **state)
{
	struct search_path sp;
	search_path_init(&sp, dir, NULL, NULL, NULL);
	struct run_flags f = { .profiles = &sp };
	struct husk_policy p;
	char err[512];
	char *a[] = { "run", "--bind", "/tmp:/data/cache/x", "--tmpfs", "/data", "--tmpfs", "/data/cache",
		      "--seccomp", "unconfined", "/app", NULL };
	static char *const env[] = { NULL };
	struct caller c = { .uid = 1000, .gid = 1000, .environ = env };
	policy_init(&p);
	assert_int_equal(policy_from_argv(&p, 10, a, &f), 0);
	assert_int_equal(policy_finalize(&p, &c, err, sizeof(err)), 0);
	assert_int_equal(p.n_mounts, 6);
	assert_string_equal(p.mounts[3].dst, "/data");
	assert_string_equal(p.mounts[4].dst, "/data/cache");
	assert_string_equal(p.mounts[5].dst, "/data/cache/x");
	policy_free(&p);
	search_path_free(&sp);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "%s/husk-profile-test.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_comments_and_flags),
		cmocka_unit_test(test_relative_paths_from_the_profile_dir),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_include_only_regular_files),
		cmocka_unit_test(test_include_loops),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_cwd_file),
		cmocka_unit_test(test_search_path),
		cmocka_unit_test(test_include_by_name),
		cmocka_unit_test(test_order_with_flags),
		cmocka_unit_test(test_finalize_sorts_mounts_by_depth),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		r = 1;
	return r;
}
