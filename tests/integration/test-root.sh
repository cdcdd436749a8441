#!/bin/bash
# husk run started by root: the service still runs as a non-root id in its
# own user namespace, unless told otherwise. Run by run.sh as root.
set -u
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { echo "test-root.sh must run as root" >&2; exit 99; }

begin "root-started: service runs as 65534:65534 with no groups and no caps"
sandbox_sh 'id -u; id -g; grep -E "^(Groups|CapEff|CapBnd|CapPrm|CapAmb|CapInh|NoNewPrivs):" /proc/self/status'
if expect_rc 0 && expect_out '^65534$' && expect_out '^NoNewPrivs:[[:space:]]+1$'; then
	[ "$(sed -n 1p <<<"$OUT")" = 65534 ] && [ "$(sed -n 2p <<<"$OUT")" = 65534 ] || fail "ids"
	grep -qE '^Groups:[[:space:]]*$' <<<"$OUT" || fail "supplementary groups kept"
	for s in CapInh CapPrm CapEff CapBnd CapAmb; do
		grep -qE "^$s:[[:space:]]+0000000000000000$" <<<"$OUT" || fail "$s not empty"
	done
	pass
fi

begin "root-started: 65534 inside is husk's range outside (1879048192+65534), never host root"
start_ns_check() {
	"$HUSK_BIN" run --rootfs "$ROOTFS" -- /bin/sh -c 'echo ready; sleep 5' >"$WORK/r.out" 2>&1 &
	BG=$!
}
start_ns_check
ready() { grep -q ready "$WORK/r.out"; }
wait_for ready
# The service is the "sleep 5" whose NSpid shows two pid namespaces (a
# host "sleep 5" of another test has one).  Its status is read in the same
# pass: a process found in one pass may be gone in the next, and an empty
# read is retried rather than reported.
svc_uids() {
	for p in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" = "sleep 5 " ] || continue
		awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 }
		     /^NSpid:/ { n = NF - 1 }
		     END { if (n > 1 && u != "") print u }' "$p/status" 2>/dev/null
	done
}
uids=""
for _ in $(seq 50); do
	uids=$(svc_uids | head -n1)
	[ -n "$uids" ] && break
	sleep 0.1
done
h=$((1879048192 + 65534))
[ "$uids" = "$h $h $h $h" ] && pass || fail "host uids of the service: '${uids:-service process not found}'"
kill -KILL "$BG"
wait "$BG" 2>/dev/null

begin "root-started: all seven namespaces differ"
sandbox_sh 'for n in user mnt pid net ipc uts cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
if expect_rc 0; then
	for n in user mnt pid net ipc uts cgroup; do
		inside=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$OUT")
		[ -n "$inside" ] && [ "$inside" != "$(readlink "/proc/self/ns/$n")" ] || fail "$n shared"
	done
	pass
fi

begin "root-started: --user 0 is root only inside the user namespace"
sandbox_sh 'id -u; grep CapEff /proc/self/status; touch /x 2>&1; true' --user 0
expect_rc 0 && expect_out '^0$' && expect_out '0000000000000000' && expect_out 'Read-only' && pass

# Issue 14's hole: "--user 0:0" was mapped "0 0 1", so root inside wrote a
# setuid-root file owned by host uid 0 through a bind.
begin "root-started: --user 0:0 cannot make a host-root file through a bind"
d="$WORK/hostroot-bind"
rm -rf "$d"
mkdir -m 1777 "$d"
sandbox_sh 'cp /bin/busybox /tmp/data/bb && chmod 4755 /tmp/data/bb && id -u' --user 0:0 \
	--bind "$d:/tmp/data"
if expect_rc 0 && expect_out '^0$'; then
	owner=$(stat -c '%u:%g %a' "$d/bb" 2>/dev/null)
	[ "$owner" = "1879048192:1879048192 4755" ] && pass || fail "host owner of the file: '$owner'"
fi
rm -rf "$d"

begin "root-started: a root-owned host directory is not writable by root inside"
d="$WORK/hostroot-dir"
rm -rf "$d"
mkdir -m 755 "$d"
sandbox_sh 'touch /tmp/data/x 2>&1; echo rc=$?' --user 0:0 --bind "$d:/tmp/data"
expect_rc 0 && expect_out 'Permission denied' && [ ! -e "$d/x" ] && pass || fail "wrote $d/x"
rm -rf "$d"

begin "root-started: husk check prints the host ids and where they come from"
run_husk check --rootfs "$ROOTFS" --user 0:0 -- /bin/sh
expect_rc 0 && expect_out 'host ids +runs as host uid 1879048192 gid 1879048192 \(husk.s fixed range' &&
	expect_out 'root inside the sandbox.s user namespace only \(host uid 1879048192\)' && pass
begin "root-started: husk check scores --userns host --user 0 as host root"
run_husk check --json --rootfs "$ROOTFS" --userns host --user 0:0 -- /bin/sh
expect_rc 0 && expect_out '"host_uid": ?0,' && expect_out 'host root: uid 0 gid 0 on the host' && pass

