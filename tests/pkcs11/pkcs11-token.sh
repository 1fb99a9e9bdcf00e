#!/bin/bash
# pkcs11-token.sh - the app key inside a real SoftHSM2 token (issue 26): a key
# made by OpenSC's pkcs11-tool and one made by 'key generate --pkcs11', each
# registered with the Cobo test server; setup, key public, a mint, a refresh
# and signed API requests through module-path= and through p11-kit's
# registered modules.  The signature is checked twice: by the server, and in
# software against the public key over the very string sign.c builds (so the
# token signs exactly the bytes the software path signs).  The generated key
# is sensitive and never extractable; no PIN lands in a trace, an output
# or any file under HOME.  A cached token maps neither cobo-oauth, OpenSSL,
# p11-kit nor any PKCS#11 module (ld.so's own record); the refresh that
# follows maps SoftHSM2, so the witness sees what it looks for.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"
. "$top_srcdir/tests/lib/pkcs11.sh"

cli_server_start
cli_setup_flags
p11_token_init
PINF=$(p11_pin_file)
PUB=$(p11_keygen app-key)
expect_match "pkcs11-tool made an Ed25519 key" '^[0-9a-f]{64}$' "$PUB"
cobo_server_register_app "$CLIENT_ID" "$PUB" "$ORG" || exit 99
URI="pkcs11:token=$TOKEN;object=app-key?module-path=$SOFTHSM_MODULE&pin-source=file:$PINF"
export COBO_CREDENTIAL_TRACE=$T_TMP/trace

# --- setup with the token, then key public, token, refresh -----------------------------
cli_file_stack
cc setup --name t "${SETUP[@]}" --pkcs11 "$URI"
expect_eq "setup --pkcs11: exit 0" 0 "$RC"
expect_match "setup: the public key read from the token" "public key: $PUB" "$OUT"
expect_eq "setup minted once, signed in the token" "1 0 1" "$(stats)"
grep -q "^app_secret = $URI\$" "$COBO_CREDENTIAL_CONFIG" ||
	fail "setup did not write app_secret = the URI"
cc key public --profile t
expect_eq "key public: CKA_EC_POINT of the token's key" "$PUB" "$OUT"
# mapped TAG ARGS...: cc ARGS with ld.so recording what it maps; MAPPED lists them.
mapped() {
	local tag=$1
	shift
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.$tag" cc "$@"
	MAPPED=$(sed -n 's/.*file=\([^ ]*\) \[0\];  generating link map.*/\1/p' "$T_TMP/ld.$tag".* |
		sort -u)
}
HEAVY='cobo-oauth\.so|libp11-kit|libsofthsm2|pkcs11-spy|opensc-pkcs11|libcrypto'
# (LD_PRELOAD: the sanitizer build preloads SoftHSM2 into every process; not here.)
LD_PRELOAD= mapped cached token --profile t
expect_eq "token: cached, exit 0" 0 "$RC"
expect_eq "token: cached, no new request" "1 0 1" "$(stats)"
expect_eq "token: cached, no PKCS#11 module, p11-kit or OpenSSL mapped" "" \
	"$(printf '%s\n' "$MAPPED" | grep -E "$HEAVY" | tr '\n' ' ')"
COBO_CREDENTIAL_NOW_OFFSET=43100 mapped refresh token --profile t
expect_eq "near expiry: exit 0" 0 "$RC"
expect_eq "near expiry: one refresh signed in the token" "1 1 2" "$(stats)"
check "near expiry: the refresh mapped SoftHSM2 (the witness sees what it looks for)" \
	sh -c "printf '%s\n' \"\$1\" | grep -q libsofthsm2" _ "$MAPPED"

# --- signed API requests: the server checks the signature; so do we, in software --------
cc api --profile t /wallets
expect_eq "api GET: exit 0" 0 "$RC"
expect_eq "api GET: the server verified the token's signature" "GET /v2/wallets" \
	"$(printf '%s' "$OUT" | py 'd["method"] + " " + d["path"]')"
printf '{"a":"Zoë"}' > "$T_TMP/body.json"
cc sign --profile t --method POST --body "$T_TMP/body.json" "$COBO_SERVER_URL/wallets?x=1"
expect_eq "sign: exit 0" 0 "$RC"
printf '%s\n' "$OUT" > "$T_TMP/sign.out"
# The string sign.c builds, METHOD|PATH|NONCE|QUERY|BODY, verified with the public key.
VERIFY=$("$PYTHON" - "$T_TMP/sign.out" "$T_TMP/body.json" "$PUB" <<'EOF'
import hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
h = dict(l.split(": ", 1) for l in open(sys.argv[1]).read().splitlines() if ": " in l)
body = open(sys.argv[2], "rb").read()
msg = b"|".join([b"POST", b"/v2/wallets", h["Biz-Api-Nonce"].encode(), b"x=1", body])
digest = hashlib.sha256(hashlib.sha256(msg).digest()).digest()
assert h["Biz-Api-Key"] == sys.argv[3], "another key"
Ed25519PublicKey.from_public_bytes(bytes.fromhex(sys.argv[3])).verify(
    bytes.fromhex(h["Biz-Api-Signature"]), digest)
print("verified")
EOF
)
expect_eq "sign: the token signed SHA-256(SHA-256(the canonical string))" verified "$VERIFY"

