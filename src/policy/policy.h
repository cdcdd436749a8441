/* The policy model: one plain-data struct that every front end (argv today;
 * profile files and OCI config.json later) fills and validates, and that the
 * launch pipeline only reads. Nothing here makes a system call that changes
 * the system. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "limits/cgroup.h"
#include "launch/idmap.h"
#include "limits/rlimits.h"
#include "base/search.h"
#include "seccomp/seccomp_filter.h"
#include "seccomp/seccomp_profile.h"
#include "supervise/health.h"
#include "supervise/restart.h"

struct sc_notify;
#include "base/util.h"

enum net_mode {
	NET_NONE = 0, /* a new network namespace holding only lo, up */
	NET_HOST,     /* the caller's network namespace */
	NET_JOIN,     /* --net ns:PATH: an existing one (root-started), net_path */
	NET_VETH,     /* --net veth: a new one with a veth pair to the host's (root-started) */
};

/* --net veth: addresses in network byte order. */
struct veth_spec {
	uint32_t addr, host_addr, gw; /* the sandbox's eth0, the host's end, the route */
	int prefix;
	bool addr_set, host_set, gw_set;
	char host_if[16]; /* husk<pid> */
	char bridge[16];  /* the host's end joins it instead of taking an address */
};

enum userns_mode {
	USERNS_PRIVATE = 0, /* a new user namespace with a single-id map */
	USERNS_HOST,	    /* root-started only: real ids, real (dropped) caps */
};

/* Where the service's isolation comes from. Namespaces are the default and
 * fail closed; a container's entrypoint may be refused them and opts into
 * the in-place layers (ids, caps, no_new_privs, Landlock, seccomp, rlimits)
 * with auto or none. */
enum ns_mode {
	NS_REQUIRED = 0, /* every namespace, or an error */
	NS_AUTO,	 /* the namespaces when the kernel and container allow them, else in place */
	NS_NONE,	 /* in place: no new namespace, no mount */
};

enum landlock_mode {
	LANDLOCK_AUTO = 0, /* when the kernel has it */
	LANDLOCK_REQUIRED, /* an error where the kernel has none */
	LANDLOCK_OFF,
};

/* --listen: a socket husk binds in the caller's network namespace and
 * passes to the service as fd 3, 4, ... (the systemd protocol:
 * LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES). inherited >= 0: one husk got
 * from its own caller (systemd), passed on as it is. */
#define HUSK_MAX_LISTEN 16
struct listen_spec {
	int family, type; /* AF_INET/AF_INET6, SOCK_STREAM/SOCK_DGRAM */
	char addr[64];	  /* numeric */
	uint16_t port;
	char name[64];	  /* LISTEN_FDNAMES entry */
	int inherited;
};

/* TCP ports the service may bind or connect to (Landlock ABI 4+). */
#define HUSK_MAX_PORTS 64
struct port_list {
	bool set; /* given: every other port is refused */
	size_t n;
	uint16_t v[HUSK_MAX_PORTS];
};

enum mount_kind {
	MOUNT_BIND = 0,
	MOUNT_TMPFS,
	MOUNT_PROC, /* fresh procfs with masked and read-only paths */
	MOUNT_DEV,  /* minimal /dev: device binds, devpts, shm */
	/* The kinds an OCI config names besides (those of the CLI have no
	 * flag of their own): */
	MOUNT_SYSFS,  /* a fresh sysfs (needs the network namespace) */
	MOUNT_DEVPTS, /* a new devpts instance */
	MOUNT_MQUEUE, /* the ipc namespace's POSIX message queues */
	MOUNT_CGROUP, /* the sandbox's cgroup v2 group, or the host's tree */
};

struct mount_entry {
	enum mount_kind kind;
	char *src;	/* host path, binds only */
	char *dst;	/* normalised absolute path inside the sandbox */
	bool readonly;
	uint64_t size;	    /* tmpfs bytes */
	uint64_t nr_inodes; /* tmpfs inodes */
	uint32_t mode;	    /* tmpfs root mode */
	/* OCI mounts: MOUNT_ATTR_* added to husk's (noexec, nosuid, ...);
	 * the source name shown in mountinfo; the file system's own options
	 * ("newinstance,ptmxmode=0666"); a bind that is not recursive; a
	 * device bind (nodev left off). */
	uint64_t attrs;
	char *fs_source;
	char *data;
	bool nonrecursive;
	bool device;
	/* MOUNT_DEV from an OCI config: the nodes and links only; devpts and
	 * shm are the config's own mounts, and the tmpfs stays writable. */
	bool dev_bare;
	/* MOUNT_TMPFS at /run/secrets: the policy's secrets are written into
	 * it before it is attached, then it is made read-only. */
	bool secrets;
};

