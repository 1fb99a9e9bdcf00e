#!/bin/bash
# lifecycle-faults.sh - the token lifecycle when things break, with real
# parts (git-credential-cobo, the real keyring and file modules, cobo-oauth
# over HTTPS against the Cobo test server):
#  - the server fails (500, refused refresh and failed mint, hangs, is down)
#    while the cached token is inside its refresh window: the helper still
#    answers the cached token, exit 0, quietly; tracing notes the failure;
#  - a helper is killed (-9) at each point of a refresh: blocked in the
#    request while holding the lock, after the server answered but before
#    anything is stored, after the new refresh token is stored but before
#    the access token; the reply is lost on the way.  The next call recovers
#    without user action, and is never blocked by the dead helper's lock.
# Events are ordered with barriers, not sleeps: the server holds a request
# until the test releases it ('hold' fault), the test waits on the server's
# counters and on the helper's trace; a wall-clock bound is kept only where
# a timeout is the behaviour under test, with a wide margin.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

keyring_start || { echo "FAIL - keyring_start"; exit 1; }
lc_server_up
set_ttl 3600 # refresh window 360 s: at +3300 a token is stale but valid, at +3700 expired
STALE=3300
EXPIRED=3700
use_keyring() { lc_config "keyring cobo-oauth" "keyring" "keyring" "$@"; }
use_keyring

at() { local o=$1; shift; lc_get COBO_CREDENTIAL_NOW_OFFSET="$o" "$@"; }
# fresh_token: a freshly minted token on the unshifted clock: AT0, RT0.
# One secret-tool run clears both kinds (the profile's items are its access
# and refresh token).  The same plain mint starts every scenario: the first
# is leak-checked, the repeats are not (ASan and UBSan stay on).
fresh_token() {
	backoff_over
	secret-tool clear base_url "$LC_URL" client_id "$CLIENT_ID" org_id "$ORG"
	rm -f "$STORE"
	t_leak_check_first fresh_token
	lc_get
	t_leak_check_all
	AT0=$TOKEN
	RT0=$(kr_lookup refresh)
	if [ "$RC" != 0 ] || [ -z "$AT0" ] || [ -z "$RT0" ]; then fail "fresh token: rc=$RC err=$ERR"; fi
	S0=$(stats)
}
# delta: server counters since fresh_token (or mark): "mint refresh total failed".
mark() { S0=$(stats); }
delta() {
	local a b
	read -r -a a <<<"$S0"
	read -r -a b <<<"$(stats)"
	echo "$((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2])) $((b[3] - a[3]))"
}
# delta3: delta's first three counters, "mint refresh total" (no cut process).
delta3() { local d; d=$(delta); echo "${d% *}"; }
# nlines TEXT: its lines, as printf '%s\n' TEXT | wc -l counts them.
nlines() { local nl=${1//[!$'\n']/}; echo $((${#nl} + 1)); }
no_token_in() { # DESC TEXT
	case $2 in *AT_*|*RT_*) fail "$1: a token value is in the text" ;; *) pass "$1" ;; esac
}
# trace_count FILE TEXT: how many lines of the trace have TEXT.
trace_count() { grep -c -- "$2" "$1" 2>/dev/null || true; }
# The per-credential lock file of the profile (one credential in this test).
mint_lock() { ls "$XDG_RUNTIME_DIR"/cobo-credential/mint-*.lock 2>/dev/null | head -n 1; }
lock_held() { local l; l=$(mint_lock); [ -n "$l" ] && ! flock -n "$l" true; }
lock_free() { local l; l=$(mint_lock); [ -n "$l" ] && flock -n "$l" true; }
ms_since() { echo $(($(ms) - $1)); }

# --- 4. the server fails while the cached token is still valid -----------------
fresh_token
fault '{"mode":"status","status":500,"on":"refresh"}'
at $STALE
expect_eq "refresh answered 500: the cached token, exit 0, stderr empty" "$AT0|0|" \
	"$TOKEN|$RC|$ERR"
expect_eq "refresh answered 500: one refresh tried, failed" "0 1 1 1" "$(delta)"
expect_eq "refresh answered 500: the cached token is kept" "$AT0" "$(kr_lookup access)"
expect_eq "refresh answered 500: the refresh token is kept, still valid" "$RT0 true" \
	"$(kr_lookup refresh) $(cobo_server_field "$(refresh_info "$RT0")" valid)"

