/* husk seccomp SUBCOMMAND: profiles as files (show, compile, precompile),
 * syscall names and numbers (resolve), other ecosystems' format (export).
 * husk seccomp learn is a run, in main.c. */
#pragma once

#include "base/search.h"

int cmd_seccomp(int argc, char *argv[], const struct search_path *profiles);
