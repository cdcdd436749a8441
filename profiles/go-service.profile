# husk profile for a static Go network service (husk-profile(5)).
#
# The seeds' hardened docker-compose service and Kubernetes securityContext
# as one file:
#   user: "1000:1000", runAsNonRoot       -> user 1000:1000
#   read_only: true                       -> husk's root is always read-only
#   tmpfs: [/tmp, /var/tmp]               -> tmpfs /tmp, tmpfs /var/tmp
#   cap_drop: ALL, cap_add: NET_BIND_SERVICE -> cap-add NET_BIND_SERVICE
#   no-new-privileges:true                -> always set by husk
#   seccompProfile: RuntimeDefault        -> seccomp go-service (tighter)
#   limits: cpus '1', memory 512M         -> cpus 1, memory 512m
#
# Use: husk run --profile go-service --rootfs DIR -- /app
# The limits need a writable cgroup; where there is none (an unprivileged
# user without delegation), add --cgroup auto to run with rlimits only.

include base.profile

user 1000:1000
cap-add NET_BIND_SERVICE
seccomp go-service

tmpfs /tmp:size=64m,nr_inodes=16k,mode=1777
tmpfs /var/tmp:size=64m,nr_inodes=16k,mode=1777

memory 512m                    # also GOMEMLIMIT=90% of it
memory-swap 0
cpus 1                         # also GOMAXPROCS=1
pids 256                       # Go needs GOMAXPROCS+4 threads or so; room for more
rlimit nofile=1024:4096