/* --secret NAME=FILE|fd:N|env:VAR: read by husk as the caller
 * (policy_finalize), given to the service only as /run/secrets/NAME
 * (mode 0400, its owner, a read-only tmpfs of its own); the value is
 * never in the environment, a report or an event, and is wiped from
 * husk's memory once written (policy_wipe_secrets). */
#define HUSK_MAX_SECRETS 32
#define HUSK_SECRET_MAX (1u << 20) /* bytes, each */
#define HUSK_SECRETS_DIR "/run/secrets"
struct secret_spec {
	char name[64];
	char *from; /* as given after NAME= */
	char *value;
	size_t len;
	/* With restarts the next sandbox needs the value again: it waits in
	 * a sealed memfd, not in husk's heap (policy_stash_secrets). */
	bool stashed;
	int stash;
};

/* An OCI hook (runtime-spec config.md#posix-platform-hooks). */
struct oci_hook {
	char *path;
	struct strv args;
	struct strv env;
	bool env_set; /* env given: the hook gets exactly it */
	int timeout;  /* seconds; 0: none */
};

enum hook_stage {
	HOOK_PRESTART = 0,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_NSTAGES,
};

struct oci_hooks {
	struct oci_hook *h[HOOK_NSTAGES];
	size_t n[HOOK_NSTAGES];
};

/* A namespace the sandbox joins instead of making (linux.namespaces[].path). */
struct ns_join {
	int type; /* CLONE_NEW* */
	char *path;
};
#define HUSK_MAX_NS_JOINS 8
#define HUSK_MAX_IDMAPS 16
#define HUSK_MAX_GROUPS 64


