# husk base profile (husk-profile(5)): what every service profile starts
# from. These are husk's own defaults, written out so a reviewer reads them
# here rather than in the man page, and so a profile that includes this one
# keeps them even if the defaults ever change.

net none                       # own network namespace, only lo
userns private                 # own user namespace, one id mapped
seccomp default                # husk's default filter (husk-seccomp(5))
hostname husk
chdir /

# The root is the rootfs, read-only; writable space is bounded tmpfs only.
tmpfs /tmp:size=64m,nr_inodes=16k,mode=1777

rlimit core=0                  # core dumps can hold secrets
rlimit rtprio=0
stop-timeout 10
