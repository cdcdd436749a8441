# Reaching a service in its private network namespace: --listen hands it a
# socket bound outside (the systemd protocol), and root-started husk can
# join a named network namespace (--net ns:PATH). Loopback only, or a
# namespace the test makes. Sourced by test-user.sh and test-root.sh.

if [ "$(id -u)" = 0 ]; then NP=18591; else NP=18581; fi
# The host's side speaks HTTP with curl (tests/install-deps has it; the
# VM's minimal system does not: the tests that need it skip there).
have_curl() { command -v curl >/dev/null || { skip "curl is not installed (tests/install-deps installs it)"; return 1; }; }

begin "net ($PHASE): --listen: the Go service serves on the socket it was given, its network namespace private"
if have_curl; then
"$HUSK_BIN" run --listen "127.0.0.1:$NP" --rootfs "$ROOTFS" -- /app -listen-fd >"$WORK/listen.$PHASE.out" 2>&1 &
BG=$!
lready() { curl -sf "http://127.0.0.1:$NP/health" >/dev/null; }
wait_for lready
got=$(curl -sf "http://127.0.0.1:$NP/health")
kill -TERM "$BG"
wait "$BG"
OUT=$(cat "$WORK/listen.$PHASE.out")
if [ "$got" != ok ]; then
	fail "GET /health gave '$got'"
elif ! grep -q "^inherited fd 3 (LISTEN_FDS=1 LISTEN_FDNAMES=tcp-$NP)$" <<<"$OUT"; then
	fail "the service did not get the socket"
else
	# Still its own network namespace: nothing there listens on the port,
	# and only lo exists.
	sandbox_sh 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "' --listen "127.0.0.1:$NP"
	[ "$OUT" = lo ] && pass || fail "interfaces in the sandbox: $OUT"
fi
fi

begin "net ($PHASE): --listen passes LISTEN_PID (the service's own), LISTEN_FDS and the fds 3.., and nothing else"
# The shell's own fds, listed by the shell (a pipe to ls would add its
# own): the glob's directory fd is the last one.
sandbox_sh 'echo pid=$$ env=$LISTEN_PID/$LISTEN_FDS/$LISTEN_FDNAMES; cd /proc/$$/fd && echo *' \
	--listen "127.0.0.1:$NP" --listen "[::1]:$NP/udp"
# The shell is the service: LISTEN_PID is its pid in the sandbox.
if expect_rc 0 && expect_out "^pid=([0-9]+) env=\\1/2/tcp-$NP:udp-$NP\$"; then
	[ "$(tail -n1 <<<"$OUT")" = "0 1 2 3 4 5" ] && pass || fail "fds: $OUT"
fi

begin "net ($PHASE): without --listen the service gets no socket and no LISTEN_* variable"
sandbox_sh 'cd /proc/$$/fd && echo *; env | grep -c ^LISTEN_'
expect_out '^0 1 2 3$' && expect_out '^0$' && pass

begin "net ($PHASE): husk passes on the sockets it was started with (systemd's LISTEN_FDS)"
if ! command -v python3 >/dev/null; then
	skip "python3 is not installed to stand in for systemd"
elif have_curl; then
	# A systemd-style parent: the socket at fd 3, LISTEN_PID set to husk's own
	# pid by an exec in the same process.
	python3 - "$HUSK_BIN" "$ROOTFS" "$NP" >"$WORK/sd.out" 2>&1 <<-'PY' &
	import os, socket, sys
	husk, root, port = sys.argv[1], sys.argv[2], int(sys.argv[3]) + 1
	s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("127.0.0.1", port)); s.listen(8)
	os.dup2(s.fileno(), 3)
	os.set_inheritable(3, True)
	os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES="web")
	os.execv(husk, [husk, "run", "--rootfs", root, "--", "/app", "-listen-fd"])
	PY
	BG=$!
	sready() { curl -sf "http://127.0.0.1:$((NP + 1))/health" >/dev/null; }
	wait_for sready
	got=$(curl -sf "http://127.0.0.1:$((NP + 1))/health")
	kill -TERM "$BG"
	wait "$BG"
	if [ "$got" = ok ] && grep -q 'LISTEN_FDNAMES=web' "$WORK/sd.out"; then
		pass
	else
		fail "got '$got': $(cat "$WORK/sd.out")"
	fi
fi

begin "net ($PHASE): bad --listen values: one line naming the value and the fix, exit 125"
ok=1
for v in 127.0.0.1:0 nohost:80 127.0.0.1:80/sctp '[::1]80'; do
	run_husk run --listen "$v" --rootfs "$ROOTFS" -- /bin/true
	[ "$RC" = 125 ] && expect_one_error_line || { ok=0; break; }
