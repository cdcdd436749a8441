#include "launch/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/events.h"
#include "base/log.h"
#include "launch/init.h"
#include "launch/join.h"
#include "launch/named.h"
#include "launch/service.h"

static const char *kind_name(enum health_kind k)
{
	return k == HEALTH_CMD ? "cmd" : k == HEALTH_TCP ? "tcp" : "http";
}

int probe_http_status(const char *resp, size_t len)
{
	/* "HTTP/1.x NNN ..." */
	if (len < 12 || memcmp(resp, "HTTP/1.", 7) != 0 || resp[8] != ' ')
		return -1;
	int code = 0;
	for (int i = 9; i < 12; i++) {
		if (resp[i] < '0' || resp[i] > '9')
			return -1;
		code = code * 10 + (resp[i] - '0');
	}
	if (len > 12 && resp[12] != ' ' && resp[12] != '\r' && resp[12] != '\n')
		return -1;
	return code;
}

/* In the probe child: connect (and GET) from the sandbox's network
 * namespace, as the service's ids with no capability. */
static _Noreturn void net_probe(const struct husk_policy *p, const struct join_ns *ns)
{
	const struct health_spec *hs = &p->health;
	int r;
	if (ns && (r = join_enter(ns, CLONE_NEWUSER | CLONE_NEWNET)) < 0)
		die_errno(-r, "health: enter the sandbox's network namespace");
	/* Nothing of the caller's rights is needed to connect. */
	if (geteuid() == 0 || (ns && ns->fd[0] >= 0))
		service_become_ids(p);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, hs->host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(hs->port);
		sl = sizeof(*in4);
	} else if (inet_pton(AF_INET6, hs->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(hs->port);
		sl = sizeof(*in6);
	} else {
		_exit(2);
	}
	int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&ss, sl) < 0)
		_exit(1);
	if (hs->kind == HEALTH_TCP)
		_exit(0);
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.0\r\nHost: %s%s%s:%u\r\nUser-Agent: husk-health\r\n"
			 "Connection: close\r\n\r\n",
			 hs->path, strchr(hs->host, ':') ? "[" : "", hs->host,
			 strchr(hs->host, ':') ? "]" : "", (unsigned)hs->port);
	if (n < 0 || (size_t)n >= sizeof(req) || send(s, req, (size_t)n, MSG_NOSIGNAL) != n)
		_exit(1);
	char resp[64];
	size_t got = 0;
	while (got < sizeof(resp)) {
		ssize_t k = recv(s, resp + got, sizeof(resp) - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
		if (memchr(resp, '\n', got))
			break;
	}
	int code = probe_http_status(resp, got);
	/* Kubernetes' httpGet: 200 to 399 is success. */
	_exit(code >= 200 && code < 400 ? 0 : 1);
}

static pid_t start_probe(struct prober *pr)
{
	const struct husk_policy *p = pr->p;
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	const int stdio[3] = { null, null, null };
	if (p->health.kind == HEALTH_CMD)
		return join_spawn(p, pr->ns, pr->cg, p->health.cmd.v, null >= 0 ? stdio : NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* The sandbox must not trace or read a process of husk's. */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			_exit(HUSK_EXIT_LAUNCH);
		policy_close_secret_stash(p);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (null >= 0)
			dup2(null, 0), dup2(null, 1);
		net_probe(p, pr->ns);
	}
	return pid < 0 ? -errno : pid;
}

void prober_init(struct prober *pr, const struct husk_policy *p, const struct cgroup *cg,
		 const struct join_ns *ns, int64_t now)
{
	*pr = (struct prober){ .p = p, .cg = cg, .ns = ns };
	health_start(&pr->h, &p->health, now);
}

