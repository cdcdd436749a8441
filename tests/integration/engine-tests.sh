# husk as the entrypoint of real containers: Docker (docker.io 20.10 from
# Debian) as root, and rootless Podman (4.3) as the test user. The Go
# service, stop, zombies, exit codes, a HEALTHCHECK, and the escape probes
# with and without husk. Sourced by test-root.sh (dockerd needs root). The
# test starts its own dockerd (own data root, no bridge, no iptables, the
# vfs driver) and gives Podman its own storage; images are built offline
# from the test rootfs (FROM scratch + COPY), never pulled; everything is
# stopped and removed at the end. Where an engine cannot run, each of its
# tests SKIPs with the reason.

DK_TESTS=(
	"docker: default flags: the Go service serves under husk, in place, each missing layer said"
	"docker: the seeds' hardened flags: the service runs, Go sized from the container's limits"
	"docker: docker stop ends the Go service with its SIGTERM status, 143"
	"docker: the same with the seeds' hardened flags"
	"docker: husk as pid 1 reaps orphans (without it they stay zombies)"
	"docker: docker run's exit status is the service's"
	"docker: a HEALTHCHECK works with husk in front"
	"docker: escape probes, default flags: only the probes no in-place layer can close fail"
	"docker: escape probes, hardened flags: only the probes no in-place layer can close fail"
	"docker: ablation --landlock off: the read-only-root probe fails in place"
	"docker: seccomp=unconfined: auto uses the namespaces and says what it cannot mount"
)
dk_skip_all() {
	local t
	for t in "${DK_TESTS[@]}"; do
		begin "$t"
		skip "$1"
	done
}

. "$(dirname "$0")/dockerd.sh"
# One build context for both engines: the test rootfs (busybox, the Go
# service), husk, the shipped profiles with their filters, and the escape
# probe; the entrypoint (husk or not) is chosen per run.
EC=$(mktemp -d /var/tmp/husk-image.XXXXXX)
mkdir -p "$EC/rootfs"
install -m 755 "$WORK/escape-host" "$EC/rootfs/escape"
husk_context "$EC" "$ROOTFS" "$HUSK_BIN" "$HUSK_PROFILE_DIR"
DK_BUILT=0
if dockerd_start "$(mktemp -u /var/tmp/husk-docker.XXXXXX)"; then
	if dk build -q -t husk-test/app:ci "$EC" >"$EC/build.log" 2>&1; then
		DK_BUILT=1
	else
		dk_skip_all "docker build failed: $(tail -n1 "$EC/build.log")"
	fi
else
	dk_skip_all "$DOCKERD_WHY"
fi
ENG=dk
RUNERR=$EC/run.err

# eng_stop RUN-FLAGS...: the Go service, detached, stopped by the engine:
# its SIGTERM status, 143.
eng_stop() {
	local name="husk-t-stop-$RANDOM$RANDOM"
	"$ENG" run -d --name "$name" --network none "$@" husk-test/app:ci /app -addr 127.0.0.1:8080 \
		>/dev/null 2>&1
	ready() { "$ENG" logs "$name" 2>/dev/null | grep -q listening; }
	if wait_for ready; then
		"$ENG" stop -t 10 "$name" >/dev/null 2>&1
		RC=$("$ENG" inspect -f '{{.State.ExitCode}}' "$name")
		expect_rc 143 && pass
	else
		fail "did not start: $("$ENG" logs "$name" 2>&1 | tail -n 3)"
	fi
	"$ENG" rm -f "$name" >/dev/null 2>&1
}

# Five orphans exit at once; their parent is gone, so pid 1 must reap.
ORPHANS='i=0; while [ $i -lt 5 ]; do /bin/busybox sh -c "/bin/busybox true &"; i=$((i+1)); done
/bin/busybox sleep 1; z=0; for s in /proc/[0-9]*/stat; do read -r _ _ st _ <"$s" 2>/dev/null && [ "$st" = Z ] && z=$((z+1)); done; echo zombies=$z'
eng_zombies() {
	# The control: a pid 1 that waits for its own child only (busybox
	# xargs), as a program that is no init does.
	drun --entrypoint /bin/busybox husk-test/app:ci xargs /bin/busybox sh -c "$ORPHANS"
	local without=$OUT
	drun husk-test/app:ci /bin/busybox sh -c "$ORPHANS"
	[ "$RC" = 0 ] && expect_out '^zombies=0$' && grep -qE '^zombies=[1-9]' <<<"$without" && pass ||
		fail "with husk '$OUT', without '$without'"
}

