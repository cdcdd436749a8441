/* launch: times launch-to-exit of a command, for bench/run.
 *
 *   launch seq N WARMUP -- CMD...   N runs one after another: prints
 *                                   "median_ns p90_ns mean_ns total_ns"
 *   launch par N -- CMD...          N runs started at once: prints the wall
 *                                   time until the last one exited, in ns
 *
 * fork+execve of CMD from C, stdout to /dev/null, so the figures hold no
 * shell or date(1) start-up. A run that exits non-zero fails the whole
 * measurement: a tool that did not run must not look fast. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pid_t start(char **cmd)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	return pid;
}

static int reap(pid_t pid, char **cmd)
{
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "launch: %s failed (status %#x)\n", cmd[0], st);
		return -1;
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 5)
		goto usage;
	int n = atoi(argv[2]);
	if (n < 1)
		goto usage;
	if (strcmp(argv[1], "seq") == 0 && argc >= 6 && strcmp(argv[4], "--") == 0) {
		int warm = atoi(argv[3]);
		char **cmd = argv + 5;
		for (int i = 0; i < warm; i++)
			if (reap(start(cmd), cmd) < 0)
				return 1;
		uint64_t *t = calloc((size_t)n, sizeof(*t)), total = 0;
		for (int i = 0; i < n; i++) {
			uint64_t t0 = now();
			if (reap(start(cmd), cmd) < 0)
				return 1;
			t[i] = now() - t0;
			total += t[i];
		}
		qsort(t, (size_t)n, sizeof(*t), cmp);
		printf("%llu %llu %llu %llu\n", (unsigned long long)t[(n - 1) / 2],
		       (unsigned long long)t[(n * 9 + 9) / 10 - 1], (unsigned long long)(total / (uint64_t)n),
		       (unsigned long long)total);
		return 0;
	}
	if (strcmp(argv[1], "par") == 0 && strcmp(argv[3], "--") == 0) {
		char **cmd = argv + 4;
		pid_t *pids = calloc((size_t)n, sizeof(*pids));
		uint64_t t0 = now();
		for (int i = 0; i < n; i++)
			pids[i] = start(cmd);
		int bad = 0;
		for (int i = 0; i < n; i++)
			bad |= reap(pids[i], cmd) < 0;
		printf("%llu\n", (unsigned long long)(now() - t0));
		return bad;
	}
usage:
	fprintf(stderr, "usage: launch seq N WARMUP -- CMD... | launch par N -- CMD...\n");
	return 2;
}
