#!/bin/bash
# lifecycle-keyring.sh - the token lifecycle (ARCHITECTURE.md) end to end with real
# parts: git-credential-cobo, the keyring module on a real gnome-keyring in a
# private D-Bus session, the cobo-oauth module over HTTPS against the Cobo
# test server.  A cache hit is silent and cheap; the freshness rule
# (stale when expires_at - now <= max(60 s, 10 % of the lifetime)) drives a
# refresh that rotates the refresh token in the keyring; a rejected refresh
# token falls back to a mint; secret-tool sees exactly the current token;
# git's erase drops the cached token only when it is the rejected one.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

keyring_start || { echo "FAIL - keyring_start"; exit 1; }
lc_server_up
lc_config "keyring cobo-oauth" "keyring" "keyring"
set_ttl 3600 # a window of 360 s: stale when 360 s or less are left

# at OFFSET: a get on the test's clock (lc_clock); LC_AT/LC_OFF remember it.
at() { LC_AT=$1 LC_OFF=$(lc_clock "$1"); lc_get COBO_CREDENTIAL_NOW_OFFSET="$LC_OFF"; }
# at_left SECONDS: a get when the last token has that long left by its own
# password_expiry_utc (EXPIRY): a stale case must not turn fresh because the
# mint that made the token took a while on a loaded machine.
at_left() {
	LC_AT= LC_OFF=$((LAST_EXPIRY - $1 - $(date +%s)))
	lc_get COBO_CREDENTIAL_NOW_OFFSET="$LC_OFF"
}
expiry_ok() { # DESC OFFSET: password_expiry_utc = the server's expiry on the shifted clock
	local off=$LC_OFF want
	[ "$2" = "$LC_AT" ] || off=$(lc_clock "$2")
	want=$(($(cobo_server_field "$(cobo_server_ctl GET "/_test/token_valid?token=$TOKEN")" \
		expires_at) + off))
	expect_near "$1" "$want" "$EXPIRY"
}

# --- the first get mints ---------------------------------------------------
at 0
AT1=$TOKEN
expect_eq "mint: exit 0, stderr empty" "0|" "$RC|$ERR"
expect_eq "mint: username is the org id" "$ORG" "$GUSER"
expect_eq "mint: the token is valid on the server" true "$(token_valid "$AT1")"
expect_eq "mint: one GET, nothing else (mint refresh total failed)" "1 0 1 0" "$(stats)"
expiry_ok "mint: password_expiry_utc is the token's expiry" 0
RT1=$(kr_lookup refresh)
expect_eq "mint: the keyring holds the refresh token, valid on the server" true \
	"$(cobo_server_field "$(refresh_info "$RT1")" valid)"

# --- 1. a cache hit: no request, no cobo-oauth, no libcurl/OpenSSL -----------
at 0
expect_eq "cache hit: the same token, exit 0, quiet" "$AT1|0|" "$TOKEN|$RC|$ERR"
expect_eq "cache hit: no server call" "1 0 1 0" "$(stats)"
lc_get COBO_CREDENTIAL_TRACE="$T_TMP/trace.hit"
expect_eq "cache hit (traced): the same token" "$AT1" "$TOKEN"
TR=$(cat "$T_TMP/trace.hit")
expect_match "cache hit: the trace shows the keyring answered" "get keyring: SUCCESS" "$TR"
expect_eq "cache hit: the cobo-oauth module is never loaded" "" \
	"$(printf '%s\n' "$TR" | grep "loaded module 'cobo-oauth'")"
lc_get LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.hit"
LD=$(cat "$T_TMP"/ld.hit.* 2>/dev/null)
expect_match "cache hit: the dynamic loader opened keyring.so" "keyring\.so" "$LD"
expect_eq "cache hit: cobo-oauth.so, libcurl, libssl, libcrypto never mapped" "" \
	"$(printf '%s\n' "$LD" | grep -E 'file=[^ ]*(cobo-oauth\.so|libcurl|libssl|libcrypto)')"
check "the helper binary itself links no libcurl/libssl/libcrypto" \
	sh -c "! ldd '$HELPER' | grep -Eq 'libcurl|libssl|libcrypto'"
expect_eq "cache hits: still no server call" "1 0 1 0" "$(stats)"

# The positive control: a mint does map them (so the check above can fail).
lc_get COBO_CREDENTIAL_NOW_OFFSET=100000 LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.mint"
expect_match "control: a refresh loads cobo-oauth.so and libcurl" \
	"cobo-oauth\.so.*libcurl|libcurl.*cobo-oauth\.so" "$(cat "$T_TMP"/ld.mint.* | tr '\n' ' ')"

# A fresh token for the boundary checks, issued on the unshifted clock.
server_reset
secret-tool clear base_url "$COBO_SERVER_URL" kind access
secret-tool clear base_url "$COBO_SERVER_URL" kind refresh
at 0
AT1=$TOKEN
RT1=$(kr_lookup refresh)
expect_eq "re-mint: one GET" "1 0 1 0" "$(stats)"

# --- 2. the freshness rule drives a refresh -----------------------------------
# Lifetime 3600 s: 10 % is 360 s > 60 s.  3200 s on, 400 s are left: fresh.
at 3200
expect_eq "400 s left of 3600: still fresh, the cached token" "$AT1" "$TOKEN"
expect_eq "400 s left of 3600: no request" "1 0 1 0" "$(stats)"
# 3300 s on, 300 s are left (<= 360): stale though valid, so refreshed.
at 3300
AT2=$TOKEN
expect_eq "300 s left of 3600: exit 0, quiet" "0|" "$RC|$ERR"
check "300 s left of 3600: a new access token" test -n "$AT2" -a "$AT2" != "$AT1"
expect_eq "refresh: one POST, no GET" "1 1 2 0" "$(stats)"
expect_eq "refresh: the new access token is valid on the server" true "$(token_valid "$AT2")"
expiry_ok "refresh: password_expiry_utc is the new token's" 3300
RI=$(refresh_info "$RT1")
expect_eq "refresh: the old refresh token is used up" "true false" \
	"$(cobo_server_field "$RI" used) $(cobo_server_field "$RI" valid)"
