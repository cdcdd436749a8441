#include "cmd/named.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/log.h"
#include "base/util.h"
#include "launch/ctl.h"
#include "launch/named.h"

static const char *usage =
	"Usage: husk ps [--json]\n"
	"       husk status NAME [--json]\n"
	"       husk health NAME\n"
	"       husk stop NAME [--time SECONDS]\n"
	"       husk kill NAME [SIGNAL]\n"
	"       husk exec NAME [--] PROGRAM [ARG...]\n\n"
	"Sandboxes started with husk run --name NAME. Their state is in\n"
	"$XDG_RUNTIME_DIR/husk/NAME (root: /run/husk/NAME) while their husk runs;\n"
	"an entry a killed husk left is cleaned when found.\n\n"
	"  ps      list them: name, husk's pid, state, health, restarts, uptime, command\n"
	"  status  one of them (exit 0 while it runs)\n"
	"  health  its health: exit 0 when healthy (or running with no check), else 1,\n"
	"          for a HEALTHCHECK that calls husk\n"
	"  stop    SIGTERM to it (the service gets it), SIGKILL after SECONDS (default 10)\n"
	"  kill    send SIGNAL (default KILL; TERM, INT, HUP, QUIT, USR1, USR2 reach the\n"
	"          service)\n"
	"  exec    run PROGRAM in the sandbox as the service: the same namespaces, ids,\n"
	"          capabilities, no_new_privs, Landlock, rlimits and seccomp filter\n";

/* A command line the usage does not allow: the usage, and 125. */
static int bad_usage(void)
{
	fputs(usage, stderr);
	return HUSK_EXIT_LAUNCH;
}

/* NAME's entry: its directory and the pid of the husk holding it. A
 * stale one is cleaned and reported as absent. Returns 0, or 125 after one
 * line (quiet: no line). */
static int find(const char *cmd, const char *name, char *dir, size_t len, pid_t *holder, bool quiet)
{
	char base[PATH_MAX - 128], err[512];
	if (!named_valid(name)) {
		log_error("%s: %s is not a sandbox name (letters, digits, '_', '.', '-')", cmd, name);
		return HUSK_EXIT_LAUNCH;
	}
	if (named_base(base, sizeof(base), err, sizeof(err)) < 0) {
		log_error("%s: %s", cmd, err);
		return HUSK_EXIT_LAUNCH;
	}
	snprintf(dir, len, "%s/%.*s", base, NAMED_MAX, name);
	*holder = named_holder(dir);
	if (*holder == 0)
		named_clean_stale(dir);
	if (*holder <= 0) {
		if (!quiet)
			log_error("%s: no sandbox named %s is running (husk ps lists them)%s", cmd, name,
				  *holder == 0 ? "; the entry a killed husk left was removed" : "");
		return HUSK_EXIT_LAUNCH;
	}
	return 0;
}

static json_object *read_status(const char *dir)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/status.json", dir);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	char err[256];
	if (read_capped_file(path, 1 << 20, &buf, &len, err, sizeof(err)) < 0)
		return NULL;
	return json_tokener_parse(buf);
}

static const char *str(json_object *o, const char *key, const char *dflt)
{
	json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : dflt;
}

static void uptime(json_object *st, char *out, size_t len)
{
	json_object *v;
	if (!st || !json_object_object_get_ex(st, "started_at", &v)) {
		snprintf(out, len, "-");
		return;
	}
	long long s = (long long)time(NULL) - json_object_get_int64(v);
	if (s < 120)
		snprintf(out, len, "%llds", s);
	else if (s < 7200)
		snprintf(out, len, "%lldm", s / 60);
	else
		snprintf(out, len, "%lldh", s / 3600);
}

static void command_of(json_object *st, char *out, size_t len)
{
	json_object *a;
	size_t n = 0;
	out[0] = '\0';
	if (!st || !json_object_object_get_ex(st, "argv", &a))
		return;
	for (size_t i = 0; i < json_object_array_length(a) && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s", i ? " " : "",
				      json_object_get_string(json_object_array_get_idx(a, i)));
}

