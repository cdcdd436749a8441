# OCI bundles: husk run --bundle, checked by OCI runtime-tools' own
# in-container checker (runtimetest, from ../shared/tools), on bundles
# from runc spec and oci-runtime-tool generate; malformed bundles; hooks.
# Sourced by test-user.sh and test-root.sh with PHASE set.

RT=${HUSK_RUNTIMETEST:-$WORK/tools/runtimetest}
OCIGEN=${HUSK_OCI_RUNTIME_TOOL:-$WORK/tools/oci-runtime-tool}
# The user phase cannot write into $WORK (root's): a directory of its own.
# Outside /tmp: createContainer hooks run while the root being built
# covers /tmp (husk-oci(5)), and the hooks test logs from there.
OCI=$(mktemp -d /var/tmp/husk-oci.XXXXXX 2>/dev/null) || OCI=$(mktemp -d "${TMPDIR:-/tmp}/husk-oci.XXXXXX")
chmod 755 "$OCI"
me_uid=$(id -u)
me_gid=$(id -g)
# Root-started husk maps a container's root into its unprivileged range,
# never onto host root (it refuses a hostID of 0).
if [ "$me_uid" = 0 ]; then map_uid=1879048192 map_gid=1879048192; else map_uid=$me_uid map_gid=$me_gid; fi

oci_have_tools() {
	[ -x "$RT" ] && command -v jq >/dev/null
}

# What runtimetest cannot see pass on any runtime here, each for a reason
# husk-oci(5) gives ("Compliance"):
#   /sys with "type": "none" (runc spec --rootless): runtimetest compares
#   the type literally, and a bind of /sys is sysfs in mountinfo;
#   /sys/fs/cgroup with "type": "cgroup" (v1's name): husk mounts cgroup2,
#   or binds the host's tree where the config has no cgroup namespace;
#   an ambient capability that is not inheritable: the kernel refuses it
#   (capabilities(7)), and husk says so on stderr;
#   noNewPrivileges left out: husk sets it anyway (its secure default).
oci_allowed='^not ok [0-9]+ - (mounts\[[0-9]+\] \(/sys\) found|mounts\[[0-9]+\] \(/sys/fs/cgroup\) found|expected ambient capability CAP_[A-Z_]+ set|has expected noNewPrivileges)$'

# oci_new NAME SOURCE [GENERATE ARGS...]: a bundle at $OCI/NAME whose root
# holds runtimetest, its config from `runc spec --rootless` (SOURCE
# rootless) or `oci-runtime-tool generate` (SOURCE gen).
oci_new() {
	local name=$1 src=$2
	shift 2
	local b="$OCI/$name"
	mkdir -p "$b/rootfs"
	cp "$RT" "$b/rootfs/runtimetest"
	if [ "$src" = rootless ]; then
		(cd "$b" && runc spec --rootless) || return 1
		jq --argjson u "$map_uid" --argjson g "$map_gid" '
			.process.terminal = false | .process.args = ["/runtimetest", "--path=/"] |
			.linux.uidMappings[0].hostID = $u | .linux.gidMappings[0].hostID = $g' \
			"$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	else
		local userns=()
		[ "$me_uid" != 0 ] && userns=(--linux-namespace-add user
			--linux-uidmappings "$map_uid:0:1" --linux-gidmappings "$map_gid:0:1")
		"$OCIGEN" generate --output "$b/config.json" --args /runtimetest --args --path=/ \
			"${userns[@]}" "$@" || return 1
	fi
}

# oci_finish NAME [JQ FILTER]: edits the config, drops read-only paths
# this kernel lacks (runtimetest's stat of a missing one ends its run
# before the id map and sysctl checks), and copies the config into the
# root for runtimetest to read.
oci_finish() {
	local b="$OCI/$1" f=${2:-.} p keep='[]'
	for p in $(jq -r '.linux.readonlyPaths // [] | .[]' "$b/config.json"); do
		[ -e "$p" ] && keep=$(jq -c --arg p "$p" '. + [$p]' <<<"$keep")
	done
	jq --argjson k "$keep" "$f"' | if .linux.readonlyPaths then .linux.readonlyPaths = $k else . end' \
		"$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	cp "$b/config.json" "$b/rootfs/config.json"
	chmod -R a+rX "$b"
}

