# husk for other runtimes. `husk hook gate` as a createRuntime hook stops
# Debian's runc from starting a bundle weaker than a profile, and as a
# hook of an OCI hooks directory does the same for `podman run`; `husk
# runtime`, registered in a private dockerd (tests/dockerd.sh) as a
# runtime, hardens `docker run` (enforce) or refuses it (gate). Escape
# probes with and without it. Sourced by test-root.sh (runc's rootful
# containers and dockerd need root). Where a tool is missing, its tests
# SKIP with the reason.

G=$(mktemp -d /var/tmp/husk-gate.XXXXXX)
chmod 755 "$G"
GATE_ENV="HUSK_PROFILE_DIR=$HUSK_PROFILE_DIR"

# gate_bundle NAME [JQ FILTER]: a bundle from runc spec on the test root,
# its program a shell that says it started, with husk hook gate
# --profile restricted as its createRuntime hook; then "hardened" to
# what restricted asks (a user, NET_BIND_SERVICE only, husk's filter) and
# FILTER applied on top.
gate_bundle() {
	local b="$G/$1" f=${2:-.}
	mkdir -p "$b"
	(cd "$b" && runc spec) || return 1
	jq --arg root "$ROOTFS" --arg husk "$HUSK_BIN" --arg env "$GATE_ENV" \
		--slurpfile sc "$G/seccomp.json" '
		.process.terminal = false |
		.process.args = ["/bin/sh", "-c", "echo started as $(id -u)"] |
		.root = { path: $root, readonly: true } |
		.process.user = { uid: 1000, gid: 1000 } |
		.process.capabilities = ({ bounding: ["CAP_NET_BIND_SERVICE"],
			effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE"],
			inheritable: ["CAP_NET_BIND_SERVICE"], ambient: ["CAP_NET_BIND_SERVICE"] }) |
		.linux.seccomp = $sc[0] |
		.hooks.createRuntime = [{ path: $husk,
			args: ["husk", "hook", "gate", "--profile", "restricted"], env: [$env] }]' \
		"$b/config.json" | jq "$f" >"$b/c" && mv "$b/c" "$b/config.json"
}

# Nothing of a refused container is left: runc lists none, and no mount
# names the test's directory.
gate_nothing_left() {
	local left
	left=$(runc list -q 2>/dev/null | grep -x "$1")
	[ -z "$left" ] && ! grep -qF "$G" /proc/self/mountinfo
}

GR_TESTS=(
	"gate: runc: a bundle that meets restricted starts past husk hook gate"
	"gate: runc: each weak variant is refused with its rule, and nothing is left"
	"gate: hook gate refuses bad input with one line: malformed state, missing bundle, unreadable config, unknown profile"
	"gate: husk check --bundle --profile shows the gate's verdict with the same rule names, and exits 1 where the gate refuses"
	"gate: husk runtime refuses bad input with one line and starts nothing: unknown profile, missing bundle, bad config, bad mode"
)
if ! command -v runc >/dev/null || ! command -v jq >/dev/null; then
	for t in "${GR_TESTS[@]}"; do begin "$t"; skip "runc and jq are needed (tests/install-deps installs them)"; done