begin "root-started: the husk entry of /etc/subuid and /etc/subgid sets the range"
cp -a /etc/subuid "$WORK/subuid.orig" 2>/dev/null || : >"$WORK/subuid.orig"
cp -a /etc/subgid "$WORK/subgid.orig" 2>/dev/null || : >"$WORK/subgid.orig"
restore_subid() {
	cat "$WORK/subuid.orig" >/etc/subuid
	cat "$WORK/subgid.orig" >/etc/subgid
}
trap restore_subid EXIT
echo "husk:2000000000:65536" >>/etc/subuid
echo "husk:2100000000:65536" >>/etc/subgid
d="$WORK/subid-bind"
mkdir -m 1777 "$d"
sandbox_sh 'touch /tmp/data/f' --user 7:8 --bind "$d:/tmp/data"
if expect_rc 0; then
	owner=$(stat -c '%u:%g' "$d/f")
	[ "$owner" = "2000000007:2100000008" ] && pass || fail "host owner: $owner"
fi
rm -rf "$d"
restore_subid
begin "root-started: a husk range over host id 0 is refused"
echo "husk:0:65536" >>/etc/subuid
echo "husk:0:65536" >>/etc/subgid
sandbox_sh 'true'
expect_rc 125 && expect_one_error_line && expect_err '/etc/subuid: .*host id 0' && pass
restore_subid
begin "root-started: a husk entry in /etc/subuid alone is refused"
echo "husk:2000000000:65536" >>/etc/subuid
sandbox_sh 'true'
expect_rc 125 && expect_one_error_line && expect_err 'in both' && pass
restore_subid

begin "root-started: --host-user maps onto a chosen account; 0 is refused"
d="$WORK/hostuser-bind"
mkdir -m 755 "$d"
chown 1000:1000 "$d"
sandbox_sh 'touch /tmp/data/f && id -u' --user 0 --host-user 1000:1000 --bind "$d:/tmp/data"
if expect_rc 0 && expect_out '^0$'; then
	owner=$(stat -c '%u:%g' "$d/f")
	if [ "$owner" = "1000:1000" ]; then
		sandbox_sh 'true' --host-user 0:0
		expect_rc 125 && expect_err 'userns host' && pass
	else
		fail "host owner: $owner"
	fi
fi
rm -rf "$d"

begin "root-started: --userns host --net host: a non-root Go service binds a port below 1024"
port=""
for cand in 80 81 88 444 591 777 888 999; do
	if ! grep -qiE ":$(printf '%04X' "$cand") [0-9A-F:]+ 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
		port=$cand
		break
	fi
done
if [ -z "$port" ]; then
	skip "no free port below 1024"
else
	"$HUSK_BIN" run --rootfs "$ROOTFS" --userns host --net host --user 1000:1000 \
		--cap-add NET_BIND_SERVICE -- /app -addr "127.0.0.1:$port" >"$WORK/p.out" 2>"$WORK/p.err" &
	BG=$!
	up() { grep -q listening "$WORK/p.out"; }
	if wait_for up; then
		got=$(busybox wget -qO- "http://127.0.0.1:$port/health" 2>&1)
		uid_line=$(cat "$WORK/p.out")
		kill -TERM "$BG"
		wait "$BG"
		RC=$?
		[ "$got" = ok ] && grep -q 'uid=1000 gid=1000' <<<"$uid_line" && expect_rc 143 && pass ||
			fail "health '$got', '$uid_line', exit $RC"
	else
		kill -KILL "$BG"
		wait "$BG"
		fail "did not listen: $(cat "$WORK/p.err")"
	fi
fi

begin "root-started: --userns host keeps only the allowed cap, no groups"
sandbox_sh 'id -u; grep -E "^(Groups|CapEff|CapBnd|CapAmb):" /proc/self/status' --userns host --user 1000
expect_rc 0 && expect_out '^1000$' && expect_out '^Groups:[[:space:]]*$' &&
	expect_out '^CapBnd:[[:space:]]+0000000000000000$' && pass

begin "root-started: SIGKILL of husk leaves no process behind"
"$HUSK_BIN" run --rootfs "$ROOTFS" -- /bin/sh -c 'echo ready; exec sleep 1002' >"$WORK/k.out" 2>&1 &
BG=$!
kready() { grep -q ready "$WORK/k.out"; }
wait_for kready
before=$(procs_with "sleep 1002")
kill -KILL "$BG"
wait "$BG" 2>/dev/null
gone() { [ -z "$(procs_with "sleep 1002")" ]; }
if [ -z "$before" ]; then fail "not found before the kill"; elif wait_for gone; then pass; else fail "left: $(procs_with "sleep 1002")"; fi