fault '{"mode":"status","status":500,"on":"refresh"}'
at $STALE COBO_CREDENTIAL_TRACE=1
expect_eq "traced: the cached token, exit 0" "$AT0|0" "$TOKEN|$RC"
expect_match "traced: the failed refresh is noted" \
	"refresh did not succeed \(.*\); answering the cached token, valid [0-9]+ s more" "$ERR"
expect_match "traced: with the server's status" "HTTP 500" "$ERR"
no_token_in "traced: no token value in the trace" "$ERR"

mark
fault '{"mode":"status","status":400,"on":"refresh"}'
fault '{"mode":"status","status":503,"on":"mint"}'
at $STALE
expect_eq "refresh refused and mint 503: the cached token, exit 0, quiet" "$AT0|0|" \
	"$TOKEN|$RC|$ERR"
expect_eq "refresh refused and mint 503: one POST and one GET, both failed" "1 1 2 2" "$(delta)"
expect_eq "refresh refused and mint 503: the cached token is kept" "$AT0" "$(kr_lookup access)"

mark
fault '{"mode":"status","status":500,"count":-1,"on":"token"}'
at $EXPIRED
expect_eq "expired and the server fails: exit 0, no output (git asks the user)" "0|" "$RC|$OUT"
expect_match "expired and the server fails: one line naming the profile" \
	"^git-credential-cobo: no Cobo access token for profile 'lc', org [^:]*: " "$ERR"
expect_eq "expired and the server fails: exactly one line" 1 "$(nlines "$ERR")"
no_token_in "expired and the server fails: no token in the message" "$ERR"
cobo_server_ctl POST /_test/fault/clear >/dev/null
backoff_over
at $STALE
AT1=$TOKEN
check "server back: the next call refreshes" test -n "$AT1" -a "$AT1" != "$AT0"
expect_eq "server back: valid" true "$(token_valid "$AT1")"

# 32 helpers in the refresh window while every refresh fails: each answers
# the cached token, and only the first asks the server: the core notes the
# failure, and the holders after it answer the valid token for 30 s.
fresh_token
fault '{"mode":"status","status":500,"count":-1,"on":"token"}'
d="$T_TMP/failstorm" P=()
mkdir -p "$d"
lc_storm_hold "$d"
# The first 8 helpers are leak-checked; the other 24 take the same two
# paths (the one refresh, or the cached token answered after it), with ASan
# and UBSan and no leak check.
for ((i = 0; i < 32; i++)); do
	case $i in 0 | 8) t_leak_check_first failstorm ;; esac # 0: checked; 8 on: not
	( lc_storm_ready "$d"; lc_request ) |
		COBO_CREDENTIAL_NOW_OFFSET=$STALE COBO_CREDENTIAL_TRACE="$d/trace.$i" "$HELPER" get \
		> "$d/out.$i" 2> "$d/err.$i" &
	P+=($!)
done
t_leak_check_all
T=$(ms)
lc_storm_go "$d" 32
OK=0
for p in "${P[@]}"; do wait "$p" && OK=$((OK + 1)); done
EL=$(ms_since "$T")
expect_eq "failing server, 32 helpers: all exit 0 with an empty stderr" "32 0" \
	"$OK $(cat "$d"/err.* | wc -c)"
expect_eq "failing server, 32 helpers: all answer the cached token" "32 $AT0" \
	"$(sed -n 's/^password=//p' "$d"/out.* | sort | uniq -c | xargs)"
read -r _ NREF _ NFAIL <<<"$(delta)"
expect_eq "failing server, 32 helpers: one refresh attempt in all (then backoff)" "1 1" \
	"$NREF $NFAIL"
# Not blocked behind each other: no helper's lock wait ran out (each would
# have waited 10 s for the lock, then answered the cached token all the same).
expect_eq "failing server, 32 helpers: none gave up waiting for the lock" 0 \
	"$(cat "$d"/trace.* | grep -c 'held by another process for over')"
echo "# failing server: 32 helpers made $NREF refresh requests in $EL ms"
cobo_server_ctl POST /_test/fault/clear >/dev/null
backoff_over

