#!/bin/bash
# bench-smoke.sh - bench/run.sh --quick still runs end to end: every group,
# every helper and peer measured (each run checked for its answer by
# measure.py), ratios computed.  It asserts no timing: speed is the
# benchmark's business (bench/README.md), never a test's.
. "$top_srcdir/tests/lib/common.sh"

OUT=$("$top_srcdir/bench/run.sh" --quick "$top_builddir" 2> "$T_TMP/err")
RC=$?
expect_eq "bench --quick: exit 0, nothing on stderr" "0|" "$RC|$(head -c 600 "$T_TMP/err")"
for g in "git get: a plain credential in the keyring" "git store: the same credential again (keyring)" \
	"git get: a plain credential in a file (no keyring)" \
	"docker get: one of 50 credentials in the keyring" "docker list: 50 credentials in the keyring" \
	"a Cobo Org Access Token: cached, refreshed, minted (HTTPS to the local test server)"; do
	expect_eq "group measured: $g" 1 "$(printf '%s\n' "$OUT" | grep -cxF "## $g")"
done
for h in "git-credential-libsecret" "git-credential-store" "docker-credential-secretservice" \
	"cobo-credential token, refreshed every call" "cobo-credential token, minted every call"; do
	expect_match "peer measured: $h" "^\| $h[^|]* \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9]+ \| .* \| [0-9.]+ \|" \
		"$(printf '%s\n' "$OUT" | grep -F "| $h" | head -1)"
done
expect_eq "21 rows: ours and every peer (the kernel tier's 6 included)" 21 \
	"$(printf '%s\n' "$OUT" | sed '/^## signed resource calls/,$d' | grep -cE '^\| [a-z].* \| [0-9.]+ \|')"
# Signed resource calls (issue 25): every client measured per call beside the JS SDK.
for g in "GET /v2/wallets?wallet_type=Custodial&limit=10" "POST /v2/wallets (a JSON body)"; do
	expect_eq "group measured: signed resource calls, $g" 1 \
		"$(printf '%s\n' "$OUT" | grep -cxF "## signed resource calls, $g: CPU per call beside Cobo's JS SDK")"
done
for h in "curl over the signing proxy's socket, 3 calls a process" \
	"curl over the signing proxy's socket, a process a call" "cobo-credential api, a process a call"; do
	expect_eq "measured per call against the SDK, twice: $h" 2 "$(printf '%s\n' "$OUT" |
		grep -cE "^\| $h \| [0-9]+ \| -?[0-9.]+ \| (-?[0-9.]+|-) \| -?[0-9.]+ \| -?[0-9.]+ \| [0-9]+ \| -?[0-9.]+ \|$")"
done
expect_eq "the SDK is the reference, twice" 2 \
	"$(printf '%s\n' "$OUT" | grep -cE "^\| Cobo's JS SDK \(@cobo/cobo-waas2 [0-9.]+\) \| 3 \| .* \| \(reference\) \|$")"
# 2 runs (a warm-up and one round) of 3 + 1 + 1 + 3 calls, GET and POST: all accepted.
expect_match "every signed call reached the server and was accepted" \
	'"resource": ?32, ?"resource_failed": ?0\}' "$(printf '%s\n' "$OUT" | grep '(org-res)$')"
# org-refresh's tokens live 30 s: its first call (the warm-up) mints, the next one refreshes.
expect_match "the refresh case really refreshed (server counters)" '"mint": ?1, ?"refresh": ?1,' \
	"$(printf '%s\n' "$OUT" | grep '^# server counters')"
t_done
