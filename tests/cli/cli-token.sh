#!/bin/bash
# cli-token.sh - cobo-credential token in every format, status, logout and
# the exit codes, against the Cobo test server with a file-module stack:
# raw / json / header / env / exec-credential (validated as JSON, the
# expirationTimestamp RFC 3339 and in the future), eval-safe env output
# with hostile values refused, the cache answering the second call, a
# forced expiry refreshed, status never showing a secret, logout, and the
# not found / usage / denied / transient exit codes.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"

cli_profile_t

# --- raw, and the second call answered from the cache ------------------------------
cc token
expect_eq "token (the only profile): exit 0" 0 "$RC"
expect_match "raw: one access token" '^AT_[A-Za-z0-9_-]+$' "$OUT"
TOK=$OUT
expect_eq "raw: exactly the token and a newline" "$(printf '%s\n' "$TOK" | od -c)" "$(od -c < "$T_TMP/out")"
cc token --profile t --format raw
expect_eq "second call: the same token" "$TOK" "$OUT"
expect_eq "second call: from the cache, no request" "1 0 1" "$(stats)"

# --- json ------------------------------------------------------------------------------
cc token --format json
expect_eq "json: exit 0" 0 "$RC"
expect_eq "json: access_token" "$TOK" "$(printf '%s' "$OUT" | py 'd["access_token"]')"
expect_eq "json: token_type" Bearer "$(printf '%s' "$OUT" | py 'd["token_type"]')"
expect_eq "json: org_id and profile" "$ORG t" "$(printf '%s' "$OUT" | py 'd["org_id"] + " " + d["profile"]')"
expect_eq "json: expires_at is RFC 3339 UTC, about 12 h ahead" True "$(printf '%s' "$OUT" | py \
	'abs(datetime.datetime.strptime(d["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp() - __import__("time").time() - 43200) < 120')"

# --- header, for curl -H -----------------------------------------------------------------
cc token --format header
expect_eq "header" "Authorization: Bearer $TOK" "$OUT"
# Cobo wants the app-key signature on every resource call too (SECURITY.md, issue 25): the
# bearer alone is refused, the way Cobo refuses it. The same token with the signature
# passes, so the refusal is the missing signature and nothing else.
BODY=$("$CC" token --format header |
	curl -sS -w '\n%{http_code}' --cacert "$COBO_SERVER_CA" -H @- "$COBO_SERVER_ORIGIN/v2/wallets?limit=10")
expect_eq "token --format header | curl -H @- (a bare bearer): refused with 401" 401 "${BODY##*$'\n'}"
expect_eq "  in Cobo's error shape: signature headers missing (2021)" "2021 True True" \
	"$(printf '%s' "${BODY%$'\n'*}" | py '" ".join([str(d["error_code"]), str(isinstance(d["error_message"], str)), str(len(d["error_id"]) == 32)])')"
BODY=$(cobo_server_signed_curl "$SEED" GET "/v2/wallets?limit=10" "" -H "$OUT")
expect_eq "the same bearer with the app-key signature: accepted for the profile's org" \
	"$ORG $CLIENT_ID GET /v2/wallets limit=10" \
	"$(printf '%s' "$BODY" | py '" ".join([d["org_id"], d["client_id"], d["method"], d["path"], d["query"]])')"
expect_eq "resource calls are no token calls" "1 0 1" "$(stats)"

# --- env, for eval ---------------------------------------------------------------------
cc token --format env
expect_eq "env: exit 0" 0 "$RC"
expect_eq "env: three NAME=value lines" 3 "$(printf '%s\n' "$OUT" | grep -Ec '^COBO_[A-Z_]+=[A-Za-z0-9_.,/+=:@%-]+$')"
VALS=$(env -i /bin/sh -c 'eval "$1"; printf "%s|%s|%s" "$COBO_ORG_ACCESS_TOKEN" "$COBO_ORG_ID" "$COBO_ORG_ACCESS_TOKEN_EXPIRES_AT"' sh "$OUT")
expect_match "env: eval sets the token, org and expiry" "^$TOK\|$ORG\|20[0-9-]+T[0-9:]+Z$" "$VALS"

# --- exec-credential (kubectl) -------------------------------------------------------------
cc token --format exec-credential
expect_eq "exec-credential: exit 0" 0 "$RC"
expect_eq "exec-credential: apiVersion v1" client.authentication.k8s.io/v1 \
	"$(printf '%s' "$OUT" | py 'd["apiVersion"]')"