# Many threads of one process sign through the one session (the proxy's case):
# C_SignInit + C_Sign under the key's mutex, each answer verified by the server.
"$top_builddir/tests/oauth/oauth-threads" t 8 4 > "$T_TMP/threads.out" 2> "$T_TMP/threads.err"
expect_eq "8 threads x 4 signed requests through the token: all verified" "ok=32 bad=0" \
	"$(cat "$T_TMP/threads.out")"

# --- p11-kit's registered modules (no module-path=) ------------------------------------
# A root process reads only the system's module configs (p11-kit skips the
# user's ~/.config/pkcs11/modules for root), where Debian's softhsm2 registers
# itself; as another user the test's own user config is read as well.
mkdir -p "$HOME/.config/pkcs11/modules"
printf 'module: %s\n' "$SOFTHSM_MODULE" > "$HOME/.config/pkcs11/modules/softhsm2.module"
check "p11-kit lists SoftHSM2" sh -c 'p11-kit list-modules | grep -q "token: cobo-app"'
REG="pkcs11:token=$TOKEN;object=app-key?pin-source=file:$PINF"
sed -i "s|^app_secret = .*|app_secret = $REG|" "$COBO_CREDENTIAL_CONFIG"
cc key public --profile t
expect_eq "registered modules: key public" "$PUB" "$OUT"
# The last refresh dated its token 43100 s ahead: twice that is near its expiry.
COBO_CREDENTIAL_NOW_OFFSET=86200 cc token --profile t
expect_eq "registered modules: refresh exit 0" 0 "$RC"
expect_eq "registered modules: refreshed" "1 2 3" "$(stats)"
cc api --profile t /wallets
expect_eq "registered modules: api exit 0" 0 "$RC"
cc doctor --offline
expect_match "doctor: the token's key is readable" "t: app secret \(pkcs11:.*\) readable; public key $PUB" "$OUT"

# --- key generate --pkcs11: made in the token, never extractable -----------------------
GEN="pkcs11:token=$TOKEN;object=gen-key?module-path=$SOFTHSM_MODULE&pin-source=file:$PINF"
cc key generate --pkcs11 "$GEN"
expect_eq "key generate --pkcs11: exit 0" 0 "$RC"
GPUB=$OUT
expect_eq "key generate --pkcs11: the public key the token holds" "$(p11_pub gen-key)" "$GPUB"
p11tool --list-objects --type privkey --label gen-key > "$T_TMP/gen.objects" 2>&1
expect_match "generated key: sensitive, never extractable" \
	"Access: +sensitive, always sensitive, never extractable" "$(cat "$T_TMP/gen.objects")"
expect_match "generated key: signs" "Usage: .*sign" "$(cat "$T_TMP/gen.objects")"
cc key generate --pkcs11 "$GEN"
expect_eq "key generate: an existing label is never replaced (exit 78)" 78 "$RC"
expect_match "key generate: says so" "already holds a private key" "$ERR"
cc key generate --pkcs11 "pkcs11:token=$TOKEN;object=x?module-path=$SOFTHSM_MODULE&pin-value=$USER_PIN"
expect_eq "key generate: pin-value= on argv refused" 78 "$RC"
expect_match "key generate: pin-value= refused, why" "pin-value= on the command line" "$ERR"
case $ERR in *"$USER_PIN"*) fail "the refusal shows the PIN" ;; *) pass "the refusal hides the PIN" ;; esac

# The generated key serves a second app through a second profile, mint to API call.
cobo_server_register_app gen-client "$GPUB" "$ORG" || exit 99
cc setup --name g "${SETUP[@]}" --client-id gen-client --pkcs11 "$GEN"
expect_eq "setup with the generated key: minted" 0 "$RC"
cc api --profile g /wallets
expect_eq "generated key: signed API request accepted" 0 "$RC"

# --- no PIN and no key bytes anywhere --------------------------------------------------
check "a trace was written" test -s "$COBO_CREDENTIAL_TRACE"
# The PIN file is the one place the PIN may be: everything else is searched.
LEAKS=$(grep -rlF -e "$USER_PIN" "$HOME" "$COBO_CREDENTIAL_TRACE" "$T_TMP/out" "$T_TMP/err" \
	2>/dev/null | grep -v "^$PINF\$" || true)
expect_eq "no PIN in the trace, the outputs or any file under HOME" "" "$LEAKS"
t_done
