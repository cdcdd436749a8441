#include "launch/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/caps.h"
#include "limits/cgroup.h"
#include "launch/hooks.h"
#include "launch/host.h"
#include "launch/idmap.h"
#include "launch/init.h"
#include "launch/ctl.h"
#include "launch/join.h"
#include "launch/metrics.h"
#include "launch/named.h"
#include "base/log.h"
#include "launch/mounts.h"
#include "launch/net.h"
#include "launch/publish.h"
#include "launch/sdnotify.h"
#include "limits/rlimits.h"
#include "seccomp/seccomp_filter.h"
#include "seccomp/seccomp_notify.h"
#include "launch/service.h"
#include "launch/probe.h"
#include "base/sys.h"
#include "base/timing.h"
#include "base/events.h"
#include <sys/resource.h>
#include <time.h>
#include <json-c/json.h>

static uint64_t clone_flags(const struct husk_policy *p, bool late_cgroupns)
{
	uint64_t f = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
	if (!late_cgroupns)
		f |= CLONE_NEWCGROUP;
	if (p->userns == USERNS_PRIVATE)
		f |= CLONE_NEWUSER;
	if (p->net == NET_NONE || p->net == NET_VETH)
		f |= CLONE_NEWNET;
	/* An OCI config's shared and joined namespaces are not made. */
	f &= ~p->ns_shared;
	for (size_t i = 0; i < p->n_ns_joins; i++)
		f &= ~(uint64_t)p->ns_joins[i].type;
	return f;
}

static bool has_hooks(const struct husk_policy *p)
{
	for (int s = 0; s < HOOK_NSTAGES; s++)
		if (p->hooks.n[s])
			return true;
	return false;
}

/* ---- --events: start and exit (base/events.h) ---- */

static int64_t started_ms, started_cpu_ms;

static int64_t children_cpu_ms(void)
{
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	getrusage(RUSAGE_CHILDREN, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* How one sandbox's run ended, for the restart decision. */
struct run_end {
	bool started;	/* the service was started (a launch failure is not restarted) */
	int stopped_by; /* husk was told to stop with this signal */
	bool unhealthy; /* --health-on-unhealthy stopped it */
};

/* The monitor's timed work: health probes, the processes husk exec
 * started (named sandboxes) and the --metrics file, one tick for the
 * supervise loop. */
struct sup {
	const struct husk_policy *p;
	struct prober *pr;
	struct ctl *ctl;
	struct sc_notify *nt;
	const struct cgroup *cg;
	int64_t metrics_next;
	int metrics_health;
};

/* Counted over the whole husk run, across restarts. */
static uint64_t restarts_done, denials_before;

static int metrics_health(const struct sup *s)
{
	return s->p->health.kind ? (int)s->pr->h.status : -1;
}

static void write_metrics(struct sup *s, bool up)
{
	const struct husk_policy *p = s->p;
	if (!p->metrics)
		return;
	const char *label = p->name ? p->name : strrchr(p->argv.v[0], '/') ? strrchr(p->argv.v[0], '/') + 1
								   : p->argv.v[0];
	struct metrics_values v = { .up = up,
				    .restarts = restarts_done,
				    .health = s->pr ? metrics_health(s) : -1,
				    .probes = s->pr ? s->pr->h.probes : 0,
				    .probe_failures = s->pr ? s->pr->h.failures : 0,
				    .denials = denials_before + (s->nt ? s->nt->total : 0),
				    .cg = s->cg && s->cg->n ? s->cg : NULL };
	int r = metrics_write(p->metrics, label, &v);
	if (r < 0)
		log_errno(r, "--metrics %s: write", p->metrics);
	s->metrics_health = v.health;
}

static int64_t sup_tick(void *arg, int64_t now, int *stop_sig)
{
	struct sup *s = arg;
	if (s->ctl)
		ctl_tick(s->ctl);
	int64_t next = s->pr ? prober_tick(s->pr, now, stop_sig) : -1;
	if (s->p->metrics) {
		/* On schedule, and at once when the health changed. */
		if (now >= s->metrics_next || (s->pr && metrics_health(s) != s->metrics_health)) {
			write_metrics(s, true);
			s->metrics_next = now + s->p->metrics_interval_ms;
		}
		if (next < 0 || s->metrics_next < next)
			next = s->metrics_next;
	}
	return next;
}

static void sup_reaped(void *arg, pid_t pid, int status)
{
	struct sup *s = arg;
	if (s->ctl && ctl_reaped(s->ctl, pid, status))
		return;
	if (s->pr)
		prober_reaped(s->pr, pid, status);
}

static void named_releasep(bool *on)
{
	if (*on)
		named_release();
}

/* The layers in force, and a hash of them with the program, so a
 * consumer can tell two runs of the same policy apart from a changed one
 * (the same fields as husk check shows, no environment value). */
static void emit_start(const struct husk_policy *p, pid_t pid)
{
	started_ms = mono_ms();
	/* Nothing more on the plain launch path, which is timed. */
	if (named_on()) {
		named_set("service_pid", json_object_new_int(pid));
		named_set("started_at", json_object_new_int64((int64_t)time(NULL)));
		named_set("health", json_object_new_string(p->health.kind ? "starting" : "none"));
		named_set("state", json_object_new_string("running"));
	}
	if (!events_on())
		return;
	started_cpu_ms = children_cpu_ms();
	json_object *l = json_object_new_object();
	json_object *ns = json_object_new_array();
	static const struct {
		uint64_t flag;
		const char *name;
	} kinds[] = { { CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mount" }, { CLONE_NEWPID, "pid" },
		      { CLONE_NEWNET, "net" },	 { CLONE_NEWIPC, "ipc" },   { CLONE_NEWUTS, "uts" },
		      { CLONE_NEWCGROUP, "cgroup" } };
	uint64_t f = p->in_place ? 0 : clone_flags(p, false);
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (f & kinds[i].flag)
			json_object_array_add(ns, json_object_new_string(kinds[i].name));
	json_object_object_add(l, "namespaces", ns);
	char ids[32];
	snprintf(ids, sizeof(ids), "%u:%u", (unsigned)p->uid, (unsigned)p->gid);
	json_object_object_add(l, "user", json_object_new_string(ids));
	json_object *caps = json_object_new_array();
	for (int c = 0; c < 64; c++) {
		char b[32];
		const char *n = (p->cap_add & (1ull << c)) ? caps_to_name(c, b, sizeof(b)) : NULL;
		if (n)
			json_object_array_add(caps, json_object_new_string(n));
	}
	json_object_object_add(l, "capabilities", caps);
	json_object_object_add(l, "no_new_privs", json_object_new_boolean(!p->no_new_privs_off));
	json_object_object_add(l, "seccomp", json_object_new_string(
		p->seccomp_unconfined ? "unconfined" : p->seccomp_name ? p->seccomp_name : HUSK_DEFAULT_SECCOMP));
	json_object_object_add(l, "landlock", json_object_new_boolean(p->landlock != LANDLOCK_OFF &&
								      p->landlock_abi > 0));
	json_object_object_add(l, "read_only_root", json_object_new_boolean(!p->root_writable));
	json_object *cg = json_object_new_object();
	if (p->cgroup.memory_max)
		json_object_object_add(cg, "memory_max", json_object_new_int64((int64_t)p->cgroup.memory_max));
	if (p->cgroup.pids_max)
		json_object_object_add(cg, "pids_max", json_object_new_int64((int64_t)p->cgroup.pids_max));
	json_object_object_add(l, "cgroup", cg);
	json_object *argv = json_object_new_array();
	for (size_t i = 0; i < p->argv.n; i++)
		json_object_array_add(argv, json_object_new_string(p->argv.v[i]));
	json_object *o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "argv", argv);
	const char *text = json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN);
	const char *prog = json_object_to_json_string_ext(argv, JSON_C_TO_STRING_PLAIN);
	char hash[24];
	snprintf(hash, sizeof(hash), "%016llx",
		 (unsigned long long)(sc_hash_bytes(text, strlen(text)) ^
				      sc_hash_bytes(prog, strlen(prog)) * 31));
	json_object_object_add(o, "policy_hash", json_object_new_string(hash));
	json_object_object_add(o, "layers", l);
	events_emit("start", o);
}

/* The status as husk exits with it, the signal when one ended the
 * service, how long it ran, and its CPU time and peak memory (the
 * largest resident set among the sandbox's processes, from rusage). */
static void emit_exit(int code, const struct run_end *end)
{
	if (!events_on())
		return;
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	getrusage(RUSAGE_CHILDREN, &ru);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_int(code));
	if (code > 128 && code < 128 + 65)
		json_object_object_add(o, "signal", json_object_new_string(sigabbrev_np(code - 128) ? sigabbrev_np(code - 128) : "?"));
	json_object_object_add(o, "run_time_ms", json_object_new_int64(mono_ms() - started_ms));
	/* This run's: with restarts the children's totals span them all. */
	json_object_object_add(o, "cpu_ms", json_object_new_int64(children_cpu_ms() - started_cpu_ms));
	if (end->unhealthy)
		json_object_object_add(o, "reason", json_object_new_string("unhealthy"));
	else if (end->stopped_by)
		json_object_object_add(o, "reason", json_object_new_string("stopped"));
	json_object_object_add(o, "max_rss_kb", json_object_new_int64(ru.ru_maxrss));
	events_emit("exit", o);
}

