#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"
#include "launch/view.h"

/* A fake rootfs: /etc/passwd, /bin/sh -> busybox, /abs -> /../../etc (an
 * absolute link that tries to climb out), /loop -> /loop, /tmp, /file. */
static char root[64], src[PATH_MAX];

static void put(const char *rel, const char *what)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!what)
		assert_int_equal(mkdir(path, 0755), 0);
	else if (what[0] == '>')
		assert_int_equal(symlink(what + 1, path), 0);
	else {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(what, f);
		fclose(f);
	}
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/husk-view.XXXXXX");
	assert_non_null(mkdtemp(root));
	put("etc", NULL);
	put("etc/passwd", "root");
	put("bin", NULL);
	put("bin/busybox", "elf");
	put("bin/sh", ">busybox");
	put("abs", ">/../../etc");
	put("loop", ">/loop");
	put("tmp", NULL);
	put("file", "x");
	put("proc", NULL);
	put("dev", NULL);
	put("src", NULL);
	put("src/keep", "k");
	snprintf(src, sizeof(src), "%s/src", root);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void add(struct husk_policy *p, enum mount_kind kind, const char *s, const char *dst,
		bool ro)
{
	struct mount_entry m = { .kind = kind, .src = (char *)s, .dst = (char *)dst, .readonly = ro };
	assert_int_equal(policy_add_mount(p, &m), 0);
}

/* Plans p over the fake root; the bind sources opened O_PATH. */
static int plan(struct husk_policy *p, struct view *v, int fds[], char *err, size_t errlen)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0);
	for (size_t i = 0; i < p->n_mounts; i++)
		fds[i] = p->mounts[i].src ? open(p->mounts[i].src, O_PATH | O_CLOEXEC) : -1;
	view_init(v, p, rootfd, fds);
	return view_plan(v, err, errlen);
}

static void done(struct husk_policy *p, struct view *v, int fds[])
{
	close(v->rootfd);
	for (size_t i = 0; i < p->n_mounts; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	view_free(v);
	policy_free(p);
}

static void test_resolve(void **state)
{
	struct husk_policy p;
	struct view v;
	int fds[8];
	char err[512], out[PATH_MAX];
	policy_init(&p);
	assert_int_equal(plan(&p, &v, fds, err, sizeof(err)), 0);
	assert_int_equal(view_resolve(&v, "/etc/passwd", out, sizeof(out), NULL), VIEW_FILE);
	assert_string_equal(out, "/etc/passwd");
	assert_int_equal(view_resolve(&v, "/bin/sh", out, sizeof(out), NULL), VIEW_FILE);
	assert_string_equal(out, "/bin/busybox");
	/* Clamped at the sandbox's root, as RESOLVE_IN_ROOT. */
	assert_int_equal(view_resolve(&v, "/abs/passwd", out, sizeof(out), NULL), VIEW_FILE);
	assert_string_equal(out, "/etc/passwd");
	assert_int_equal(view_resolve(&v, "/../../etc", out, sizeof(out), NULL), VIEW_DIR);
	assert_string_equal(out, "/etc");
	assert_int_equal(view_resolve(&v, "/", out, sizeof(out), NULL), VIEW_DIR);
	assert_string_equal(out, "/");
	assert_int_equal(view_resolve(&v, "/loop", out, sizeof(out), NULL), -ELOOP);
	assert_int_equal(view_resolve(&v, "/file/x", out, sizeof(out), NULL), -ENOTDIR);
	assert_int_equal(view_resolve(&v, "/abs/app/x", out, sizeof(out), NULL), VIEW_MISSING);
	assert_string_equal(out, "/etc/app/x");
	done(&p, &v, fds);
}

static void test_plan_mirrors(void **state)
{
	struct husk_policy p;
	struct view v;
	int fds[8];
	char err[512], out[PATH_MAX];
	policy_init(&p);
	add(&p, MOUNT_PROC, NULL, "/proc", false);
	add(&p, MOUNT_TMPFS, NULL, "/tmp", false);
	add(&p, MOUNT_TMPFS, NULL, "/data", false);	     /* / lacks it: mirror / */
	add(&p, MOUNT_BIND, src, "/etc/app", true);	     /* mirror /etc */
	add(&p, MOUNT_BIND, src, "/tmp/deep/x", true);	     /* on husk's tmpfs: none */
	add(&p, MOUNT_BIND, src, "/etc/app/sub/y", true);    /* below a ro-bind: mirror it */
	assert_int_equal(plan(&p, &v, fds, err, sizeof(err)), 0);
	assert_int_equal(v.n_mirror, 3);
	assert_string_equal(v.mirror[0], "/");
	assert_int_equal(v.mirror_after[0], -1);
	assert_string_equal(v.mirror[1], "/etc");
	assert_int_equal(v.mirror_after[1], -1);
	/* Made once the ro-bind at /etc/app (mount 3) is in place. */
	assert_string_equal(v.mirror[2], "/etc/app");
	assert_int_equal(v.mirror_after[2], 3);
	/* What the planned mounts show. */
	assert_int_equal(view_resolve(&v, "/etc/app/keep", out, sizeof(out), NULL), VIEW_FILE);
	assert_int_equal(view_resolve(&v, "/tmp/deep", out, sizeof(out), NULL), VIEW_DIR);
	assert_int_equal(view_resolve(&v, "/tmp/other", out, sizeof(out), NULL), VIEW_MISSING);
	assert_int_equal(view_resolve(&v, "/proc/self/exe", out, sizeof(out), NULL), VIEW_SPECIAL);
	done(&p, &v, fds);

	/* Through a symlink, the mirror is the directory it names. */
	policy_init(&p);
	add(&p, MOUNT_TMPFS, NULL, "/abs/cache", false);
	assert_int_equal(plan(&p, &v, fds, err, sizeof(err)), 0);
	assert_int_equal(v.n_mirror, 1);
	assert_string_equal(v.mirror[0], "/etc");
	assert_string_equal(view_dst(&v, 0), "/etc/cache");
	done(&p, &v, fds);
}

static void test_plan_refused(void **state)
{
	struct husk_policy p;
	struct view v;
	int fds[8];
	char err[512];

	policy_init(&p);
	add(&p, MOUNT_TMPFS, NULL, "/etc/passwd", false);
	assert_int_equal(plan(&p, &v, fds, err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "tmpfs on /etc/passwd: /etc/passwd is a file"));
	done(&p, &v, fds);

	policy_init(&p);
	add(&p, MOUNT_BIND, src, "/file", true);
	assert_int_equal(plan(&p, &v, fds, err, sizeof(err)), -ENOTDIR);
	done(&p, &v, fds);

	policy_init(&p);
	add(&p, MOUNT_PROC, NULL, "/proc", false);
	add(&p, MOUNT_TMPFS, NULL, "/proc/x", false);
	assert_int_equal(plan(&p, &v, fds, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/proc or /dev"));
	done(&p, &v, fds);

	policy_init(&p);
	add(&p, MOUNT_TMPFS, NULL, "/loop", false);
	assert_int_equal(plan(&p, &v, fds, err, sizeof(err)), -ELOOP);
	done(&p, &v, fds);

	/* /dev through a symlink is refused, as runc CVE-2019-19921. */
	policy_init(&p);
	add(&p, MOUNT_DEV, NULL, "/abs", false);
	assert_int_equal(plan(&p, &v, fds, err, sizeof(err)), -ELOOP);
	done(&p, &v, fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_plan_mirrors),
		cmocka_unit_test(test_plan_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
