/* no-userns PROGRAM [ARG...]: runs PROGRAM under a seccomp filter that
 * refuses new namespaces as Docker's default profile does (clone and
 * unshare with a namespace flag: EPERM; clone3: ENOSYS, so that callers
 * fall back to clone), to show what husk says inside such a container.
 * no-userns --mounts PROGRAM [ARG...]: allows the namespaces but refuses
 * the mount calls (EPERM), as a profile may that lets a container unshare:
 * the clone works and the sandbox fails after it.
 * Built with libseccomp, static, by tests/integration/run.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Refuses what deny_mounts or deny_namespaces added, loads the filter and
 * runs argv. */
static int load_and_exec(scmp_filter_ctx ctx, int r, char **argv)
{
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "no-userns: seccomp: %s\n", strerror(-r));
		return 1;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "no-userns: exec %s: %s\n", argv[0], strerror(errno));
	return 127;
}

static int deny_mounts(scmp_filter_ctx ctx)
{
	const int calls[] = { SCMP_SYS(mount),	   SCMP_SYS(fsopen),	 SCMP_SYS(fsmount),
			      SCMP_SYS(open_tree), SCMP_SYS(move_mount), SCMP_SYS(mount_setattr),
			      SCMP_SYS(pivot_root) };
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof(calls) / sizeof(calls[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), calls[i], 0);
	return r;
}

static int deny_namespaces(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0);
	/* One rule per flag: each matches a clone that asks for it. */
	const unsigned long each[] = { CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
				       CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP };
	for (size_t i = 0; r == 0 && i < sizeof(each) / sizeof(each[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, each[i], each[i]));
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "--mounts") == 0 && argc < 3)) {
		fprintf(stderr, "usage: no-userns [--mounts] PROGRAM [ARG...]\n");
		return 2;
	}
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 1;
	if (strcmp(argv[1], "--mounts") == 0)
		return load_and_exec(ctx, deny_mounts(ctx), argv + 2);
	return load_and_exec(ctx, deny_namespaces(ctx), argv + 1);
}