HARDENED=(--read-only --tmpfs /tmp --cap-drop ALL --cap-add NET_BIND_SERVICE
	--security-opt no-new-privileges --user 1000:1000 --pids-limit 256 --memory 512m)


# eng_escape LABEL RUN-FLAGS...: the probe with the engine alone (with
# --init, as a user would) and with husk in front; only unclosable probes
# may fail with husk.
eng_escape() {
	local label=$1
	shift
	drun_until '^[0-9]+ passed, ' --init "$@" --entrypoint /escape husk-test/app:ci
	local alone
	alone=$(eng_fails)
	drun "$@" husk-test/app:ci /escape
	local with closable
	with=$(eng_fails)
	closable=$(grep -vxE "$DK_UNCLOSABLE" <<<"$with" | grep . | tr '\n' '|')
	echo "# $label: the engine alone $(grep -c . <<<"$alone") FAIL, with husk $(grep -c . <<<"$with") FAIL"
	grep . <<<"$with" | sed 's/^/#   with husk: FAIL /'
	if [ -z "$(grep -oE '^[0-9]+ passed' <<<"$OUT")" ]; then
		fail "the probe did not finish under husk (exit $RC)"
	elif [ -n "$closable" ]; then
		fail "closable probes fail under husk: $closable"
	elif [ "$(grep -c . <<<"$alone")" -le "$(grep -c . <<<"$with")" ]; then
		fail "husk closed nothing: alone $(grep -c . <<<"$alone"), with husk $(grep -c . <<<"$with")"
	else
		pass
	fi
}

if [ "$DK_BUILT" = 1 ]; then
	begin "${DK_TESTS[0]}"
	drun husk-test/app:ci
	[ "$RC" = 0 ] && expect_out 'GET /health -> "ok"' && expect_out '^CapEff:[[:space:]]+0000000000000000$' &&
		expect_out '^NoNewPrivs:[[:space:]]+1$' && expect_out 'uid=65534 gid=65534' &&
		expect_out 'write /etc/x: .*permission denied' &&
		expect_err 'create namespaces: Operation not permitted; --namespaces auto goes on in place' &&
		expect_err 'in place: no pid namespace' && pass || fail "exit $RC"

	begin "${DK_TESTS[1]}"
	drun "${HARDENED[@]}" --cpus 1 husk-test/app:ci
	[ "$RC" = 0 ] && expect_out 'GET /health -> "ok"' && expect_out 'uid=1000 gid=1000' &&
		expect_out 'GOMAXPROCS=1 GOMEMLIMIT=483183819' && expect_err 'bounding set keeps NET_BIND_SERVICE' &&
		pass || fail "exit $RC"

	begin "${DK_TESTS[2]}"
	eng_stop
	begin "${DK_TESTS[3]}"
	eng_stop "${HARDENED[@]}"

	begin "${DK_TESTS[4]}"
	eng_zombies

	begin "${DK_TESTS[5]}"
	drun husk-test/app:ci /bin/busybox sh -c 'exit 42'
	a=$RC
	drun husk-test/app:ci /bin/busybox sh -c 'kill -USR1 $$'
	[ "$a" = 42 ] && [ "$RC" = 138 ] && pass || fail "exit 42 gave $a, SIGUSR1 gave $RC"

	begin "${DK_TESTS[6]}"
	name="husk-t-health-$RANDOM"
	dk run -d --name "$name" --network none husk-test/app:ci /app -addr 127.0.0.1:8080 >/dev/null
	healthy() { [ "$(dk inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null)" = healthy ]; }
	if wait_for healthy; then pass; else fail "health: $(dk inspect -f '{{json .State.Health}}' "$name" | cut -c1-300)"; fi
	dk rm -f "$name" >/dev/null 2>&1

	begin "${DK_TESTS[7]}"
	eng_escape "docker defaults"
	begin "${DK_TESTS[8]}"
	eng_escape "docker, hardened flags" "${HARDENED[@]}"

	# As uid 0 without capabilities the service still owns the image's
	# root-owned directories: only Landlock keeps it from writing there.
	begin "${DK_TESTS[9]}"
	drun --entrypoint /usr/bin/husk husk-test/app:ci run --profile container --user 0:0 -- /escape B1
	with=$OUT
	drun --entrypoint /usr/bin/husk husk-test/app:ci run --profile container --user 0:0 --landlock off -- /escape B1
	grep -q '^PASS B1 root read-only' <<<"$with" && expect_out '^FAIL B1 root read-only' && pass ||
		fail "with Landlock: $(grep B1 <<<"$with")"

	begin "${DK_TESTS[10]}"
	drun --security-opt seccomp=unconfined husk-test/app:ci
	[ "$RC" = 0 ] && expect_out 'GET /health -> "ok"' && expect_out 'hostname=husk' &&
		expect_err 'mount proc on /proc: refused' && ! grep -q 'goes on in place' <<<"$ERR" && pass ||
		fail "exit $RC"