/* The sandbox's init and the monitor talk over one socket: 'g' releases
 * the child; with hooks, 'm' says the mounts are in place (before
 * pivot_root), 'c' (with the sandbox's pid as the runtime sees it)
 * answers once prestart and createRuntime hooks ran; 's' says the service
 * started. Under auto 'u' says the sandbox is up. */
static int sync_read(int fd, char want)
{
	char c;
	ssize_t n;
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 && c == want ? 0 : -EPIPE;
}

static int sync_write(int fd, char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -EPIPE;
}

/* 'n', then which fds follow (1: the denial channel's, 2: the sd_notify
 * socket), passed with SCM_RIGHTS; init's copies are closed once sent. */
static int send_fds(int sock, int listener, int relay)
{
	char msg[2] = { 'n', (char)((listener >= 0 ? 1 : 0) | (relay >= 0 ? 2 : 0)) };
	int fds[2], n = 0;
	if (listener >= 0)
		fds[n++] = listener;
	if (relay >= 0)
		fds[n++] = relay;
	struct iovec iov = { .iov_base = msg, .iov_len = 2 };
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n) {
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	}
	ssize_t r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return r == 2 ? 0 : -EPIPE;
}

/* The monitor's side: each fd, or -1 where init sent none; -EPIPE when
 * init died first. */
static int recv_fds(int sock, int *listener, int *relay)
{
	char msg[2];
	struct iovec iov = { .iov_base = msg, .iov_len = 2 };
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	*listener = *relay = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != 2 || msg[0] != 'n')
		return -EPIPE;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fds[2] = { -1, -1 };
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fds, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
	int k = 0;
	if (msg[1] & 1)
		*listener = fds[k++];
	if (msg[1] & 2)
		*relay = fds[k];
	return 0;
}

/* The hooks' stage, run here, with the state at status; pid as the
 * runtime sees the sandbox. */
static int run_hooks(const struct husk_policy *p, enum hook_stage st, const char *status, pid_t pid)
{
	if (!p->hooks.n[st])
		return 0;
	char err[1024];
	_cleanup_free_ char *state = hooks_state_json(p, status, pid);
	if (!state)
		return log_errno(-ENOMEM, "hooks.%s", hooks_stage_name(st));
	int r = hooks_run(p, st, state, err, sizeof(err));
	if (r < 0)
		log_error("%s", err);
	return r;
}

/* In the child, for mounts_setup: once the mounts are in place and before
 * pivot_root, the monitor runs prestart and createRuntime hooks; then
 * createContainer hooks run here, in the sandbox's namespaces with host
 * paths, as the spec has it. */
struct pivot_sync {
	const struct husk_policy *p;
	int fd;
	pid_t host_pid;
	const int *hook_fds; /* createContainer's, opened before the clone */
};