# The cgroup limit tests, which root can run on any layout.
PHASE="root-started"
. "$(dirname "$0")/cgroup-tests.sh"
. "$(dirname "$0")/check-tests.sh"
. "$(dirname "$0")/escape-tests.sh"
. "$(dirname "$0")/inplace-tests.sh"
. "$(dirname "$0")/oci-tests.sh"
. "$(dirname "$0")/denial-tests.sh"
. "$(dirname "$0")/net-tests.sh"
. "$(dirname "$0")/secret-tests.sh"
. "$(dirname "$0")/events-tests.sh"
. "$(dirname "$0")/supervise-tests.sh"
. "$(dirname "$0")/goservers-tests.sh"
. "$(dirname "$0")/engine-tests.sh"
. "$(dirname "$0")/gate-tests.sh"
. "$(dirname "$0")/readme-tests.sh"

# Kernel log lines stamped after $1 (seconds since boot). Marks are times,
# not line counts: once the ring buffer is full its line count stops growing.
log_since() {
	dmesg 2>/dev/null | awk -v m="$1" '{ t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t); if (t + 0 > m) print }'
}
# Syscall numbers logged by --seccomp-log (audit type 1326) for COMM since
# time $1, one per line, sorted and unique.
denials_since() {
	log_since "$1" | grep 'type=1326' | grep -F "comm=\"$2\"" | grep -oE 'syscall=[0-9]+' | sort -u
}
if dmesg >/dev/null 2>&1; then can_dmesg=1; else can_dmesg=0; fi

# The kernel rate-limits audit records in the log (printk: 10 per 5 s by
# default) and says "callbacks suppressed" instead. Earlier tests log kills
# (the probe's x32 call), so each log check first waits out the window, and
# a suppression after its mark makes the check inconclusive, never a pass.
log_mark() {
	sleep "$(awk '{ print $1 + 0.5 }' /proc/sys/kernel/printk_ratelimit 2>/dev/null || echo 5.5)"
	cut -d' ' -f1 /proc/uptime
}
log_suppressed_since() {
	log_since "$1" | grep -q 'callbacks suppressed'
}

begin "seccomp: --seccomp-log makes a denied call visible in the kernel log"
if [ "$can_dmesg" = 1 ]; then
	mark=$(log_mark)
	run_husk run --rootfs "$ROOTFS" --seccomp strict --seccomp-log -- /app -once
	logged=$(denials_since "$mark" app)
	if log_suppressed_since "$mark"; then fail "inconclusive: the kernel suppressed audit records"
	elif [ "$RC" != 0 ] && grep -q 'syscall=56' <<<"$logged"; then pass
	else fail "exit $RC, logged: '$logged'"; fi
else
	skip "dmesg is not readable here"
fi

begin "seccomp: go-service: the Go test service runs with no denied call"
if [ "$can_dmesg" = 1 ]; then
	mark=$(log_mark)
	"$HUSK_BIN" run --rootfs "$ROOTFS" --net host --seccomp go-service --seccomp-log -- \
		/app -addr 127.0.0.1:18181 >"$WORK/g.out" 2>&1 &
	BG=$!
	gready() { grep -q listening "$WORK/g.out"; }
	wait_for gready
	got=$(busybox wget -qO- http://127.0.0.1:18181/health 2>&1)
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	logged=$(denials_since "$mark" app)
	if log_suppressed_since "$mark"; then fail "inconclusive: the kernel suppressed audit records"
	elif [ "$got" = ok ] && expect_rc 143 && [ -z "$logged" ]; then pass
	else fail "health '$got', logged '$logged'"; fi
else
	skip "dmesg is not readable here"
fi

begin "seccomp: go-service: Debian's caddy serves and stops cleanly, nothing denied but clone3"
if [ ! -x "$WORK/caddy-rootfs/usr/bin/caddy" ]; then
	skip "caddy could not be fetched (apt-get download caddy)"
elif [ "$can_dmesg" = 0 ]; then
	skip "dmesg is not readable here"
else
	mark=$(log_mark)
	"$HUSK_BIN" run --rootfs "$WORK/caddy-rootfs" --net host --seccomp go-service --seccomp-log \
		--env HOME=/tmp --env XDG_CONFIG_HOME=/tmp --env XDG_DATA_HOME=/tmp -- \
		/usr/bin/caddy respond --listen 127.0.0.1:18182 --body husk-ok >"$WORK/c.out" 2>&1 &
	BG=$!
	cready() { busybox wget -qO- http://127.0.0.1:18182/ >/dev/null 2>&1; }
	wait_for cready
	got=$(busybox wget -qO- http://127.0.0.1:18182/ 2>&1)
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	# clone3 answers ENOSYS by design (glibc falls back to clone).
	logged=$(denials_since "$mark" caddy | grep -vx 'syscall=435' | tr '\n' ' ')
	if log_suppressed_since "$mark"; then fail "inconclusive: the kernel suppressed audit records"
	elif [ "$got" = husk-ok ] && expect_rc 0 && [ -z "$logged" ]; then pass
	else fail "got '$got', exit $RC, logged '$logged': $(tail -n 3 "$WORK/c.out")"; fi
fi

begin "root-started: --userns host is refused to a normal user"
OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$HUSK_BIN" run --userns host --rootfs "$ROOTFS" -- /bin/true 2>&1)
RC=$?
ERR=$OUT
expect_rc 125 && expect_one_error_line && pass

end_tests
exit 0
