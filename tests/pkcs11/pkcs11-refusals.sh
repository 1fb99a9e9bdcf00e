#!/bin/bash
# pkcs11-refusals.sh - what a token key refuses, each in one line on stderr
# naming the token and the URI and never the PIN, with its exit code: a
# wrong PIN (offered to the token once per process: pkcs11-spy counts the
# C_Login calls of a doctor run that reads the key for two profiles), a missing token,
# a missing module, no key, a key of the wrong type, two keys matching
# (ambiguous), pin-value= in a config others can read.  And the PIN sources
# that work: pin-value= in a private config, and the credential store.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"
. "$top_srcdir/tests/lib/pkcs11.sh"

SPY=$P11_SPY
[ -n "$SPY" ] || { echo "OpenSC's pkcs11-spy.so missing: scripts/deps.sh test installs opensc"; exit 99; }
cli_server_start
cli_setup_flags
p11_token_init
PINF=$(p11_pin_file)
PUB=$(p11_keygen app-key)
cobo_server_register_app "$CLIENT_ID" "$PUB" "$ORG" || exit 99
MP="module-path=$SOFTHSM_MODULE"

# profile URI: the config with profiles t and u whose app_secret is URI, and no
# cached token (a cached token is answered without the key: nothing to refuse).
profile() {
	rm -f "$XDG_DATA_HOME/cobo-credential/store"*
	local p
	cli_file_stack
	for p in t u; do
		printf '[profile %s]\nbase_url = %s\nserver_key = %s\nca_file = %s\n' "$p" \
			"$COBO_SERVER_URL" "$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA"
		printf 'client_id = %s\norg_id = %s\napp_secret = %s\n' "$CLIENT_ID" "$ORG" "$1"
	done >> "$COBO_CREDENTIAL_CONFIG"
}
# refused DESC CODE PATTERN: the last cc run failed with CODE and one stderr line
# matching PATTERN that names the token's URI and holds no PIN.
refused() {
	expect_eq "$1: exit $2" "$2" "$RC"
	expect_match "$1: says why" "$3" "$ERR"
	expect_eq "$1: one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
	case $ERR in *"$USER_PIN"* | *"$WRONG"*) fail "$1: the message shows a PIN" ;; esac
}
WRONG=999111
(umask 077 && printf '%s\n' "$WRONG" > "$T_TMP/wrong.pin")

# --- a wrong PIN: one line, exit 78, one C_Login per process ---------------------------
# Leak-checked first without the spy (see p11_spy_on), then counted through it.
profile "pkcs11:token=$TOKEN;object=app-key?$MP&pin-source=file:$T_TMP/wrong.pin"
cc key public --profile t
refused "wrong PIN (no spy)" 78 "token 'cobo-app' refused the PIN \(CKR_PIN_INCORRECT\)"
export PKCS11SPY=$SOFTHSM_MODULE PKCS11SPY_OUTPUT=$T_TMP/spy.log
p11_spy_on
profile "pkcs11:token=$TOKEN;object=app-key?module-path=$SPY&pin-source=file:$T_TMP/wrong.pin"
cc key public --profile t
refused "wrong PIN" 78 "token 'cobo-app' refused the PIN \(CKR_PIN_INCORRECT\) for pkcs11:.*object=app-key.*not retried"
expect_eq "wrong PIN: one C_Login" 1 "$(grep -c 'C_Login' "$PKCS11SPY_OUTPUT")"
rm -f "$PKCS11SPY_OUTPUT"
cc token --profile t
expect_eq "wrong PIN, token: fails (exit 70: token maps every ERROR so)" 70 "$RC"
expect_match "wrong PIN, token: the same line" "refused the PIN \(CKR_PIN_INCORRECT\)" "$ERR"
rm -f "$PKCS11SPY_OUTPUT"
cc doctor
expect_eq "doctor, wrong PIN: a check fails" 1 "$RC"
expect_match "doctor, wrong PIN: names the PIN source as the fix" "fix: fix the PIN source" "$OUT"
expect_eq "doctor, wrong PIN: both profiles fail" 2 "$(grep -c 'FAIL.*refused the PIN' <<< "$OUT")"
expect_eq "doctor reads the key for t and u, the token sees one C_Login" 1 \
	"$(grep -c 'C_Login' "$PKCS11SPY_OUTPUT")"
