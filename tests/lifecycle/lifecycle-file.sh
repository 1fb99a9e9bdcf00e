#!/bin/bash
# lifecycle-file.sh - the token lifecycle on a machine without a keyring:
# no D-Bus at all, so the keyring module is UNAVAIL (at once) and the stack
#   get = keyring [UNAVAIL=continue] file cobo-oauth,  store = keyring file
# falls back to the real file module.  The same guarantees hold there: a
# cache hit makes no request and loads no cobo-oauth/libcurl/OpenSSL; the
# freshness window drives a refresh that rotates the stored refresh token;
# a refused refresh token falls back to a mint; a storm of helpers makes one
# request; erase drops only the rejected token.  Also: a plain git host on a
# keyring-only stack answers "nothing" within a second when D-Bus is absent.
. "$top_srcdir/tests/lib/lifecycle.sh"

unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY
lc_server_up
set_ttl 3600 # refresh window 360 s
lc_config "keyring [UNAVAIL=continue] file cobo-oauth" "keyring file" "keyring file"
at() { local o=$1; shift; lc_get COBO_CREDENTIAL_NOW_OFFSET="$(lc_clock "$o")" "$@"; }

# --- 9. no D-Bus: the keyring is UNAVAIL, fast ----------------------------------
# "Fast" means no timeout is waited for: none of these cases has anything to
# wait on, while a wait would be a D-Bus call timeout (15 s, the module's;
# 25 s, GLib's).  FAST_MS sits under those and is over 10 times what a
# loaded machine takes: it fails only when a timeout was waited out.
FAST_MS=10000
plain_get() { # ADDRESS|-: a get for a plain host on a keyring-only stack
	local cfg="$T_TMP/keyring-only.conf" t
	printf '[stack]\nget = keyring\nstore = keyring\nerase = keyring\nlist = keyring\n' > "$cfg"
	chmod 600 "$cfg"
	t=$(ms)
	if [ "$1" = - ]; then
		OUT=$(printf 'protocol=https\nhost=git.example.com\n\n' |
			COBO_CREDENTIAL_CONFIG=$cfg "$HELPER" get 2>"$T_TMP/plain.err")
	else
		OUT=$(printf 'protocol=https\nhost=git.example.com\n\n' |
			DBUS_SESSION_BUS_ADDRESS=$1 COBO_CREDENTIAL_CONFIG=$cfg "$HELPER" get \
			2>"$T_TMP/plain.err")
	fi
	RC=$?
	EL=$(($(ms) - t))
	ERR=$(cat "$T_TMP/plain.err")
}
plain_get -
expect_eq "no D-Bus, keyring-only stack, plain host: exit 0, no output" "0|" "$RC|$OUT"
check "no D-Bus: answered without waiting for a timeout ($EL ms < $FAST_MS)" test "$EL" -lt "$FAST_MS"
check "no D-Bus: at most one line on stderr" test "$(printf '%s' "$ERR" | grep -c .)" -le 1
echo "#   stderr: $ERR"
plain_get "unix:path=$T_TMP/no-such-bus"
expect_eq "a bus address with nothing behind it: exit 0, no output" "0|" "$RC|$OUT"
check "a bus address with nothing behind it: no timeout waited ($EL ms < $FAST_MS)" test "$EL" -lt "$FAST_MS"
. "$top_srcdir/tests/lib/gnome-keyring.sh"
keyring_bus_only || fail "keyring_bus_only"
plain_get "$DBUS_SESSION_BUS_ADDRESS"
expect_eq "a bus without a Secret Service: exit 0, no output" "0|" "$RC|$OUT"
check "a bus without a Secret Service: no timeout waited ($EL ms < $FAST_MS)" test "$EL" -lt "$FAST_MS"
keyring_stop
unset DBUS_SESSION_BUS_ADDRESS

# --- 8. the file store takes over -----------------------------------------------
T=$(ms)
at 0
EL=$(($(ms) - T))
AT1=$TOKEN
expect_eq "file fallback, mint: exit 0, stderr empty" "0|" "$RC|$ERR"
expect_eq "file fallback, mint: a valid token for the org" "$ORG true" "$GUSER $(token_valid "$AT1")"
expect_eq "file fallback, mint: one GET" "1 0 1 0" "$(stats)"
expect_eq "file fallback: the file holds the access token" "$AT1" "$(file_secret access)"
RT1=$(file_secret refresh)
expect_eq "file fallback: and the refresh token, valid on the server" true \
	"$(cobo_server_field "$(refresh_info "$RT1")" valid)"
check "file fallback: the store is 0600" test "$(stat -c %a "$STORE")" = 600
check "file fallback: the keyring's absence costs no timeout ($EL ms for a mint < $FAST_MS)" \
	test "$EL" -lt "$FAST_MS"

at 0 COBO_CREDENTIAL_TRACE="$T_TMP/trace.hit" LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.hit"
expect_eq "cache hit: the same token, exit 0, quiet" "$AT1|0|" "$TOKEN|$RC|$ERR"
expect_eq "cache hit: no server call" "1 0 1 0" "$(stats)"
TR=$(cat "$T_TMP/trace.hit")
expect_match "cache hit: the keyring is unavailable (no D-Bus)" \
	"module 'keyring' unavailable: no D-Bus session bus" "$TR"
expect_match "cache hit: the file answered" "get file: SUCCESS" "$TR"
expect_eq "cache hit: cobo-oauth is never loaded" "" \
	"$(printf '%s\n' "$TR" | grep "loaded module 'cobo-oauth'")"
