#!/bin/bash
# husk run as an unprivileged user: every item of the launch pipeline,
# checked from inside the sandbox. Run by run.sh (as the test user).
set -u
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" != 0 ] || { echo "test-user.sh must not run as root" >&2; exit 99; }

begin "namespaces: all seven differ from the caller's"
sandbox_sh 'for n in user mnt pid net ipc uts cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
if expect_rc 0; then
	for n in user mnt pid net ipc uts cgroup; do
		inside=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$OUT")
		outside=$(readlink "/proc/self/ns/$n")
		if [ -z "$inside" ] || [ "$inside" = "$outside" ]; then
			fail "$n namespace: inside '$inside', caller '$outside'"
		fi
	done
	pass
fi

begin "ids: the caller's uid and gid inside by default"
sandbox_sh 'id -u; id -g'
expect_rc 0 && [ "$OUT" = "$(id -u)"$'\n'"$(id -g)" ] && pass || fail "ids: $OUT"

begin "ids: --user maps the caller onto other ids"
sandbox_sh 'id -u; id -g' --user 1234:4321
expect_rc 0 && [ "$OUT" = $'1234\n4321' ] && pass || fail "ids: $OUT"

begin "no_new_privs is set"
sandbox_sh 'grep NoNewPrivs /proc/self/status'
expect_rc 0 && expect_out '^NoNewPrivs:[[:space:]]+1$' && pass

begin "capabilities: every set empty"
sandbox_sh 'grep ^Cap /proc/self/status'
if expect_rc 0; then
	for s in CapInh CapPrm CapEff CapBnd CapAmb; do
		grep -qE "^$s:[[:space:]]+0000000000000000$" <<<"$OUT" || fail "$s not empty"
	done
	pass
fi

begin "capabilities: --cap-add keeps one cap in every set, ambient for non-root"
sandbox_sh 'grep ^Cap /proc/self/status' --cap-add NET_BIND_SERVICE
if expect_rc 0; then
	for s in CapInh CapPrm CapEff CapBnd CapAmb; do
		grep -qE "^$s:[[:space:]]+0000000000000400$" <<<"$OUT" || fail "$s is not NET_BIND_SERVICE only"
	done
	pass
fi

begin "root filesystem: / is read-only (EROFS)"
sandbox_sh 'touch /husk-was-here; echo rc=$?' 
expect_rc 0 && expect_err 'Read-only file system' && expect_out 'rc=1' &&
	[ ! -e "$ROOTFS/husk-was-here" ] && pass || fail "rootfs written"

begin "root filesystem: mounted nosuid,nodev"
sandbox_sh 'awk "\$5 == \"/\"" /proc/self/mountinfo'
expect_rc 0 && expect_out ' / ro,nosuid,nodev' && pass

begin "tmpfs: /tmp is writable, nosuid,nodev, and bounded"
sandbox_sh 'echo hi >/tmp/f && cat /tmp/f && grep " /tmp " /proc/self/mountinfo' 
expect_rc 0 && expect_out '^hi$' && expect_out ' /tmp rw,nosuid,nodev.*size=65536k,nr_inodes=16384' && pass

begin "tmpfs: writes stop at size="
sandbox_sh 'dd if=/dev/zero of=/tmp/fill bs=1024 count=4096 2>&1; echo rc=$?' --tmpfs /tmp:size=1m,nr_inodes=64
expect_rc 0 && expect_out 'No space left on device' && expect_out 'rc=1' && pass

begin "tmpfs: --tmpfs with mode and size"
sandbox_sh 'stat -c %a /var/tmp; grep " /var/tmp " /proc/self/mountinfo' --tmpfs /var/tmp:size=2m,mode=0700
expect_rc 0 && expect_out '^700$' && expect_out 'size=2048k' && pass

begin "fds: nothing above 2 reaches the service"
exec 5</dev/null 7>/dev/null
sandbox_sh 'ls /proc/$$/fd; true' # "; true": keep sh, do not exec ls
exec 5<&- 7>&-
expect_rc 0 && [ "$(echo $OUT)" = "0 1 2" ] && pass || fail "fds: $(echo $OUT)"

begin "procfs: masked paths cannot be read"
checked=0
for f in /proc/keys /proc/timer_list /proc/sched_debug /proc/kcore /proc/latency_stats; do
	[ -r "$f" ] || continue # only paths the caller can read prove anything
	checked=$((checked + 1))
	sandbox_sh "cat $f >/dev/null 2>&1 && echo readable $f; ls $f >/dev/null 2>&1 || echo gone $f"
	expect_rc 0 || break
	if grep -q "readable $f" <<<"$OUT"; then fail "$f is readable"; break; fi