expect_eq "exec-credential: kind" ExecCredential "$(printf '%s' "$OUT" | py 'd["kind"]')"
expect_eq "exec-credential: status.token" "$TOK" "$(printf '%s' "$OUT" | py 'd["status"]["token"]')"
expect_eq "exec-credential: expirationTimestamp RFC 3339, in the future" True "$(printf '%s' "$OUT" | py \
	'datetime.datetime.fromisoformat(d["status"]["expirationTimestamp"].replace("Z", "+00:00")) > datetime.datetime.now(datetime.timezone.utc)')"
KUBERNETES_EXEC_INFO='{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}' \
	cc token --format exec-credential
expect_eq "exec-credential: answers a v1beta1 host in v1beta1" client.authentication.k8s.io/v1beta1 \
	"$(printf '%s' "$OUT" | py 'd["apiVersion"]')"

# --- a cached token never loads OpenSSL (only cobo-oauth.so does, for keys and mints) ----
LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.token" cc token
expect_eq "cached token: answered" "0 $TOK" "$RC $OUT"
expect_eq "cached token: libcrypto, libssl, libcurl, cobo-oauth.so never mapped" "" \
	"$(cat "$T_TMP"/ld.token.* | grep -E 'file=[^ ]*(cobo-oauth\.so|libcurl|libssl|libcrypto)')"
check "cobo-credential links no libcrypto" sh -c "! ldd '$CC' | grep -q libcrypto"
# The control: a key operation does load it, through cobo-oauth.so (so the check above can fail).
printf '%064d' 7 > "$T_TMP/seven.hex"
chmod 600 "$T_TMP/seven.hex"
LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.key" cc key public "$T_TMP/seven.hex"
expect_match "control: key public loads libcrypto, and answers" "libcrypto.* 0 [0-9a-f]{64}$" \
	"$(cat "$T_TMP"/ld.key.* | grep -o 'file=[^ ]*libcrypto[^ ]*' | head -1) $RC $OUT"

# --- status never shows a secret ------------------------------------------------------
cc status
expect_eq "status: exit 0" 0 "$RC"
expect_match "status: access token cached in the file module" "access token: +cached in file, expires in 1[12]h" "$OUT"
expect_match "status: refresh token present, with its age" "refresh token: +present in file, ([0-9]+[dhm] )*[0-9]+s old" "$OUT"
STATUS_TEXT=$OUT
cc status --json
STATUS_JSON=$OUT
expect_eq "status --json: cached, module, refresh present" "True file True" "$(printf '%s' "$OUT" | py \
	'" ".join([str(d["profiles"][0]["access_token"]["cached"]), d["profiles"][0]["access_token"]["module"], str(d["profiles"][0]["refresh_token"]["present"])])')"
expect_eq "status --json: expires_in about 12 h" True "$(printf '%s' "$OUT" | py \
	'43000 < d["profiles"][0]["access_token"]["expires_in"] <= 43200')"
for s in "$TOK" AT_ RT_ "$SEED"; do
	case $STATUS_TEXT$STATUS_JSON in *"$s"*) fail "status shows ${s:0:6}..." ;;
	*) pass "status never shows ${s:0:3}..." ;; esac
done
case $(cat "$XDG_DATA_HOME/cobo-credential/store") in *RT_*) pass "a refresh token is really stored" ;;
*) fail "no refresh token in the store: the status check proves nothing" ;; esac

# --- forced expiry: refreshed ------------------------------------------------------------
COBO_CREDENTIAL_NOW_OFFSET=43100 cc token
expect_eq "near expiry: exit 0" 0 "$RC"
NEWTOK=$OUT
check "near expiry: a new token" test "$NEWTOK" != "$TOK"
expect_eq "near expiry: one refresh, no mint" "1 1 2" "$(stats)"
cobo_server_ctl POST /_test/config '{"access_ttl":300}' > /dev/null
cc logout
cc token --min-valid 250
TOK300=$OUT
expect_eq "--min-valid 250 on a 300 s token: minted, not refreshed again" "2 1 3" "$(stats)"
cc token --min-valid 250
expect_eq "--min-valid 250: cached while 250 s remain" "$TOK300" "$OUT"
COBO_CREDENTIAL_NOW_OFFSET=100 cc token --min-valid 250
expect_eq "100 s later, --min-valid 250: refreshed" "2 2 4" "$(stats)"
check "100 s later, --min-valid 250: a new token" test "$OUT" != "$TOK300"
cobo_server_ctl POST /_test/config '{"access_ttl":43200}' > /dev/null

