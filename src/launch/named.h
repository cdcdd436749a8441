/* --name NAME: a sandbox that husk ps, status, stop, kill, health and exec
 * can find. Its state is a directory, $XDG_RUNTIME_DIR/husk/NAME (root:
 * /run/husk/NAME), mode 0700, holding:
 *   lock         held by husk's monitor with a POSIX record lock for its
 *                whole life: F_GETLK names the monitor's pid, and no
 *                holder means a husk that died (SIGKILL) left the entry,
 *                which the next claim or husk ps removes;
 *   pid          husk's pid, for scripts (the lock says whether it lives);
 *   status.json  the last status (state, pids, health, restarts, last
 *                exit), rewritten whole (rename) as it changes;
 *   ctl          the monitor's control socket (husk exec), answering only
 *                its own user and root.
 * One name per husk process, claimed before anything is built. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#define NAMED_MAX 63

/* Letters, digits, '_', '.', '-', not starting with '.' or '-'; up to
 * NAMED_MAX. */
bool named_valid(const char *name);

/* The directory that holds the names: /run/husk for root, else
 * $XDG_RUNTIME_DIR/husk. 0, or a negative errno with why in err. */
int named_base(char *out, size_t len, char *err, size_t errlen);

/* Claims name for this process: makes the directory, takes the lock,
 * clears a dead husk's state, binds the control socket. Refuses a name a
 * live husk holds (with its pid). */
int named_claim(const char *name, char *err, size_t errlen);
bool named_on(void);
/* Sets a field of the status (takes val) and rewrites the file. */
void named_set(const char *key, json_object *val);
/* The control socket's listening fd (-1: none). */
int named_ctl_fd(void);
/* In a child that lives on without exec (the sandbox's init, a joining
 * process): closes its copies of the lock and the control socket. */
void named_close_in_child(void);
/* Removes the directory and lets go of the lock (at exit). */
void named_release(void);

/* For the commands, given the entry's directory: the pid of the husk that
 * holds it, 0 when none does (the entry is stale), or a negative errno. */
pid_t named_holder(const char *dir);
/* Removes a stale entry's directory, if it still is stale. */
int named_clean_stale(const char *dir);
