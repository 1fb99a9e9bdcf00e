#!/bin/bash
# etcd-clock.sh - a fleet whose clocks disagree (issue 30).  Machines are
# helpers run under libfaketime: machine 1 correct, machine 2 slow
# (FAKETIME=-120s), machine 3 fast (+120s); etcd and the Cobo test server
# keep the real clock.  Tokens live 70 s at the server, so the 60-s refresh
# window opens after 10 s.
#   - the shift reaches the helper (a reader's own trace: the record dated
#     120 s off the writer's expiry; its answer's expiry 120 s off);
#   - every machine answers a token with the expiry the server gave it,
#     whoever wrote the record (its date comes from the record's lease);
#   - a fast machine does not refresh a token with more than the window left;
#   - after a slow machine refreshed, the others answer its token, dated by
#     the server's expiry; the fleet refreshes once per window, mints nothing;
#   - a backoff marker set by the fast machine holds on the slow one (240 s
#     apart) and on the correct one;
#   - the fast machine refreshes in the next window at the cost of one extra
#     rotation (cobo-oauth learns its lead), no mint, and the correct one
#     then refreshes with its successor;
#   - the lock holder cut off from etcd answers the new token and says so;
#   - a slow machine never answers a token the server has expired.
# Events are ordered by the server's counters and token table, the cluster's
# lease counts and the server's hold/release; the waits poll for those states
# (the only real time that must pass is the tokens' own life).
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/etcd.sh"

FT=$(ls /usr/lib/*/faketime/libfaketime.so.1 2> /dev/null | head -n 1)
if [ -z "$FT" ]; then
	echo "no libfaketime: ./scripts/deps.sh test installs faketime and libfaketime"
	exit 99
fi
# libfaketime cannot be preloaded into a sanitized program (the helper
# hangs at start-up before main), so the suite runs on the plain build:
# scripts/test.sh runs it in the gcc pass.
if grep -aq __asan_init "$HELPER"; then
	echo "SKIP: libfaketime hangs a sanitized helper; scripts/test.sh runs this suite in the gcc pass"
	exit 77
fi
TTL=70
SKEW=([1]=+0 [2]=-120 [3]=+120 [4]=+0)

fleet_up
set_ttl "$TTL"
for m in 1 2 3; do fleet_machine "$m"; done

# cget M ORG [VAR=V...]: machine M's get on its shifted clock; sets RC OUT
# ERR TOKEN, EXPIRY (the answer's password_expiry_utc) and TR (its trace).
CALLS=0
cget() {
	local m=$1 org=$2
	shift 2
	CALLS=$((CALLS + 1))
	TR=$T_TMP/trace.$CALLS.m$m
	fleet_get "$m" "$org" LD_PRELOAD="$FT" FAKETIME="${SKEW[$m]}" \
		FAKETIME_DONT_FAKE_MONOTONIC=1 COBO_CREDENTIAL_TRACE="$TR" "$@"
	EXPIRY=$(printf '%s\n' "$OUT" | sed -n 's/^password_expiry_utc=//p')
}
srv_expiry() { cobo_server_field "$(cobo_server_ctl GET "/_test/token_valid?token=$1")" expires_at; }
# dated M WHAT TOKEN: the answer's expiry on machine M's clock is the server's
# expiry of TOKEN moved by M's skew (2 s for the lease's whole seconds).
dated() {
	local want=$(($(srv_expiry "$3") + ${SKEW[$1]})) d
	d=$((EXPIRY - want))
	check "$2: answered with the server's expiry on its own clock (off by $d s)" \
		test "${d#-}" -le 2
}
# until_ok DESC LIMIT CMD...: polls CMD every 0.5 s until it succeeds; a
# safety net of LIMIT seconds (the states waited for come with the tokens' life).
until_ok() {
	local desc=$1 limit=$2 i
	shift 2
	for ((i = 0; i < 2 * limit; i++)); do "$@" && return 0; sleep 0.5; done
	fail "timed out ($limit s) waiting for: $desc"
	return 1
}
# The cluster's count: the access records' leases (granted for about TTL)
# all have at most S seconds left.
leases_left_at_most() {
	local id g r n=0
	for id in $(etcd_ctl lease list | tail -n +2); do
		read -r g r < <(etcd_ctl lease timetolive "$id" |
			sed -n 's/.*granted with TTL(\([0-9]*\)s), remaining(\(-*[0-9]*\)s).*/\1 \2/p')
		[ -n "$g" ] && [ "$g" -gt 60 ] && [ "$g" -le $((TTL + 5)) ] || continue
		[ "$r" -le "$1" ] || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}
