#include "cmd/completion.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "front/option_table.h"

/* The words of a placeholder like "none|host" that are literal choices
 * (lowercase), or false for a free value ("DIR"; "CAP|ALL" is upper case).
 * A choice that goes on with a value ("ns:PATH") offers its literal part. */
static bool choices(const char *arg, char *out, size_t len)
{
	if (!arg || !strchr(arg, '|'))
		return false;
	size_t n = 0;
	bool in_value = false, word = false;
	for (const char *c = arg; *c && n + 1 < len; c++) {
		if (*c == '|') {
			if (!word)
				return false;
			out[n++] = ' ';
			in_value = word = false;
		} else if (isupper((unsigned char)*c) || *c == '[') {
			in_value = true; /* "ns:PATH", "veth[:OPTIONS]" */
		} else if (!in_value) {
			out[n++] = *c;
			word = true;
		}
	}
	out[n] = '\0';
	return word;
}

/* Which values are host paths: directories, or any file. */
static const char *path_kind(const struct husk_option *o)
{
	if (o->path == OPT_PATH_WHOLE)
		return "dir";
	if (o->path == OPT_PATH_SOURCE || o->path == OPT_PATH_IF_FILE ||
	    strcmp(o->name, "profile") == 0)
		return "file";
	return NULL;
}

static void bash_options(FILE *out, enum help_scope scope)
{
	for (const struct husk_option *o = husk_run_options; o->name; o++)
		fprintf(out, " --%s", o->name);
	for (size_t i = 0; front_options[i].name; i++)
		if (front_options[i].scope == scope)
			fprintf(out, " --%s", front_options[i].name);
	fprintf(out, " --help");
}

void completion_bash(FILE *out)
{
	fprintf(out, "# bash completion for husk; written by husk completion bash from its option\n"
		     "# table.\n"
		     "_husk() {\n"
		     "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		     "\tlocal cmd=${COMP_WORDS[1]} i\n"
		     "\tCOMPREPLY=()\n"
		     "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
		     "\t\tCOMPREPLY=($(compgen -W 'run check seccomp completion --help --version' "
		     "-- \"$cur\"))\n"
		     "\t\treturn\n"
		     "\tfi\n"
		     "\tcase $cmd in\n"
		     "\tseccomp)\n"
		     "\t\t[ \"$COMP_CWORD\" -eq 2 ] && COMPREPLY=($(compgen -W 'show compile "
		     "precompile' -- \"$cur\")) || COMPREPLY=($(compgen -f -- \"$cur\"))\n"
		     "\t\treturn ;;\n"
		     "\tcompletion)\n"
		     "\t\tCOMPREPLY=($(compgen -W 'bash zsh' -- \"$cur\"))\n"
		     "\t\treturn ;;\n"
		     "\trun|check) ;;\n"
		     "\t*) return ;;\n"
		     "\tesac\n"
		     "\t# After -- (or the program) come the program and its arguments.\n"
		     "\tfor ((i = 2; i < COMP_CWORD; i++)); do\n"
		     "\t\tif [ \"${COMP_WORDS[i]}\" = -- ]; then\n"
		     "\t\t\tCOMPREPLY=($(compgen -c -f -- \"$cur\"))\n"
		     "\t\t\treturn\n"
		     "\t\tfi\n"
		     "\tdone\n"
		     "\tcase $prev in\n");
	for (const struct husk_option *o = husk_run_options; o->name; o++) {
		if (!o->arg)
			continue;
		char words[128];
		const char *kind = path_kind(o);
		if (choices(o->arg, words, sizeof(words)))
			fprintf(out, "\t--%s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n",
				o->name, words);
		else if (kind && strcmp(kind, "dir") == 0)
			fprintf(out, "\t--%s) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n", o->name);
		else if (kind)
			fprintf(out, "\t--%s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", o->name);
		else
			fprintf(out, "\t--%s) return ;;\n", o->name);
	}
	for (size_t i = 0; front_options[i].name; i++)
		if (front_options[i].arg)
			fprintf(out, "\t--%s) return ;;\n", front_options[i].name);
	fprintf(out, "\tesac\n"
		     "\tif [ \"$cmd\" = check ]; then\n"
		     "\t\tCOMPREPLY=($(compgen -W '");
	bash_options(out, HELP_CHECK);
	fprintf(out, "' -- \"$cur\"))\n"
		     "\telse\n"
		     "\t\tCOMPREPLY=($(compgen -W '");
	bash_options(out, HELP_RUN);
	fprintf(out, "' -- \"$cur\"))\n"
		     "\tfi\n"
		     "}\n"
		     "complete -F _husk husk\n");
}

/* zsh's _arguments descriptions cannot hold brackets or colons. */
static void zsh_text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '[' || *s == ']' || *s == ':' || *s == '\'' ? ' ' : *s, out);
}

static void zsh_spec(FILE *out, const char *name, const char *arg, const char *help,
		     bool repeatable, const char *kind)
{
	fprintf(out, "\t\t'%s--%s[", repeatable ? "*" : "", name);
	zsh_text(out, help);
	fputc(']', out);
	if (arg) {
		char words[128];
		fputc(':', out);
		zsh_text(out, arg);
		if (choices(arg, words, sizeof(words)))
			fprintf(out, ":(%s)", words);
		else if (kind && strcmp(kind, "dir") == 0)
			fprintf(out, ":_files -/");
		else if (kind)
			fprintf(out, ":_files");
		else
			fprintf(out, ": ");
	}
	fprintf(out, "' \\\n");
}

void completion_zsh(FILE *out)
{
	fprintf(out, "#compdef husk\n"
		     "# zsh completion for husk; written by husk completion zsh from its option\n"
		     "# table.\n"
		     "_husk() {\n"
		     "\tif (( CURRENT == 2 )); then\n"
		     "\t\t_values command run check seccomp completion --help --version\n"
		     "\t\treturn\n"
		     "\tfi\n"
		     "\tcase $words[2] in\n"
		     "\tseccomp) (( CURRENT == 3 )) && _values verb show compile precompile || _files ;;\n"
		     "\tcompletion) _values shell bash zsh ;;\n");
	for (int sc = HELP_RUN; sc <= HELP_CHECK; sc++) {
		fprintf(out, "\t%s)\n\t\tshift words; (( CURRENT-- ))\n\t\t_arguments -S \\\n",
			sc == HELP_RUN ? "run" : "check");
		for (const struct husk_option *o = husk_run_options; o->name; o++)
			zsh_spec(out, o->name, o->arg, o->help, o->repeatable, path_kind(o));
		for (size_t i = 0; front_options[i].name; i++)
			if (front_options[i].scope == (enum help_scope)sc)
				zsh_spec(out, front_options[i].name, front_options[i].arg,
					 front_options[i].help, false, NULL);
		fprintf(out, "\t\t'--help[show the help]' \\\n"
			     "\t\t'*::program:_normal' ;;\n");
	}
	fprintf(out, "\tesac\n"
		     "}\n"
		     "_husk \"$@\"\n");
}