done
if [ "$ok" = 1 ]; then
	# A port in use: held by another husk's --listen.
	"$HUSK_BIN" run --listen "127.0.0.1:$((NP + 2))" --rootfs "$ROOTFS" -- /bin/sleep 5 &
	HOLD=$!
	sleep 0.5
	run_husk run --listen "127.0.0.1:$((NP + 2))" --rootfs "$ROOTFS" -- /bin/true
	kill "$HOLD" 2>/dev/null
	wait "$HOLD" 2>/dev/null
	if expect_rc 125 && expect_one_error_line && expect_err 'the port is in use'; then
		if [ "$(id -u)" = 0 ]; then
			pass
		else
			run_husk run --listen 127.0.0.1:81 --rootfs "$ROOTFS" -- /bin/true
			expect_rc 125 && expect_err 'need root: choose a higher one' && pass
		fi
	fi
fi

if [ "$(id -u)" = 0 ]; then
	begin "net (root-started): --net ns:PATH joins a network namespace made with ip netns"
	NS=husk-test-$$
	if ! ip netns add "$NS" 2>/dev/null; then
		skip "ip netns add is refused here"
	else
		ip netns exec "$NS" ip link set lo up
		ip netns exec "$NS" ip addr add 10.231.0.1/32 dev lo
		sandbox_sh 'grep -c 10.231.0.1 /proc/net/fib_trie' --net "ns:/run/netns/$NS"
		if expect_rc 0 && [ "${OUT:-0}" -ge 1 ]; then
			run_husk run --net ns:/etc --rootfs "$ROOTFS" -- /bin/true
			expect_rc 125 && expect_one_error_line && expect_err 'not a network namespace' && pass
		else
			fail "the address of the joined namespace is not seen: '$OUT'"
		fi
		ip netns del "$NS"
	fi

	# Both ends of the veth live in namespaces the test makes: husk runs
	# in one (its host end lands there), the sandbox makes the other.
	begin "net (root-started): --net veth: a service reached on its own address from the host's side, the pair gone after"
	NS=husk-veth-$$
	if ! have_curl; then
		:
	elif ! ip netns add "$NS" 2>/dev/null; then
		skip "ip netns add is refused here"
	else
		ip netns exec "$NS" ip link set lo up
		ip netns exec "$NS" "$HUSK_BIN" run --net veth:10.251.7.2/30 --rootfs "$ROOTFS" -- \
			/app -addr 0.0.0.0:8080 >"$WORK/veth.out" 2>&1 &
		BG=$!
		vready() { ip netns exec "$NS" curl -sf -m 2 http://10.251.7.2:8080/health >/dev/null; }
		wait_for vready
		got=$(ip netns exec "$NS" curl -sf -m 2 http://10.251.7.2:8080/health)
		during=$(ip -n "$NS" -o link | grep -c ': husk[0-9]*@')
		kill -TERM "$BG"
		wait "$BG"
		gone() { [ "$(ip -n "$NS" -o link | grep -c ': husk')" = 0 ]; }
		wait_for gone
		after=$(ip -n "$NS" -o link | grep -c ': husk')
		# After a SIGKILL of husk the kernel takes the pair with the
		# sandbox's namespace.
		ip netns exec "$NS" "$HUSK_BIN" run --net veth:10.251.8.2/30 --rootfs "$ROOTFS" -- \
			/bin/sleep 30 >/dev/null 2>&1 &
		BG=$!
		up() { [ "$(ip -n "$NS" -o link | grep -c ': husk')" = 1 ]; }
		wait_for up
		kill -KILL "$BG"
		wait "$BG" 2>/dev/null
		wait_for gone
		killed=$(ip -n "$NS" -o link | grep -c ': husk')
		ip netns del "$NS"
		if [ "$got" != ok ]; then fail "GET /health on 10.251.7.2 gave '$got': $(cat "$WORK/veth.out")"
		elif [ "$during" != 1 ] || [ "$after" != 0 ] || [ "$killed" != 0 ]; then
			fail "host ends: $during while running, $after after, $killed after a SIGKILL"
		else pass; fi
	fi
else
	begin "net (unprivileged): --net veth is root-started only, and says so"
	run_husk run --net veth --rootfs "$ROOTFS" -- /bin/true
	expect_rc 125 && expect_one_error_line && expect_err 'needs root-started husk' && pass

	begin "net (unprivileged): --net ns:PATH is root-started only, and says so"
	run_husk run --net ns:/run/netns/x --rootfs "$ROOTFS" -- /bin/true
	expect_rc 125 && expect_one_error_line && expect_err 'needs root-started husk' && pass
fi

begin "net ($PHASE): Type=notify: the service's READY=1 and STATUS= reach husk's NOTIFY_SOCKET, MAINPID does not; READY=1 is the ready event"
if ! command -v python3 >/dev/null; then
	skip "python3 is not installed to stand in for systemd"
else
	# A systemd stand-in: a datagram socket husk is told of in
	# NOTIFY_SOCKET, as a Type=notify unit would have it.
	python3 - "$HUSK_BIN" "$ROOTFS" "$WORK/notify.$PHASE" "$NP" >"$WORK/notify.$PHASE.out" 2>&1 <<-'PY'
	import os, socket, subprocess, sys
	husk, root, sock, port = sys.argv[1:5]
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind(sock)
	env = dict(os.environ, NOTIFY_SOCKET=sock)
	p = subprocess.Popen([husk, "run", "--rootfs", root, "--events", sock + ".jsonl", "--", "/app", "-addr",
			      "127.0.0.1:%d" % (int(port) + 3), "-notify"], env=env)
	s.settimeout(20)
	try:
	    print("got:" + s.recv(4096).decode().replace("\n", "|"))
	except Exception as e:
	    print("got nothing: %s" % e)
	p.terminate()
	p.wait()
	PY
	OUT=$(cat "$WORK/notify.$PHASE.out")
	ev=$(cat "$WORK/notify.$PHASE.jsonl" 2>&1)
	rm -f "$WORK/notify.$PHASE" "$WORK/notify.$PHASE.jsonl"
	if ! expect_out '^got:READY=1\|STATUS=serving\|$'; then :
	elif [ "$(grep -c '"event":"ready","source":"notify"' <<<"$ev")" != 1 ]; then
		fail "no single ready event from the notify relay: $ev"
	else pass; fi
fi

begin "net ($PHASE): --publish forwards a host port to the service's own port in its private network"
if have_curl; then
"$HUSK_BIN" run --publish "127.0.0.1:$((NP + 4)):8080" --rootfs "$ROOTFS" -- /app -addr 127.0.0.1:8080 \
	>"$WORK/publish.$PHASE.out" 2>&1 &
BG=$!
pready() { curl -sf "http://127.0.0.1:$((NP + 4))/health" >/dev/null; }
wait_for pready
got=""
for _ in 1 2 3 4 5; do got="$got$(curl -sf "http://127.0.0.1:$((NP + 4))/health")"; done
# Concurrent clients through the one forwarder.
many=0
for _ in $(seq 8); do curl -sf "http://127.0.0.1:$((NP + 4))/health" >"$WORK/pc.$_" & done
wait $(jobs -p | grep -vx "$BG") 2>/dev/null
for f in "$WORK"/pc.*; do [ "$(cat "$f")" = ok ] && many=$((many + 1)); done
rm -f "$WORK"/pc.*
kill -TERM "$BG"
wait "$BG"
# Nothing husk listened on is left.
left=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((NP + 4))/health")
if [ "$got" != okokokokok ]; then fail "five requests gave '$got'"
elif [ "$many" != 8 ]; then fail "$many of 8 concurrent requests answered"
elif [ "$left" != 000 ]; then fail "the port still answers after the sandbox ended ($left)"
else pass; fi
fi

begin "net ($PHASE): after a SIGKILL of husk, nothing listens on its --listen and --publish ports"
if have_curl; then
# One sandbox holds both: the --listen socket (fd 3, which the service
# keeps open but ignores) and the --publish forwarder's.
"$HUSK_BIN" run --listen "127.0.0.1:$((NP + 5))" --publish "127.0.0.1:$((NP + 6)):8080" --rootfs "$ROOTFS" \
	-- /app -addr 127.0.0.1:8080 >"$WORK/pkill.$PHASE.out" 2>&1 &
BG=$!
kready() { curl -sf "http://127.0.0.1:$((NP + 6))/health" >/dev/null; }
# A port in the host's namespace in LISTEN state (0A) in /proc/net/tcp.
listening() { awk -v p="$(printf ':%04X' "$1")" '$2 ~ p"$" && $4 == "0A"' /proc/net/tcp | grep -q .; }
if ! wait_for kready; then
	kill -KILL "$BG"; wait "$BG" 2>/dev/null; fail "did not start: $(cat "$WORK/pkill.$PHASE.out")"
else
	before="$(listening $((NP + 5)) && echo L)$(listening $((NP + 6)) && echo P)"
	kill -KILL "$BG"
	wait "$BG" 2>/dev/null
	closed() { ! listening $((NP + 5)) && ! listening $((NP + 6)); }
	if [ "$before" != LP ]; then fail "the ports were not found listening before the kill ($before)"
	elif ! wait_for closed; then fail "still listening after the SIGKILL: $(grep -E "$(printf ':%04X|:%04X' $((NP + 5)) $((NP + 6)))" /proc/net/tcp)"
	elif [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((NP + 6))/health")" != 000 ]; then fail "the published port still answers"
	else pass; fi
fi
fi

begin "net ($PHASE): --publish refuses what it cannot do: a shared network, udp, a bad port"
ok=1
for args in "--net host --publish 18700:80" "--publish 18700:80/udp" "--publish 18700" "--publish 18700:0"; do
	# shellcheck disable=SC2086
	run_husk run $args --rootfs "$ROOTFS" -- /bin/true
	[ "$RC" = 125 ] && expect_one_error_line || { ok=0; break; }
done
[ "$ok" = 1 ] && pass