done
[ "$checked" -gt 0 ] && pass || skip "none of the masked files is readable here outside either"

begin "procfs: masked directories are empty"
sandbox_sh 'ls -A /proc/acpi /proc/scsi 2>/dev/null | grep -v : | grep . ; true'
expect_rc 0 && [ -z "$OUT" ] && pass || fail "not empty: $OUT"

begin "procfs: /proc/sys (and /proc/sysrq-trigger where present) are read-only"
want=1
script='echo x >/proc/sys/kernel/hostname; cat /proc/sys/kernel/ostype'
if [ -e /proc/sysrq-trigger ]; then
	want=2
	script="$script; echo 1 >/proc/sysrq-trigger"
fi
sandbox_sh "$script; true"
expect_rc 0 && [ "$(grep -c 'Read-only file system' <<<"$ERR")" = "$want" ] && expect_out '^Linux$' && pass ||
	fail "writes were not refused with EROFS"

begin "procfs: shows only the sandbox's processes"
sandbox_sh 'ls -d /proc/[0-9]*'
expect_rc 0 && [ "$(echo $OUT)" = "/proc/1 /proc/2" ] && pass || fail "$(echo $OUT)"

begin "dev: minimal /dev, read-only, devices usable"
sandbox_sh 'ls /dev | tr "\n" " "; echo; echo x >/dev/null && head -c 4 /dev/urandom | wc -c; touch /dev/evil 2>&1; ls /dev/pts'
expect_rc 0 && expect_out '^fd full null ptmx pts random shm stderr stdin stdout tty urandom zero $' &&
	expect_out '^4$' && expect_out 'Read-only file system' && expect_out 'ptmx' && pass

begin "network: only lo, and it is up"
sandbox_sh 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ip -o link show lo'
expect_rc 0 && [ "$(head -n1 <<<"$OUT")" = lo ] && [ "$(grep -c . <<<"$OUT")" = 2 ] &&
	expect_out 'lo: <LOOPBACK,UP' && pass || fail "interfaces: $OUT"

begin "network: --net host shares the caller's interfaces"
sandbox_sh 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort' --net host
expect_rc 0 && [ "$OUT" = "$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort)" ] && pass ||
	fail "interfaces differ"

begin "terminal: the service has no controlling terminal (CVE-2017-5226)"
if command -v script >/dev/null; then
	# script(1) gives husk a real pty as its controlling terminal; the
	# caller's tty_nr proves the check can see one.
	OUT=$(SHELL=/bin/sh script -qec "cut -d' ' -f7 /proc/self/stat; $HUSK_BIN run --rootfs $ROOTFS -- /bin/sh -c 'cut -d\" \" -f7 /proc/self/stat'" /dev/null </dev/null | tr -d '\r')
	outside=$(sed -n 1p <<<"$OUT")
	inside=$(sed -n 2p <<<"$OUT")
	if [ -n "$outside" ] && [ "$outside" != 0 ] && [ "$inside" = 0 ]; then pass; else
		fail "tty_nr outside '$outside', inside '$inside'"
	fi
else
	skip "script(1) not installed"
fi

begin "hostname: husk by default, --hostname sets it"
sandbox_sh 'hostname'
a=$OUT
sandbox_sh 'hostname' --hostname web-1
[ "$a" = husk ] && [ "$OUT" = web-1 ] && pass || fail "got '$a' and '$OUT'"

begin "environment: clean, with --env and --env-keep"
HUSK_TEST_SECRET=hunter2 HUSK_TEST_KEEP=kept run_husk run --rootfs "$ROOTFS" --env A=1 --env-keep HUSK_TEST_KEEP -- /bin/sh -c 'env | sort'
expect_rc 0 && expect_out '^A=1$' && expect_out '^HUSK_TEST_KEEP=kept$' &&
	expect_out '^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' &&
	! grep -q hunter2 <<<"$OUT" && pass || fail "environment leaked or incomplete"

begin "chdir: --chdir, and the cwd is checked inside the root"
sandbox_sh 'pwd' --chdir /tmp
expect_rc 0 && [ "$OUT" = /tmp ] && pass || fail "pwd: $OUT"

begin "binds: --ro-bind is read-only, --bind writable, both nosuid,nodev"
mkdir -p "$WORK/u-ro" "$WORK/u-rw"
echo data >"$WORK/u-ro/file"
sandbox_sh 'cat /tmp/ro/file; echo x >/tmp/ro/new 2>&1; echo y >/tmp/rw/new && echo wrote; grep -E " /tmp/(ro|rw) " /proc/self/mountinfo' \
	--ro-bind "$WORK/u-ro:/tmp/ro" --bind "$WORK/u-rw:/tmp/rw"
