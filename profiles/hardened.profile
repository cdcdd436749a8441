# husk profile "hardened" (husk-profile(5)): husk's own defaults for a
# container another runtime starts; the profile `husk runtime` enforces
# unless told otherwise. Everything husk run gives that an OCI config can
# say: a non-root user, no capability but NET_BIND_SERVICE, no_new_privs,
# husk's default filter (64-bit calls only), a read-only root, every
# namespace, /proc masked, no host device, no writable bind of a system
# directory. Not a user namespace: its id maps depend on how the image's
# files are owned, which the wrapper cannot know.
include base.profile
cap-add NET_BIND_SERVICE
gate-allow PrivateUsers
