# husk profile "restricted" (husk-profile(5)): Pod Security Admission's
# "restricted" level, for containers another runtime starts, judged by
# `husk hook gate` and `husk runtime` on a device without Kubernetes.
#
#   runAsNonRoot                          -> User: uid 0 is refused
#   allowPrivilegeEscalation: false       -> NoNewPrivileges
#   capabilities: drop ALL,
#     add at most NET_BIND_SERVICE        -> CapabilityBoundingSet
#   seccompProfile: RuntimeDefault
#     or Localhost (never Unconfined)     -> SystemCallFilter: a filter whose
#                                            default action denies
#   hostNetwork, hostPID, hostIPC: false  -> PrivateNetwork, PrivatePIDs, PrivateIPC
#   privileged: false, procMount: Default -> PrivateDevices, ProtectProc,
#                                            ProtectKernelTunables
#   hostPath volumes                      -> ProtectSystem, ProtectHome: no
#                                            writable bind of the host's system
#                                            or home directories
#
# What the level does not ask for is not asked here either (gate-allow):
# husk run would still give all of it.
include base.profile
cap-add NET_BIND_SERVICE
gate-allow ProtectSystem=strict      # readOnlyRootFilesystem is not part of it
gate-allow PrivateUsers              # nor a user namespace
gate-allow SystemCallArchitectures   # RuntimeDefault admits 32-bit calls
gate-allow SystemCallFilter=~denied  # any filter that denies by default, not husk's own
gate-allow ProtectControlGroups      # Docker shares the host's cgroup namespace on cgroup v1
gate-allow LimitCORE                 # nor resource limits
gate-allow LimitNOFILE
gate-allow LimitRTPRIO
