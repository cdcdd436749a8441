#!/bin/bash
# husk's integration suite: builds the fixtures (a busybox + Go rootfs and
# hostile variants of it), runs test-user.sh as an unprivileged user and,
# when started as root, test-root.sh for the root-started mode. Prints one
# line per test and a closing "N passed, M failed" line.
#
# Environment: HUSK (the binary under test), HUSK_SRCDIR, HUSK_BUILDDIR (set
# by make check). HUSK_TEST_USER names the unprivileged user (default
# husk-test; created, and removed again, when missing and run as root).
set -u

here=$(cd "$(dirname "$0")" && pwd)
HUSK=${HUSK:-$here/../../husk}
HUSK_SRCDIR=${HUSK_SRCDIR:-$here/../..}
HUSK_BUILDDIR=${HUSK_BUILDDIR:-$HUSK_SRCDIR}
TEST_USER=${HUSK_TEST_USER:-husk-test}

skip_all() {
	echo "1..0 # SKIP $*"
	echo "0 passed, 0 failed, 1 skipped: $*"
	exit 77
}
[ -x "$HUSK" ] || { echo "husk binary not found at $HUSK" >&2; exit 99; }
app="$HUSK_BUILDDIR/tests/fixtures/app"
# HUSK_TEST_PREBUILT names a directory with the static test programs
# (limits, sc-probe, escape) built elsewhere: the VM harness (tests/vm)
# runs this same script where there is no compiler.
PREBUILT=${HUSK_TEST_PREBUILT:-}
[ -x "$app" ] || command -v go >/dev/null || skip_all "go not installed (apt-get install golang-go)"
[ -x /bin/busybox ] || skip_all "busybox not installed (apt-get install busybox-static)"
if ldd /bin/busybox >/dev/null 2>&1; then
	skip_all "/bin/busybox is dynamically linked (apt-get install busybox-static)"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/husk-it.XXXXXX")
chmod 755 "$WORK"
RESULTS="$WORK/results"
: >"$RESULTS"
created_user=""
cleanup() {
	rm -rf "$WORK"
	if [ -n "$created_user" ]; then userdel "$created_user" 2>/dev/null; fi
}
trap cleanup EXIT
export WORK RESULTS

