#include "seccomp/seccomp_learn.h"

#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "seccomp/seccomp_groups.h"
#include "seccomp/seccomp_profile.h"

int sc_learn_key_arg(const char *name)
{
	if (strcmp(name, "socket") == 0 || strcmp(name, "prctl") == 0 || strcmp(name, "clone") == 0)
		return 0;
	if (strcmp(name, "ioctl") == 0)
		return 1;
	return -1;
}

/* Calls a runtime makes whenever its garbage collector, scheduler or
 * signal handling happens to run (Go's: madvise to return memory,
 * sched_yield while spinning, epoll_pwait when an idle scheduler polls
 * the network, ...): one run shows them or not by timing, so a learned
 * profile allows them always (all harmless: memory, scheduling, time,
 * signal return, waiting on descriptors the program already holds). Every
 * other call is one the run made. */
static const char *const asynchronous[] = {
	"madvise",	 "sched_yield",	    "nanosleep",   "futex",	"tgkill",
	"getpid",	 "gettid",	    "mmap",	   "munmap",	"mprotect",
	"rt_sigreturn",	 "sigaltstack",	    "clock_gettime", "restart_syscall", "exit",
	"exit_group",	 "epoll_pwait",	    "epoll_wait",  "epoll_pwait2", NULL,
};

static char *name_of(int nr)
{
	return seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);
}

static bool is_async(const char *name)
{
	for (const char *const *a = asynchronous; *a; a++)
		if (strcmp(*a, name) == 0)
			return true;
	return false;
}

static bool in_group(const struct sc_group *g, const char *name)
{
	for (const char *const *m = g->members; *m; m++)
		if ((*m)[0] != '@' && strcmp(*m, name) == 0)
			return true;
	return false;
}

/* One call's line: unconditional, or its keys (clone's flags are compared
 * whole; the others on their low 32 bits, as the shipped profiles do). */
static void write_call(FILE *out, const struct sc_seen *seen, size_t n, int nr, const char *name)
{
	int arg = sc_learn_key_arg(name);
	bool any = arg < 0;
	for (size_t i = 0; i < n && !any; i++)
		any = seen[i].nr == nr && seen[i].allowed && seen[i].any;
	if (any) {
		fprintf(out, "%s\n", name);
		return;
	}
	fprintf(out, "%s:", name);
	const char *sep = " ";
	for (size_t i = 0; i < n; i++) {
		if (seen[i].nr != nr || !seen[i].allowed)
			continue;
		if (strcmp(name, "clone") == 0)
			fprintf(out, "%sarg%d == %#llx", sep, arg, (unsigned long long)seen[i].key);
		else
			fprintf(out, "%sarg%d & 0xffffffff == %#llx", sep, arg,
				(unsigned long long)seen[i].key);
		sep = " || ";
	}
	fputc('\n', out);
}

int sc_learn_write(FILE *out, const struct sc_seen *seen, size_t n, const char *about)
{
	fprintf(out, "# Learned by husk seccomp learn from: %s\n"
		     "# It allows exactly the calls that run made (and the arguments below it\n"
		     "# made them with); everything else answers ENOSYS. Add other runs with\n"
		     "# --merge. See husk-seccomp(5).\n\n"
		     "default errno ENOSYS\n"
		     "clone3 => errno ENOSYS quiet    # libc and Go fall back to clone\n"
		     "execve\n"
		     "\n# What a runtime calls whenever its collector or scheduler runs, seen in\n"
		     "# a run or not by timing alone: always allowed.\n",
		 about);
	for (const char *const *a = asynchronous; *a; a++)
		fprintf(out, "?%s\n", *a);
	/* Distinct allowed calls, each once. */
	int *nrs = xcalloc(n + 1, sizeof(int));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!seen[i].allowed)
			continue;
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = nrs[j] == seen[i].nr;
		if (!dup)
			nrs[k++] = seen[i].nr;
	}
	bool *done = xcalloc(k + 1, sizeof(bool));
	for (const struct sc_group *g = sc_groups; g->name; g++) {
		bool header = false;
		for (size_t j = 0; j < k; j++) {
			char *name = name_of(nrs[j]);
			if (!done[j] && name && strcmp(name, "execve") != 0 && !is_async(name) &&
			    in_group(g, name)) {
				if (!header)
					fprintf(out, "\n# @%s\n", g->name);
				header = true;
				write_call(out, seen, n, nrs[j], name);
				done[j] = true;
			}
			free(name);
		}
	}
	bool header = false;
	for (size_t j = 0; j < k; j++) {
		char *name = name_of(nrs[j]);
		if (!done[j] && name && strcmp(name, "execve") != 0 && !is_async(name)) {
			if (!header)
				fprintf(out, "\n# in no @group\n");
			header = true;
			write_call(out, seen, n, nrs[j], name);
		}
		free(name);
	}
	free(done);
	free(nrs);
	return ferror(out) ? -EIO : 0;
}

static void add(struct sc_seen *seen, size_t *n, size_t max, int nr, uint64_t key, bool any)
{
	for (size_t i = 0; i < *n; i++)
		if (seen[i].nr == nr && seen[i].key == key && seen[i].any == any) {
			seen[i].allowed = true;
			return;
		}
	if (*n < max)
		seen[(*n)++] = (struct sc_seen){ .nr = nr, .key = key, .allowed = true, .any = any };
}

int sc_learn_read(const char *path, struct sc_seen *seen, size_t *n, size_t max, char *err,
		  size_t errlen)
{
	struct sc_profile p;
	sc_profile_init(&p);
	int r = sc_profile_parse_file(&p, path, err, errlen);
	for (size_t i = 0; r == 0 && i < p.n_sys; i++) {
		const struct sc_syscall *s = &p.sys[i];
		int arg = sc_learn_key_arg(s->name);
		if (s->has_fallback && s->fallback.kind == SC_ALLOW) {
			add(seen, n, max, s->nr, 0, true);
			continue;
		}
		/* Keys: an allowed alternative that compares the key argument
		 * with one value. */
		for (size_t k = 0; k < s->n_alts; k++) {
			const struct sc_alt *a = &s->alts[k];
			if (a->act.kind != SC_ALLOW || a->n_cmp != 1 || (int)a->cmp[0].arg != arg)
				continue;
			if (a->cmp[0].op == SCMP_CMP_EQ)
				add(seen, n, max, s->nr, a->cmp[0].datum_a, false);
			else if (a->cmp[0].op == SCMP_CMP_MASKED_EQ)
				add(seen, n, max, s->nr, a->cmp[0].datum_b, false);
		}
	}
	sc_profile_free(&p);
	return r;
}
