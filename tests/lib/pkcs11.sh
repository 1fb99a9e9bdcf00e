# tests/lib/pkcs11.sh - sourced by tests/pkcs11/*.sh after tests/lib/common.sh:
# a SoftHSM2 token in the test's own directory (its own SOFTHSM2_CONF, so no
# token of the machine is seen or touched), OpenSC's pkcs11-tool on it, and
# the helpers the suites share.
SOFTHSM_MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
if [ ! -e "$SOFTHSM_MODULE" ] || ! command -v softhsm2-util >/dev/null ||
	! command -v pkcs11-tool >/dev/null || ! command -v p11-kit >/dev/null; then
	echo "SoftHSM2, OpenSC or p11-kit missing: scripts/deps.sh test installs them"
	exit 99
fi
# OpenSC's pkcs11-spy, the module the suites put between a helper and
# SoftHSM2 to count its calls ("" when missing).
P11_SPY=$(ls /usr/lib/*/pkcs11/pkcs11-spy.so 2>/dev/null | head -n 1)
# Under the sanitizer build: SoftHSM2 2.6.1 leaks the ASN.1 string it decodes
# from CKA_EC_PARAMS at every C_SignInit of an EdDSA key (37 bytes, its own
# d2i in libcrypto).  LeakSanitizer is told to ignore allocations made inside
# libsofthsm2.so, and nothing else: to see that frame the module stays mapped
# at exit (preloaded: p11-kit's dlclose would leave it nameless) and
# allocation stacks are walked in full.  pkcs11-spy leaks 16 bytes in its
# C_GetFunctionList, and with SoftHSM2 preloaded its own C_* calls would
# resolve to SoftHSM2's, bypassing it: p11_spy_on drops the preload and the
# leak check for the runs through the spy, p11_spy_off brings both back
# (the same paths run leak-checked without the spy).
p11_spy_on() { :; }
p11_spy_off() { :; }
if [ -n "${ASAN_OPTIONS-}" ]; then
	printf 'leak:libsofthsm2.so\n' > "$T_TMP/lsan.supp"
	export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T_TMP/lsan.supp:print_suppressions=0"
	export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
	T_ASAN_OPTIONS=$ASAN_OPTIONS
	export LD_PRELOAD="$SOFTHSM_MODULE${LD_PRELOAD:+:$LD_PRELOAD}"
	P11_PRELOAD=$LD_PRELOAD
	p11_spy_on() { export ASAN_OPTIONS="$T_ASAN_OPTIONS:detect_leaks=0" LD_PRELOAD=; }
	p11_spy_off() { export ASAN_OPTIONS=$T_ASAN_OPTIONS LD_PRELOAD=$P11_PRELOAD; }
fi
USER_PIN=246810
SO_PIN=13579086
TOKEN=cobo-app

# p11_token_init [LABEL]: a fresh token dir under T_TMP/softhsm with its own
# config, exported as SOFTHSM2_CONF; the token LABEL (cobo-app) initialised.
p11_token_init() {
	local dir=$T_TMP/softhsm
	mkdir -p "$dir/tokens" && chmod 700 "$dir"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$dir" > "$dir/softhsm2.conf"
	export SOFTHSM2_CONF=$dir/softhsm2.conf
	softhsm2-util --init-token --free --label "${1:-$TOKEN}" --pin "$USER_PIN" \
		--so-pin "$SO_PIN" >/dev/null || { echo "softhsm2-util --init-token failed"; exit 99; }
}

# p11tool ARGS...: pkcs11-tool on the test token, logged in.
p11tool() {
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --login --pin "$USER_PIN" "$@"
}

# p11_keygen LABEL [TYPE]: a key pair made by pkcs11-tool (TYPE EC:edwards25519 by
# default); prints the 64-hex public key read back from its CKA_EC_POINT.
p11_keygen() {
	p11tool --keypairgen --key-type "${2:-EC:edwards25519}" --label "$1" \
		--id "$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n')" >/dev/null 2>&1 || return 1
	p11_pub "$1"
}

# p11_pub LABEL: the public key of LABEL as pkcs11-tool shows it (the 32 bytes inside
# the DER OCTET STRING of CKA_EC_POINT), lower-case hex.
p11_pub() {
	p11tool --list-objects --type pubkey 2>/dev/null | awk -v want="$1" '
		/^Public Key Object/ { pt = "" }
		$1 == "EC_POINT:" && length($2) == 68 && $2 ~ /^0420[0-9a-f]+$/ { pt = substr($2, 5) }
		$1 == "label:" && $2 == want && pt != "" { print pt; exit }'
}

# p11_pin_file: a 0600 file holding the user PIN; prints its path.
p11_pin_file() {
	(umask 077 && printf '%s\n' "$USER_PIN" > "$T_TMP/pin")
	echo "$T_TMP/pin"
}
