#!/bin/bash
# cli-api.sh - 'cobo-credential sign' with a real curl, and 'cobo-credential
# api', against the Cobo test server's resource endpoints: any /v2/ path but
# the token endpoint wants the bearer AND a Biz-Api signature by the token's
# app key, and echoes what arrived ({method, path, query, body_sha256,
# org_id}), so each check proves the bytes went through unchanged: GET with
# a query holding '+', %2B and encoded spaces, POST and PUT with UTF-8 JSON
# bodies, DELETE.  Then the refusals (origin rule, base path, dot segments,
# fragments: nothing printed, exit 64), --format json, --include, the exit
# code and stderr line of an HTTP error, one refresh and one retry for a
# token the server dropped, and no retry for a 401 a new token cannot cure.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"

cli_profile_t

sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
# echoed JSON -> "METHOD PATH QUERY SHA ORG"
echoed() { py '" ".join([d["method"], d["path"], d["query"], d["body_sha256"], d["org_id"]])'; }
CURL=(curl -sS --cacert "$COBO_SERVER_CA")
Q='name=my+wallet%20one&plus=%2B1&raw=a+b&empty='
UTF8='{"name":"Zoë 钱包 ✓","note":"a+b %2B c\"q\"","n":[1,2.5,null]}'
printf '%s' "$UTF8" > "$T_TMP/utf8.json"
EMPTY=$(sha "")

# --- sign: four header lines, nothing else ---------------------------------------------
cc sign "$COBO_SERVER_URL/wallets?$Q"
expect_eq "sign: exit 0" 0 "$RC"
expect_eq "sign: four lines" 4 "$(printf '%s\n' "$OUT" | wc -l)"
expect_match "sign: Authorization first" '^Authorization: Bearer AT_[A-Za-z0-9_-]+$' "$(printf '%s\n' "$OUT" | sed -n 1p)"
expect_eq "sign: Biz-Api-Key is the app's public key" "Biz-Api-Key: $PUB" "$(printf '%s\n' "$OUT" | sed -n 2p)"
expect_match "sign: Biz-Api-Nonce in unix ms" '^Biz-Api-Nonce: [0-9]{13}$' "$(printf '%s\n' "$OUT" | sed -n 3p)"
expect_match "sign: Biz-Api-Signature, 128 hex" '^Biz-Api-Signature: [0-9a-f]{128}$' "$(printf '%s\n' "$OUT" | sed -n 4p)"
expect_eq "sign: nothing on stderr" "" "$ERR"

# --- sign | curl -H @-: each method, bytes checked by the server's echo -----------------
GOT=$("$CC" sign "$COBO_SERVER_URL/wallets?$Q" | "${CURL[@]}" -H @- "$COBO_SERVER_URL/wallets?$Q")
expect_eq "sign | curl: GET, query with '+', %2B, %20 and an empty value" \
	"GET /v2/wallets $Q $EMPTY $ORG" "$(printf '%s' "$GOT" | echoed)"
GOT=$("$CC" sign wallets 2>&1)
expect_match "sign: a bare word is refused" 'refusing' "$GOT"
GOT=$("$CC" sign "/wallets?limit=10" | "${CURL[@]}" -H @- "$COBO_SERVER_URL/wallets?limit=10")
expect_eq "sign | curl: a PATH relative to base_url" \
	"GET /v2/wallets limit=10 $EMPTY $ORG" "$(printf '%s' "$GOT" | echoed)"
GOT=$("$CC" sign --body "$T_TMP/utf8.json" "$COBO_SERVER_URL/wallets" |
	"${CURL[@]}" -H @- -H 'Content-Type: application/json' --data-binary "@$T_TMP/utf8.json" \
		"$COBO_SERVER_URL/wallets")
expect_eq "sign | curl: POST (the default with --body), a UTF-8 JSON body" \
	"POST /v2/wallets  $(sha "$UTF8") $ORG" "$(printf '%s' "$GOT" | echoed)"
