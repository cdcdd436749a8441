# Helpers shared by the integration test scripts. Sourced, not run.
#
# Results go to $RESULTS (one line each: "ok NAME", "not ok NAME: why",
# "skip NAME: why"), so the unprivileged and the root-started phases can be
# counted together by run.sh.

: "${RESULTS:?RESULTS must name the results file}"
: "${WORK:?WORK must name the fixture directory}"
HUSK_BIN="$WORK/husk"
ROOTFS="$WORK/rootfs"

_current=""

# Named sandboxes (husk run --name) keep their state in
# $XDG_RUNTIME_DIR/husk, which a login session sets; the suite runs
# without one, so each user gets its own here.
if [ "$(id -u)" != 0 ]; then
	export XDG_RUNTIME_DIR="$WORK/xdg-$(id -u)"
	mkdir -p -m 700 "$XDG_RUNTIME_DIR"
fi

# Where a cgroup v2 host keeps husk's groups apart from the tests' own
# (tests/vm sets it to a delegated group): passed to every husk run.
CG_PARENT=()
[ -n "${HUSK_TEST_CGROUP_PARENT:-}" ] && CG_PARENT=(--cgroup-parent "$HUSK_TEST_CGROUP_PARENT")

# begin NAME: starts a test; its outcome is the first pass/fail/skip call.
# A test that ends without one (a bare [ ] test that was false) is a
# failure, never a silent gap: the next begin, or end_tests, says so.
begin() {
	if [ -n "$_current" ] && [ "$_done" = 0 ]; then
		fail "the test reached no verdict (a check without a message failed)"
	fi
	_current="$1"
	_done=0
}
end_tests() {
	begin ""
}
pass() {
	[ "$_done" = 1 ] && return 0
	_done=1
	echo "ok $_current" >>"$RESULTS"
	echo "ok - $_current"
}
fail() {
	[ "$_done" = 1 ] && return 0
	_done=1
	echo "not ok $_current: $*" >>"$RESULTS"
	echo "not ok - $_current: $*"
	[ -n "${OUT:-}" ] && sed 's/^/#   stdout: /' <<<"$OUT" | head -n 20
	[ -n "${ERR:-}" ] && sed 's/^/#   stderr: /' <<<"$ERR" | head -n 20
	return 0
}
skip() {
	[ "$_done" = 1 ] && return 0
	_done=1
	echo "skip $_current: $*" >>"$RESULTS"
	echo "ok - $_current # SKIP $*"
}

# run_husk ARGS...: runs husk with a time limit, fills OUT, ERR and RC.
run_husk() {
	local o e
	o=$(mktemp "$WORK/out.XXXXXX")
	e=$(mktemp "$WORK/err.XXXXXX")
	if [ "${1:-}" = run ] || [ "${1:-}" = check ]; then
		local cmd=$1
		shift
		set -- "$cmd" "${CG_PARENT[@]}" "$@"
	fi
	timeout -k 5 60 "$HUSK_BIN" "$@" >"$o" 2>"$e" </dev/null
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# sandbox_sh SCRIPT [HUSK OPTIONS...]: runs SCRIPT with /bin/sh in the test
# rootfs under husk's defaults plus the options.
sandbox_sh() {
	local script="$1"
	shift
	run_husk run --rootfs "$ROOTFS" "$@" -- /bin/sh -c "$script"
}

expect_rc() {
	if [ "$RC" = "$1" ]; then return 0; fi
	fail "exit status $RC, expected $1"
	return 1
}

expect_out() {
	if grep -qE -- "$1" <<<"$OUT"; then return 0; fi
	fail "stdout lacks /$1/"
	return 1
}

expect_err() {
	if grep -qE -- "$1" <<<"$ERR"; then return 0; fi
	fail "stderr lacks /$1/"
	return 1
}

# A launch failure is one line on stderr that starts with "husk: ".
expect_one_error_line() {
	local n
	n=$(printf '%s\n' "$ERR" | grep -c .)
	if [ "$n" = 1 ] && grep -q '^husk: ' <<<"$ERR"; then return 0; fi
	fail "expected one 'husk:' line on stderr, got $n lines"
	return 1
}

mountinfo() {
	# Mount ids change with every mount; the rest says what is mounted where.
	cut -d' ' -f4- /proc/self/mountinfo | sort
}

# Processes whose command line contains MARK, other than this shell's.
procs_with() {
	local mark="$1" p found=""
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$$" ] && continue
		if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$mark"; then
			found="$found ${p#/proc/}"
		fi
	done
	echo "$found"
}

# wait_for CMD...: polls for up to 10 s.
# (Also used for the cgroup reaper, which removes a SIGKILLed husk's groups.)
wait_for() {
	local i
	for i in $(seq 1 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# mem_hits PID VALUE: how many times VALUE is in the readable memory of
# PID (its heap, stack, data: every readable mapping). Needs root and
# python3.
mem_hits() {
	python3 - "$1" "$2" <<-'PY'
	import re, sys
	pid, val = sys.argv[1], sys.argv[2].encode()
	hits = 0
	with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
	    for line in maps:
	        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (r...)", line)
	        if not m or "[vvar" in line or "[vsyscall" in line:
	            continue
	        a, b = int(m.group(1), 16), int(m.group(2), 16)
	        # Read in pieces: an ASan build maps terabytes of shadow,
	        # mostly never touched (zero pages, read fast but not whole).
	        at, tail = a, b""
	        while at < b:
	            n = min(b - at, 1 << 24)
	            try:
	                mem.seek(at)
	                chunk = tail + mem.read(n)
	            except OSError:
	                break
	            hits += chunk.count(val)
	            # A match across two pieces is found with the next.
	            tail = chunk[-(len(val) - 1):]
	            at += n
	            if b - a > (1 << 32):
	                break  # shadow memory: its first 16 MiB is enough
	print(hits)
	PY
}
