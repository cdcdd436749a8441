# Profiles (husk-profile(5)) and husk check. Sourced by test-user.sh and
# test-root.sh, after lib.sh; $PHASE says which.

P="$WORK/profile-tests-$PHASE"

mkdir -p "$P/sub"

# Where this phase cannot make a cgroup, check refuses a policy with limits
# as run would; the scoring tests then ask for --cgroup auto.
CG_AUTO=()
"$HUSK_BIN" check "${CG_PARENT[@]}" --memory 64m >/dev/null 2>&1 || CG_AUTO=(--cgroup auto)

# The flags that profiles/go-service.profile (with base.profile) stands for.
GO_FLAGS=(--net none --userns private --seccomp default --hostname husk --chdir /
	--tmpfs /tmp:size=64m,nr_inodes=16k,mode=1777 --rlimit core=0 --rlimit rtprio=0
	--stop-timeout 10 --user 1000:1000 --cap-add NET_BIND_SERVICE --seccomp go-service
	--tmpfs /var/tmp:size=64m,nr_inodes=16k,mode=1777 --memory 512m --memory-swap 0
	--cpus 1 --pids 256 --rlimit nofile=1024:4096)

begin "profile ($PHASE): go-service.profile and the same flags give the identical policy"
run_husk check --json --profile go-service "${CG_AUTO[@]}" --rootfs "$ROOTFS" -- /app -addr :80
from_profile=$OUT
run_husk check --json "${GO_FLAGS[@]}" "${CG_AUTO[@]}" --rootfs "$ROOTFS" -- /app -addr :80
expect_rc 0 && [ -n "$from_profile" ] && [ "$from_profile" = "$OUT" ] && pass ||
	fail "husk check --json differs: $(diff <(echo "$from_profile") <(echo "$OUT") | head -5)"

begin "profile ($PHASE): later flags override the profile, a later profile overrides flags"
run_husk check --json --hostname early --profile go-service "${CG_AUTO[@]}" --hostname late --tmpfs /tmp:size=1m
expect_rc 0 && expect_out '"hostname":"late"' && expect_out '"size":1048576' &&
	[ "$(grep -c '"destination":"/tmp"' <<<"$OUT")" = 1 ] && pass
run_husk check --json --hostname early --profile go-service "${CG_AUTO[@]}"
begin "profile ($PHASE): a profile given after a flag overrides it"
expect_rc 0 && expect_out '"hostname":"husk"' && pass

begin "profile ($PHASE): relative paths are taken from the profile's directory"
mkdir -p "$P/sub/root" "$P/sub/data"
cp "$HUSK_PROFILE_DIR/default.policy" "$P/sub/my.policy"
printf 'rootfs root\nro-bind data:/data\nseccomp ./my.policy\n' >"$P/sub/rel.profile"
printf '# comment\n\ninclude sub/rel.profile   # trailing comment\nenv URL=http://h/#frag\n' >"$P/top.profile"
(cd / && run_husk check --json --profile "$P/top.profile" && echo "$OUT" >"$P/out.json")
OUT=$(cat "$P/out.json" 2>/dev/null)
expect_out "\"source\":\"$P/sub/root\"" && expect_out "\"source\":\"$P/sub/data\"" &&
	expect_out "\"path\":\"$P/sub/my.policy\"" && expect_out '"URL=http://h/#frag"' && pass

# Malformed profiles: one line naming FILE:LINE, exit 125.
bad_profile() {
	local name=$1 body=$2 want=$3
	begin "profile ($PHASE): $name fails with file:line and exit 125"
	printf '%b' "$body" >"$P/$name.profile"
	run_husk run --profile "$P/$name.profile" -- /bin/true
	expect_rc 125 && expect_one_error_line && expect_err "$want" && pass
}
bad_profile unknown-key 'net none\nfrobnicate yes\n' "$P/unknown-key.profile:2: unknown key 'frobnicate'"
bad_profile bad-value '# x\n\ncap-add NET_FLY\n' "$P/bad-value.profile:3: cap-add NET_FLY: unknown capability"
bad_profile flag-value 'no-go-env yes\n' "$P/flag-value.profile:1: no-go-env takes no value"
bad_profile no-value 'memory\n' "$P/no-value.profile:1: memory needs a value"
printf 'include loop-b.profile\n' >"$P/loop-a.profile"
bad_profile loop-b 'net none\ninclude loop-a.profile\n' "$P/loop-a.profile:1: include loop-b.profile: include loop"
bad_profile missing-include 'include nothere.profile\n' "$P/missing-include.profile:1: include nothere.profile: .*No such file"
begin "profile ($PHASE): a missing --profile names it"
run_husk run --profile "$P/absent.profile" -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'absent.profile: No such file' && pass
begin "profile ($PHASE): an unknown profile name lists the directories of the profile path"
run_husk run --profile no-such-name -- /bin/true
expect_rc 125 && expect_one_error_line &&
	expect_err "no no-such-name.profile in the profile path: $HUSK_PROFILE_DIR \(HUSK_PROFILE_DIR\), .*\(shipped\)" && pass

