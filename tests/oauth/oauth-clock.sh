#!/bin/bash
# oauth-clock.sh - a wrong clock named as a clock (issue 30): helpers whose
# clock libfaketime shifts (FAKETIME, Debian's faketime) against the Cobo
# test server, which is not shifted and refuses a Biz-Api-Nonce more than
# its window (300 s) from its own clock, signing its time into the refusal.
#   - 600 s ahead or behind: the CLI, git (`git credential fill` through the
#     real git) and Docker fail with the one line naming the clock and both
#     times, exit 75 (CLI, `api` too; never 77, "re-authorisation needed"), and spend
#     and store nothing: the store file is byte for byte unchanged, the
#     refresh token sent is still unused at the server, no mint stood in;
#   - 30 s behind works (a refresh, and a signed API call whose nonce the
#     server echoes: the proof that the shift reaches the helper);
#   - 60, 200 and 100 s ahead (inside the window, beyond the 5 s order
#     rule): the first answer is refused, one retry learns the allowance
#     (one extra rotation, no mint, the token answered active at Cobo, the
#     offset file 0600), the next call refreshes once; a right clock lowers
#     it again; a failed retry names the clock and backs off;
#   - max_clock_skew 60 with the clock 120 s behind: the refresh answer is
#     refused, Cobo's rotated refresh token replaces the spent one, the
#     refusing machine backs off, and the next holder refreshes with it.
. "$top_srcdir/tests/lib/oauth.sh"

oauth_frontends
DK="$top_builddir/src/docker/docker-credential-cobo"
command -v faketime >/dev/null || { echo "no faketime: scripts/deps.sh test installs it"; exit 99; }
# libfaketime preloaded into a sanitizer build (ASan intercepts the same clock
# calls) hangs before main: that build cannot run this suite, every other must.
# The bound is generous (--version takes milliseconds) and only tells the two apart.
if ! timeout 20 env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f +1s "$CC" --version >/dev/null 2>&1; then
	if nm "$CC" 2>/dev/null | grep -q __asan_init; then
		echo "a sanitizer build does not run under libfaketime: skipped here"
		exit 77
	fi
	echo "faketime cannot run $CC"
	exit 99
fi

oauth_server_up
oauth_config
CHOST=127.0.0.1:$COBO_SERVER_PORT
NOW_REFRESH=50000 # the host clock past the access token's 43200 s: a refresh
NOW_WINDOW=40000  # 3200 s left, inside the refresh window (4320 s): still valid

