#!/bin/bash
# proxy-socket.sh - cobo-credential proxy on its default unix socket, with
# real curl against the Cobo test server (which requires the bearer and the
# app-key signature on every resource call and echoes what arrived):
# GET with a query of spaces and '+', POST/PUT with UTF-8 JSON, DELETE,
# bytes unchanged; the socket 0600 in a 0700 directory; a client's own
# Authorization / Biz-* refused and its other headers not forwarded;
# absolute-form, CONNECT, other paths and the token endpoint refused with
# nothing sent upstream; Cobo-Org; 64 concurrent clients and no token
# call; a token the server stopped taking recovered with one refresh for
# 16 concurrent requests; oversized and slow clients cut off; the access
# log without secrets; SIGTERM drains a request in flight; SIGHUP reloads.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/proxy.sh"

proxy_setup
proxy_start --access-log --timeout 2
expect_match "announces the default socket" "^unix:$XDG_RUNTIME_DIR/cobo-credential/proxy.sock$" "$PROXY_WHERE"
expect_eq "socket is 0600" 600 "$(mode "$PROXY_SOCK")"
expect_eq "its directory is 0700" 700 "$(mode "$(dirname "$PROXY_SOCK")")"

# --- requests arrive unchanged ---------------------------------------------------
pc "/v2/wallets?limit=10&q=a+b%20c%2B"
expect_eq "GET: 200" 200 "$CODE"
expect_eq "GET: path as sent" /v2/wallets "$(jf "$BODY" path)"
expect_eq "GET: query byte for byte" "limit=10&q=a+b%20c%2B" "$(jf "$BODY" query)"
expect_eq "GET: the profile's org" "$ORG" "$(jf "$BODY" org_id)"
expect_eq "GET: bearer sent by the proxy" present "$(jf "$BODY" headers authorization)"
printf '{"name":"caf\xc3\xa9 \xe2\x82\xac","n":1}' > "$T_TMP/body.json"
SUM=$(sha256sum < "$T_TMP/body.json" | cut -d' ' -f1)
for m in POST PUT; do
	pc /v2/wallets/w-1 -X "$m" --data-binary @"$T_TMP/body.json"
	expect_eq "$m: 200" 200 "$CODE"
	expect_eq "$m: method" "$m" "$(jf "$BODY" method)"
	expect_eq "$m: UTF-8 body byte for byte (sha256)" "$SUM" "$(jf "$BODY" body_sha256)"
done
pc /v2/wallets/w-1 -X DELETE
expect_eq "DELETE: 200 DELETE" "200 DELETE" "$CODE $(jf "$BODY" method)"

# --- the client's headers -----------------------------------------------------------
pc /v2/wallets -H 'X-Custom: leak' -H 'User-Agent: client/1' -H 'Cobo-Org-Id: x' \
	-H 'Forwarded: for=1.2.3.4' -H 'X-Forwarded-For: 1.2.3.4'
expect_eq "other headers: 200" 200 "$CODE"
HDRS=$(jf "$BODY" headers)
expect_eq "other headers: none forwarded" "" "$(printf '%s' "$HDRS" | grep -oiE "x-custom|client/1|cobo-org-id|forwarded|1\.2\.3\.4")"
BEFORE="$(resources) $(log_lines)"
for h in "Authorization: Bearer AT_mine" "authorization: Basic eA==" "Proxy-Authorization: x" \
	"Biz-Api-Key: 00" "biz-api-signature: 00" "BIZ-API-NONCE: 1" "Biz-Resp-Signature: 0" "Cookie: a=b"; do
	pc /v2/wallets -H "$h"
	expect_eq "refused client header '${h%%:*}': 400 forbidden_header" "400 forbidden_header" \
		"$CODE $(jf "$BODY" error)"
done
expect_eq "refused headers: nothing reached the server" "$BEFORE" "$(resources) $(log_lines)"