begin "check ($PHASE): go-service.profile scores below 2.0"
run_husk check --json --profile go-service "${CG_AUTO[@]}"
score=$(grep -oE '"score":[0-9.]+' <<<"$OUT" | cut -d: -f2)
expect_rc 0 && awk -v s="$score" 'BEGIN { exit !(s != "" && s < 2.0) }' && pass ||
	fail "score '$score'"

begin "check ($PHASE): --net host --cap-add SYS_ADMIN --seccomp unconfined --landlock off scores above 8.0"
printf 'net host\ncap-add SYS_ADMIN\nseccomp unconfined\nlandlock off\n' >"$P/open.profile"
run_husk check --json --profile "$P/open.profile"
score=$(grep -oE '"score":[0-9.]+' <<<"$OUT" | cut -d: -f2)
expect_rc 0 && awk -v s="$score" 'BEGIN { exit !(s > 8.0) }' && pass || fail "score '$score'"

# Landlock keeps CAP_SYS_ADMIN from undoing the mounts: scored lower.
begin "check ($PHASE): the same policy with Landlock scores lower, where the kernel has it"
if ! "$HUSK_BIN" --version | grep -q '^landlock: ABI'; then
	skip "no Landlock on this kernel"
else
	run_husk check --json --net host --cap-add SYS_ADMIN --seccomp unconfined
	ll=$(grep -oE '"score":[0-9.]+' <<<"$OUT" | cut -d: -f2)
	expect_rc 0 && awk -v a="$ll" -v b="$score" 'BEGIN { exit !(a < b) }' && pass ||
		fail "with Landlock '$ll', without '$score'"
fi

begin "check ($PHASE): each layer turned off raises the score"
BASE=(--profile base --seccomp go-service --memory 64m --pids 64 "${CG_AUTO[@]}")
run_husk check --json "${BASE[@]}"
base=$(grep -oE '"score":[0-9.]+' <<<"$OUT" | cut -d: -f2)
worse=0
for opt in "--net host" "--seccomp unconfined" "--cap-add SYS_PTRACE" "--user 0" \
	"--seccomp default" "--bind /etc:/hostetc"; do
	# shellcheck disable=SC2086
	run_husk check --json "${BASE[@]}" $opt
	s=$(grep -oE '"score":[0-9.]+' <<<"$OUT" | cut -d: -f2)
	awk -v a="$s" -v b="$base" 'BEGIN { exit !(a > b) }' && worse=$((worse + 1)) ||
		echo "# $opt: $s, not above $base"
done
[ "$worse" = 6 ] && pass || fail "$worse of 6 options raised the score above $base"

begin "check ($PHASE): --threshold exits 1 above it, 0 at or below"
run_husk check --threshold 8 --profile "$P/open.profile"
rc_open=$RC
err_open=$ERR
run_husk check --threshold 2 --profile go-service "${CG_AUTO[@]}"
[ "$rc_open" = 1 ] && grep -q 'above the threshold 8.0' <<<"$err_open" && expect_rc 0 && pass ||
	fail "open: $rc_open ($err_open)"

begin "check ($PHASE): --threshold out of range is a usage error"
run_husk check --threshold 11
expect_rc 125 && expect_one_error_line && expect_err 'threshold 11' && pass

