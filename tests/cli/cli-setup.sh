#!/bin/bash
# cli-setup.sh - cobo-credential setup, profile and key commands end to end
# against the Cobo test server on a headless machine (no keyring: the
# built-in stack falls back to the file store and the app secret goes to
# a 0600 key file): non-interactive setup, missing flags, secrets never on
# argv, a key from 'key generate' that the server accepts, PEM keys, the
# config file rewritten atomically (0600, other sections kept), profile
# list/show/remove, key rotation and import, and an interactive setup on a
# pseudo-terminal.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"
unset DBUS_SESSION_BUS_ADDRESS

cli_server_start
cli_setup_flags
CONF=$XDG_CONFIG_HOME/cobo-credential/config
KEYDIR=$XDG_DATA_HOME/cobo-credential/keys

# --- usage errors: nothing written --------------------------------------------------
cc setup --client-id "$CLIENT_ID"
expect_eq "setup without flags off a terminal: usage error" 64 "$RC"
expect_match "setup names what is missing" "missing: --env\|--base-url --org-id --key-file" "$ERR"
cc setup "${SETUP[@]}" --key-file - "$SEED"
expect_eq "a secret as an argument is refused" 64 "$RC"
expect_match "says secrets never go on argv" "never argv" "$ERR"
cc setup --env dev --base-url https://x/v2 --client-id c --org-id o --generate-key
expect_eq "--env with --base-url: usage error" 64 "$RC"
cc setup --base-url http://127.0.0.1:1/v2 --server-key dev --client-id c --org-id o --generate-key
expect_eq "http:// without --allow-http: usage error" 64 "$RC"
cc setup "${SETUP[@]}" --client-id 'bad id' --generate-key
expect_eq "a client id with a blank: usage error" 64 "$RC"
cc_in "not a key" setup "${SETUP[@]}" --key-file -
expect_eq "an unparsable key: data error" 65 "$RC"
expect_match "says what is wrong with the key" "neither PEM nor 64 hex" "$ERR"
check "no config file written by failed setups" test ! -e "$CONF"

# --- key generate --out: a key the test server accepts --------------------------------
cc key generate --out "$T_TMP/new.key"
expect_eq "key generate --out: exit 0" 0 "$RC"
expect_match "prints a 64-hex public key" '^[0-9a-f]{64}$' "$OUT"
NEWPUB=$OUT
expect_eq "the key file is 0600" 600 "$(mode "$T_TMP/new.key")"
cc key public "$T_TMP/new.key"
expect_eq "key public FILE: the same public key" "$NEWPUB" "$OUT"
expect_eq "the server derives the same public key" "$NEWPUB" \
	"$("$PYTHON" "$top_srcdir/tests/server/cobo_server.py" pubkey "$(cat "$T_TMP/new.key")")"
cc key generate --out "$T_TMP/new.key"
expect_eq "key generate --out refuses to overwrite" 64 "$RC"
cobo_server_register_app gen-client "$NEWPUB" "$ORG" || exit 99

# --- setup, non-interactive, end to end -----------------------------------------------
cc setup --name gen "${SETUP[@]}" --client-id gen-client --key-file "$T_TMP/new.key"
expect_eq "setup with the generated key: exit 0" 0 "$RC"
expect_match "setup proves the profile with a token" "token: ok, valid until 20" "$OUT"
expect_match "setup prints the git line" \
	"git config --global credential.https://127.0.0.1:$COBO_SERVER_PORT.helper cobo" "$OUT"
expect_match "setup prints the Docker line" "\"credHelpers\": \{ \"127.0.0.1:$COBO_SERVER_PORT\": \"cobo\" \}" "$OUT"
expect_eq "one mint at the server" "1 0 1" "$(stats)"
expect_eq "config file is 0600" 600 "$(mode "$CONF")"
expect_eq "headless: the key went to a 0600 file" 600 "$(mode "$KEYDIR/gen-client.key")"
expect_eq "its key directory is 0700" 700 "$(mode "$KEYDIR")"
expect_match "config points app_secret at it" "app_secret = file:$KEYDIR/gen-client.key" "$(cat "$CONF")"
# setup writes only what differs from the defaults: no [stack], no [module] lines.
expect_eq "config writes no [stack] or [module] boilerplate" "" \
	"$(grep -E '^\[(stack|module)|schemas' "$CONF")"