static int before_pivot(void *arg)
{
	struct pivot_sync *ps = arg;
	if (sync_write(ps->fd, 'm') < 0 || sync_read(ps->fd, 'c') < 0 ||
	    read(ps->fd, &ps->host_pid, sizeof(ps->host_pid)) != sizeof(ps->host_pid))
		_exit(HUSK_EXIT_LAUNCH); /* the monitor failed and said why */
	const struct husk_policy *p = ps->p;
	if (!p->hooks.n[HOOK_CREATE_CONTAINER])
		return 0;
	char err[1024];
	_cleanup_free_ char *state = hooks_state_json(p, "creating", ps->host_pid);
	if (!state)
		return log_errno(-ENOMEM, "hooks.createContainer");
	int r = hooks_run_fds(p, HOOK_CREATE_CONTAINER, state, ps->hook_fds, err, sizeof(err));
	if (r < 0)
		log_error("%s", err);
	return r;
}

/* linux.namespaces[].path: opened by the monitor (host paths), joined by
 * the child before it sets anything up in them. */
static void join_namespaces(const struct husk_policy *p, const int *fds)
{
	for (size_t i = 0; i < p->n_ns_joins; i++)
		if (setns(fds[i], p->ns_joins[i].type) < 0)
			die_errno(errno, "linux.namespaces: join %s", p->ns_joins[i].path);
}

static bool joins(const struct husk_policy *p, int type)
{
	for (size_t i = 0; i < p->n_ns_joins; i++)
		if (p->ns_joins[i].type == type)
			return true;
	return false;
}

/* Dies with the monitor: when pid 1 of the namespace dies, the kernel kills
 * every process in it, so SIGKILL of husk leaves nothing running. The
 * setting is cleared by credential changes, so it is re-armed after each,
 * and the pipe from the monitor closes the race with a monitor that died
 * before it was armed. */
static void die_with_monitor(int alive_fd)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno(errno, "prctl PR_SET_PDEATHSIG");
	struct pollfd pfd = { .fd = alive_fd, .events = POLLIN };
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
		_exit(HUSK_EXIT_LAUNCH);
}

struct service_args {
	const struct husk_policy *p;
	const struct sc_bpf *filter;
	volatile int *listener; /* shared with init: the denial channel's fd */
};

static int service_main(void *arg)
{
	const struct service_args *a = arg;
	timing_mark(T_FORKED);
	service_exec(a->p, a->filter, a->listener);
}

#define SERVICE_STACK (256u << 10)

/* The service is started vfork-style: CLONE_VM shares init's memory, so no
 * page table is copied and no page is copy-on-write faulted (a plain fork
 * cost about 1.4 ms here, most of a launch's own time), and CLONE_VFORK
 * holds init until the service has exec'd or died, so the two never run
 * on that memory at once. The service gets its own stack; what it writes
 * to shared memory before exec (environ, libcap-ng's state) is not read
 * by init afterwards. Its fd table is still its own. */
static pid_t spawn_service(const struct husk_policy *p, const struct sc_bpf *filter,
			   volatile int *listener)
{
	struct service_args a = { .p = p, .filter = filter, .listener = listener };
	/* CLONE_FILES: until its execve the service shares init's fd table,
	 * so the seccomp listener it makes last (O_CLOEXEC, gone from its
	 * own table at the exec) stays in init's for the monitor. Everything
	 * else is marked close-on-exec rather than closed (service.c). */
#if defined(__SANITIZE_ADDRESS__)
	/* ASan cannot follow a CLONE_VM child onto a stack of its own
	 * (google/sanitizers#189): the sanitizer build forks instead, as a
	 * raw clone that shares the fd table and holds init until the exec. */
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_VFORK | CLONE_FILES | SIGCHLD, NULL, NULL, NULL,
				   0);
	if (pid == 0)
		service_main(&a);
	return pid;
#else
	void *stack = mmap(NULL, SERVICE_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	pid_t pid = clone(service_main, (char *)stack + SERVICE_STACK,
			  CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &a);
	int e = errno;
	/* With CLONE_VFORK the service has exec'd or exited by now. */
	munmap(stack, SERVICE_STACK);
	errno = e;
	return pid;
#endif
}

