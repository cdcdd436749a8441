# Supervision: health checks (--health-cmd/-tcp/-http, Docker's state
# machine, --health-on-unhealthy) and restarts (--restart with backoff,
# each a fresh sandbox), checked through --events and what the service
# and its probes see. Sourced by test-user.sh and test-root.sh with PHASE
# set (after events-tests.sh, whose ev_has it uses).

SV=$(mktemp -d "${TMPDIR:-/tmp}/husk-supervise.XXXXXX")
chmod 755 "$SV"

# ev_seq FILE EVENT FIELD: FIELD of each EVENT line, space-separated.
ev_seq() {
	jq -r --arg e "$2" "select(.event == \$e) | .$3" "$1" 2>/dev/null | tr '\n' ' '
}

begin "health ($PHASE): --health-cmd runs in the sandbox as the service runs: the same ids, groups, capabilities, no_new_privs, seccomp filters, namespaces and cgroup"
# The service writes a snapshot script into its /tmp (a tmpfs only the
# sandbox sees), takes its own snapshot, and compares it with the one the
# probe took.
run_husk run --rootfs "$ROOTFS" --health-cmd 'sh /tmp/snap.sh /tmp/probe' --health-interval 200ms \
	-- /bin/sh -c '
	cat >/tmp/snap.sh <<"X"
{ grep -E "^(Uid|Gid|Groups|NoNewPrivs|Seccomp|Seccomp_filters|CapInh|CapPrm|CapEff|CapBnd|CapAmb):" /proc/self/status
  for n in user mnt pid net ipc uts cgroup; do readlink /proc/self/ns/$n; done
  cat /proc/self/cgroup; } >"$1.new" && mv "$1.new" "$1"
X
	sh /tmp/snap.sh /tmp/svc
	for i in $(seq 100); do [ -s /tmp/probe ] && break; sleep 0.1; done
	[ -s /tmp/probe ] || { echo "no probe ran"; exit 1; }
	if cmp -s /tmp/svc /tmp/probe; then echo same; cat /tmp/svc; else echo differ; diff /tmp/svc /tmp/probe; exit 1; fi'
if expect_rc 0 && expect_out '^same$' && expect_out '^NoNewPrivs:.1$' && expect_out '^Seccomp:.2$' &&
	expect_out '^CapEff:.0000000000000000$'; then
	pass
fi

begin "health ($PHASE): Docker's state machine end to end: failures in the start period do not count, then healthy, unhealthy after --health-retries failures, healthy again; one ready event"
if ! command -v jq >/dev/null; then
	skip "jq is not installed"
else
	run_husk run --rootfs "$ROOTFS" --events "$SV/sm.jsonl" --health-cmd 'test -e /tmp/ok' \
		--health-interval 200ms --health-retries 2 --health-start-period 2s -- /bin/sh -c \
		'sleep 1; touch /tmp/ok; sleep 1.5; rm /tmp/ok; sleep 1.5; touch /tmp/ok; sleep 1.5'
	seq=$(ev_seq "$SV/sm.jsonl" health status)
	prev=$(ev_seq "$SV/sm.jsonl" health previous)
	types=$(jq -r .event "$SV/sm.jsonl" | tr '\n' ' ')
	if ! expect_rc 0; then :
	elif [ "$seq" != "healthy unhealthy healthy " ] || [ "$prev" != "starting healthy unhealthy " ]; then
		fail "health transitions: $seq (from $prev)"
	elif [ "$types" != "start health ready health health exit " ]; then
		fail "events: $types"
	elif ! ev_has "$SV/sm.jsonl" health '(.probe == "cmd") and (.exit_code == 0) and (.failing_streak == 0)'; then
		fail "health event: $(grep '"health"' "$SV/sm.jsonl" | head -n1)"
	elif ! ev_has "$SV/sm.jsonl" ready '.source == "health"'; then
		fail "ready: $(grep '"ready"' "$SV/sm.jsonl")"
	elif ! grep -q 'unhealthy: 2 probes in a row failed (cmd check)' <<<"$ERR" ||
		! grep -q 'healthy again' <<<"$ERR"; then
		fail "stderr does not report the transitions"
	else
		pass
	fi