# --- logout -------------------------------------------------------------------------------
cc logout
expect_eq "logout: exit 0" 0 "$RC"
expect_match "logout: says what went" "t: refresh token removed" "$OUT"
cc status --json
expect_eq "after logout: nothing cached" "False False" "$(printf '%s' "$OUT" | py \
	'str(d["profiles"][0]["access_token"]["cached"]) + " " + str(d["profiles"][0]["refresh_token"]["present"])')"
cc logout
expect_match "logout twice: nothing to remove" "t: no cached tokens" "$OUT"
expect_eq "logout twice: still exit 0" 0 "$RC"
cc token
expect_eq "after logout: minted again" "3 2 5" "$(stats)"

# --- usage, not found, several profiles ------------------------------------------------------
cc token --format yaml
expect_eq "unknown format: usage" 64 "$RC"
cc token --min-valid soon
expect_eq "bad --min-valid: usage" 64 "$RC"
cc token --profile nope
expect_eq "unknown profile: not found" 66 "$RC"
expect_match "and what to do" "profile list" "$ERR"
cc bogus
expect_eq "unknown command: usage" 64 "$RC"
cc --version
expect_match "--version" "^cobo-credential [0-9]" "$OUT"
cc token --help
expect_match "token --help names the formats" "exec-credential" "$OUT"
ORG2=org-cli-two
cobo_server_register_app "$CLIENT_ID" "$PUB" "$ORG" "$ORG2" "org;touch $T_TMP/pwned" || exit 99
cc_in "$SEED" setup --name two "${SETUP[@]}" --org-id "$ORG2" --key-file - --no-verify
cc token
expect_eq "two profiles, none named: usage" 64 "$RC"
expect_match "lists them" "t, two" "$ERR"
COBO_CREDENTIAL_PROFILE=two cc token --format json
expect_eq "COBO_CREDENTIAL_PROFILE picks one" "$ORG2" "$(printf '%s' "$OUT" | py 'd["org_id"]')"

# --- a hostile org_id never loads: org ids are checked as the config is read -----------------
cp "$COBO_CREDENTIAL_CONFIG" "$T_TMP/good.conf"
cat >> "$COBO_CREDENTIAL_CONFIG" <<EOF
[profile evil]
base_url = $COBO_SERVER_URL
server_key = $COBO_SERVER_PUBKEY
ca_file = $COBO_SERVER_CA
client_id = $CLIENT_ID
org_id = org;touch $T_TMP/pwned
app_secret = file:$XDG_DATA_HOME/cobo-credential/keys/$CLIENT_ID.key
EOF
cc token --profile evil --format env
expect_eq "a hostile org_id: config error" 78 "$RC"
expect_eq "a hostile org_id: nothing on stdout" "" "$OUT"
expect_match "says where and why" "config:[0-9]*: .profile evil. org_id: 'org;touch" "$ERR"
cp "$T_TMP/good.conf" "$COBO_CREDENTIAL_CONFIG"
# (the env format's own refusal of a hostile org id: tests/cli/test_cli.c)
cobo_server_ctl POST /_test/fault "{\"mode\":\"wrong_type\",\"field\":\"access_token\",\"value\":\"AT_\$(touch $T_TMP/pwned)\",\"on\":\"token\"}" > /dev/null
cc logout --profile t
cc token --profile t --format env
expect_eq "a hostile access token from the server: env refused" 65 "$RC"
expect_eq "nothing on stdout" "" "$OUT"
expect_match "says why" "token holds characters that are not safe" "$ERR"
eval "$OUT"
check "nothing was executed" test ! -e "$T_TMP/pwned"

# --- denied and transient ----------------------------------------------------------------------
cobo_server_ctl POST /_test/fault/clear > /dev/null
read -r _ OTHERPUB < <(cobo_server_keygen)
cobo_server_register_app "$CLIENT_ID" "$OTHERPUB" "$ORG" "$ORG2" > /dev/null
cc logout --all
cc token --profile t
expect_eq "app key no longer registered: denied" 77 "$RC"
cobo_server_register_app "$CLIENT_ID" "$PUB" "$ORG" "$ORG2" > /dev/null
cc token --profile t
expect_eq "registered again: exit 0" 0 "$RC"
cobo_server_stop
cc token --profile t
expect_eq "server gone, token cached: still answered" 0 "$RC"
cc logout --profile t
cc token --profile t
expect_eq "server gone, nothing cached: transient" 75 "$RC"

t_done
