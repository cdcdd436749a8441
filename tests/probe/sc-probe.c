/* sc-probe: run inside husk as the service. Tries each call the default
 * seccomp profile must refuse and prints one line per probe:
 *   PASS NAME errno-or-signal | FAIL NAME what-happened
 * then "N passed, M failed". Every call uses arguments that would do no
 * harm even if it got through (invalid fds, NULL pointers, no-op flags). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static int passed, failed;

/* want: 0 = EPERM or ENOSYS; otherwise that errno exactly. */
static void expect(const char *name, long r, int err, int want)
{
	bool ok = r == -1 && (want ? err == want : (err == EPERM || err == ENOSYS));
	if (ok) {
		passed++;
		printf("PASS %s %s\n", name, strerrorname_np(err));
	} else {
		failed++;
		if (r == -1)
			printf("FAIL %s errno %s\n", name, strerrorname_np(err));
		else
			printf("FAIL %s returned %ld\n", name, r);
	}
}

#define PROBE(name, call, want)                                                                    \
	do {                                                                                       \
		errno = 0;                                                                         \
		long _r = (long)(call);                                                            \
		expect(name, _r, errno, want);                                                     \
	} while (0)

/* A call that may kill the caller (a bad-arch entry): run it in a child. */
static void probe_in_child(const char *name, long (*fn)(void))
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		long r = fn();
		_exit(r < 0 ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		passed++;
		printf("PASS %s %s\n", name,
		       WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "refused");
	} else {
		failed++;
		printf("FAIL %s got through\n", name);
	}
}

/* Where the filter is off (the ablation runs), the clone succeeds: the
 * child must leave at once, not run the rest of the probe. */
static long clone_newuser(void)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	int e = errno;
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	errno = e;
	return r;
}

#if defined(__x86_64__)
static long x32_getpid(void)
{
	return syscall(0x40000000 | SYS_getpid);
}

static long int80_getpid(void)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory"); /* i386 getpid */
	return r;
}
#endif

int main(void)
{
	char c = 'x';
	PROBE("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER), 0);
	PROBE("setns", setns(-1, 0), 0);
	PROBE("mount", mount("none", "/tmp", "tmpfs", 0, NULL), 0);
	PROBE("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL), 0);
	PROBE("userfaultfd", syscall(SYS_userfaultfd, 0), 0);
	PROBE("bpf", syscall(SYS_bpf, 0, NULL, 0), 0);
	PROBE("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), 0);
	PROBE("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0), 0);
	PROBE("add_key", syscall(SYS_add_key, "user", "husk", "x", 1, KEY_SPEC_PROCESS_KEYRING), 0);
	PROBE("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0), 0);
	PROBE("init_module", syscall(SYS_init_module, NULL, 0, ""), 0);
	PROBE("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, 0), 0);
	PROBE("personality(ADDR_NO_RANDOMIZE)", personality(ADDR_NO_RANDOMIZE), 0);
	PROBE("socket(AF_ALG)", socket(AF_ALG, SOCK_SEQPACKET, 0), 0);
	PROBE("socket(AF_VSOCK)", socket(AF_VSOCK, SOCK_STREAM, 0), 0);
	PROBE("socket(AF_ALG|1<<32)", syscall(SYS_socket, (1ul << 32) | AF_ALG, SOCK_SEQPACKET, 0), 0);
	PROBE("ioctl(TIOCSTI)", ioctl(0, TIOCSTI, &c), 0);
	PROBE("ioctl(TIOCSTI|1<<32)", syscall(SYS_ioctl, 0, (1ul << 32) | TIOCSTI, &c), 0);
	PROBE("clone3", syscall(SYS_clone3, NULL, 0), ENOSYS);
	PROBE("clone(CLONE_NEWUSER)", clone_newuser(), 0);
	PROBE("ptrace", syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, NULL, NULL), 0);
	PROBE("swapon", syscall(SYS_swapon, "/nonexistent", 0), 0);
	PROBE("reboot", syscall(SYS_reboot, 0, 0, 0, NULL), 0);
	PROBE("settimeofday", syscall(SYS_settimeofday, NULL, NULL), 0);
#if defined(__x86_64__)
	probe_in_child("x32 getpid", x32_getpid);
	probe_in_child("int 0x80 getpid", int80_getpid);
#endif
	/* Ordinary calls keep working: the filter is not just "deny all". */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s >= 0 && getpid() > 0 && write(1, "", 0) == 0) {
		passed++;
		printf("PASS ordinary-calls-work ok\n");
		close(s);
	} else {
		failed++;
		printf("FAIL ordinary-calls-work %s\n", strerrorname_np(errno));
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
