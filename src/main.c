/* husk: a setuid-free, hardened launcher for services. */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "policy.h"
#include "sandbox.h"

extern char **environ;

static int cmd_run(int argc, char *argv[])
{
	__attribute__((cleanup(policy_free))) struct husk_policy p;
	policy_init(&p);
	int r = policy_from_argv(&p, argc, argv);
	if (r == 1)
		return 0;
	if (r < 0)
		return HUSK_EXIT_LAUNCH;
	char err[512];
	struct caller c = { .uid = getuid(), .gid = getgid(), .environ = environ };
	if (policy_finalize(&p, &c, err, sizeof(err)) < 0) {
		log_error("run: %s", err);
		return HUSK_EXIT_LAUNCH;
	}
	return sandbox_run(&p);
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		options_print_help("husk");
		return HUSK_EXIT_LAUNCH;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("husk %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		options_print_help("husk");
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	log_error("unknown command '%s': use husk run [OPTIONS] -- PROGRAM, or husk --help", argv[1]);
	return HUSK_EXIT_LAUNCH;
}
