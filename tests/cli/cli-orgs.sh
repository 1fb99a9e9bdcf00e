#!/bin/bash
# cli-orgs.sh - one app, many orgs (issue 14) through cobo-credential
# against the Cobo test server: a profile with an org list and one with
# org_id = *, token --org in every format, an org the profile does not
# serve never minted, no org named: a clear error listing them, status
# per org, logout --org and logout of every org, one lock per (app, org)
# (a held mint for org A does not stop org B), and the per-org cache
# shared by profiles of the same app.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"

ORG=org-a
ORGB=org-b
ORGC=org-c   # installed, but not in the list profile
ORGD=org-d   # installed, reached only through org_id = *
cli_server_start
cobo_server_register_app "$CLIENT_ID" "$PUB" "$ORG" "$ORGB" "$ORGC" "$ORGD" > /dev/null || exit 99
cli_setup_flags
cli_file_stack
cc_in "$SEED" setup --name one "${SETUP[@]}" --key-file - --no-verify
expect_eq "setup: exit 0" 0 "$RC"
cat >> "$COBO_CREDENTIAL_CONFIG" <<EOF
[profile list]
base_url = $COBO_SERVER_URL
server_key = $COBO_SERVER_PUBKEY
ca_file = $COBO_SERVER_CA
client_id = $CLIENT_ID
org_id = $ORG, $ORGB
app_secret = file:$XDG_DATA_HOME/cobo-credential/keys/$CLIENT_ID.key
[profile any]
base_url = $COBO_SERVER_URL
server_key = $COBO_SERVER_PUBKEY
ca_file = $COBO_SERVER_CA
client_id = $CLIENT_ID
org_id = *
app_secret = file:$XDG_DATA_HOME/cobo-credential/keys/$CLIENT_ID.key
EOF
# ostats ORG: "mint refresh total" of ORG at the test server.
ostats() { ORG=$1 stats; }
gstats() { cobo_server_ctl GET /_test/stats | py '" ".join(str(d[k]) for k in ("mint", "refresh", "total"))'; }
orgof() { cobo_server_ctl GET "/_test/token_valid?token=$1" | py 'd["org_id"]'; }

# --- no org named for a profile serving several: a clear error, nothing minted ---------
cc token --profile list
expect_eq "list profile, no --org: usage error" "64|" "$RC|$OUT"
expect_match "lists its orgs and says how to name one" "serves orgs $ORG, $ORGB; name the org: --org ORG" "$ERR"
cc token --profile any
expect_eq "org_id = *, no --org: usage error" "64|" "$RC|$OUT"
expect_match "says any org" "serves any org that installed the app; name the org" "$ERR"
expect_eq "nothing minted" "0 0 0" "$(gstats)"

# --- token --org: each org its own token ---------------------------------------------------
cc token --profile list --org "$ORG"
expect_eq "list --org A: exit 0" 0 "$RC"
TA=$OUT
expect_eq "the token is org A's" "$ORG" "$(orgof "$TA")"
cc token --profile list --org "$ORGB" --format json
expect_eq "list --org B json: org_id and profile" "$ORGB list" "$(printf '%s' "$OUT" | py 'd["org_id"] + " " + d["profile"]')"
TB=$(printf '%s' "$OUT" | py 'd["access_token"]')
expect_eq "the token is org B's" "$ORGB" "$(orgof "$TB")"
check "A and B tokens differ" test "$TA" != "$TB"
cc token --profile list --org "$ORG"
expect_eq "A again: from the cache" "$TA|1 0 1" "$OUT|$(ostats "$ORG")"
cc token --profile list --org "$ORGB" --format env
VALS=$(env -i /bin/sh -c 'eval "$1"; printf "%s|%s" "$COBO_ORG_ACCESS_TOKEN" "$COBO_ORG_ID"' sh "$OUT")
expect_eq "env: org B's token and org id" "$TB|$ORGB" "$VALS"
cc token --profile list --org "$ORGB" --format header
expect_eq "header: org B's token" "Authorization: Bearer $TB" "$OUT"
cc token --profile list --org "$ORGB" --format exec-credential
expect_eq "exec-credential: org B's token" "$TB" "$(printf '%s' "$OUT" | py 'd["status"]["token"]')"

# --- an org the list does not name: never minted, never answered --------------------------
cc token --profile list --org "$ORGC"
expect_eq "list --org C (installed, not listed): not found, nothing printed" "66|" "$RC|$OUT"
expect_match "says the profile does not serve it" "profile 'list' does not serve org '$ORGC' \\(it serves orgs $ORG, $ORGB\\)" "$ERR"
expect_eq "org C never minted" "0 0 0" "$(ostats "$ORGC")"
cc token --profile one --org "$ORGB"
expect_eq "a one-org profile refuses another org" "66|" "$RC|$OUT"
cc token --profile one --org "$ORG"
expect_eq "a one-org profile accepts its own org: the shared cache" "0|$TA|1 0 1" "$RC|$OUT|$(ostats "$ORG")"

# --- org_id = *: any org, the cache shared with the other profiles of the app --------------
cc token --profile any --org "$ORGD"
expect_eq "any --org D: exit 0, org D's token" "0 $ORGD" "$RC $(orgof "$OUT")"
TD=$OUT
cc token --profile any --org "$ORG"
expect_eq "any --org A: the same cached token (tokens are per app and org)" "$TA|1 0 1" "$OUT|$(ostats "$ORG")"

