# Denials seen in user space: what the profile refuses is answered by
# husk's monitor with the profile's errno and reported on stderr, without
# root or the kernel log. Sourced by test-user.sh and test-root.sh with
# PHASE set.

den_lines() { grep -c '^husk: seccomp denied ' <<<"$ERR"; }

begin "denials ($PHASE): a refused call gets the profile's errno and one line naming it, the pid and the program"
sandbox_sh 'hostname a; hostname b; echo done'
if expect_rc 0 && expect_out '^done$'; then
	# Twice refused, one line: distinct denials are reported once.
	if [ "$(den_lines)" != 1 ]; then
		fail "expected one line, got $(den_lines)"
	else
		expect_err '^husk: seccomp denied sethostname\(0x[0-9a-f]+, 0x1, 0x[0-9a-f]+, \.\.\.\) in pid [0-9]+ \(hostname\): EPERM; add it to the profile or see husk seccomp learn$' &&
			expect_err 'sethostname: Operation not permitted' && pass
	fi
fi

begin "denials ($PHASE): a call the profile does not name gets its default, ENOSYS, and is reported"
run_husk run --rootfs "$ROOTFS" --seccomp strict -- /app -selftest
if [ "$(den_lines)" -ge 1 ]; then
	expect_err '^husk: seccomp denied [a-z_0-9]+\(.*\) in pid [0-9]+ \(app\): ENOSYS;' && pass
else
	fail "no denial reported (rc $RC)"
fi

begin "denials ($PHASE): a burst is rate-limited (10 lines, then a count); quiet answers (clone3) and the overlay's are not reported"
run_husk run --rootfs "$ROOTFS" -- /sc-probe
if expect_out '^PASS clone3 ENOSYS$' && expect_out ' 0 failed$'; then
	n=$(den_lines)
	if [ "$n" -gt 10 ] || [ "$n" -lt 5 ]; then
		fail "$n lines"
	elif grep -q 'seccomp denied clone3(' <<<"$ERR" || grep -q 'seccomp denied ioctl(' <<<"$ERR"; then
		fail "a quiet or overlay answer was reported"
	else
		# sc-probe makes more than ten distinct denials in well under a
		# second: the rest are counted.
		expect_err '^husk: seccomp: [0-9]+ more distinct denials not shown \(rate limit\)$' && pass
	fi
fi

begin "denials ($PHASE): --seccomp-quiet and --seccomp-log report nothing on stderr, and refuse the same"
ok=1
for opt in --seccomp-quiet --seccomp-log; do
	sandbox_sh 'hostname a; echo rc=$?' "$opt"
	if [ "$RC" != 0 ] || ! grep -q '^rc=1$' <<<"$OUT" || [ "$(den_lines)" != 0 ]; then
		ok=0
		fail "$opt: rc $RC, $(den_lines) lines"
		break
	fi
done
[ "$ok" = 1 ] && pass

begin "denials ($PHASE): husk check says where denials go"
run_husk check --rootfs "$ROOTFS" -- /app
expect_rc 0 && expect_out '^  seccomp +default .*denials reported on stderr' && pass

begin "denials ($PHASE): go-service keeps the kernel surface the default profile refuses (the escape probes' calls)"
run_husk run --rootfs "$ROOTFS" --seccomp go-service --seccomp-quiet -- /sc-probe
expect_out ' 0 failed$' && pass

# ---- husk seccomp learn ------------------------------------------------
L=$(mktemp -d "${TMPDIR:-/tmp}/husk-learn.XXXXXX")
begin "learn ($PHASE): a profile learned from the Go service runs it with no denial"
run_husk seccomp learn -o "$L/app.policy" --rootfs "$ROOTFS" -- /app -once
if expect_rc 0 && expect_err "^husk: seccomp learn: [0-9]+ calls, [0-9]+ distinct allowed, written to $L/app.policy$" &&
	[ -f "$L/app.policy" ]; then
	run_husk run --rootfs "$ROOTFS" --seccomp "$L/app.policy" -- /app -once
	expect_rc 0 && expect_out '^listening on ' &&
		{ [ "$(den_lines)" = 0 ] || fail "denials under the learned profile: $ERR"; } &&
		grep -qE '^socket: arg0 & 0xffffffff == 0x(2|a)' "$L/app.policy" && pass
fi

begin "learn ($PHASE): what the learned run did not make is refused, and reported"
run_husk run --rootfs "$ROOTFS" --seccomp "$L/app.policy" -- /app -selftest
[ "$(den_lines)" -ge 1 ] && expect_err 'seccomp denied [a-z_0-9]+\(.*\(app\): ENOSYS' && pass ||
	fail "nothing refused (rc $RC)"

begin "learn ($PHASE): learning never widens the base profile; --merge adds a run; a file is not overwritten without it"
run_husk seccomp learn -o "$L/app.policy" --rootfs "$ROOTFS" -- /app -selftest
if expect_rc 125 && expect_err 'exists; give --merge'; then
	run_husk seccomp learn -o "$L/app.policy" --merge --rootfs "$ROOTFS" -- /app -selftest
	# The service's own unshare(CLONE_NEWUSER) is refused by the base
	# profile while learning, and so not learned.
	if expect_rc 0 && expect_out 'unshare\(CLONE_NEWUSER\): operation not permitted' &&
		expect_err '\(merged\)$'; then
		if grep -q '^unshare' "$L/app.policy"; then
			fail "unshare was learned"
		elif ! grep -q '^connect$' "$L/app.policy" || ! grep -q '^listen$' "$L/app.policy"; then
			fail "the merged profile lacks a call of one of the runs"
		else
			pass
		fi
	fi
fi
rm -rf "$L"