case $OUT$ERR in *"$(cat "$T_TMP/new.key")"*) fail "setup printed the secret" ;;
*) pass "setup never prints the secret" ;; esac

# --- a second profile from stdin; other sections and comments survive ---------------
printf '# my own comment\n' >> "$CONF"
cc_in "$SEED" setup --name main "${SETUP[@]}" --key-file -
expect_eq "setup --key-file - (stdin): exit 0" 0 "$RC"
# git's user name names an org, never a profile: both profiles serve $ORG
expect_match "several profiles on one host and org: git cannot choose by user name" \
	"2 profiles on 127.0.0.1:$COBO_SERVER_PORT serve org $ORG: git cannot choose" "$OUT"
check "no username line naming a profile" sh -c '! printf "%s" "$1" | grep -q "username main"' \
	sh "$OUT"
expect_match "the comment survived" "# my own comment" "$(cat "$CONF")"
expect_match "the first profile survived" "\[profile gen\]" "$(cat "$CONF")"
cc setup --name main "${SETUP[@]}" --generate-key
expect_eq "setup of an existing profile: refused" 64 "$RC"
expect_match "says --force" "already exists.*--force" "$ERR"
cc_in "$SEED" setup --name main "${SETUP[@]}" --key-file - --force
expect_eq "setup --force replaces it" 0 "$RC"
expect_eq "still exactly one [profile main]" 1 "$(grep -c '^\[profile main\]' "$CONF")"
cc_in "$SEED" setup --name third "${SETUP[@]:0:8}" --org-id org-three --key-file - --no-verify
expect_match "a profile of its own org on a shared host: the username line names the org" \
	"credential.https://127.0.0.1:$COBO_SERVER_PORT.username org-three " "$OUT"
cc profile remove third
expect_eq "profile remove third: exit 0" 0 "$RC"

# --- a PEM key (openssl genpkey) --------------------------------------------------------
(umask 077 && openssl genpkey -algorithm ed25519 -out "$T_TMP/app.pem" 2>/dev/null) || exit 99
PEMPUB=$(openssl pkey -in "$T_TMP/app.pem" -pubout -outform DER 2>/dev/null | tail -c 32 | od -An -tx1 | tr -d ' \n')
cobo_server_register_app pem-client "$PEMPUB" "$ORG" || exit 99
cc setup --name pem "${SETUP[@]}" --client-id pem-client --key-file "$T_TMP/app.pem"
expect_eq "setup with a PEM key: exit 0" 0 "$RC"
expect_match "its public key is the PEM's" "public key: $PEMPUB" "$OUT"
cc key public --profile pem
expect_eq "key public --profile: the same key" "$PEMPUB" "$OUT"

# --- --env: a built-in environment (not contacted: --no-verify) ----------------------
cc setup --name sbx --env sandbox --client-id sbx-client --org-id sbx-org --generate-key --no-verify
expect_eq "setup --env sandbox --generate-key: exit 0" 0 "$RC"
expect_match "asks to register the public key" "register this public key" "$OUT"
expect_match "base_url of the environment" "base_url = https://api.sandbox.cobo.com/v2" "$(cat "$CONF")"
expect_match "server_key names the environment" "server_key = sandbox" "$(cat "$CONF")"