else
	"$HUSK_BIN" seccomp export --format oci default >"$G/seccomp.json" 2>"$G/export.err"

	begin "${GR_TESTS[0]}"
	gate_bundle good
	OUT=$(cd "$G/good" && timeout 60 runc run husk-gate-good 2>&1)
	RC=$?
	# The export says which denials an OCI filter loses in runc.
	expect_rc 0 && expect_out '^started as 1000$' &&
		grep -q 'conditional rules of socket, ioctl are lost' "$G/export.err" && pass ||
		fail "export said: $(cat "$G/export.err")"

	begin "${GR_TESTS[1]}"
	ok=1 why=""
	while IFS='|' read -r name rule filter; do
		gate_bundle "$name" "$filter" || { ok=0 why="$name: bundle"; break; }
		OUT=$(cd "$G/$name" && timeout 60 runc run "husk-gate-$name" 2>&1)
		RC=$?
		if [ "$RC" = 0 ] || grep -q '^started' <<<"$OUT"; then
			ok=0 why="$name started"
			break
		elif ! grep -qE "husk: hook gate: weaker than profile restricted: $rule: " <<<"$OUT"; then
			ok=0 why="$name: no '$rule' in: $(tail -n2 <<<"$OUT")"
			break
		elif ! gate_nothing_left "husk-gate-$name"; then
			ok=0 why="$name left a container or a mount"
			runc delete -f "husk-gate-$name" >/dev/null 2>&1
			break
		fi
	done <<-'EOF'
	root|User|.process.user = {uid: 0, gid: 0}
	sysadmin|CapabilityBoundingSet|.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
	nofilter|SystemCallFilter|del(.linux.seccomp)
	allowall|SystemCallFilter|.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW"}
	nnp|NoNewPrivileges|.process.noNewPrivileges = false
	hostnet|PrivateNetwork|.linux.namespaces |= map(select(.type != "network"))
	hostpid|PrivatePIDs|.linux.namespaces |= map(select(.type != "pid"))
	etc|ProtectSystem|.mounts += [{destination: "/mnt", type: "bind", source: "/etc", options: ["rbind"]}]
	unmasked|ProtectProc|.linux.maskedPaths = []
	devices|PrivateDevices|.linux.resources.devices = [{allow: true, access: "rwm"}]
	EOF
	[ "$ok" = 1 ] && pass || fail "$why"

	begin "${GR_TESTS[2]}"
	ok=1
	gate_case() { # WANT-IN-ERROR STDIN ARGS...
		local want=$1 in=$2
		shift 2
		OUT="" ERR=$(printf '%s' "$in" | env "$GATE_ENV" "$HUSK_BIN" hook gate "$@" 2>&1 >/dev/null)
		RC=$?
		if [ "$RC" = 0 ] || [ "$(grep -c . <<<"$ERR")" != 1 ] || ! grep -q "$want" <<<"$ERR"; then
			ok=0
			fail "$want: exit $RC: $ERR"
		fi
	}
	mkdir -p "$G/unreadable" "$G/notjson"
	echo '{' >"$G/notjson/config.json"
	gate_case 'the state on stdin' 'not json'
	gate_case 'no "bundle" string' '{"id": "x"}'
	gate_case "bundle $G/missing: No such file" "{\"bundle\": \"$G/missing\"}"
	gate_case "unreadable/config.json" "{\"bundle\": \"$G/unreadable\"}"
	gate_case "notjson/config.json" "{\"bundle\": \"$G/notjson\"}"
	gate_case "no-such-profile" "{\"bundle\": \"$G/good\"}" --profile no-such-profile
	[ "$ok" = 1 ] && pass

	begin "${GR_TESTS[4]}"
	# husk runtime's own bad input: nothing reaches runc.
	ok=1
	for args in "--profile no-such-profile create --bundle $G/good husk-gate-bad1" \
		"create --bundle $G/missing husk-gate-bad2" "create --bundle $G/notjson husk-gate-bad3" \
		"--mode sometimes create --bundle $G/good husk-gate-bad4"; do
		# shellcheck disable=SC2086
		ERR=$(env "$GATE_ENV" "$HUSK_BIN" runtime $args 2>&1 >/dev/null)
		RC=$?
		if [ "$RC" != 125 ] || [ "$(grep -c . <<<"$ERR")" != 1 ] || runc list -q | grep -q '^husk-gate-bad'; then
			ok=0
			fail "husk runtime $args: exit $RC: $ERR"
			break
		fi
	done
	[ "$ok" = 1 ] && pass

	begin "${GR_TESTS[3]}"
	run_husk check --bundle "$G/good" --profile restricted
	good_rc=$RC good_out=$OUT
	run_husk check --json --bundle "$G/root" --profile restricted
	json_rules=$(jq -r '.gate.weaker[].rule' <<<"$OUT" 2>/dev/null | tr '\n' ' ')
	run_husk check --bundle "$G/root" --profile restricted
	if [ "$good_rc" != 0 ] || ! grep -q '^gate (husk hook gate --profile restricted): meets the profile$' <<<"$good_out"; then
		fail "the good bundle: exit $good_rc: $(tail -n3 <<<"$good_out")"
	elif [ "$json_rules" != "User " ]; then
		fail "--json's gate rules: '$json_rules'"
	else
		expect_rc 1 && expect_out '^gate \(husk hook gate --profile restricted\): refused' &&
			expect_out '^  User +runs as uid 0$' && expect_err 'the gate refuses this config' && pass
	fi