expect_rc 0 && expect_out '^data$' && expect_err 'Read-only file system' && expect_out '^wrote$' &&
	expect_out ' /tmp/ro ro,nosuid,nodev' && expect_out ' /tmp/rw rw,nosuid,nodev' &&
	[ "$(cat "$WORK/u-rw/new")" = y ] && [ ! -e "$WORK/u-ro/new" ] && pass

begin "binds: a file onto a file"
sandbox_sh 'cat /tmp/one' --ro-bind "$WORK/u-ro/file:/tmp/one"
expect_rc 0 && [ "$OUT" = data ] && pass || fail "file bind"

begin "no --rootfs: / is an empty read-only tmpfs holding only what was asked"
run_husk run --ro-bind "$WORK/rootfs/bin:/bin" -- /bin/sh -c 'ls / | tr "\n" " "; touch /x 2>&1; true'
expect_rc 0 && expect_out '^bin dev proc tmp ' && expect_out 'Read-only file system' && pass

begin "exit status: the service's own"
sandbox_sh 'exit 7'
expect_rc 7 && pass

begin "exit status: 127 for a missing program, 126 for one that cannot run"
run_husk run --rootfs "$ROOTFS" -- /no/such/program
a=$RC
run_husk run --rootfs "$ROOTFS" -- /etc
[ "$a" = 127 ] && [ "$RC" = 126 ] && expect_one_error_line && pass || fail "got $a and $RC"

begin "exit status: 128+N when the service dies of signal N"
sandbox_sh 'kill -USR1 $$'
expect_rc 138 && pass

begin "go service: serves on loopback inside its own network namespace"
sandbox_sh '/app -addr 127.0.0.1:8080 & for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8080/health 2>/dev/null && break; sleep 0.2; done; kill $!'
expect_rc 0 && expect_out '^ok$' && pass

begin "go service: binds port 80 with --cap-add NET_BIND_SERVICE, not without"
sandbox_sh '/app -addr 127.0.0.1:80 & for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:80/health 2>/dev/null && break; sleep 0.2; done; kill $!' --cap-add NET_BIND_SERVICE
with=$OUT
run_husk run --rootfs "$ROOTFS" -- /app -addr 127.0.0.1:80 -once
grep -q '^ok$' <<<"$with" && [ "$RC" = 3 ] && expect_err 'permission denied' && pass || fail "with cap: '$with'; without: rc $RC"

# Starts husk in the background with a service; sets BG to its pid.
start_bg() {
	"$HUSK_BIN" "$@" >"$WORK/bg.out" 2>"$WORK/bg.err" </dev/null &
	BG=$!
}
bg_ready() { grep -q listening "$WORK/bg.out"; }

begin "signals: SIGTERM to husk kills a Go service without a handler: exit 143"
start_bg run --rootfs "$ROOTFS" -- /app
if wait_for bg_ready; then
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	expect_rc 143 && pass
else
	kill -KILL "$BG"; wait "$BG"; fail "service did not start: $(cat "$WORK/bg.err")"
fi

begin "signals: SIGTERM reaches a Go service that handles it: exit 0"
start_bg run --rootfs "$ROOTFS" -- /app -graceful
if wait_for bg_ready; then
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	expect_rc 0 && pass
else
	kill -KILL "$BG"; wait "$BG"; fail "service did not start"
fi

begin "signals: INT, HUP, QUIT, USR1, USR2 are forwarded"
ok=1
for s in INT HUP QUIT USR1 USR2; do
	start_bg run --rootfs "$ROOTFS" -- /bin/sh -c "trap 'echo got-$s; exit 0' $s; echo listening; while :; do sleep 0.05; done"
	wait_for bg_ready || ok=0
	kill -s "$s" "$BG"
	wait "$BG"
	grep -q "got-$s" "$WORK/bg.out" || { ok=0; fail "$s not forwarded"; }
done
[ "$ok" = 1 ] && pass

begin "signals: --stop-timeout kills a service that ignores SIGTERM"
start_bg run --rootfs "$ROOTFS" --stop-timeout 1 -- /bin/sh -c 'trap "" TERM; echo listening; while :; do sleep 0.05; done'
wait_for bg_ready
t0=$(date +%s%N)
kill -TERM "$BG"
wait "$BG"
RC=$?
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
expect_rc 137 && [ "$ms" -ge 900 ] && [ "$ms" -lt 8000 ] && pass || fail "stopped after ${ms} ms"

