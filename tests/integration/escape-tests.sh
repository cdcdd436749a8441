# The adversarial suite (tests/escape/escape.c) and the hostile-rootfs
# cases. Sourced by test-user.sh and test-root.sh after cgroup-tests.sh,
# with PHASE set.
#
# Each probe run is watched from the host: the host mount table, husk's
# binary, the rootfs and the set of husk cgroups must be the same after
# it, no process of the sandbox may remain, and a secret in husk's own
# environment must not show up in what the probe saw.

ER="$WORK/escape-rootfs"
EP="$WORK/escape-$PHASE"
mkdir -p "$EP"

# The host side: a TCP listener on 127.0.0.1, an abstract unix socket and
# a SysV shm segment, owned by this phase's user.
"$WORK/escape-host" --host-helper "$EP/helper.env" &
esc_helper=$!
helper_up() { [ -s "$EP/helper.env" ]; }
wait_for helper_up
ESC_FACTS=(--env "HUSK_ESC_NS=$(for n in user mnt pid net ipc uts cgroup; do
	printf '%s:%s ' "$n" "$(stat -L -c %i "/proc/self/ns/$n")"; done)"
	--env "HUSK_ESC_HOSTNAME=$(hostname)" --env "HUSK_ESC_HOSTPID=$$")
while read -r line; do ESC_FACTS+=(--env "$line"); done <"$EP/helper.env"

esc_secret="husk-secret-$RANDOM$RANDOM"

esc_state() {
	mountinfo
	sha256sum "$HUSK_BIN" | cut -d' ' -f1
	(cd "$ER" && find . -printf '%p %y %m %s %T@\n' | sort)
	find "$ER" -type f -exec sha256sum {} + | sort
	husk_cgroups
}

