#!/bin/bash
# oauth-mint.sh - the cobo-oauth module through the core against the Cobo
# test server over real HTTPS: mint, cache, refresh rotation, rejected
# refresh -> mint, app secret sources, and the settings that must fail closed.
. "$top_srcdir/tests/lib/oauth.sh"

oauth_server_up
oauth_config

# --- mint -------------------------------------------------------------------
drv_token
expect_eq "mint: status" SUCCESS "$ST"
expect_eq "mint: the token is valid on the server" true "$(token_valid "$TOKEN")"
expect_eq "mint: lifetime is the server's expires_in" 43200 "$((EXPIRES - CREATED))"
expect_eq "mint: label" "Cobo Org Access Token ($ORG on 127.0.0.1:$COBO_SERVER_PORT)" "$LABEL"
expect_eq "mint: one GET" 1 "$(stat_of mint)"
expect_eq "mint: access and refresh token stored" 2 "$(store_count)"
expect_eq "mint: stored access token is the answer" "$TOKEN" "$(drv_secret access)"
RT1=$(drv_secret refresh)
expect_eq "mint: stored refresh token is valid on the server" true \
	"$(cobo_server_field "$(refresh_info "$RT1")" valid)"
expect_match "mint: refresh item label" "label=Cobo Org Refresh Token \\($ORG on 127.0.0.1:$COBO_SERVER_PORT\\)" \
	"$(drv_store | grep 'kind=refresh')"
REXP=$(drv_store | sed -n 's/^item kind=refresh .* created=\([0-9]*\) expires=\([0-9]*\) .*/\2-\1/p')
expect_eq "mint: refresh token kept for 30 days" $((30 * 86400)) "$((REXP))"
AT1=$TOKEN

# --- cache ------------------------------------------------------------------
drv_token
expect_eq "cache: same token" "$AT1" "$TOKEN"
expect_eq "cache: no second request" 1 "$(stat_of total)"

# --- refresh rotation (access token expired by shifting the helper's clock) --
export COBO_CREDENTIAL_NOW_OFFSET=50000
drv_token
expect_eq "refresh: status" SUCCESS "$ST"
expect_eq "refresh: one POST, no new GET" "1 1" "$(stat_of refresh) $(stat_of mint)"
check "refresh: a new access token" test "$TOKEN" != "$AT1"
expect_eq "refresh: the new token is valid" true "$(token_valid "$TOKEN")"
RI=$(refresh_info "$RT1")
expect_eq "refresh: the old refresh token is used up" true "$(cobo_server_field "$RI" used)"
RT2=$(drv_secret refresh)
check "refresh: a new refresh token is stored" test -n "$RT2" -a "$RT2" != "$RT1"
expect_eq "refresh: the new refresh token is valid" true "$(cobo_server_field "$(refresh_info "$RT2")" valid)"
expect_eq "refresh: still two items" 2 "$(store_count)"
AT2=$TOKEN

# --- a rejected refresh token falls back to mint ------------------------------
cobo_server_ctl POST /_test/revoke "{\"org_id\":\"$ORG\"}" >/dev/null
export COBO_CREDENTIAL_NOW_OFFSET=100000
drv_token
expect_eq "revoked refresh: status" SUCCESS "$ST"
expect_eq "revoked refresh: one more POST, then a GET" "2 2" "$(stat_of refresh) $(stat_of mint)"
check "revoked refresh: a new token" test "$TOKEN" != "$AT2"
expect_eq "revoked refresh: the new token is valid" true "$(token_valid "$TOKEN")"
unset COBO_CREDENTIAL_NOW_OFFSET

# --- parallel helpers make one request (the core's per-credential lock) -----------
server_reset
fault '{"mode":"delay","seconds":0.5,"on":"mint"}'
PIDS=()
for i in 1 2 3 4 5; do "$DRIVER" token p > "$T_TMP/par.$i" 2>&1 & PIDS+=($!); done
wait "${PIDS[@]}"
expect_eq "parallel: all succeed" 5 "$(cat "$T_TMP"/par.* | grep -c '^status=SUCCESS$')"
expect_eq "parallel: all got the same token" 1 "$(cat "$T_TMP"/par.* | grep '^token=' | sort -u | wc -l)"
expect_eq "parallel: one GET" 1 "$(stat_of mint)"

# --- app secret sources -------------------------------------------------------
seed_hex() { openssl pkey -in "$KEY_PEM" -outform DER 2>/dev/null | tail -c 32 | od -An -tx1 | tr -d ' \n'; }
SEED=$(seed_hex)
(umask 077 && printf '%s\n' "$SEED" > "$T_TMP/app.hex")
server_reset
oauth_config "app_secret = file:$T_TMP/app.hex"
drv_token
expect_eq "hex key file: status" SUCCESS "$ST"

server_reset
oauth_config "app_secret = env:COBO_TEST_APP_SECRET"
COBO_TEST_APP_SECRET=$SEED drv_token
expect_eq "env key: status" SUCCESS "$ST"
server_reset
drv_token
expect_eq "env key unset: status" ERROR "$ST"
expect_match "env key unset: message" 'COBO_TEST_APP_SECRET is not set' "$ERR"

server_reset
oauth_config "app_secret = keyring"
drv_token
expect_eq "store key, absent: status" ERROR "$ST"
expect_match "store key, absent: message" "no app secret for client_id $CLIENT_ID" "$ERR"
printf '%s' "$SEED" | "$DRIVER" app-secret "$CLIENT_ID" >/dev/null
drv_token
expect_eq "store key: status" SUCCESS "$ST"
expect_eq "store key: token valid" true "$(token_valid "$TOKEN")"