# ---- fixtures ----------------------------------------------------------
install -m 755 "$HUSK" "$WORK/husk"
mkdir -p "$WORK/scripts" "$WORK/profiles"
install -m 644 "$HUSK_SRCDIR"/profiles/*.policy "$HUSK_SRCDIR"/profiles/*.profile "$WORK/profiles/"
mkdir -p "$WORK/data"
install -m 644 "$HUSK_SRCDIR"/tests/data/seccomp/docker-default.json "$WORK/data/"
chmod -R a+rX "$WORK/profiles"
export HUSK_PROFILE_DIR="$WORK/profiles"
cp "$here/lib.sh" "$here/test-user.sh" "$here/test-root.sh" "$here/cgroup-tests.sh" \
	"$here/check-tests.sh" "$here/escape-tests.sh" "$here/inplace-tests.sh" "$here/oci-tests.sh" "$here/denial-tests.sh" "$here/net-tests.sh" "$here/secret-tests.sh" "$here/events-tests.sh" "$here/supervise-tests.sh" "$here/goservers-tests.sh" "$here/engine-tests.sh" "$here/gate-tests.sh" "$here/../dockerd.sh" "$here/readme-tests.sh" \
	"$HUSK_SRCDIR/README.md" "$WORK/scripts/"
chmod -R a+rX "$WORK/scripts"
# OCI runtime-tools' checker and generator (tests/integration/oci-tests.sh):
# prebuilt in ../shared/tools beside the project, or where
# HUSK_SHARED_TOOLS says; the OCI tests skip without them.
mkdir -p "$WORK/tools"
for t in runtimetest oci-runtime-tool; do
	src="${HUSK_SHARED_TOOLS:-$HUSK_SRCDIR/../shared/tools}/$t"
	[ -x "$src" ] && install -m 755 "$src" "$WORK/tools/$t"
done

if [ ! -x "$app" ] || { [ -z "$PREBUILT" ] && [ "$HUSK_SRCDIR/tests/goservice/main.go" -nt "$app" ]; }; then
	echo "# building the Go test service"
	"$HUSK_SRCDIR/tests/build-goservice" "$app" || { echo "go build failed" >&2; exit 99; }
fi

ROOTFS="$WORK/rootfs"
"$HUSK_SRCDIR/tests/mkrootfs" "$ROOTFS" "$app" || exit 99

# static_probe NAME SOURCE DEST: the static test program NAME at DEST.
static_probe() {
	if [ -n "$PREBUILT" ]; then
		install -m 755 "$PREBUILT/$1" "$3"
	else
		${CC:-cc} -O2 -static -Wall -Wextra -Werror -Wno-format-truncation -o "$3" "$2" "${@:4}"
	fi || { echo "cannot build the static $1 (libc6-dev has libc.a)" >&2; exit 99; }
}
static_probe limits "$HUSK_SRCDIR/tests/probe/limits.c" "$ROOTFS/limits"
# On the host side: husk run under a Docker-like filter that refuses namespaces.
static_probe no-userns "$HUSK_SRCDIR/tests/probe/no-userns.c" "$WORK/no-userns" -lseccomp
static_probe sc-probe "$HUSK_SRCDIR/tests/probe/sc-probe.c" "$ROOTFS/sc-probe"
# The adversarial probe: in its own rootfs, and a host copy for the
# helper that holds the host-side listeners. With the root-started run,
# also a root-owned setuid copy and a device node planted by the "image".
ER="$WORK/escape-rootfs"
cp -al "$ROOTFS" "$ER"
static_probe escape "$HUSK_SRCDIR/tests/escape/escape.c" "$ER/escape"
install -m 755 "$ER/escape" "$WORK/escape-host"
if [ "$(id -u)" = 0 ]; then
	install -m 4755 -o root -g root "$ER/escape" "$ER/escape-suid"
	mknod -m 666 "$ER/dev-null-copy" c 1 3
fi
install -m 644 "$HUSK_SRCDIR/tests/data/seccomp/docker-default.json" "$WORK/profiles/"
# The installed layout: each profile with its precompiled filter beside it.
for prof in default go-service strict; do
	"$WORK/husk" seccomp precompile "$prof" || { echo "cannot precompile $prof" >&2; exit 99; }
done
chmod a+r "$WORK"/profiles/*

# Go servers packaged by Debian, unpacked (not installed: the packages
# would start services) into a root each with the libraries they load:
# caddy, and those of tests/integration/goservers-tests.sh. The .debs are
# kept in the build tree's tests/fixtures between runs.
goserver_root() { # PACKAGE BINARY ROOT
	"$HUSK_SRCDIR/tests/goserver-root" "$1" "$2" "$3" "$HUSK_BUILDDIR/tests/fixtures"
}
mkdir -p "$HUSK_BUILDDIR/tests/fixtures"
goserver_root caddy /usr/bin/caddy "$WORK/caddy-rootfs"
for s in etcd-server:/usr/bin/etcd prometheus:/usr/bin/prometheus \
	victoria-metrics:/usr/bin/victoria-metrics docker-registry:/usr/bin/docker-registry \
	nats-server:/usr/sbin/nats-server; do
	goserver_root "${s%%:*}" "${s#*:}" "$WORK/gs-${s%%:*}"
done

# Hostile variants: symlinked mount destinations that name host paths, a
# /proc that is a symlink, a device node planted by the image.
mkdir -p "$WORK/host-target"
cp -a "$ROOTFS" "$WORK/evil-rootfs"
ln -s "$WORK/host-target" "$WORK/evil-rootfs/abs-link"
ln -s "../../../../../../../../..$WORK/host-target" "$WORK/evil-rootfs/rel-link"
ln -s /tmp "$WORK/evil-rootfs/tmp-link"
if [ "$(id -u)" = 0 ]; then mknod -m 666 "$WORK/evil-rootfs/dev-null-copy" c 1 3; fi
cp -a "$ROOTFS" "$WORK/evil-proc-rootfs"
rmdir "$WORK/evil-proc-rootfs/proc"
ln -s "$WORK/host-target" "$WORK/evil-proc-rootfs/proc"

# CVE-2019-5736's image vector: an entrypoint that is /proc/self/exe, a
# script that names it as interpreter, directly or through another script.
mkdir -p "$WORK/evil-exec-rootfs"
cp -al "$ROOTFS/." "$WORK/evil-exec-rootfs/"
ln -s /proc/self/exe "$WORK/evil-exec-rootfs/selfexe"
printf '#!/proc/self/exe\n' >"$WORK/evil-exec-rootfs/pwn.sh"
printf '#!/pwn.sh\n' >"$WORK/evil-exec-rootfs/pwn2.sh"
printf '#!/bin/sh\necho script ran\n' >"$WORK/evil-exec-rootfs/ok.sh"
chmod 755 "$WORK/evil-exec-rootfs"/*.sh
# /dev and /tmp as symlinks to a host directory, /dev/null as a symlink to a
# host file, /proc as a regular file.
echo "canary $RANDOM" >"$WORK/canary"
chmod 666 "$WORK/canary"
for v in dev tmp devnull procfile; do
	mkdir -p "$WORK/evil-$v-rootfs"
	cp -al "$ROOTFS/." "$WORK/evil-$v-rootfs/"
done
rmdir "$WORK/evil-dev-rootfs/dev" "$WORK/evil-tmp-rootfs/tmp" "$WORK/evil-procfile-rootfs/proc"
ln -s "$WORK/host-target" "$WORK/evil-dev-rootfs/dev"
ln -s "$WORK/host-target" "$WORK/evil-tmp-rootfs/tmp"
ln -s "$WORK/canary" "$WORK/evil-devnull-rootfs/dev/null"
echo "not a directory" >"$WORK/evil-procfile-rootfs/proc"

# The in-place tests write outside /tmp; a minimal system (the VM's) may
# have no /var/tmp.
if [ ! -d /var/tmp ] && [ "$(id -u)" = 0 ]; then mkdir -p -m 1777 /var/tmp; fi

mounts_before=$(cut -d' ' -f4- /proc/self/mountinfo | sort)

# A phase script that stops early (set -u, a failed cd) would leave its
# later tests unrun and uncounted: that is a failure of its own.
phase_ended() {
	if [ "$2" != 0 ]; then
		echo "not ok phase $1: its script stopped early (exit $2), so the tests after the stop never ran" >>"$RESULTS"
		echo "not ok - phase $1: its script stopped early (exit $2)"
	fi
}

# ---- the unprivileged phase -------------------------------------------
if [ "$(id -u)" = 0 ]; then
	if ! id "$TEST_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin "$TEST_USER" ||
			{ echo "cannot create user $TEST_USER" >&2; exit 99; }
		created_user=$TEST_USER
	fi
	chown "$TEST_USER" "$WORK" "$RESULTS"
	echo "# unprivileged phase, as $TEST_USER"
	setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --init-groups --reset-env -- \
		env WORK="$WORK" RESULTS="$RESULTS" HUSK_PROFILE_DIR="$HUSK_PROFILE_DIR" \
		HUSK_TEST_CGROUP_PARENT="${HUSK_TEST_CGROUP_PARENT:-}" \
		bash "$WORK/scripts/test-user.sh"
	phase_ended unprivileged $?
	echo "# root-started phase"
	HUSK_TEST_USER=$TEST_USER bash "$WORK/scripts/test-root.sh"
	phase_ended root-started $?
else
	echo "# unprivileged phase, as $(id -un)"
	bash "$WORK/scripts/test-user.sh"
	phase_ended unprivileged $?
	echo "skip root-started mode: run make check as root to cover it" >>"$RESULTS"
	echo "ok - root-started mode # SKIP not running as root"
fi

# ---- what the whole suite must leave behind: nothing ------------------
echo "ok leftovers: no husk process remains" >>"$RESULTS"
sleep 0.2
for p in /proc/[0-9]*; do
	if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$WORK/husk"; then
		sed -i '$d' "$RESULTS"
		echo "not ok leftovers: process ${p#/proc/} remains" >>"$RESULTS"
		break
	fi
done
if [ "$mounts_before" = "$(cut -d' ' -f4- /proc/self/mountinfo | sort)" ]; then
	echo "ok leftovers: host mount table unchanged" >>"$RESULTS"
else
	echo "not ok leftovers: host mount table changed" >>"$RESULTS"
fi
grep '^\(not \)\?ok leftovers' "$RESULTS" | sed 's/^ok /ok - /; s/^not ok /not ok - /'

passed=$(grep -c '^ok ' "$RESULTS")
failed=$(grep -c '^not ok ' "$RESULTS")
skipped=$(grep -c '^skip ' "$RESULTS")
if [ "$failed" -gt 0 ]; then
	echo "# failures:"
	grep '^not ok ' "$RESULTS" | sed 's/^/#   /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
