/* Shell completion scripts for bash and zsh, written from the option
 * table (options.h), so a new option completes without anyone editing a
 * script. Installed by make install; husk completion SHELL prints them. */
#pragma once

#include <stdio.h>

void completion_bash(FILE *out);
void completion_zsh(FILE *out);
