/* husk seccomp: show, compile, precompile, resolve and export profiles. */
#include "cmd/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <seccomp.h>

#include "base/log.h"
#include "base/sys.h"
#include "base/util.h"
#include "seccomp/seccomp_export.h"
#include "seccomp/seccomp_filter.h"
#include "seccomp/seccomp_load.h"
#include "seccomp/seccomp_profile.h"

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int r = sys_write_all(fd, buf, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* husk seccomp precompile PROFILE [-o FILE]: NAME.bpf beside NAME.policy. */
static int precompile(const char *name, const char *out, const struct search_path *profiles)
{
	char path[4096], bpfpath[4200], err[1024];
	bool is_json;
	if (sc_profile_resolve(name, profiles, path, sizeof(path), &is_json, NULL, err, sizeof(err)) <
		    0 ||
	    is_json) {
		log_error("seccomp: precompile %s: %s", name,
			  is_json ? "only text profiles can be precompiled" : err);
		return HUSK_EXIT_LAUNCH;
	}
	struct sc_profile prof;
	struct sc_bpf bpf = { 0 };
	sc_profile_init(&prof);
	prof.search = profiles;
	int r = sc_profile_parse_file(&prof, path, err, sizeof(err));
	if (r == 0)
		r = sc_compile(&prof, &bpf, err, sizeof(err));
	if (r == 0)
		r = sc_compile_notify(&prof, &bpf, err, sizeof(err));
	if (r == 0) {
		if (out)
			snprintf(bpfpath, sizeof(bpfpath), "%s", out);
		else
			sc_bpf_path(path, NULL, bpfpath, sizeof(bpfpath));
		r = sc_bpf_save(&bpf, &prof, bpfpath, err, sizeof(err));
	}
	if (r < 0)
		log_error("seccomp: precompile %s: %s", name, err);
	sc_bpf_free(&bpf);
	sc_profile_free(&prof);
	return r < 0 ? HUSK_EXIT_LAUNCH : 0;
}

/* husk seccomp show PROFILE | husk seccomp compile PROFILE [-o FILE] */
/* husk seccomp resolve N|NAME...: names and numbers on this architecture,
 * from libseccomp's tables. */
static int resolve(int argc, char *argv[])
{
	uint32_t arch = seccomp_arch_native();
	int code = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		uint32_t n;
		if (parse_u32(a, &n) == 0) {
			char *name = seccomp_syscall_resolve_num_arch(arch, (int)n);
			if (!name) {
				log_error("seccomp: resolve %s: no system call has that number on this "
					  "architecture",
					  a);
				code = HUSK_EXIT_LAUNCH;
				continue;
			}
			printf("%s %u\n", name, n);
			free(name);
		} else {
			int nr = seccomp_syscall_resolve_name_arch(arch, a);
			if (nr == __NR_SCMP_ERROR || nr < 0) {
				log_error("seccomp: resolve %s: not a system call this libseccomp knows "
					  "on this architecture",
					  a);
				code = HUSK_EXIT_LAUNCH;
				continue;
			}
			printf("%s %d\n", a, nr);
		}
	}
	return fflush(stdout) == 0 ? code : HUSK_EXIT_LAUNCH;
}

/* husk seccomp export --format oci PROFILE: Docker/OCI JSON on stdout. */
static int export_profile(const char *name, const struct search_path *profiles)
{
	struct sc_profile prof;
	sc_profile_init(&prof);
	char err[1024];
	int code = HUSK_EXIT_LAUNCH;
	if (sc_profile_load(&prof, name, profiles, 0, err, sizeof(err)) < 0) {
		log_error("seccomp: export %s: %s", name, err);
	} else {
		json_object *j = sc_profile_export_oci(&prof);
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
		code = fflush(stdout) == 0 ? 0 : HUSK_EXIT_LAUNCH;
		/* husk loads a call's conditional denials as a filter of
		 * their own; one OCI filter cannot: runc's libseccomp drops
		 * a call's conditional rules where the call also has one with
		 * no condition (gate/gate.h, gate_oci_view). Said, not hidden. */
		char lost[512] = "";
		size_t at = 0;
		for (size_t i = 0; i < prof.n_sys && at < sizeof(lost); i++) {
			const struct sc_syscall *sy = &prof.sys[i];
			bool gone = false;
			for (size_t a = 0; sy->has_fallback && a < sy->n_alts; a++)
				gone |= !sc_action_equal(sy->alts[a].act, sy->fallback);
			if (gone)
				at += (size_t)snprintf(lost + at, sizeof(lost) - at, "%s%s", at ? ", " : "",
						       sy->name);
		}
		if (lost[0])
			log_warn("seccomp: export %s: conditional rules of %s are lost where the call is "
				 "also allowed outright: runc's libseccomp keeps only the unconditional "
				 "rule (husk run keeps both)",
				 name, lost);
	}
	sc_profile_free(&prof);
	return code;
}