# --- profile list / show / remove ------------------------------------------------------
cc profile list
expect_eq "profile list: four profiles" 4 "$(printf '%s\n' "$OUT" | wc -l)"
expect_match "profile list names base_url and org" "^gen +$COBO_SERVER_URL  org $ORG" "$OUT"
cc profile show gen
expect_match "profile show: client_id" "client_id += gen-client" "$OUT"
cc profile show nope
expect_eq "profile show of an unknown profile: not found" 66 "$RC"
cc token --profile gen
GENTOK=$OUT
cc profile remove gen --forget-key
expect_eq "profile remove --forget-key: exit 0" 0 "$RC"
expect_match "says the tokens went" "gen: access token removed" "$OUT"
expect_match "says the key file went" "key file $KEYDIR/gen-client.key removed" "$OUT"
check "the key file is gone" test ! -e "$KEYDIR/gen-client.key"
cc profile list
expect_eq "three profiles left" 3 "$(printf '%s\n' "$OUT" | wc -l)"
case $(cat "$CONF") in *gen-client*) fail "section gen still in the config" ;;
*) pass "section gen removed from the config" ;; esac
case $(cat "$XDG_DATA_HOME/cobo-credential/store" 2>/dev/null) in *"$GENTOK"*)
	fail "its token is still in the store" ;; *) pass "its token left the store" ;; esac

# --- key rotation and import ------------------------------------------------------------
cc key generate --profile main
expect_eq "key generate over a different stored key: refused" 64 "$RC"
expect_match "says --force" "pass --force" "$ERR"
cc key generate --profile main --force
expect_eq "key generate --profile --force: exit 0" 0 "$RC"
ROTPUB=$OUT
cc logout --profile main
cc token --profile main
expect_eq "the new key is not registered yet: denied" 77 "$RC"
cobo_server_register_app "$CLIENT_ID" "$ROTPUB" "$ORG" || exit 99
cc token --profile main
expect_eq "registered: the generated key mints" 0 "$RC"
expect_match "an access token" '^AT_' "$OUT"
(umask 077 && printf '%s\n' "$SEED" > "$T_TMP/seed.hex")
cc key import --profile main --force "$T_TMP/seed.hex"
expect_eq "key import FILE: exit 0" 0 "$RC"
expect_eq "prints the imported key's public key" "$PUB" "$OUT"
cc key public --profile main
expect_eq "key public reads it back" "$PUB" "$OUT"
cc key import --profile main
expect_eq "key import without FILE: usage" 64 "$RC"

# --- interactive setup on a pseudo-terminal ---------------------------------------------
cat > "$T_TMP/ptydrive.py" <<'EOF'
import os, pty, sys
answers = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "setup"])
out = b""
def read_until(s):
    global out
    while s not in out:
        try:
            b = os.read(fd, 4096)
        except OSError:
            return False
        if not b:
            return False
        out += b
    return True
for q, a in zip(["environment", "base URL", "response key", "client id",
                 "Organisation id", "Profile name", "App secret"], answers):
    if not read_until(q.encode()):
        break
    os.write(fd, (a + "\n").encode())
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
unset COBO_CREDENTIAL_INTERACTIVE
OUT=$("$PYTHON" "$T_TMP/ptydrive.py" "$CC" custom "$COBO_SERVER_URL" "$COBO_SERVER_PUBKEY" \
	"$CLIENT_ID" "$ORG" tty "$T_TMP/seed.hex" 2>&1)
RC=$?
export COBO_CREDENTIAL_INTERACTIVE=never
expect_eq "interactive setup: exit 0" 0 "$RC"
expect_match "it asked for the environment" "Cobo environment \(dev, sandbox, prod or custom\)" "$OUT"
expect_match "and minted a token" "token: ok" "$OUT"
expect_match "profile tty written" "\[profile tty\]" "$(cat "$CONF")"
cc token --profile tty
expect_eq "the interactive profile answers" 0 "$RC"
OUT=$(COBO_CREDENTIAL_INTERACTIVE=never "$PYTHON" "$T_TMP/ptydrive.py" "$CC" 2>&1)
RC=$?
expect_eq "COBO_CREDENTIAL_INTERACTIVE=never on a terminal: no questions, usage" 64 "$RC"
case $OUT in *"Cobo environment"*) fail "it asked anyway" ;; *) pass "nothing asked" ;; esac

t_done