/* pid 1 of the new pid namespace: set up, start the service, supervise. */
static _Noreturn void sandbox_child(const struct husk_policy *p, const struct sc_bpf *filter,
				    int sync_fd, bool late_cgroupns, bool cgroup2, const int *join_fds,
				    const int *hook_fds, const int *listen_fds)
{
	die_with_monitor(sync_fd);
	/* Its own copies of the secrets came with the clone; the name's
	 * lock and control socket are the monitor's. */
	policy_close_secret_stash(p);
	named_close_in_child();
	join_namespaces(p, join_fds);
	/* The host name and lo need only the capabilities the clone gave us
	 * in the new namespaces, not the id maps: done while the monitor
	 * writes those, not after. */
	if (p->hostname && !joins(p, CLONE_NEWUTS) &&
	    sethostname(p->hostname, strlen(p->hostname)) < 0)
		die_errno(errno, "uts namespace: sethostname %s", p->hostname);
	if ((p->net == NET_NONE || p->net == NET_VETH) && !joins(p, CLONE_NEWNET)) {
		int r = net_loopback_up();
		if (r < 0)
			die_errno(r, "network namespace: bring up lo");
	}
	timing_mark(T_CHILD_NET);

	char go;
	if (read(sync_fd, &go, 1) != 1)
		_exit(HUSK_EXIT_LAUNCH); /* the monitor failed and said why */
	/* --net veth: the monitor has made eth0 here; its address and route. */
	if (p->net == NET_VETH) {
		int r = net_veth_inside(p);
		if (r < 0)
			die_errno(r, "--net veth: set up eth0");
	}
	/* The monitor has moved us into the sandbox's cgroup by now; a cgroup
	 * namespace made here has that group as its root, so the service
	 * sees itself at "/" and nothing of the host's tree. */
	if (late_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		die_errno(errno, "cgroup namespace: unshare");

	if (p->userns == USERNS_PRIVATE) {
		service_become_ids(p);
		die_with_monitor(sync_fd);
	}
	timing_mark(T_CHILD_IDS);
	bool hooked = has_hooks(p);
	struct pivot_sync ps = { .p = p, .fd = sync_fd, .hook_fds = hook_fds };
	if (mounts_setup(p, cgroup2, hooked ? before_pivot : NULL, &ps) < 0)
		_exit(HUSK_EXIT_LAUNCH);
	timing_mark(T_MOUNTS);
	if (hooked && run_hooks(p, HOOK_START_CONTAINER, "created", ps.host_pid) < 0)
		_exit(HUSK_EXIT_LAUNCH);
	/* auto: the monitor waits for this byte, and goes on in place if the
	 * sandbox died before it (a container that allows the clone but not
	 * what follows, as rootless Podman). */
	const char up = 'u';
	if (p->namespaces == NS_AUTO && write(sync_fd, &up, 1) != 1)
		_exit(HUSK_EXIT_LAUNCH);

	/* Shared, not on the stack: the sanitizer build's service is no
	 * CLONE_VM child. */
	volatile int *listener = NULL;
	if (p->seccomp_report && filter) {
		void *page = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED)
			die_errno(errno, "init: map the denial channel's slot");
		listener = page;
		*listener = -1;
	}
	/* Type=notify: the service's NOTIFY_SOCKET, made in /dev with the
	 * mounts, read by the monitor. */
	int relay = mounts_take_notify_fd();
	if (p->notify_socket && relay < 0)
		die("init: no sd_notify socket at " SDNOTIFY_PATH " (a --rootfs without /dev?)");
	/* --listen's sockets at 3, 4, ... for the service. */
	int pr = net_listen_place(listen_fds, p->n_listens, &sync_fd);
	if (pr < 0)
		die_errno(pr, "init: pass the --listen sockets");
	pid_t svc = spawn_service(p, filter, listener);
	if (svc < 0)
		die_errno(errno, "init: start the service");
	/* The service has exec'd (or died): its listener, if it made one,
	 * goes to the monitor, which answers the denials from outside, and
	 * so does the sd_notify socket it relays. */
	if ((listener || relay >= 0) && send_fds(sync_fd, listener ? *listener : -1, relay) < 0) {
		kill(svc, SIGKILL);
		_exit(HUSK_EXIT_LAUNCH);
	}
	/* With CLONE_VFORK the service has exec'd by now: poststart may run. */
	if (hooked && sync_write(sync_fd, 's') < 0) {
		kill(svc, SIGKILL);
		_exit(HUSK_EXIT_LAUNCH);
	}

	/* init keeps nothing: no capabilities, no fds but the monitor pipe,
	 * no terminal. It only forwards signals and reaps. */
	if (setsid() < 0)
		die_errno(errno, "init: setsid");
	/* Without a user namespace init also leaves root: a root init without
	 * CAP_KILL could not signal the service, and it has no use for root. */
	int r = p->userns == USERNS_HOST ? caps_drop_except_as(0, false, p->uid, p->gid)
					 : caps_drop_except(0, false);
	if (r == 0 && p->userns == USERNS_HOST)
		die_with_monitor(sync_fd);
	if (r < 0) {
		kill(svc, SIGKILL);
		die_errno(r, "init: drop capabilities");
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die_errno(errno, "init: prctl PR_SET_DUMPABLE");
	/* --publish: init makes the inside connections, on request. */
	int ctl = sync_fd;
	struct supervise_io pio = { publish_init_fill, publish_init_handle, &ctl };
	struct supervise_opts o = { .reap_all = true,
				    .stop_timeout = p->stop_timeout,
				    .io = { p->n_publish ? &pio : NULL } };
	_exit(supervise(svc, &o));
}

static bool clone_refused(int e)
{
	/* EPERM: a seccomp filter or missing rights; EINVAL: a kernel without
	 * one of the namespaces; ENOSPC/EUSERS: a max_*_namespaces of 0;
	 * EACCES: an LSM. */
	return e == EPERM || e == EINVAL || e == ENOSPC || e == EUSERS || e == EACCES || e == ENOSYS;
}

/* In place (a container's entrypoint): no namespace, no mount. husk stays
 * as the supervisor (the container's pid 1: it reaps every orphan, forwards
 * signals, and returns the service's status); the service drops to its
 * ids and capabilities, gets Landlock, rlimits and the seccomp filter in
 * service_exec, as in a sandbox. */
static int run_in_place(struct husk_policy *p, struct cgroup *cg, const int *listen_fds,
			struct run_end *end, struct ctl *ctl)
{
	/* Not pid 1 (started from a shell): orphans of the service come to
	 * us, and the stop timeout reaches only the service's process group
	 * (it starts a session of its own). */
	bool pid1 = getpid() == 1;
	if (!pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return log_errno(-errno, "in place: prctl PR_SET_CHILD_SUBREAPER"), HUSK_EXIT_LAUNCH;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return log_errno(-errno, "pipe"), HUSK_EXIT_LAUNCH;
	int relay = -1; /* in place the service has systemd's own socket */
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return log_errno(-e, "in place: start the service"), HUSK_EXIT_LAUNCH;
	}
	if (pid == 0) {
		close(pipefd[1]);
		die_with_monitor(pipefd[0]);
		policy_close_secret_stash(p);
		char go;
		if (read(pipefd[0], &go, 1) != 1)
			_exit(HUSK_EXIT_LAUNCH);
		int r = net_listen_place(listen_fds, p->n_listens, NULL);
		if (r < 0)
			die_errno(r, "in place: pass the --listen sockets");
		service_exec(p, p->seccomp_unconfined ? NULL : &p->seccomp_bpf, NULL);
	}
	close(pipefd[0]);
	char cgerr[1024];
	int r = 0;
	if (cg->n && (r = cg_enter(cg, pid, cgerr, sizeof(cgerr))) < 0)
		log_error("cgroup: %s", cgerr);
	if (r == 0)
		r = rlimits_raise(pid, p->rlimits);
	const char go = 'g';
	if (r == 0 && write(pipefd[1], &go, 1) != 1)
		r = log_errno(-errno, "start the service");
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pipefd[1]);
		return HUSK_EXIT_LAUNCH;
	}
	timing_mark(T_RELEASED);
	emit_start(p, pid);
	end->started = true;
	/* Health probes: in place there is no sandbox to enter, so a probe
	 * is the service's policy applied to another program here. */
	bool ready = false;
	struct prober pr;
	prober_init(&pr, p, cg, NULL, mono_ms());
	pr.ready = &ready;
	ctl_attach(ctl, NULL, cg);
	struct sup sup = { .p = p,
			   .pr = p->health.kind ? &pr : NULL,
			   .ctl = ctl->listen_fd >= 0 ? ctl : NULL,
			   .cg = cg };
	struct supervise_tick tick = { sup_tick, sup_reaped, &sup };
	struct supervise_io cio = { ctl_fill, ctl_handle, ctl };
	struct supervise_opts o = { .reap_all = true,
				    .stop_timeout = p->stop_timeout,
				    .group = pid1 ? 0 : pid,
				    .relay_fd = relay,
				    .relay_to = relay >= 0 ? p->notify_socket : NULL,
				    .io = { sup.ctl ? &cio : NULL },
				    .tick = sup.pr || sup.ctl || p->metrics ? &tick : NULL,
				    .stopped_by = &end->stopped_by,
				    .ready = &ready };
	int code = supervise(pid, &o);
	prober_finish(&pr);
	ctl_detach(ctl);
	write_metrics(&sup, false);
	end->unhealthy = pr.unhealthy_stop;
	timing_mark(T_EXITED);
	emit_exit(code, end);
	/* Open until the service has run: until it has exec'd, its closing
	 * tells the child that husk is gone (die_with_monitor). */
	close(pipefd[1]);
	/* What the service left in its process group goes with it, as a
	 * sandbox's pid namespace takes everything. */
	if (!pid1) {
		kill(-pid, SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	return code;
}

/* The monitor's copies of --listen's sockets, closed on every way out. */
struct listen_fds {
	int fd[HUSK_MAX_LISTEN];
	size_t n;
};

static void listen_close(struct listen_fds *l)
{
	for (size_t i = 0; i < l->n; i++)
		close(l->fd[i]);
}

/* --namespaces auto, where the namespaces were refused or could not be
 * set up: in place, every layer not in force said once. */
static int fall_back_in_place(struct husk_policy *p, struct cgroup *cg, const char *step,
			      const char *why, const int *listen_fds, struct run_end *end,
			      struct ctl *ctl)
{
	char err[512];
	size_t before = p->warnings.n;
	if (policy_in_place(p, err, sizeof(err)) < 0)
		return log_error("%s: %s, and in place: %s", step, why, err), HUSK_EXIT_LAUNCH;
	log_warn("%s: %s; --namespaces auto goes on in place", step, why);
	for (size_t i = before; i < p->warnings.n; i++)
		log_warn("%s", p->warnings.v[i]);
	return run_in_place(p, cg, listen_fds, end, ctl);
}

int sandbox_probe_namespaces(const struct husk_policy *p)
{
	bool in_cgroup;
	pid_t pid = sys_clone_ns(clone_flags(p, false), -1, &in_cgroup);
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return clone_refused(errno) ? -errno : 0;
	waitpid(pid, NULL, 0);
	return 0;
}

static int sandbox_once(struct husk_policy *p, const int *listen_fds, const int *pub_fds,
			struct run_end *end, struct ctl *ctl);

int sandbox_run(struct husk_policy *p)
{
	/* Inherited by everything below and never cleared: no setuid or file
	 * capability can raise privileges in the sandbox. */
	if (!p->no_new_privs_off && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return log_errno(-errno, "prctl PR_SET_NO_NEW_PRIVS"), HUSK_EXIT_LAUNCH;

	/* --events: opened before the clone, written by this monitor only. */
	char everr[512];
	if (p->events && events_open(p->events, everr, sizeof(everr)) < 0)
		return log_error("%s", everr), HUSK_EXIT_LAUNCH;

	/* A caller that ignores SIGCHLD would make our children vanish
	 * without a status. */
	signal(SIGCHLD, SIG_DFL);
	sigset_t set;
	supervise_sigset(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return log_errno(-errno, "sigprocmask"), HUSK_EXIT_LAUNCH;

	/* Root's supplementary groups (0 among them) would otherwise follow
	 * the service into the sandbox as real host groups. */
	if (geteuid() == 0 && setgroups(0, NULL) < 0)
		return log_errno(-errno, "setgroups"), HUSK_EXIT_LAUNCH;

	caps_last_cap(); /* read once here; the children inherit the value */
	/* --listen's sockets, bound here in the caller's network namespace
	 * with the caller's rights, before anything joins another. */
	__attribute__((cleanup(listen_close))) struct listen_fds ls = { .n = 0 };
	char lerr[512];
	if (net_listen_open(p->listens, p->n_listens, ls.fd, lerr, sizeof(lerr)) < 0)
		return log_error("%s", lerr), HUSK_EXIT_LAUNCH;
	ls.n = p->n_listens;
	/* --publish's host sides, likewise; the monitor keeps them. */
	__attribute__((cleanup(listen_close))) struct listen_fds pubs = { .n = 0 };
	if (net_listen_open(p->publish, p->n_publish, pubs.fd, lerr, sizeof(lerr)) < 0)
		return log_error("%s", lerr), HUSK_EXIT_LAUNCH;
	pubs.n = p->n_publish;
	int pr;
	/* --name: claimed before anything is built, released on every way
	 * out (a SIGKILLed husk's entry is cleaned by the next claim). */
	__attribute__((cleanup(named_releasep))) bool named = false;
	if (p->name) {
		char nerr[PATH_MAX + 256];
		if (named_claim(p->name, nerr, sizeof(nerr)) < 0)
			return log_error("--name %s: %s", p->name, nerr), HUSK_EXIT_LAUNCH;
		named = true;
		json_object *argv = json_object_new_array();
		for (size_t i = 0; i < p->argv.n; i++)
			json_object_array_add(argv, json_object_new_string(p->argv.v[i]));
		named_set("argv", argv);
		named_set("health", json_object_new_string(p->health.kind ? "starting" : "none"));
		named_set("restarts", json_object_new_int(0));
		named_set("state", json_object_new_string("starting"));
	}
	struct ctl ctl;
	ctl_init(&ctl, named_ctl_fd(), p);
	/* Secrets for the sandboxes after the first wait in sealed memfds. */
	if (policy_restarts(p) && p->n_secrets && (pr = policy_stash_secrets(p)) < 0)
		return log_errno(pr, "--secret: keep the values for restarts (memfd)"), HUSK_EXIT_LAUNCH;
	struct restart_state rs = { 0 };
	for (;;) {
		if (rs.count && (pr = policy_unstash_secrets(p)) < 0)
			return log_errno(pr, "--secret: read the values back for the restart"),
			       HUSK_EXIT_LAUNCH;
		struct run_end end = { 0 };
		int64_t began = mono_ms();
		int code = sandbox_once(p, ls.fd, pubs.fd, &end, &ctl);
		policy_wipe_secrets(p);
		/* A sandbox that could not be built is not restarted: the
		 * same policy would fail the same way (fail closed). */
		if (!end.started)
			return code;
		if (end.unhealthy && p->health.on_unhealthy == ON_UNHEALTHY_EXIT) {
			log_error("health: the service was unhealthy and is stopped "
				  "(--health-on-unhealthy exit)");
			return code;
		}
		enum restart_reason why = end.stopped_by ? END_STOPPED
					  : end.unhealthy ? END_UNHEALTHY
							  : END_EXIT;
		uint32_t delay;
		if (!restart_next(&p->restart, &rs, why, code, mono_ms() - began, &delay))
			return code;
		log_warn("restart %u (%s%s): the service %s %d; a fresh sandbox in %u ms", rs.count,
			 why == END_UNHEALTHY ? "--health-on-unhealthy restart" : "--restart ",
			 why == END_UNHEALTHY ? "" : restart_mode_name(p->restart.mode),
			 why == END_UNHEALTHY ? "was stopped with status" : "exited with status", code,
			 delay);
		restarts_done = rs.count;
		named_set("restarts", json_object_new_int64(rs.count));
		named_set("last_exit", json_object_new_int(code));
		named_set("state", json_object_new_string("restarting"));
		if (events_on()) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "count", json_object_new_int64(rs.count));
			json_object_object_add(o, "delay_ms", json_object_new_int64(delay));
			json_object_object_add(o, "reason", json_object_new_string(
				why == END_UNHEALTHY ? "unhealthy" : "exit"));
			json_object_object_add(o, "status", json_object_new_int(code));
			events_emit("restart", o);
		}
		/* The pause, in which a stop signal still stops husk. */
		int64_t until = mono_ms() + delay;
		for (int64_t left = delay; left > 0; left = until - mono_ms()) {
			struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000 };
			siginfo_t si;
			int sig = sigtimedwait(&set, &si, &ts);
			if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
				return code;
		}
	}
}