begin "init: orphaned zombies are reaped"
sandbox_sh '(sleep 0.1 &); sleep 0.6; for s in /proc/[0-9]*/status; do grep -q "^State:.*Z" $s && echo zombie $s; done; echo checked'
expect_rc 0 && expect_out '^checked$' && ! grep -q zombie <<<"$OUT" && pass || fail "zombies: $OUT"

begin "SIGKILL of husk leaves no process behind"
mark="husk-kill-test-$$"
start_bg run --rootfs "$ROOTFS" -- /bin/sh -c "echo listening; (sleep 1000; echo $mark) & exec sleep 1001"
wait_for bg_ready
before=$(procs_with "sleep 100")
kill -KILL "$BG"
wait "$BG" 2>/dev/null
gone() { [ -z "$(procs_with "sleep 100")" ]; }
if [ -z "$before" ]; then fail "the sandbox's processes were not found before the kill"
elif wait_for gone; then pass; else fail "left behind: $(procs_with "sleep 100")"; fi

begin "seccomp: the default profile refuses every dangerous call of the probe"
run_husk run --rootfs "$ROOTFS" -- /sc-probe
n=$(grep -oE '^[0-9]+ passed' <<<"$OUT" | cut -d' ' -f1)
expect_rc 0 && expect_out '^[0-9]+ passed, 0 failed$' && [ "${n:-0}" -ge 25 ] &&
	expect_out '^PASS clone3 ENOSYS$' && expect_out '^PASS ioctl\(TIOCSTI\|1<<32\) EPERM$' && pass

begin "seccomp: ablation: unconfined, the same probes get through"
run_husk run --rootfs "$ROOTFS" --seccomp unconfined -- /sc-probe
expect_rc 1 && expect_err 'warning: --seccomp unconfined' &&
	expect_out '^FAIL unshare\(CLONE_NEWUSER\)' && expect_out '^FAIL personality' &&
	expect_out '^FAIL clone3' && pass

begin "init: a service that makes init its tracer (PTRACE_TRACEME) still runs to its end"
run_husk run --rootfs "$ROOTFS" --seccomp unconfined -- /sc-probe
expect_rc 1 && expect_out '^FAIL ptrace returned 0$' && expect_out '^[0-9]+ passed, [0-9]+ failed$' && pass

begin "seccomp: a Docker JSON profile loads and filters"
run_husk run --rootfs "$ROOTFS" --seccomp "$HUSK_PROFILE_DIR/docker-default.json" -- /sc-probe
expect_out '^PASS unshare\(CLONE_NEWUSER\) EPERM$' && expect_out '^PASS mount EPERM$' &&
	expect_out '^PASS ordinary-calls-work' && pass

begin "seccomp: go-service: the Go service serves on loopback and stops on SIGTERM"
port=""
for cand in $(seq 18080 18099); do
	grep -qiE ":$(printf '%04X' "$cand") [0-9A-F:]+ 0A " /proc/net/tcp || { port=$cand; break; }
done
start_bg run --rootfs "$ROOTFS" --net host --seccomp go-service -- /app -addr "127.0.0.1:$port"
if wait_for bg_ready; then
	got=$(busybox wget -qO- "http://127.0.0.1:$port/health" 2>&1)
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	[ "$got" = ok ] && grep -q "uid=$(id -u) " "$WORK/bg.out" && expect_rc 143 && pass ||
		fail "health '$got', exit $RC"
else
	kill -KILL "$BG"; wait "$BG"; fail "did not start: $(cat "$WORK/bg.err")"
fi

begin "seccomp: strict runs a program that only does I/O, and refuses the rest"
run_husk run --rootfs "$ROOTFS" --seccomp strict -- /bin/echo strict-ok
a=$OUT
run_husk run --rootfs "$ROOTFS" --seccomp strict -- /sc-probe
[ "$a" = strict-ok ] && expect_out '^FAIL ordinary-calls-work ENOSYS$' && pass || fail "echo: '$a'"

begin "seccomp: a precompiled filter is used, and ignored once its profile changes"
mkdir -p "$WORK/pre"
install -m 644 "$HUSK_PROFILE_DIR/strict.policy" "$WORK/pre/"
HUSK_PROFILE_DIR="$WORK/pre" run_husk seccomp precompile strict
a=$RC
HUSK_PROFILE_DIR="$WORK/pre" run_husk run --rootfs "$ROOTFS" --seccomp strict -- /sc-probe
before=$(grep ordinary-calls-work <<<"$OUT")
# The edited profile allows what the probe's ordinary calls need; the old
# .bpf would still refuse socket().
printf 'socket\ngetpid\n' >>"$WORK/pre/strict.policy"
HUSK_PROFILE_DIR="$WORK/pre" run_husk run --rootfs "$ROOTFS" --seccomp strict -- /sc-probe
after=$(grep ordinary-calls-work <<<"$OUT")
[ "$a" = 0 ] && [ -s "$WORK/pre/strict.bpf" ] && grep -q '^FAIL' <<<"$before" &&
	grep -q '^PASS' <<<"$after" && pass || fail "before '$before', after '$after'"