fi

dockerd_stop

# ---- rootless Podman, as the test user ---------------------------------
# Podman's default seccomp profile allows the clone of a user namespace in
# a rootless container, but the host ids husk would map the service to are
# not ids of the container's own user namespace: auto sees that before the
# clone and goes on in place, and husk check says the same.
PM_TESTS=(
	"podman rootless: default flags: the Go service serves under husk, in place, as the ids cannot be mapped"
	"podman rootless: husk check shows what run does: in place"
	"podman rootless: podman stop ends the Go service with its SIGTERM status, 143"
	"podman rootless: husk as pid 1 reaps orphans (without it they stay zombies)"
	"podman rootless: podman run's exit status is the service's"
	"podman rootless: escape probes: only the probes no in-place layer can close fail"
)
pm_skip_all() {
	local t
	for t in "${PM_TESTS[@]}"; do
		begin "$t"
		skip "$1"
	done
}
PU=${HUSK_TEST_USER:-}
PD=""
pm_subid_added=0
if [ "$(id -u)" != 0 ] || [ -z "$PU" ] || ! id "$PU" >/dev/null 2>&1; then
	pm_skip_all "needs root and the suite's test user"
elif ! command -v podman >/dev/null || ! command -v newuidmap >/dev/null; then
	pm_skip_all "podman and uidmap are not installed (tests/install-deps installs them)"
else
	PD=$(mktemp -d /var/tmp/husk-podman.XXXXXX)
	mkdir -p "$PD/home" "$PD/run"
	chown -R "$PU" "$PD"
	chmod 700 "$PD/run"
	chmod 755 "$PD"
	# Rootless Podman maps the user's subordinate ids: give the test
	# user a range for this run when it has none.
	if ! grep -q "^$PU:" /etc/subuid 2>/dev/null || ! grep -q "^$PU:" /etc/subgid 2>/dev/null; then
		echo "$PU:300000:65536" >>/etc/subuid
		echo "$PU:300000:65536" >>/etc/subgid
		pm_subid_added=1
	fi
fi
pm() {
	(cd / && setpriv --reuid="$PU" --regid="$PU" --init-groups --reset-env -- \
		env HOME="$PD/home" XDG_RUNTIME_DIR="$PD/run" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		podman --runtime runc --storage-driver vfs --root "$PD/storage" --runroot "$PD/runroot" \
		--cgroup-manager cgroupfs --events-backend file "$@")
}
if [ -n "$PD" ]; then
	if ! pm build -q -t husk-test/app:ci "$EC" >"$PD/build.log" 2>&1; then
		pm_skip_all "podman build fails here: $(grep -v '^time=' "$PD/build.log" | tail -n1 | cut -c1-200)"
	else
		ENG=pm
		RUNERR=$PD/run.err

		begin "${PM_TESTS[0]}"
		drun husk-test/app:ci
		[ "$RC" = 0 ] && expect_out 'GET /health -> "ok"' && expect_out '^CapEff:[[:space:]]+0000000000000000$' &&
			expect_out '^NoNewPrivs:[[:space:]]+1$' && expect_out 'write /etc/x: .*permission denied' &&
			expect_err 'host uid [0-9]+ is not mapped in the user namespace husk runs in.*goes on in place' &&
			pass || fail "exit $RC"

		begin "${PM_TESTS[1]}"
		drun --entrypoint /usr/bin/husk husk-test/app:ci check --profile container -- /app
		[ "$RC" = 0 ] && expect_out 'namespaces +none: in place' && expect_out 'PrivatePIDs: in place' &&
			pass || fail "exit $RC"

		begin "${PM_TESTS[2]}"
		eng_stop
		begin "${PM_TESTS[3]}"
		eng_zombies

		begin "${PM_TESTS[4]}"
		drun husk-test/app:ci /bin/busybox sh -c 'exit 42'
		expect_rc 42 && pass

		begin "${PM_TESTS[5]}"
		eng_escape "podman rootless"
	fi
	pm rm -af >/dev/null 2>&1
	# Rootless Podman leaves its pause process (the user namespace's
	# holder): only the test user's processes, none of the caller's.
	pkill -KILL -u "$PU" 2>/dev/null
	rm -rf "$PD"
	if [ "$pm_subid_added" = 1 ]; then
		sed -i "/^$PU:300000:65536\$/d" /etc/subuid /etc/subgid
	fi
fi
rm -rf "$EC"
