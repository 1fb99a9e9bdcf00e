#!/bin/bash
# oauth-faults.sh - every fault mode of the Cobo test server against the
# cobo-oauth module (through the core, over HTTPS): the documented status,
# a one-line message naming the cause, no token in it, and nothing stored.
. "$top_srcdir/tests/lib/oauth.sh"

oauth_server_up

# The store read with one driver run and no other process: STORE_ITEMS
# gets drv_store's lines (the "item ..." lines, sorted), RT_STORED the
# refresh token of ORG in them (drv_secret refresh).  KIND names the call
# site: listing a store is one path whatever the fault before it, so the
# first list of each KIND is leak-checked and the repeats are not (ASan
# and UBSan stay on; t_leak_check_first in tests/lib/common.sh).
read_store() {
	local line i j items=() tmp re="^item kind=refresh org=$ORG .* secret=([^ ]*) "
	t_leak_check_first "list $1"
	"$DRIVER" list > "$T_TMP/list.out" 2>&1
	t_leak_check_all
	while IFS= read -r line; do
		[[ $line == 'item '* ]] && items+=("$line")
	done < "$T_TMP/list.out"
	for ((i = 1; i < ${#items[@]}; i++)); do # a few lines: sorted here, not by sort(1)
		tmp=${items[i]}
		for ((j = i - 1; j >= 0; j--)); do
			[[ ${items[j]} > $tmp ]] || break
			items[j + 1]=${items[j]}
		done
		items[j + 1]=$tmp
	done
	RT_STORED=
	for line in "${items[@]}"; do
		[[ $line =~ $re ]] && { RT_STORED=${BASH_REMATCH[1]}; break; }
	done
	printf -v STORE_ITEMS '%s\n' "${items[@]}"
	STORE_ITEMS=${STORE_ITEMS%$'\n'}
	STORE_N=${#items[@]}
}
# A generous request timeout: on a loaded machine the server may take
# seconds to start sending an 8 MiB body, and that case is about the size
# cap, not the clock.  The transport section below, whose "no answer"
# cases wait out the timeout, runs with a short one.
oauth_config "timeout = 60"

# check_failure NAME STATUS REGEX: the last drv_token failed as documented.
check_failure() {
	expect_eq "$1: status" "$2" "$ST"
	expect_match "$1: message" "$3" "$ERR"
	local nl=${ERR//[!$'\n']/}
	expect_eq "$1: one line" 1 "$((${#nl} + 1))"
	no_secret_in "$1" "$ERR"
}

# mint_fault NAME FAULT STATUS REGEX: an empty store, the fault on the mint GET.
mint_fault() {
	server_reset
	fault "$2"
	drv_token
	check_failure "$1" "$3" "$4"
	read_store empty
	expect_eq "$1: nothing stored" 0 "$STORE_N"
}

# Tokens in the store, then the helper's clock moved past the access token's
# expiry, so the next request refreshes with the stored refresh token.
# The same plain mint before every refresh case: the first is leak-checked.
refresh_setup() {
	server_reset
	t_leak_check_first "setup mint"
	drv_token
	t_leak_check_all
	[ "$ST" = SUCCESS ] || fail "refresh setup: mint failed: $ERR"
	read_store setup
	BEFORE=$STORE_ITEMS
	RT_OLD=$RT_STORED
	cobo_server_ctl POST /_test/stats/reset >/dev/null
}
drv_later() { COBO_CREDENTIAL_NOW_OFFSET=50000 drv_token; }

# refresh_fault NAME FAULT STATUS REGEX: the fault on the refresh POST, no mint fallback.
refresh_fault() {
	refresh_setup
	fault "$2"
	drv_later
	check_failure "$1" "$3" "$4"
	read_store after
	expect_eq "$1: store unchanged" "$BEFORE" "$STORE_ITEMS"
	expect_eq "$1: no mint" 0 "$(stat_of mint)"
}

# refresh_recovers NAME FAULT: the refresh fails or is lost, a mint recovers.
refresh_recovers() {
	refresh_setup
	fault "$2"
	drv_later
	expect_eq "$1: recovered by minting" SUCCESS "$ST"
	expect_eq "$1: one POST, one GET" "1 1" "$(stat_of refresh) $(stat_of mint)"
	expect_eq "$1: new token valid" true "$(token_valid "$TOKEN")"
	read_store after
	check "$1: new refresh token stored" test -n "$RT_STORED" -a "$RT_STORED" != "$RT_OLD"
}

# --- HTTP statuses on mint ---------------------------------------------------------
mint_fault "500" '{"mode":"status","status":500,"on":"mint"}' TRYAGAIN 'HTTP 500, error 2000'
mint_fault "503 unsigned" '{"mode":"status","status":503,"signed":false,"on":"mint"}' TRYAGAIN \
	'HTTP 503 without a Cobo signature'
mint_fault "502 unsigned" '{"mode":"status","status":502,"signed":false,"body":"<html>bad gateway</html>","on":"mint"}' \
	TRYAGAIN 'HTTP 502 without a Cobo signature'
mint_fault "429 unsigned" '{"mode":"status","status":429,"signed":false,"on":"mint"}' TRYAGAIN \
	'HTTP 429 without a Cobo signature'
mint_fault "401" '{"mode":"status","status":401,"on":"mint","body":{"error_code":2024,"error_message":"signature verification failed","error_id":"0123456789abcdef0123456789abcdef"}}' \
	DENIED 'HTTP 401, error 2024: signature verification failed \(error id 0123456789abcdef0123456789abcdef\)\); check app_secret'
mint_fault "403 not installed" '{"mode":"status","status":403,"on":"mint"}' DENIED \
	"refused the token for org $ORG \\(HTTP 403, error 2030: [^)]*not installed.*\\(error id [0-9a-f]+\\)\\); check org_id"
mint_fault "400 invalid_grant on mint" '{"mode":"status","status":400,"on":"mint"}' DENIED \
	'HTTP 400, invalid_grant'
mint_fault "302 redirect" '{"mode":"status","status":302,"on":"mint","headers":{"Location":"https://evil.example/"}}' \
	ERROR 'unexpected HTTP 302.*redirects are not followed'
expect_eq "status faults: one request each (statuses are not retried)" 1 "$(stat_of total)"

# --- transport --------------------------------------------------------------------------
# A short timeout keeps the "no answer" case quick; a normal request (tens
# of ms) still has a wide margin.
oauth_config "timeout = 5"
# The server holds the GET until the test releases it: the helper answering
# while it is still held shows the profile's timeout ended the wait.
mint_fault "no answer" '{"mode":"hold","on":"mint"}' TRYAGAIN \
	'no answer from 127.0.0.1:[0-9]+ within 5 s'
expect_eq "no answer: gave up on the request the server still holds" 1 \
	"$(cobo_server_field "$(cobo_server_ctl GET /_test/held)" held)"
cobo_server_release || fail "no answer: release"
mint_fault "close (every attempt)" '{"mode":"close","count":3,"on":"mint"}' TRYAGAIN \
	'cannot reach 127.0.0.1:[0-9]+ \(.*[Ee]mpty reply'
expect_eq "close: the GET was tried three times" 3 "$(stat_of mint)"
mint_fault "reset (every attempt)" '{"mode":"reset","count":3,"on":"mint"}' TRYAGAIN \
	'cannot reach 127.0.0.1:[0-9]+ \(.*reset'
oauth_config "timeout = 60"

server_reset
fault '{"mode":"close","count":1,"on":"mint"}'
drv_token
expect_eq "close once: the retry succeeds" SUCCESS "$ST"
expect_eq "close once: two GETs" 2 "$(stat_of mint)"
server_reset
fault '{"mode":"delay","seconds":0.3,"on":"mint"}'
drv_token
expect_eq "delay within timeout: success" SUCCESS "$ST"

# --- bodies and signatures ----------------------------------------------------------------
mint_fault "truncated_json" '{"mode":"truncated_json","on":"mint"}' ERROR \
	'malformed token response from 127.0.0.1:[0-9]+ \(HTTP 200\): truncated JSON'
mint_fault "invalid_json" '{"mode":"invalid_json","on":"mint"}' ERROR 'malformed token response.*invalid JSON'
for f in access_token token_type expires_in refresh_token; do
	mint_fault "missing_field $f" "{\"mode\":\"missing_field\",\"field\":\"$f\",\"on\":\"mint\"}" \
		ERROR "field '$f' is missing"
done
mint_fault "wrong_type expires_in" '{"mode":"wrong_type","on":"mint"}' ERROR "field 'expires_in' is not an integer"
mint_fault "wrong_type access_token" '{"mode":"wrong_type","field":"access_token","on":"mint"}' ERROR \
	"field 'access_token' is not a string"
mint_fault "wrong_type refresh_token" '{"mode":"wrong_type","field":"refresh_token","value":["x"],"on":"mint"}' \
	ERROR "field 'refresh_token' is not a string"
mint_fault "token_type MAC" '{"mode":"wrong_type","field":"token_type","value":"MAC","on":"mint"}' ERROR \
	"field 'token_type' is not \"Bearer\""
mint_fault "bad_signature" '{"mode":"bad_signature","on":"mint"}' ERROR \
	'response signature invalid: refusing the token.*does not verify.*check server_key'
mint_fault "no_signature" '{"mode":"no_signature","on":"mint"}' ERROR \
	'response signature invalid: refusing the token.*no Biz-Resp-Signature.*check server_key'
mint_fault "wrong_key_signature" '{"mode":"wrong_key_signature","on":"mint"}' ERROR \
	'response signature invalid: refusing the token.*check server_key'
mint_fault "huge_body (8 MiB)" '{"mode":"huge_body","on":"mint"}' ERROR 'response too large'
mint_fault "huge_body (just over the cap)" '{"mode":"huge_body","bytes":70000,"on":"mint"}' ERROR 'response too large'
for v in 0 -1 31536001 99999999999999999999 3600.5 '"3600"' null; do
	mint_fault "expires_in $v" "{\"mode\":\"expires_in\",\"value\":$v,\"on\":\"mint\"}" ERROR "field 'expires_in'"
done
mint_fault "empty_token" '{"mode":"empty_token","on":"mint"}' ERROR "field 'access_token' is empty"
mint_fault "huge token" '{"mode":"wrong_type","field":"access_token","value":"'"$(printf 'A%.0s' $(seq 1 5000))"'","on":"mint"}' \
	ERROR "field 'access_token' is longer than 4096 bytes"

# --- faults on the refresh POST -------------------------------------------------------------
refresh_recovers "lost_reply on refresh" '{"mode":"lost_reply","on":"refresh"}'
expect_eq "lost_reply: the old refresh token was used up by the server" true \
	"$(cobo_server_field "$(refresh_info "$RT_OLD")" used)"
refresh_recovers "400 invalid_grant on refresh" '{"mode":"status","status":400,"on":"refresh"}'
refresh_recovers "close on refresh" '{"mode":"close","on":"refresh"}'
refresh_recovers "reset on refresh" '{"mode":"reset","on":"refresh"}'
oauth_config "timeout = 5" # the hold below waits it out
refresh_recovers "no answer on refresh" '{"mode":"hold","on":"refresh"}'
expect_eq "no answer on refresh: minted while the server still holds the refresh" 1 \
	"$(cobo_server_field "$(cobo_server_ctl GET /_test/held)" held)"
cobo_server_release || fail "no answer on refresh: release"
oauth_config "timeout = 60"
refresh_fault "503 on refresh" '{"mode":"status","status":503,"signed":false,"on":"refresh"}' TRYAGAIN \
	'HTTP 503 without a Cobo signature'
refresh_fault "500 on refresh" '{"mode":"status","status":500,"on":"refresh"}' TRYAGAIN 'HTTP 500'
refresh_fault "403 on refresh" '{"mode":"status","status":403,"on":"refresh"}' DENIED 'not installed'
refresh_fault "bad_signature on refresh" '{"mode":"bad_signature","on":"refresh"}' ERROR \
	'response signature invalid'
refresh_fault "truncated_json on refresh" '{"mode":"truncated_json","on":"refresh"}' ERROR 'truncated JSON'
refresh_fault "empty_token on refresh" '{"mode":"empty_token","on":"refresh"}' ERROR "field 'access_token' is empty"

refresh_setup
fault '{"mode":"lost_reply","on":"refresh"}'
fault '{"mode":"status","status":503,"count":3,"on":"mint"}'
drv_later
check_failure "lost reply, then the mint fails" TRYAGAIN 'HTTP 503'
read_store after
expect_eq "lost reply, then the mint fails: store unchanged" "$BEFORE" "$STORE_ITEMS"

t_done