fi

# ---- Podman: an OCI hooks directory ------------------------------------
begin "gate: podman run --hooks-dir: the hardened flags start, the default flags are refused with husk's reasons"
if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
	skip "podman and runc are needed (tests/install-deps installs them)"
else
	mkdir -p "$G/hooks" "$G/img/bin"
	jq -n --arg husk "$HUSK_BIN" --arg env "$GATE_ENV" '{ version: "1.0.0",
		hook: { path: $husk, args: ["husk", "hook", "gate", "--profile", "restricted"], env: [$env] },
		when: { always: true }, stages: ["prestart"] }' >"$G/hooks/husk-gate.json"
	# Podman's default nofile and nproc are above the hard limits here,
	# which runc cannot raise where the bounding set lacks
	# CAP_SYS_RESOURCE (this host's): both runs ask for less.
	gpm() {
		podman --root "$G/pm/root" --runroot "$G/pm/run" --storage-driver vfs --runtime runc \
			--cgroup-manager cgroupfs --events-backend none --hooks-dir "$G/hooks" "$@"
	}
	(cd "$ROOTFS" && tar -c .) | gpm import - husk-gate:1 >/dev/null 2>&1
	hard=$(gpm run --rm --network none --ulimit nofile=1024:4096 --ulimit nproc=1024:2048 --user 1000:1000 --cap-drop ALL --cap-add NET_BIND_SERVICE \
		--security-opt no-new-privileges husk-gate:1 /bin/sh -c 'echo started as $(id -u)' 2>&1)
	hrc=$?
	weak=$(gpm run --rm --network none --ulimit nofile=1024:4096 --ulimit nproc=1024:2048 husk-gate:1 /bin/sh -c 'echo started' 2>&1)
	wrc=$?
	left=$(gpm ps -aq 2>/dev/null)
	if [ "$hrc" != 0 ] || ! grep -q '^started as 1000$' <<<"$hard"; then
		fail "the hardened run: exit $hrc: $(tail -n3 <<<"$hard")"
	elif [ "$wrc" = 0 ] || grep -q '^started' <<<"$weak" ||
		! grep -q 'weaker than profile restricted: User: runs as uid 0' <<<"$weak" ||
		! grep -q 'weaker than profile restricted: NoNewPrivileges' <<<"$weak"; then
		fail "the default run: exit $wrc: $(tail -n3 <<<"$weak")"
	elif [ -n "$left" ]; then
		fail "containers left: $left"
	else
		pass
	fi

	# husk runtime as Podman's runtime: Podman starts its runtime with a
	# clean environment, so the profile directory comes as a flag.
	ln -sf "$HUSK_BIN" "$G/husk-runtime"
	rpm() {
		podman --root "$G/pm/root" --runroot "$G/pm/run" --storage-driver vfs --cgroup-manager cgroupfs \
			--events-backend none --runtime "$G/husk-runtime" \
			--runtime-flag "profile-dir=$HUSK_PROFILE_DIR" "$@"
	}
	begin "gate: podman --runtime husk-runtime: the default flags run hardened; with mode=gate they are refused with husk's reason"
	OUT=$(rpm run --rm --network none --ulimit nofile=1024:4096 --ulimit nproc=1024:2048 husk-gate:1 \
		/bin/sh -c 'id -u; grep -E "^(NoNewPrivs|Seccomp|CapEff):" /proc/self/status' 2>&1)
	RC=$?
	weak=$(rpm --runtime-flag profile=restricted --runtime-flag mode=gate run --rm --network none \
		--ulimit nofile=1024:4096 --ulimit nproc=1024:2048 husk-gate:1 /bin/sh -c 'echo started' 2>&1)
	wrc=$?
	if expect_rc 0 && expect_out '^65534$' && expect_out '^NoNewPrivs:[[:space:]]+1$' &&
		expect_out '^Seccomp:[[:space:]]+2$' && expect_out '^CapEff:[[:space:]]+0+$'; then
		if [ "$wrc" = 0 ] || grep -q '^started' <<<"$weak" ||
			! grep -q 'husk: runtime: weaker than profile restricted: User: runs as uid 0' <<<"$weak"; then
			fail "mode=gate: exit $wrc: $(tail -n2 <<<"$weak")"
		elif [ -n "$(gpm ps -aq 2>/dev/null)" ]; then
			fail "containers left: $(gpm ps -a 2>/dev/null | tail -n +2)"
		else
			pass
		fi
	fi
	gpm rm -af >/dev/null 2>&1
	gpm rmi -af >/dev/null 2>&1
	grep -F "$G" /proc/self/mountinfo | cut -d' ' -f5 | sort -r | xargs -r -n1 umount -l 2>/dev/null