fi

begin "health ($PHASE): a probe that outlives --health-timeout is killed and fails, and the next one starts"
if ! command -v jq >/dev/null; then
	skip "jq is not installed"
else
	# Each probe notes its start, then hangs: only probes that were
	# killed at their timeout make room for the next.
	run_husk run --rootfs "$ROOTFS" --events "$SV/to.jsonl" \
		--health-cmd "sh -c 'echo p >>/tmp/n; exec sleep 30'" --health-interval 100ms \
		--health-timeout 300ms --health-retries 1 -- /bin/sh -c 'sleep 2; wc -l </tmp/n'
	n=$(tail -n1 <<<"$OUT" | tr -d ' ')
	if ! expect_rc 0; then :
	elif ! ev_has "$SV/to.jsonl" health '(.status == "unhealthy") and (.timed_out == true)'; then
		fail "no unhealthy event with timed_out: $(cat "$SV/to.jsonl")"
	elif [ "${n:-0}" -lt 3 ] || [ "$n" -gt 6 ]; then fail "$n probes in 2 s (one per 400 ms expected)"
	else pass; fi
fi

begin "health ($PHASE): --health-http and --health-tcp reach a Go service on --net none from inside its network namespace; a 404 or a closed port is a failure"
if ! command -v jq >/dev/null; then
	skip "jq is not installed"
else
	# Healthy: a GET of /health on the service's own lo.
	"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --seccomp go-service --events "$SV/http.jsonl" \
		--health-http http://127.0.0.1:8080/health --health-interval 200ms -- /app --addr 127.0.0.1:8080 \
		>"$SV/http.out" 2>&1 &
	BG=$!
	ready() { grep -q '"event":"ready"' "$SV/http.jsonl" 2>/dev/null; }
	wait_for ready
	kill -TERM "$BG"
	wait "$BG"
	# A 404 with --health-on-unhealthy exit: husk stops the service itself.
	run_husk run --rootfs "$ROOTFS" --seccomp go-service --events "$SV/404.jsonl" \
		--health-http 'http://[::1]:8080/no-such-page' --health-interval 200ms --health-retries 2 \
		--health-on-unhealthy exit -- /app --addr '[::1]:8080'
	rc404=$RC err404=$ERR
	# A closed port, by TCP.
	run_husk run --rootfs "$ROOTFS" --seccomp go-service --events "$SV/tcp.jsonl" \
		--health-tcp 8081 --health-interval 200ms --health-retries 1 --health-on-unhealthy exit \
		-- /app --addr 127.0.0.1:8080
	if ! ev_has "$SV/http.jsonl" health '(.status == "healthy") and (.probe == "http")'; then
		fail "no healthy http event: $(cat "$SV/http.jsonl") $(cat "$SV/http.out")"
	elif [ "$rc404" != 143 ] || ! grep -q 'unhealthy and is stopped' <<<"$err404"; then
		fail "404: exit $rc404: $err404"
	elif ! ev_has "$SV/404.jsonl" exit '(.status == 143) and (.reason == "unhealthy")'; then
		fail "404 exit event: $(tail -n1 "$SV/404.jsonl")"
	elif [ "$RC" != 143 ] || ! ev_has "$SV/tcp.jsonl" health '(.status == "unhealthy") and (.probe == "tcp") and (.exit_code == 1)'; then
		fail "tcp: exit $RC: $(cat "$SV/tcp.jsonl")"
	elif [ "$(ev_seq "$SV/tcp.jsonl" start pid | wc -w)" != 1 ]; then
		fail "exit restarted the service"
	else
		pass
	fi
fi

