/* sysbench: nanoseconds per system call, for bench/run's seccomp rows. Run
 * inside husk under each profile; a static binary so it needs nothing from
 * the rootfs.
 *   getppid          a cheap call every profile allows unconditionally
 *   ioctl(FIONREAD)  a call the default profile filters on its arguments
 *   socket+close     an AF_INET socket made and closed (argument-filtered) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	uint64_t t0 = now();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	uint64_t t1 = now();
	int v;
	for (long i = 0; i < n; i++)
		syscall(SYS_ioctl, -1, FIONREAD, &v);
	uint64_t t2 = now();
	long m = n / 10;
	int denied = 0;
	for (long i = 0; i < m && !denied; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			denied = 1; /* a profile without sockets (strict) */
		else
			close(fd);
	}
	uint64_t t3 = now();
	printf("%.1f %.1f ", (double)(t1 - t0) / n, (double)(t2 - t1) / n);
	if (denied)
		printf("denied\n");
	else
		printf("%.1f\n", (double)(t3 - t2) / m);
	return 0;
}