static void emit_health(struct prober *pr, enum health_status was, int code)
{
	if (pr->h.status == HS_UNHEALTHY)
		log_warn("health: the service is unhealthy: %u probe%s in a row failed (%s check)%s",
			 pr->h.streak, pr->h.streak == 1 ? "" : "s", kind_name(pr->p->health.kind),
			 pr->p->health.on_unhealthy == ON_UNHEALTHY_RESTART ? "; restarting it"
			 : pr->p->health.on_unhealthy == ON_UNHEALTHY_EXIT ? "; stopping it"
									    : "");
	else if (was == HS_UNHEALTHY)
		log_warn("health: the service is healthy again");
	named_set("health", json_object_new_string(health_status_name(pr->h.status)));
	if (events_on()) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "status", json_object_new_string(health_status_name(pr->h.status)));
		json_object_object_add(o, "previous", json_object_new_string(health_status_name(was)));
		json_object_object_add(o, "probe", json_object_new_string(kind_name(pr->p->health.kind)));
		json_object_object_add(o, "failing_streak", json_object_new_int64(pr->h.streak));
		if (pr->timed_out)
			json_object_object_add(o, "timed_out", json_object_new_boolean(true));
		else
			json_object_object_add(o, "exit_code", json_object_new_int(code));
		events_emit("health", o);
	}
	if (pr->h.status == HS_HEALTHY && pr->ready && !*pr->ready) {
		*pr->ready = true;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "source", json_object_new_string("health"));
		events_emit("ready", o);
	}
}

static void probe_done(struct prober *pr, int status, int64_t now)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	bool ok = !pr->timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	enum health_status was = pr->h.status;
	if (health_result(&pr->h, &pr->p->health, ok, pr->began, now))
		emit_health(pr, was, code);
	pr->pid = 0;
	pr->timed_out = false;
}

void prober_reaped(void *arg, pid_t pid, int status)
{
	struct prober *pr = arg;
	if (pr->pid > 0 && pid == pr->pid)
		probe_done(pr, status, mono_ms());
}

int64_t prober_tick(void *arg, int64_t now, int *stop_sig)
{
	struct prober *pr = arg;
	int st;
	if (pr->pid > 0 && waitpid(pr->pid, &st, WNOHANG) == pr->pid)
		probe_done(pr, st, now);
	if (pr->pid > 0 && now >= pr->deadline && !pr->timed_out) {
		/* Its session: what the probe started goes with it. */
		kill(-pr->pid, SIGKILL);
		kill(pr->pid, SIGKILL);
		pr->timed_out = true;
	}
	if (pr->h.status == HS_UNHEALTHY && !pr->unhealthy_stop &&
	    pr->p->health.on_unhealthy != ON_UNHEALTHY_NONE) {
		pr->unhealthy_stop = true;
		*stop_sig = SIGTERM;
	}
	if (pr->unhealthy_stop)
		return pr->pid > 0 ? now + 100 : -1;
	if (pr->pid == 0 && now >= pr->h.next) {
		pid_t pid = start_probe(pr);
		if (pid == -ESRCH) {
			/* The sandbox is ending: no verdict on the service. */
			pr->h.next = now + pr->p->health.interval_ms;
		} else if (pid < 0) {
			/* Could not start one: a failed probe, as Docker counts
			 * an exec that fails. */
			enum health_status was = pr->h.status;
			if (health_result(&pr->h, &pr->p->health, false, now, now))
				emit_health(pr, was, HUSK_EXIT_LAUNCH);
		} else {
			pr->pid = pid;
			pr->began = now;
			pr->deadline = now + pr->p->health.timeout_ms;
		}
	}
	if (pr->pid > 0)
		return pr->timed_out ? now + 50 : pr->deadline;
	return pr->h.next;
}

void prober_finish(struct prober *pr)
{
	if (pr->pid <= 0)
		return;
	kill(-pr->pid, SIGKILL);
	kill(pr->pid, SIGKILL);
	while (waitpid(pr->pid, NULL, 0) < 0 && errno == EINTR)
		;
	pr->pid = 0;
}