begin "restart ($PHASE): --restart on-failure:3 starts a fresh sandbox (new tmpfs) with the secret each time, waits 200, 400, 800 ms, then exits with the service's status"
if ! command -v jq >/dev/null; then
	skip "jq is not installed"
else
	VAL="r$RANDOM-$$-restart"
	printf '%s' "$VAL" >"$SV/sec"
	chmod 644 "$SV/sec"
	start=$(date +%s%N)
	run_husk run --rootfs "$ROOTFS" --events "$SV/r.jsonl" --restart on-failure:3 --restart-delay 200ms \
		--secret s="$SV/sec" -- /bin/sh -c '[ -e /tmp/was ] && exit 9; touch /tmp/was; cat /run/secrets/s; echo; exit 7'
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	starts=$(ev_seq "$SV/r.jsonl" start pid | wc -w)
	delays=$(ev_seq "$SV/r.jsonl" restart delay_ms)
	statuses=$(ev_seq "$SV/r.jsonl" exit status)
	if ! expect_rc 7; then :
	elif [ "$starts" != 4 ] || [ "$statuses" != "7 7 7 7 " ]; then fail "starts $starts, statuses $statuses"
	elif [ "$delays" != "200 400 800 " ]; then fail "delays: $delays"
	elif [ "$(grep -cxF "$VAL" <<<"$OUT")" != 4 ]; then fail "the secret in $(grep -cxF "$VAL" <<<"$OUT") runs"
	elif [ "$took" -lt 1400 ]; then fail "the pauses were not taken: $took ms"
	elif [ "$(grep -c 'a fresh sandbox in' <<<"$ERR")" != 3 ]; then fail "stderr: $ERR"
	elif ! ev_has "$SV/r.jsonl" restart '(.count == 1) and (.reason == "exit") and (.status == 7)'; then
		fail "restart event: $(grep restart "$SV/r.jsonl" | head -n1)"
	else
		pass
	fi
fi

begin "restart ($PHASE): --restart always restarts a clean exit with the delay capped; SIGTERM in a pause or to a running service ends husk, never restarts"
"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --restart always --restart-delay 100ms --restart-max-delay 300ms \
	--events "$SV/a.jsonl" -- /bin/sh -c 'echo run; exit 0' >"$SV/a.out" 2>&1 &
BG=$!
runs() { [ "$(grep -c '^run$' "$SV/a.out")" -ge 5 ]; }
wait_for runs
kill -TERM "$BG"
t0=$(date +%s%N)
wait "$BG"
rc_pause=$? pause_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
n1=$(grep -c '^run$' "$SV/a.out")
sleep 0.5
n2=$(grep -c '^run$' "$SV/a.out")
# A running service: SIGTERM reaches it, and no restart follows.
"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --restart always --restart-delay 100ms \
	-- /bin/sh -c 'echo up; exec sleep 30' >"$SV/b.out" 2>&1 &
BG=$!
up() { grep -q '^up$' "$SV/b.out"; }
wait_for up
kill -TERM "$BG"
wait "$BG"
rc_run=$?
if [ "$n1" -lt 5 ] || [ "$n1" != "$n2" ]; then fail "runs: $n1 then $n2"
elif [ "$rc_pause" != 0 ] || [ "$pause_ms" -gt 2000 ]; then fail "in a pause: exit $rc_pause after $pause_ms ms"
elif command -v jq >/dev/null && [ "$(jq -r 'select(.event == "restart") | .delay_ms' "$SV/a.jsonl" | sort -n | tail -n1)" != 300 ]; then
	fail "delays: $(ev_seq "$SV/a.jsonl" restart delay_ms)"
elif [ "$rc_run" != 143 ] || [ "$(grep -c '^up$' "$SV/b.out")" != 1 ]; then
	fail "running: exit $rc_run, $(grep -c '^up$' "$SV/b.out") starts"
else
	pass
fi

begin "restart ($PHASE): --health-on-unhealthy restart stops an unhealthy service and starts a fresh one, which is then healthy"
mkdir -p "$SV/state"
chmod 777 "$SV/state"
if ! command -v jq >/dev/null; then
	skip "jq is not installed"
