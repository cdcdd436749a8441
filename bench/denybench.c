/* denybench: nanoseconds per system call inside husk, for
 * bench/seccomp-denials:
 *   getppid   allowed by every profile: what every allowed call pays
 *   acct      refused by the default profile with EPERM: answered by the
 *             kernel (--seccomp-quiet) or by husk's monitor (the default)
 * Prints "ALLOWED_NS DENIED_NS". Static, so it needs nothing from a root. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	long m = argc > 2 ? atol(argv[2]) : 20000;
	uint64_t t0 = now();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	uint64_t t1 = now();
	for (long i = 0; i < m; i++)
		if (syscall(SYS_acct, NULL) == 0)
			return 2; /* not refused: the measurement means nothing */
	uint64_t t2 = now();
	printf("%.1f %.1f\n", (double)(t1 - t0) / n, (double)(t2 - t1) / m);
	return 0;
}