# --- org ids on the command line are checked before anything runs ---------------------------
for bad in '' ' ' '*' '-a' 'a b' 'a,b' 'a/b' '../a' 'a;b' 'a%2Cb' "a$(printf '\t')" 'é' \
	"$(printf 'x%.0s' $(seq 65))"; do
	cc token --profile any --org "$bad"
	expect_eq "--org '$bad': usage error, nothing printed" "64|" "$RC|$OUT"
done
expect_eq "no bad org reached the server: 3 mints in all (A, B, D)" "3 0 3" "$(gstats)"

# --- status: each org's cached tokens --------------------------------------------------------
cc status --profile list
expect_eq "status list: exit 0" 0 "$RC"
expect_match "status list: header names its orgs" "^profile list: .*, orgs $ORG, $ORGB$" "$(printf '%s\n' "$OUT" | head -1)"
expect_eq "status list: one block per listed org" "  org $ORG:|  org $ORGB:" "$(printf '%s\n' "$OUT" | grep '^  org ' | paste -sd'|')"
expect_eq "status list: both cached" 2 "$(printf '%s\n' "$OUT" | grep -c '^    access token: *cached in file')"
cc status --profile any
expect_eq "status any: every org with cached tokens, sorted" "  org $ORG:|  org $ORGB:|  org $ORGD:" "$(printf '%s\n' "$OUT" | grep '^  org ' | paste -sd'|')"
cc status --profile any --org "$ORGD" --json
expect_eq "status --org --json: that org only" "$ORGD True" "$(printf '%s' "$OUT" | py \
	'" ".join(o["org_id"] for o in d["profiles"][0]["orgs"]) + " " + str(d["profiles"][0]["orgs"][0]["access_token"]["cached"])')"
expect_eq "status --org --json: the setting as written" "*" "$(printf '%s' "$OUT" | py 'd["profiles"][0]["org_id"]')"
cc status --profile one --json
expect_eq "status of a one-org profile keeps its fields" "True True $ORG" "$(printf '%s' "$OUT" | py \
	'str(d["profiles"][0]["access_token"]["cached"]) + " " + str(d["profiles"][0]["refresh_token"]["present"]) + " " + d["profiles"][0]["orgs"][0]["org_id"]')"
cc status --profile list --org "$ORGC"
expect_eq "status --org C of the list profile: not found" 66 "$RC"
case "$("$CC" status --json 2>&1)" in
*AT_* | *RT_*) fail "status never prints a token" ;;
*) pass "status never prints a token" ;;
esac

# --- logout --org and logout of every org ----------------------------------------------------
cc logout --profile list --org "$ORG"
expect_eq "logout --org A" "0|list: org $ORG: refresh token removed|list: org $ORG: access token removed" \
	"$RC|$(printf '%s\n' "$OUT" | paste -sd'|')"
cc status --profile list --json
expect_eq "A gone, B still cached" "False True" "$(printf '%s' "$OUT" | py \
	'" ".join(str(o["access_token"]["cached"]) for o in d["profiles"][0]["orgs"])')"
cc token --profile list --org "$ORGB"
expect_eq "B's token still answered from the cache" "$TB|1 0 1" "$OUT|$(ostats "$ORGB")"
cc logout --profile list --org "$ORGC"
expect_eq "logout --org of an org not served: not found" 66 "$RC"
cc logout --all --org "$ORG"
expect_eq "logout --all --org: usage error" 64 "$RC"
cc logout --profile any
expect_eq "logout of a * profile: every org it holds" "0|any: org $ORGB: refresh token removed|any: org $ORGB: access token removed|any: org $ORGD: refresh token removed|any: org $ORGD: access token removed" \
	"$RC|$(printf '%s\n' "$OUT" | paste -sd'|')"
cc status --profile any
expect_match "status any: nothing left" "no org has cached tokens" "$OUT"
cc logout --profile any
expect_eq "logout again: nothing cached" "0|any: no cached tokens" "$RC|$OUT"

# --- one lock per (app, org): a mint of org A held at the server does not stop org B ----------
cobo_server_ctl POST /_test/fault '{"mode":"hold","on":"mint","count":1}' > /dev/null
"$CC" token --profile list --org "$ORG" > "$T_TMP/held.out" 2> "$T_TMP/held.err" &
HELD_PID=$!
t_on_exit "kill $HELD_PID 2>/dev/null"
cobo_server_held_wait 1 || fail "the mint of org A never reached the server"
timeout 25 "$CC" token --profile list --org "$ORGB" > "$T_TMP/b.out" 2> "$T_TMP/b.err"
expect_eq "org B minted while org A's mint holds A's lock" "0 $ORGB" "$? $(orgof "$(cat "$T_TMP/b.out")")"
expect_eq "org A's request is still held meanwhile" "1 0" "$(cobo_server_ctl GET /_test/held | py 'str(d["held"]) + " " + str(d["released"])')"
check "org A's helper is still waiting for its answer (it never gave up its lock)" kill -0 "$HELD_PID"
cobo_server_release
wait $HELD_PID
expect_eq "org A answered once released" "0 $ORG" "$? $(orgof "$(cat "$T_TMP/held.out")")"

t_done