# A hung server: the profile's timeout bounds each request.  A refresh that
# went out and got no answer may have spent the refresh token, so the module
# mints at once; when the mint hangs too, the cached token is answered.
# The server holds the requests until the test releases them (never, while
# the helper runs): the helper answering at all shows it gave up on them.
# The wall-clock bounds are the behaviour: at least the 1 s timeout per
# request, and well under the default timeout (20 s) that would apply if the
# profile's were ignored: 15 s, over 5 times what the timeouts take.
fresh_token
use_keyring "timeout = 1"
fault '{"mode":"hold","on":"refresh"}'
T=$(ms)
at $STALE COBO_CREDENTIAL_TRACE="$T_TMP/hang.trace"
EL=$(ms_since "$T")
expect_eq "refresh hangs: exit 0, quiet" "0|" "$RC|$ERR"
check "refresh hangs: a new token" test -n "$TOKEN" -a "$TOKEN" != "$AT0"
expect_eq "refresh hangs: minted after the refresh timed out" "true 1 1 2" \
	"$(token_valid "$TOKEN") $(delta3)"
expect_eq "refresh hangs: answered while the server still holds the refresh" 1 "$(held_count)"
expect_match "refresh hangs: the trace says the 1 s timeout ended it" \
	"no answer from 127\.0\.0\.1:[0-9]+ within 1 s" "$(<"$T_TMP/hang.trace")"
check "refresh hangs: after the 1 s timeout, not the default 20 s ($EL ms, bound 15 s)" \
	test "$EL" -ge 1000 -a "$EL" -lt 15000
release

fresh_token
fault '{"mode":"hold","count":2,"on":"token"}'
T=$(ms)
at $STALE COBO_CREDENTIAL_TRACE="$T_TMP/hang2.trace"
EL=$(ms_since "$T")
expect_eq "refresh and mint hang: the cached token, exit 0, quiet" "$AT0|0|" "$TOKEN|$RC|$ERR"
expect_eq "refresh and mint hang: one refresh and one mint, both still held when answered" \
	"1 1 2|2" "$(delta3)|$(held_count)"
