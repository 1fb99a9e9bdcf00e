#!/bin/bash
# lifecycle-storm.sh - single flight under load: 32 git-credential-cobo
# processes released together on one stale cached token (real keyring, real
# HTTPS to the Cobo test server) make exactly one refresh request and all
# answer the same new, valid token (or, past its lock timeout on a loaded
# machine, the old, still valid one: lc_storm_answers).  Twenty rounds, each on a freshly stale
# token (the helpers' clock moves 3300 s on a 3600 s token: 300 s left, inside
# the 360 s refresh window), plus a cold start that makes exactly one mint.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

N=${LC_STORM_N:-32}
ROUNDS=${LC_STORM_ROUNDS:-20}

keyring_start || { echo "FAIL - keyring_start"; exit 1; }
lc_server_up
lc_config "keyring cobo-oauth" "keyring" "keyring"
set_ttl 3600

# storm ROUND OFFSET: N helpers, held at a barrier, then released at once.
# Sets S_OK (how many exited 0 with an empty stderr), S_TOKENS (distinct
# passwords answered), S_TOKEN (the one, if just one), S_WAITED (how many found
# the token refreshed by another process after waiting for the lock).
# The launcher is tests/lib/lifecycle.sh's lc_storm_launch.
storm() {
	local d="$T_TMP/storm.$1"
	lc_storm_launch "$d" "$N" COBO_CREDENTIAL_NOW_OFFSET="$2"
	S_OK=$LC_STORM_OK
	S_TOKENS=$(sed -n 's/^password=//p' "$d"/out.* | sort -u | grep -c . || true)
	S_TOKEN=$(sed -n 's/^password=//p' "$d"/out.* | sort -u | head -n 1)
	S_WAITED=$(grep -c 'another process refreshed it meanwhile' "$d/trace" || true)
	S_PIDS=("${LC_STORM_PIDS[@]}")
}

# --- a cold start: nothing cached, one mint --------------------------------
fault '{"mode":"delay","seconds":0.3,"on":"mint"}' # all of them arrive while it runs
storm 0 0
expect_eq "cold storm: all $N exit 0 with an empty stderr" "$N" "$S_OK"
expect_eq "cold storm: one token for all" 1 "$S_TOKENS"
expect_eq "cold storm: exactly one request, a mint" "1 0 1 0" "$(stats)"
expect_eq "cold storm: the token is valid" true "$(token_valid "$S_TOKEN")"
check "cold storm: the others waited for the lock and took the minted token" \
	test "$S_WAITED" -ge 1
PREV=$S_TOKEN

# --- warm storms: one stale token, one refresh per round ------------------------
BAD=0 WAITED=0 WAITED_OUT=0 T0=$(ms)
for ((r = 1; r <= ROUNDS; r++)); do
	before=$(stats)
	fault '{"mode":"delay","seconds":0.1,"on":"refresh"}'
	storm "$r" $((r * 3300))
	after=$(stats)
	read -r m0 f0 t0 x0 <<<"$before"
	read -r m1 f1 t1 x1 <<<"$after"
	lc_storm_answers "$T_TMP/storm.$r" "$PREV" "${S_PIDS[@]}"
	valid=$(token_valid "$A_TOKEN")
	WAITED=$((WAITED + S_WAITED)) WAITED_OUT=$((WAITED_OUT + A_WAITED))
	if [ "$S_OK" != "$N" ] || [ "$A_TOKENS $A_BAD" != "1 0" ] ||
		[ "$((f1 - f0)) $((m1 - m0)) $((t1 - t0)) $((x1 - x0))" != "1 0 1 0" ] ||
		[ "$valid" != true ]; then
		BAD=$((BAD + 1))
		fail "storm round $r: ok=$S_OK/$N new tokens=$A_TOKENS old without a timed-out wait=$A_BAD stats $before -> $after valid=$valid"
		sed 's/^/       /' "$T_TMP/storm.$r"/err.* | head -n 5
	fi
	PREV=$A_TOKEN
done
expect_eq "$ROUNDS storms of $N helpers: every round one refresh, one new valid token for all (or the old one after a timed-out wait: $WAITED_OUT)" \
	0 "$BAD"
expect_eq "in all: $ROUNDS refreshes, one mint, no failed request" "1 $ROUNDS $((ROUNDS + 1)) 0" \
	"$(stats)"
check "the lock was contended (helpers waited and reused the refresh: $WAITED)" \
	test "$WAITED" -ge "$ROUNDS"
expect_eq "the keyring holds the last token, once" "$PREV 1 1" \
	"$(kr_lookup access) $(kr_count access) $(kr_count refresh)"
echo "# $ROUNDS warm storms: $(( $(ms) - T0 )) ms"

lc_done
