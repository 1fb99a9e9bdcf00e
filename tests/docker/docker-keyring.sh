#!/bin/bash
# docker-keyring.sh - docker-credential-cobo on the real Secret Service
# (gnome-keyring, or KeePassXC in docker-keyring-keepassxc.sh, in a private D-Bus session): the protocol over the keyring
# module, and interop both ways with Debian's docker-credential-secretservice
# so a user who switches from "secretservice" to "cobo" keeps everything.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"
. "$top_srcdir/tests/lib/docker.sh"
need docker-credential-secretservice secret-tool

keyring_start || { echo "cannot start gnome-keyring"; exit 99; }
REF=docker-credential-secretservice
# ref VERB [INPUT]: the reference helper; RRC and ROUT.
ref() {
	ROUT=$(printf '%s' "${2-}" | "$REF" "$1" 2>&1)
	RRC=$?
}

# --- the built-in default stack (no config file) puts it in the keyring ---------
dk_store 127.0.0.1:5000 alice 'pw-1'
expect_eq "default stack: store" 0 "$RC"
expect_eq "default stack: secret-tool finds the item" "pw-1" \
	"$(secret-tool lookup server 127.0.0.1:5000 docker_cli 1)"
expect_eq "default stack: nothing in the file store" "" \
	"$(ls "$XDG_DATA_HOME/cobo-credential" 2>/dev/null)"

t_config <<'EOF'
[stack]
get = keyring
store = keyring
erase = keyring
list = keyring
EOF

# --- protocol over the keyring -------------------------------------------------
dk get 127.0.0.1:5000
expect_eq "get" '{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"pw-1"}' "$OUT"
dk get 127.0.0.1:5001
expect_eq "get, unknown: exact not-found" "credentials not found in native keychain" "$OUT"
expect_eq "get, unknown: exit 1" 1 "$RC"
dk_store 127.0.0.1:5000 bob 'pw-2'
dk list
expect_eq "another username replaces: one entry" '{"127.0.0.1:5000":"bob"}' "$OUT"
expect_eq "another username replaces: one keyring item" 1 \
	"$(secret-tool search --all server 127.0.0.1:5000 2>&1 | grep -c '^secret = ')"
dk_store id.example '<token>' 'identity-token-value'
dk get id.example
expect_eq "identity token round-trips" "<token> identity-token-value" \
	"$(json_field Username) $(json_field Secret)"
USECRET=$'pässwörd 密码 😀 \\ "q" \u2028'
dk_store 'ünï.example' 'üser' "$USECRET"
dk get 'ünï.example'
expect_eq "unicode round-trips through the keyring" "$USECRET" "$(json_field Secret)"
"$PYTHON" - "$T_TMP" <<'EOF'
import json, random, sys
rnd = random.Random(4)
secret = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789+/=é😀") for _ in range(1024 * 1024))
open(sys.argv[1] + "/big.secret", "w", encoding="utf-8").write(secret)
json.dump({"ServerURL": "big.example", "Username": "u", "Secret": secret},
          open(sys.argv[1] + "/big.json", "w", encoding="utf-8"))
EOF
dk_file store "$T_TMP/big.json"
expect_eq "1 MiB secret: stored in the keyring" 0 "$RC"
dk get big.example
expect_eq "1 MiB secret: round-trips exactly" ok \
	"$("$PYTHON" -c 'import json,sys; a=json.load(open(sys.argv[1]))["Secret"]; b=open(sys.argv[2],encoding="utf-8").read(); print("ok" if a==b else "differs")' "$T_TMP/out" "$T_TMP/big.secret")"
dk erase big.example
dk erase 127.0.0.1:5000
expect_eq "erase" 0 "$RC"
dk get 127.0.0.1:5000
expect_eq "erase: gone" 1 "$RC"
dk erase 127.0.0.1:5000
expect_eq "erase, nothing there: exit 0, silent" "0 " "$RC $OUT"

