#!/bin/bash
# pkcs11-storm.sh - single flight with the app key in a SoftHSM2 token: 32
# git-credential-cobo processes released together on one stale cached token
# make exactly one refresh, signed in the token, and all answer one new
# valid token; a cold start makes one mint.  The token sees one C_Login per
# process that signed (OpenSC's pkcs11-spy between the helper and SoftHSM2
# counts them): the helpers that found the token refreshed by another never
# reach the token at all, and none logs in twice.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/pkcs11.sh"

N=${P11_STORM_N:-32}
ROUNDS=${P11_STORM_ROUNDS:-2}
SPY=$P11_SPY
[ -n "$SPY" ] || { echo "OpenSC's pkcs11-spy.so missing: scripts/deps.sh test installs opensc"; exit 99; }

lc_server_up
set_ttl 3600
p11_token_init
PINF=$(p11_pin_file)
PUB=$(p11_keygen app-key)
CLIENT_ID=p11-storm-client
cobo_server_register_app "$CLIENT_ID" "$PUB" "$ORG" || exit 99
lc_config "file cobo-oauth" "file" "file"
export COBO_CREDENTIAL_CONFIG=$XDG_CONFIG_HOME/cobo-credential/config
sed -i "s|^app_secret = .*|app_secret = pkcs11:token=$TOKEN;object=app-key?module-path=$SPY\&pin-source=file:$PINF|" \
	"$COBO_CREDENTIAL_CONFIG"
export PKCS11SPY=$SOFTHSM_MODULE
p11_spy_on

# storm ROUND OFFSET: N helpers held at a barrier, then released at once.
# S_OK: how many exited 0 with an empty stderr; S_LOGINS: C_Login calls
# (each helper's spy log is its own file).  The launcher is
# tests/lib/lifecycle.sh's lc_storm_launch.
storm() {
	local d="$T_TMP/storm.$1"
	lc_storm_launch "$d" "$N" COBO_CREDENTIAL_NOW_OFFSET="$2" PKCS11SPY_OUTPUT="$d/spy.{i}"
	S_OK=$LC_STORM_OK
	S_LOGINS=$(cat "$d"/spy.* 2>/dev/null | grep -c 'C_Login' || true)
	S_PIDS=("${LC_STORM_PIDS[@]}")
}

fault '{"mode":"delay","seconds":0.3,"on":"mint"}' # all arrive while it runs
storm 0 0
expect_eq "cold storm: all $N exit 0 with an empty stderr" "$N" "$S_OK"
expect_eq "cold storm: exactly one request, a mint signed in the token" "1 0 1 0" "$(stats)"
expect_eq "cold storm: one C_Login (only the minting helper reached the token)" 1 "$S_LOGINS"
PREV=$(sed -n 's/^password=//p' "$T_TMP"/storm.0/out.* | sort -u | head -n 1)
expect_eq "cold storm: the token is valid" true "$(token_valid "$PREV")"

BAD=0
for ((r = 1; r <= ROUNDS; r++)); do
	before=$(stats)
	fault '{"mode":"delay","seconds":0.1,"on":"refresh"}'
	storm "$r" $((r * 3300))
	after=$(stats)
	read -r m0 f0 t0 x0 <<<"$before"
	read -r m1 f1 t1 x1 <<<"$after"
	lc_storm_answers "$T_TMP/storm.$r" "$PREV" "${S_PIDS[@]}"
	if [ "$S_OK" != "$N" ] || [ "$A_TOKENS $A_BAD" != "1 0" ] || [ "$S_LOGINS" != 1 ] ||
		[ "$((f1 - f0)) $((m1 - m0)) $((t1 - t0)) $((x1 - x0))" != "1 0 1 0" ] ||
		[ "$(token_valid "$A_TOKEN")" != true ]; then
		BAD=$((BAD + 1))
		fail "storm round $r: ok=$S_OK/$N tokens=$A_TOKENS bad=$A_BAD logins=$S_LOGINS stats $before -> $after"
		sed 's/^/       /' "$T_TMP/storm.$r"/err.* | head -n 5
	fi
	PREV=$A_TOKEN
done
expect_eq "$ROUNDS storms of $N helpers on a stale token: one refresh, one C_Login, one new token each" \
	0 "$BAD"
t_done