begin "seccomp: a malformed profile: one line with file:line:col, exit 125"
printf 'execve\nread => errno EWHAT\n' >"$WORK/bad.policy"
run_husk run --rootfs "$ROOTFS" --seccomp "$WORK/bad.policy" -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'bad.policy:2:15: unknown errno' && pass

begin "seccomp: a missing profile: one line, exit 125"
run_husk run --rootfs "$ROOTFS" --seccomp no-such-profile -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err "no profile 'no-such-profile'" && pass

begin "seccomp: husk seccomp show and compile"
run_husk seccomp show default
shown=$OUT
run_husk seccomp compile default -o "$WORK/default.bpf"
size=$(stat -c %s "$WORK/default.bpf" 2>/dev/null || echo 0)
grep -q '^unshare => errno EPERM$' <<<"$shown" && grep -q '^read => allow$' <<<"$shown" &&
	expect_rc 0 && [ "$size" -gt 0 ] && [ $((size % 8)) = 0 ] && [ -s "$WORK/default.bpf.overlay" ] &&
	expect_err 'main filter: [0-9]+ instructions' && pass || fail "bpf size $size"

begin "rlimits: defaults core=0, nofile=1024:4096, rtprio=0"
sandbox_sh 'grep -E "^(Max core file size|Max open files|Max realtime priority)" /proc/self/limits'
want_nofile=4096
[ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 4096 ] && want_nofile=$(ulimit -Hn)
expect_rc 0 && expect_out '^Max core file size +0 +0 ' && expect_out '^Max realtime priority +0 +0' &&
	expect_out "^Max open files +[0-9]+ +$want_nofile " && pass

begin "rlimits: a fd bomb stops at RLIMIT_NOFILE"
run_husk run --rootfs "$ROOTFS" --rlimit nofile=64 -- /limits fd-bomb
expect_rc 0 && expect_out '^opened 61 errno EMFILE$' && pass

begin "rlimits: nofile=3 and nproc=1 limit the service, not husk's own setup"
# Builtins only: under nproc=1 the shell cannot fork.
# husk's own setup needs more than 3 fds and 1 process; the service gets
# exactly those: no fd beyond stdio.
run_husk run --rootfs "$ROOTFS" --rlimit nofile=3 --rlimit nproc=1 -- /limits fd-bomb
expect_rc 0 && expect_out '^opened 0 errno EMFILE$' && pass

begin "rlimits: the service's own fork fails under nproc=1, with the shell's error"
sandbox_sh '/bin/true; echo after $?' --rlimit nproc=1
expect_rc 2 && expect_err "can't fork" && ! grep -q '^husk:' <<<"$ERR" && pass || fail "husk blamed itself"

begin "rlimits: a program that cannot load under as= dies with a warning naming the limit"
run_husk run --rootfs "$ROOTFS" --rlimit as=1m -- /bin/true
expect_rc 139 && expect_err 'died of signal 11 \(the service.s --rlimit as=1048576 may be too small' && pass

begin "rlimits: --rlimit with suffixes and unlimited"
# fsize, not as: an ASan build of husk runs in the child until exec, and
# ASan cannot live under an address-space limit.
sandbox_sh 'grep -E "^(Max file size|Max cpu time)" /proc/self/limits' --rlimit fsize=512m:1g --rlimit cpu=unlimited
expect_rc 0 && expect_out '^Max file size +536870912 +1073741824 ' && expect_out '^Max cpu time +unlimited +unlimited' && pass

begin "rlimits: a hard limit above the caller's is refused, saying so"
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then
	skip "the caller's nofile hard limit is unlimited"
else
	run_husk run --rootfs "$ROOTFS" --rlimit "nofile=$((hard + 1))" -- /bin/true
	expect_rc 125 && expect_one_error_line && expect_err "above yours \($hard\); only root" && pass
fi

begin "rlimits: a bad --rlimit: one line, exit 125"
run_husk run --rootfs "$ROOTFS" --rlimit nofile=10:5 -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'soft limit is above the hard limit' && pass

begin "command line: bare husk prints a short usage on stderr, exit 125"
run_husk
expect_rc 125 && [ -z "$OUT" ] && expect_err '^Usage: husk run' && [ "$(grep -c . <<<"$ERR")" -le 8 ] && pass ||
	fail "stdout '$OUT'"

