# Entrypoint mode on this host: --namespaces none and auto, Landlock, the
# TCP port rules, husk as the supervisor in place, and the Go variables
# from the cgroup husk runs in. Sourced by test-user.sh and test-root.sh
# with PHASE set. (The same mode inside real Docker and Podman containers
# is tests/integration/engine-tests.sh.)

ip_abi=$("$HUSK_BIN" --version | sed -n 's/^landlock: ABI \([0-9]*\)$/\1/p')
ip_abi=${ip_abi:-0}
# Outside /tmp: in place the default /tmp is the real one, writable.
# (run.sh makes /var/tmp where a system lacks it, as the VM's does.)
IP=$(mktemp -d /var/tmp/husk-inplace.XXXXXX 2>/dev/null) || IP=$(mktemp -d "$WORK/inplace.XXXXXX")
chmod 755 "$IP"
ip_outside_tmp=1
case "$IP" in /tmp/*) ip_outside_tmp=0 ;; esac
BB=/bin/busybox
[ -x "$BB" ] || BB="$ROOTFS/bin/busybox"

begin "in place ($PHASE): no namespace of its own, every capability dropped, no_new_privs, seccomp"
run_husk run --namespaces none -- "$BB" sh -c 'for n in user mnt pid net; do readlink /proc/self/ns/$n; done; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status'
if expect_rc 0; then
	for n in user mnt pid net; do
		grep -qxF "$(readlink "/proc/self/ns/$n")" <<<"$OUT" || fail "$n namespace is not the caller's"
	done
	# Without CAP_SETPCAP a normal user cannot drop its bounding set:
	# said, and no_new_privs keeps it unreachable.
	if [ "$(id -u)" = 0 ]; then
		expect_out '^CapBnd:[[:space:]]+0000000000000000$' || true
	else
		expect_err 'the bounding set keeps [0-9]+ capabilities' || true
	fi
	expect_out '^CapEff:[[:space:]]+0000000000000000$' &&
		expect_out '^NoNewPrivs:[[:space:]]+1$' && expect_out '^Seccomp:[[:space:]]+2$' &&
		[ "$(grep -c '^husk: warning: in place: no ' <<<"$ERR")" -ge 5 ] && pass ||
		fail "not one warning per layer not in force"
fi

# A directory this phase's user owns: only Landlock keeps the service from
# writing there.
mkdir -p "$IP/own" "$IP/rw"
user_opt=()
[ "$(id -u)" = 0 ] && user_opt=(--user 0:0)
begin "in place ($PHASE): Landlock makes the root read-only; a --bind destination stays writable"
if [ "$ip_abi" -lt 1 ]; then
	skip "no Landlock on this kernel"
elif [ "$ip_outside_tmp" = 0 ]; then
	skip "no directory outside /tmp to write to here"
else
	run_husk run --namespaces none "${user_opt[@]}" --bind "$IP/rw" -- "$BB" sh -c \
		"echo x >'$IP/own/f' || echo refused; echo y >'$IP/rw/f' && echo written"
	expect_rc 0 && expect_out '^refused$' && expect_out '^written$' && [ ! -e "$IP/own/f" ] &&
		[ -f "$IP/rw/f" ] && pass
fi

begin "in place ($PHASE): ablation --landlock off: the same write goes through"
[ "$ip_outside_tmp" = 1 ] || skip "no directory outside /tmp to write to here"
run_husk run --namespaces none "${user_opt[@]}" --landlock off -- "$BB" sh -c "echo x >'$IP/own/f' && echo written"
expect_rc 0 && expect_out '^written$' && [ -f "$IP/own/f" ] && expect_err 'landlock off: the root is as writable' && pass
rm -f "$IP/own/f" "$IP/rw/f"

begin "in place ($PHASE): husk reaps the orphans, returns the service's status and leaves nothing"
# The orphan: a sleep whose parent exits at once, with a length no other
# process here uses.
mark="sleep 4$RANDOM"
run_husk run --namespaces none -- "$BB" sh -c "$BB sh -c '$BB $mark &'; $BB sleep 0.2; exit 7"
sleep 0.2
expect_rc 7 && [ -z "$(procs_with "$mark")" ] && pass || fail "left: $(procs_with "$mark")"

ip_start_bg() {
	"$HUSK_BIN" "$@" >"$IP/bg.out" 2>"$IP/bg.err" </dev/null &
	BG=$!
}
ip_ready() { grep -q listening "$IP/bg.out"; }
ip_port() {
	local cand
	for cand in $(seq 18100 18199); do
		grep -qiE ":$(printf '%04X' "$cand") [0-9A-F:]+ 0A " /proc/net/tcp || { echo "$cand"; return; }
	done
}

begin "in place ($PHASE): SIGTERM reaches the Go service, which exits 143"
port=$(ip_port)
ip_start_bg run --namespaces none -- "$ROOTFS/app" -addr "127.0.0.1:$port"
if wait_for ip_ready; then
	got=$("$BB" wget -qO- "http://127.0.0.1:$port/health" 2>&1)
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	[ "$got" = ok ] && expect_rc 143 && pass || fail "health '$got', exit $RC"
else
	kill -KILL "$BG"; wait "$BG"; fail "did not start: $(cat "$IP/bg.err")"
fi

begin "in place ($PHASE): --stop-timeout ends a service that ignores SIGTERM"
mark="sleep 5$RANDOM"
"$HUSK_BIN" run --namespaces none --stop-timeout 1 -- "$BB" sh -c "trap '' TERM; echo up; $BB $mark" \
	>"$IP/bg.out" 2>"$IP/bg.err" </dev/null &
BG=$!
up() { grep -q up "$IP/bg.out" && [ -n "$(procs_with "$mark")" ]; }
if wait_for up; then
	start=$(date +%s)
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	took=$(($(date +%s) - start))
	expect_rc 137 && [ "$took" -le 5 ] && [ -z "$(procs_with "$mark")" ] && pass || fail "took ${took}s"
else
	kill -KILL "$BG"; wait "$BG"; fail "did not start: $(cat "$IP/bg.err")"
fi

begin "in place ($PHASE): a bind from elsewhere is refused with the fix"
run_husk run --namespaces none --bind "$IP/rw:/data" -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'make /data a volume of the container' && pass

begin "in place ($PHASE): a --tmpfs that is not there is refused by check and run alike"
run_husk check --namespaces none --tmpfs /nonexistent-husk-data -- /bin/true
c=$RC
run_husk run --namespaces none --tmpfs /nonexistent-husk-data -- /bin/true
[ "$c" = 125 ] && expect_rc 125 && expect_one_error_line &&
	expect_err 'tmpfs /nonexistent-husk-data: in place husk mounts nothing.*make it a tmpfs or volume' &&
	pass || fail "check exit $c"

begin "namespaces auto ($PHASE): where namespaces work, they are used"
run_husk run --namespaces auto --rootfs "$ROOTFS" -- /bin/sh -c 'readlink /proc/self/ns/user'
expect_rc 0 && [ "$OUT" != "$(readlink /proc/self/ns/user)" ] && [ -z "$ERR" ] && pass ||
	fail "user namespace '$OUT'"

begin "namespaces auto ($PHASE): under a container's seccomp filter, husk goes on in place and says so"
OUT=$(timeout 30 "$WORK/no-userns" "$HUSK_BIN" run --namespaces auto --rootfs / -- "$BB" sh -c 'grep -E "^(Seccomp_filters|NoNewPrivs):" /proc/self/status' 2>"$IP/err")
RC=$?
ERR=$(cat "$IP/err")
# The container's filter, then husk's two.
expect_rc 0 && expect_err 'create namespaces: Operation not permitted; --namespaces auto goes on in place' &&
	expect_err 'in place: no pid namespace' && expect_out '^Seccomp_filters:[[:space:]]+3$' && pass

begin "namespaces auto ($PHASE): a program only the real root holds (under /tmp) is found in place"
OUT=$(timeout 30 "$WORK/no-userns" "$HUSK_BIN" run --namespaces auto --rootfs / -- "$ROOTFS/bin/busybox" echo found 2>"$IP/err")
RC=$?
ERR=$(cat "$IP/err")
expect_rc 0 && expect_out '^found$' && expect_err 'goes on in place' && pass

begin "namespaces auto ($PHASE): a sandbox that fails after the clone is ended, and the service runs in place"
OUT=$(timeout 30 "$WORK/no-userns" --mounts "$HUSK_BIN" run --namespaces auto --rootfs / -- "$BB" sh -c 'readlink /proc/self/ns/user' 2>"$IP/err")
RC=$?
ERR=$(cat "$IP/err")
expect_rc 0 && [ "$OUT" = "$(readlink /proc/self/ns/user)" ] &&
	expect_err 'set up the namespaces: the sandbox failed \(above\); --namespaces auto goes on in place' && pass

begin "namespaces required ($PHASE): under the same filter, the default still fails closed"
OUT=$(timeout 30 "$WORK/no-userns" "$HUSK_BIN" run --rootfs / -- /bin/true 2>&1)
RC=$?
expect_rc 125 && grep -q -- '--namespaces auto' <<<"$OUT" && pass || fail "$OUT"

begin "check --namespaces auto ($PHASE): under the filter it reports what run does: in place"
OUT=$(timeout 30 "$WORK/no-userns" "$HUSK_BIN" check --namespaces auto --rootfs / -- /bin/true 2>/dev/null)
RC=$?
expect_rc 0 && expect_out 'namespaces +none: in place' && expect_out 'PrivatePIDs: in place' && pass

begin "landlock ($PHASE): --allow-tcp-bind and --allow-tcp-connect limit the Go service's ports"
if [ "$ip_abi" -lt 4 ]; then
	skip "Landlock ABI $ip_abi here: TCP rules need ABI 4 (Linux 6.7)"
else
	run_husk run --rootfs "$ROOTFS" --allow-tcp-bind 8080 --allow-tcp-connect 8080 -- /app -addr 127.0.0.1:8080 -selftest
	a=$RC
	run_husk run --rootfs "$ROOTFS" --allow-tcp-bind 8081 -- /app -addr 127.0.0.1:8080 -selftest
	b_err=$OUT$ERR
	run_husk run --rootfs "$ROOTFS" --allow-tcp-bind 8080 --allow-tcp-connect none -- /app -addr 127.0.0.1:8080 -selftest
	[ "$a" = 0 ] && grep -q 'bind: permission denied' <<<"$b_err" &&
		expect_out 'connect: permission denied' && pass || fail "allowed run exit $a; $b_err"
fi

begin "landlock ($PHASE): husk check shows the rules"
run_husk check --rootfs "$ROOTFS" --tmpfs /run -- /app
if [ "$ip_abi" -lt 1 ]; then
	expect_rc 0 && expect_out '^  landlock +not available' && pass
else
	expect_rc 0 && expect_out "^  landlock +ABI $ip_abi: read and execute on /; write on /dev, /dev/shm, /tmp, /run" && pass
fi

# A container's --memory and --cpus, stood in for by a cgroup that the
# root-started phase makes and runs husk in.
begin "in place ($PHASE): GOMEMLIMIT and GOMAXPROCS follow the cgroup husk runs in"
own=""
if [ "$(id -u)" != 0 ]; then
	:
elif [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] && [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
	mkdir -p /sys/fs/cgroup/memory/husk-own /sys/fs/cgroup/cpu/husk-own &&
		echo 268435456 >/sys/fs/cgroup/memory/husk-own/memory.limit_in_bytes &&
		echo 50000 >/sys/fs/cgroup/cpu/husk-own/cpu.cfs_quota_us && own=v1
elif [ -f /sys/fs/cgroup/cgroup.subtree_control ]; then
	echo "+memory +cpu" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	own=/sys/fs/cgroup/husk-own
	mkdir -p "$own" && echo 268435456 >"$own/memory.max" && echo "50000 100000" >"$own/cpu.max" ||
		{ rmdir "$own"; own=""; }
fi
if [ -z "$own" ]; then
	skip "needs root and a cgroup with the memory and cpu controllers"
else
	enter() {
		if [ "$own" = v1 ]; then
			echo "$BASHPID" >/sys/fs/cgroup/memory/husk-own/cgroup.procs &&
				echo "$BASHPID" >/sys/fs/cgroup/cpu/husk-own/cgroup.procs
		else echo "$BASHPID" >"$own/cgroup.procs"; fi
	}
	OUT=$( (enter && exec "$HUSK_BIN" run --namespaces none -- "$BB" sh -c 'echo "GOMEMLIMIT=$GOMEMLIMIT GOMAXPROCS=$GOMAXPROCS"') 2>/dev/null)
	plain=$( (enter && exec "$HUSK_BIN" run --rootfs "$ROOTFS" -- /bin/sh -c 'echo "GOMEMLIMIT=$GOMEMLIMIT"') 2>/dev/null)
	if [ "$own" = v1 ]; then
		rmdir /sys/fs/cgroup/memory/husk-own /sys/fs/cgroup/cpu/husk-own
	else rmdir "$own"; fi
	[ "$OUT" = "GOMEMLIMIT=241591905 GOMAXPROCS=1" ] && [ "$plain" = "GOMEMLIMIT=" ] && pass ||
		fail "in place: '$OUT'; with namespaces required: '$plain'"
fi
rm -rf "$IP"