# --- we write, the reference reads ----------------------------------------------
dk_store ours.example ouruser 'our-secret'
ref get ours.example
expect_eq "reference get reads our item" \
	'{"ServerURL":"ours.example","Username":"ouruser","Secret":"our-secret"}' "$ROUT"
ref list
expect_match "reference list shows our item" '"ours.example":"ouruser"' "$ROUT"
ref erase ours.example
expect_eq "reference erase removes our item" 0 "$RRC"
dk get ours.example
expect_eq "... and we no longer find it" "credentials not found in native keychain" "$OUT"

# --- the reference writes, we read --------------------------------------------------
ref store '{"ServerURL":"theirs.example","Username":"theiruser","Secret":"their-secret"}'
expect_eq "reference store" 0 "$RRC"
ref store '{"ServerURL":"https://index.docker.io/v1/","Username":"hub","Secret":"hub-secret"}'
dk get theirs.example
expect_eq "we read the reference's item" \
	'{"ServerURL":"theirs.example","Username":"theiruser","Secret":"their-secret"}' "$OUT"
dk get https://index.docker.io/v1/
expect_eq "we read the reference's Docker Hub item" "hub hub-secret" \
	"$(json_field Username) $(json_field Secret)"
dk list
expect_match "our list shows the reference's items" \
	'"https://index.docker.io/v1/":"hub".*"theirs.example":"theiruser"' "$OUT"
dk_store theirs.example newuser 'new-secret'
ref get theirs.example
expect_eq "our replace of the reference's item: it reads the new one" \
	'{"ServerURL":"theirs.example","Username":"newuser","Secret":"new-secret"}' "$ROUT"
expect_eq "our replace of the reference's item: one item left" 1 \
	"$(secret-tool search --all server theirs.example 2>&1 | grep -c '^secret = ')"
dk erase https://index.docker.io/v1/
ref get https://index.docker.io/v1/
expect_eq "we erase the reference's item" "credentials not found in native keychain" "$ROUT"

# --- a locked keyring is an error, never "not found" or a silent erase -------------------
dk_store locked.example u 'locked-secret'
keyring_lock || fail "could not lock the keyring"
dk get locked.example
expect_eq "locked keyring: get fails" 1 "$RC"
check "locked keyring: not reported as not found" \
	test "$OUT" != "credentials not found in native keychain"
expect_match "locked keyring: says so" '[Ll]ocked|unlock' "$OUT"
dk erase locked.example
expect_eq "locked keyring: erase fails loudly" 1 "$RC"
case $OUT in *locked-secret*) fail "locked keyring: the message leaks the secret" ;;
*) pass "locked keyring: no secret in the message" ;; esac
# list needs no secret, and gnome-keyring and KWallet show attributes of locked
# items: it works.  KeePassXC shows no items while locked: then list fails,
# saying so.
dk list
if [ "$KR_PROVIDER" != keepassxc ]; then
	expect_eq "locked keyring: list still answers, exit 0" 0 "$RC"
	expect_eq "locked keyring: list has the locked item" u "$(json_field locked.example)"
else
	expect_eq "locked keyring ($KR_PROVIDER): list fails" 1 "$RC"
	expect_match "locked keyring ($KR_PROVIDER): list says locked" '[Ll]ocked' "$OUT"
fi

# --- no Secret Service at all: the built-in default falls back to the file store --------
rm -f "$COBO_CREDENTIAL_CONFIG"
unset COBO_CREDENTIAL_CONFIG
DBUS_SESSION_BUS_ADDRESS="unix:path=$T_TMP/no-such-bus" dk_store nobus.example u 'file-secret'
expect_eq "no D-Bus: store falls back to the file" 0 "$RC"
DBUS_SESSION_BUS_ADDRESS="unix:path=$T_TMP/no-such-bus" dk get nobus.example
expect_eq "no D-Bus: get from the file" "file-secret" "$(json_field Secret)"

t_done
