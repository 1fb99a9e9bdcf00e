#!/bin/bash
# etcd-store.sh - the etcd module as a fleet's shared store, end to end: a
# real 3-member cluster, the Cobo test server, git-credential-cobo on
# simulated machines (separate HOME and local file tier).  A token minted
# on one machine is answered on another without a request; etcd holds only
# sealed records (etcdctl shows no token byte), each with a lease; a wrong
# fleet key is a clear error, not garbage; a rotation keeps every record
# readable.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/etcd.sh"

fleet_up
set_ttl 3600
fleet_machine 1
fleet_machine 2

# --- one machine mints, another reads it from etcd ---------------------------
fleet_get 1 org-a
expect_eq "machine 1: get exits 0" 0 "$RC"
expect_eq "machine 1: the token is valid" true "$(token_valid "$TOKEN")"
expect_eq "machine 1: one mint" "1 0 1 0" "$(ostats org-a)"
T1=$TOKEN
fleet_get 2 org-a
expect_eq "machine 2: the same token, from etcd" "$T1" "$TOKEN"
expect_eq "machine 2: no request to the server" "1 0 1 0" "$(ostats org-a)"
expect_eq "etcd holds two records (access and refresh)" 2 "$(etcd_count tok/)"

# --- sealed at rest ------------------------------------------------------------
RAW=$(etcd_raw)
RT=$(file_secret refresh 2>/dev/null || true)
check "etcdctl shows no access token bytes" bash -c '! grep -qF -- "$1" <<<"$2"' _ "$T1" "$RAW"
check "etcdctl shows no token prefix (AT_/RT_) at all" bash -c '! grep -q "AT_\|RT_" <<<"$1"' _ "$RAW"
check "etcdctl shows no org id" bash -c '! grep -q "org-a" <<<"$1"' _ "$RAW"
check "every record names its key id" bash -c \
	'[ "$(grep -c "^cc2\.[0-9a-f]\{8\}\." <<<"$1")" = 2 ]' _ "$RAW"