static int cmd_ps(int argc, char *argv[])
{
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	if (argc > 2 || (argc == 2 && !json)) {
		return bad_usage();
	}
	char base[PATH_MAX - 128], err[512];
	if (named_base(base, sizeof(base), err, sizeof(err)) < 0) {
		log_error("ps: %s", err);
		return HUSK_EXIT_LAUNCH;
	}
	json_object *all = json_object_new_array();
	DIR *d = opendir(base);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!named_valid(e->d_name))
			continue;
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/%.*s", base, NAMED_MAX, e->d_name);
		pid_t h = named_holder(dir);
		if (h == 0)
			named_clean_stale(dir);
		if (h <= 0)
			continue;
		json_object *st = read_status(dir);
		if (!st) {
			st = json_object_new_object();
			json_object_object_add(st, "name", json_object_new_string(e->d_name));
			json_object_object_add(st, "pid", json_object_new_int(h));
			json_object_object_add(st, "state", json_object_new_string("starting"));
		}
		json_object_array_add(all, st);
	}
	if (d)
		closedir(d);
	if (json) {
		puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		printf("%-20s %-8s %-11s %-10s %-8s %-7s %s\n", "NAME", "PID", "STATE", "HEALTH",
		       "RESTARTS", "UPTIME", "COMMAND");
		for (size_t i = 0; i < json_object_array_length(all); i++) {
			json_object *st = json_object_array_get_idx(all, i);
			char up[32], cmd[256];
			uptime(st, up, sizeof(up));
			command_of(st, cmd, sizeof(cmd));
			printf("%-20s %-8s %-11s %-10s %-8s %-7s %s\n", str(st, "name", "?"),
			       str(st, "pid", "?"), str(st, "state", "?"), str(st, "health", "-"),
			       str(st, "restarts", "0"), up, cmd);
		}
	}
	json_object_put(all);
	return fflush(stdout) == 0 ? 0 : HUSK_EXIT_LAUNCH;
}