int cmd_seccomp(int argc, char *argv[], const struct search_path *profiles)
{
	const char *usage = "use husk seccomp show|compile|precompile PROFILE [-o FILE], husk "
			    "seccomp resolve N|NAME..., husk seccomp export --format oci PROFILE, "
			    "or husk seccomp learn -o FILE [OPTIONS] -- PROGRAM";
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: husk seccomp show PROFILE\n"
		       "       husk seccomp compile PROFILE [-o FILE]\n"
		       "       husk seccomp precompile PROFILE [-o FILE]\n"
		       "       husk seccomp resolve N|NAME...\n"
		       "       husk seccomp export --format oci PROFILE\n"
		       "       husk seccomp learn -o FILE.policy [--merge] [RUN OPTIONS] -- PROGRAM "
		       "[ARG...]\n\n"
		       "show prints the resolved rules; compile writes the raw BPF (FILE, and\n"
		       "FILE.overlay when there is one); precompile writes NAME.bpf beside\n"
		       "NAME.policy for launches to load; resolve turns system call numbers\n"
		       "into names and back on this architecture; export writes the profile\n"
		       "as Docker/OCI JSON; learn runs PROGRAM as husk run would and writes a\n"
		       "profile of the calls it made. See husk-seccomp(5).\n");
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "resolve") == 0)
		return resolve(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "export") == 0) {
		if (argc != 5 || strcmp(argv[2], "--format") != 0 || strcmp(argv[3], "oci") != 0) {
			log_error("seccomp: export: use husk seccomp export --format oci PROFILE");
			return HUSK_EXIT_LAUNCH;
		}
		return export_profile(argv[4], profiles);
	}
	if (argc < 3) {
		log_error("seccomp: %s", usage);
		return HUSK_EXIT_LAUNCH;
	}
	const char *verb = argv[1], *name = argv[2], *out = NULL;
	if (argc == 5 && strcmp(argv[3], "-o") == 0)
		out = argv[4];
	else if (argc != 3) {
		log_error("seccomp: %s", usage);
		return HUSK_EXIT_LAUNCH;
	}
	if (strcmp(verb, "precompile") == 0)
		return precompile(name, out, profiles);
	struct sc_profile prof;
	sc_profile_init(&prof);
	char err[1024];
	int code = HUSK_EXIT_LAUNCH;
	if (sc_profile_load(&prof, name, profiles, 0, err, sizeof(err)) < 0) {
		log_error("seccomp: %s", err);
		goto out;
	}
	if (strcmp(verb, "show") == 0) {
		sc_profile_print(&prof, stdout);
		code = fflush(stdout) == 0 ? 0 : HUSK_EXIT_LAUNCH;
		goto out;
	}
	if (strcmp(verb, "compile") != 0) {
		log_error("seccomp: unknown verb '%s': %s", verb, usage);
		goto out;
	}
	/* Raw BPF is no text: to a terminal it only garbles the screen. */
	if (!out && isatty(STDOUT_FILENO)) {
		log_error("seccomp: compile %s: stdout is a terminal; give -o FILE, or redirect "
			  "stdout to a file",
			  name);
		goto out;
	}
	struct sc_bpf bpf;
	if (sc_compile(&prof, &bpf, err, sizeof(err)) < 0) {
		log_error("seccomp: compile %s: %s", name, err);
		goto out;
	}
	int r = 0;
	for (int i = 0; i < 2 && r == 0; i++) {
		if (!bpf.prog[i])
			continue;
		size_t bytes = bpf.len[i] * sizeof(struct sock_filter);
		if (!out) {
			r = sys_write_all(STDOUT_FILENO, bpf.prog[i], bytes);
		} else {
			char path[4096];
			snprintf(path, sizeof(path), "%s%s", out, i ? ".overlay" : "");
			r = write_file(path, bpf.prog[i], bytes);
			if (r < 0)
				log_errno(r, "seccomp: write %s", path);
		}
		fprintf(stderr, "%s filter: %zu instructions\n", i ? "overlay" : "main", bpf.len[i]);
	}
	if (r < 0 && !out)
		log_errno(r, "seccomp: write the filter");
	sc_bpf_free(&bpf);
	code = r < 0 ? HUSK_EXIT_LAUNCH : 0;
out:
	sc_profile_free(&prof);
	return code;
}