begin "command line: -h after run and check prints that command's help, exit 0"
run_husk run --rootfs "$ROOTFS" -h
run_out=$OUT run_rc=$RC
run_husk check -h
expect_rc 0 && [ "$run_rc" = 0 ] && grep -q '^Usage: husk run' <<<"$run_out" && grep -q -- '--timing' <<<"$run_out" &&
	! grep -q -- '--threshold' <<<"$run_out" && expect_out '^Usage: husk check' && expect_out '--threshold' &&
	[ -z "$(awk 'length > 80' <<<"$run_out"$'\n'"$OUT")" ] && pass || fail "run -h: $run_rc"

begin "command line: -h works for every command"
ok=1
for c in "" run check seccomp completion; do
	# shellcheck disable=SC2086 # an empty command is no word
	run_husk $c -h
	[ "$RC" = 0 ] && grep -q '^Usage: husk' <<<"$OUT" || { ok=0; fail "husk $c -h: exit $RC"; }
done
[ "$ok" = 1 ] && pass

begin "command line: a short option before -- is refused, not run as the program"
run_husk run --rootfs "$ROOTFS" -v
expect_rc 125 && expect_one_error_line && expect_err 'unknown option -v: husk takes long options only' && pass

begin "command line: bubblewrap's --ro-bind SRC DST form is refused with the husk form"
run_husk run --rootfs "$ROOTFS" --ro-bind /etc /etc2 -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err "bubblewrap's two-argument form" &&
	expect_err 'husk takes --ro-bind /etc:/etc2' && pass

begin "command line: --version names libseccomp, the kernel's features and the profile path"
run_husk --version
expect_rc 0 && expect_out '^husk [0-9]' && expect_out '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+, API level [0-9]' &&
	expect_out '^clone3: (yes|no)$' && expect_out '^cgroups: ' &&
	expect_out "^profile path: $HUSK_PROFILE_DIR \\(HUSK_PROFILE_DIR\\), .*\\(site\\), .*\\(shipped\\)" && pass

begin "command line: husk seccomp compile without -o refuses a terminal"
if ! SHELL=/bin/sh script -qec true /dev/null >/dev/null 2>&1; then
	skip "script(1) cannot make a terminal here"
else
	out=$(SHELL=/bin/sh script -qec "$HUSK_BIN seccomp compile default" /dev/null 2>&1)
	RC=$? ERR=$out
	expect_rc 125 && expect_err 'stdout is a terminal; give -o FILE' && ! grep -q 'instructions' <<<"$out" && pass
fi