# oci_check NAME [HUSK OPTIONS...]: runs the bundle; runtimetest must
# have run to its end, and every "not ok" must be on the list above.
oci_check() {
	local name=$1
	shift
	run_husk run --bundle "$OCI/$name" "$@"
	local oks bad
	oks=$(grep -cE '^ok [0-9]+' <<<"$OUT")
	# "# TODO" lines are runtimetest's own gaps (it cannot check binds).
	bad=$(grep -E '^not ok' <<<"$OUT" | grep -v ' # TODO ' | grep -vE "$oci_allowed")
	if [ "$oks" -lt 100 ]; then
		fail "runtimetest ran $oks checks (rc $RC)"
	elif [ -n "$bad" ]; then
		fail "runtimetest: $(tr '\n' ';' <<<"$bad")"
	elif ! grep -qE '^1\.\.[0-9]+$' <<<"$OUT"; then
		fail "runtimetest stopped before its plan line (rc $RC)"
	else
		OCI_OKS=$oks
		return 0
	fi
	return 1
}

if ! oci_have_tools; then
	begin "oci ($PHASE): runtimetest validates husk run --bundle"
	skip "runtimetest (../shared/tools) or jq missing: $RT"
else
	begin "oci ($PHASE): runc spec --rootless, unchanged but for the program: runtimetest passes all but the documented checks"
	if ! command -v runc >/dev/null; then
		skip "runc not installed (apt-get install runc)"
	elif oci_new plain rootless && oci_finish plain && oci_check plain; then
		# runc 1.1.5's own run of this bundle here: 305 ok of 310.
		[ "$OCI_OKS" -ge 305 ] && pass || fail "only $OCI_OKS checks passed"
	fi

	begin "oci ($PHASE): runc spec --rootless plus mounts, a tmpfs, rlimits, capabilities, hostname and masked paths"
	if ! command -v runc >/dev/null; then
		skip "runc not installed"
	else
		mkdir -p "$OCI/shared" && echo hello >"$OCI/shared/f"
		oci_new extra rootless && oci_finish extra "$(sed "s|@SHARED@|$OCI/shared|" <<'JQ'

.hostname = "extra" |
.mounts += [{"destination": "/data", "type": "bind", "source": "@SHARED@", "options": ["rbind", "ro", "nosuid", "nodev"]},
	    {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=0700", "nodev", "nosuid"]}] |
.process.rlimits += [{"type": "RLIMIT_NPROC", "soft": 200, "hard": 300}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}] |
.process.capabilities |= (.bounding += ["CAP_CHOWN"] | .effective += ["CAP_CHOWN"] | .permitted += ["CAP_CHOWN"] | .inheritable = ["CAP_CHOWN"] | .ambient = ["CAP_CHOWN"]) |
.linux.maskedPaths += ["/proc/cpuinfo"]
JQ
)" && oci_check extra && pass
	fi

	# Variants from oci-runtime-tool generate, each field husk takes at
	# least once (the user phase adds a user namespace with its own ids).
	nnp=(--process-no-new-privileges)
	while IFS='|' read -r vname vargs; do
		[ -z "$vname" ] && continue
		[ "${vname#root-}" != "$vname" ] && [ "$me_uid" != 0 ] && continue
		begin "oci ($PHASE): generated bundle '$vname': runtimetest passes"
		# shellcheck disable=SC2086 # the arguments are words
		if oci_new "$vname" gen "${nnp[@]}" $vargs && oci_finish "$vname" && oci_check "$vname"; then
			pass
		fi
	done <<EOF