begin "check ($PHASE): the text report names every layer and each finding's fix"
run_husk check --profile go-service "${CG_AUTO[@]}" --rootfs "$ROOTFS" -- /app
expect_rc 0 && expect_out '^  namespaces +user mount pid net ipc uts cgroup' &&
	expect_out '^  mount +/var/tmp tmpfs size=67108864' && expect_out '^  caps ambient +NET_BIND_SERVICE' &&
	expect_out 'seccomp +go-service' &&
	if [ ${#CG_AUTO[@]} = 0 ]; then expect_out 'memory_max=536870912'; else
		expect_out '^warning: cgroup: --memory is not in force'; fi &&
	expect_out '^exposure [0-9.]+ (SAFE|OK)' && expect_out 'fix: ' && pass

begin "check ($PHASE): the report does not show values passed from the caller"
SECRET_TOKEN=hunter2 run_husk check --json --env-keep SECRET_TOKEN --env A=1
expect_rc 0 && expect_out 'SECRET_TOKEN \(from the caller' && expect_out '"A=1"' &&
	! grep -q hunter2 <<<"$OUT" && pass || fail "value leaked"

begin "check ($PHASE): run --dry-run reports and launches nothing"
run_husk run --dry-run --rootfs "$ROOTFS" -- /bin/touch "$P/launched"
expect_rc 0 && expect_out '^exposure ' && [ ! -e "$P/launched" ] && pass || fail "it ran"

begin "check ($PHASE): --json is refused by run without --dry-run"
run_husk run --json --rootfs "$ROOTFS" -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'husk check or --dry-run' && pass

# What run refuses, check refuses (issue 14): the same line, exit 125,
# the policy still printed with the error and its fix.
check_refuses() { # NAME REGEX RUN-STATUS HUSK-ARGS...
	local name=$1 re=$2 run_rc=$3
	shift 3
	begin "check ($PHASE): refuses what run refuses: $name"
	run_husk run "$@"
	local run_err=$ERR
	if ! expect_rc "$run_rc"; then return; fi
	run_husk check "$@"
	if expect_rc 125 && expect_out '^errors: husk run would refuse this policy' && expect_out 'fix: ' &&
		expect_err "$re"; then
		[ "${ERR#husk: check: }" = "${run_err#husk: run: }" ] && pass ||
			fail "check and run disagree: '$ERR' vs '$run_err'"
	fi
}
check_refuses "a program missing from the rootfs" 'exec /nope: not found in the sandbox' 127 \
	--rootfs "$ROOTFS" -- /nope
check_refuses "a program not in the service's PATH" 'exec nope: not found in the sandbox in the service.s PATH /usr/local/sbin' 127 \
	--rootfs "$ROOTFS" -- nope
check_refuses "a --chdir the rootfs lacks" '--chdir /nope: no such directory in the sandbox' 125 \
	--rootfs "$ROOTFS" --chdir /nope -- /bin/true
check_refuses "a --tmpfs on a file" 'tmpfs on /etc/passwd: /etc/passwd is a file in the sandbox' 125 \
	--rootfs "$ROOTFS" --tmpfs /etc/passwd -- /bin/true
check_refuses "a directory as the program" 'exec /bin: /bin is a directory' 126 \
	--rootfs "$ROOTFS" -- /bin
mkdir -p "$P/scripts"
cp -al "$ROOTFS/." "$P/scripts/" 2>/dev/null || cp -a "$ROOTFS/." "$P/scripts/"
printf '#!/usr/bin/python3\nprint(1)\n' >"$P/scripts/py"
chmod 755 "$P/scripts/py"
check_refuses "a script whose #! interpreter is missing" 'exec /py: the #! interpreter /usr/bin/python3 of /py is not in the sandbox' 127 \
	--rootfs "$P/scripts" -- /py
if [ -x /bin/ls ] && ldd /bin/ls >/dev/null 2>&1; then
	cp /bin/ls "$P/scripts/dynls"
	check_refuses "a dynamic binary whose ELF loader is missing" 'exec /dynls: the ELF interpreter \(dynamic loader\) /lib.*ld-linux.* of /dynls is not in the sandbox' 127 \
		--rootfs "$P/scripts" -- /dynls
fi

begin "check ($PHASE): refuses what run refuses: --memory without a writable cgroup"
if [ "$PHASE" = unprivileged ] && [ -z "${HUSK_TEST_CGROUP_PARENT:-}" ] &&
	! "$HUSK_BIN" run --rootfs "$ROOTFS" --memory 64m -- /bin/true >/dev/null 2>&1; then
	run_husk check --rootfs "$ROOTFS" --memory 64m -- /bin/true
	expect_rc 125 && expect_err 'cannot create a group in .*: Permission denied' &&
		expect_out 'fix: start husk in a delegated cgroup' && {
		run_husk check --rootfs "$ROOTFS" --memory 64m --cgroup auto -- /bin/true
		expect_rc 0 && expect_out '^warning: cgroup: --memory is not in force: .*--cgroup auto goes on without it' &&
			! grep -q memory_max <<<"$OUT" && pass
	}
else
	skip "husk can make a cgroup here: run $PHASE would not refuse --memory"
fi

begin "check ($PHASE): --rootfs / is not SAFE: the host's system and home trees are visible"
run_husk check --rootfs / -- /bin/true
if expect_rc 0 && expect_out 'ProtectHome: root / holds the host' && expect_out 'RootDirectory='; then
	label=$(sed -n 's/^exposure [0-9.]* //p' <<<"$OUT")
	[ "$label" != SAFE ] && [ "$label" != PERFECT ] && pass || fail "scored $label"
fi

begin "check ($PHASE): a missing mount point is listed as a mirror, and the program as found"
run_husk check --rootfs "$ROOTFS" --ro-bind "$P:/etc/app" -- sh
expect_rc 0 && expect_out '^  mirror +/etc for /etc/app \(a read-only tmpfs' &&
	expect_out '^  program +sh \(found at /bin/busybox\)' && pass

begin "profile ($PHASE): the Go service runs under go-service.profile"
run_husk run --profile go-service --cgroup auto --rootfs "$ROOTFS" -- /app -addr 127.0.0.1:80 -selftest
expect_rc 0 && expect_out 'GET /health -> "ok"' && expect_out 'uid=1000 gid=1000' &&
	expect_out '^NoNewPrivs:.1' && expect_out '^CapEff:.0000000000000400' &&
	expect_out 'read-only file system' &&
	if [ ${#CG_AUTO[@]} = 0 ]; then expect_out 'GOMAXPROCS=1 GOMEMLIMIT=483183819'; else
		# Without a cgroup the limits are not in force, and Go is not told of them.
		! grep -qE 'GOMAXPROCS=[0-9]|GOMEMLIMIT=[0-9]' <<<"$OUT" || fail "Go told of limits not in force"; fi && pass



begin "profile ($PHASE): HUSK_PROFILE_DIR is a search path: an empty directory in front hides nothing"
mkdir -p "$P/empty"
HUSK_PROFILE_DIR="$P/empty:$HUSK_PROFILE_DIR" run_husk run --profile go-service --cgroup auto --rootfs "$ROOTFS" \
	-- /app -addr 127.0.0.1:80 -selftest
expect_rc 0 && expect_out 'GET /health -> "ok"' && expect_out '^CapEff:.0000000000000400' && pass

begin "profile ($PHASE): app.profile and docker.json in the current directory are those files"
mkdir -p "$P/cwd"
cp "$WORK/data/docker-default.json" "$P/cwd/docker.json"
printf 'hostname from-cwd\nseccomp docker.json\n' >"$P/cwd/app.profile"
here=$PWD
cd "$P/cwd" || exit 99
run_husk check --profile app.profile --rootfs "$ROOTFS" -- /bin/true
prof_out=$OUT prof_rc=$RC
run_husk run --seccomp docker.json --rootfs "$ROOTFS" -- /bin/true
cd "$here" || exit 99
expect_rc 0 && [ "$prof_rc" = 0 ] && grep -qE '^  hostname +from-cwd' <<<"$prof_out" &&
	grep -qE "^  seccomp +.*docker.json" <<<"$prof_out" && pass || fail "check: $prof_rc: $prof_out"

begin "profile ($PHASE): a profile of one's own includes the shipped one by name, and cap-drop takes back its cap"
mkdir -p "$P/own"
printf 'include go-service\ncap-drop NET_BIND_SERVICE\nenv-drop NOPE\n' >"$P/own/app.profile"
run_husk check --profile "$P/own/app.profile" "${CG_AUTO[@]}" --rootfs "$ROOTFS" -- /app
expect_rc 0 && expect_out 'seccomp +go-service' && expect_out '^  caps ambient +none' && expect_out '^  caps bounding +none' && pass

begin "timing ($PHASE): run --timing names every step, and keeps the exit status"
run_husk run --timing --rootfs "$ROOTFS" -- /bin/sh -c 'exit 3'
expect_rc 3 && expect_err '^husk: timing' && expect_err '[0-9]+\.[0-9]{3} +[-0-9.]+ +child: mounts and pivot_root' &&
	expect_err 'service: seccomp load, up to execve' && ! grep -q 'not reached' <<<"$ERR" && pass
rm -rf "$P"
