# --secret: the service sees a secret only as /run/secrets/NAME, and the
# value is nowhere else a test can look: the environment, the report, the
# host's temporary directories, husk's monitor's memory. Sourced by
# test-user.sh and test-root.sh with PHASE set.

SD=$(mktemp -d "${TMPDIR:-/tmp}/husk-secret.XXXXXX")
chmod 700 "$SD"
# Values no other file holds: random, and spelled so a grep for them
# cannot match its own command line.
VAL="v$RANDOM-$$-$RANDOM-file"
EVAL="v$RANDOM-$$-$RANDOM-env"
FVAL="v$RANDOM-$$-$RANDOM-fd"
printf '%s' "$VAL" >"$SD/db"
printf '%s' "$FVAL" >"$SD/fd"

begin "secrets ($PHASE): --secret NAME=FILE, fd:N and env:VAR reach the service only as /run/secrets/NAME, 0400, its own, on a read-only noexec tmpfs"
OUT=$(HUSK_T_TOKEN=$EVAL "$HUSK_BIN" run --rootfs "$ROOTFS" "${CG_PARENT[@]}" --secret db="$SD/db" \
	--secret token=env:HUSK_T_TOKEN --secret fdv=fd:7 -- /bin/sh -c '
	cd /run/secrets && for f in db token fdv; do echo "$f=$(cat $f) $(stat -c "%a %u:%g" $f)"; done
	echo "me $(id -u):$(id -g)"
	echo x >/run/secrets/new 2>/dev/null && echo wrote
	grep " /run/secrets " /proc/self/mountinfo | cut -d" " -f6' 7<"$SD/fd" 2>"$SD/err")
RC=$?
ERR=$(cat "$SD/err")
me=$(grep '^me ' <<<"$OUT" | cut -d' ' -f2)
if expect_rc 0 && expect_out "^db=$VAL 400 $me\$" && expect_out "^token=$EVAL 400 $me\$" &&
	expect_out "^fdv=$FVAL 400 $me\$"; then
	if grep -q '^wrote$' <<<"$OUT"; then fail "the secrets' directory is writable"
	elif ! grep -qE '^ro,.*nosuid.*nodev.*noexec' <<<"$OUT"; then fail "mount options: $(tail -n1 <<<"$OUT")"
	else pass; fi
fi

begin "secrets ($PHASE): the value is in no environment (env: even with --env-keep), not in husk check or --json, not in the host's temporary directories"
OUT=$(HUSK_T_TOKEN=$EVAL "$HUSK_BIN" run --rootfs "$ROOTFS" "${CG_PARENT[@]}" --secret token=env:HUSK_T_TOKEN \
	--env-keep HUSK_T_TOKEN --secret db="$SD/db" -- /bin/sh -c '
	env | grep -c HUSK_T_TOKEN; for e in /proc/[0-9]*/environ; do { tr "\0" "\n" <$e; } 2>/dev/null; done | grep -c "^v[0-9]"; true' 2>&1)
RC=$?
chk=$(HUSK_T_TOKEN=$EVAL "$HUSK_BIN" check --rootfs "$ROOTFS" --secret token=env:HUSK_T_TOKEN \
	--secret db="$SD/db" -- /app 2>&1)
chkjson=$(HUSK_T_TOKEN=$EVAL "$HUSK_BIN" check --json --rootfs "$ROOTFS" --secret token=env:HUSK_T_TOKEN \
	--secret db="$SD/db" -- /app 2>&1)
left=$(grep -rlsF -e "$VAL" -e "$EVAL" /tmp /var/tmp /dev/shm 2>/dev/null | grep -vxF "$SD/db")
if [ "$RC" != 0 ] || [ "$(tr '\n' ' ' <<<"$OUT")" != "0 0 " ]; then
	fail "in the service's environment: $OUT"
elif grep -qF -e "$VAL" -e "$EVAL" <<<"$chk$chkjson"; then
	fail "a value in husk check's output"
elif ! grep -q "^  secrets  */run/secrets/token (from env:HUSK_T_TOKEN) /run/secrets/db (from $SD/db)" <<<"$chk"; then
	fail "husk check does not name the secrets: $(grep secrets <<<"$chk")"
elif [ -n "$left" ]; then
	fail "a value on disk: $left"
else
	pass
fi

begin "secrets ($PHASE): husk's monitor keeps no copy of the value while the service runs"
if [ "$(id -u)" != 0 ] || ! command -v python3 >/dev/null; then
	skip "reading another process's memory needs root and python3"
else
	"$HUSK_BIN" run --rootfs "$ROOTFS" "${CG_PARENT[@]}" --secret db="$SD/db" -- /bin/sh -c 'echo up; exec sleep 30' \
		>"$SD/bg.out" 2>&1 &
	BG=$!
	up() { grep -q '^up$' "$SD/bg.out"; }
	wait_for up
	# Every readable private mapping of the monitor, searched for the
	# value (its heap, its stack, its data).
	found=$(mem_hits "$BG" "$VAL")
	kill -TERM "$BG"
	wait "$BG" 2>/dev/null
	if [ "$found" = 0 ]; then pass
	elif [ -z "$found" ]; then fail "the monitor's memory could not be read"
	else fail "the value is $found times in the monitor's memory"; fi
fi

begin "secrets ($PHASE): bad --secret gets one line: no '=', a bad name, a name twice, a missing file, a directory, an unset variable, a closed fd, in place"
ok=1
while IFS='|' read -r args want; do
	# shellcheck disable=SC2086
	run_husk run $args -- /bin/true
	if [ "$RC" != 125 ] || ! expect_one_error_line >/dev/null || ! grep -qF -- "$want" <<<"$ERR"; then
		ok=0
		fail "$args: exit $RC: $ERR"
		break
	fi
done <<EOF
--rootfs $ROOTFS --secret db|expected NAME=FILE
--rootfs $ROOTFS --secret a/b=$SD/db|expected NAME=FILE
--rootfs $ROOTFS --secret .db=$SD/db|expected NAME=FILE
--rootfs $ROOTFS --secret db=$SD/db --secret db=$SD/fd|db is given twice
--rootfs $ROOTFS --secret db=$SD/nope|No such file or directory
--rootfs $ROOTFS --secret db=$SD|a directory, not a file
--rootfs $ROOTFS --secret db=env:HUSK_T_UNSET_$$|is not set in husk's environment
--rootfs $ROOTFS --secret db=fd:9|fd:9
--namespaces none --secret db=$SD/db|--secret
EOF
[ "$ok" = 1 ] && pass
rm -rf "$SD"
