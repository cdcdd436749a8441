#include "seccomp/seccomp_notify.h"

#include <json-c/json.h>

#include "base/events.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "seccomp/seccomp_load.h"

void sc_notify_init(struct sc_notify *n, int fd, const struct sc_profile *prof, const char *name,
		    const struct search_path *search, uint64_t caps)
{
	memset(n, 0, sizeof(*n));
	n->fd = fd;
	n->prof = prof;
	n->name = name;
	n->search = search;
	n->caps = caps;
	n->out = stderr;
	n->window_ms = -1;
}

uint64_t sc_notify_key(const char *name, const uint64_t args[6])
{
	if (strcmp(name, "socket") == 0 || strcmp(name, "prctl") == 0)
		return args[0] & 0xffffffff;
	if (strcmp(name, "clone") == 0)
		return args[0];
	if (strcmp(name, "ioctl") == 0)
		return args[1] & 0xffffffff;
	return 0;
}

void sc_notify_describe(const char *name, const uint64_t args[6], char *buf, size_t len)
{
	snprintf(buf, len, "%s(0x%llx, 0x%llx, 0x%llx, ...)", name, (unsigned long long)args[0],
		 (unsigned long long)args[1], (unsigned long long)args[2]);
}

bool sc_notify_rate_ok(struct sc_notify *n, int64_t now_ms)
{
	if (n->window_ms < 0 || now_ms - n->window_ms >= 1000) {
		n->window_ms = now_ms;
		n->in_window = 0;
	}
	return n->in_window++ < SC_NOTIFY_RATE;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The profile's answer; precompiled filters come without the parsed
 * profile, which is then read once, here, at the first denial. */
static struct sc_action base_action(struct sc_notify *n, const char *name, const uint64_t args[6])
{
	if (!n->prof && !n->load_failed && n->name) {
		n->own = xcalloc(1, sizeof(*n->own));
		sc_profile_init(n->own);
		char err[512];
		if (sc_profile_load(n->own, n->name, n->search, n->caps, err, sizeof(err)) < 0) {
			fprintf(n->out, "husk: seccomp: reading %s to answer a denial: %s\n", n->name,
				err);
			n->load_failed = true;
		} else {
			n->prof = n->own;
		}
	}
	if (!n->prof)
		return (struct sc_action){ .kind = SC_ERRNO, .errnum = ENOSYS };
	return sc_profile_eval(n->prof, name, args);
}

/* The sandbox's own pid for a pid of ours (the last NSpid field), and the
 * command's name, for the line. */
static void describe_task(pid_t pid, long *inner, char *comm, size_t len)
{
	char path[64], buf[2048];
	*inner = pid;
	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_text(path, comm, len) == 0)
		comm[strcspn(comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return;
	char *l = strstr(buf, "\nNSpid:");
	if (!l)
		return;
	l += 7;
	char *end = strchr(l, '\n');
	if (end)
		*end = '\0';
	char *last = strrchr(l, '\t');
	if (last)
		*inner = strtol(last + 1, NULL, 10);
}

static struct sc_seen *seen_find(struct sc_notify *n, int nr, uint64_t key, bool *is_new)
{
	*is_new = false;
	for (size_t i = 0; i < n->n_seen; i++)
		if (n->seen[i].nr == nr && n->seen[i].key == key)
			return &n->seen[i];
	if (n->n_seen == SC_NOTIFY_MAX_DISTINCT)
		return NULL;
	*is_new = true;
	n->seen[n->n_seen] = (struct sc_seen){ .nr = nr, .key = key };
	return &n->seen[n->n_seen++];
}

int sc_notify_handle(struct sc_notify *n)
{
	if (!n->req && seccomp_notify_alloc(&n->req, &n->resp) < 0)
		return -ENOMEM;
	struct seccomp_notif *req = n->req;
	struct seccomp_notif_resp *resp = n->resp;
	memset(req, 0, sizeof(*req));
	int r = seccomp_notify_receive(n->fd, req);
	if (r < 0)
		/* ENOENT: the caller went away between poll and receive. */
		return r == -ENOENT || r == -EINTR ? 0 : r;
	uint64_t args[6];
	for (int i = 0; i < 6; i++)
		args[i] = req->data.args[i];
	/* A call seen before with a fixed answer needs neither its name nor
	 * the profile: the answer is the round trip's only work. */
	struct sc_seen *s = NULL;
	bool is_new = false;
	for (size_t i = 0; i < n->n_seen && !s; i++)
		if (n->seen[i].cached && n->seen[i].nr == req->data.nr)
			s = &n->seen[i];
	char *name = NULL;
	struct sc_action act;
	if (s) {
		act = s->act;
	} else {
		name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
		const char *nm = name ? name : "?";
		s = seen_find(n, req->data.nr, sc_notify_key(nm, args), &is_new);
		act = base_action(n, nm, args);
		const struct sc_syscall *sys = n->prof ? sc_profile_find(n->prof, nm) : NULL;
		if (s && n->prof && (!sys || sys->n_alts == 0) && sc_notify_key(nm, args) == 0) {
			s->cached = true;
			s->act = act;
		}
	}
	if (s)
		s->count++;
	/* Who asked, read while the caller still waits for the answer. */
	char comm[64] = "?";
	long inner = req->pid;
	if (is_new)
		describe_task((pid_t)req->pid, &inner, comm, sizeof(comm));
	resp->id = req->id;
	resp->val = 0;
	bool proceed = n->learn && (act.kind == SC_ALLOW || act.kind == SC_LOG);
	int e = act.kind == SC_ERRNO ? act.errnum : ENOSYS;
	if (proceed) {
		resp->error = 0;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (s)
			s->allowed = true;
	} else {
		resp->error = -e;
		resp->flags = 0;
	}
	r = seccomp_notify_respond(n->fd, resp);
	n->total++;
	if (!proceed && is_new) {
		if (sc_notify_rate_ok(n, now_ms())) {
			char call[256];
			sc_notify_describe(name ? name : "?", args, call, sizeof(call));
			const char *en = sc_errno_name(e);
			char enbuf[16];
			if (!en) {
				snprintf(enbuf, sizeof(enbuf), "%d", e);
				en = enbuf;
			}
			fprintf(n->out,
				"husk: seccomp denied %s in pid %ld (%s): %s; add it to the profile "
				"or see husk seccomp learn\n",
				call, inner, comm, en);
			/* The same, as an event: the call's name and arguments
			 * as described (pointers as numbers, never memory). */
			if (events_on()) {
				json_object *ev = json_object_new_object();
				json_object_object_add(ev, "syscall", json_object_new_string(name ? name : "?"));
				json_object_object_add(ev, "call", json_object_new_string(call));
				json_object_object_add(ev, "pid", json_object_new_int64(inner));
				json_object_object_add(ev, "comm", json_object_new_string(comm));
				json_object_object_add(ev, "errno", json_object_new_string(en));
				events_emit("seccomp_denied", ev);
			}
		} else {
			n->suppressed++;
		}
	}
	free(name);
	/* ENOENT: the thread was killed while we answered; not an error. */
	return r == -ENOENT ? 0 : r;
}

void sc_notify_finish(struct sc_notify *n)
{
	if (n->req)
		seccomp_notify_free(n->req, n->resp);
	n->req = NULL;
	n->resp = NULL;
	if (n->suppressed)
		fprintf(n->out, "husk: seccomp: %lu more distinct denials not shown (rate limit)\n",
			n->suppressed);
	if (n->own) {
		sc_profile_free(n->own);
		free(n->own);
		n->own = NULL;
	}
}
