#!/bin/bash
# proxy-tcp.sh - cobo-credential proxy --listen on loopback TCP: the key
# file (0600, path announced on stdout), every request without the key or
# with a wrong one (each position flipped, a prefix, the key plus a byte)
# refused 403 with nothing sent upstream, the right key served (and the
# Cobo-Proxy-Key header never forwarded); non-loopback addresses refused
# at start; the key file removed at exit.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/proxy.sh"

proxy_setup
for a in 0.0.0.0:0 10.0.0.1:0 "[::]:0" localhost:0 127.0.0.1 127.0.0.1:99999; do
	cc proxy --listen "$a"
	expect_eq "--listen $a: refused at start, exit 64, one line" "64 1" "$RC $(printf '%s\n' "$ERR" | wc -l)"
done
cc proxy --listen 127.0.0.1:0 --socket /x
expect_eq "--listen with --socket: exit 64" 64 "$RC"
for bad in --bogus "--timeout 0" "--max-body x" extra; do
	cc proxy $bad
	expect_eq "proxy $bad: exit 64, one line" "64 1" "$RC $(printf '%s\n' "$ERR" | wc -l)"
done

proxy_start --listen 127.0.0.1:0
expect_match "announces http://127.0.0.1:PORT" '^http://127\.0\.0\.1:[0-9]+$' "$PROXY_URL"
expect_match "announces the key file in the runtime dir" "^$XDG_RUNTIME_DIR/cobo-credential/proxy-[0-9]+\.key$" "$PROXY_KEYFILE"
expect_eq "key file is 0600" 600 "$(mode "$PROXY_KEYFILE")"
KEY=$(cat "$PROXY_KEYFILE")
expect_match "the key: 64 hex from the OS RNG" '^[0-9a-f]{64}$' "$KEY"

# tc KEY-HEADER-ARGS...: curl over TCP; CODE and BODY.
tc() {
	CODE=$(curl -sS -o "$T_TMP/tc.body" -w '%{http_code}' "$@" "$PROXY_URL/v2/wallets?x=1" 2> "$T_TMP/tc.err")
	t_slurp BODY "$T_TMP/tc.body"
}
BEFORE="$(resources) $(log_lines)"
tc
expect_eq "no key: 403 bad_proxy_key" "403 bad_proxy_key" "$CODE $(jf "$BODY" error)"
tc -H "Cobo-Proxy-Key: "
expect_eq "empty key: 403" 403 "$CODE"
tc -H "Cobo-Proxy-Key: ${KEY:0:63}"
expect_eq "a prefix of the key: 403" 403 "$CODE"
tc -H "Cobo-Proxy-Key: ${KEY}0"
expect_eq "the key plus a byte: 403" 403 "$CODE"
tc -H "Cobo-Proxy-Key: $(printf '%s' "$KEY" | tr 'a-f0-9' 'A-F0-9')"
[ "$KEY" = "$(printf '%s' "$KEY" | tr 'a-f' 'A-F')" ] || expect_eq "the key in upper case: 403" 403 "$CODE"
n403=0
for ((i = 0; i < 64; i += 7)); do
	c=${KEY:i:1}
	[ "$c" = 0 ] && r=1 || r=0
	tc -H "Cobo-Proxy-Key: ${KEY:0:i}$r${KEY:i+1}"
	[ "$CODE" = 403 ] && n403=$((n403 + 1))
done
expect_eq "one hex digit changed (10 positions): 403 each" 10 "$n403"
expect_eq "refused keys: nothing reached the server" "$BEFORE" "$(resources) $(log_lines)"
tc -H "Cobo-Proxy-Key: $KEY"
expect_eq "the key: 200" 200 "$CODE"
expect_eq "the key: query as sent" x=1 "$(jf "$BODY" query)"
expect_eq "the key is not forwarded" "" "$(jf "$BODY" headers cobo-proxy-key)"
tc -H "Cobo-Proxy-Key: $KEY" -H "Authorization: Bearer x"
expect_eq "the key does not let a client's Authorization through: 400" 400 "$CODE"

proxy_stop
expect_eq "SIGTERM: exit 0" 0 "$PROXY_RC"
check "the key file is removed at exit" test ! -e "$PROXY_KEYFILE"
t_done