# Sandbox processes are those whose command line is exactly the probe's.
esc_leftovers() {
	local p found=""
	for p in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" = "/escape " ] && found="$found ${p#/proc/}"
	done
	echo "$found"
}

# esc_run HUSK-OPTIONS... [-- PROBE-IDS...]: one watched run of the probe.
esc_run() {
	local opts=() ids=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	ids=("$@")
	local before
	before=$(esc_state)
	HUSK_TEST_SECRET=$esc_secret SSH_AUTH_SOCK=/nonexistent/agent \
		run_husk run --rootfs "$ER" --tmpfs /tmp "${ESC_FACTS[@]}" "${opts[@]}" -- /escape "${ids[@]}"
	ESC_HOST=""
	[ "$before" = "$(esc_state)" ] ||
		ESC_HOST="the host changed: $(diff <(echo "$before") <(esc_state) | head -5 | tr '\n' ' ')"
	sleep 0.1
	local left
	left=$(esc_leftovers)
	[ -z "$left" ] || ESC_HOST="$ESC_HOST processes left:$left"
	grep -qF "$esc_secret" <<<"$OUT$ERR" && ESC_HOST="$ESC_HOST the secret leaked"
	[ -z "$ESC_HOST" ]
}

begin "escape ($PHASE): at least 60 probes under the default policy, none fails, the host unchanged"
if esc_run; then
	n=$(grep -oE '^[0-9]+ passed' <<<"$OUT" | cut -d' ' -f1)
	if expect_rc 0 && expect_out '^[0-9]+ passed, 0 failed, [0-9]+ skipped$'; then
		[ "${n:-0}" -ge 60 ] && pass || fail "only ${n:-0} probes passed"
	fi
else
	fail "$ESC_HOST"
fi
grep -E '^(SKIP|FAIL) ' <<<"$OUT" | sed 's/^/#   /'
echo "# $(tail -n1 <<<"$OUT")"
esc_verdicts() { grep -E '^(PASS|FAIL|SKIP) ' | cut -d: -f1 | sort; }
esc_direct=$(esc_verdicts <<<"$OUT")

begin "escape ($PHASE): run through husk exec in a named sandbox, the probes get the verdicts they get as the service"
"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ER" --tmpfs /tmp "${ESC_FACTS[@]}" --name "esc$$" \
	-- /bin/sh -c 'echo up; exec sleep 60' >"$EP/named.out" 2>&1 &
esc_bg=$!
esc_up() { grep -q '^up$' "$EP/named.out"; }
wait_for esc_up
HUSK_TEST_SECRET=$esc_secret "$HUSK_BIN" exec "esc$$" -- /escape >"$EP/exec.out" 2>&1
esc_rc=$?
kill -TERM "$esc_bg"
wait "$esc_bg"
esc_exec=$(esc_verdicts <"$EP/exec.out")
if [ "$esc_rc" != 0 ]; then fail "exit $esc_rc: $(tail -n 3 "$EP/exec.out")"
elif [ "$(grep -c '^PASS ' <<<"$esc_exec")" -lt 60 ]; then fail "only $(grep -c '^PASS ' <<<"$esc_exec") passed"
elif [ "$esc_exec" != "$esc_direct" ]; then
	fail "verdicts differ: $(diff <(echo "$esc_direct") <(echo "$esc_exec") | grep '^[<>]' | head -5 | tr '\n' ' ')"
elif grep -qF "$esc_secret" "$EP/exec.out"; then fail "husk exec's environment leaked in"
else pass; fi

# Layer ablation: with one layer off, the probes that layer alone guards
# must now fail, and (for the narrow ablations) nothing else. This is what
# shows the probes can fail at all.
esc_fails() { grep '^FAIL ' <<<"$OUT" | cut -d: -f1 | sed 's/^FAIL //' | sort | tr '\n' '|'; }
esc_expect_fails() {
	local want
	for want in "$@"; do
		grep -qF -- "FAIL $want:" <<<"$OUT" || { fail "probe '$want' did not fail"; return 1; }
	done
	return 0
}

begin "escape ($PHASE): ablation --seccomp unconfined: the filter's probes fail"
if esc_run --seccomp unconfined; then
	expect_rc 1 && esc_expect_fails "A5 seccomp filter on" "F2 unshare(CLONE_NEWUSER)" \
		"F2 clone(CLONE_NEWUSER)" "F3 clone3 gets ENOSYS" "F6 io_uring" "F7 userfaultfd" \
		"F10 personality(ADDR_NO_RANDOMIZE)" "E14 keyctl" "D5 TIOCSTI" \
		"D5 TIOCSTI high bits (CVE-2019-10063)" "E15 setns" "F13 the filter cannot be lifted" &&
		pass
else
	fail "$ESC_HOST"
fi

# esc_exact WANT HUSK-OPTIONS...: exactly the probes in WANT fail.
esc_exact() {
	local want=$1
	shift
	if esc_run "$@"; then
		expect_rc 1 && [ "$(esc_fails)" = "$want" ] && pass || fail "failed: $(esc_fails)"
	else
		fail "$ESC_HOST"
	fi
}

begin "escape ($PHASE): ablation --cap-add NET_RAW: exactly the raw-socket and cap-set probes fail"
esc_exact "A6 capability sets|E11 AF_INET raw socket|E11 AF_PACKET raw socket|" --cap-add NET_RAW

begin "escape ($PHASE): ablation --cap-add NET_ADMIN: exactly the netdevice and cap-set probes fail"
esc_exact "A6 capability sets|E12 netdevice config (NET_ADMIN)|" --cap-add NET_ADMIN

# Landlock (ABI 6) scopes abstract sockets too, so the network namespace's
# own share shows with Landlock off.
ll_abi=$("$HUSK_BIN" --version | sed -n 's/^landlock: ABI \([0-9]*\)$/\1/p')
ll_abi=${ll_abi:-0}
begin "escape ($PHASE): ablation --net host --landlock off: the network namespace's probes fail"
if esc_run --net host --landlock off; then
	expect_rc 1 && esc_expect_fails "A1 net namespace differs" "G3 host loopback port" \
		"G2 host abstract socket" && pass
	# Only lo on the host would let H2 pass here; CI machines have more.
else
	fail "$ESC_HOST"
fi

begin "escape ($PHASE): --net host with Landlock: the host's abstract sockets stay out of reach"
if [ "$ll_abi" -lt 6 ]; then
	skip "Landlock ABI $ll_abi here: abstract-socket scoping needs ABI 6 (Linux 6.12)"
elif esc_run --net host -- G2 G3; then
	expect_out '^PASS G2 host abstract socket' && expect_out '^FAIL G3 host loopback port' && pass
else
	fail "$ESC_HOST"
fi

# The one layer pair whose loss re-opens the mounts: husk's mounts are made
# in the sandbox's own user namespace, so they are not MNT_LOCKED, and
# CAP_SYS_ADMIN with the mount calls allowed can undo them (as in Docker
# with --privileged-like settings), unless Landlock is on: a Landlock
# domain may not change its mounts. husk check scores this; the README
# says it.
begin "escape ($PHASE): ablation --seccomp unconfined --cap-add SYS_ADMIN --landlock off: the masks can be undone"
if esc_run --seccomp unconfined --cap-add SYS_ADMIN --landlock off -- B2 B3 B4 C4; then
	expect_rc 1 && esc_expect_fails "B2 remount / rw" "B4 umount a mask" "C4 mount proc" && pass
else
	fail "$ESC_HOST"
fi

begin "escape ($PHASE): --seccomp unconfined --cap-add SYS_ADMIN with Landlock: the masks hold"
if [ "$ll_abi" -lt 1 ]; then
	skip "no Landlock on this kernel"
elif esc_run --seccomp unconfined --cap-add SYS_ADMIN -- B2 B4 C4; then
	expect_out '^PASS B2 remount / rw' && expect_out '^PASS B4 umount a mask' &&
		expect_out '^PASS C4 mount proc' && pass
else
	fail "$ESC_HOST"
fi

begin "escape ($PHASE): resource probes under --pids 64 --memory 128m"
if [ "$can_cgroup" = 1 ]; then
	esc_run --pids 64 --memory 128m --env HUSK_ESC_PIDS=64 --env HUSK_ESC_MEMORY=134217728 -- J1 J2 J3 J4
	# /tmp (64m) stays below --memory: tmpfs pages count against it, so a
	# full /tmp under a smaller limit would OOM the service instead. The
	# hog is a child: husk warns of the OOM kill and keeps the service's
	# own exit status.
	if [ -n "$ESC_HOST" ]; then fail "$ESC_HOST"
	elif expect_rc 0 && expect_err 'OOM killer ended a process of the sandbox' &&
		expect_out '^PASS J1 ' && expect_out '^PASS J2 ' &&
		expect_out '^4 passed, 0 failed, 0 skipped$'; then pass; fi
else
	skip "no usable cgroup here: $cgerr"
fi

kill -TERM "$esc_helper"
wait "$esc_helper" 2>/dev/null

# ---- hostile rootfs cases (B14, B15) -------------------------------------
begin "hostile rootfs ($PHASE): entrypoint symlinked to /proc/self/exe is refused (CVE-2019-5736)"
hash_before=$(sha256sum "$HUSK_BIN")
run_husk run --rootfs "$WORK/evil-exec-rootfs" -- /selfexe
expect_rc 126 && expect_one_error_line && expect_err 'magic link.*CVE-2019-5736' &&
	[ "$hash_before" = "$(sha256sum "$HUSK_BIN")" ] && pass

begin "hostile rootfs ($PHASE): a #!/proc/self/exe script is refused (CVE-2019-5736)"
run_husk run --rootfs "$WORK/evil-exec-rootfs" -- /pwn.sh
expect_rc 126 && expect_one_error_line && expect_err 'interpreter /proc/self/exe' && pass

begin "hostile rootfs ($PHASE): a script whose interpreter chain ends in /proc/self/exe is refused"
run_husk run --rootfs "$WORK/evil-exec-rootfs" -- /pwn2.sh
expect_rc 126 && expect_err 'interpreter /proc/self/exe' && pass

begin "hostile rootfs ($PHASE): an ordinary #! script still runs"
run_husk run --rootfs "$WORK/evil-exec-rootfs" -- /ok.sh
expect_rc 0 && expect_out '^script ran$' && pass

begin "hostile rootfs ($PHASE): /dev as a symlink to a host path is refused"
mounts_before_dev=$(mountinfo)
run_husk run --rootfs "$WORK/evil-dev-rootfs" -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'mount dev: /dev .*symlink' &&
	[ "$mounts_before_dev" = "$(mountinfo)" ] && [ -z "$(ls -A "$WORK/host-target")" ] && pass

begin "hostile rootfs ($PHASE): /tmp as a symlink to a host path never mounts on the host"
run_husk run --rootfs "$WORK/evil-tmp-rootfs" --tmpfs /tmp -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'symlinks there are resolved inside it' &&
	[ "$mounts_before_dev" = "$(mountinfo)" ] && [ -z "$(ls -A "$WORK/host-target")" ] && pass

begin "hostile rootfs ($PHASE): /dev/null planted as a symlink to a host file is replaced"
canary_before=$(cat "$WORK/canary")
run_husk run --rootfs "$WORK/evil-devnull-rootfs" -- /bin/sh -c 'echo overwritten >/dev/null && test -c /dev/null && echo char'
expect_rc 0 && expect_out '^char$' && [ "$canary_before" = "$(cat "$WORK/canary")" ] && pass

begin "hostile rootfs ($PHASE): /proc as a regular file is refused"
run_husk run --rootfs "$WORK/evil-procfile-rootfs" -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'mount proc: /proc .*not a directory' && pass

begin "hostile rootfs ($PHASE): a file where --tmpfs wants a directory is refused"
run_husk run --rootfs "$ROOTFS" --tmpfs /etc/passwd -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'tmpfs on /etc/passwd: /etc/passwd is a file in the sandbox' && pass