expect_eq "refresh and mint hang: the trace shows the two requests timed out" "1 1" \
	"$(trace_count "$T_TMP/hang2.trace" "POST .*: no answer (curl 28") $(trace_count "$T_TMP/hang2.trace" "GET .*: no answer (curl 28")"
check "refresh and mint hang: after two 1 s timeouts, not the default 20 s ($EL ms, bound 15 s)" \
	test "$EL" -ge 2000 -a "$EL" -lt 15000
expect_eq "refresh and mint hang: the cached token is kept" "$AT0" "$(kr_lookup access)"
use_keyring
release # the hung requests complete on the server: RT0 spent, their tokens lost
expect_eq "after the hang: the server spent the old refresh token" true \
	"$(cobo_server_field "$(refresh_info "$RT0")" used)"
backoff_over
at $STALE
expect_eq "after the hang: exit 0, quiet, a valid new token" "0||true" \
	"$RC|$ERR|$(token_valid "$TOKEN")"
expect_eq "after the hang: the spent refresh token is refused, then a mint" "2 2 4" \
	"$(delta3)"

# A refresh slower than the waiters' patience: the server holds the
# refresher's request (the profile's timeout is 60 s, so it waits) while four
# more helpers ask for the same stale token.  Each waits 10 s for the lock
# (the bound for a helper with a valid token in hand), then answers the
# cached token, exit 0, quietly, and its trace says why; none asks the
# server.  Released, the refresher answers the new token.  On a loaded
# machine the storms meet this case: lc_storm_answers accepts it there, by
# the same trace line.
fresh_token
use_keyring "timeout = 60"
fault '{"mode":"hold","on":"refresh"}'
d="$T_TMP/slow-refresh" P=()
mkdir -p "$d"
slow_get() { # I: helper I, its answer in $d/out.I
	lc_request | COBO_CREDENTIAL_NOW_OFFSET=$STALE COBO_CREDENTIAL_TRACE="$d/trace" \
		"$HELPER" get > "$d/out.$1" 2> "$d/err.$1" &
	P+=($!)
}
slow_get 0
held_wait 1
for i in 1 2 3 4; do slow_get "$i"; done
OK=0
for i in 1 2 3 4; do wait "${P[$i]}" && OK=$((OK + 1)); done
expect_eq "slow refresh: the 4 waiters exit 0 while the server still holds the refresh" "4 1" \
	"$OK $(held_count)"
release
wait "${P[0]}" && OK=$((OK + 1))
lc_storm_answers "$d" "$AT0" "${P[@]}"
expect_eq "slow refresh: 4 waiters answer the cached token after their lock wait ran out" "4 0" \
	"$A_WAITED $A_BAD"
expect_eq "slow refresh: the refresher answers the new token, valid" "5 1 true" \
	"$OK $A_TOKENS $(token_valid "$A_TOKEN")"
expect_eq "slow refresh: all quiet; one refresh, no mint" "|0 1 1 0" "$(cat "$d"/err.*)|$(delta)"
use_keyring

# --- 6. kill -9 at the points of a refresh --------------------------------------
# (a) blocked in the request, holding the per-credential lock.
# The server holds the victim's refresh, unprocessed, until the test
# releases it: RT0 is still good when the next helper refreshes with it.
fresh_token
fault '{"mode":"hold","on":"refresh"}'
lc_request | COBO_CREDENTIAL_NOW_OFFSET=$STALE "$HELPER" get > /dev/null 2>&1 &
VICTIM=$!
held_wait 1
check "in the request: the helper holds the lock" lock_held
{ kill -9 "$VICTIM"; wait "$VICTIM"; } 2>/dev/null
check "killed: the kernel released its lock" lock_free
at $STALE COBO_CREDENTIAL_TRACE="$T_TMP/after-kill.trace"
AT1=$TOKEN
expect_eq "after kill -9 in the request: exit 0, quiet" "0|" "$RC|$ERR"
# Blocked by the dead helper's lock, it would have waited 10 s and answered
# the cached token (TRYAGAIN); it took the lock and refreshed instead.
expect_eq "after kill -9 in the request: took the lock, never waited out its timeout" "1 0" \
	"$(trace_count "$T_TMP/after-kill.trace" "locked mint-") $(trace_count "$T_TMP/after-kill.trace" "held by another process for over")"
check "after kill -9 in the request: a new token" test -n "$AT1" -a "$AT1" != "$AT0"
expect_eq "after kill -9 in the request: valid, by a refresh (no mint)" "true 0 2 2" \
	"$(token_valid "$AT1") $(delta3)"
RT1=$(kr_lookup refresh)
release # the dead helper's request goes on, with the spent RT0, and is refused
expect_eq "the dead helper's late request was refused" "0 2 2 1" "$(delta)"
expect_eq "... and did not spoil the stored refresh token" true \
	"$(cobo_server_field "$(refresh_info "$RT1")" valid)"
at $((STALE * 2))
expect_eq "the next refresh works with it" "0|0 3 3 1|true" "$RC|$(delta)|$(token_valid "$TOKEN")"

# (b) blocked in the request until the server has processed it: the new
# refresh token died with the helper, the old one is spent.
fresh_token
fault '{"mode":"hold","on":"refresh"}'
lc_request | COBO_CREDENTIAL_NOW_OFFSET=$STALE "$HELPER" get > /dev/null 2>&1 &
VICTIM=$!
held_wait 1
{ kill -9 "$VICTIM"; wait "$VICTIM"; } 2>/dev/null
release # the server processes it: RT0 spent, the new tokens go nowhere
expect_eq "the server spent the old refresh token" true "$(cobo_server_field "$(refresh_info "$RT0")" used)"
at $STALE
expect_eq "lost refresh token: exit 0, quiet" "0|" "$RC|$ERR"
check "lost refresh token: a new token" test -n "$TOKEN" -a "$TOKEN" != "$AT0"
expect_eq "lost refresh token: refused refresh, then a mint" "1 2 3 1" "$(delta)"
expect_eq "lost refresh token: the minted token is valid" true "$(token_valid "$TOKEN")"

# (c) the reply is lost: the server issued new tokens and spent the refresh
# token, the helper never saw them.  The module treats that refresh token as
# spent and mints at once.
fresh_token
fault '{"mode":"lost_reply","on":"refresh"}'
at $STALE
AT1=$TOKEN
expect_eq "lost reply: exit 0, quiet" "0|" "$RC|$ERR"
check "lost reply: a new token" test -n "$AT1" -a "$AT1" != "$AT0"
expect_eq "lost reply: minted at once, valid" "1 1 2 1 true" "$(delta) $(token_valid "$AT1")"
expect_eq "lost reply: the keyring holds the minted tokens" "$AT1 true" \
	"$(kr_lookup access) $(cobo_server_field "$(refresh_info "$(kr_lookup refresh)")" valid)"

# ... and when that mint fails too, the cached token is answered, and the
# next call recovers (the spent refresh token is refused, then a mint).
fresh_token
fault '{"mode":"lost_reply","on":"refresh"}'
fault '{"mode":"status","status":503,"on":"mint"}'
at $STALE
expect_eq "lost reply, mint fails: the cached token, exit 0, quiet" "$AT0|0|" "$TOKEN|$RC|$ERR"
expect_eq "lost reply, mint fails: the server spent the old refresh token" true \
	"$(cobo_server_field "$(refresh_info "$RT0")" used)"
mark
at $STALE
expect_eq "lost reply, within the backoff: the cached token, no request" "$AT0|0 0 0 0" \
	"$TOKEN|$(delta)"
backoff_over
at $STALE
AT1=$TOKEN
expect_eq "lost reply, next call: exit 0, quiet" "0|" "$RC|$ERR"
check "lost reply, next call: a new token" test -n "$AT1" -a "$AT1" != "$AT0"
expect_eq "lost reply, next call: refused refresh, then a mint" "1 1 2 1" "$(delta)"
expect_eq "lost reply, next call: valid" true "$(token_valid "$AT1")"

fresh_token
fault '{"mode":"lost_reply","on":"refresh"}'
fault '{"mode":"status","status":503,"count":-1,"on":"mint"}'
at $EXPIRED
expect_eq "lost reply, mint fails, token expired: exit 0, no output" "0|" "$RC|$OUT"
expect_match "lost reply, mint fails, token expired: one line on stderr" \
	"^git-credential-cobo: no Cobo access token for profile 'lc', org [^:]*: " "$ERR"
cobo_server_ctl POST /_test/fault/clear >/dev/null
backoff_over
at $EXPIRED
expect_eq "lost reply, expired, next call: recovers with a valid token" "0||true" \
	"$RC|$ERR|$(token_valid "$TOKEN")"
expect_eq "lost reply, expired, next call: refused refresh, then a mint" "2 2 4 3" "$(delta)"

# (d), (e): a refresh that stops at a store.  The file store's sidecar lock,
# held shared by the test, lets the helper read but blocks its writes, so it
# can be killed exactly there.  The store line writes both stores
# ([SUCCESS=continue]), the keyring after or before the file.
# The holder says "held" on a FIFO once it has the lock; the test blocks
# reading it (a barrier: no polling; 60 s is a safety net).
hold_store_lock() {
	local fd said=
	(umask 077 && : >> "$STORE.lock")
	rm -f "$T_TMP/held"
	mkfifo "$T_TMP/held"
	exec {fd}<> "$T_TMP/held"
	(exec 9<>"$STORE.lock" && flock -s 9 && echo held >&"$fd" && exec sleep 600) &
	HOLDER=$!
	read -r -t 60 -u "$fd" said
	exec {fd}<&-
	[ "$said" = held ] || fail "the test could not take the store lock (60 s)"
}
release_store_lock() { kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null; }
# wait_trace FILE TEXT: t_wait_trace (tests/lib/common.sh), failing the check on a timeout.
wait_trace() {
	t_wait_trace "$1" "$2" || fail "timed out (60 s) waiting for the helper to trace '$2'"
}
# kill_at TRACE_LINE: a stale get, killed -9 once it has traced TRACE_LINE.
# The test's lock keeps it from storing past that point (for 120 s), so
# the state it leaves is the same wherever after the line it is killed.
kill_at() {
	rm -f "$T_TMP/victim.trace"
	lc_request | COBO_CREDENTIAL_NOW_OFFSET=$STALE COBO_CREDENTIAL_TRACE="$T_TMP/victim.trace" \
		"$HELPER" get > /dev/null 2>&1 &
	VICTIM=$!
	wait_trace "$T_TMP/victim.trace" "$1"
	check "the helper is blocked at '$1'" kill -0 "$VICTIM"
	{ kill -9 "$VICTIM"; wait "$VICTIM"; } 2>/dev/null
}

# (d) after the server answered, before anything is stored (file first).
LC_FILE_OPTS="lock_timeout_ms = 120000"
lc_config "keyring file cobo-oauth" "file [SUCCESS=continue] keyring" "keyring file"
fresh_token
hold_store_lock
kill_at "get cobo-oauth: SUCCESS"
expect_eq "killed before storing: the keyring still has the old tokens" "$AT0 $RT0" \
	"$(kr_lookup access) $(kr_lookup refresh)"
release_store_lock
mark
at $STALE
expect_eq "killed before storing, next call: exit 0, quiet" "0|" "$RC|$ERR"
check "killed before storing, next call: a new token" test -n "$TOKEN" -a "$TOKEN" != "$AT0"
expect_eq "killed before storing, next call: the spent refresh token is refused, then a mint" \
	"1 1 2 1" "$(delta)"
expect_eq "killed before storing, next call: valid" true "$(token_valid "$TOKEN")"

# (e) after the new refresh token is stored, before the access token: the
# refresh token is written first, so the next call refreshes with it (no mint).
lc_config "keyring file cobo-oauth" "keyring [SUCCESS=continue] file" "keyring file"
fresh_token
hold_store_lock
kill_at "store keyring: SUCCESS"
RT1=$(kr_lookup refresh)
check "killed between the stores: the keyring has a new refresh token" \
	test -n "$RT1" -a "$RT1" != "$RT0"
expect_eq "killed between the stores: ... and still the old access token" "$AT0" \
	"$(kr_lookup access)"
release_store_lock
mark
at $STALE
expect_eq "killed between the stores, next call: exit 0, quiet" "0|" "$RC|$ERR"
check "killed between the stores, next call: a new token" test -n "$TOKEN" -a "$TOKEN" != "$AT0"
expect_eq "killed between the stores, next call: one refresh with the saved token, no mint" \
	"0 1 1 0" "$(delta)"
expect_eq "killed between the stores, next call: valid" true "$(token_valid "$TOKEN")"
expect_eq "killed between the stores, next call: both stores agree" "$TOKEN $TOKEN" \
	"$(kr_lookup access) $(file_secret access)"
LC_FILE_OPTS=
use_keyring

# --- 4. the server is down --------------------------------------------------------
# "At once": one refused connection for the refresh, then the answer; no
# mint, no retries with their pauses, no timeout to wait for.
fresh_token
cobo_server_stop
at $STALE COBO_CREDENTIAL_TRACE="$T_TMP/down.trace"
expect_eq "server down: the cached token, exit 0" "$AT0|0" "$TOKEN|$RC"
expect_eq "server down: one connection tried (the refresh), no mint, no retry" "1 1 0 0" \
	"$(trace_count "$T_TMP/down.trace" ": no answer (curl") $(trace_count "$T_TMP/down.trace" "POST /") $(trace_count "$T_TMP/down.trace" "GET /") $(trace_count "$T_TMP/down.trace" "retrying")"
at $STALE
expect_eq "server down: the cached token, exit 0, stderr empty" "$AT0|0|" "$TOKEN|$RC|$ERR"
at $STALE COBO_CREDENTIAL_TRACE=1
expect_eq "server down, traced: the cached token" "$AT0" "$TOKEN"
expect_match "server down, traced: the failed refresh is noted" \
	"refresh did not succeed \(TRYAGAIN: .*\); answering the cached token" "$ERR"
no_token_in "server down, traced: no token value in the trace" "$ERR"
at $EXPIRED
expect_eq "server down, token expired: exit 0, no output" "0|" "$RC|$OUT"
expect_match "server down, token expired: one line naming the profile" \
	"^git-credential-cobo: no Cobo access token for profile 'lc', org [^:]*: " "$ERR"
expect_eq "server down: the cached tokens are never erased" "$AT0 $RT0" \
	"$(kr_lookup access) $(kr_lookup refresh)"

lc_done
