#!/bin/bash
# etcd-fleet.sh - a fleet of four simulated machines (separate HOME,
# runtime directory and local file tier) sharing one 3-member etcd cluster:
#   - storms: each machine runs N helpers (default 32) on stale tokens of
#     three orgs at once; across the fleet exactly one refresh per org, and
#     every helper of an org answers the same new valid token; ROUNDS times
#     (ETCD_FLEET_ROUNDS, default 10; the ASan pass runs fewer);
#   - a member killed (-9) while the refreshers hold the fleet lock: still
#     one refresh per org, no helper fails;
#   - a helper killed -9 while it holds the lock: another machine takes the
#     lock when its lease ends and goes on by refresh, not by mint;
#   - every member killed: a valid local token is still answered; with none
#     valid, a clear transient error well within the configured timeout.
# Events are ordered with barriers (a start barrier, the server's hold and
# release, the helpers' trace lines), never sleeps.  A token is made stale
# on both clocks that judge it: the helpers' (COBO_CREDENTIAL_NOW_OFFSET,
# for their local tier) and the cluster's (its record's lease is ended,
# etcd_end_leases: a reader dates an etcd record by what its lease has left).
age() { expect_eq "$1: the access records' leases ended" "$2" "$(etcd_end_leases 3000 3700)"; }
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/etcd.sh"

N=${ETCD_FLEET_N:-32}
ROUNDS=${ETCD_FLEET_ROUNDS:-10}
M=4

fleet_up
set_ttl 3600
for ((m = 1; m <= M; m++)); do fleet_machine "$m"; done

# The first tokens: one mint per org, on machine 1.
declare -A PREV BEFORE
for org in "${ORGS[@]}"; do
	fleet_get 1 "$org"
	[ "$RC" = 0 ] && [ -n "$TOKEN" ] || fail "cold mint for $org: $ERR"
	PREV[$org]=$TOKEN
done
expect_eq "cold start: one mint per org" "1 0 1 0|1 0 1 0|1 0 1 0" \
	"$(ostats org-a)|$(ostats org-b)|$(ostats org-c)"

# storm TAG OFFSET [KILL_MEMBER]: N helpers on each machine, helper i asks for
# ORGS[i % 3], all started at one barrier with their clocks OFFSET seconds
# ahead.  With KILL_MEMBER, the helpers run until
# a refresh arrived at the server (its holder keeps the lock for 1 s more),
# and that etcd member is killed -9 then.  Sets S_OK (helpers that exited
# 0 with an empty stderr), S_BAD (a line per problem).
storm() {
	local d="$T_TMP/storm.$1" off=$2 kill=${3:-} m i pids=() org envs n=$((M * N))
	mkdir -p "$d"
	if [ -n "$kill" ]; then
		fault '{"mode":"delay","seconds":1,"on":"refresh","count":3}'
	else
		fault '{"mode":"delay","seconds":0.1,"on":"refresh","count":3}'
	fi
	lc_storm_hold "$d"
	for ((m = 1; m <= M; m++)); do
		mapfile -t envs < <(fleet_env "$m")
		for ((i = 0; i < N; i++)); do
			org=${ORGS[$((i % 3))]}
			(
				lc_storm_ready "$d"
				fleet_request "$org"
			) | env "${envs[@]}" COBO_CREDENTIAL_NOW_OFFSET="$off" \
				COBO_CREDENTIAL_TRACE="$d/trace.$m" \
				"$HELPER" get > "$d/out.$m.$org.$i" 2> "$d/err.$m.$i" &
			pids+=($!)
		done
	done
	lc_storm_go "$d" "$n"
	if [ -n "$kill" ]; then
		# a refresher holds the fleet lock and waits on the server: kill now
		wait_for "a refresh at the server" refresh_arrived
		etcd_member_stop "$kill" KILL
	fi
	S_OK=0
	for ((i = 0; i < n; i++)); do
		if wait "${pids[$i]}"; then S_OK=$((S_OK + 1)); fi
	done
	S_OK=$((S_OK - $(find "$d" -name 'err.*' -size +0 | wc -l)))
	S_D=$d
}

# judge TAG BEFORE...: one refresh and no mint per org since BEFORE, one
# new valid token per org answered by every helper of that org.
judge_round() {
	local tag=$1 org toks tok m0 f0 t0 x0 m1 f1 t1 x1 bad=""
	[ "$S_OK" = $((M * N)) ] || bad+=" ok=$S_OK/$((M * N))"
	for org in "${ORGS[@]}"; do
		toks=$(cat "$S_D"/out.*."$org".* | sed -n 's/^password=//p' | sort -u)
		tok=$(head -n 1 <<<"$toks")
		read -r m0 f0 t0 x0 <<<"${BEFORE[$org]}"
		read -r m1 f1 t1 x1 <<<"$(ostats "$org")"
		[ "$(grep -c . <<<"$toks")" = 1 ] || bad+=" $org:$(grep -c . <<<"$toks")tokens"
		[ "$tok" != "${PREV[$org]}" ] || bad+=" $org:not-new"
		[ "$((m1 - m0)) $((f1 - f0)) $((x1 - x0))" = "0 1 0" ] ||
			bad+=" $org:mint/refresh/failed=$((m1 - m0))/$((f1 - f0))/$((x1 - x0))"
		[ "$(token_valid "$tok")" = true ] || bad+=" $org:invalid"
		PREV[$org]=$tok
	done
	if [ -n "$bad" ]; then
		fail "storm $tag:$bad"
		cat "$S_D"/err.* | sort | uniq -c | head -n 5 | sed 's/^/       /'
		grep -h "refresh did not succeed" "$S_D"/trace.* | sed 's/^[^:]*: //; s/valid [0-9]* s more//' |
			sort | uniq -c | head -n 5 | sed 's/^/       /'
		return 1
	fi
	return 0
}
refresh_arrived() {
	local org m0 f0 t0 x0 m1 f1 t1 x1
	for org in "${ORGS[@]}"; do
		read -r m0 f0 t0 x0 <<<"${BEFORE[$org]}"
		read -r m1 f1 t1 x1 <<<"$(ostats "$org")"
		[ "$f1" -gt "$f0" ] && return 0
	done
	return 1
}
snapshot() { local org; for org in "${ORGS[@]}"; do BEFORE[$org]=$(ostats "$org"); done; }

