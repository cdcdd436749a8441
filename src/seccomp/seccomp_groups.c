#include "seccomp/seccomp_groups.h"

#include <stddef.h>
#include <string.h>

#define G(name, ...) static const char *const name[] = { __VA_ARGS__, NULL }

/* What every dynamic or static program needs to start, run and exit. */
G(g_default, "arch_prctl", "brk", "clock_getres", "clock_gettime", "clock_nanosleep", "execve",
  "exit", "exit_group", "futex", "get_robust_list", "getegid", "geteuid", "getgid", "getgroups",
  "getpgid", "getpgrp", "getpid", "getppid", "getrandom", "getresgid", "getresuid", "getrlimit",
  "getsid", "gettid", "gettimeofday", "getuid", "membarrier", "mmap", "mprotect", "munmap",
  "nanosleep", "pause", "prlimit64", "restart_syscall", "rseq", "rt_sigreturn",
  "sched_getaffinity", "sched_yield", "set_robust_list", "set_tid_address", "time", "uname",
  "getcpu", "sysinfo");
G(g_basic_io, "_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek", "pread64",
  "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv", "write", "writev");
G(g_file_system, "access", "chdir", "chmod", "creat", "faccessat", "faccessat2", "fallocate",
  "fchdir", "fchmod", "fchmodat", "fcntl", "fgetxattr", "flistxattr", "fstat", "fstatfs",
  "ftruncate", "futimesat", "getcwd", "getdents", "getdents64", "getxattr", "inotify_add_watch",
  "inotify_init", "inotify_init1", "inotify_rm_watch", "lgetxattr", "link", "linkat",
  "listxattr", "llistxattr", "lstat", "mkdir", "mkdirat", "newfstatat", "open", "openat",
  "openat2", "readlink", "readlinkat", "rename", "renameat", "renameat2", "rmdir", "stat",
  "statfs", "statx", "symlink", "symlinkat", "truncate", "unlink", "unlinkat", "utime",
  "utimensat", "utimes", "fsetxattr", "setxattr", "lsetxattr", "fremovexattr", "removexattr",
  "lremovexattr", "flock", "umask", "fadvise64", "readahead", "copy_file_range", "sendfile",
  "splice", "tee", "vmsplice");
G(g_io_event, "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2",
  "epoll_wait", "eventfd", "eventfd2", "poll", "ppoll", "pselect6", "select");
G(g_ipc, "memfd_create", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
  "mq_timedsend", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "pipe", "pipe2",
  "semctl", "semget", "semop", "semtimedop", "shmat", "shmctl", "shmdt", "shmget");
G(g_network_io, "accept", "accept4", "bind", "connect", "getpeername", "getsockname",
  "getsockopt", "listen", "recvfrom", "recvmmsg", "recvmsg", "sendmmsg", "sendmsg", "sendto",
  "setsockopt", "shutdown", "socket", "socketpair");
G(g_process, "capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill", "pidfd_open",
  "pidfd_send_signal", "prctl", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "setns", "tgkill",
  "times", "tkill", "unshare", "vfork", "wait4", "waitid", "setpgid", "setsid", "getpriority",
  "sched_getparam", "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min",
  "sched_getattr", "sched_rr_get_interval", "ioprio_get", "madvise", "mremap", "mincore",
  "msync", "personality");
G(g_signal, "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend",
  "rt_sigtimedwait", "sigaltstack", "signalfd", "signalfd4");
G(g_sync, "fdatasync", "fsync", "sync", "sync_file_range", "syncfs");
G(g_timer, "alarm", "getitimer", "setitimer", "timer_create", "timer_delete",
  "timer_getoverrun", "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime",
  "timerfd_settime");
G(g_resources, "ioprio_set", "mbind", "migrate_pages", "move_pages", "sched_setaffinity",
  "sched_setattr", "sched_setparam", "sched_setscheduler", "set_mempolicy", "get_mempolicy",
  "setpriority", "setrlimit");
G(g_memlock, "mlock", "mlock2", "mlockall", "munlock", "munlockall");
G(g_setuid, "setgid", "setgroups", "setregid", "setresgid", "setresuid", "setreuid", "setuid",
  "setfsgid", "setfsuid", "capset");
G(g_chown, "chown", "fchown", "fchownat", "lchown");
G(g_ioctl, "ioctl");
G(g_landlock, "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "seccomp");

/* What services never need; the default profile denies these by name. */
G(g_aio, "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_setup", "io_submit",
  "io_uring_enter", "io_uring_register", "io_uring_setup");
G(g_mount, "chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount", "mount_setattr",
  "move_mount", "open_tree", "pivot_root", "umount2");
G(g_keyring, "add_key", "keyctl", "request_key");
G(g_module, "delete_module", "finit_module", "init_module");
G(g_reboot, "kexec_file_load", "kexec_load", "reboot");
G(g_swap, "swapoff", "swapon");
G(g_clock, "adjtimex", "clock_adjtime", "clock_settime", "settimeofday");
G(g_raw_io, "ioperm", "iopl");
G(g_debug, "lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace", "process_vm_readv",
  "process_vm_writev", "kcmp", "process_madvise");
G(g_obsolete, "_sysctl", "afs_syscall", "bdflush", "create_module", "get_kernel_syms",
  "getpmsg", "nfsservctl", "putpmsg", "query_module", "security", "sysfs", "tuxcall", "uselib",
  "ustat", "vserver");
G(g_cpu_emulation, "modify_ldt", "vm86", "vm86old");
G(g_privileged, "@mount", "@module", "@reboot", "@swap", "@clock", "@raw-io", "acct", "bpf",
  "fanotify_init", "fanotify_mark", "open_by_handle_at", "name_to_handle_at", "quotactl",
  "setdomainname", "sethostname", "vhangup", "userfaultfd", "syslog");

/* A service's usual set: everything above the "never" line. */
G(g_system_service, "@default", "@basic-io", "@file-system", "@io-event", "@ipc", "@network-io",
  "@process", "@signal", "@sync", "@timer", "@resources", "@memlock", "@setuid", "@chown",
  "@ioctl");

const struct sc_group sc_groups[] = {
	{ "default", g_default },
	{ "basic-io", g_basic_io },
	{ "file-system", g_file_system },
	{ "io-event", g_io_event },
	{ "ipc", g_ipc },
	{ "network-io", g_network_io },
	{ "process", g_process },
	{ "signal", g_signal },
	{ "sync", g_sync },
	{ "timer", g_timer },
	{ "resources", g_resources },
	{ "memlock", g_memlock },
	{ "setuid", g_setuid },
	{ "chown", g_chown },
	{ "ioctl", g_ioctl },
	{ "sandbox", g_landlock },
	{ "aio", g_aio },
	{ "mount", g_mount },
	{ "keyring", g_keyring },
	{ "module", g_module },
	{ "reboot", g_reboot },
	{ "swap", g_swap },
	{ "clock", g_clock },
	{ "raw-io", g_raw_io },
	{ "debug", g_debug },
	{ "obsolete", g_obsolete },
	{ "cpu-emulation", g_cpu_emulation },
	{ "privileged", g_privileged },
	{ "system-service", g_system_service },
	{ NULL, NULL },
};

const struct sc_group *sc_group_find(const char *name)
{
	for (const struct sc_group *g = sc_groups; g->name; g++)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}