/* Defaults, named so --help, the man page and tests agree. */
#define HUSK_DEFAULT_UID_ROOT 65534u
#define HUSK_DEFAULT_TMPFS_SIZE (64ull << 20)
#define HUSK_DEFAULT_TMPFS_INODES 16384ull
#define HUSK_DEFAULT_TMPFS_MODE 01777u
#define HUSK_DEFAULT_STOP_TIMEOUT 10u
#define HUSK_DEFAULT_HOSTNAME "husk"
#define HUSK_DEFAULT_SECCOMP "default"
#define HUSK_DEFAULT_NOFILE_SOFT 1024u
#define HUSK_DEFAULT_NOFILE_HARD 4096u
#define HUSK_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct husk_policy {
	char *rootfs; /* NULL: / is an empty read-only tmpfs */
	struct mount_entry *mounts;
	size_t n_mounts;

	bool user_set;	     /* --user given */
	uint32_t uid, gid;   /* ids of the service inside the sandbox */
	bool host_user_set;  /* --host-user given: host_uid/gid as asked */
	uint32_t host_uid;   /* what uid maps to outside (set by policy_finalize) */
	uint32_t host_gid;
	enum host_ids_from {
		HOST_IDS_CALLER = 0, /* a normal user's own ids, the only ones it can map */
		HOST_IDS_RANGE,	     /* root-started: START + id of husk's range */
		HOST_IDS_SUBID,	     /* the same, the range from /etc/subuid, /etc/subgid */
		HOST_IDS_EXPLICIT,   /* --host-user */
		HOST_IDS_SAME,	     /* --userns host: the ids are the host's */
	} host_ids_from;

	uint64_t cap_add; /* bitmask of CAP_* kept for the service */
	/* An OCI config's five capability sets (cap_add is then their union,
	 * and --cap-add/--cap-drop change the sets by what they change in
	 * it); else the sets follow cap_add. */
	bool cap_sets_set;
	uint64_t cap_sets_base; /* cap_add as the config gave it */
	struct cap_sets_policy {
		uint64_t bnd, eff, prm, inh, amb;
	} cap_sets;
	bool no_new_privs_off; /* process.noNewPrivileges false */
	int umask;		/* -1: as inherited */
	size_t n_groups;	/* supplementary groups (additionalGids) */
	uint32_t groups[HUSK_MAX_GROUPS];
	/* linux.uidMappings / gidMappings; empty: husk's single-id maps. */
	size_t n_uid_maps, n_gid_maps;
	struct id_mapping uid_maps[HUSK_MAX_IDMAPS], gid_maps[HUSK_MAX_IDMAPS];
	/* CLONE_NEW* flags of ipc, uts and cgroup the sandbox shares with
	 * the caller (an OCI config that leaves them out). */
	uint64_t ns_shared;
	size_t n_ns_joins;
	struct ns_join ns_joins[HUSK_MAX_NS_JOINS];
	/* OCI: linux.maskedPaths and readonlyPaths, applied after every
	 * mount (else husk's /proc lists, with /proc). */
	bool paths_set;
	struct strv masked_paths, readonly_paths;
	struct strv sysctls; /* "key=value", namespaced ones only */
	bool root_writable;  /* root.readonly false */
	/* The OCI bundle it came from: its id, directory, annotations (a JSON
	 * object's text) and hooks. NULL bundle: not from one. */
	char *oci_id, *oci_bundle, *oci_annotations;
	struct oci_hooks hooks;

	struct strv env_set;  /* --env K=V, in order */
	struct strv env_keep; /* --env-keep K */
	struct strv env;      /* the resolved environment (policy_finalize) */

	char *cwd;
	char *hostname;
	enum net_mode net;
	size_t n_listens;
	struct listen_spec listens[HUSK_MAX_LISTEN];
	/* --publish: the host's side (bound as --listen's are) and the port
	 * inside the sandbox's network namespace it is forwarded to. */
	size_t n_publish;
	struct listen_spec publish[HUSK_MAX_LISTEN];
	uint16_t publish_port[HUSK_MAX_LISTEN];
	/* Type=notify: the NOTIFY_SOCKET husk was given (systemd's); the
	 * service's is /dev/husk-notify, relayed (launch/sdnotify.h). */
	char *notify_socket;
	char *net_path; /* NET_JOIN: the namespace's file (/run/netns/NAME) */
	struct veth_spec veth; /* NET_VETH */
	enum userns_mode userns;
	enum ns_mode namespaces;
	/* The service runs in place (no namespace of its own): --namespaces
	 * none, or auto where they were refused. Set by policy_finalize for
	 * none, by the launch or husk check's probe for auto. */
	bool in_place;
	enum landlock_mode landlock;
	int landlock_abi;		/* the kernel's, from the caller; 0: none */
	struct port_list tcp_bind;	/* --allow-tcp-bind */
	struct port_list tcp_connect;	/* --allow-tcp-connect */
	uint32_t stop_timeout;

	struct husk_rlimit rlimits[HUSK_RLIMIT_COUNT]; /* --rlimit, then defaults */

	struct cg_limits cgroup;    /* --memory, --pids, --cpus, ... */
	enum cgroup_mode {
		CGROUP_OFF = 0,
		CGROUP_AUTO,	 /* use one if husk can, else warn and go on */
		CGROUP_REQUIRED, /* fail when no writable cgroup exists */
	} cgroup_mode;
	bool cgroup_mode_set;
	char *cgroup_parent; /* --cgroup-parent: a group path; NULL: husk's own */
	bool no_go_env; /* --no-go-env: no GOMAXPROCS/GOMEMLIMIT from the limits */
	unsigned go_env_derived; /* which of them husk set: GO_ENV_MAXPROCS, GO_ENV_MEMLIMIT */

	char *seccomp_name;	    /* --seccomp: a profile name or path; NULL: default */
	char *seccomp_json;	    /* an OCI config's linux.seccomp (when no --seccomp) */
	bool seccomp_unconfined;    /* --seccomp unconfined */
	bool seccomp_log;	    /* --seccomp-log: denials go to the kernel log */
	bool seccomp_quiet;	    /* --seccomp-quiet: denials are not reported */
	/* Denials answered by husk's monitor and reported on stderr
	 * (seccomp_notify.h): unless unconfined, --seccomp-log or
	 * --seccomp-quiet (policy_finalize), and not in place. */
	bool seccomp_report;
	const struct search_path *seccomp_search; /* where seccomp_name is found (the caller's) */
	/* husk seccomp learn: the channel's state, whose record the command
	 * writes out after the run (owned by it); NULL: a plain run. */
	struct sc_notify *learn;
	struct sc_profile *seccomp; /* the parsed profile, NULL when precompiled */
	struct sc_bpf seccomp_bpf;  /* the filter the service loads (policy_finalize) */

	size_t n_secrets;
	struct secret_spec secrets[HUSK_MAX_SECRETS];
	char *events; /* --events FILE|fd:N (base/events.h); NULL: none */
	char *name;   /* --name: the sandbox's name (launch/named.h); NULL: none */
	char *metrics; /* --metrics FILE (launch/metrics.h); NULL: none */
	uint32_t metrics_interval_ms;
	struct health_spec health;   /* --health-* (supervise/health.h) */
	struct restart_spec restart; /* --restart* (supervise/restart.h) */

	/* --gate-allow: rules of the gate (gate/gate.h) not asked of a
	 * container another runtime starts; run ignores them. */
	struct strv gate_relaxed;

	struct strv argv; /* the program and its arguments */
	/* What policy_finalize (or --cgroup auto later) changed from what
	 * was asked, said by run on stderr and by check in its report. */
	struct strv warnings;
	bool finalized;
};