defaults|
hostname-env-cwd|--hostname box --env FOO=bar --env EMPTY= --process-cwd /dev
rlimits|--process-rlimits-add RLIMIT_NOFILE:512:512 --process-rlimits-add RLIMIT_NPROC:300:200 --process-rlimits-add RLIMIT_MEMLOCK:65536:65536
capabilities|--process-cap-drop-all --process-cap-add CAP_NET_BIND_SERVICE --process-cap-add CAP_KILL
bounding-only|--process-cap-drop-all --process-cap-add-bounding CAP_SYS_CHROOT --process-cap-add-bounding CAP_KILL
masked-readonly|--linux-masked-paths /proc/cpuinfo --linux-masked-paths /proc/meminfo --linux-readonly-paths /proc/cmdline
sysctl|--linux-sysctl net.ipv4.ip_forward=1 --linux-sysctl kernel.shmmax=1234567 --linux-sysctl fs.mqueue.msg_max=32
tmpfs-mounts|--mounts-add {"destination":"/data","type":"tmpfs","source":"datafs","options":["size=1m","mode=0700","noexec"]}
devices|--linux-device-add c:1:11:/dev/kmsg
seccomp-errno|--linux-seccomp-errno acct --linux-seccomp-errno swapon
root-limits|--linux-mem-limit 268435456 --linux-pids-limit 64 --linux-cpu-quota 50000 --linux-cpu-period 100000 --linux-cpu-shares 512
root-user-groups|--process-uid 1000 --process-gid 1000 --process-groups 10 --process-groups 20
EOF

	begin "oci ($PHASE): a config that leaves noNewPrivileges out still gets it (runtimetest's one difference)"
	oci_new nonnp gen && oci_finish nonnp && run_husk run --bundle "$OCI/nonnp" &&
		if grep -qE '^not ok [0-9]+ - has expected noNewPrivileges$' <<<"$OUT" &&
			[ "$(grep -E '^not ok' <<<"$OUT" | grep -cv ' # TODO ')" = 1 ]; then pass; else fail "expected exactly that not ok"; fi

	begin "oci ($PHASE): a program after -- replaces process.args; --hostname overrides the config; umask"
	oci_new override gen "${nnp[@]}" && cp /bin/busybox "$OCI/override/rootfs/busybox" &&
		oci_finish override '.process.user.umask = 23'
	run_husk run --bundle "$OCI/override" --hostname other -- /busybox sh -c 'hostname; umask; cat /proc/self/status | grep NoNewPrivs'
	expect_rc 0 && expect_out '^other$' && expect_out '^0027$' && expect_out 'NoNewPrivs:[[:space:]]+1' && pass

	# An image's bundle: a root with runtimetest made into an image with
	# umoci, out to a docker-archive tar and back with skopeo (the path an
	# image from a registry or `docker save` takes), unpacked by umoci.
	begin "oci ($PHASE): a bundle from an image (umoci, skopeo docker-archive, umoci unpack --rootless): runtimetest passes"
	if ! command -v umoci >/dev/null || ! command -v skopeo >/dev/null; then
		skip "umoci or skopeo not installed (apt-get install umoci skopeo)"
	else
		I="$OCI/image"
		mkdir -p "$I" && cd "$I" &&
			umoci init --layout build >/dev/null && umoci new --image build:rt >/dev/null &&
			umoci unpack --rootless --image build:rt layer >/dev/null &&
			cp "$RT" layer/rootfs/runtimetest && umoci repack --image build:rt layer >/dev/null &&
			umoci config --image build:rt --config.entrypoint /runtimetest --config.cmd=--path=/ >/dev/null &&
			skopeo copy -q oci:build:rt docker-archive:rt.tar:rt:latest &&
			skopeo copy -q docker-archive:rt.tar oci:rt-oci:latest &&
			umoci unpack --rootless --image rt-oci:latest "$OCI/fromimage" >/dev/null
		ok=$?
		cd - >/dev/null
		# Root-started, the container's root is husk's unprivileged range,
		# which must own the root it writes mount points into (as
		# umoci unpack --uid-map would make it).
		[ "$ok" = 0 ] && [ "$me_uid" = 0 ] && chown -R "$map_uid:$map_gid" "$OCI/fromimage/rootfs"
		if [ "$ok" != 0 ]; then
			fail "umoci/skopeo failed"
		# umoci writes a config for a shell: a terminal, and root mapped
		# onto the caller's ids.
		elif oci_finish fromimage "$(printf '.process.terminal = false | .linux.uidMappings[0].hostID = %s | .linux.gidMappings[0].hostID = %s' "$map_uid" "$map_gid")" &&
			oci_check fromimage; then
			pass
		fi
	fi

	begin "oci ($PHASE): husk check --bundle scores the config and shows its five capability sets and its hooks"
	oci_new scored gen "${nnp[@]}" --process-cap-add CAP_SYS_ADMIN &&
		oci_finish scored '.hooks = {"poststop": [{"path": "/bin/true"}]}'
	run_husk check --bundle "$OCI/scored"
	expect_rc 0 && expect_out '^  caps ambient   .*SYS_ADMIN' &&
		expect_out 'CapabilityBoundingSet: keeps CAP_SYS_ADMIN' &&
		expect_out '^  hooks +poststop:/bin/true$' && pass

	# ---- malformed bundles: one line naming the field, exit 125, nothing left
	oci_bad() { # NAME EXPECTED-ERR JQ-FILTER
		local name=$1 want=$2 filter=$3
		begin "oci ($PHASE): malformed bundle ($name): one line naming it, exit 125"
		oci_new "bad-$name" gen "${nnp[@]}" && oci_finish "bad-$name" "$filter"
		local before
		before=$(mountinfo)
		run_husk run --bundle "$OCI/bad-$name"
		expect_rc 125 && expect_one_error_line && expect_err "$want" &&
			[ "$(mountinfo)" = "$before" ] && pass
	}
	oci_bad "wrong type" 'config.json: process.user.uid: expected an integer, found a string' '.process.user.uid = "0"'
	oci_bad "unknown namespace" "config.json: linux.namespaces\\[[0-9]+\\].type: 'foo' is not a namespace type" '.linux.namespaces += [{"type": "foo"}]'
	oci_bad "relative destination" 'config.json: mounts\[[0-9]+\].destination: data is relative' '.mounts += [{"destination": "data", "type": "tmpfs", "source": "tmpfs"}]'
	oci_bad "root escapes" 'config.json: root.path: rootfs/../../.. resolves to .*outside the bundle' '.root.path = "rootfs/../../.."'
	oci_bad "missing hook" 'config.json: hooks.prestart\[0\].path: /nonexistent/hook: No such file' '.hooks.prestart = [{"path": "/nonexistent/hook"}]'
	oci_bad "unsupported field" 'config.json: linux.intelRdt: not supported by husk' '.linux.intelRdt = {"closID": "x"}'
	oci_bad "terminal" 'config.json: process.terminal: true is not supported' '.process.terminal = true'
	oci_bad "host sysctl" 'config.json: linux.sysctl.vm.swappiness: not a sysctl of a namespace' '.linux.sysctl = {"vm.swappiness": "10"}'

	begin "oci ($PHASE): a root that is a symlink out of the bundle is refused"
	oci_new symroot gen "${nnp[@]}" && oci_finish symroot && rm -rf "$OCI/symroot/rootfs" && ln -s / "$OCI/symroot/rootfs"
	run_husk run --bundle "$OCI/symroot"
	expect_rc 125 && expect_one_error_line && expect_err 'root.path: rootfs resolves to /, outside the bundle' && pass

	begin "oci ($PHASE): no config.json, or one that is not JSON"
	mkdir -p "$OCI/empty"
	run_husk run --bundle "$OCI/empty"
	if expect_rc 125 && expect_err 'config.json: No such file'; then
		echo '{"ociVersion": ' >"$OCI/empty/config.json"
		run_husk run --bundle "$OCI/empty"
		expect_rc 125 && expect_one_error_line && expect_err 'config.json:[0-9]+:[0-9]+' && pass
	fi

	# ---- hooks: order, state on stdin, where they run; a failing one aborts
	begin "oci ($PHASE): hooks run in the spec's order with the state on stdin, each where the spec says"
	H="$OCI/hooks"
	oci_new hooks gen "${nnp[@]}"
	cp /bin/busybox "$H/rootfs/busybox"
	mkdir -p "$H/log" && chmod 777 "$H/log"
	# A hook records its stage, the state it read, its mount namespace and
	# whether it sees the bundle's root as / (startContainer runs inside).
	cat >"$H/hook" <<HOOK
