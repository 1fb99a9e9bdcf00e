# bench/resource.sh - sourced by bench/run.sh: what the signed resource call
# groups need (bench/resource_spec.py lists them; README.md "Signed resource
# calls"): Cobo's JS SDK installed at its pinned version, the app key as the
# SDK takes it (a hex seed in a 0600 file), the body the POST cases send, and
# the signing proxy on a unix socket, stopped at exit.
# Uses B, T_TMP, PEM, HERE and die() from run.sh; sets SDKJS, RES_BODY,
# PROXY_SOCK and PROXY_PID.

# scripts/deps.sh test installs it there (an install step, not a test's);
# install.sh fetches nothing when the cache already holds the locked tree.
SDKJS=${COBO_BENCH_SDKJS:-${XDG_CACHE_HOME:-$HOME/.cache}/cobo-credential/sdk-js}
"$HERE/sdk-js/install.sh" "$SDKJS" || die "cannot install Cobo's JS SDK (bench/sdk-js/install.sh)"

# PKCS#8 DER of an Ed25519 key ends with its 32-byte seed.
(umask 077 && openssl pkey -in "$PEM" -outform DER 2> /dev/null | tail -c 32 | od -An -tx1 |
	tr -d ' \n' > "$T_TMP/seed.hex") || die "cannot write the app key's seed for the SDK"
[ "$(wc -c < "$T_TMP/seed.hex")" -eq 64 ] || die "the app key's seed is not 32 bytes"

# What the SDK's createWallet sends for its body (JSON.stringify, no spaces).
RES_BODY=$T_TMP/wallet.json
printf '%s' '{"wallet_type":"Custodial","wallet_subtype":"Asset","name":"bench wallet"}' > "$RES_BODY"

PROXY_SOCK=$T_TMP/proxy.sock
proxy_stop() {
	[ -n "${PROXY_PID-}" ] || return 0
	kill -TERM "$PROXY_PID" 2> /dev/null
	wait "$PROXY_PID" 2> /dev/null
	PROXY_PID=
}
[ -x "$B/src/proxy/cobo-credential-proxy" ] || die "no $B/src/proxy/cobo-credential-proxy; build first (make)"
# Started as a simple command (not through with()), so $! is the proxy itself.
COBO_CREDENTIAL_CONFIG=$T_TMP/res.conf "$B/src/proxy/cobo-credential-proxy" --socket "$PROXY_SOCK" \
	> "$T_TMP/proxy.out" 2> "$T_TMP/proxy.err" &
PROXY_PID=$!
t_on_exit proxy_stop
# It prints "listen WHERE" once it accepts; the 60 s are a safety net, not a wait.
for _ in $(seq 600); do
	grep -q '^listen ' "$T_TMP/proxy.out" 2> /dev/null && break
	kill -0 "$PROXY_PID" 2> /dev/null || die "the signing proxy exited: $(head -c 300 "$T_TMP/proxy.err")"
	sleep 0.1
done
grep -q '^listen ' "$T_TMP/proxy.out" || die "the signing proxy did not listen within 60 s"