/* One sandbox, from its cgroup to its exit: built fresh for every start,
 * so a restart never reuses a dirty one. */
static int sandbox_once(struct husk_policy *p, const int *listen_fds, const int *pub_fds,
			struct run_end *end, struct ctl *ctl)
{
	/* The sandbox's cgroup, below husk's own, before anything runs in it.
	 * --cgroup auto applies what it can, limit by limit; the policy then
	 * holds the limits in force (and the Go variables only from those). */
	__attribute__((cleanup(cg_destroy))) struct cgroup cg = { 0 };
	if (p->cgroup_mode != CGROUP_OFF && cg_needed(&p->cgroup)) {
		char err[1024], name[32];
		struct cg_plan plan;
		struct cg_degraded dg = { 0 };
		struct cg_degraded *d = p->cgroup_mode == CGROUP_AUTO ? &dg : NULL;
		int r = cg_plan_degraded(&p->cgroup, &plan, d, err, sizeof(err));
		/* --cgroup-parent: an (empty, delegated) group chosen by the
		 * caller, in place of husk's own. */
		for (size_t i = 0; r == 0 && p->cgroup_parent && i < plan.n; i++)
			snprintf(plan.h[i].own, sizeof(plan.h[i].own), "%s", p->cgroup_parent);
		if (r == 0 && plan.n) {
			cg_sweep("", &plan);
			snprintf(name, sizeof(name), "husk.%d", (int)getpid());
			r = cg_create("", &plan, &p->cgroup, name, &cg, d, err, sizeof(err));
		}
		if (r < 0 && d) /* the whole plan failed */
			cg_degrade(d, &p->cgroup, cg_knobs(&p->cgroup), err);
		else if (r < 0)
			return log_error("cgroup: %s", err), HUSK_EXIT_LAUNCH;
		if (dg.dropped) {
			size_t before = p->warnings.n;
			policy_limits_in_force(p, &dg);
			for (size_t i = before; i < p->warnings.n; i++)
				log_warn("%s", p->warnings.v[i]);
		}
	}
	timing_mark(T_CGROUP);
	/* Kept open until we exit, on every path, SIGKILL included. */
	__attribute__((cleanup(closep))) int reaper = -1;
	if (cg.n && (reaper = cg_spawn_reaper(&cg)) < 0)
		return log_errno(reaper, "cgroup: start the reaper"), HUSK_EXIT_LAUNCH;