else
	# The first run never becomes healthy; the second one does.
	"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --events "$SV/u.jsonl" --bind "$SV/state:/state" \
		--health-cmd 'test -e /tmp/ok' --health-interval 200ms --health-retries 2 \
		--health-on-unhealthy restart -- /bin/sh -c \
		'if [ -e /state/second ]; then touch /tmp/ok; else touch /state/second; fi; exec sleep 30' \
		>"$SV/u.out" 2>&1 &
	BG=$!
	healthy() { jq -e -n '[inputs | select(.event == "health" and .status == "healthy")] | length > 0' "$SV/u.jsonl" >/dev/null 2>&1; }
	wait_for healthy
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	if [ "$(ev_seq "$SV/u.jsonl" health status)" != "unhealthy healthy " ]; then
		fail "health: $(ev_seq "$SV/u.jsonl" health status)"
	elif [ "$(ev_seq "$SV/u.jsonl" start pid | wc -w)" != 2 ]; then fail "starts: $(ev_seq "$SV/u.jsonl" start pid)"
	elif ! ev_has "$SV/u.jsonl" restart '(.reason == "unhealthy") and (.status == 143)'; then
		fail "restart event: $(grep restart "$SV/u.jsonl")"
	elif ! ev_has "$SV/u.jsonl" exit '.reason == "unhealthy"'; then fail "exit event: $(grep exit "$SV/u.jsonl")"
	elif [ "$RC" != 143 ]; then fail "exit $RC"
	else pass; fi
fi

begin "restart ($PHASE): after a restart, husk's monitor still keeps no copy of a secret (the next sandbox's copy waits in a sealed memfd)"
if [ "$(id -u)" != 0 ] || ! command -v python3 >/dev/null; then
	skip "reading another process's memory needs root and python3"
else
	rm -f "$SV/state/second"
	"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --restart on-failure --restart-delay 10ms \
		--bind "$SV/state:/state" --secret s="$SV/sec" -- /bin/sh -c \
		'[ -e /state/second ] || { touch /state/second; exit 1; }; cat /run/secrets/s; echo; echo up; exec sleep 30' \
		>"$SV/m.out" 2>&1 &
	BG=$!
	up() { grep -q '^up$' "$SV/m.out"; }
	wait_for up
	found=$(mem_hits "$BG" "$VAL")
	kill -TERM "$BG"
	wait "$BG" 2>/dev/null
	if ! grep -qxF "$VAL" "$SV/m.out"; then fail "the restarted service had no secret: $(cat "$SV/m.out")"
	elif [ "$found" = 0 ]; then pass
	elif [ -z "$found" ]; then fail "the monitor's memory could not be read"
	else fail "the value is $found times in the monitor's memory"; fi
fi

begin "health ($PHASE): in place (--namespaces none) a --health-cmd probe gets the service's policy too"
IPD=$(mktemp -d "$WORK/sv-inplace.XXXXXX")
chmod 777 "$IPD"
BBX=/bin/busybox
[ -x "$BBX" ] || BBX="$ROOTFS/bin/busybox"
run_husk run --namespaces none --bind "$IPD" --health-interval 200ms \
	--health-cmd "$BBX sh -c 'grep -E \"^(Uid|NoNewPrivs|Seccomp|CapEff):\" /proc/self/status >$IPD/p.new && mv $IPD/p.new $IPD/probe'" \
	-- "$BBX" sh -c "grep -E '^(Uid|NoNewPrivs|Seccomp|CapEff):' /proc/self/status >$IPD/svc
	for i in \$(seq 50); do [ -s $IPD/probe ] && break; sleep 0.1; done
	cmp $IPD/svc $IPD/probe && cat $IPD/svc"
if expect_rc 0 && expect_out '^NoNewPrivs:.1$' && expect_out '^Seccomp:.2$' &&
	expect_out '^CapEff:.0000000000000000$'; then
	pass
