#!/bin/bash
# security-fresh.sh - fresh answers only (issue 11): a correctly signed
# answer from the Cobo test server whose Biz-Timestamp is more than
# max_clock_skew (300 s) from the local clock, or a refresh answer that
# hands back the refresh token it was sent (a replayed answer), is refused
# through `cobo-credential token` and git-credential-cobo, over HTTPS:
# one line naming both times (UTC) and the fix, nothing stored (the store
# file is byte for byte what it was), and the server's counters show the
# request did happen (and that no mint stood in for it).
. "$top_srcdir/tests/lib/oauth.sh"

oauth_frontends

oauth_server_up
oauth_config
CHOST=127.0.0.1:$COBO_SERVER_PORT
LATER=50000 # the helper's clock moved past the access token's 43200 s: a refresh

# cli [ENV=V...]: `cobo-credential token --profile p`; sets RC OUT ERR.
cli() {
	OUT=$(env "$@" "$CC" token --profile p 2>"$T_TMP/err")
	RC=$?
	ERR=$(cat "$T_TMP/err")
}
# git_get [ENV=V...]: git's get for the profile's origin; sets RC OUT ERR TOKEN.
git_get() {
	OUT=$(printf 'protocol=https\nhost=%s\n\n' "$CHOST" | env "$@" "$GITH" get 2>"$T_TMP/err")
	RC=$?
	ERR=$(cat "$T_TMP/err")
	TOKEN=$(printf '%s\n' "$OUT" | sed -n 's/^password=//p')
}
# stats: "mint refresh total failed" for ORG.
stats() { cobo_server_stats "$ORG" mint refresh total failed; }
# utc MS: unix ms as the module prints it ("2026-12-02 03:25:50.123 UTC").
utc() {
	"$PYTHON" -c 'import datetime,sys; m=int(sys.argv[1]); print(datetime.datetime.fromtimestamp(m // 1000, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + ".%03d UTC" % (m % 1000))' "$1"
}
# last_capture_ts: the Biz-Timestamp of the newest signed token answer the server sent.
last_capture_ts() {
	cobo_server_ctl GET /_test/captures | "$PYTHON" -c \
		'import json,sys; print(json.load(sys.stdin)["captures"][-1]["timestamp"])'
}
ms() { date +%s%3N; }

