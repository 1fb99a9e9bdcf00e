#!/bin/bash
# cli-doctor.sh - cobo-credential doctor reports each injected
# misconfiguration with its fix and exits non-zero: a bad config line, a
# world-readable key file, a missing module, no keyring (D-Bus session
# gone), a locked keyring, a wrong server key; and a healthy setup passes,
# with a real TLS and signature round trip to the Cobo test server.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

cli_server_start
cli_setup_flags
cli_file_stack
CONF=$COBO_CREDENTIAL_CONFIG
KEY=$XDG_DATA_HOME/cobo-credential/keys/$CLIENT_ID.key
cc_in "$SEED" setup --name t "${SETUP[@]}" --key-file -
expect_eq "setup: exit 0" 0 "$RC"

# fails_with DESC REGEX: doctor exits 1 and prints a [FAIL] line matching REGEX.
fails_with() {
	cc doctor
	expect_eq "$1: doctor exits 1" 1 "$RC"
	expect_match "$1: reported" "\[FAIL\] $2" "$OUT"
}

# --- healthy ---------------------------------------------------------------------------
cc doctor
expect_eq "healthy: exit 0" 0 "$RC"
expect_match "healthy: config ok" "^\[ok\] +config: $CONF, 1 profile" "$OUT"
expect_match "healthy: modules loaded" "\[ok\] +module cobo-oauth: loaded" "$OUT"
expect_match "healthy: clock" "\[ok\] +clock: 20" "$OUT"
expect_match "healthy: the app secret and its public key" "\[ok\] +t: app secret .* public key $PUB" "$OUT"
expect_match "healthy: round trip" "\[ok\] +t: round trip to $COBO_SERVER_URL: TLS and signatures verified" "$OUT"
expect_match "healthy: summary" "all checks passed" "$OUT"
BEFORE=$(stats)
cc doctor --offline
expect_eq "--offline: exit 0" 0 "$RC"
case $OUT in *"round trip"*) fail "--offline still went to the server" ;; *) pass "--offline: no round trip" ;; esac
expect_eq "--offline: no request" "$BEFORE" "$(stats)"

# --- a bad config line -----------------------------------------------------------------------
cp "$CONF" "$T_TMP/conf.good"
printf 'colour = blue\n' >> "$CONF"
fails_with "bad config line" "config: $CONF:[0-9]+: unknown key 'colour' in \[profile t\]"
expect_match "bad config line: the fix" "fix: edit the file at the line named" "$OUT"
# Profile keys are judged by the module that reads them (cobo-oauth), as it
# loads: a cached token does not load it, a mint does.
cc token
expect_eq "bad profile key: a cached token still answers (cobo-oauth not loaded)" 0 "$RC"
cc logout
cc token
expect_eq "bad config line: token exits with the config code" 78 "$RC"
expect_match "bad config line: token names file and line" "$CONF:[0-9]+: unknown key 'colour'" "$ERR"
cp "$T_TMP/conf.good" "$CONF"

# --- a world-readable key file ------------------------------------------------------------
chmod 644 "$KEY"
fails_with "world-readable key" "t: key file: $KEY is accessible by others \(mode 644\)"
expect_match "world-readable key: the fix" "fix: chmod 600 $KEY" "$OUT"
chmod 600 "$KEY"
cc doctor --offline
expect_eq "chmod 600: healthy again" 0 "$RC"

# --- app_secret spelt as no reader reads it (one parser: src/util/secretref.h) --------------
for pair in "FILE:$KEY|write 'file:' in lower case" "env:1X|not a variable name" \
	"PKCS11:token=x|write 'pkcs11:' in lower case" "file:|file: names no file"; do
	sed -i "s|^app_secret = .*|app_secret = ${pair%%|*}|" "$CONF"
	fails_with "app_secret = ${pair%%|*}" "t: app_secret: .*${pair#*|}"
	expect_match "app_secret = ${pair%%|*}: the fix" "fix: fix app_secret in \[profile t\]" "$OUT"
done
cp "$T_TMP/conf.good" "$CONF"
cc doctor --offline
expect_eq "app_secret restored: healthy again" 0 "$RC"

# --- a module that is not there -------------------------------------------------------------
sed -i 's/^list *= file$/list = file nosuchmodule/' "$CONF"
fails_with "missing module" "module nosuchmodule: .*no nosuchmodule.so"
expect_match "missing module: the fix" "fix: install the module.*optional with a leading '-'" "$OUT"
cp "$T_TMP/conf.good" "$CONF"

# --- a wrong server key -------------------------------------------------------------------
cc_in "$SEED" setup --name w "${SETUP[@]}" --server-key "$(printf '1%.0s' $(seq 64))" --key-file - --no-verify
expect_eq "setup with a wrong server key, --no-verify: exit 0" 0 "$RC"
fails_with "wrong server key" "w: round trip to .*signature"
expect_match "wrong server key: the fix" "fix: check server_key in \[profile w\]" "$OUT"
expect_match "the right profile still passes" "\[ok\] +t: round trip" "$OUT"
cc profile remove w

# --- no keyring, and a locked one: the default stack with the real gnome-keyring ---------
keyring_start || exit 99
export COBO_CREDENTIAL_CONFIG=$T_TMP/desktop.conf
cc_in "$SEED" setup --name k "${SETUP[@]}" --key-file -
expect_eq "desktop setup: exit 0" 0 "$RC"
expect_match "desktop setup: the key went to the keyring" "app secret stored in the credential store \(module keyring\)" "$OUT"
cc doctor
expect_eq "desktop: healthy" 0 "$RC"
expect_match "desktop: keyring module loaded" "\[ok\] +module keyring: loaded" "$OUT"
BUS=$DBUS_SESSION_BUS_ADDRESS
unset DBUS_SESSION_BUS_ADDRESS
fails_with "no keyring" "keyring: unreachable: .*DBUS_SESSION_BUS_ADDRESS"
expect_match "no keyring: the fix" "fix: run inside a desktop session .*--key-store file" "$OUT"
expect_match "no keyring: the app secret check fails too" "\[FAIL\] k: app secret" "$OUT"
export DBUS_SESSION_BUS_ADDRESS=$BUS
keyring_lock || exit 99
fails_with "locked keyring" "k: app secret: "
expect_match "locked keyring: the fix" "fix: unlock the login keyring" "$OUT"

t_done
