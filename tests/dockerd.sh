# A private Docker engine for the engine tests and the entrypoint benchmark
# (sourced, needs root): its own data and exec roots under DIR, no bridge,
# no iptables, the vfs driver, its own containerd namespace, so that it
# touches nothing of a Docker the machine may run. Images are built
# offline (FROM scratch + COPY); nothing is ever pulled.

DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker 2>/dev/null || true)

dk() { "$DOCKER" -H "unix://$DK_DIR/sock" "$@"; }

# dockerd_start DIR: 0 once the engine answers; else 1 with the reason in
# DOCKERD_WHY (nothing left running). DOCKERD_EXTRA (an array) adds flags,
# such as --add-runtime NAME=PATH.
dockerd_start() {
	DK_DIR=$1
	DOCKERD_WHY=""
	if [ "$(id -u)" != 0 ]; then
		DOCKERD_WHY="dockerd needs root"
		return 1
	fi
	if [ -z "$DOCKER" ] || ! command -v dockerd >/dev/null; then
		DOCKERD_WHY="docker.io is not installed (tests/install-deps installs it)"
		return 1
	fi
	mkdir -p "$DK_DIR"
	dockerd --data-root "$DK_DIR/data" --exec-root "$DK_DIR/exec" --pidfile "$DK_DIR/pid" \
		-H "unix://$DK_DIR/sock" --bridge=none --iptables=false --ip6tables=false \
		--storage-driver=vfs --containerd-namespace husk-test \
		--containerd-plugins-namespace husk-test-plugins ${DOCKERD_EXTRA[@]+"${DOCKERD_EXTRA[@]}"} \
		>"$DK_DIR/log" 2>&1 &
	DK_PID=$!
	local i
	for i in $(seq 1 300); do
		dk version >/dev/null 2>&1 && return 0
		kill -0 "$DK_PID" 2>/dev/null || break
		sleep 0.1
	done
	DOCKERD_WHY="dockerd does not start here: $(grep -m1 -iE 'level=(fatal|error)' "$DK_DIR/log" | cut -c1-200)"
	dockerd_stop
	return 1
}

# Removes every container, stops the engine and its managed containerd,
# and leaves no mount or file of theirs. Every step may find nothing to do
# (a caller under set -e must still get through all of them).
dockerd_stop() {
	[ -n "${DK_DIR:-}" ] || return 0
	dk ps -aq 2>/dev/null | xargs -r "$DOCKER" -H "unix://$DK_DIR/sock" rm -f >/dev/null 2>&1 || true
	if [ -n "${DK_PID:-}" ]; then
		kill "$DK_PID" 2>/dev/null || true
		local i
		for i in $(seq 1 200); do kill -0 "$DK_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$DK_PID" 2>/dev/null || true
		wait "$DK_PID" 2>/dev/null || true
	fi
	pkill -f "$DK_DIR" 2>/dev/null || true
	{ grep -F "$DK_DIR" /proc/self/mountinfo || true; } | cut -d' ' -f5 | sort -r |
		xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$DK_DIR"
	DK_DIR="" DK_PID=""
	return 0
}

# husk_context CONTEXT ROOTFS HUSK PROFILES: a build context (any engine)
# for an image of ROOTFS with husk (and the libraries it links) at
# /usr/bin/husk and the profiles with their filters in /etc/husk, husk run
# --profile container as its entrypoint. Extra files go into
# CONTEXT/rootfs before the call.
husk_context() {
	local ctx=$1 rootfs=$2 husk=$3 profiles=$4 lib
	mkdir -p "$ctx/rootfs/usr/bin" "$ctx/rootfs/etc/husk"
	cp -a "$rootfs/." "$ctx/rootfs/"
	install -m 755 "$husk" "$ctx/rootfs/usr/bin/husk"
	for lib in $(ldd "$husk" 2>/dev/null | grep -oE '/[^ ]+'); do
		mkdir -p "$ctx/rootfs$(dirname "$lib")"
		cp -L "$lib" "$ctx/rootfs$lib"
	done
	cp "$profiles"/*.profile "$profiles"/*.policy "$ctx/rootfs/etc/husk/"
	cp "$profiles"/*.bpf "$ctx/rootfs/etc/husk/" 2>/dev/null
	cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV HUSK_PROFILE_DIR=/etc/husk
HEALTHCHECK --interval=1s --timeout=2s --retries=60 CMD ["/bin/busybox", "wget", "-qO-", "http://127.0.0.1:8080/health"]
ENTRYPOINT ["/usr/bin/husk", "run", "--profile", "container", "--"]
CMD ["/app", "-addr", "127.0.0.1:8080", "-selftest"]
EOF
	chmod -R a+rX "$ctx"
}

# husk_image CONTEXT ROOTFS HUSK PROFILES TAG: the same, built by the
# private dockerd.
husk_image() {
	husk_context "$1" "$2" "$3" "$4" && dk build -q -t "$5" "$1" >"$1/build.log" 2>&1
}

# ---- running containers (engine $ENG: dk, or a function for Podman) ----

# drun_until PATTERN RUN-ARGS...: runs a container of engine $ENG (no
# network) detached, until it exits or its logs match PATTERN (90 s at
# most), and fills OUT and ERR from its logs and RC. The escape probe
# without husk stops its own init (its ptrace probe succeeds there), so
# that container never exits by itself.
drun_until() {
	local pat=$1 name="husk-t-$RANDOM$RANDOM" i
	shift
	"$ENG" run -d --name "$name" --network none "$@" >/dev/null 2>"$RUNERR" || {
		RC=125 OUT="" ERR=$(cat "$RUNERR")
		return
	}
	for i in $(seq 1 450); do
		[ -n "$pat" ] && "$ENG" logs "$name" 2>/dev/null | grep -qE "$pat" && break
		[ "$("$ENG" inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
		sleep 0.2
	done
	RC=$("$ENG" inspect -f '{{.State.ExitCode}}' "$name" 2>/dev/null)
	OUT=$("$ENG" logs "$name" 2>/dev/null)
	ERR=$("$ENG" logs "$name" 2>&1 >/dev/null)
	"$ENG" rm -f "$name" >/dev/null 2>&1
}
# drun RUN-ARGS...: the same, until the container exits.
drun() { drun_until "" "$@"; }

# What no in-place layer can close, each with its reason (README, "As a
# container entrypoint", has the table):
#   A2, A3  no user namespace: the container's ids are the host's;
#   A6      (hardened) the bounding set keeps what the engine left, since
#           husk runs without CAP_SETPCAP there;
#   B12,B13 the container's own mounts (husk mounts nothing; no_new_privs
#           makes setuid inert and Landlock refuses the writes);
#   C1      the container's /proc, masked by the engine's list;
#   H5      no cgroup namespace (Docker 20.10 on cgroup v1 shares the host's).
DK_UNCLOSABLE="A2 gid_map small, no host root|A2 uid_map small, no host root|A3 setgroups deny|A6 capability sets|B12 every mount nosuid|B13 writable mounts bounded|C1 masked paths|H5 cgroup paths"
eng_fails() { grep '^FAIL ' <<<"$OUT" | cut -d: -f1 | sed 's/^FAIL //' | sort; }