fi
rm -rf "$IPD"

begin "health ($PHASE): SIGKILL of husk while a probe runs leaves no process behind"
"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --health-cmd "sleep 31$$" --health-interval 100ms \
	--health-timeout 1m -- /bin/sh -c "echo up; exec sleep 32$$" >"$SV/k.out" 2>&1 &
BG=$!
probing() { [ -n "$(procs_with "sleep 31$$")" ]; }
ok=1
wait_for probing || ok=0
kill -KILL "$BG"
wait "$BG" 2>/dev/null
gone() { [ -z "$(procs_with "sleep 31$$")$(procs_with "sleep 32$$")" ]; }
if [ "$ok" = 0 ]; then fail "no probe was seen running: $(cat "$SV/k.out")"
elif ! wait_for gone; then fail "left: $(procs_with "sleep 31$$") $(procs_with "sleep 32$$")"
else pass; fi

begin "supervise ($PHASE): bad health and restart options get one line and exit 125; husk check shows the probe and the policy"
ok=1
while IFS='|' read -r args want; do
	# shellcheck disable=SC2086
	run_husk run --rootfs "$ROOTFS" $args -- /bin/true
	if [ "$RC" != 125 ] || ! expect_one_error_line >/dev/null || ! grep -qF -- "$want" <<<"$ERR"; then
		ok=0
		fail "$args: exit $RC: $ERR"
		break
	fi
done <<EOF
--health-interval 1x|unknown unit
--health-interval 50ms|at least 100ms
--health-timeout 25h|more than 24h
--health-retries 0|from 1 to 1000
--health-http https://127.0.0.1/|https is not checked
--health-http http://localhost/|not an IP address
--health-tcp 70000|not a port
--health-cmd 'sh|unterminated
--health-on-unhealthy kill|expected none, restart or exit
--restart sometimes|expected no, on-failure
--restart on-failure:0|from 1 to 1000000
--restart-delay 0s|at least 1ms
EOF
run_husk check --rootfs "$ROOTFS" --health-cmd "sh -c 'test -e /tmp/ok'" --health-start-period 5s \
	--health-on-unhealthy restart --restart on-failure:3 -- /app
if [ "$ok" = 1 ]; then
	if ! expect_rc 0; then :
	elif ! expect_out '^  health         run \["sh","-c","test -e /tmp/ok"\] every 30000ms, timeout 30000ms; unhealthy after 3 failures in a row \(none counted in the first 5000ms until one passes\); then restart$'; then :
	elif ! expect_out '^  restart        on-failure:3, after 100ms doubling up to 60000ms$'; then :
	else pass; fi
fi

begin "named ($PHASE): husk ps, status --json and health follow a --name sandbox; the name is refused to a second husk; husk stop ends it and its entry"
NM="sv$$"
"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --name "$NM" --health-cmd 'test -e /tmp/ok' \
	--health-interval 200ms -- /bin/sh -c 'touch /tmp/ok; echo up; exec sleep 60' >"$SV/n.out" 2>&1 &
BG=$!
named_healthy() { "$HUSK_BIN" health "$NM" >/dev/null 2>&1; }
ok=1
wait_for named_healthy || ok=0
ps_out=$("$HUSK_BIN" ps 2>&1)
st=$("$HUSK_BIN" status "$NM" --json 2>&1)
hl=$("$HUSK_BIN" health "$NM" 2>&1)
nbase=${XDG_RUNTIME_DIR:-/run}/husk
[ "$(id -u)" = 0 ] && nbase=/run/husk
pidfile=$(cat "$nbase/$NM/pid" 2>&1)
run_husk run --rootfs "$ROOTFS" --name "$NM" -- /bin/true
dup_rc=$RC dup_err=$ERR
t0=$(date +%s%N)
"$HUSK_BIN" stop "$NM"
stop_rc=$? stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$BG"
bg_rc=$?
after=$("$HUSK_BIN" health "$NM" 2>&1)
after_rc=$?
base=${XDG_RUNTIME_DIR:-/run}/husk
[ "$(id -u)" = 0 ] && base=/run/husk
if [ "$ok" = 0 ]; then fail "never healthy: $(cat "$SV/n.out")"
elif ! grep -qE "^$NM +$BG +running +healthy +0 +[0-9]+s +/bin/sh -c" <<<"$ps_out"; then fail "ps: $ps_out"
elif command -v jq >/dev/null && ! jq -e --argjson pid "$BG" '(.pid == $pid) and (.state == "running")
	and (.health == "healthy") and (.service_pid > 0) and (.argv[0] == "/bin/sh")' <<<"$st" >/dev/null; then
	fail "status: $st"
