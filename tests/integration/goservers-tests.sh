# The go-service profile on Go servers packaged by Debian, not written here,
# doing real work: each starts under --seccomp go-service, answers a write
# and a read from the host (loopback, --net host), stops on SIGTERM within
# its stop timeout, and husk reports no denial at all (the user-space
# channel: every refused call would be a line). Sourced by test-root.sh.

gs_denials() { grep '^husk: seccomp denied ' "$1" | tr '\n' ';'; }

# gs_run NAME ROOT ARGS...: starts husk with the server in the background
# (its output in $WORK/gs-NAME.log, its state in a fresh $WORK/gs-NAME.state).
gs_run() {
	local name=$1 root=$2
	shift 2
	rm -rf "$WORK/gs-$name.state"
	mkdir -p "$WORK/gs-$name.state"
	chmod 777 "$WORK/gs-$name.state"
	# Options given after these win (a later --seccomp replaces go-service).
	"$HUSK_BIN" run --rootfs "$root" --net host --seccomp go-service --stop-timeout 10 \
		--bind "$WORK/gs-$name.state:/data" --env HOME=/data "$@" >"$WORK/gs-$name.log" 2>&1 &
	GS_PID=$!
}

# gs_stop NAME WANT: SIGTERM, then the status it must exit with (a server's
# own: 0, or 143 for one that re-raises the signal once it has shut down).
gs_stop() {
	local name=$1 want=$2 t0
	t0=$(date +%s)
	kill -TERM "$GS_PID"
	wait "$GS_PID"
	RC=$?
	GS_TOOK=$(($(date +%s) - t0))
	GS_DENIED=$(gs_denials "$WORK/gs-$name.log")
	ERR=$(tail -n 5 "$WORK/gs-$name.log")
	if [ "$RC" != "$want" ]; then
		fail "exit status $RC on SIGTERM, expected $want"
	elif [ "$GS_TOOK" -ge 10 ]; then
		fail "took $GS_TOOK s to stop: killed at the stop timeout, not stopped"
	elif [ -n "$GS_DENIED" ]; then
		fail "denied: $GS_DENIED"
	else
		return 0
	fi
	return 1
}

gs_have() {
	command -v curl >/dev/null || { skip "curl is not installed (tests/install-deps installs it)"; return 1; }
	[ -x "$WORK/gs-$1$2" ] || { skip "$1 could not be fetched (apt-get download $1)"; return 1; }
}
gs_go() { go version "$WORK/gs-$1$2" 2>/dev/null | awk '{ print $NF }'; }
# Up to 30 s: a server's first start on a slow VM.
gs_wait() { wait_for "$@" || wait_for "$@" || wait_for "$@" || true; }