	if (p->in_place)
		return run_in_place(p, &cg, listen_fds, end, ctl);
	/* --net ns:PATH: the monitor joins it, and the clone (without
	 * CLONE_NEWNET) hands it to the sandbox; from inside a new user
	 * namespace the child could not join one the host's owns. */
	if (p->net == NET_JOIN) {
		_cleanup_close_ int nsfd = open(p->net_path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
			return log_errno(-errno, "--net ns:%s: join", p->net_path), HUSK_EXIT_LAUNCH;
	}

	/* The monitor's end closing tells the child that husk is gone. Under
	 * auto the child also answers through it once the sandbox is up. */
	int pipefd[2];
	bool hooked = has_hooks(p);
	bool report = (p->seccomp_report && !p->seccomp_unconfined) || p->notify_socket;
	int pr = p->namespaces == NS_AUTO || hooked || report || p->n_publish
			 ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pipefd)
			 : pipe2(pipefd, O_CLOEXEC);
	if (pr < 0)
		return log_errno(-errno, "pipe"), HUSK_EXIT_LAUNCH;
	/* Namespaces to join are opened here, where their host paths are. */
	int join_fds[HUSK_MAX_NS_JOINS];
	for (size_t i = 0; i < p->n_ns_joins; i++) {
		join_fds[i] = open(p->ns_joins[i].path, O_RDONLY | O_CLOEXEC);
		if (join_fds[i] < 0) {
			int e = -errno;
			for (size_t k = 0; k < i; k++)
				close(join_fds[k]);
			close(pipefd[0]);
			close(pipefd[1]);
			return log_errno(e, "linux.namespaces: open %s", p->ns_joins[i].path),
			       HUSK_EXIT_LAUNCH;
		}
	}
	/* createContainer hooks' files, likewise (only a bundle has any). */
	_cleanup_free_ int *hook_fds = NULL;
	if (p->hooks.n[HOOK_CREATE_CONTAINER]) {
		hook_fds = xcalloc(p->hooks.n[HOOK_CREATE_CONTAINER], sizeof(int));
		hooks_open(p, HOOK_CREATE_CONTAINER, hook_fds);
	}

