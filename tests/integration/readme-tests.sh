# README's ```sh blocks, each run as written (bash -e) in a directory
# holding the demo rootfs as ./rootfs and a ./config, with husk on PATH.
# Sourced by test-user.sh (the blocks without sudo) and test-root.sh (the
# blocks with sudo, sudo being a shim that runs the command as root).

readme_blocks() {
	awk -v dir="$1" '
		/^```sh$/ { n++; f = sprintf("%s/block%02d.sh", dir, n); inb = 1; next }
		/^```/ && inb { inb = 0; close(f); next }
		inb { print > f }' "$WORK/scripts/README.md"
}

R="$WORK/readme-$PHASE"
rm -rf "$R"
mkdir -p "$R/blocks" "$R/bin"
readme_blocks "$R/blocks"
ln -s "$HUSK_BIN" "$R/bin/husk"
printf '#!/bin/sh\nexec "$@"\n' >"$R/bin/sudo"
chmod 755 "$R/bin/sudo"
nblocks=0
for b in "$R"/blocks/block*.sh; do
	[ -f "$b" ] || continue
	nblocks=$((nblocks + 1))
	name=$(basename "$b" .sh)
	title=$(grep -m1 '^# ' "$b" | sed 's/^# //')
	[ -n "$title" ] || title=$(grep -m1 -v '^$' "$b" | cut -c1-60)
	if grep -q '^sudo ' "$b"; then want=root-started; else want=unprivileged; fi
	[ "$PHASE" = "$want" ] || continue
	begin "README ($PHASE): $name runs as written: $title"
	# The image workflow needs its tools (tests/install-deps has them;
	# the VM's minimal system does not).
	missing=""
	for t in umoci skopeo jq curl; do
		grep -qE "^$t |\| *$t |^ *$t " "$b" && ! command -v "$t" >/dev/null && missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		skip "not installed:$missing"
		continue
	fi
	d="$R/run-$name"
	mkdir -p "$d/config"
	ln -s "$ROOTFS" "$d/rootfs"
	echo "greeting=hello" >"$d/config/app.conf"
	OUT=$(cd "$d" && PATH="$R/bin:$PATH" timeout -k 5 60 bash -e "$b" 2>"$d/stderr" </dev/null)
	RC=$?
	ERR=$(cat "$d/stderr")
	expect_rc 0 && pass
done
begin "README ($PHASE): the examples were found"
[ "$nblocks" -ge 5 ] && pass || fail "only $nblocks sh blocks in README.md"