RT2=$(kr_lookup refresh)
check "refresh: the keyring holds a new refresh token" test -n "$RT2" -a "$RT2" != "$RT1"
RI=$(refresh_info "$RT2")
expect_eq "refresh: which the server issued and has not used" "true false" \
	"$(cobo_server_field "$RI" valid) $(cobo_server_field "$RI" used)"
expect_eq "refresh: one access and one refresh item (replaced, not added)" "1 1" \
	"$(kr_count access) $(kr_count refresh)"
at 3300
expect_eq "after the refresh: a cache hit on the same clock" "$AT2|1 1 2 0" "$TOKEN|$(stats)"

# --- 7. secret-tool sees exactly the current access token ---------------------
kr_lookup access > "$T_TMP/lookup"
printf '%s' "$AT2" > "$T_TMP/want"
check "secret-tool lookup ... kind access prints exactly the current token" \
	cmp -s "$T_TMP/lookup" "$T_TMP/want"

# The 60 s floor: lifetime 300 s, 10 % is 30 s, so the window is 60 s.
set_ttl 300
at 7000 # AT2 (issued at +3300, for 3600 s) has expired on this clock: refreshed
AT3=$TOKEN LAST_EXPIRY=$EXPIRY
expect_eq "ttl 300: refreshed" "1 2 3 0" "$(stats)"
expiry_ok "ttl 300: password_expiry_utc is 300 s on" 7000
at 7225 # about 75 s left of 300: 10 % is 30 s, but the floor is 60 s: fresh
expect_eq "75 s left of 300: fresh, the cached token" "$AT3|1 2 3 0" "$TOKEN|$(stats)"
at_left 55 # inside the 60 s floor, refreshed
AT4=$TOKEN LAST_EXPIRY=$EXPIRY
check "55 s left of 300 (under the 60 s floor): a new token" test -n "$AT4" -a "$AT4" != "$AT3"
expect_eq "55 s left of 300: by a refresh" "1 3 4 0" "$(stats)"
expect_eq "ttl 300: the new token is valid" true "$(token_valid "$AT4")"
set_ttl 3600
BASE=7245 # AT4 was issued on this clock, for 300 s

# --- 3. a rejected refresh token falls back to a mint --------------------------
RT4=$(kr_lookup refresh)
cobo_server_ctl POST /_test/revoke "{\"org_id\":\"$ORG\"}" >/dev/null
expect_eq "revoke: the stored refresh token is revoked" true \
	"$(cobo_server_field "$(refresh_info "$RT4")" revoked)"
at_left 40 # stale
AT5=$TOKEN
expect_eq "revoked refresh: exit 0, quiet" "0|" "$RC|$ERR"
check "revoked refresh: a new token" test -n "$AT5" -a "$AT5" != "$AT4"
expect_eq "revoked refresh: one POST refused, then one GET" "2 4 6 1" "$(stats)"
expect_eq "revoked refresh: the minted token is valid" true "$(token_valid "$AT5")"
RT5=$(kr_lookup refresh)
check "revoked refresh: a new refresh token in the keyring" test -n "$RT5" -a "$RT5" != "$RT4"
expect_eq "revoked refresh: valid on the server" true "$(cobo_server_field "$(refresh_info "$RT5")" valid)"
expect_eq "revoked refresh: the keyring holds the minted access token" "$AT5" "$(kr_lookup access)"
BASE=$((BASE + 260)) # AT5: 3600 s from here

# --- 10. erase drops the cached token only when it is the rejected one ---------
lc_erase "AT_not-the-cached-one"
expect_eq "erase with another token: exit 0, quiet" "0|" "$RC|$ERR"
expect_eq "erase with another token: the cached one stays" "$AT5" "$(kr_lookup access)"
lc_erase "$AT4"
expect_eq "erase with an older token of the same org: the cached one stays" "$AT5" \
	"$(kr_lookup access)"
at $BASE
expect_eq "after those erases: a cache hit, no request" "$AT5|2 4 6 1" "$TOKEN|$(stats)"
lc_erase "$AT5"
expect_eq "erase with the cached token: exit 0, quiet" "0|" "$RC|$ERR"
expect_eq "erase with the cached token: the access token is gone" "0" "$(kr_count access)"
expect_eq "erase keeps the refresh token" "$RT5" "$(kr_lookup refresh)"
lc_erase "$AT5"
expect_eq "erase again (nothing cached): exit 0, quiet" "0|" "$RC|$ERR"
at $BASE
AT6=$TOKEN
check "after the erase: a new token" test -n "$AT6" -a "$AT6" != "$AT5"
expect_eq "after the erase: by a refresh with the kept refresh token" "2 5 7 1" "$(stats)"
expect_eq "after the erase: valid" true "$(token_valid "$AT6")"
expect_eq "after the erase: secret-tool sees it" "$AT6" "$(kr_lookup access)"

# Erase with both tokens gone from the keyring: the next get mints.
lc_erase "$AT6"
secret-tool clear base_url "$COBO_SERVER_URL" client_id "$CLIENT_ID" org_id "$ORG" kind refresh
at $BASE
expect_eq "nothing cached: a mint" "3 5 8 1" "$(stats)"
expect_eq "nothing cached: a valid token" "0|true" "$RC|$(token_valid "$TOKEN")"

lc_done