# check_or_show TRACE DESC CMD...: check, showing the helper's trace on a failure.
check_or_show() {
	local tr=$1 desc=$2
	shift 2
	if "$@"; then pass "$desc"; else
		fail "$desc"
		sed 's/^/       /' "$tr"
	fi
}
expired_at_server() { [ "$(token_valid "$1")" = false ]; }

# --- machine 1 mints a token per org -------------------------------------------------
declare -A T1
for org in "${ORGS[@]}"; do
	cget 1 "$org"
	[ "$RC" = 0 ] && [ -n "$TOKEN" ] || fail "machine 1 mints $org: $ERR"
	T1[$org]=$TOKEN
done
expect_eq "machine 1: one mint per org" "1 0 1 0|1 0 1 0|1 0 1 0" \
	"$(ostats org-a)|$(ostats org-b)|$(ostats org-c)"
dated 1 "machine 1" "${T1[org-a]}"

# --- the slow and the fast machine read them, within the window's 10 s -------------
cget 2 org-a
expect_eq "slow machine: answers machine 1's token" "${T1[org-a]}" "$TOKEN"
check "slow machine: the shift reached the helper (record dated -120 s off the writer's expiry)" \
	grep -Eq 'dated -12[0-3] s from the writer' "$TR"
dated 2 "slow machine" "$TOKEN"
cget 3 org-b
expect_eq "fast machine: answers machine 1's token" "${T1[org-b]}" "$TOKEN"
check "fast machine: the shift reached the helper (record dated +11x s off the writer's expiry)" \
	grep -Eq 'dated \+11[7-9] s from the writer|dated \+120 s from the writer' "$TR"
dated 3 "fast machine" "$TOKEN"
expect_eq "fast machine: no refresh of a token with more than the window left" "1 0 1 0" \
	"$(ostats org-b)"

# --- the window opens (the cluster's count) ---------------------------------------
until_ok "the access records' leases in their last 60 s" $((2 * TTL)) leases_left_at_most 59

# --- backoff: a failed refresh on the fast machine holds on the others -------------
cobo_server_ctl POST /_test/fault '{"mode":"status","status":503,"on":"refresh","count":1}' \
	> /dev/null || fail "queue fault"
cget 3 org-c
expect_eq "backoff: the fast machine's refresh failed; it answers the valid token" \
	"0 ${T1[org-c]}" "$RC $TOKEN"
C0=$(ostats org-c)
cget 2 org-c
expect_eq "backoff: the slow machine (240 s behind) answers the valid token" \
	"0 ${T1[org-c]}" "$RC $TOKEN"
check "backoff: ... because the fast machine's marker holds (cluster's count)" \
	grep -q 'failed [0-9]* s ago by the cluster' "$TR"
cget 1 org-c
expect_eq "backoff: the correct machine too" "0 ${T1[org-c]}" "$RC $TOKEN"
expect_eq "backoff: neither asked the server" "$C0" "$(ostats org-c)"

# --- the slow machine refreshes; everyone answers its token, dated right -----------
# (A slow writer used to make the others refresh at once.)
cget 2 org-b
B2=$TOKEN
check_or_show "$TR" "slow machine: refreshed in the window" test "$B2" != "${T1[org-b]}"
expect_eq "slow machine: one refresh, no mint" "1 1 2 0" "$(ostats org-b)"
dated 2 "slow machine, its refresh" "$B2"
for m in 1 3 1 3; do
	cget "$m" org-b
	expect_eq "machine $m after the slow refresh: its token" "$B2" "$TOKEN"
	dated "$m" "machine $m after the slow refresh" "$B2"
done
expect_eq "the fleet refreshed once in the window and minted nothing" "1 1 2 0" "$(ostats org-b)"

