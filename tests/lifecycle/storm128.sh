# tests/lifecycle/storm128.sh - the storm of issue 13, sourced by
# lifecycle-storm128-STACK.sh with STORM_STACK=file|keyring|kernel: 128
# git-credential-cobo processes released together on one stale cached token
# make exactly one refresh (counted at the test server), all answer the same
# new valid token (but a helper whose wait outlasted its lock timeout, which
# answers the old, still valid one and says so in its trace:
# lc_storm_answers), and none fails.
#
# The waiters read the refreshed token in parallel under the shared lock,
# not one by one under the exclusive one: counted in the helpers' traces,
# whatever the machine's load.  No helper of a storm waits for the exclusive
# lock (the lock service's "waiting for lock mint-... (held" line without
# "(shared)"): the refresher takes it without waiting, everybody else waits
# for the shared one; a queue would show up to N-1 such waits.  At least one
# helper reads the new token under the shared lock.
#
# The time is measured and printed (storm / (one refresh + 128 cached gets),
# where "128 cached gets" is 128 helpers released together on a fresh token,
# so already "/ cores"), and bounded only loosely: at most 5 x, the margin
# issue 12 asks of a wall-clock bound.  Issue 13's 2 x held on a quiet
# machine (1.05-1.09 x measured) but not under make -j6 beside busy loops
# (2.5 x once: the reference and the storm saw different loads), and it
# never told a queue from parallel reads: with the shared lock taken out,
# the storm took 1.11 x here, while the count above failed at once.
#
# LC_STORM128_ROUNDS (default 3; the ASan pass can run 1) rounds, each:
#   cached   128 helpers on a fresh token: no lock, no request
#   refresh  one helper on a stale token: one refresh, alone
#   storm    128 helpers on a stale token
# The helpers' clock moves 3300 s per step on 3600 s tokens (300 s left:
# inside the 360 s refresh window), so each step starts stale.
. "$top_srcdir/tests/lib/lifecycle.sh"

N=${LC_STORM128_N:-128}
ROUNDS=${LC_STORM128_ROUNDS:-3}
STACK=${STORM_STACK:?STORM_STACK=file|keyring|kernel}

# The tiers the tokens live in: the kernel tier holds access tokens only
# (its default), so its refresh token goes to the file, as in the built-in
# headless stack.
TIERS=$STACK
case $STACK in
file) ;;
keyring)
	. "$top_srcdir/tests/lib/gnome-keyring.sh"
	keyring_start || { echo "FAIL - keyring_start"; exit 1; }
	;;
kernel)
	# plugins/kernel: run only where it is built; the test's own session
	# keyring (lifecycle-storm128-kernel.sh runs under `keyctl session`).
	if [ ! -e "${COBO_CREDENTIAL_MODULE_PATH%%:*}/kernel.so" ]; then
		echo "no kernel.so in $COBO_CREDENTIAL_MODULE_PATH: plugins/kernel not built"
		exit 77
	fi
	TIERS="kernel file"
	;;
*)
	echo "unknown STORM_STACK=$STACK"
	exit 99
	;;
esac

lc_server_up
lc_config "$TIERS cobo-oauth" "$TIERS" "$TIERS"
set_ttl 3600

# burst DIR OFFSET: N helpers held at a barrier, then released at once.
# Sets B_MS (go to the last exit), B_OK (exit 0, empty stderr), B_TOKENS
# (distinct passwords), B_TOKEN (the one, if one), B_SHARED (how many read
# the refreshed token under the shared lock), B_LOCKED (exclusive takes),
# B_XWAIT (waits for the exclusive lock).
# The launcher and its barrier are tests/lib/lifecycle.sh's lc_storm_*.
burst() {
	local d="$T_TMP/burst.$1"
	lc_storm_launch "$d" "$3" COBO_CREDENTIAL_NOW_OFFSET="$2"
	B_OK=$LC_STORM_OK
	B_MS=$LC_STORM_MS
	B_TOKENS=$(sed -n 's/^password=//p' "$d"/out.* | sort -u | grep -c . || true)
	B_TOKEN=$(sed -n 's/^password=//p' "$d"/out.* | sort -u | head -n 1)
	B_SHARED=$(grep -c 'seen under the shared lock' "$d/trace" || true)
	B_LOCKED=$(grep -c 'locked mint-[0-9a-f]*$' "$d/trace" || true)
	B_XWAIT=$(grep -c 'waiting for lock mint-[0-9a-f]* (held' "$d/trace" || true)
	B_PIDS=("${LC_STORM_PIDS[@]}")
}

