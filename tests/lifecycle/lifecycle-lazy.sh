#!/bin/bash
# lifecycle-lazy.sh - lazy modules (issue 13): a module is mapped only when
# the stack needs it.  A cached Cobo token maps no cobo-oauth.so, libcurl,
# OpenSSL or json-c; a hit in a tier before the keyring maps no libsecret or
# GLib either; a plain git get that misses every store no longer maps
# cobo-oauth.so (and with it libcurl, OpenSSL, json-c) just to learn that it
# serves Cobo tokens only.
#
# Two witnesses of what a real helper maps: ld.so's own record
# (LD_DEBUG=files: every object it maps), and /proc/PID/maps of a helper
# held at a barrier after its answer (its stdout is a full pipe, so it
# blocks in write(2) with everything it loaded still mapped; a helper that
# answers nothing has no such barrier).  The helpers
# make themselves non-dumpable, so only root may read their maps: as another
# user that witness is left out, and said so.  Positive controls (a refresh
# maps cobo-oauth and libcurl; a keyring hit maps libsecret) show that both
# witnesses see what they look for.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

CLI="$top_builddir/src/cli/cobo-credential"
NET='cobo-oauth\.so|libcurl|libssl|libcrypto|libjson-c'
DESKTOP='keyring\.so|libsecret|libglib|libgio|libgobject'

keyring_start || { echo "FAIL - keyring_start"; exit 1; }
lc_server_up
set_ttl 3600
# lazy_config GET STORE ERASE: lc_config without its `[module cobo-oauth]
# schemas = ...` lines, as users write it (no boilerplate): which schemas
# cobo-oauth serves is then the module's and the host's own knowledge.
lazy_config() {
	lc_config "$@"
	sed -i '/^\[module cobo-oauth\]$/,/^schemas = /d' "$XDG_CONFIG_HOME/cobo-credential/config"
	grep -q '^schemas' "$XDG_CONFIG_HOME/cobo-credential/config" && fail "config still has a schemas line"
}
# The file tier before the keyring; both store.
lazy_config "file keyring cobo-oauth" "file keyring" "file keyring"

# ld_mapped NAME CMD...: runs CMD (stdin: $IN) with LD_DEBUG=files; sets
# MAPPED (every object ld.so mapped, one a line), OUT, RC.
ld_mapped() {
	local tag=$1
	shift
	rm -f "$T_TMP/ld.$tag".*
	OUT=$(printf '%b' "$IN" | LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.$tag" "$@" 2>"$T_TMP/err")
	RC=$?
	MAPPED=$(sed -n 's/.*file=\([^ ]*\) \[0\];  generating link map.*/\1/p' "$T_TMP/ld.$tag".* |
		sort -u)
}

# maps_mapped CMD...: runs CMD (stdin: $IN) with its stdout a full pipe;
# once it blocks writing its answer, MAPS is what /proc/PID/maps maps (file
# paths), then the pipe is drained and OUT/RC read.  MAPS_OK=no when the
# maps cannot be read (not root: the helper is not dumpable).
maps_mapped() {
	local fifo="$T_TMP/out.fifo" pid i
	rm -f "$fifo"
	mkfifo "$fifo"
	exec 7<>"$fifo"
	head -c 65536 /dev/zero >&7 # a full pipe: the helper's first write blocks
	printf '%b' "$IN" | "$@" >&7 2>"$T_TMP/err" &
	pid=$!
	MAPS_OK=ended # a helper that answers nothing never blocks: it just ends
	for ((i = 0; i < 1200; i++)); do # a safety net: it blocks within a second
		case $(cat "/proc/$pid/wchan" 2>/dev/null) in
		*pipe_write) MAPS_OK=yes && break ;; # pipe_write, anon_pipe_write
		esac
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	MAPS=$(awk '$6 ~ /^\// { print $6 }' "/proc/$pid/maps" 2>/dev/null | sort -u)
	[ "$MAPS_OK" != yes ] || [ -n "$MAPS" ] || MAPS_OK=no
	head -c 65536 <&7 > /dev/null
	wait "$pid"
	RC=$?
	OUT=
	while IFS= read -r -t 1 line <&7; do OUT+="$line"$'\n'; done
	exec 7>&-
}

# none WHAT PATTERN LIST: passes when no line of LIST matches PATTERN.
none() {
	expect_eq "$1" "" "$(printf '%s\n' "$3" | grep -E "$2" | tr '\n' ' ')"
}
some() {
	check "$1" test -n "$(printf '%s\n' "$3" | grep -E "$2")"
}