# shifted OFFSET CMD...: CMD with its clock moved OFFSET (+600s, -30s...) by libfaketime;
# monotonic time stays real (lock deadlines).
shifted() {
	local off=$1
	shift
	FAKETIME_DONT_FAKE_MONOTONIC=1 FAKE_UTIME=1 faketime -f "$off" "$@"
}
# cli OFFSET [ENV=V...]: `cobo-credential token --profile p`; sets RC OUT ERR.
cli() {
	local off=$1
	shift
	OUT=$(shifted "$off" env "$@" "$CC" token --profile p 2>"$T_TMP/err")
	RC=$?
	ERR=$(cat "$T_TMP/err")
}
# git_fill OFFSET: `git credential fill` with this helper only, no prompt; sets RC OUT ERR.
git_fill() {
	OUT=$(printf 'protocol=https\nhost=%s\n\n' "$CHOST" |
		shifted "$1" env COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH GIT_TERMINAL_PROMPT=0 \
			GIT_CONFIG_NOSYSTEM=1 git -c credential.helper= -c credential.helper="$GITH" \
			credential fill 2>"$T_TMP/err")
	RC=$?
	ERR=$(cat "$T_TMP/err")
}
# docker_get OFFSET: docker-credential-cobo get for the profile's host; sets RC OUT ERR.
docker_get() {
	OUT=$(printf 'https://%s' "$CHOST" |
		shifted "$1" env COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH "$DK" get 2>"$T_TMP/err")
	RC=$?
	ERR=$(cat "$T_TMP/err")
}
stats() { cobo_server_stats "$ORG" mint refresh total failed; }
rt_state() { # "valid used" of a refresh token at the server
	local j
	j=$(refresh_info "$1")
	echo "$(cobo_server_field "$j" valid) $(cobo_server_field "$j" used)"
}
# iso SECONDS: what the clock line prints for a time.
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# fresh_start: an empty server and store, one mint on the real clock; AT1, RT1, a copy.
fresh_start() {
	server_reset
	rm -f "$XDG_RUNTIME_DIR"/cobo-credential/*.failed # the core's refresh backoff
	cli +0s
	[ "$RC" = 0 ] || fail "setup: mint failed: $ERR"
	AT1=$OUT
	RT1=$(drv_secret refresh)
	cp "$STORE" "$T_TMP/store.before"
	cobo_server_ctl POST /_test/stats/reset >/dev/null
}
untouched() {
	check "$1: store file byte for byte unchanged" cmp -s "$T_TMP/store.before" "$STORE"
	expect_eq "$1: the refresh token sent is unspent at the server" "true false" "$(rt_state "$RT1")"
}
# clock_line NAME SIGN SECONDS TEXT T0 T1: TEXT holds the one clock line, its
# direction and size, a local time within [T0, T1] shifted by SIGN SECONDS (the
# shift reached the helper), and Cobo's time within [T0, T1] (the server's own).
clock_line() {
	local name=$1 dir=$2 secs=$3 text=$4 t0=$5 t1=$6 re local cobo
	re="this machine's clock is ($((secs - 1))|$secs|$((secs + 1))) s $dir Cobo's \\(local ([0-9T:Z-]+), Cobo ([0-9T:Z-]+)\\): set the time \\(NTP\\) and retry"
	if [[ $text =~ $re ]]; then
		pass "$name: the clock line"
		local=$(date -u -d "${BASH_REMATCH[2]}" +%s)
		cobo=$(date -u -d "${BASH_REMATCH[3]}" +%s)
		[ "$dir" = "ahead of" ] && local=$((local - secs)) || local=$((local + secs))
		check "$name: local time is the shifted clock's" test "$local" -ge $((t0 - 2)) -a "$local" -le $((t1 + 2))
		check "$name: Cobo's time is the server's" test "$cobo" -ge $((t0 - 1)) -a "$cobo" -le $((t1 + 1))
	else
		fail "$name: the clock line"
		printf '       actual: %q\n' "$text"
	fi
	expect_eq "$name: one line" 1 "$(printf '%s\n' "$text" | grep -c .)"
	no_secret_in "$name" "$text"
}

# --- 1. beyond the window, nothing cached: a mint refused for the clock ----------------------
for off in +600s -600s; do
	server_reset
	dir="ahead of"
	[ "$off" = -600s ] && dir=behind
	t0=$(date +%s)
	cli $off
	t1=$(date +%s)
	expect_eq "mint $off: exit 75 (temporary, this machine's), not 77" 75 "$RC"
	expect_eq "mint $off: nothing on stdout" "" "$OUT"
	clock_line "mint $off" "$dir" 600 "${ERR#cobo-credential: }" "$t0" "$t1"
	expect_match "mint $off: the CLI's prefix" '^cobo-credential: this machine' "$ERR"
	expect_eq "mint $off: nothing stored" 0 "$(store_count)"
	expect_eq "mint $off: one GET, refused; no retry (mint refresh total failed)" "1 0 1 1" "$(stats)"
	expect_match "mint $off: no token issued" '"captures":\[\]' "$(cobo_server_ctl GET /_test/captures)"
done

# --- 2. beyond the window, a refresh due: the CLI, git and Docker ---------------------------
for off in +600s -600s; do
	dir="ahead of"
	[ "$off" = -600s ] && dir=behind
	fresh_start
	t0=$(date +%s)
	cli $off COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH
	t1=$(date +%s)
	expect_eq "refresh $off (cli): exit 75" 75 "$RC"
	clock_line "refresh $off (cli)" "$dir" 600 "${ERR#cobo-credential: }" "$t0" "$t1"
	untouched "refresh $off (cli)"
	expect_eq "refresh $off (cli): one POST refused, no mint instead" "0 1 1 1" "$(stats)"

	t0=$(date +%s)
	git_fill $off
	t1=$(date +%s)
	expect_eq "refresh $off (git): no password to git" "" "$(printf '%s\n' "$OUT" | grep '^password=')"
	check "refresh $off (git): git fails without a credential (exit $RC)" test "$RC" -ne 0
	clock_line "refresh $off (git)" "$dir" 600 "$(printf '%s\n' "$ERR" | sed -n 's/^git-credential-cobo: //p')" "$t0" "$t1"
	untouched "refresh $off (git)"

	t0=$(date +%s)
	docker_get $off
	t1=$(date +%s)
	expect_eq "refresh $off (docker): exit 1" 1 "$RC"
	clock_line "refresh $off (docker)" "$dir" 600 "$OUT" "$t0" "$t1"
	untouched "refresh $off (docker)"
	expect_eq "refresh $off: three POSTs, all refused, no mint" "0 3 3 3" "$(stats)"
done

# A signed API call with a cached token: Cobo refuses the nonce, the same line, exit 75.
fresh_start
t0=$(date +%s)
OUT=$(shifted +600s "$CC" api --profile p /wallets 2>"$T_TMP/err")
RC=$?
t1=$(date +%s)
ERR=$(cat "$T_TMP/err")
expect_eq "api +600s: exit 75, nothing on stdout" "75|" "$RC|$OUT"
clock_line "api +600s" "ahead of" 600 "${ERR#cobo-credential: }" "$t0" "$t1"
expect_eq "api +600s: one resource call, refused; no token call" "1 1 0" \
	"$(cobo_server_stats "$ORG" resource resource_failed total)"
untouched "api +600s"

# --- 3. within the window ------------------------------------------------------------------
fresh_start
cli -30s COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH
expect_eq "30 s behind: the refresh works" "0|" "$RC|$ERR"
expect_eq "30 s behind: the new token is valid" true "$(token_valid "$OUT")"
expect_eq "30 s behind: one POST, no failure" "0 1 1 0" "$(stats)"
# The proof that the shift reaches the helper: the nonce the server received.
before=$(date +%s%3N)
API=$(shifted -30s "$CC" api --profile p /wallets 2>"$T_TMP/err")
after=$(date +%s%3N)
nonce=$(printf '%s' "$API" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["headers"]["biz-api-nonce"])')
check "30 s behind: the server saw a nonce 30 s behind its clock ($nonce in [$before, $after] - 30 s)" \
	test "$nonce" -ge $((before - 31000)) -a "$nonce" -le $((after - 29000))

# --- 3b. ahead of Cobo within the window: learned, then allowed ----------------------------
# The order rule (SECURITY.md) refuses an answer signed more than 5 s before the request went
# out; a clock running ahead looks like that.  The first answer is refused as a candidate (a
# refresh's successor kept), one retry at once is judged with the first answer's sample as the
# allowance, and the allowance is kept in the offset file for the next call.
OFFSET_FILE="$XDG_RUNTIME_DIR/cobo-credential/cobo-clock-$(printf '%s' "$CHOST" | sha256sum | cut -c1-64)"
# offset_ms: the allowance in the offset file ("" when none), checking its line.
offset_ms() {
	[ -f "$OFFSET_FILE" ] || return 0
	sed -n "s/^cobo-clock 1 $CHOST \\([0-9]*\\)\$/\\1/p" "$OFFSET_FILE"
}
TRACE="$T_TMP/trace"
retries() { grep -c "retrying once" "$TRACE" 2>/dev/null || true; }

for secs in 60 200; do
	fresh_start
	rm -f "$OFFSET_FILE" "$TRACE"
	cli +${secs}s COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH COBO_CREDENTIAL_TRACE="$TRACE"
	expect_eq "$secs s ahead: the refresh works" "0|" "$RC|$ERR"
	expect_eq "$secs s ahead: the token answered is one Cobo holds active" true "$(token_valid "$OUT")"
	expect_eq "$secs s ahead: and the one stored" "$OUT" "$(drv_secret access)"
	expect_eq "$secs s ahead: one extra rotation, no failure, no mint (mint refresh total failed)" \
		"0 2 2 0" "$(stats)"
	expect_eq "$secs s ahead: one retry" 1 "$(retries)"
	expect_eq "$secs s ahead: the refresh token sent is spent" "false true" "$(rt_state "$RT1")"
	RT2=$(drv_secret refresh)
	expect_eq "$secs s ahead: the one kept is Cobo's, unspent" "true false" "$(rt_state "$RT2")"
	expect_eq "$secs s ahead: the offset file is 0600" 600 "$(stat -c %a "$OFFSET_FILE" 2>/dev/null)"
	learned=$(offset_ms)
	# The proof that the shift reached the helper: what it learned is the shift (plus the
	# answer's way back, never less).
	check "$secs s ahead: the allowance learned is the shift ($learned ms)" \
		test -n "$learned" -a "${learned:-0}" -ge $((secs * 1000 - 50)) -a "${learned:-0}" -le $((secs * 1000 + 10000))
	rm -f "$TRACE"
	# The host clock past the new token's life too (it was dated NOW_REFRESH ahead).
	cli +${secs}s COBO_CREDENTIAL_NOW_OFFSET=$((2 * NOW_REFRESH)) COBO_CREDENTIAL_TRACE="$TRACE"
	expect_eq "$secs s ahead, again: the refresh works" "0|" "$RC|$ERR"
	expect_eq "$secs s ahead, again: a valid token" true "$(token_valid "$OUT")"
	expect_eq "$secs s ahead, again: one POST, no retry" "0 3 3 0|0" "$(stats)|$(retries)"
	# A signed API call under the same allowance; the server saw a nonce that far ahead.
	before=$(date +%s%3N)
	API=$(shifted +${secs}s "$CC" api --profile p /wallets 2>"$T_TMP/err")
	RC=$?
	after=$(date +%s%3N)
	expect_eq "$secs s ahead: a signed API call works" "0|" "$RC|$(cat "$T_TMP/err")"
	nonce=$(printf '%s' "$API" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["headers"]["biz-api-nonce"])' 2>/dev/null)
	check "$secs s ahead: the server saw a nonce $secs s ahead ($nonce in [$before, $after] + $secs s)" \
		test "${nonce:-0}" -ge $((before + secs * 1000 - 1000)) -a "${nonce:-0}" -le $((after + secs * 1000 + 1000))
done

# The same machine with its clock set right: the first answer lowers the allowance at once.
rm -f "$TRACE"
cli +0s COBO_CREDENTIAL_NOW_OFFSET=$((3 * NOW_REFRESH)) COBO_CREDENTIAL_TRACE="$TRACE"
expect_eq "clock set right: the refresh works, one POST, no retry" "0||0 4 4 0|0" \
	"$RC|$ERR|$(stats)|$(retries)"
learned=$(offset_ms)
check "clock set right: the allowance is lowered ($learned ms, was about 200000)" \
	test -n "$learned" -a "${learned:-999999}" -lt 5000
# 100 s ahead now: refused once again, then learned.
rm -f "$TRACE"
cli +100s COBO_CREDENTIAL_NOW_OFFSET=$((4 * NOW_REFRESH)) COBO_CREDENTIAL_TRACE="$TRACE"
expect_eq "then 100 s ahead: works after one retry, no mint" "0||0 6 6 0|1" \
	"$RC|$ERR|$(stats)|$(retries)"
expect_eq "then 100 s ahead: a valid token" true "$(token_valid "$OUT")"
learned=$(offset_ms)
check "then 100 s ahead: learned ($learned ms)" \
	test -n "$learned" -a "${learned:-0}" -ge 99950 -a "${learned:-0}" -le 110000

# A mint, nothing cached, 30 s ahead: the same, two GETs.
server_reset
rm -f "$OFFSET_FILE"
cli +30s
expect_eq "mint 30 s ahead: works after one retry (mint refresh total failed)" "0||2 0 2 0" \
	"$RC|$ERR|$(stats)"
expect_eq "mint 30 s ahead: the token answered is active" true "$(token_valid "$OUT")"
check "mint 30 s ahead: learned" test -n "$(offset_ms)"

# The retry fails (the server in trouble, the request not processed).  With the cached token
# still valid the core answers it and backs off, as after any failed refresh; the trace has the
# line naming the clock and says the refresh token sent may be spent.  Nothing of the first
# answer is kept (unconfirmed, it may be a capture carrying another org's refresh token), and
# nothing is learned.
fresh_start
rm -f "$OFFSET_FILE" "$TRACE"
fault '{"mode":"delay","seconds":0,"on":"refresh"}'
fault '{"mode":"status","status":503,"on":"refresh"}'
cli +60s COBO_CREDENTIAL_NOW_OFFSET=$NOW_WINDOW COBO_CREDENTIAL_TRACE="$TRACE"
expect_eq "retry fails, token valid: the cached token is answered" "0|$AT1|" "$RC|$OUT|$ERR"
expect_match "retry fails, token valid: the trace names the clock and the retry" \
	"this machine's clock is (59|60|61) s ahead of Cobo's .*; retried once: Cobo server trouble" "$(cat "$TRACE")"
expect_match "retry fails, token valid: the trace says the refresh token may be spent" \
	"the refresh token sent may be spent at Cobo" "$(cat "$TRACE")"
expect_eq "retry fails: the store still holds the token sent" "$RT1|$AT1" "$(drv_secret refresh)|$(drv_secret access)"
expect_eq "retry fails: no offset learned" "" "$(offset_ms)"
expect_eq "retry fails: two POSTs, one failed, no mint" "0 2 2 1" "$(stats)"
cli +60s COBO_CREDENTIAL_NOW_OFFSET=$NOW_WINDOW
expect_eq "retry fails: backs off: the cached token, no request" "0|$AT1|0 2 2 1" "$RC|$OUT|$(stats)"
# Past the token's life: one line naming the clock with both times, exit 75, not 77.
fresh_start
fault '{"mode":"delay","seconds":0,"on":"refresh"}'
fault '{"mode":"status","status":503,"on":"refresh"}'
t0=$(date +%s)
cli +60s COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH
t1=$(date +%s)
expect_eq "retry fails, expired: exit 75 (temporary), nothing on stdout" "75|" "$RC|$OUT"
expect_eq "retry fails, expired: one line" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
clock_line "retry fails, expired" "ahead of" 60 "$(printf '%s' "${ERR#cobo-credential: }" | sed 's/; nothing was stored.*//; s/^.*; this machine/this machine/')" "$t0" "$t1"
expect_match "retry fails, expired: what the retry met" "; retried once: Cobo server trouble" "$ERR"
expect_eq "retry fails, expired: two POSTs, one failed, no mint" "0 2 2 1" "$(stats)"
# Known limit (SECURITY.md): the token sent was spent by the refused answer and its successor
# was not kept, so the next holder's refresh is refused at Cobo once and it mints.
rm -f "$XDG_RUNTIME_DIR"/cobo-credential/*.failed
cli +0s COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH
expect_eq "retry fails (limit): the next holder's refresh is refused, it mints" "0|1 3 4 2" "$RC|$(stats)"
expect_eq "retry fails (limit): a valid token" true "$(token_valid "$OUT")"

# --- 4. max_clock_skew 60, the clock 120 s behind -------------------------------------------
oauth_config "max_clock_skew = 60"
fresh_start
cli -120s COBO_CREDENTIAL_NOW_OFFSET=$NOW_WINDOW
expect_eq "skew 120/60: the cached token, still valid, is answered" "0|$AT1" "$RC|$OUT"
expect_eq "skew 120/60: nothing on stderr" "" "$ERR"
RT2=$(drv_secret refresh)
check "skew 120/60: the spent refresh token is replaced" test -n "$RT2" -a "$RT2" != "$RT1"
expect_eq "skew 120/60: the old one is spent at the server" "false true" "$(rt_state "$RT1")"
expect_eq "skew 120/60: the kept one is Cobo's, unspent" "true false" "$(rt_state "$RT2")"
expect_eq "skew 120/60: the refused access token is not kept" "$AT1" "$(drv_secret access)"
expect_eq "skew 120/60: one POST, no mint" "0 1 1 0" "$(stats)"
cli -120s COBO_CREDENTIAL_NOW_OFFSET=$NOW_WINDOW
expect_eq "skew 120/60: backs off: the cached token again" "0|$AT1" "$RC|$OUT"
expect_eq "skew 120/60: backs off: no second POST" "0 1 1 0" "$(stats)"
# Past its token's life the refusing machine fails, naming max_clock_skew and what it kept.
rm -f "$XDG_RUNTIME_DIR"/cobo-credential/*.failed
cli -120s COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH
expect_eq "skew 120/60, expired: exit 70" 70 "$RC"
expect_match "skew 120/60, expired: the message" \
	"refusing the access token from $CHOST: .* 1(19|20)\\.[0-9]{3} s in the future, more than the 60 s allowed \\(max_clock_skew of \\[profile p\\]\\); Cobo rotated the refresh token all the same, so its new one is kept and the access token is not: set the time \\(NTP\\) and retry" "$ERR"
no_secret_in "skew 120/60, expired" "$ERR"
RT3=$(drv_secret refresh)
check "skew 120/60, expired: the newer rotation is kept" test -n "$RT3" -a "$RT3" != "$RT2"
expect_eq "skew 120/60, expired: no mint" "0 2 2 0" "$(stats)"
# The next holder (a right clock) refreshes with the kept token: no failure at Cobo, no mint.
oauth_config
rm -f "$XDG_RUNTIME_DIR"/cobo-credential/*.failed
cli +0s COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH
expect_eq "next holder: refreshes" "0|" "$RC|$ERR"
expect_eq "next holder: a valid token" true "$(token_valid "$OUT")"
expect_eq "next holder: one more POST, no failure, no mint" "0 3 3 0" "$(stats)"
expect_eq "next holder: the kept token spent by it" "false true" "$(rt_state "$RT3")"

# --- 5. max_clock_skew 60, the clock 120 s ahead: refused by both date rules ----------------
# Signed "before it was sent" and beyond max_clock_skew: unbound to the request, so nothing of
# it is kept and there is no retry (max_clock_skew would refuse it too): exit 70.
oauth_config "max_clock_skew = 60"
fresh_start
rm -f "$OFFSET_FILE" "$TRACE"
cli +120s COBO_CREDENTIAL_NOW_OFFSET=$NOW_REFRESH COBO_CREDENTIAL_TRACE="$TRACE"
expect_eq "skew 60, 120 s ahead: exit 70, no retry" "70|0" "$RC|$(retries)"
expect_match "skew 60, 120 s ahead: the message" \
	"refusing the answer from $CHOST as stale or replayed: .* 1(19|20)\\.[0-9]{3} s in the past, more than the 60 s allowed; fix the clock" "$ERR"
expect_eq "skew 60, 120 s ahead: nothing stored" "$RT1" "$(drv_secret refresh)"
expect_eq "skew 60, 120 s ahead: one POST, no mint" "0 1 1 0" "$(stats)"
oauth_config

t_done