# --- confinement over the wire (generated: every rule with real curl) ---------------
while read -r want method target; do
	CODE=$(curl -sS --unix-socket "$PROXY_SOCK" --path-as-is -o "$T_TMP/c.body" -w '%{http_code}' \
		-X "$method" --request-target "$target" http://cobo/ 2> "$T_TMP/c.err")
	t_slurp BODY "$T_TMP/c.body"
	expect_eq "$method $target: $want with a JSON error" "$want yes" \
		"$CODE $([ -n "$(jf "$BODY" error)" ] && echo yes)"
done <<'LIST'
400 GET http://127.0.0.1:1/v2/wallets
400 GET https://api.dev.cobo.com/v2/wallets
405 CONNECT 127.0.0.1:443
405 CONNECT /v2/wallets
405 OPTIONS /v2/wallets
405 TRACE /v2/wallets
405 HEAD /v2/wallets
404 GET /v1/wallets
404 GET /
404 GET /v2x/wallets
404 GET /v2/../v1/x
404 GET /v2/./wallets
404 GET /v2/%2e%2e/oauth/token
404 GET /v2/wallets%2f..%2f..
404 GET //evil.example/v2/wallets
403 GET /v2/oauth/token?client_id=c&org_id=o&grant_type=org_implicit
403 POST /v2/oauth/token
400 GET /v2/wal\lets
400 GET /v2/wallets?q=%zz
LIST
expect_eq "confinement: nothing reached the server" "$BEFORE" "$(resources) $(log_lines)"

# --- org ------------------------------------------------------------------------------
pc /v2/wallets -H "Cobo-Org: $ORG"
expect_eq "Cobo-Org of the profile: 200 for it" "200 $ORG" "$CODE $(jf "$BODY" org_id)"
BEFORE="$(resources) $(log_lines)"
pc /v2/wallets -H "Cobo-Org: org-not-mine"
expect_eq "Cobo-Org the profile does not serve: 403" "403 org_not_served" "$CODE $(jf "$BODY" error)"
pc /v2/wallets -H "Cobo-Org: $ORG" -H "Cobo-Org: $ORG"
expect_eq "two Cobo-Org headers: 400" 400 "$CODE"
expect_eq "org refusals: nothing reached the server" "$BEFORE" "$(resources) $(log_lines)"

# --- 64 concurrent clients while the token is valid: no token call -------------------
PIDS=()
cobo_server_ctl POST /_test/stats/reset >/dev/null
for i in $(seq 1 64); do
	curl -sS --unix-socket "$PROXY_SOCK" -o /dev/null -w '%{http_code}\n' \
		"http://cobo/v2/wallets?client=$i" > "$T_TMP/conc.$i" 2>&1 &
	PIDS+=($!)
done
wait "${PIDS[@]}"
expect_eq "64 concurrent clients: 64 x 200" 64 "$(cat "$T_TMP"/conc.* | grep -cx 200)"
expect_eq "64 concurrent clients: 64 resource calls, no mint, no refresh" "64 0 0" \
	"$(resources) $(cobo_server_stats "$ORG" mint refresh)"

# --- the server stops taking the token: one refresh for 16 concurrent requests --------
cobo_server_ctl POST /_test/expire "{\"org_id\":\"$ORG\",\"kind\":\"access\"}" >/dev/null
cobo_server_ctl POST /_test/stats/reset >/dev/null
PIDS=()
for i in $(seq 1 16); do
	curl -sS --unix-socket "$PROXY_SOCK" -o /dev/null -w '%{http_code}\n' \
		"http://cobo/v2/wallets?after401=$i" > "$T_TMP/ref.$i" 2>&1 &
	PIDS+=($!)
done
wait "${PIDS[@]}"
expect_eq "token rejected: all 16 answered 200 after the retry" 16 "$(cat "$T_TMP"/ref.* | grep -cx 200)"
expect_eq "token rejected: exactly one refresh, no mint" "0 1" "$(cobo_server_stats "$ORG" mint refresh)"
pc /v2/wallets
expect_eq "the refreshed token serves the next request, no token call" "200 0 1" \
	"$CODE $(cobo_server_stats "$ORG" mint refresh)"

# --- bounds: body, headers, slow clients --------------------------------------------------
BEFORE="$(resources) $(log_lines)"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' a > "$T_TMP/big"
pc /v2/wallets -X POST --data-binary @"$T_TMP/big"
expect_eq "body over 1 MiB (Content-Length): 413 JSON" "413 body_too_large" "$CODE $(jf "$BODY" error)"
pc /v2/wallets -X POST -H 'Transfer-Encoding: chunked' --data-binary @"$T_TMP/big"
expect_eq "body over 1 MiB (chunked): 413 JSON" "413 body_too_large" "$CODE $(jf "$BODY" error)"
pc /v2/wallets -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' b)"
expect_eq "headers over 16 KiB: 431 JSON" "431 headers_too_large" "$CODE $(jf "$BODY" error)"
# A client that sends its headers byte by byte and stalls is cut off after the
# 2 s --timeout: the bound is the behaviour, asserted with a 5x margin.
SLOW=$("$PYTHON" - "$PROXY_SOCK" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
for b in b"GET /v2/wallets HTTP/1.1\r\nHost: cobo\r\nX-Slow: 1":
    s.send(bytes([b]))
t0 = time.monotonic(); s.settimeout(10)
try:
    data = s.recv(4096)
except socket.timeout:
    print("still open after 10 s"); sys.exit()
print("closed" if data == b"" else "answered %r" % data[:40], "%.0f" % (time.monotonic() - t0))
PY
)
expect_match "slow client: cut off by the timeout (within 10 s)" '^closed [0-9]+$' "$SLOW"
expect_eq "oversized and slow clients: nothing reached the server" "$BEFORE" "$(resources) $(log_lines)"

# --- the token is cached in the proxy: no store read per request, so even a
# logout's emptied stores do not reach it (a 401, its expiry window or SIGHUP do) --
cobo_server_ctl POST /_test/stats/reset >/dev/null
cc logout --profile t
expect_eq "logout: exit 0" 0 "$RC"
pc /v2/wallets
expect_eq "in-process cache: served after the stores were emptied, no token call" "200 0 0" \
	"$CODE $(cobo_server_stats "$ORG" mint refresh)"

# --- SIGTERM drains a request in flight -----------------------------------------------------
cobo_server_ctl POST /_test/fault '{"mode":"hold","on":"resource"}' >/dev/null
curl -sS --unix-socket "$PROXY_SOCK" -o "$T_TMP/held.body" -w '%{http_code}' \
	"http://cobo/v2/wallets?held=1&secret=s3cr3t" > "$T_TMP/held.code" 2>&1 &
HELD=$!
cobo_server_held_wait 1 || fail "the held request did not reach the server"
kill -HUP "$PROXY_PID"
kill -TERM "$PROXY_PID"
cobo_server_release || fail "release"
wait "$HELD"
t_slurp BODY "$T_TMP/held.body"
expect_eq "the request in flight at SIGTERM is answered" "200 held=1&secret=s3cr3t" \
	"$(cat "$T_TMP/held.code") $(jf "$BODY" query)"
wait "$PROXY_PID"
expect_eq "SIGTERM: exit 0 after the drain" 0 "$?"
check "SIGTERM: the socket is removed" test ! -e "$PROXY_SOCK"
t_slurp LOG "$T_TMP/proxy.err"
expect_match "SIGHUP: configuration reloaded" "SIGHUP: configuration reloaded" "$LOG"
expect_match "access log: method path status ms" "^GET /v2/wallets 200 [0-9]+ms$" \
	"$(grep -m1 '^GET /v2/wallets 200' "$T_TMP/proxy.err")"
expect_match "access log: refusals logged too" "^GET /v2/oauth/token 403 " "$(grep '/oauth/' "$T_TMP/proxy.err")"
case $LOG in
*AT_* | *RT_* | *s3cr3t* | *after401* | *"$SEED"*) fail "access log: a token, secret or query leaked" ;;
*) pass "access log: no token, no signature, no query" ;;
esac
t_done