begin "go servers: etcd (a database with a write-ahead log): put, range, SIGTERM, nothing denied"
if gs_have etcd-server /usr/bin/etcd; then
	gs_run etcd "$WORK/gs-etcd-server" -- /usr/bin/etcd --data-dir /data/etcd \
		--listen-client-urls http://127.0.0.1:23791 --advertise-client-urls http://127.0.0.1:23791 \
		--listen-peer-urls http://127.0.0.1:23801 --initial-advertise-peer-urls http://127.0.0.1:23801 \
		--initial-cluster default=http://127.0.0.1:23801
	put() { curl -sf -X POST http://127.0.0.1:23791/v3/kv/put -d '{"key":"aHVzaw==","value":"b2s="}' >/dev/null; }
	gs_wait put
	got=$(curl -sf -X POST http://127.0.0.1:23791/v3/kv/range -d '{"key":"aHVzaw=="}')
	if gs_stop etcd 143; then
		grep -q '"value":"b2s="' <<<"$got" && [ -d "$WORK/gs-etcd.state/etcd/member/wal" ] && pass ||
			fail "range answered '$got'"
	fi
fi

begin "go servers: Prometheus (a time-series store that watches files): scrape, file_sd, query, SIGTERM, nothing denied"
if gs_have prometheus /usr/bin/prometheus; then
	P="$WORK/gs-prometheus"
	mkdir -p "$WORK/gs-prom-sd" && chmod 777 "$WORK/gs-prom-sd"
	cat >"$P/etc/prom.yml" <<'YML'
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ['127.0.0.1:29090']
  - job_name: watched
    file_sd_configs:
      - files: ['/sd/*.json']
YML
	chmod a+r "$P/etc/prom.yml"
	gs_run prometheus "$P" --ro-bind "$WORK/gs-prom-sd:/sd" -- /usr/bin/prometheus \
		--config.file=/etc/prom.yml --storage.tsdb.path=/data --web.listen-address=127.0.0.1:29090
	scraped() { curl -sf 'http://127.0.0.1:29090/api/v1/query?query=prometheus_build_info' | grep -q '"value"'; }
	gs_wait scraped
	# A file written now is picked up by its watcher (fsnotify: inotify).
	echo '[{"targets": ["127.0.0.1:29999"], "labels": {"husk": "watched"}}]' >"$WORK/gs-prom-sd/t.json"
	watched() { curl -sf 'http://127.0.0.1:29090/api/v1/targets' | grep -q '127.0.0.1:29999'; }
	gs_wait watched
	q=$(curl -sf 'http://127.0.0.1:29090/api/v1/query?query=prometheus_build_info')
	t=$(curl -sf 'http://127.0.0.1:29090/api/v1/targets')
	if gs_stop prometheus 0; then
		if ! grep -q '"value"' <<<"$q"; then fail "query: $q"
		elif ! grep -q '127.0.0.1:29999' <<<"$t"; then fail "the watched file was not picked up"
		else pass; fi
	fi
fi

begin "go servers: VictoriaMetrics (a time-series store): import, flush, export, SIGTERM, nothing denied"
if gs_have victoria-metrics /usr/bin/victoria-metrics; then
	gs_run vm "$WORK/gs-victoria-metrics" -- /usr/bin/victoria-metrics -storageDataPath /data \
		-httpListenAddr 127.0.0.1:28428
	vmup() { curl -sf http://127.0.0.1:28428/health >/dev/null; }
	gs_wait vmup
	curl -sf -X POST --data-binary 'husk_test{a="b"} 42' http://127.0.0.1:28428/api/v1/import/prometheus
	curl -sf http://127.0.0.1:28428/internal/force_flush
	exported() { curl -sf 'http://127.0.0.1:28428/api/v1/export?match[]=husk_test' | grep -q '"values":\[42\]'; }
	gs_wait exported
	got=$(curl -sf 'http://127.0.0.1:28428/api/v1/export?match[]=husk_test')
	if gs_stop vm 0; then
		grep -q '"values":\[42\]' <<<"$got" && pass || fail "export answered '$got'"
	fi
fi

begin "go servers: the Docker registry (an object store): blob upload, download, SIGTERM, nothing denied"
if gs_have docker-registry /usr/bin/docker-registry; then
	R="$WORK/gs-docker-registry"
	printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /data\nhttp:\n  addr: 127.0.0.1:25000\n  draintimeout: 1s\n' >"$R/etc/registry.yml"
	chmod a+r "$R/etc/registry.yml"
	gs_run registry "$R" -- /usr/bin/docker-registry serve /etc/registry.yml
	regup() { curl -sf http://127.0.0.1:25000/v2/ >/dev/null; }
	gs_wait regup
	printf 'husk-blob' >"$WORK/gs-blob"
	d=sha256:$(sha256sum "$WORK/gs-blob" | cut -d' ' -f1)
	loc=$(curl -s -D - -o /dev/null -X POST http://127.0.0.1:25000/v2/husk/test/blobs/uploads/ |
		tr -d '\r' | sed -n 's/^Location: //p')
	curl -sf -o /dev/null -X PUT --data-binary @"$WORK/gs-blob" \
		-H 'Content-Type: application/octet-stream' "$loc&digest=$d"
	got=$(curl -sf "http://127.0.0.1:25000/v2/husk/test/blobs/$d")
	if gs_stop registry 0; then
		[ "$got" = husk-blob ] && pass || fail "download answered '$got'"
	fi
fi

begin "go servers: NATS with JetStream (messages on file storage): stream, publish, get, SIGTERM, nothing denied"
if gs_have nats-server /usr/sbin/nats-server; then
	gs_run nats "$WORK/gs-nats-server" -- /usr/sbin/nats-server -a 127.0.0.1 -p 24222 -js -sd /data
	natsup() { busybox nc -w 1 127.0.0.1 24222 </dev/null 2>/dev/null | grep -q '^INFO'; }
	gs_wait natsup
	c='{"name":"H","subjects":["h.>"],"storage":"file"}'
	g='{"seq":1}'
	got=$({
		printf 'CONNECT {"verbose":false}\r\nSUB _INBOX.h 1\r\nPUB $JS.API.STREAM.CREATE.H _INBOX.h %d\r\n%s\r\n' ${#c} "$c"
		sleep 0.5
		printf 'PUB h.x _INBOX.h 7\r\nhusk-ok\r\n'
		sleep 0.5
		printf 'PUB $JS.API.STREAM.MSG.GET.H _INBOX.h %d\r\n%s\r\n' ${#g} "$g"
		sleep 1
	} | busybox nc 127.0.0.1 24222 | tr -d '\r')
	# nats-server exits 1 after its orderly shutdown on SIGTERM.
	if gs_stop nats 1; then
		if ! grep -q '"data":"aHVzay1vaw=="' <<<"$got"; then fail "get answered '$got'"
		elif ! ls "$WORK/gs-nats.state/jetstream/"*/streams/H/msgs/*.blk >/dev/null 2>&1; then
			fail "nothing written to the file store"
		else pass; fi
	fi
fi

begin "go servers: caddy serves under the same rules: nothing denied (the channel, not the kernel log)"
if ! command -v curl >/dev/null; then
	skip "curl is not installed (tests/install-deps installs it)"
elif [ -x "$WORK/caddy-rootfs/usr/bin/caddy" ]; then
	gs_run caddy "$WORK/caddy-rootfs" --env XDG_CONFIG_HOME=/data --env XDG_DATA_HOME=/data -- \
		/usr/bin/caddy respond --listen 127.0.0.1:18183 --body husk-ok
	cup() { curl -sf http://127.0.0.1:18183/ >/dev/null; }
	gs_wait cup
	got=$(curl -sf http://127.0.0.1:18183/)
	if gs_stop caddy 0; then
		[ "$got" = husk-ok ] && pass || fail "got '$got'"
	fi
else
	skip "caddy could not be fetched (apt-get download caddy)"
fi

begin "go servers: the Go releases the Debian binaries were built with"
vers=""
for b in etcd-server/usr/bin/etcd prometheus/usr/bin/prometheus victoria-metrics/usr/bin/victoria-metrics \
	docker-registry/usr/bin/docker-registry nats-server/usr/sbin/nats-server; do
	[ -x "$WORK/gs-$b" ] && vers="$vers ${b%%/*}=$(gs_go "${b%%/*}" "/${b#*/}")"
done
echo "# built with:$vers"
if [ -z "$vers" ]; then skip "no server could be fetched"
elif ! command -v go >/dev/null; then skip "go not installed to read the build info"
else pass; fi

begin "go servers: a profile learned from caddy (husk seccomp learn) serves it again with nothing denied"
if ! command -v curl >/dev/null; then
	skip "curl is not installed (tests/install-deps installs it)"
elif [ -x "$WORK/caddy-rootfs/usr/bin/caddy" ]; then
	rm -f "$WORK/caddy-learned.policy"
	"$HUSK_BIN" seccomp learn -o "$WORK/caddy-learned.policy" --rootfs "$WORK/caddy-rootfs" --net host \
		--env HOME=/tmp --env XDG_CONFIG_HOME=/tmp --env XDG_DATA_HOME=/tmp -- \
		/usr/bin/caddy respond --listen 127.0.0.1:18184 --body husk-ok >"$WORK/gs-learn.log" 2>&1 &
	GS_PID=$!
	lup() { curl -sf http://127.0.0.1:18184/ >/dev/null; }
	gs_wait lup
	curl -sf http://127.0.0.1:18184/ >/dev/null
	kill -TERM "$GS_PID"
	wait "$GS_PID"
	if [ ! -s "$WORK/caddy-learned.policy" ]; then
		fail "nothing learned: $(tail -n 3 "$WORK/gs-learn.log")"
	else
		gs_run caddy-learned "$WORK/caddy-rootfs" --seccomp "$WORK/caddy-learned.policy" \
			--env XDG_CONFIG_HOME=/data --env XDG_DATA_HOME=/data -- \
			/usr/bin/caddy respond --listen 127.0.0.1:18184 --body husk-ok
		gs_wait lup
		got=$(curl -sf http://127.0.0.1:18184/)
		# gs_run's --seccomp go-service is overridden by the later one.
		if gs_stop caddy-learned 0; then
			[ "$got" = husk-ok ] && pass || fail "got '$got'"
		fi
	fi
else
	skip "caddy could not be fetched (apt-get download caddy)"
fi