fi

# ---- Docker: husk runtime -------------------------------------------------
GD_TESTS=(
	"gate: docker run --runtime husk: the same image and command, hardened: uid, caps, no_new_privs, husk's filter, read-only root"
	"gate: docker run --runtime husk: escape probes pass that the profile's rules cover, where plain docker run fails them"
	"gate: docker run --runtime husk-gate refuses the default flags with husk's reason, and starts the hardened ones"
	"gate: docker stop, kill, exec and logs work through husk runtime"
)
# The wrapper as a daemon names it: husk-runtime, husk's other name; its
# profile and mode from the runtime entries' arguments.
ln -sf "$HUSK_BIN" "$G/husk-runtime"
cat >"$G/daemon.json" <<EOF
{ "runtimes": {
	"husk": { "path": "$G/husk-runtime", "runtimeArgs": ["--profile", "hardened"] },
	"husk-gate": { "path": "$G/husk-runtime", "runtimeArgs": ["--profile", "restricted", "--mode", "gate"] } } }
EOF
DOCKERD_EXTRA=(--config-file "$G/daemon.json")
GATE_DK=0
if ! command -v runc >/dev/null; then
	for t in "${GD_TESTS[@]}"; do begin "$t"; skip "runc is not installed"; done
elif HUSK_PROFILE_DIR=$HUSK_PROFILE_DIR dockerd_start "$(mktemp -u /var/tmp/husk-docker.XXXXXX)"; then
	mkdir -p "$G/ctx/rootfs"
	cp -a "$ROOTFS/." "$G/ctx/rootfs/"
	install -m 755 "$WORK/escape-host" "$G/ctx/rootfs/escape"
	printf 'FROM scratch\nCOPY rootfs/ /\nCMD ["/app", "-selftest"]\n' >"$G/ctx/Dockerfile"
	if dk build -q -t husk-gate/app:ci "$G/ctx" >"$G/build.log" 2>&1; then
		GATE_DK=1
	else
		for t in "${GD_TESTS[@]}"; do begin "$t"; skip "docker build failed: $(tail -n1 "$G/build.log")"; done
	fi
else
	for t in "${GD_TESTS[@]}"; do begin "$t"; skip "$DOCKERD_WHY"; done
fi
DOCKERD_EXTRA=()

