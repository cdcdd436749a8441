# --events: what happens to the sandbox as JSON lines (start,
# seccomp_denied, oom, exit), each line checked with jq. Sourced by
# test-user.sh and test-root.sh with PHASE set (after cgroup-tests.sh,
# whose can_cgroup says whether the OOM event can be made here).

EV=$(mktemp -d "${TMPDIR:-/tmp}/husk-events.XXXXXX")

# ev_lines FILE: 0 when every line is a JSON object with a UTC time in
# milliseconds and an event name.
ev_lines() {
	local bad
	bad=$(jq -c 'select((.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$") | not)
		or (.event | type) != "string")' "$1" 2>&1)
	[ -z "$bad" ] && [ -s "$1" ]
}
# ev_has FILE EVENT JQ-EXPR: the first EVENT line of FILE makes EXPR true
# (jq 1.6's -e looks only at the last line's result).
ev_has() {
	jq -e -n --arg e "$2" "[inputs | select(.event == \$e)] | length > 0 and (.[0] | $3)" "$1" >/dev/null 2>&1
}

begin "events ($PHASE): start (pid, argv, policy hash, layers), seccomp_denied (call, pid, comm) and exit (status, run time, CPU, memory), as JSON lines"
if ! command -v jq >/dev/null; then
	skip "jq is not installed (tests/install-deps installs it)"
else
	run_husk run --rootfs "$ROOTFS" --events "$EV/a.jsonl" -- /bin/sh -c 'unshare -U true 2>/dev/null; exit 3'
	types=$(jq -r .event "$EV/a.jsonl" 2>/dev/null | tr '\n' ' ')
	if ! expect_rc 3; then :
	elif ! ev_lines "$EV/a.jsonl"; then fail "not every line is an event: $(cat "$EV/a.jsonl")"
	elif [ "$types" != "start seccomp_denied exit " ]; then fail "events: $types"
	elif ! ev_has "$EV/a.jsonl" start '(.pid > 0) and (.argv[0] == "/bin/sh")
		and (.policy_hash | test("^[0-9a-f]{16}$")) and (.layers.namespaces | any(. == "user"))
		and (.layers.no_new_privs == true) and (.layers.seccomp == "default")'; then
		fail "start: $(head -n1 "$EV/a.jsonl")"
	elif ! ev_has "$EV/a.jsonl" seccomp_denied '(.syscall == "unshare") and (.comm == "unshare")
		and (.errno == "EPERM") and (.pid > 0)'; then
		fail "seccomp_denied: $(sed -n 2p "$EV/a.jsonl")"
	elif ! ev_has "$EV/a.jsonl" exit '(.status == 3) and (.run_time_ms >= 0) and (.cpu_ms >= 0)
		and (.max_rss_kb > 0) and (has("signal") | not)'; then
		fail "exit: $(tail -n1 "$EV/a.jsonl")"
	else
		pass
	fi
fi

begin "events ($PHASE): the same policy gives the same hash, another one another; a service ended by SIGTERM exits 143 with signal TERM"
if command -v jq >/dev/null; then
	run_husk run --rootfs "$ROOTFS" --events "$EV/b.jsonl" -- /bin/sh -c 'exit 3'
	run_husk run --rootfs "$ROOTFS" --events "$EV/b.jsonl" -- /bin/sh -c 'exit 3'
	run_husk run --rootfs "$ROOTFS" --events "$EV/b.jsonl" --cap-add KILL -- /bin/sh -c 'exit 3'
	hashes=$(jq -r 'select(.event == "start") | .policy_hash' "$EV/b.jsonl" | tr '\n' ' ')
	set -- $hashes
	"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --events "$EV/c.jsonl" -- /bin/sh -c 'echo up; exec sleep 30' \
		>"$EV/c.out" 2>&1 &
	BG=$!
	up() { grep -q '^up$' "$EV/c.out"; }
	wait_for up
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	if [ "$#" != 3 ] || [ "$1" != "$2" ] || [ "$1" = "$3" ]; then fail "hashes: $hashes"
	elif ! expect_rc 143; then :
	elif ! ev_has "$EV/c.jsonl" exit '(.status == 143) and (.signal == "TERM")'; then
		fail "exit: $(tail -n1 "$EV/c.jsonl")"
	else pass; fi
else
	skip "jq is not installed"
fi

begin "events ($PHASE): fd:N is written to; no environment or secret value is ever in an event; a bad --events gets one line"
VALS="ev$RANDOM-$$-secretvalue"
printf '%s' "$VALS" >"$EV/s"
OUT=$(HUSK_T_EV=$VALS "$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --events fd:9 --secret s="$EV/s" \
	--env-keep HUSK_T_EV --env "X=$VALS" -- /bin/sh -c 'unshare -U true 2>/dev/null; echo "$X"' 9>"$EV/d.jsonl" 2>&1)
svc_out=$OUT
n=$(grep -c '"event"' "$EV/d.jsonl")
run_husk run --rootfs "$ROOTFS" --events "$EV/no/such/dir/e.jsonl" -- /bin/true
if [ "$n" -lt 3 ]; then fail "fd:9 got $n events"
elif grep -qF "$VALS" "$EV/d.jsonl"; then fail "a value in the events"
elif ! grep -qxF "$VALS" <<<"$svc_out"; then fail "the service did not get its --env: $svc_out"
elif ! expect_rc 125 || ! expect_one_error_line || ! expect_err "events $EV/no/such/dir/e.jsonl: No such file"; then :
else pass; fi

begin "events ($PHASE): an OOM kill is an oom event before the exit"
if [ "${can_cgroup:-0}" != 1 ] || ! command -v jq >/dev/null; then
	skip "no usable cgroup here, or no jq"
else
	run_husk run --rootfs "$ROOTFS" --memory 64m --events "$EV/o.jsonl" -- /limits mem-bomb 1024
	types=$(jq -r .event "$EV/o.jsonl" 2>/dev/null | tr '\n' ' ')
	expect_rc 137 && [ "$types" = "start oom exit " ] &&
		ev_has "$EV/o.jsonl" oom '(.service == true) and (.memory_max == 67108864)' &&
		pass || fail "events: $types"
fi
rm -rf "$EV"