unset PKCS11SPY PKCS11SPY_OUTPUT
p11_spy_off
# The right PIN still logs in: the wrong ones did not lock the token.
check "the token still takes the right PIN" p11tool --test
profile "pkcs11:token=$TOKEN;object=app-key?$MP&pin-source=file:$PINF"
cc token --profile t
expect_eq "right PIN: minted" 0 "$RC"

# --- the token, the module, the key ------------------------------------------------------
profile "pkcs11:token=no-such-token;object=app-key?$MP&pin-source=file:$PINF"
cc key public --profile t
refused "missing token" 75 "no token matches it; insert the token"
profile "pkcs11:token=$TOKEN;object=app-key?module-path=$T_TMP/none.so&pin-source=file:$PINF"
cc key public --profile t
refused "missing module" 75 "the PKCS#11 module $T_TMP/none.so cannot be loaded .*install it or fix module-path="
profile "pkcs11:token=$TOKEN;object=no-such-key?$MP&pin-source=file:$PINF"
cc key public --profile t
refused "no key" 75 "token 'cobo-app' holds no private key matching .*object=no-such-key.*key generate --pkcs11"
p11_keygen p256-key EC:prime256v1 > /dev/null || fail "pkcs11-tool: a P-256 key"
profile "pkcs11:token=$TOKEN;object=p256-key?$MP&pin-source=file:$PINF"
cc key public --profile t
refused "wrong key type" 78 "token 'cobo-app': pkcs11:.*object=p256-key.* names a key that is not Ed25519 \(CKK_EC_EDWARDS; its key type is 0x3\)"
for id in 0a 0b; do
	p11tool --keypairgen --key-type EC:edwards25519 --label dup --id "$id" > /dev/null 2>&1 ||
		fail "pkcs11-tool: key dup $id"
done
profile "pkcs11:token=$TOKEN;object=dup?$MP&pin-source=file:$PINF"
cc key public --profile t
refused "two keys" 78 "token 'cobo-app' holds several private keys matching .*object=dup.* \(ambiguous\)"
profile "pkcs11:token=$TOKEN;object=dup;id=%0a?$MP&pin-source=file:$PINF"
cc key public --profile t
expect_eq "id= names one of the two" 0 "$RC"
check "the token is never modified by a refusal" test "$(p11_pub app-key)" = "$PUB"

# --- PIN sources --------------------------------------------------------------------------
profile "pkcs11:token=$TOKEN;object=app-key?$MP&pin-value=$USER_PIN"
chmod 644 "$COBO_CREDENTIAL_CONFIG"
cc key public --profile t
refused "pin-value= in a readable config" 78 "pin-value= in .*, which others can read; run chmod 600"
chmod 600 "$COBO_CREDENTIAL_CONFIG"
COBO_CREDENTIAL_TRACE=$T_TMP/trace cc token --profile t
expect_eq "pin-value= in a private config: works" 0 "$RC"
cc profile show t
expect_match "profile show: the URI's path, its query hidden" \
	"app_secret += pkcs11:token=$TOKEN;object=app-key\?\.\.\. \(its query holds a PIN: not shown\)" "$OUT"
case $OUT in *"$USER_PIN"*) fail "profile show prints the PIN" ;; esac
COBO_CREDENTIAL_TRACE=$T_TMP/trace cc doctor --offline
expect_match "doctor: the key in the token, shown without the URI's query" \
	"t: app secret \(pkcs11:token=$TOKEN;object=app-key\) readable" "$OUT"
check "a trace was written" test -s "$T_TMP/trace"
LEAKS=$(grep -lF -e "$USER_PIN" "$T_TMP/trace" "$T_TMP/out" "$T_TMP/err" || true)
expect_eq "pin-value=: the PIN in no trace and no output" "" "$LEAKS"
chmod 644 "$PINF"
profile "pkcs11:token=$TOKEN;object=app-key?$MP&pin-source=file:$PINF"
cc key public --profile t
refused "a PIN file others can read" 78 "PIN of token 'cobo-app': .*accessible by others"
chmod 600 "$PINF"
profile "pkcs11:token=$TOKEN;object=app-key?$MP"
cc key public --profile t
refused "no PIN in the store" 78 "no PIN for token 'cobo-app' in the credential store"
printf '%s' "$USER_PIN" | "$top_builddir/tests/oauth/oauth-driver" token-pin "$TOKEN" > "$T_TMP/drv"
expect_eq "the PIN stored" "status=SUCCESS" "$(head -n 1 "$T_TMP/drv")"
cc key public --profile t
expect_eq "the PIN from the credential store" "$PUB" "$OUT"
t_done