server_reset
chmod 644 "$KEY_PEM"
oauth_config
drv_token
expect_eq "readable key file: refused" ERROR "$ST"
expect_match "readable key file: says how to fix it" "run: chmod 600 $KEY_PEM" "$ERR"
chmod 600 "$KEY_PEM"
expect_eq "readable key file: no request made" 0 "$(stat_of total)"

printf 'not a key\n' > "$T_TMP/bad.key" && chmod 600 "$T_TMP/bad.key"
oauth_config "app_secret = file:$T_TMP/bad.key"
drv_token
expect_eq "malformed key file: refused" ERROR "$ST"
expect_match "malformed key file: message" 'neither PEM nor 64 hex' "$ERR"

# --- the server says no ------------------------------------------------------------
oauth_config "app_secret = file:$T_TMP/other.pem"
oauth_keygen "$T_TMP/other.pem" >/dev/null
drv_token
expect_eq "unregistered key: DENIED" DENIED "$ST"
expect_match "unregistered key: Cobo's code and hint" 'HTTP 401, error 2023.*check app_secret' "$ERR"

OAUTH_BARE=1 oauth_config "base_url = $COBO_SERVER_URL" "client_id = $CLIENT_ID" \
	"org_id = org-not-installed" "server_key = $COBO_SERVER_PUBKEY" \
	"ca_file = $COBO_SERVER_CA" "app_secret = file:$KEY_PEM"
drv_token
expect_eq "app not installed: DENIED" DENIED "$ST"
expect_match "app not installed: Cobo's message and error id" \
	'HTTP 403, error 2030: .*not installed.*\(error id [0-9a-f]+\)' "$ERR"
expect_eq "failures store nothing" 0 "$(store_count)"

# --- settings that must fail closed ------------------------------------------------
cobo_server_ctl POST /_test/stats/reset >/dev/null
OAUTH_BARE=1 oauth_config "base_url = $COBO_SERVER_URL" "client_id = $CLIENT_ID" \
	"org_id = $ORG" "server_key = $(printf '%064d' 7)" "ca_file = $COBO_SERVER_CA" \
	"app_secret = file:$KEY_PEM"
drv_token
expect_eq "wrong server_key: ERROR" ERROR "$ST"
expect_match "wrong server_key: message" 'response signature invalid: refusing the token.*check server_key' "$ERR"
expect_eq "wrong server_key: nothing stored" 0 "$(store_count)"

OAUTH_BARE=1 oauth_config "base_url = $COBO_SERVER_URL" "client_id = $CLIENT_ID" \
	"org_id = $ORG" "ca_file = $COBO_SERVER_CA" "app_secret = file:$KEY_PEM"
drv_token
expect_eq "no server_key for a private host: ERROR" ERROR "$ST"
expect_match "no server_key: message" 'set server_key' "$ERR"

OAUTH_BARE=1 oauth_config "base_url = $COBO_SERVER_URL" "client_id = $CLIENT_ID" \
	"org_id = $ORG" "server_key = $COBO_SERVER_PUBKEY" "app_secret = file:$KEY_PEM"
drv_token
expect_eq "test CA not trusted without ca_file: ERROR" ERROR "$ST"
expect_match "untrusted CA: message" 'TLS verification of 127.0.0.1:[0-9]+ failed' "$ERR"

HTTP_URL=http://127.0.0.1:$COBO_SERVER_PORT/v2
OAUTH_BARE=1 oauth_config "base_url = $HTTP_URL" "client_id = $CLIENT_ID" "org_id = $ORG" \
	"server_key = $COBO_SERVER_PUBKEY" "app_secret = file:$KEY_PEM"
drv_token
expect_eq "http:// base_url refused" ERROR "$ST"
expect_match "http:// refused: message" 'is http://; use https://' "$ERR"

OAUTH_BARE=1 oauth_config "base_url = http://cobo.example.com/v2" "client_id = $CLIENT_ID" \
	"org_id = $ORG" "server_key = $COBO_SERVER_PUBKEY" "app_secret = file:$KEY_PEM" \
	"allow_http = yes"
drv_token
expect_eq "allow_http off loopback: refused" ERROR "$ST"
expect_match "allow_http off loopback: message" 'honoured only for 127.0.0.0/8 or localhost' "$ERR"
expect_eq "settings errors made no request (one for the wrong key)" 1 "$(stat_of total)"

# --- plain http to a loopback test server, explicitly allowed --------------------------
cobo_server_stop
oauth_server_up --http
OAUTH_BARE=1 oauth_config "base_url = $COBO_SERVER_URL" "client_id = $CLIENT_ID" \
	"org_id = $ORG" "server_key = $COBO_SERVER_PUBKEY" "app_secret = file:$KEY_PEM" \
	"allow_http = yes"
rm -f "$STORE"
drv_token
expect_eq "allow_http on 127.0.0.1: status" SUCCESS "$ST"
expect_eq "allow_http on 127.0.0.1: token valid" true "$(token_valid "$TOKEN")"

# --- a module option would be silently lost: refused --------------------------------
sed -i 's/^\[module cobo-oauth\]$/&\ntimeout = 2/' "$XDG_CONFIG_HOME/cobo-credential/config"
rm -f "$STORE"
drv_token
expect_eq "an option under [module cobo-oauth]: ERROR" ERROR "$ST"
expect_match "and the message says where settings go" \
	"takes no module options \(got 'timeout=2'\); set it per profile" "$ERR"

t_done