expect_eq "cache hit: no cobo-oauth.so, libcurl, libssl, libcrypto mapped" "" \
	"$(cat "$T_TMP"/ld.hit.* | grep -E 'file=[^ ]*(cobo-oauth\.so|libcurl|libssl|libcrypto)')"
expect_match "cache hit: (the loader log is real: file.so was opened)" "file=[^ ]*file\.so" \
	"$(cat "$T_TMP"/ld.hit.*)"

at 3200 # 400 s left of 3600: fresh
expect_eq "400 s left: the cached token, no request" "$AT1|1 0 1 0" "$TOKEN|$(stats)"
at 3300 # 300 s left: stale, refreshed
AT2=$TOKEN
expect_eq "300 s left: exit 0, quiet" "0|" "$RC|$ERR"
check "300 s left: a new token" test -n "$AT2" -a "$AT2" != "$AT1"
expect_eq "300 s left: one POST" "1 1 2 0" "$(stats)"
expect_eq "refresh: valid on the server" true "$(token_valid "$AT2")"
expect_eq "refresh: the old refresh token is used up" true "$(cobo_server_field "$(refresh_info "$RT1")" used)"
RT2=$(file_secret refresh)
check "refresh: the file holds a new refresh token" test -n "$RT2" -a "$RT2" != "$RT1"
expect_eq "refresh: valid and unused" "true false" \
	"$(cobo_server_field "$(refresh_info "$RT2")" valid) $(cobo_server_field "$(refresh_info "$RT2")" used)"
expect_eq "refresh: one access and one refresh item in the file" "1 1 $AT2" \
	"$(file_count access) $(file_count refresh) $(file_secret access)"

cobo_server_ctl POST /_test/revoke "{\"org_id\":\"$ORG\"}" >/dev/null
at 6600
AT3=$TOKEN
expect_eq "revoked refresh token: exit 0, quiet" "0|" "$RC|$ERR"
check "revoked refresh token: a new token" test -n "$AT3" -a "$AT3" != "$AT2"
expect_eq "revoked refresh token: the refused POST, then a GET" "2 2 4 1" "$(stats)"
expect_eq "revoked refresh token: the minted token is valid, and stored" "true $AT3" \
	"$(token_valid "$AT3") $(file_secret access)"
BASE=6600

# erase: only the rejected token
lc_erase "AT_not-the-cached-one"
expect_eq "erase with another token: the file keeps the cached one" "0||$AT3" \
	"$RC|$ERR|$(file_secret access)"
lc_erase "$AT3"
expect_eq "erase with the cached token: exit 0, quiet, gone from the file" "0||0" \
	"$RC|$ERR|$(file_count access)"
expect_eq "erase keeps the refresh token" 1 "$(file_count refresh)"
at $BASE
check "after the erase: a new token" test -n "$TOKEN" -a "$TOKEN" != "$AT3"
expect_eq "after the erase: by a refresh" "2 3 5 1" "$(stats)"

# --- storms on the file store ----------------------------------------------------
N=16
ROUNDS=5
storm() { # ROUND OFFSET (as in lifecycle-storm.sh)
	local d="$T_TMP/storm.$1" i pids=()
	mkdir -p "$d"
	lc_storm_hold "$d"
	for ((i = 0; i < N; i++)); do
		(
			lc_storm_ready "$d"
			lc_request
		) | COBO_CREDENTIAL_NOW_OFFSET=$(lc_clock "$2") COBO_CREDENTIAL_TRACE="$d/trace" \
			"$HELPER" get > "$d/out.$i" 2> "$d/err.$i" &
		pids+=($!)
	done
	lc_storm_go "$d" "$N"
	S_OK=0
	for ((i = 0; i < N; i++)); do
		if wait "${pids[$i]}" && [ ! -s "$d/err.$i" ]; then S_OK=$((S_OK + 1)); fi
	done
	S_PIDS=("${pids[@]}")
}
PREV=$TOKEN
BAD=0
for ((r = 1; r <= ROUNDS; r++)); do
	before=$(stats)
	fault '{"mode":"delay","seconds":0.1,"on":"refresh"}'
	storm "$r" $((BASE + r * 3300))
	read -r m0 f0 t0 _ <<<"$before"
	read -r m1 f1 t1 x1 <<<"$(stats)"
	lc_storm_answers "$T_TMP/storm.$r" "$PREV" "${S_PIDS[@]}"
	valid=$(token_valid "$A_TOKEN")
	if [ "$S_OK" != "$N" ] || [ "$A_TOKENS $A_BAD" != "1 0" ] ||
		[ "$((f1 - f0)) $((m1 - m0)) $((t1 - t0))" != "1 0 1" ] || [ "$valid" != true ]; then
		BAD=$((BAD + 1))
		fail "file storm round $r: ok=$S_OK/$N new tokens=$A_TOKENS old without a timed-out wait=$A_BAD stats $before -> $m1 $f1 $t1 $x1 valid=$valid"
		sed 's/^/       /' "$T_TMP/storm.$r"/err.* | head -n 5
	fi
	PREV=$A_TOKEN
done
expect_eq "$ROUNDS storms of $N helpers on the file store: one refresh each, one token for all" \
	0 "$BAD"
expect_eq "after the storms: the file holds the last tokens, once" "1 1 $PREV" \
	"$(file_count access) $(file_count refresh) $(file_secret access)"

lc_done