elif [ "$hl" != healthy ]; then fail "health: $hl"
elif [ "$pidfile" != "$BG" ]; then fail "the pid file says $pidfile"
elif [ "$dup_rc" != 125 ] || ! grep -q "a sandbox named $NM is running (husk pid $BG)" <<<"$dup_err"; then
	fail "the name twice: exit $dup_rc: $dup_err"
elif [ "$stop_rc" != 0 ] || [ "$bg_rc" != 143 ] || [ "$stop_ms" -gt 5000 ]; then
	fail "stop: exit $stop_rc after $stop_ms ms, husk exit $bg_rc"
elif [ "$after_rc" != 1 ] || [ "$after" != "not running" ]; then fail "health after stop: $after_rc $after"
elif [ -e "$base/$NM" ]; then fail "the entry is left: $(ls -la "$base/$NM")"
else pass; fi

begin "named ($PHASE): husk exec runs a program in the sandbox as the service (same namespaces, ids, caps, seccomp filters, cgroup), with the caller's stdin, stdout, stderr, exit status and signals"
"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --name "$NM" -- /bin/sh -c '
	cat >/tmp/snap.sh <<"X"
{ grep -E "^(Uid|Gid|Groups|NoNewPrivs|Seccomp|Seccomp_filters|CapInh|CapPrm|CapEff|CapBnd|CapAmb):" /proc/self/status
  for n in user mnt pid net ipc uts cgroup; do readlink /proc/self/ns/$n; done
  cat /proc/self/cgroup; } >"$1"
X
	sh /tmp/snap.sh /tmp/svc; echo up; exec sleep 60' >"$SV/x.out" 2>&1 &
BG=$!
up() { grep -q '^up$' "$SV/x.out"; }
wait_for up
same=$("$HUSK_BIN" exec "$NM" -- /bin/sh -c 'sh /tmp/snap.sh /tmp/ex; cmp /tmp/svc /tmp/ex >/dev/null && echo same || diff /tmp/svc /tmp/ex' 2>&1)
cat_out=$(echo "in$$" | "$HUSK_BIN" exec "$NM" cat 2>&1)
"$HUSK_BIN" exec "$NM" -- /bin/sh -c 'echo to-stderr >&2; exit 7' 2>"$SV/x.err" >/dev/null
rc7=$?
"$HUSK_BIN" exec "$NM" -- /bin/sleep 30 &
EX=$!
sleep 0.5
kill -TERM "$EX"
wait "$EX"
rc_sig=$?
"$HUSK_BIN" exec "$NM" -- /no/such/program 2>/dev/null
rc127=$?
"$HUSK_BIN" exec "nosuch$$" -- /bin/true 2>"$SV/x.none"
rc_none=$?
kill -TERM "$BG"
wait "$BG"
if [ "$same" != same ]; then fail "the exec'd process differs: $same"
elif [ "$cat_out" != "in$$" ]; then fail "stdin/stdout: $cat_out"
elif [ "$rc7" != 7 ] || [ "$(cat "$SV/x.err")" != to-stderr ]; then fail "status $rc7, stderr $(cat "$SV/x.err")"
elif [ "$rc_sig" != 143 ]; then fail "SIGTERM to husk exec: exit $rc_sig"
elif [ "$rc127" != 127 ]; then fail "a missing program: exit $rc127"
elif [ "$rc_none" != 125 ] || [ "$(grep -c . "$SV/x.none")" != 1 ] || ! grep -q "no sandbox named nosuch$$" "$SV/x.none"; then
	fail "no such sandbox: exit $rc_none: $(cat "$SV/x.none")"