static int cmd_status(int argc, char *argv[])
{
	bool json = argc == 3 && strcmp(argv[2], "--json") == 0;
	if (argc < 2 || argc > 3 || (argc == 3 && !json)) {
		return bad_usage();
	}
	char dir[PATH_MAX];
	pid_t h;
	int r = find("status", argv[1], dir, sizeof(dir), &h, false);
	if (r)
		return r;
	json_object *st = read_status(dir);
	if (!st) {
		st = json_object_new_object();
		json_object_object_add(st, "name", json_object_new_string(argv[1]));
		json_object_object_add(st, "pid", json_object_new_int(h));
		json_object_object_add(st, "state", json_object_new_string("starting"));
	}
	if (json) {
		puts(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		char up[32], cmd[1024];
		uptime(st, up, sizeof(up));
		command_of(st, cmd, sizeof(cmd));
		printf("name:        %s\nhusk pid:    %d\nservice pid: %s (as the host sees it)\n"
		       "state:       %s\nhealth:      %s\nrestarts:    %s\nlast exit:   %s\n"
		       "uptime:      %s\ncommand:     %s\n",
		       argv[1], (int)h, str(st, "service_pid", "-"), str(st, "state", "?"),
		       str(st, "health", "-"), str(st, "restarts", "0"), str(st, "last_exit", "-"), up,
		       cmd);
	}
	json_object_put(st);
	return fflush(stdout) == 0 ? 0 : HUSK_EXIT_LAUNCH;
}

static int cmd_health(int argc, char *argv[])
{
	if (argc != 2) {
		return bad_usage();
	}
	char dir[PATH_MAX];
	pid_t h;
	if (!named_valid(argv[1]))
		return find("health", argv[1], dir, sizeof(dir), &h, false);
	/* Not running is unhealthy, for a HEALTHCHECK that asks. */
	if (find("health", argv[1], dir, sizeof(dir), &h, true)) {
		puts("not running");
		return 1;
	}
	json_object *st = read_status(dir);
	const char *hs = str(st, "health", "starting");
	const char *state = str(st, "state", "starting");
	bool running = strcmp(state, "running") == 0;
	printf("%s\n", running ? hs : state);
	int code = running && (strcmp(hs, "healthy") == 0 || strcmp(hs, "none") == 0) ? 0 : 1;
	if (st)
		json_object_put(st);
	return fflush(stdout) == 0 ? code : HUSK_EXIT_LAUNCH;
}

/* Whether the husk pid still holds the entry. */
static bool held_by(const char *dir, pid_t h)
{
	return named_holder(dir) == h;
}

static int wait_gone(const char *dir, pid_t h, int ms)
{
	for (int t = 0; t < ms; t += 50) {
		if (!held_by(dir, h))
			return 0;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return held_by(dir, h) ? -ETIMEDOUT : 0;
}

static int cmd_stop(int argc, char *argv[])
{
	uint32_t secs = 10;
	if (argc == 4 && (strcmp(argv[2], "--time") == 0 || strcmp(argv[2], "-t") == 0)) {
		if (parse_u32(argv[3], &secs) < 0 || secs > 86400) {
			log_error("stop: --time %s: expected whole seconds from 0 to 86400", argv[3]);
			return HUSK_EXIT_LAUNCH;
		}
	} else if (argc != 2) {
		return bad_usage();
	}
	char dir[PATH_MAX];
	pid_t h;
	int r = find("stop", argv[1], dir, sizeof(dir), &h, false);
	if (r)
		return r;
	if (kill(h, SIGTERM) < 0)
		return log_errno(-errno, "stop: signal husk pid %d", (int)h), HUSK_EXIT_LAUNCH;
	if (wait_gone(dir, h, (int)secs * 1000) == 0)
		return 0;
	log_warn("stop: %s did not stop in %u s: SIGKILL", argv[1], secs);
	kill(h, SIGKILL);
	if (wait_gone(dir, h, 5000) < 0)
		return log_error("stop: husk pid %d is still there", (int)h), HUSK_EXIT_LAUNCH;
	named_clean_stale(dir);
	return 0;
}

static int cmd_kill(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = { { "KILL", SIGKILL }, { "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP },
		     { "QUIT", SIGQUIT }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 } };
	if (argc < 2 || argc > 3) {
		return bad_usage();
	}
	int sig = 0;
	const char *s = argc == 3 ? argv[2] : "KILL";
	if (str_has_prefix(s, "SIG"))
		s += 3;
	uint32_t num;
	for (size_t i = 0; i < ARRAY_SIZE(sigs) && !sig; i++)
		if (strcmp(s, sigs[i].name) == 0 || (parse_u32(s, &num) == 0 && (int)num == sigs[i].sig))
			sig = sigs[i].sig;
	if (!sig) {
		log_error("kill: %s: husk passes on TERM, INT, HUP, QUIT, USR1 and USR2 to the service, "
			  "and KILL ends the sandbox; other signals would reach husk itself",
			  argc == 3 ? argv[2] : "");
		return HUSK_EXIT_LAUNCH;
	}
	char dir[PATH_MAX];
	pid_t h;
	int r = find("kill", argv[1], dir, sizeof(dir), &h, false);
	if (r)
		return r;
	if (kill(h, sig) < 0)
		return log_errno(-errno, "kill: signal husk pid %d", (int)h), HUSK_EXIT_LAUNCH;
	return 0;
}

static int cmd_exec(int argc, char *argv[])
{
	int first = 2;
	if (argc > 2 && strcmp(argv[2], "--") == 0)
		first = 3;
	if (argc <= first) {
		return bad_usage();
	}
	char dir[PATH_MAX], path[PATH_MAX + 8];
	pid_t h;
	int r = find("exec", argv[1], dir, sizeof(dir), &h, false);
	if (r)
		return r;
	snprintf(path, sizeof(path), "%s/ctl", dir);
	return ctl_exec(path, h, argv + first);
}

int cmd_named(int argc, char *argv[])
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[0], "ps") == 0)
		return cmd_ps(argc, argv);
	if (strcmp(argv[0], "status") == 0)
		return cmd_status(argc, argv);
	if (strcmp(argv[0], "health") == 0)
		return cmd_health(argc, argv);
	if (strcmp(argv[0], "stop") == 0)
		return cmd_stop(argc, argv);
	if (strcmp(argv[0], "kill") == 0)
		return cmd_kill(argc, argv);
	return cmd_exec(argc, argv);
}