GOT=$(printf '%s' "$UTF8" | "$CC" sign --method PUT --body - "$COBO_SERVER_URL/wallets/w1" |
	"${CURL[@]}" -X PUT -H @- -H 'Content-Type: application/json' --data-binary "@$T_TMP/utf8.json" \
		"$COBO_SERVER_URL/wallets/w1")
expect_eq "sign | curl: PUT, the body from stdin" \
	"PUT /v2/wallets/w1  $(sha "$UTF8") $ORG" "$(printf '%s' "$GOT" | echoed)"
GOT=$("$CC" sign --method delete "$COBO_SERVER_URL/wallets/w1?force=true" |
	"${CURL[@]}" -X DELETE -H @- "$COBO_SERVER_URL/wallets/w1?force=true")
expect_eq "sign | curl: DELETE (the method upper-cased)" \
	"DELETE /v2/wallets/w1 force=true $EMPTY $ORG" "$(printf '%s' "$GOT" | echoed)"
GOT=$("$CC" sign "$COBO_SERVER_URL/wallets?a=1" | "${CURL[@]}" -H @- "$COBO_SERVER_URL/wallets?a=2")
expect_match "sign | curl: another query than the signed one is refused" '"error_code": ?202[34]' "$GOT"
expect_eq "sign: no token call after setup's" "1 0 1" "$(stats)"

# --- --format json ----------------------------------------------------------------------
cc sign --format json "/wallets"
expect_eq "sign --format json: exit 0" 0 "$RC"
expect_eq "sign --format json: the four names" \
	"Authorization Biz-Api-Key Biz-Api-Nonce Biz-Api-Signature" \
	"$(printf '%s' "$OUT" | py '" ".join(sorted(d))')"
expect_eq "sign --format json: the key" "$PUB" "$(printf '%s' "$OUT" | py 'd["Biz-Api-Key"]')"