else pass; fi

begin "named ($PHASE): SIGKILL of husk leaves an entry that husk ps finds stale and removes; the name is free again"
"$HUSK_BIN" run "${CG_PARENT[@]}" --rootfs "$ROOTFS" --name "$NM" -- /bin/sh -c "echo up; exec sleep 33$$" >"$SV/k2.out" 2>&1 &
BG=$!
up() { grep -q '^up$' "$SV/k2.out"; }
wait_for up
kill -KILL "$BG"
wait "$BG" 2>/dev/null
gone() { [ -z "$(procs_with "sleep 33$$")" ]; }
wait_for gone
left_before=$(ls "$base/$NM" 2>/dev/null | tr '\n' ' ')
ps_out=$("$HUSK_BIN" ps 2>&1)
run_husk run --rootfs "$ROOTFS" --name "$NM" -- /bin/true
if [ -z "$left_before" ]; then fail "no entry was left to find (SIGKILL cannot clean up)"
elif grep -q "^$NM " <<<"$ps_out"; then fail "ps lists a dead sandbox: $ps_out"
elif [ -e "$base/$NM" ] && [ "$RC" != 0 ]; then fail "not removed: $(ls "$base/$NM")"
elif ! expect_rc 0; then :
elif [ -e "$base/$NM" ]; then fail "the second run left its entry"
else pass; fi

begin "metrics ($PHASE): --metrics writes Prometheus text: up, restarts, health, probes, seccomp denials (memory and CPU with a cgroup); husk_up 0 at the end"
mopt=()
[ "${can_cgroup:-0}" = 1 ] && mopt=(--pids 64 --memory 64m)
run_husk run --rootfs "$ROOTFS" "${mopt[@]}" --name "m$$" --metrics "$SV/m.prom" --metrics-interval 1s \
	--restart on-failure:1 --restart-delay 10ms --health-cmd /bin/true --health-interval 200ms \
	-- /bin/sh -c 'unshare -U true 2>/dev/null; sleep 0.7; exit 3'
M=$(cat "$SV/m.prom" 2>/dev/null)
bad=$(grep -v '^#' <<<"$M" | grep -vE '^husk_[a-z_]+\{sandbox="m'"$$"'"(,status="[a-z]+")?\} [0-9]+(\.[0-9]+)?$')
if ! expect_rc 3; then :
elif [ -z "$M" ] || [ -n "$bad" ]; then fail "not Prometheus text: ${bad:-empty}"
elif ! grep -qx "husk_up{sandbox=\"m$$\"} 0" <<<"$M"; then fail "up: $(grep husk_up <<<"$M")"
elif ! grep -qx "husk_restarts_total{sandbox=\"m$$\"} 1" <<<"$M"; then fail "restarts: $(grep restarts <<<"$M")"
elif ! grep -qx "husk_seccomp_denials_total{sandbox=\"m$$\"} 2" <<<"$M"; then fail "denials: $(grep denials <<<"$M")"
elif ! grep -qx "husk_health_status{sandbox=\"m$$\",status=\"healthy\"} 1" <<<"$M"; then fail "health: $(grep health_status <<<"$M")"
elif ! grep -qE "^husk_health_probes_total\{sandbox=\"m$$\"\} [1-9]" <<<"$M"; then fail "probes: $(grep probes_total <<<"$M")"
elif [ "${can_cgroup:-0}" = 1 ] && ! grep -qE "^husk_memory_bytes\{" <<<"$M"; then fail "no memory series with a cgroup"
else pass; fi

rm -rf "$SV"
