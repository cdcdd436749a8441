/* limits: resource-abuse helpers run inside husk as the service, each
 * bounded so it cannot harm the host even when no limit stops it.
 *   limits fd-bomb [MAX]   open /dev/null until refused (at most MAX, 100000)
 * Prints "opened N errno NAME" and exits 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char *argv[])
{
	if (argc >= 2 && strcmp(argv[1], "fd-bomb") == 0)
		return fd_bomb(argc >= 3 ? atol(argv[2]) : 100000);
	fprintf(stderr, "usage: limits fd-bomb [MAX]\n");
	return 2;
}