# --- the fast machine refreshes in the next window; then the correct one -----------
# 120 s ahead, Cobo's answer looks signed before the request went out: refused, one
# retry with the refresh token Cobo rotated in it, and the lead is learned (cobo-oauth's
# file in the machine's own state directory).  The correct machine then refreshes
# with the fast machine's successor: no failure and no mint at the server.
CLOCK_FILE="$T_TMP/m3/run/cobo-credential/cobo-clock-$(printf '%s' "$CHOST" | sha256sum | cut -c1-64)"
until_ok "the slow machine's org-b record in its last 60 s" $((2 * TTL)) leases_left_at_most 59
cget 3 org-b
B3=$TOKEN
check_or_show "$TR" "fast machine: refreshed in the window" test "$RC" = 0 -a "$B3" != "$B2"
expect_eq "fast machine: its token is active at the server" true "$(token_valid "$B3")"
expect_eq "fast machine: one extra rotation, no failure, no mint" "1 3 4 0" "$(ostats org-b)"
check_or_show "$TR" "fast machine: it retried once" grep -q "retrying once" "$TR"
ahead=$(sed -n 's/^cobo-clock 1 [^ ]* \([0-9]*\)$/\1/p' "$CLOCK_FILE" 2> /dev/null)
check "fast machine: the lead learned is its shift ($ahead ms)" \
	test -n "$ahead" -a "${ahead:-0}" -ge 119950 -a "${ahead:-0}" -le 130000
dated 3 "fast machine, its refresh" "$B3"
cget 1 org-b
expect_eq "the correct machine answers the fast machine's token" "$B3" "$TOKEN"
dated 1 "the correct machine, the fast refresh" "$B3"
until_ok "the fast machine's org-b record in its last 60 s" $((2 * TTL)) leases_left_at_most 59
cget 1 org-b
B1=$TOKEN
check_or_show "$TR" "the correct machine: refreshed with the fast machine's successor" \
	test "$RC" = 0 -a "$B1" != "$B3"
expect_eq "the correct machine: one refresh, no failure, no mint" "1 4 5 0" "$(ostats org-b)"
expect_eq "the correct machine: its token is active" true "$(token_valid "$B1")"

# --- the lock holder cut off from etcd after the server rotated its pair -----------
etcd_ctl del --prefix "${FLEET_PREFIX}failed/" > /dev/null # the backoff above is over
(
	ETCD_ENDPOINTS=${ETCD_CLIENT[2]}
	fleet_machine 4 "connect_timeout_ms = 500" "request_timeout_ms = 1000"
)
cobo_server_ctl POST /_test/fault '{"mode":"hold","on":"refresh","count":1}' > /dev/null ||
	fail "queue hold"
C0=$(ostats org-c)
(cget 4 org-c && printf '%s\n%s\n' "$RC" "$TOKEN" > "$T_TMP/cut.out"; cp "$TR" "$T_TMP/cut.trace") &
CUT=$!
held_wait 1
etcd_member_stop 2 # machine 4's only member: cut off, holding the fleet lock
release
wait "$CUT"
{ read -r CRC; read -r CTOK; } < "$T_TMP/cut.out"
expect_eq "cut off: the holder answers" 0 "$CRC"
check "cut off: ... the new token" test "$CTOK" != "${T1[org-c]}"
expect_eq "cut off: ... valid at the server" true "$(token_valid "$CTOK")"
read -r m0 f0 t0 x0 <<< "$C0"
read -r m1 f1 t1 x1 <<< "$(ostats org-c)"
expect_eq "cut off: one refresh, no mint" "0 1" "$((m1 - m0)) $((f1 - f0))"
check_or_show "$T_TMP/cut.trace" "cut off: the trace says the new pair was kept, but not by etcd" \
	grep -q "store: kept, but not by module 'etcd': etcd unreachable" "$T_TMP/cut.trace"
check "cut off: ... and does not say the refresh failed" \
	bash -c '! grep -q "refresh did not succeed" "$1"' _ "$T_TMP/cut.trace"

# --- a slow machine never answers a token the server has expired ------------------
until_ok "machine 1's org-a token expired at the server" $((2 * TTL)) expired_at_server "${T1[org-a]}"
cget 2 org-a
expect_eq "slow machine after the expiry: answers" 0 "$RC"
check "slow machine after the expiry: not the expired token" test "$TOKEN" != "${T1[org-a]}"
expect_eq "slow machine after the expiry: a token valid at the server" true "$(token_valid "$TOKEN")"
expect_eq "slow machine after the expiry: by refresh, no mint" "1 1 2 0" "$(ostats org-a)"

lc_done