# Record names are keyed with the fleet key: someone who can list etcd and
# guesses org ids (generated: the real ones among 300 others) finds no
# name that a plain hash of a guess gives; with the fleet key the names
# of the real org are found (so the guessed identity is the right one).
NAMES=$(etcd_ctl get --prefix --keys-only "${FLEET_PREFIX}tok/" | grep . | sed 's|.*/||')
GUESS=$("$PYTHON" -c '
import hashlib, hmac, sys
key, url, client, names = bytes.fromhex(open(sys.argv[1]).read().strip()), sys.argv[2], sys.argv[3], set(sys.argv[4].split())
nk = hmac.new(key, b"cobo-credential etcd names v1\0", hashlib.sha256).digest()
orgs = ["org-a", "org-b", "org-c"] + ["org-%d" % i for i in range(300)]
plain = keyed = 0
for org in orgs:
    for kind in ("access", "refresh"):
        b = b"".join(x.encode() + b"\0" for x in ["com.cobo.credential.Token", "base_url", url,
                     "client_id", client, "kind", kind, "org_id", org])
        plain += hashlib.sha256(b).hexdigest() in names
        keyed += hmac.new(nk, b, hashlib.sha256).hexdigest() in names
print(plain, keyed)
' "$FLEET_KEY_FILE" "$COBO_SERVER_URL" "$CLIENT_ID" "$NAMES")
expect_eq "record names: no plain hash of 303 guessed org ids matches; the keyed names of org-a do" \
	"0 2" "$GUESS"
LEASES=$(etcd_ctl get --prefix "${FLEET_PREFIX}tok/" -w json |
	"$PYTHON" -c 'import json,sys; print(sum(1 for kv in json.load(sys.stdin).get("kvs",[]) if int(kv.get("lease",0))))')
expect_eq "each record is bound to a lease" 2 "$LEASES"

# --- a wrong fleet key: a clear error, no garbage, no mint ---------------------------
# (names are keyed with the fleet key: the machine finds no record by name,
# and a miss beside records of a key it lacks is the error)
fleet_key_new "$T_TMP/other.key"
fleet_machine 3 "fleet_key = file:$T_TMP/other.key"
fleet_get 3 org-a
expect_match "wrong key: the error names the fleet key ids" "fleet key id [0-9a-f]{8}.*key id [0-9a-f]{8}" "$ERR"
expect_eq "wrong key: no token answered" "" "$TOKEN"
expect_eq "wrong key: no request to the server" "1 0 1 0" "$(ostats org-a)"

# --- rotation: new key writes, old key still reads --------------------------------
fleet_key_new "$T_TMP/new.key"
fleet_machine 4 "fleet_key = file:$T_TMP/new.key" "fleet_key_previous = file:$FLEET_KEY_FILE"
fleet_get 4 org-a
expect_eq "rotation: a record of the previous key is read" "$T1" "$TOKEN"
# a refresh on machine 4 re-seals both records with the new key (its
# clock ahead makes its local copy stale; the access record's lease ends)
expect_eq "rotation: the access record's lease ended" 1 "$(etcd_end_leases 3000 3700)"
fleet_get 4 org-a COBO_CREDENTIAL_NOW_OFFSET=3300
expect_eq "rotation: the refresh succeeded" 0 "$RC"
check "rotation: a new token" test "$TOKEN" != "$T1"
expect_eq "rotation: one refresh, no mint" "1 1 2 0" "$(ostats org-a)"
T2=$TOKEN
NEWID=$(etcd_raw | sed -n 's/^cc2\.\([0-9a-f]\{8\}\)\..*/\1/p' | sort -u)
expect_eq "rotation: every record is now sealed with one key" 1 "$(grep -c . <<<"$NEWID")"
fleet_machine 5 "fleet_key = file:$T_TMP/new.key"
fleet_get 5 org-a
expect_eq "rotation: a machine with only the new key reads it" "$T2" "$TOKEN"
OLDKEYS=$(etcd_ctl get --prefix --keys-only "${FLEET_PREFIX}tok/" | grep . | sort)
fleet_get 3 org-b
expect_eq "another org on a machine with a wrong key: no token either (it would mint beside the fleet)" \
	"" "$TOKEN"
expect_eq "... and no request to the server" "0 0 0 0" "$(ostats org-b)"
fleet_get 5 org-b
expect_eq "another org on a machine with the new key is minted" "1 0 1 0" "$(ostats org-b)"

# --- a record moved under another key fails authentication ------------------------
fleet_machine 7 "fleet_key = file:$T_TMP/new.key"
echo "# records: $(etcd_count tok/)"
mapfile -t BKEYS < <(etcd_ctl get --prefix --keys-only "${FLEET_PREFIX}tok/" | grep . | sort |
	comm -13 <(printf '%s\n' "$OLDKEYS") -) # org-b's two records
expect_eq "org-b has two records" 2 "${#BKEYS[@]}"
for k in "${BKEYS[@]}"; do
	v=$(etcd_ctl get --print-value-only "$k")
	VALS+=("$v")
done
# swap every pair of records: each now sits under another record's key
n=${#BKEYS[@]}
for ((i = 0; i < n; i++)); do
	etcd_ctl put "${BKEYS[$i]}" "${VALS[$(((i + 1) % n))]}" >/dev/null
done
fleet_get 7 org-b
expect_match "a moved record: the error says it failed authentication" "failed authentication" "$ERR"
expect_eq "a moved record: no token answered" "" "$TOKEN"
for ((i = 0; i < n; i++)); do etcd_ctl put "${BKEYS[$i]}" "${VALS[$i]}" >/dev/null; done

# --- erase reaches etcd ------------------------------------------------------------
fleet_get 5 org-c
T3=$TOKEN
before=$(etcd_count tok/)
mapfile -t envs < <(fleet_env 5)
printf 'protocol=https\nhost=%s\nusername=org-c\npassword=%s\n\n' "$CHOST" "$T3" |
	env "${envs[@]}" "$HELPER" erase
expect_eq "erase of a rejected token removes its etcd record" $((before - 1)) "$(etcd_count tok/)"

# --- config errors fail closed ------------------------------------------------------
fleet_machine 6 "lock_tll = 5"
fleet_get 6 org-a
expect_match "a typo in [module etcd] fails closed with FILE:LINE" "config:[0-9]+: .*lock_tll" "$ERR"
fleet_machine 6 "fleet_key = $T1"
fleet_get 6 org-a
expect_match "a fleet key written in the config is refused" "fleet_key: .*file:PATH or env:VAR" "$ERR"
check "... without echoing it" bash -c '! grep -qF -- "$1" <<<"$2"' _ "$T1" "$ERR"
chmod 644 "$FLEET_KEY_FILE"
fleet_get 1 org-b
expect_match "a fleet key file others can read is refused" "fleet_key: .*chmod" "$ERR"
chmod 600 "$FLEET_KEY_FILE"

t_done