# --- storms --------------------------------------------------------------------
BADR=0 T0=$(ms)
for ((r = 1; r <= ROUNDS; r++)); do
	snapshot
	age "storm $r" 3
	storm "$r" $((r * 3300))
	judge_round "$r" || BADR=$((BADR + 1))
done
T1=$(ms)
expect_eq "$ROUNDS storms of $M machines x $N helpers on 3 orgs: one refresh per org per storm, one token per org for all" \
	0 "$BADR"
WAITED=$(cat "$T_TMP"/storm.*/trace.* | grep -c 'another process refreshed it meanwhile' || true)
check "helpers waited on the fleet lock and took another machine's refresh ($WAITED)" \
	test "$WAITED" -ge $((ROUNDS * M))
SEEN=$(for ((m = 1; m <= M; m++)); do
	cat "$T_TMP"/storm.*/trace.$m | grep -q 'get cobo-oauth: SUCCESS' && echo "$m"; done | grep -c .)
echo "# $ROUNDS storms of $((M * N)) helpers: $((T1 - T0)) ms; machines that refreshed: $SEEN"
check "a helper that finds the fleet lock held traces a wait" \
	grep -q "fleet lock mint-[0-9a-f]* is held by another machine; waiting for it" "$T_TMP"/storm.1/trace.*
check "... not an error" \
	bash -c '! grep -q "error: .*fleet lock .* is held" "$@"' _ "$T_TMP"/storm.1/trace.*
check "the lock service was the module's" grep -q "lock service: module 'etcd'" "$T_TMP/storm.1/trace.1"

# --- a member killed while the refreshers hold the lock ----------------------------
R=$((ROUNDS + 1))
snapshot
age "storm kill" 3
storm kill $((R * 3300)) 0
judge_round "with member 0 killed" && pass "member 0 killed -9 mid-storm: one refresh per org, no helper failed"

# --- a helper killed -9 while it holds the lock -----------------------------------
R=$((R + 1))
for m in 1 2 3; do fleet_machine "$m" "lock_ttl = 2"; done
snapshot
age takeover 3
fault '{"mode":"hold","on":"refresh","count":1}'
mapfile -t envs < <(fleet_env 1)
fleet_request org-a | env "${envs[@]}" COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300)) \
	"$HELPER" get > /dev/null 2>&1 &
VICTIM=$!
held_wait 1
kill -9 "$VICTIM"
wait "$VICTIM" 2>/dev/null
TK0=$(ms)
fleet_get 2 org-a COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300)) COBO_CREDENTIAL_TRACE="$T_TMP/takeover.trace"
TK1=$(ms)
expect_eq "takeover: machine 2 answers" 0 "$RC"
expect_eq "takeover: a new valid token" true "$(token_valid "$TOKEN")"
check "takeover: machine 2 waited for the dead holder's lock" \
	grep -q 'waiting for fleet lock' "$T_TMP/takeover.trace"
check "takeover: ... until the 2 s lease ended (waited $((TK1 - TK0)) ms)" test $((TK1 - TK0)) -ge 1000
read -r m0 f0 t0 x0 <<<"${BEFORE[org-a]}"
read -r m1 f1 t1 x1 <<<"$(ostats org-a)"
expect_eq "takeover: by refresh, not by mint (victim's held + machine 2's)" "0 2" \
	"$((m1 - m0)) $((f1 - f0))"
R=$((R + 1))
age "the chain" 1
fleet_get 3 org-a COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300))
read -r m2 f2 t2 x2 <<<"$(ostats org-a)"
expect_eq "the chain goes on: the next refresh on machine 3 works, no mint" "0 1 0" \
	"$((m2 - m1)) $((f2 - f1)) $((x2 - x1))"
LAST_A=$TOKEN

# --- every member killed -------------------------------------------------------------
etcd_cluster_stop
for m in 1 2 3 4; do fleet_machine "$m" "connect_timeout_ms = 1000" "request_timeout_ms = 2000"; done
snapshot
fleet_get 3 org-a COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300))
expect_eq "all down: machine 3's fresh local token is answered" "$LAST_A" "$TOKEN"
fleet_get 3 org-a COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300 + 3300)) COBO_CREDENTIAL_TRACE="$T_TMP/down.trace"
expect_eq "all down: a stale but valid local token is answered" "$LAST_A" "$TOKEN"
check "all down: ... after the lock said etcd is unreachable" grep -q "etcd unreachable" "$T_TMP/down.trace"
TD0=$(ms)
fleet_get 4 org-a COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300 + 3300))
TD1=$(ms)
expect_eq "all down, nothing valid locally: no token" "" "$TOKEN"
expect_match "all down, nothing valid locally: a clear error naming etcd" "etcd unreachable" "$ERR"
check "all down: the error came within 5x the timeouts ($((TD1 - TD0)) ms)" test $((TD1 - TD0)) -lt 15000
expect_eq "all down: no request reached the server" "${BEFORE[org-a]}" "$(ostats org-a)"

lc_done