# --- refusals: one line, nothing on stdout, exit 64 ---------------------------------------
HOSTPORT=${COBO_SERVER_ORIGIN#https://}
for bad in "https://evil.example/v2/wallets" "http://$HOSTPORT/v2/wallets" \
	"https://localhost:${HOSTPORT#*:}/v2/wallets" "https://$HOSTPORT/v2evil/x" \
	"https://$HOSTPORT/x" "https://$HOSTPORT/v2/../x" "https://$HOSTPORT/v2/%2e%2e/x" \
	"https://u@$HOSTPORT/v2/x" "https://$HOSTPORT/v2/x#frag" "/wallets/../../x" \
	"//evil.example/v2/x" "https://$HOSTPORT/v2//x" "/a%2fb"; do
	cc sign "$bad"
	expect_eq "sign $bad: exit 64" 64 "$RC"
	expect_eq "sign $bad: nothing printed" "" "$OUT"
	expect_eq "sign $bad: one line on stderr" 1 "$(printf '%s\n' "$ERR" | wc -l)"
	cc api "$bad"
	expect_eq "api $bad: exit 64" 64 "$RC"
done
cc sign --format yaml /x
expect_eq "sign --format yaml: usage error" 64 "$RC"
cc sign
expect_eq "sign with no URL: usage error" 64 "$RC"
cc sign --method 'GE T' /x
expect_eq "sign --method 'GE T': usage error" 64 "$RC"
cc sign --body "$T_TMP/nonexistent" /x
expect_eq "sign --body with no such file: exit 66" 66 "$RC"
head -c $((8 * 1024 * 1024 + 1)) /dev/zero > "$T_TMP/big"
cc sign --body "$T_TMP/big" /x
expect_eq "sign --body over 8 MiB: exit 65" 65 "$RC"
expect_eq "sign --body over 8 MiB: nothing printed" "" "$OUT"

# --- api: each method, the echo printed -------------------------------------------------
cc api "/wallets?$Q"
expect_eq "api GET: exit 0" 0 "$RC"
expect_eq "api GET: the echo" "GET /v2/wallets $Q $EMPTY $ORG" "$(printf '%s' "$OUT" | echoed)"
cc api --body "$T_TMP/utf8.json" "$COBO_SERVER_URL/wallets"
expect_eq "api POST: the echo" "POST /v2/wallets  $(sha "$UTF8") $ORG" "$(printf '%s' "$OUT" | echoed)"
cc_in "$UTF8" api --method PUT --body - /wallets/w1
expect_eq "api PUT (stdin): the echo" "PUT /v2/wallets/w1  $(sha "$UTF8") $ORG" "$(printf '%s' "$OUT" | echoed)"
cc api --method DELETE "/wallets/w1?force=true"
expect_eq "api DELETE: the echo" "DELETE /v2/wallets/w1 force=true $EMPTY $ORG" "$(printf '%s' "$OUT" | echoed)"
cc api --include /wallets
expect_match "api --include: the status line first" '^HTTP/1\.[01] 200' "$(printf '%s\n' "$OUT" | sed -n 1p)"
expect_match "api --include: Cobo's signature header" 'Biz-Resp-Signature: [0-9a-f]{128}' "$OUT"
expect_eq "api: no token call after setup's" "1 0 1" "$(stats)"

# --- api: an HTTP error: its status and Cobo's error on stderr --------------------------
cobo_server_ctl POST /_test/fault '{"mode":"status","status":400,"body":{"error_code":2006,"error_message":"bad wallet_id"}}' >/dev/null
cc api /wallets/x
expect_eq "api, HTTP 400: exit 65" 65 "$RC"
expect_eq "api, HTTP 400: one line with the status, code and message" \
	"cobo-credential: HTTP 400: error 2006: bad wallet_id" "$ERR"
cobo_server_ctl POST /_test/fault '{"mode":"status","status":503}' >/dev/null
cc api /wallets/x
expect_eq "api, HTTP 503: exit 75" 75 "$RC"
cobo_server_ctl POST /_test/fault '{"mode":"no_signature"}' >/dev/null
cc api /wallets
expect_eq "api, an unsigned answer: not printed" "" "$OUT"
expect_match "api, an unsigned answer: refused" "without Cobo's response signature" "$ERR"
check "api, an unsigned answer: a non-zero exit" test "$RC" -ne 0
cobo_server_ctl POST /_test/fault '{"mode":"bad_signature"}' >/dev/null
cc api /wallets
expect_eq "api, a forged signature: not printed" "" "$OUT"
expect_match "api, a forged signature: refused" "does not verify" "$ERR"

# --- a token the server dropped: one refresh, one retry ---------------------------------
cc token
OLD=$OUT
cobo_server_ctl POST /_test/expire "{\"org_id\":\"$ORG\",\"kind\":\"access\"}" >/dev/null
cc api /wallets
expect_eq "api, token expired at the server: exit 0 after one retry" 0 "$RC"
expect_eq "api, token expired at the server: one refresh, no mint" "1 1 2" "$(stats)"
cc token
check "api, token expired at the server: the cache holds the new token" test "$OUT" != "$OLD"
cobo_server_ctl POST /_test/revoke "{\"org_id\":\"$ORG\",\"access\":true}" >/dev/null
cc api /wallets
expect_eq "api, tokens revoked: exit 0" 0 "$RC"
expect_eq "api, tokens revoked: one refresh (refused, counted), one mint" "2 2 4" "$(cobo_server_stats "$ORG" mint refresh total)"

# --- a 401 a new token cannot cure (another app key): no refresh, no retry -------------
read -r _ PUB2 < <(cobo_server_keygen)
cobo_server_register_app "$CLIENT_ID" "$PUB2" "$ORG" || exit 99
cc api /wallets
expect_eq "api, the key no longer the app's: exit 77" 77 "$RC"
expect_match "api, the key no longer the app's: Cobo's error" 'HTTP 401: error 202[34]' "$ERR"
expect_eq "api, the key no longer the app's: no token call" "2 2 4" "$(cobo_server_stats "$ORG" mint refresh total)"

t_done