#define GO_ENV_MAXPROCS 1u
#define GO_ENV_MEMLIMIT 2u

/* What the front end knows about who started husk. */
struct caller {
	uid_t uid;
	gid_t gid;
	char *const *environ;
	const struct search_path *profiles; /* where profiles are looked up by name */
	bool report_only;	 /* husk check: nothing runs, so no program is needed */
	bool limits_known;	 /* limits holds the caller's rlimits */
	unsigned ncpus;		 /* CPUs husk may run on (its affinity); 0: unknown */
	/* Root only: the "husk" entries of /etc/subuid and /etc/subgid (count
	 * 0 where there is none: then HUSK_ROOT_RANGE_START). */
	struct id_range root_uids, root_gids;
	struct rlimit limits[HUSK_RLIMIT_COUNT];
	int landlock_abi; /* the kernel's Landlock ABI; 0: none */
	/* The limits of the cgroup husk runs in (a container's --memory and
	 * --cpus): the Go variables follow them when husk sets none of its own.
	 * 0: none or unknown. */
	/* Sockets husk itself was started with (LISTEN_FDS for this pid):
	 * fds 3 .. 3 + n - 1, with their names. */
	size_t listen_fds;
	const char *listen_names;
	const char *notify_socket; /* husk's NOTIFY_SOCKET */
	pid_t pid;		   /* husk's, for names that must not clash */
	uint64_t own_memory_max;
	uint64_t own_cpu_quota_us, own_cpu_period_us;
};

void policy_init(struct husk_policy *p);
void policy_free(struct husk_policy *p);
/* Overwrites and frees every secret's value (the spec stays). */
void policy_wipe_secrets(struct husk_policy *p);
/* Whether the service may be started more than once (a restart policy,
 * or --health-on-unhealthy restart). */
bool policy_restarts(const struct husk_policy *p);
/* For restarts: each value into a sealed memfd, read back by
 * policy_unstash_secrets before each sandbox is built. */
int policy_stash_secrets(struct husk_policy *p);
int policy_unstash_secrets(struct husk_policy *p);
/* In a child that needs none of them: closes the memfds. */
void policy_close_secret_stash(const struct husk_policy *p);

/* Appends a mount entry (src/dst are copied), or replaces the one already
 * at the same destination: the later one wins. */
int policy_add_mount(struct husk_policy *p, const struct mount_entry *m);
/* Appends m (copied) after the others, whatever its destination: OCI
 * mounts stack in the config's order. */
int policy_append_mount(struct husk_policy *p, const struct mount_entry *m);
const struct mount_entry *policy_find_mount(const struct husk_policy *p, const char *dst);

/* Validates cross-option rules, fills defaults that depend on the caller
 * (ids, default mounts, environment) and makes the policy ready for the
 * pipeline. On error, writes one line into err and returns a negative errno. */
int policy_finalize(struct husk_policy *p, const struct caller *c, char *err, size_t errlen);

/* The service runs in place: checks what in place cannot do (a --rootfs
 * other than /, a bind from elsewhere, --host-user), sets in_place and the
 * ids, and adds one warning for each layer that is not in force. Called by
 * policy_finalize for --namespaces none, and for auto where the kernel or
 * the container refused the namespaces. */
int policy_in_place(struct husk_policy *p, char *err, size_t errlen);

/* --cgroup auto gave up the cgroup knobs of dropped (enum cg_knob bits):
 * the policy's limits become those in force, the Go variables husk
 * derived from a dropped limit are taken back, and each knob gets a
 * warning with its reason from d. */
void policy_limits_in_force(struct husk_policy *p, const struct cg_degraded *d);