begin "command line: bash completion from the option table completes options and their values"
run_husk completion bash
if expect_rc 0; then
	comp=$(bash -c '
		eval "$1"
		COMP_WORDS=(husk run --ro-); COMP_CWORD=2; _husk; echo "opts: ${COMPREPLY[*]}"
		COMP_WORDS=(husk run --net ""); COMP_CWORD=3; _husk; echo "net: ${COMPREPLY[*]}"
		COMP_WORDS=(husk check --thr); COMP_CWORD=2; _husk; echo "check: ${COMPREPLY[*]}"
		COMP_WORDS=(husk se); COMP_CWORD=1; _husk; echo "cmd: ${COMPREPLY[*]}"' _ "$OUT")
	grep -q '^opts: --ro-bind$' <<<"$comp" && grep -q '^net: none host ns: veth$' <<<"$comp" &&
		grep -q '^check: --threshold$' <<<"$comp" && grep -q '^cmd: seccomp$' <<<"$comp" && pass ||
		fail "completions: $comp"
fi

begin "command line: zsh completion from the option table is valid zsh"
if ! command -v zsh >/dev/null; then
	skip "zsh not installed"
else
	run_husk completion zsh
	printf '%s\n' "$OUT" >"$WORK/_husk"
	zerr=$(zsh -n "$WORK/_husk" 2>&1)
	expect_rc 0 && [ -z "$zerr" ] && expect_out '^#compdef husk' && expect_out "'--rootfs\[" && pass || fail "zsh -n: $zerr"
fi

begin "namespaces refused by a container's seccomp filter: the error names the filter, not the sysctls"
run_husk run --rootfs "$ROOTFS" -- /bin/true
if [ "$RC" != 0 ]; then
	skip "husk cannot make namespaces here at all"
else
	OUT=$(timeout 30 "$WORK/no-userns" "$HUSK_BIN" run --rootfs "$ROOTFS" -- /bin/true 2>&1 >/dev/null)
	RC=$?
	ERR=$OUT OUT=""
	expect_rc 125 && expect_one_error_line && expect_err 'create namespaces' &&
		expect_err 'under a seccomp filter \(Seccomp: 2 in /proc/self/status\)' &&
		expect_err 'seccomp=unconfined' && ! grep -q unprivileged_userns_clone <<<"$ERR" && pass ||
		fail "the sysctls are blamed"
fi

begin "cgroup: without a writable cgroup, a limit is an error that says how to get one"
if [ -w "/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)" ] ||
	[ -w "/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)/cgroup.procs" ]; then
	skip "this user has a writable cgroup here"
else
	run_husk run --rootfs "$ROOTFS" --memory 64m -- /bin/true
	expect_rc 125 && expect_one_error_line && expect_err 'cgroup' && expect_err 'DELEGATION' && pass
fi

begin "cgroup: --cgroup auto warns and goes on; Go variables come from the limits in force"
run_husk run --rootfs "$ROOTFS" --memory 100m --cpus 1.5 --cgroup auto -- /bin/sh -c 'echo "[$GOMAXPROCS $GOMEMLIMIT]"'
if "$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --memory 100m --cpus 1.5 -- /bin/true 2>/dev/null; then
	expect_rc 0 && [ "$OUT" = "[2 94371840]" ] && [ -z "$ERR" ] && pass || fail "got '$OUT'"
else
	expect_rc 0 && [ "$OUT" = "[ ]" ] && expect_err 'cgroup: --memory is not in force' &&
		expect_err 'cgroup: --cpus is not in force' && pass || fail "got '$OUT'"
fi

begin "cgroup: --env wins over the derived Go variables, --no-go-env drops them"
run_husk run --rootfs "$ROOTFS" --cpus 3 --env GOMAXPROCS=7 --cgroup auto -- /bin/sh -c 'echo $GOMAXPROCS'
a=$OUT
run_husk run --rootfs "$ROOTFS" --cpus 3 --memory 64m --no-go-env --cgroup auto -- /bin/sh -c 'echo "[$GOMAXPROCS$GOMEMLIMIT]"'
[ "$a" = 7 ] && [ "$OUT" = "[]" ] && pass || fail "got '$a' and '$OUT'"

begin "cgroup: bad limits: one line, exit 125"
ok=1
for args in "--memory 1k" "--pids 3" "--cpus 0" "--cpus lots" "--cpu-weight 0" "--cgroup maybe" "--memory-swap 1m"; do
	# shellcheck disable=SC2086
	run_husk run $args --rootfs "$ROOTFS" -- /bin/true
	[ "$RC" = 125 ] && expect_one_error_line || { ok=0; fail "$args: rc $RC"; break; }
done
run_husk run --memory 64m --cgroup off --rootfs "$ROOTFS" -- /bin/true
[ "$ok" = 1 ] && expect_rc 125 && expect_err 'need a cgroup' && pass

PHASE="unprivileged"
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
. "$(dirname "$0")/readme-tests.sh"

begin "errors: unknown option: one line, exit 125"
run_husk run --no-such-option -- /app
expect_rc 125 && expect_one_error_line && expect_err 'no-such-option' && pass

begin "errors: malformed values: one line, exit 125"
ok=1
for args in "--tmpfs /t:size=abc" "--cap-add BOGUS" "--user nobody" "--net maybe" "--env 1=2" "--bind /nonexistent-husk:/x"; do
	# shellcheck disable=SC2086
	run_husk run $args --rootfs "$ROOTFS" -- /app
	[ "$RC" = 125 ] && expect_one_error_line || { ok=0; fail "$args: rc $RC"; break; }
done
[ "$ok" = 1 ] && pass

begin "errors: missing rootfs: one line naming it, exit 125"
run_husk run --rootfs "$WORK/no-such-rootfs" -- /app
expect_rc 125 && expect_one_error_line && expect_err 'no-such-rootfs' && pass

begin "errors: no program: one line, exit 125"
run_husk run --rootfs "$ROOTFS"
expect_rc 125 && expect_one_error_line && pass

# Mount points the rootfs lacks are made in a read-only tmpfs mirror of
# their parent (view.h); the rootfs itself is never written.
begin "mount points: a --ro-bind onto a directory the rootfs lacks gets one; the rootfs is untouched"
before=$(mountinfo)
tree_before=$(cd "$ROOTFS" && find . | sort | md5sum)
run_husk run --rootfs "$ROOTFS" --ro-bind "$WORK/u-ro:/not-there" -- /bin/sh -c \
	'cat /not-there/file; ls / | tr "\n" " "; echo; mkdir /x 2>&1; touch /not-there/y 2>&1; true'
if expect_rc 0 && expect_out '^data$' && expect_out '^app bin dev etc .*not-there proc .*sys tmp var $' &&
	expect_out "mkdir: can't create directory '/x': Read-only file system"; then
	[ ! -e "$ROOTFS/not-there" ] && [ "$tree_before" = "$(cd "$ROOTFS" && find . | sort | md5sum)" ] &&
		[ "$before" = "$(mountinfo)" ] && pass || fail "rootfs or host mounts changed"
fi

begin "mount points: README's --ro-bind ./config:/etc/app keeps the rest of /etc, read-only"
mkdir -p "$WORK/u-config"
echo "listen=:8080" >"$WORK/u-config/app.conf"
cd "$WORK"
run_husk run --rootfs "$ROOTFS" --ro-bind u-config:/etc/app -- /bin/sh -c \
	'cat /etc/app/app.conf; cat /etc/passwd; ls /etc | tr "\n" " "; echo; touch /etc/new 2>&1; readlink /bin/sh; true'
cd - >/dev/null
expect_rc 0 && expect_out '^listen=:8080$' && expect_out '^app:x:1000:1000' && expect_out '^app passwd $' &&
	expect_out 'Read-only file system' && expect_out '^busybox$' && pass

begin "mount points: --tmpfs and a file bind at paths two levels deep that the rootfs lacks"
run_husk run --rootfs "$ROOTFS" --tmpfs /var/cache/app:size=1m --ro-bind "$WORK/u-ro/file:/srv/conf/one" \
	-- /bin/sh -c 'echo w >/var/cache/app/f && cat /var/cache/app/f /srv/conf/one; ls /var | tr "\n" " "'
expect_rc 0 && expect_out '^w$' && expect_out '^data$' && expect_out 'cache tmp' && pass

begin "mount points: one that lies below a --ro-bind is made in a mirror of the bind, not in the host dir"
mkdir -p "$WORK/u-robase/keep"
echo base >"$WORK/u-robase/keep/f"
run_husk run --rootfs "$ROOTFS" --ro-bind "$WORK/u-robase:/opt/base" --ro-bind "$WORK/u-ro:/opt/base/sub/dir" \
	-- /bin/sh -c 'cat /opt/base/keep/f /opt/base/sub/dir/file; touch /opt/base/z 2>&1; true'
expect_rc 0 && expect_out '^base$' && expect_out '^data$' && expect_out 'Read-only' &&
	[ ! -e "$WORK/u-robase/sub" ] && pass || fail "the host directory was written"

# A hostile rootfs: symlinked mount destinations that point at host paths.
EVIL="$WORK/evil-rootfs"
begin "hostile rootfs: an absolute symlinked destination cannot reach the host"
mkdir -p "$WORK/host-target"
before=$(mountinfo)
run_husk run --rootfs "$EVIL" --ro-bind "$WORK/u-ro:/abs-link" -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'symlink' &&
	[ -z "$(ls -A "$WORK/host-target")" ] && [ "$before" = "$(mountinfo)" ] && pass ||
	fail "host target touched or mounts changed"

begin "hostile rootfs: a ../ symlinked destination stays inside the root"
before=$(mountinfo)
run_husk run --rootfs "$EVIL" --ro-bind "$WORK/u-ro:/rel-link/x" -- /bin/true
expect_rc 125 && expect_one_error_line && [ ! -e "$WORK/host-target/x" ] &&
	[ "$before" = "$(mountinfo)" ] && pass || fail "escaped"

begin "hostile rootfs: a symlink into the root's own tmpfs is followed inside"
run_husk run --rootfs "$EVIL" --ro-bind "$WORK/u-ro:/tmp-link/ro" -- /bin/cat /tmp/ro/file
expect_rc 0 && [ "$OUT" = data ] && pass

begin "hostile rootfs: /proc as a symlink to a host path is refused"
run_husk run --rootfs "$WORK/evil-proc-rootfs" -- /bin/true
expect_rc 125 && expect_one_error_line && expect_err 'proc' && pass

begin "hostile rootfs: device nodes in the rootfs are inert (nodev)"
# A node can only be planted by root; run.sh made one if it could.
if [ -c "$EVIL/dev-null-copy" ]; then
	run_husk run --rootfs "$EVIL" -- /bin/sh -c 'echo x >/dev-null-copy 2>&1; cat /dev-null-copy 2>&1; true'
	expect_rc 0 && expect_out 'Permission denied' && pass
else
	skip "no device node in the hostile rootfs (run.sh not run as root)"
fi

end_tests
exit 0
