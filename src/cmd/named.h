/* The commands of named sandboxes (husk run --name NAME): husk ps,
 * status, stop, kill, health and exec. argv[0] is the command's name. */
#pragma once

int cmd_named(int argc, char *argv[]);