if [ "$GATE_DK" = 1 ]; then
	ENG=dk
	RUNERR=$G/run.err

	begin "${GD_TESTS[0]}"
	drun --runtime husk husk-gate/app:ci
	[ "$RC" = 0 ] && expect_out 'GET /health -> "ok"' && expect_out 'uid=65534 gid=65534' &&
		expect_out '^CapEff:[[:space:]]+0000000000000000$' && expect_out '^NoNewPrivs:[[:space:]]+1$' &&
		expect_out '^Seccomp:[[:space:]]+2$' && expect_out 'write /etc/x: .*read-only file system' &&
		pass || fail "exit $RC"

	begin "${GD_TESTS[1]}"
	drun_until '^[0-9]+ passed, ' --init --entrypoint /escape husk-gate/app:ci
	alone=$(eng_fails)
	drun --runtime husk --entrypoint /escape husk-gate/app:ci
	with=$(eng_fails)
	na=$(grep -c . <<<"$alone") nw=$(grep -c . <<<"$with")
	echo "# docker run alone: $na FAIL; with --runtime husk (hardened): $nw FAIL"
	grep . <<<"$with" | sed 's/^/#   with --runtime husk: FAIL /'
	# What the profile's rules do not cover in an OCI config, each with
	# its reason: the user namespace (A2, A3: hardened lets it go, the
	# image's ids are the host's); the engine's own mounts and /proc
	# list (B12, B13, C1) and cgroup view; the bounding set as Docker
	# wrote it for a root container (A6: no rule of the gate reads it
	# past the allowlist it keeps); the conditional denials of ioctl and
	# socket, which runc's libseccomp drops (D5, D6, F9: husk seccomp
	# export says so); the container's pid 1 opening its own namespace
	# files (E15: the probe is that pid 1, with no husk init before it).
	closable=$(grep -vxE "$DK_UNCLOSABLE|D5 TIOCSTI|D5 TIOCSTI high bits \(CVE-2019-10063\)|D6 TIOCLINUX|F9 AF_VSOCK socket|E15 open init's namespaces" <<<"$with" | grep . | tr '\n' '|')
	if [ -z "$(grep -oE '^[0-9]+ passed' <<<"$OUT")" ]; then fail "the probe did not finish (exit $RC)"
	elif [ -n "$closable" ]; then fail "probes the profile covers fail with --runtime husk: $closable"
	elif [ "$nw" -ge "$na" ]; then fail "closed nothing: alone $na, with husk $nw"
	else pass; fi

	begin "${GD_TESTS[2]}"
	drun --runtime husk-gate husk-gate/app:ci /bin/sh -c 'echo started'
	weak_rc=$RC weak_err=$ERR
	drun --runtime husk-gate --user 1000:1000 --cap-drop ALL --cap-add NET_BIND_SERVICE \
		--security-opt no-new-privileges husk-gate/app:ci /bin/sh -c 'echo started as $(id -u)'
	if [ "$weak_rc" = 0 ] || ! grep -q 'husk: runtime: weaker than profile restricted: User: runs as uid 0' <<<"$weak_err"; then
		fail "the default flags: exit $weak_rc: $(tail -n2 <<<"$weak_err")"
	else
		expect_rc 0 && expect_out '^started as 1000$' && pass
	fi

	begin "${GD_TESTS[3]}"
	name="husk-gate-ops-$RANDOM"
	# --init: the Go service as pid 1 would not die of SIGTERM (Go exits 2
	# when the kernel ignores its re-raised signal), with or without husk.
	dk run -d --init --runtime husk --name "$name" --network none husk-gate/app:ci /app -addr 127.0.0.1:8080 >/dev/null 2>&1
	ready() { dk logs "$name" 2>&1 | grep -q listening; }
	if ! wait_for ready; then
		fail "did not start: $(dk logs "$name" 2>&1 | tail -n2)"
	else
		ex=$(dk exec "$name" /bin/sh -c 'id -u; grep NoNewPrivs /proc/self/status' 2>&1)
		dk kill "$name" >/dev/null 2>&1
		gone() { [ "$(dk inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = false ]; }
		wait_for gone
		krc=$(dk inspect -f '{{.State.ExitCode}}' "$name")
		dk start "$name" >/dev/null 2>&1
		wait_for ready
		dk stop -t 10 "$name" >/dev/null 2>&1
		src=$(dk inspect -f '{{.State.ExitCode}}' "$name")
		logs=$(dk logs "$name" 2>&1 | grep -c listening)
		if ! grep -q '^65534$' <<<"$ex" || ! grep -qE 'NoNewPrivs:[[:space:]]+1' <<<"$ex"; then fail "exec: $ex"
		elif [ "$krc" != 137 ]; then fail "kill gave exit $krc"
		elif [ "$src" != 143 ]; then fail "stop gave exit $src"
		elif [ "$logs" -lt 2 ]; then fail "logs show $logs starts"
		else pass; fi
	fi
	dk rm -f "$name" >/dev/null 2>&1
	dockerd_stop
fi
rm -rf "$G"
