#!/bin/bash
# oauth-threads.sh - cobocred_transport_send from 16 threads at once (the
# proxy's use): 128 signed requests, each answered with its own echo and a
# verified signature, one token minted for them all, and the connections
# to the server reused through the module's libcurl share handle (far
# fewer connections than requests).  Needs the signed resource endpoints
# of the test server (tests/server: any /v2/ path but the token endpoint).
. "$top_srcdir/tests/lib/oauth.sh"

THREADS="$top_builddir/tests/oauth/oauth-threads"
[ -x "$THREADS" ] || { echo "no $THREADS: build it with 'make check'"; exit 99; }
oauth_server_up
oauth_config

"$THREADS" p 16 8 > "$T_TMP/threads.out" 2> "$T_TMP/threads.err"
RC=$?
expect_eq "16 threads x 8 requests: every answer is its own, verified" "ok=128 bad=0" \
	"$(cat "$T_TMP/threads.out")"
expect_eq "exit 0" 0 "$RC"
[ "$RC" -eq 0 ] || head -n 5 "$T_TMP/threads.err"
expect_eq "one mint for all of them" 1 "$(stat_of total)"
# Each request line of the server log names its client's address:port.
LOG=$T_TMP/srv/server.log
REQS=$(grep -c ' GET /v2/wallets?thread=' "$LOG")
CONNS=$(grep ' GET /v2/wallets?thread=' "$LOG" | awk '{print $2}' | sort -u | wc -l)
expect_eq "the server saw 128 requests" 128 "$REQS"
check "connections reused: $CONNS connections for 128 requests (at most 2 per thread)" \
	test "$CONNS" -le 32
t_done
