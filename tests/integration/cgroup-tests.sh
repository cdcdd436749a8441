# The cgroup limit tests, sourced by test-root.sh and test-user.sh with
# PHASE set. They run wherever the phase's user can make a cgroup (root on
# any layout; a normal user with a delegated one) and say SKIP with the
# reason otherwise.

# cgroup directories husk made (husk.<pid>) anywhere in the mounted trees.
husk_cgroups() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name 'husk.*' 2>/dev/null | tr '\n' ' '
}
if cgerr=$("$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --memory 64m --pids 64 --cpus 1 -- /bin/true 2>&1); then
	can_cgroup=1
else
	can_cgroup=0
fi

begin "cgroup ($PHASE): a memory bomb under --memory 64m is OOM-killed: exit 137, and husk says so"
if [ "$can_cgroup" = 1 ]; then
	run_husk run --rootfs "$ROOTFS" --memory 64m -- /limits mem-bomb 1024
	expect_rc 137 && expect_one_error_line && expect_err 'ran out of memory' &&
		! grep -q 'allocated 1024' <<<"$OUT" && pass
else
	skip "no usable cgroup here: $cgerr"
fi

begin "cgroup ($PHASE): a fork bomb under --pids 64 hits EAGAIN"
if [ "$can_cgroup" = 1 ]; then
	run_husk run --rootfs "$ROOTFS" --pids 64 -- /limits fork-bomb 1000
	n=$(sed -n 's/^forked \([0-9]*\) errno EAGAIN$/\1/p' <<<"$OUT")
	expect_rc 0 && [ -n "$n" ] && [ "$n" -lt 64 ] && [ "$n" -gt 40 ] && pass || fail "got '$OUT'"
else
	skip "no usable cgroup here: $cgerr"
fi

begin "cgroup ($PHASE): --cpus 0.5 throttles a busy loop to about half a core"
if [ "$can_cgroup" = 1 ]; then
	run_husk run --rootfs "$ROOTFS" --cpus 0.5 -- /limits cpu-burn 2
	ratio=$(sed -n 's/.*ratio \([0-9.]*\)$/\1/p' <<<"$OUT")
	# Wide bounds: this is a test of the mechanism, not a benchmark.
	expect_rc 0 && awk -v r="$ratio" 'BEGIN { exit !(r > 0.3 && r < 0.7) }' && pass ||
		fail "cpu/wall ratio '$ratio'"
else
	skip "no usable cgroup here: $cgerr"
fi

begin "cgroup ($PHASE): the service sees its own group as / (cgroup namespace)"
if [ "$can_cgroup" = 1 ]; then
	run_husk run --rootfs "$ROOTFS" --memory 64m --pids 64 -- /bin/cat /proc/self/cgroup
	expect_rc 0 && expect_out '^0::/$' && ! grep -qE 'husk\.|process_api' <<<"$OUT" && pass
else
	skip "no usable cgroup here: $cgerr"
fi

begin "cgroup ($PHASE): on cgroup v2 the service sees its own group, read-only, at /sys/fs/cgroup"
if [ "$can_cgroup" != 1 ]; then
	skip "no usable cgroup here: $cgerr"
elif ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	skip "the limits live in cgroup v1 hierarchies here (hybrid host); make check-vm covers v2"
else
	run_husk run --rootfs "$ROOTFS" --memory 64m --pids 64 -- /bin/sh -c \
		'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; ls /sys;
		 wc -l </sys/fs/cgroup/cgroup.procs; touch /sys/fs/cgroup/x /sys/x 2>&1;
		 { echo 1 >/sys/fs/cgroup/pids.max; } 2>&1; true'
	expect_rc 0 && expect_out '^67108864$' && expect_out '^64$' &&
		[ "$(grep -c 'Read-only file system' <<<"$OUT")" = 3 ] &&
		[ "$(sed -n 3p <<<"$OUT")" = fs ] && pass || fail "not the group's files, or not read-only"
fi

# What systemd-run --user --scope -p Delegate=yes gives: a delegated v2
# group holding husk alone. husk moves into a leaf of it so that the
# controllers can be enabled for the sandbox's group, and undoes all that.
begin "cgroup ($PHASE): alone in a delegated v2 group, husk moves into a leaf and leaves it as it was"
solo="/sys/fs/cgroup${HUSK_TEST_CGROUP_PARENT:-/none}/solo.$$"
if [ -z "${HUSK_TEST_CGROUP_PARENT:-}" ] || ! mkdir "$solo" 2>/dev/null; then
	skip "needs a delegated cgroup v2 group (make check-vm sets one up)"
else
	ctl_before=$(cat "$solo/cgroup.subtree_control")
	OUT=$(timeout 60 bash -c 'echo $$ >"$1/cgroup.procs" && exec "$2" run --rootfs "$3" \
		--memory 64m --pids 64 -- /bin/sh -c "cat /proc/self/cgroup /sys/fs/cgroup/memory.max"' \
		_ "$solo" "$HUSK_BIN" "$ROOTFS" 2>&1)
	RC=$?
	solo_clean() { [ -z "$(ls -d "$solo"/husk.* 2>/dev/null)" ]; }
	if expect_rc 0 && expect_out '^0::/$' && expect_out '^67108864$'; then
		if ! wait_for solo_clean; then fail "left in $solo: $(ls -d "$solo"/husk.*)"
		elif [ "$(cat "$solo/cgroup.subtree_control")" != "$ctl_before" ]; then
			fail "controllers left enabled: $(cat "$solo/cgroup.subtree_control")"
		elif ! rmdir "$solo"; then fail "the group is still busy"
		else pass; fi
	fi
	rmdir "$solo" 2>/dev/null
fi

# The kernel's delegation rule: moving a process needs write access to
# cgroup.procs of the closest group holding both ends. A user's husk in
# its delegated group cannot use a group elsewhere, and must say why.
begin "cgroup ($PHASE): a --cgroup-parent outside the user's delegation is refused, naming the rule"
other="/husk-other.$$"
if [ "$(id -u)" != 0 ] || [ -z "${HUSK_TEST_CGROUP_PARENT:-}" ]; then
	skip "needs the root-started phase and a delegated cgroup v2 group (make check-vm)"
elif ! mkdir "/sys/fs/cgroup$other" ||
	! chown "${HUSK_TEST_USER:-husk-test}" "/sys/fs/cgroup$other" "/sys/fs/cgroup$other/cgroup.procs" \
		"/sys/fs/cgroup$other/cgroup.subtree_control"; then
	fail "cannot set up /sys/fs/cgroup$other"
else
	OUT=$(timeout 60 setpriv --reuid="${HUSK_TEST_USER:-husk-test}" --regid="${HUSK_TEST_USER:-husk-test}" \
		--clear-groups "$HUSK_BIN" run --rootfs "$ROOTFS" --cgroup-parent "$other" --memory 64m \
		-- /bin/true 2>&1)
	RC=$?
	ERR=$OUT
	expect_rc 125 && expect_one_error_line && expect_err 'Permission denied.*closest group' &&
		{ [ -z "$(ls -d "/sys/fs/cgroup$other"/husk.* 2>/dev/null)" ] || fail "a group was left"; } &&
		pass
	rmdir "/sys/fs/cgroup$other" 2>/dev/null
fi

begin "cgroup ($PHASE): --memory-high on a v1 memory controller: run and check refuse it, naming v1"
if [ "$can_cgroup" != 1 ]; then
	skip "no usable cgroup here: $cgerr"
elif ! grep -qE ' - cgroup cgroup [^ ]*memory' /proc/self/mountinfo; then
	skip "the memory controller is on cgroup v2 here, which has memory.high"
else
	run_husk check --rootfs "$ROOTFS" --memory-high 64m -- /bin/true
	crc=$RC cerr=$ERR
	run_husk run --rootfs "$ROOTFS" --memory-high 64m -- /bin/true
	expect_rc 125 && expect_one_error_line && expect_err '--memory-high: cgroup v1 has no memory.high' &&
		[ "$crc" = 125 ] && grep -q -- '--memory-high: cgroup v1 has no memory.high' <<<"$cerr" && pass ||
		fail "check: $crc $cerr"
fi

# The knobs that cannot apply here, as husk check sees them (each alone).
unavailable=""
if [ "$can_cgroup" = 1 ]; then
	for knob in "--memory-high 64m" "--io-weight 200"; do
		# shellcheck disable=SC2086 # the knob and its value are two words
		run_husk check --rootfs "$ROOTFS" $knob -- /bin/true
		[ "$RC" = 125 ] && unavailable="$unavailable ${knob%% *}"
	done
fi

begin "cgroup ($PHASE): --io-weight: run and check agree, and a refusal names the weight files"
if [ "$can_cgroup" != 1 ]; then
	skip "no usable cgroup here: $cgerr"
else
	run_husk run --rootfs "$ROOTFS" --io-weight 200 -- /bin/true
	if [[ " $unavailable " == *" --io-weight "* ]]; then
		expect_rc 125 && expect_one_error_line && expect_err '--io-weight: .* has neither (blkio|io)\.weight nor (blkio|io)\.bfq\.weight' && pass
	else
		expect_rc 0 && pass
	fi
fi

begin "cgroup ($PHASE): --cgroup auto drops only the limit that cannot apply, and GOMEMLIMIT stays with --memory"
if [ "$can_cgroup" != 1 ]; then
	skip "no usable cgroup here: $cgerr"
elif [ -z "$unavailable" ]; then
	skip "--memory-high and --io-weight both apply here"
else
	knob=${unavailable# }
	knob=${knob%% *}
	val=64m
	[ "$knob" = --io-weight ] && val=200
	run_husk check --rootfs "$ROOTFS" --cgroup auto --memory 128m "$knob" "$val" -- /bin/true
	crc=$RC cout=$OUT
	sandbox_sh 'echo "GOMEMLIMIT=$GOMEMLIMIT"' --cgroup auto --memory 128m "$knob" "$val"
	n=$(grep -c 'is not in force' <<<"$ERR")
	expect_rc 0 && expect_out '^GOMEMLIMIT=120795948$' && expect_err "cgroup: $knob is not in force" &&
		[ "$n" = 1 ] && [ "$crc" = 0 ] && grep -q "warning: cgroup: $knob is not in force" <<<"$cout" &&
		grep -q 'GOMEMLIMIT=120795948' <<<"$cout" && pass || fail "$n warnings; check: $crc"
fi

begin "cgroup ($PHASE): --cgroup auto without any cgroup: no limit, so no GOMEMLIMIT, one warning per limit"
if [ "$PHASE" != unprivileged ] || [ "$can_cgroup" = 1 ]; then
	skip "this phase can make a cgroup"
else
	sandbox_sh 'echo "GOMEMLIMIT=${GOMEMLIMIT:-unset} GOMAXPROCS=${GOMAXPROCS:-unset}"' --cgroup auto --memory 128m --cpus 1
	expect_rc 0 && expect_out '^GOMEMLIMIT=unset GOMAXPROCS=unset$' && expect_err 'cgroup: --memory is not in force' &&
		expect_err 'cgroup: --cpus is not in force' && pass
fi

begin "cgroup ($PHASE): --cpus above the CPUs husk may use is clamped with a warning, and so is GOMAXPROCS"
if [ "$can_cgroup" != 1 ]; then
	skip "no usable cgroup here: $cgerr"
else
	ncpu=$(nproc)
	sandbox_sh 'echo "GOMAXPROCS=$GOMAXPROCS"' --cpus 1000
	expect_rc 0 && expect_out "^GOMAXPROCS=$ncpu\$" &&
		expect_err "warning: --cpus 1000.00 is more than the $ncpu CPUs husk may use here; the limit is $ncpu" && pass
fi

begin "cgroup ($PHASE): nothing left after normal exit, failed exec, failed setup, or SIGKILL of husk"
if [ "$can_cgroup" = 1 ]; then
	run_husk run --rootfs "$ROOTFS" --memory 64m --pids 64 --cpus 1 -- /bin/true
	a=$(husk_cgroups)
	run_husk run --rootfs "$ROOTFS" --memory 64m --pids 64 --cpus 1 -- /no/such/program
	b=$(husk_cgroups)
	run_husk run --rootfs "$ROOTFS" --memory 64m --ro-bind "$WORK:/not-in-rootfs" -- /bin/true
	c=$(husk_cgroups)
	"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --memory 64m --pids 64 -- /bin/sh -c 'echo ready; exec sleep 1003' >"$WORK/cg.out" 2>&1 &
	BG=$!
	cgready() { grep -q ready "$WORK/cg.out"; }
	wait_for cgready
	during=$(husk_cgroups)
	kill -KILL "$BG"
	wait "$BG" 2>/dev/null
	nocg() { [ -z "$(husk_cgroups)" ]; }
	if [ -z "$a" ] && [ -z "$b" ] && [ -z "$c" ] && [ -n "$during" ] && wait_for nocg; then pass; else
		fail "after exit '$a', failed exec '$b', failed setup '$c', during '$during', after kill '$(husk_cgroups)'"
	fi
else
	skip "no usable cgroup here: $cgerr"
fi