	/* On cgroup v2 alone the child is born in its group
	 * (CLONE_INTO_CGROUP), so it never runs a moment in ours, needs no
	 * move, and gets its cgroup namespace at clone time. v1 hierarchies
	 * (hybrid hosts) and older kernels move it before releasing it. */
	bool cg_v2 = cg.n == 1 && cg.version[0] == 2;
	__attribute__((cleanup(closep))) int cgfd = -1;
	if (cg_v2)
		cgfd = open(cg.dir[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool in_cgroup = false;
	pid_t pid = sys_clone_ns(clone_flags(p, cg.n > 0 && cgfd < 0), cgfd, &in_cgroup);
	bool late_cgroupns = cg.n > 0 && !in_cgroup;
	if (pid < 0 && p->namespaces == NS_AUTO && clone_refused(errno)) {
		int e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return fall_back_in_place(p, &cg, "create namespaces", strerror(e), listen_fds, end, ctl);
	}
	if (pid < 0) {
		int e = errno;
		char hint[320];
		log_errno(-e, "create namespaces%s",
			  host_clone_hint(e, host_seccomp_mode(""), host_container("", getenv("container")),
					  hint, sizeof(hint)));
		close(pipefd[0]);
		close(pipefd[1]);
		return HUSK_EXIT_LAUNCH;
	}
	if (pid == 0) {
		close(pipefd[1]);
		if (cgfd >= 0)
			close(cgfd);
		/* The filter was compiled (or precompiled) before the clone,
		 * as crun does: the child only hands it to the kernel. */
		sandbox_child(p, p->seccomp_unconfined ? NULL : &p->seccomp_bpf, pipefd[0],
			      late_cgroupns, cg_v2, join_fds, hook_fds, listen_fds);
	}
	close(pipefd[0]);
	for (size_t i = 0; i < p->n_ns_joins; i++)
		close(join_fds[i]);
	for (size_t i = 0; i < p->hooks.n[HOOK_CREATE_CONTAINER]; i++)
		if (hook_fds[i] >= 0)
			close(hook_fds[i]);
	/* Health probes enter the sandbox: its namespaces are opened now,
	 * while the child still waits for us and is still dumpable. */
	__attribute__((cleanup(join_close))) struct join_ns jns;
	for (size_t i = 0; i < JOIN_NS_KINDS; i++)
		jns.fd[i] = -1;
	if (p->health.kind || p->name) {
		int jr = join_open(pid, &jns);
		if (jr < 0) {
			log_errno(jr, "open the sandbox's namespaces for probes and husk exec (/proc/%d/ns)",
				  (int)pid);
			close(pipefd[1]);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return HUSK_EXIT_LAUNCH;
		}
		jns.cgroup_unshare = late_cgroupns && (clone_flags(p, false) & CLONE_NEWCGROUP);
	}
	/* The child has its own copy of the secrets to write; the monitor,
	 * which lives as long as the service, keeps none. */
	policy_wipe_secrets(p);
	timing_mark(T_CLONE);

	/* Everything below is done from outside, before the child runs any of
	 * the service's setup: its cgroup, the room for its rlimits (a hard
	 * limit above husk's is raised here, with the caller's rights; the
	 * service sets its own limits just before exec) and its id maps. Then
	 * it is released. */
	char cgerr[1024];
	int r = 0;
	if (cg.n && !in_cgroup && (r = cg_enter(&cg, pid, cgerr, sizeof(cgerr))) < 0)
		log_error("cgroup: %s", cgerr);
	if (r == 0)
		r = rlimits_raise(pid, p->rlimits);
	/* --net veth: the pair, its far end born in the child's namespace. */
	if (r == 0 && p->net == NET_VETH) {
		char verr[512];
		if ((r = net_veth_create(p, pid, verr, sizeof(verr))) < 0)
			log_error("%s", verr);
	}
	int maps = 0;
	if (r == 0 && p->userns == USERNS_PRIVATE && p->n_uid_maps)
		r = maps = idmap_write_maps(pid, p->uid_maps, p->n_uid_maps, p->gid_maps,
					    p->n_gid_maps, p->n_groups > 0);
	else if (r == 0 && p->userns == USERNS_PRIVATE)
		r = maps = idmap_write(pid, p->uid, p->host_uid, p->gid, p->host_gid);
	/* The write end stays open for our lifetime: its closing is how the
	 * child learns that we are gone. The byte is on the stack: in the
	 * static build the linker merged a literal "g" into the tail of a
	 * json-c format string at the far end of .rodata, and the monitor
	 * mapped that whole 64 KB window to read it. */
	const char go = 'g';
	bool maps_refused = maps == -EPERM || maps == -EACCES;
	if (r == 0 && write(pipefd[1], &go, 1) != 1)
		r = log_errno(-errno, "start the sandbox");
	/* Hooks: prestart and createRuntime once the child's mounts are in
	 * place, before its pivot_root; then it goes on. */
	if (r == 0 && hooked) {
		if (sync_read(pipefd[1], 'm') < 0)
			r = -EPIPE; /* the child said why */
		else if (run_hooks(p, HOOK_PRESTART, "creating", pid) < 0 ||
			 run_hooks(p, HOOK_CREATE_RUNTIME, "creating", pid) < 0)
			r = -ECHILD;
		else if (sync_write(pipefd[1], 'c') < 0 ||
			 write(pipefd[1], &pid, sizeof(pid)) != sizeof(pid))
			r = -EPIPE;
	}
	/* auto: wait until the sandbox is up; EOF means it died setting up. */
	char up;
	bool down = r == 0 && p->namespaces == NS_AUTO && read(pipefd[1], &up, 1) != 1;
	/* The denial channel, once the service has exec'd. */
	int listener = -1, relay = -1;
	if (r == 0 && !down && report && recv_fds(pipefd[1], &listener, &relay) < 0)
		r = -EPIPE;
	if (r == 0 && hooked && sync_read(pipefd[1], 's') < 0)
		r = -EPIPE;
	if (r < 0 || down) {
		if (listener >= 0)
			close(listener);
		if (relay >= 0)
			close(relay);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pipefd[1]);
		/* The spec: a failed start goes on to delete, and poststop. */
		if (hooked)
			run_hooks(p, HOOK_POSTSTOP, "stopped", 0);
		if (p->namespaces == NS_AUTO && (down || maps_refused))
			return fall_back_in_place(p, &cg, "set up the namespaces",
						  down ? "the sandbox failed (above)" : "the id maps were refused",
						  listen_fds, end, ctl);
		return HUSK_EXIT_LAUNCH;
	}
	timing_mark(T_RELEASED);
	emit_start(p, pid);
	end->started = true;
	/* poststart: a failure is said, and the service goes on (the spec). */
	if (hooked && run_hooks(p, HOOK_POSTSTART, "running", pid) < 0)
		log_warn("hooks.poststart failed (above); the service goes on");
	/* husk seccomp learn brings its own, to read the record afterwards. */
	struct sc_notify own, *nt = p->learn ? p->learn : &own;
	sc_notify_init(nt, listener, p->seccomp,
		       p->seccomp_name ? p->seccomp_name : HUSK_DEFAULT_SECCOMP, p->seccomp_search,
		       p->cap_add);
	nt->learn = p->learn != NULL;
	/* --publish: the forwarder runs in this loop, the sandbox's init
	 * making the inside connections (publish.h). */
	struct publisher *pb = NULL;
	struct supervise_io pio = { publish_fill, publish_handle, NULL };
	if (p->n_publish) {
		pb = xcalloc(1, sizeof(*pb));
		publish_init(pb, pipefd[1], p, pub_fds);
		pio.arg = pb;
	}
	/* Health probes enter the sandbox through its init (join.h). */
	bool ready = false;
	struct prober hp;
	prober_init(&hp, p, &cg, &jns, mono_ms());
	hp.ready = &ready;
	ctl_attach(ctl, &jns, &cg);
	struct sup sup = { .p = p,
			   .pr = p->health.kind ? &hp : NULL,
			   .ctl = ctl->listen_fd >= 0 ? ctl : NULL,
			   .nt = nt,
			   .cg = &cg };
	struct supervise_tick tick = { sup_tick, sup_reaped, &sup };
	struct supervise_io cio = { ctl_fill, ctl_handle, ctl };
	struct supervise_opts o = { .reap_all = false,
				    .notify = nt,
				    .relay_fd = relay,
				    .relay_to = relay >= 0 ? p->notify_socket : NULL,
				    .io = { pb ? &pio : NULL, sup.ctl ? &cio : NULL },
				    .tick = sup.pr || sup.ctl || p->metrics ? &tick : NULL,
				    .stopped_by = &end->stopped_by,
				    .ready = &ready };
	int code = supervise(pid, &o);
	prober_finish(&hp);
	ctl_detach(ctl);
	write_metrics(&sup, false);
	denials_before += nt->total;
	end->unhealthy = hp.unhealthy_stop;
	timing_mark(T_EXITED);
	if (relay >= 0)
		close(relay);
	if (pb) {
		publish_close(pb);
		free(pb);
	}
	if (p->net == NET_VETH)
		net_veth_remove(p);
	if (nt->fd >= 0)
		close(nt->fd);
	sc_notify_finish(nt);
	close(pipefd[1]);
	if (hooked && run_hooks(p, HOOK_POSTSTOP, "stopped", 0) < 0)
		log_warn("hooks.poststop failed (above)");
	/* Past execve's point of no return, a program that cannot map itself
	 * under its address-space limit dies of SIGSEGV without a word. */
	char hint[160];
	if ((code == 128 + SIGSEGV || code == 128 + SIGBUS) &&
	    *rlimits_exec_hint(p->rlimits, ENOMEM, hint, sizeof(hint)))
		log_warn("the service died of signal %d%s", code - 128, hint);
	/* The OOM killer may pick any process of the group: the service's
	 * own status says whether it was the one. */
	if (cg.n && cg_oom_killed(&cg)) {
		json_object *oom = json_object_new_object();
		json_object_object_add(oom, "memory_max", json_object_new_int64((int64_t)p->cgroup.memory_max));
		json_object_object_add(oom, "service", json_object_new_boolean(code == 128 + SIGKILL));
		events_emit("oom", oom);
		if (code == 128 + SIGKILL)
			log_error("the service ran out of memory: the kernel's OOM killer ended it "
				  "(limit --memory %llu bytes)",
				  (unsigned long long)p->cgroup.memory_max);
		else
			log_warn("the kernel's OOM killer ended a process of the sandbox (limit "
				 "--memory %llu bytes); the service itself went on",
				 (unsigned long long)p->cgroup.memory_max);
	}
	emit_exit(code, end);
	return code;
}
