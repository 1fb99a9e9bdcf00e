#!/bin/bash
# etcd-attacker.sh - the fleet store against someone who can write to etcd
# but has no fleet key (an operator, a stolen etcd password, a backup put
# back), with a real 3-member cluster and real helpers:
#   - copies of a record under keys that differ only after a NUL byte, or
#     by any byte this module never writes, are passed over: never
#     answered, and they do not disturb the compare-and-swap on the
#     original (generated variants of both records of an org);
#   - keys under a lock's prefix that are not named after a live lease of
#     their own (put without a lease, named after another lease) are no
#     holders: a refresh goes on at once, one variant at a time and all
#     together; a key of a live lease is still waited for;
#   - rollback: older sealed records (taken from etcd's history) put back
#     under their own keys, access record, refresh record or both, are
#     refused by a machine that has seen newer ones: the old access token
#     is never answered again and the old refresh token never spent (the
#     server counts no failed refresh); a record written over one rolled
#     back is newer than both, so a machine without marks reads it;
#   - a record of the older cc1 format is passed over: the fleet mints;
#   - a value of an unknown key id planted beside the fleet's records
#     never stops a mint.
# etcd is read and written through its JSON gateway (tests/etcd/gateway.sh),
# which takes keys of any bytes.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/etcd.sh"

# No member is stopped here: a heartbeat every 100 ms, not tests/lib/etcd.sh's
# 50 (which its member-stop tests want), halves what an idle cluster costs
# (about 85 ms of CPU a second for three members at 50 ms).
ETCD_EXTRA_ARGS=(--heartbeat-interval 100 --election-timeout 1000)
fleet_up
set_ttl 3600
for m in 1 2 3 4; do fleet_machine "$m"; done

. "$top_srcdir/tests/etcd/gateway.sh" # etcd_gw, etcd_put_raw, etcd_val & co.

# etcd_keys SUB: the printable keys under the fleet prefix + SUB, sorted.
etcd_keys() { etcd_lskeys "$1" | LC_ALL=C sort; }

# variants KEY: hex of keys that start like KEY or differ from it by one
# byte this module never writes, one per line (generated: NUL and every
# other control byte after the name, text after a NUL, the name doubled,
# case, a byte cut or added, separators).
variants() {
	"$PYTHON" -c '
import sys
k = sys.argv[1].encode()
out = set()
for b in list(range(0, 32)) + [32, 47, 127, 255]:
    out.add(k + bytes([b]))
for tail in [b"x", b"\0", b"/", b"0", k, b"../tok", bytes(range(1, 9))]:
    out.add(k + b"\0" + tail)
out.add(k[:-64] + k[-64:].upper()); out.add(k[:-1]); out.add(k + b"0"); out.add(k[:-1] + b"g")
out.add(k[:-1] + b"A"); out.add(k.replace(b"/tok/", b"/tok//"))
out.discard(k)
for v in sorted(out): print(v.hex())
' "$1"
}

# --- 1. copies under NUL-suffixed and other near-miss keys ---------------------------
fleet_get 1 org-a
expect_eq "machine 1 mints org-a's first token" "1 0 1 0" "$(ostats org-a)"
T1=$TOKEN
mapfile -t RECS < <(etcd_lskeys tok/)
expect_eq "two records (access and refresh)" 2 "${#RECS[@]}"
: > "$T_TMP/plant"
for k in "${RECS[@]}"; do
	etcd_val "$k"
	v=$VAL
	variants "$k" | sed "s|\$| $v|" >> "$T_TMP/plant"
done
NV=$(grep -c . "$T_TMP/plant")
etcd_put_raw < "$T_TMP/plant" || fail "planting the copies"
expect_eq "$NV copies planted beside the records" $((NV + 2)) "$(etcd_nkeys tok/)"

# With the originals in place, a refresh still writes over them: the copies'
# revisions never stand in for the originals' in the compare-and-swap.
# (the helper's clock ahead and the access record's lease ended: stale on
# both clocks that judge it, tests/lib/etcd.sh etcd_end_leases)
expect_eq "copies beside the records: the access record's lease ended" 1 \
	"$(etcd_end_leases 3000 3700)"
