/* limits: resource-abuse helpers run inside husk as the service, each
 * bounded so it cannot harm the host even when no limit stops it.
 *   limits fd-bomb [MAX]     open /dev/null until refused (at most MAX, 100000)
 *   limits mem-bomb [MB]     allocate and touch 1 MiB at a time (at most MB, 1024)
 *   limits fork-bomb [MAX]   fork sleeping children until refused (at most MAX, 1000)
 *   limits cpu-burn SECONDS  spin for SECONDS of wall time, print cpu/wall
 * Each prints one result line and exits 0 unless the kernel kills it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int fd_bomb(long max)
{
	long n = 0;
	int err = 0;
	while (n < max) {
		if (open("/dev/null", O_RDONLY) < 0) {
			err = errno;
			break;
		}
		n++;
	}
	printf("opened %ld errno %s\n", n, err ? strerrorname_np(err) : "none");
	return 0;
}

static int mem_bomb(long max_mb)
{
	long n = 0;
	for (; n < max_mb; n++) {
		char *p = malloc(1 << 20);
		if (!p)
			break;
		memset(p, 1, 1 << 20); /* touch it: untouched pages cost nothing */
	}
	printf("allocated %ld MiB\n", n);
	fflush(stdout);
	return 0;
}

static int fork_bomb(long max)
{
	pid_t kids[1000];
	long n = 0;
	int err = 0;
	if (max > 1000)
		max = 1000;
	while (n < max) {
		pid_t c = fork();
		if (c < 0) {
			err = errno;
			break;
		}
		if (c == 0) {
			pause();
			_exit(0);
		}
		kids[n++] = c;
	}
	printf("forked %ld errno %s\n", n, err ? strerrorname_np(err) : "none");
	fflush(stdout);
	for (long i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	return 0;
}

static double now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cpu_burn(double seconds)
{
	double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	volatile unsigned long x = 0;
	while (now(CLOCK_MONOTONIC) - w0 < seconds)
		for (int i = 0; i < 100000; i++)
			x++;
	double wall = now(CLOCK_MONOTONIC) - w0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("cpu %.3f wall %.3f ratio %.2f\n", cpu, wall, cpu / wall);
	return 0;
}

int main(int argc, char *argv[])
{
	const char *mode = argc >= 2 ? argv[1] : "";
	long arg = argc >= 3 ? atol(argv[2]) : 0;
	if (strcmp(mode, "fd-bomb") == 0)
		return fd_bomb(arg > 0 ? arg : 100000);
	if (strcmp(mode, "mem-bomb") == 0)
		return mem_bomb(arg > 0 && arg <= 1024 ? arg : 1024);
	if (strcmp(mode, "fork-bomb") == 0)
		return fork_bomb(arg > 0 ? arg : 1000);
	if (strcmp(mode, "cpu-burn") == 0)
		return cpu_burn(arg > 0 && arg <= 60 ? (double)arg : 2.0);
	fprintf(stderr, "usage: limits fd-bomb|mem-bomb|fork-bomb|cpu-burn [N]\n");
	return 2;
}