# delta BEFORE AFTER: "mint refresh failed" between two stats lines.
delta() {
	local m0 f0 t0 x0 m1 f1 t1 x1
	read -r m0 f0 t0 x0 <<<"$1"
	read -r m1 f1 t1 x1 <<<"$2"
	echo "$((m1 - m0)) $((f1 - f0)) $((x1 - x0))"
}

# The first token: one mint, offset 0.
lc_get
expect_eq "$STACK: first get mints a token" "0 true" "$RC $(token_valid "$TOKEN")"

BAD=0 WAITED_OUT=0 STEP=0 SUM_STORM=0 SUM_REF=0 SUM_SHARED=0 SUM_LOCKED=0 SUM_XWAIT=0
for ((r = 1; r <= ROUNDS; r++)); do
	# A round starts from a fresh token, whatever the last one left
	# (a refresh that failed leaves the stale one, which this renews).
	lc_get COBO_CREDENTIAL_NOW_OFFSET=$((STEP * 3300))
	PREV=$TOKEN
	# cached: N gets of a fresh token, no request
	before=$(stats)
	burst "$r.cached" $((STEP * 3300)) "$N"
	cached_ms=$B_MS
	if [ "$B_OK $B_TOKENS $B_TOKEN $(delta "$before" "$(stats)")" != "$N 1 $PREV 0 0 0" ]; then
		BAD=$((BAD + 1))
		fail "round $r, cached: ok=$B_OK/$N distinct=$B_TOKENS same=$([ "$B_TOKEN" = "$PREV" ] && echo yes) requests $(delta "$before" "$(stats)")"
	fi
	# refresh: one helper alone on a stale token
	STEP=$((STEP + 1))
	before=$(stats)
	burst "$r.refresh" $((STEP * 3300)) 1
	refresh_ms=$B_MS
	if [ "$B_OK $(delta "$before" "$(stats)")" != "1 0 1 0" ] || [ "$B_TOKEN" = "$PREV" ]; then
		BAD=$((BAD + 1))
		fail "round $r, one refresh: ok=$B_OK requests $(delta "$before" "$(stats)")"
	fi
	PREV=$B_TOKEN
	# storm: N helpers on a stale token
	STEP=$((STEP + 1))
	before=$(stats)
	burst "$r.storm" $((STEP * 3300)) "$N"
	after=$(stats)
	lc_storm_answers "$T_TMP/burst.$r.storm" "$PREV" "${B_PIDS[@]}"
	valid=$(token_valid "$A_TOKEN")
	if [ "$B_OK $A_TOKENS $A_BAD $(delta "$before" "$after") $valid" != "$N 1 0 0 1 0 true" ]; then
		BAD=$((BAD + 1))
		fail "round $r, storm: ok=$B_OK/$N new tokens=$A_TOKENS old without a timed-out wait=$A_BAD requests (mint refresh failed) $(delta "$before" "$after") valid=$valid"
		sed 's/^/       /' "$T_TMP/burst.$r.storm"/err.* | sort | uniq -c | head -n 5
	fi
	WAITED_OUT=$((WAITED_OUT + A_WAITED))
	PREV=$A_TOKEN
	SUM_STORM=$((SUM_STORM + B_MS))
	SUM_REF=$((SUM_REF + refresh_ms + cached_ms))
	SUM_SHARED=$((SUM_SHARED + B_SHARED))
	SUM_LOCKED=$((SUM_LOCKED + B_LOCKED))
	SUM_XWAIT=$((SUM_XWAIT + B_XWAIT))
	echo "# round $r: storm $B_MS ms; one refresh $refresh_ms ms, $N cached gets $cached_ms ms; $B_SHARED answered under the shared lock, $B_LOCKED took the exclusive one ($B_XWAIT after a wait), $A_WAITED the old token after a timed-out wait"
done

expect_eq "$STACK: $ROUNDS storms of $N helpers: one refresh each, one new valid token for all (or the old one after a timed-out wait: $WAITED_OUT), none failed" \
	0 "$BAD"
check "$STACK: the waiters read the refreshed token under the shared lock ($SUM_SHARED of $((ROUNDS * (N - 1))))" \
	test "$SUM_SHARED" -ge "$ROUNDS"
expect_eq "$STACK: no helper of a storm queued for the exclusive lock" 0 "$SUM_XWAIT"
check "$STACK: storms took $SUM_STORM ms <= 5 x (one refresh + $N cached gets) = 5 x $SUM_REF ms" \
	test "$SUM_STORM" -le $((5 * SUM_REF))
echo "# $STACK: storm / (one refresh + $N cached gets) = $SUM_STORM / $SUM_REF ms; exclusive takes in storms: $SUM_LOCKED"
lc_done