fleet_get 2 org-a COBO_CREDENTIAL_NOW_OFFSET=3300 COBO_CREDENTIAL_TRACE="$T_TMP/copies.trace"
expect_eq "copies beside the records: the refresh succeeds" 0 "$RC"
check "copies beside the records: a new token" test -n "$TOKEN" -a "$TOKEN" != "$T1"
expect_eq "copies beside the records: one refresh, no mint" "1 1 2 0" "$(ostats org-a)"
T2=$TOKEN
check "copies beside the records: no compare-and-swap refused" \
	bash -c '! grep -q "another writer changed the record" "$1"' _ "$T_TMP/copies.trace"

# With the originals gone, only the copies (holding T1, still valid) remain:
# a fresh machine must not take any of them for the record.
for k in "${RECS[@]}"; do etcd_del "$k"; done
fleet_get 3 org-a COBO_CREDENTIAL_TRACE="$T_TMP/copies2.trace"
check "only copies left: the copied token is never answered" test "$TOKEN" != "$T1"
expect_eq "only copies left: a fresh mint instead" "2 1 3 0" "$(ostats org-a)"
check "only copies left: the trace says they were passed over" \
	grep -q "passed over a key .* never writes" "$T_TMP/copies2.trace"

# --- 2. lock keys without a live lease of their own ----------------------------------
fleet_get 1 org-b COBO_CREDENTIAL_TRACE="$T_TMP/lock.trace"
expect_eq "machine 1 mints org-b's first token" "1 0 1 0" "$(ostats org-b)"
LOCKNAME=$(sed -n 's/.*locked fleet lock \([^ ]*\) at .*/\1/p' "$T_TMP/lock.trace" | head -n 1)
LOCKPATH=$(sed -n 's/.*locked fleet lock [^ ]* at \([^ ]*\) (lease.*/\1/p' "$T_TMP/lock.trace" | head -n 1)
check "the trace names the fleet lock ($LOCKNAME) and its key ($LOCKPATH)" \
	test -n "$LOCKNAME" -a -n "$LOCKPATH"
check "the lock's key in etcd is keyed: it holds neither the host's name nor its hash part" \
	bash -c '[[ $1 != *"$2"* && $1 != *"${2#*-}"* ]]' _ "$LOCKPATH" "$LOCKNAME"
W=$LOCKPATH/
LOCKREL=${LOCKPATH#"$FLEET_PREFIX"}
etcd_grant 600
LIVE_ID=$LEASE
printf -v LIVE '%016x' "$LIVE_ID" # as etcdctl prints a lease: zero-padded hex
# lease-less keys of every shape, then one bound to a live lease but named
# after another (hex of KEY, one per line; "live" marks the last kind)
"$PYTHON" -c '
import random, sys
w = sys.argv[1].encode(); live = sys.argv[2]
rnd = random.Random(27)
keys = [w, w + b"0", w + b"1", w + b"x", w + b"\0", w + b"abc\0def", w + b"ABCDEF", w + b"/",
        w + b"\n", w + b"7fffffffffffffff", w + live.encode(), w + b"-1", w + b" 1"]
keys += [w + ("%x" % rnd.getrandbits(63)).encode() for _ in range(4)]
for k in keys: print(k.hex())
print((w + b"deadbeef").hex(), "live")
' "$W" "$LIVE" > "$T_TMP/lockkeys"
plant_lock() { # KEYHEX [live]
	if [ "${2:-}" = live ]; then
		etcd_put_hex "$1" x "$LIVE_ID"
	else
		etcd_put_hex "$1" x
	fi
}
R=0 BADL=0
# LeakSanitizer checks the first helper of this loop, not the repeats of its
# path (ASan and UBSan stay on: tests/lib/common.sh t_leak_check_first).
while read -r k kind; do
	R=$((R + 1))
	t_leak_check_first lock-key
	plant_lock "$k" "$kind"
	read -r m0 f0 t0 x0 <<<"$(ostats org-b)"
	etcd_end_leases 3000 3700 > /dev/null
	fleet_get $((R % 3 + 2)) org-b COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300))
	read -r m1 f1 t1 x1 <<<"$(ostats org-b)"
	if [ "$RC" != 0 ] || [ -z "$TOKEN" ] || [ "$((m1 - m0)) $((f1 - f0))" != "0 1" ] ||
		[ "$(etcd_nkeys "$LOCKREL/")" != 0 ]; then
		BADL=$((BADL + 1))
		echo "# lock key $k ${kind:-}: rc=$RC mint/refresh=$((m1 - m0))/$((f1 - f0)) left=$(etcd_nkeys "$LOCKREL/") $ERR"
	fi