#!/bin/sh
stage=\$1
state=\$(cat)
echo "\$stage \$state mnt=\$(readlink /proc/self/ns/mnt) env=\$HOOKENV" >>"$H/log/hooks"
HOOK
	chmod 755 "$H/hook"
	# startContainer's path is inside the root.
	printf '#!/busybox sh\necho "startContainer $(/busybox cat) inroot=$(/busybox ls /runtimetest)" >>/log/hooks\n' >"$H/rootfs/hook"
	chmod 755 "$H/rootfs/hook"
	hk() { printf '{"path": "%s", "args": ["hook", "%s"], "env": ["HOOKENV=%s"]}' "$H/hook" "$1" "$1"; }
	oci_finish hooks "$(printf '.hooks = {"prestart": [%s], "createRuntime": [%s], "createContainer": [%s], "startContainer": [{"path": "/hook"}], "poststart": [%s], "poststop": [%s]} | .mounts += [{"destination": "/log", "type": "bind", "source": "%s", "options": ["rbind"]}] | .annotations = {"org.example.key": "v1"}' \
		"$(hk prestart)" "$(hk createRuntime)" "$(hk createContainer)" "$(hk poststart)" "$(hk poststop)" "$H/log")"
	run_husk run --bundle "$H" -- /busybox true
	host_mnt=$(readlink /proc/self/ns/mnt)
	log=$(cat "$H/log/hooks" 2>/dev/null)
	order=$(cut -d' ' -f1 <<<"$log" | tr '\n' ' ')
	if expect_rc 0; then
		if [ "$order" != "prestart createRuntime createContainer startContainer poststart poststop " ]; then
			fail "hook order: $order"
		elif ! grep -q '^createRuntime .*"status":"creating".*"pid":[1-9][0-9]*.*"bundle":"'"$H"'"' <<<"$log" ||
			! grep -q '"annotations":{"org.example.key":"v1"}' <<<"$log" ||
			! grep -q '^poststop .*"status":"stopped"' <<<"$log" ||
			! grep -q '^poststart .*"status":"running"' <<<"$log"; then
			fail "state JSON: $log"
		elif ! grep '^prestart ' <<<"$log" | grep -qF "mnt=$host_mnt env=prestart" ||
			grep '^createContainer ' <<<"$log" | grep -qF "mnt=$host_mnt " ||
			! grep -q '^startContainer .*inroot=/runtimetest' <<<"$log"; then
			fail "namespaces: prestart in the runtime's, createContainer in the container's, startContainer inside the root: $log"
		else
			pass
		fi
	fi

	for stage in prestart createRuntime createContainer; do
		begin "oci ($PHASE): a failing $stage hook aborts the start, runs poststop, and leaves nothing"
		F="$OCI/fail-$stage"
		oci_new "fail-$stage" gen "${nnp[@]}"
		printf '#!/bin/sh\nexit 3\n' >"$F/fail" && chmod 755 "$F/fail"
		printf '#!/bin/sh\ntouch %s/poststop-ran\n' "$F" >"$F/post" && chmod 755 "$F/post"
		oci_finish "fail-$stage" "$(printf '.hooks = {"%s": [{"path": "%s/fail"}], "poststop": [{"path": "%s/post"}]}' "$stage" "$F" "$F")"
		before=$(mountinfo)
		run_husk run --bundle "$F" -- /runtimetest
		if expect_rc 125 && expect_err "hooks\\.$stage\\[0\\] $F/fail: exited with status 3"; then
			if [ ! -e "$F/poststop-ran" ]; then
				fail "poststop did not run"
			elif [ -n "$(procs_with "$F")" ] || [ "$(mountinfo)" != "$before" ]; then
				fail "something was left behind"
			else
				pass
			fi
		fi
	done

	begin "oci ($PHASE): a hook that outlives its timeout is killed and aborts the start"
	T="$OCI/timeout"
	oci_new timeout gen "${nnp[@]}"
	printf '#!/bin/sh\nsleep 30\n' >"$T/slow" && chmod 755 "$T/slow"
	oci_finish timeout "$(printf '.hooks = {"prestart": [{"path": "%s/slow", "timeout": 1}]}' "$T")"
	start=$(date +%s)
	run_husk run --bundle "$T" -- /runtimetest
	took=$(($(date +%s) - start))
	expect_rc 125 && expect_err 'still running after its timeout of 1 s; killed' &&
		{ [ "$took" -lt 10 ] || fail "took $took s"; } && pass

	if [ "$me_uid" = 0 ]; then
		begin "oci (root): a network namespace given by path is joined"
		J="$OCI/join"
		touch "$J.netns"
		if ! unshare --net="$J.netns" true 2>/dev/null; then
			skip "cannot make a named network namespace here"
		else
			oci_new join gen "${nnp[@]}"
			cp /bin/busybox "$J/rootfs/busybox" &&
				oci_finish join "$(printf '.linux.namespaces |= map(if .type == "network" then .path = "%s" else . end)' "$J.netns")"
			run_husk run --bundle "$J" -- /busybox stat -L -c %i /proc/self/ns/net
			want=$(stat -L -c %i "$J.netns")
			expect_rc 0 && expect_out "^$want\$" && pass
			umount "$J.netns" 2>/dev/null
		fi
	fi
fi
rm -rf "$OCI" 2>/dev/null
