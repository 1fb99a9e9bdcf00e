#!/bin/bash
# bench/pkcs11.sh - the cost of a key in a PKCS#11 token: a mint signed in
# SoftHSM2 (module loaded, token logged in, C_Sign) beside the same mint
# signed in software, and a signed API request ('cobo-credential sign' on
# a cached token: one signature, nothing sent) each way.  Median and 90th
# percentile wall time of ROUNDS runs each (default 30), and the ratio
# token/software of the medians.
#
#   bench/pkcs11.sh [--rounds N] [BUILDDIR]
set -u
. "$(dirname "$0")/lib.sh"
bench_args "$@"
export PYTHON=${PYTHON:-/usr/bin/python3}
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"
. "$top_srcdir/tests/lib/pkcs11.sh"

cli_server_start
p11_token_init
PINF=$(p11_pin_file)
HPUB=$(p11_keygen app-key) || { echo "bench/pkcs11.sh: pkcs11-tool failed" >&2; exit 1; }
cobo_server_register_app hsm-client "$HPUB" "$ORG" || exit 1
(umask 077 && printf '%s\n' "$SEED" > "$T_TMP/sw.key")
cli_file_stack
for p in sw hsm; do
	printf '[profile %s]\nbase_url = %s\nserver_key = %s\nca_file = %s\norg_id = %s\n' "$p" \
		"$COBO_SERVER_URL" "$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA" "$ORG"
done >> "$COBO_CREDENTIAL_CONFIG"
sed -i "/^\[profile sw\]/a client_id = $CLIENT_ID\napp_secret = file:$T_TMP/sw.key" "$COBO_CREDENTIAL_CONFIG"
sed -i "/^\[profile hsm\]/a client_id = hsm-client\napp_secret = pkcs11:token=$TOKEN;object=app-key?module-path=$SOFTHSM_MODULE\&pin-source=file:$PINF" \
	"$COBO_CREDENTIAL_CONFIG"
STORE=$XDG_DATA_HOME/cobo-credential/store

# timed LABEL CMD...: one run of CMD (it must succeed), its wall time in µs added to LABEL's list.
declare -A TIMES
timed() {
	local label=$1 t0 t1
	shift
	t0=$(date +%s%6N)
	"$@" > /dev/null 2> "$T_TMP/err" || { echo "bench/pkcs11.sh: $label: $(cat "$T_TMP/err")" >&2; exit 1; }
	t1=$(date +%s%6N)
	TIMES[$label]+="$((t1 - t0)) "
}
mint() { rm -f "$STORE"*; "$CC" token --profile "$1"; }

for ((r = 0; r < ROUNDS; r++)); do
	timed "mint, key in software" mint sw
	timed "mint, key in SoftHSM2" mint hsm
	"$CC" token --profile sw > /dev/null # both cached for the sign runs
	timed "sign, key in software" "$CC" sign --profile sw "$COBO_SERVER_URL/wallets"
	timed "sign, key in SoftHSM2" "$CC" sign --profile hsm "$COBO_SERVER_URL/wallets"
done
echo "# bench/pkcs11.sh: $ROUNDS rounds, $(date -u +%F), $(nproc) CPUs, $(uname -m), SoftHSM2 $(softhsm2-util --version)"
"$PYTHON" - "${TIMES[mint, key in software]}" "${TIMES[mint, key in SoftHSM2]}" \
	"${TIMES[sign, key in software]}" "${TIMES[sign, key in SoftHSM2]}" <<'PY'
import statistics, sys
def st(s):
    v = sorted(int(x) / 1000 for x in s.split())
    return statistics.median(v), v[int(0.9 * (len(v) - 1))]
rows = [("mint", sys.argv[1], sys.argv[2]), ("sign", sys.argv[3], sys.argv[4])]
print("| call | software: median ms | p90 ms | SoftHSM2: median ms | p90 ms | SoftHSM2/software |")
print("|---|---:|---:|---:|---:|---:|")
for name, sw, hsm in rows:
    (sm, s9), (hm, h9) = st(sw), st(hsm)
    print("| %s | %.1f | %.1f | %.1f | %.1f | %.2f |" % (name, sm, s9, hm, h9, hm / sm))
PY
t_done > /dev/null