done < "$T_TMP/lockkeys"
t_leak_check_all
NL=$(grep -c . "$T_TMP/lockkeys")
expect_eq "$NL lock keys that are no holders, one at a time: each refresh goes on (one refresh, no mint) and the key is gone" \
	0 "$BADL"
# all at once: the lease-less ones with one etcd_put_raw, then the live one
grep -v ' live$' "$T_TMP/lockkeys" | sed 's/$/ x/' | etcd_put_raw || fail "planting the lock keys"
while read -r k kind; do [ "$kind" != live ] || plant_lock "$k" "$kind"; done < "$T_TMP/lockkeys"
R=$((R + 1))
read -r m0 f0 t0 x0 <<<"$(ostats org-b)"
etcd_end_leases 3000 3700 > /dev/null
fleet_get 2 org-b COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300))
read -r m1 f1 t1 x1 <<<"$(ostats org-b)"
expect_eq "all $NL at once: the refresh goes on" "0 0 1" "$RC $((m1 - m0)) $((f1 - f0))"
expect_eq "all $NL at once: none left" 0 "$(etcd_nkeys "$LOCKREL/")"
# A key named after its own live lease is a holder: the helper waits for it
# (its trace says so), and goes on once the lease is revoked.
etcd_end_leases 3000 3700 > /dev/null
etcd_grant 600
HOLD_ID=$LEASE
printf -v HOLD '%x' "$HOLD_ID" # etcd's lock keys: the lease in hex, not zero-padded
str_hex "$W$HOLD"
etcd_put_hex "$HEXOUT" "" "$HOLD_ID"
R=$((R + 1))
: > "$T_TMP/hold.trace"
fleet_get 3 org-b COBO_CREDENTIAL_NOW_OFFSET=$((R * 3300)) COBO_CREDENTIAL_TRACE="$T_TMP/hold.trace" &
WAITER=$!
wait_for "the helper waits for the planted holder" grep -q "waiting for fleet lock" "$T_TMP/hold.trace"
expect_eq "a key of its own live lease is a holder: still there while the helper waits" 1 \
	"$(etcd_nkeys "$LOCKREL/")"
etcd_gw /v3/lease/revoke "{\"ID\":\"$HOLD_ID\"}"
wait "$WAITER"
check "... and once its lease ends the refresh goes on" \
	grep -q "locked fleet lock $LOCKNAME" "$T_TMP/hold.trace"

# --- 3. rollback: older records put back --------------------------------------------
BEFORE_KEYS=$(etcd_keys tok/)
fleet_get 1 org-c
expect_eq "machine 1 mints org-c's first token" "1 0 1 0" "$(ostats org-c)"
mapfile -t CK < <(LC_ALL=C comm -13 <(printf '%s\n' "$BEFORE_KEYS") <(etcd_keys tok/))
expect_eq "org-c has two records" 2 "${#CK[@]}"
HIST_T=("$TOKEN") HIST_A=() HIST_R=()
cur_vals() { local k; for k in "${CK[@]}"; do etcd_val "$k" && printf '%s\n' "$VAL"; done; }
mapfile -t V0 < <(cur_vals)
# history: erase the access token (a rejected token), the next get refreshes
for ((i = 1; i <= 3; i++)); do
	t_leak_check_first history # the first erase and refresh leak-checked, not their repeats
	mapfile -t envs < <(fleet_env 1)
	printf 'protocol=https\nhost=%s\nusername=org-c\npassword=%s\n\n' "$CHOST" "${HIST_T[-1]}" |
		env "${envs[@]}" "$HELPER" erase
	if [ $i = 1 ]; then # the record the erase removed is the access record
		etcd_val "${CK[0]}"
		if [ -z "$VAL" ]; then
			AK=${CK[0]} RK=${CK[1]} HIST_A+=("${V0[0]}") HIST_R+=("${V0[1]}")
		else
			AK=${CK[1]} RK=${CK[0]} HIST_A+=("${V0[1]}") HIST_R+=("${V0[0]}")
		fi
	fi
	fleet_get 1 org-c
	[ "$RC" = 0 ] && [ -n "$TOKEN" ] || fail "history step $i: $ERR"
	HIST_T+=("$TOKEN")
	etcd_val "$AK"
	HIST_A+=("$VAL")
	etcd_val "$RK"
	HIST_R+=("$VAL")