# both DESC PATTERN CMD...: neither witness sees PATTERN.
both_none() {
	local desc=$1 pat=$2
	shift 2
	ld_mapped x "$@"
	none "$desc (ld.so)" "$pat" "$MAPPED"
	[ "$RC" = 0 ] || fail "$desc: exit $RC: $(cat "$T_TMP/err")"
	maps_mapped "$@"
	case $MAPS_OK in
	yes) none "$desc (/proc/PID/maps)" "$pat" "$MAPS" ;;
	no) echo "# $desc: /proc/PID/maps unreadable (not root; the helper is not dumpable)" ;;
	*) echo "# $desc: the helper answered nothing, so it never waited at the barrier" ;;
	esac
}

REQ="protocol=https\nhost=$CHOST\n\n"

# --- positive control: a refresh maps cobo-oauth and libcurl ------------------
IN=$REQ
ld_mapped mint "$HELPER" get
TOKEN=$(printf '%s\n' "$OUT" | sed -n 's/^password=//p')
expect_eq "first get mints a token" "0 true" "$RC $(token_valid "$TOKEN")"
some "control: a mint maps cobo-oauth.so (ld.so)" 'cobo-oauth\.so' "$MAPPED"
some "control: a mint maps libcurl (ld.so)" 'libcurl' "$MAPPED"
maps_mapped env COBO_CREDENTIAL_NOW_OFFSET=3300 "$HELPER" get
[ "$MAPS_OK" = yes ] && some "control: a refresh maps libcurl (/proc/PID/maps)" libcurl "$MAPS"
T1=$(printf '%s' "$OUT" | sed -n 's/^password=//p')
check "control: the refresh answered a new token" test -n "$T1" -a "$T1" != "$TOKEN"

# --- a cached token in the file tier: nothing heavy, not even the keyring ------
before=$(stats)
IN=$REQ
both_none "git get, token cached in the file tier: no cobo-oauth/libcurl/OpenSSL/json-c" \
	"$NET" env COBO_CREDENTIAL_NOW_OFFSET=3300 "$HELPER" get
none "... and no keyring.so/libsecret/GLib (ld.so)" "$DESKTOP" "$MAPPED"
[ "$MAPS_OK" = yes ] && none "... and no keyring.so/libsecret/GLib (/proc/PID/maps)" "$DESKTOP" "$MAPS"
expect_eq "... answered the cached token" "$T1" "$(printf '%s' "$OUT" | sed -n 's/^password=//p')"
IN=
both_none "cobo-credential token, cached in the file tier: no cobo-oauth/libcurl/OpenSSL/json-c" \
	"$NET|$DESKTOP" env COBO_CREDENTIAL_NOW_OFFSET=3300 "$CLI" token --profile lc
expect_eq "... answered the cached token" "$T1" "$(printf '%s' "$OUT" | head -n 1)"
expect_eq "cached gets made no request" "$before" "$(stats)"

# --- a plain git get that misses every store ---------------------------------
IN="protocol=https\nhost=git.example.com\n\n"
both_none "plain git get, a miss in file and keyring: no cobo-oauth/libcurl/OpenSSL/json-c" \
	"$NET" "$HELPER" get
expect_eq "... answered nothing" "" "$OUT"
some "control: that miss did reach the keyring (libsecret mapped)" libsecret "$MAPPED"

# --- a plain git credential in the file tier ---------------------------------
printf 'protocol=https\nhost=git.example.com\nusername=u\npassword=plain-secret\n\n' |
	"$HELPER" store 2>"$T_TMP/err" || fail "store a plain credential: $(cat "$T_TMP/err")"
both_none "plain git get, a hit in the file tier: nothing heavy" "$NET|$DESKTOP" "$HELPER" get
expect_match "... answered it" 'password=plain-secret' "$OUT"

# --- a hit in the keyring: libsecret, but still no libcurl/OpenSSL/json-c ------
lazy_config "keyring file cobo-oauth" "keyring file" "keyring file"
IN=$REQ
ld_mapped kr env COBO_CREDENTIAL_NOW_OFFSET=6600 "$HELPER" get # refresh into the keyring
T2=$(printf '%s\n' "$OUT" | sed -n 's/^password=//p')
check "a refresh stored a token in the keyring" test -n "$T2" -a "$(kr_lookup access)" = "$T2"
both_none "git get, token cached in the keyring: no cobo-oauth/libcurl/OpenSSL/json-c" \
	"$NET" env COBO_CREDENTIAL_NOW_OFFSET=6600 "$HELPER" get
some "control: a keyring hit maps libsecret (ld.so)" libsecret "$MAPPED"
[ "$MAPS_OK" = yes ] && some "control: a keyring hit maps libsecret (/proc/PID/maps)" libsecret "$MAPS"

lc_done