# fresh_start: an empty server and store, one mint; AT1, RT1 and a copy of the store.
fresh_start() {
	server_reset
	rm -f "$XDG_RUNTIME_DIR"/cobo-credential/*.failed # the core's refresh backoff
	cli
	[ "$RC" = 0 ] || fail "setup: mint failed: $ERR"
	AT1=$OUT
	RT1=$(drv_secret refresh)
	cp "$STORE" "$T_TMP/store.before"
	cobo_server_ctl POST /_test/stats/reset >/dev/null
}
# untouched NAME: nothing was stored: the file, the access and the refresh token.
untouched() {
	check "$1: store file byte for byte unchanged" cmp -s "$T_TMP/store.before" "$STORE"
	expect_eq "$1: the cached access token survives" "$AT1" "$(drv_secret access)"
	expect_eq "$1: the cached refresh token survives" "$RT1" "$(drv_secret refresh)"
}
# refused NAME REGEX: one line matching REGEX on stderr, no token in it; the CLI exits
# 70 (git's helper exits 0 with no answer: git then asks the next helper).
refused() {
	case $1 in *"(git)"*) expect_eq "$1: no answer" "" "$OUT" ;;
	*) expect_eq "$1: exit 70 (ERROR, not 75: retrying mends neither a clock nor a replay)" \
		70 "$RC" ;; esac
	expect_match "$1: message" "$2" "$ERR"
	expect_eq "$1: one line" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
	no_secret_in "$1" "$ERR$OUT"
}
STALE_RE='refusing the answer from 127\.0\.0\.1:[0-9]+ as stale or replayed: it is dated [0-9-]{10} [0-9:]{8}\.[0-9]{3} UTC \(Biz-Timestamp\) but the local clock says [0-9-]{10} [0-9:]{8}\.[0-9]{3} UTC: [0-9]+\.[0-9]{3} s in the past, more than the 300 s allowed; fix the clock'
ECHO_RE='refusing the refresh answer from 127\.0\.0\.1:[0-9]+: it hands back the refresh token that was sent instead of a new one \(a replayed answer\); nothing was stored'
# The first mint answer replayed to the refresh that follows it: it carries the refresh
# token sent; more than 5 s after it, it is refused first as signed before the request
# (security-bound.sh), which a slow machine may reach.
REPLAY_RE="($ECHO_RE|refusing the answer from 127\\.0\\.0\\.1:[0-9]+ as replayed: it was signed at .* before this request was sent)"

# --- 1. a stale refresh answer, cobo-credential token ---------------------------------
fresh_start
fault '{"mode":"stale","seconds":-3600,"on":"refresh"}'
T0=$(ms)
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
T1=$(ms)
refused "stale refresh (cli)" "$STALE_RE"
untouched "stale refresh (cli)"
expect_eq "stale refresh (cli): one POST reached the server, no mint instead" "0 1 1 0" "$(stats)"
TS=$(last_capture_ts)
expect_match "stale refresh (cli): the server's time is the answer's Biz-Timestamp" \
	"it is dated $(utc "$TS") \\(Biz-Timestamp\\)" "$ERR"
OURS=$(printf '%s\n' "$ERR" | sed -n 's/.*local clock says \([0-9-]* [0-9:.]*\) UTC.*/\1/p')
OURS_MS=$("$PYTHON" -c 'import datetime,sys; d=datetime.datetime.strptime(sys.argv[1], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc); print(round(d.timestamp() * 1000))' "$OURS")
check "stale refresh (cli): our time is the real clock during the call (not the shifted one)" \
	test "$OURS_MS" -ge "$T0" -a "$OURS_MS" -le "$T1"

# --- 2. a stale refresh answer, git-credential-cobo -------------------------------------
fresh_start
fault '{"mode":"stale","seconds":-3600,"on":"refresh"}'
git_get COBO_CREDENTIAL_NOW_OFFSET=$LATER
refused "stale refresh (git)" "$STALE_RE"
expect_eq "stale refresh (git): no password answered" "" "$TOKEN"
untouched "stale refresh (git)"
expect_eq "stale refresh (git): one POST, no mint" "0 1 1 0" "$(stats)"

# --- 3. a stale answer while the cached token still works: that token, nothing stored --
fresh_start
fault '{"mode":"stale","seconds":-3600,"on":"refresh"}'
git_get COBO_CREDENTIAL_NOW_OFFSET=43100 COBO_CREDENTIAL_TRACE="$T_TMP/trace.valid"
expect_eq "stale refresh, cached token valid (git): the cached token, exit 0" "$AT1|0" "$TOKEN|$RC"
expect_match "stale refresh, cached token valid: the trace says why" "$STALE_RE" \
	"$(cat "$T_TMP/trace.valid")"
untouched "stale refresh, cached token valid (git)"
expect_eq "stale refresh, cached token valid: the refresh was asked" "0 1 1 0" "$(stats)"

# --- 4. a future-dated answer, and a stale mint into an empty store -----------------------
fresh_start
fault '{"mode":"stale","seconds":301,"on":"refresh"}'
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
refused "answer 301 s ahead (cli)" 's in the future, more than the 300 s allowed; fix the clock'
untouched "answer 301 s ahead (cli)"
server_reset
fault '{"mode":"stale","seconds":-400,"on":"mint"}'
cli
refused "stale mint (cli)" 'as stale or replayed: .* s in the past'
expect_eq "stale mint (cli): nothing stored" 0 "$(store_count)"
expect_eq "stale mint (cli): one GET, not retried" "1 0 1 0" "$(stats)"

# --- 5. the first mint answer replayed to a refresh: it carries the refresh token sent ---
fresh_start
fault '{"mode":"replay","answer":1,"on":"refresh"}'
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
refused "replayed mint answer (cli)" "$REPLAY_RE"
untouched "replayed mint answer (cli)"
expect_eq "replayed mint answer (cli): one POST reached the server, no mint" "0 1 1 0" "$(stats)"
fresh_start
fault '{"mode":"replay","answer":1,"on":"refresh"}'
git_get COBO_CREDENTIAL_NOW_OFFSET=$LATER
refused "replayed mint answer (git)" "$REPLAY_RE"
expect_eq "replayed mint answer (git): no password answered" "" "$TOKEN"
untouched "replayed mint answer (git)"
expect_eq "replayed mint answer (git): one POST, no mint" "0 1 1 0" "$(stats)"

# --- 6. a new access token with the sent refresh token echoed ---------------------------
fresh_start
fault '{"mode":"echo_refresh","on":"refresh"}'
git_get COBO_CREDENTIAL_NOW_OFFSET=$LATER
refused "refresh token echoed (git)" "$ECHO_RE"
untouched "refresh token echoed (git)"
expect_eq "refresh token echoed (git): one POST, no mint" "0 1 1 0" "$(stats)"
fresh_start
fault '{"mode":"echo_refresh","on":"refresh"}'
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
refused "refresh token echoed (cli)" "$ECHO_RE"
untouched "refresh token echoed (cli)"

# --- 7. max_clock_skew sets another window ---------------------------------------------
# Wider, it lets in an answer dated up to that far ahead; one dated in the past is still
# refused unless signed after the request went out (5 s of skew: security-bound.sh).
oauth_config "max_clock_skew = 7200"
fresh_start
fault '{"mode":"stale","seconds":3600,"on":"refresh"}'
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
expect_eq "max_clock_skew = 7200: an answer dated an hour ahead is taken" "0|" "$RC|$ERR"
check "max_clock_skew = 7200: a new access token" test -n "$OUT" -a "$OUT" != "$AT1"
check "max_clock_skew = 7200: a new refresh token stored" test "$(drv_secret refresh)" != "$RT1"
fresh_start
fault '{"mode":"stale","seconds":-3600,"on":"refresh"}'
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
refused "max_clock_skew = 7200: an hour-old answer" "as replayed: it was signed at .* before this request was sent"
untouched "max_clock_skew = 7200: an hour-old answer"
oauth_config "max_clock_skew = 3500"
fresh_start
fault '{"mode":"stale","seconds":3600,"on":"refresh"}'
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
refused "max_clock_skew = 3500: an answer dated an hour ahead" "in the future, more than the 3500 s allowed; fix the clock"
untouched "max_clock_skew = 3500"
oauth_config "max_clock_skew = 0"
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
expect_match "max_clock_skew = 0: a configuration error" "max_clock_skew '0' in \\[profile p\\] is not a number of seconds in 1\\.\\.86400" "$ERR"

# --- 8. the positive control: an ordinary refresh still goes through ------------------------
oauth_config
fresh_start
cli COBO_CREDENTIAL_NOW_OFFSET=$LATER
expect_eq "ordinary refresh: exit 0, quiet" "0|" "$RC|$ERR"
check "ordinary refresh: a new refresh token stored" test "$(drv_secret refresh)" != "$RT1"
expect_eq "ordinary refresh: one POST" "0 1 1 0" "$(stats)"

t_done