done
t_leak_check_all
expect_eq "history: one mint, three refreshes" "1 3 4 0" "$(ostats org-c)"
fleet_get 2 org-c
expect_eq "machine 2 reads the newest token from etcd" "${HIST_T[3]}" "$TOKEN"
MARKS=$T_TMP/m2/run/cobo-credential/etcd-generations
check "machine 2 keeps its generation marks in a private file" \
	test "$(stat -c %a "$MARKS" 2>/dev/null)" = 600
BADR=0 NR=0
for j in 0 1 2; do
	for kind in access both refresh; do
		NR=$((NR + 1))
		case $kind in
		access) etcd_put "$AK" "${HIST_A[$j]}" ;;
		both) etcd_put "$AK" "${HIST_A[$j]}"
			etcd_put "$RK" "${HIST_R[$j]}" ;;
		refresh) etcd_del "$AK"
			etcd_put "$RK" "${HIST_R[$j]}" ;;
		esac
		rm -f "$T_TMP/m2/store"
		t_leak_check_first "rollback-$kind" # the first of each kind leak-checked
		read -r m0 f0 t0 x0 <<<"$(ostats org-c)"
		fleet_get 2 org-c COBO_CREDENTIAL_TRACE="$T_TMP/rb.trace"
		read -r m1 f1 t1 x1 <<<"$(ostats org-c)"
		got="$((m1 - m0)) $((f1 - f0)) $((x1 - x0))"
		case $kind in access) want="0 1 0" ;; *) want="1 0 0" ;; esac
		if [ "$RC" != 0 ] || [ -z "$TOKEN" ] || printf '%s\n' "${HIST_T[@]}" | grep -qxF -- "$TOKEN" ||
			[ "$got" != "$want" ] || [ "$(token_valid "$TOKEN")" != true ] ||
			! grep -q "rolled back" "$T_TMP/rb.trace"; then
			BADR=$((BADR + 1))
			echo "# rollback to step $j, $kind: rc=$RC mint/refresh/failed=$got (want $want) $ERR"
		fi
		HIST_T+=("$TOKEN")
	done
done
t_leak_check_all
expect_eq "$NR records rolled back (3 ages x access, both, refresh): refused, no old token answered, none spent" \
	0 "$BADR"
fleet_machine 9
fleet_get 9 org-c
expect_eq "a machine without marks reads the record written over the rolled-back one" \
	"${HIST_T[-1]}" "$TOKEN"

# --- 4. records of the older format are passed over, not read ------------------------
etcd_val "$RK"
KID=${VAL#*.} KID=${KID%%.*} # the key id: the second dot-separated field
etcd_put "$AK" "cc1.$KID.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
etcd_put "$RK" "cc1.$KID.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
read -r m0 f0 t0 x0 <<<"$(ostats org-c)"
fleet_machine 10
fleet_get 10 org-c COBO_CREDENTIAL_TRACE="$T_TMP/cc1.trace"
read -r m1 f1 t1 x1 <<<"$(ostats org-c)"
expect_eq "a cc1 record is passed over: a mint, no refresh, no failure" "0 1 0 0" \
	"$RC $((m1 - m0)) $((f1 - f0)) $((x1 - x0))"
check "... traced as the older format" grep -q "older cc1 format: passed over" "$T_TMP/cc1.trace"
etcd_val "$RK"
expect_eq "... and the new format written in its place" cc2. "${VAL:0:4}"

# --- 5. a value of another key id planted beside the fleet's records ---------------
# org-a's records gone, a value sealed (so it says) with an unknown key under
# a record name: a machine that opens the fleet's other records still mints.
for k in "${RECS[@]}"; do etcd_del "$k"; done
etcd_put "${FLEET_PREFIX}tok/$(openssl rand -hex 32)" \
	"cc2.deadbeef.$(openssl rand -base64 48 | tr -d '\n')"
read -r m0 f0 t0 x0 <<<"$(ostats org-a)"
fleet_machine 11
fleet_get 11 org-a
read -r m1 f1 t1 x1 <<<"$(ostats org-a)"
expect_eq "a value of another key id planted beside the fleet's records does not stop a mint" \
	"0 1" "$RC $((m1 - m0))"
check "... a token is answered" test -n "$TOKEN"

lc_done
