#!/bin/bash
# security-pin.sh - pin_sha256 (issue 27, threat 3 with a CA break): with
# pins set, a server whose public key none of them names is refused during
# the TLS handshake, before the request (and its signature, or a refresh
# token) is sent: one line naming the profile and the host, exit 70,
# nothing stored, and the Cobo test server's counters and log show that no
# request reached it.  The pins are computed from the served certificate
# with the command the manual gives.  Generated variants through
# `cobo-credential token` and git-credential-cobo: the right pin alone and
# among wrong ones (in every position, up to 8), wrong pins only (another
# key's, the CA's, random), on a mint and on a refresh; malformed settings
# refused at load with FILE:LINE before any request.
. "$top_srcdir/tests/lib/oauth.sh"

oauth_frontends

oauth_server_up
CHOST=127.0.0.1:$COBO_SERVER_PORT
LATER=50000 # the helper's clock moved past the access token's 43200 s: a refresh

# pin_of CERT: the pin of CERT's public key, as the manual computes it.
pin_of() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64
}
RIGHT=$(pin_of "$COBO_SERVER_DIR/server.pem")
CA_PIN=$(pin_of "$COBO_SERVER_CA")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other \
	-keyout "$T_TMP/other.key" -out "$T_TMP/other.pem" -days 1 2>/dev/null ||
	{ echo "openssl req failed"; exit 99; }
OTHER=$(pin_of "$T_TMP/other.pem")
RANDOM_PIN=$(head -c 32 /dev/urandom | base64)
check "the pin is 44 base64 characters" test ${#RIGHT} = 44
WRONG=("$CA_PIN" "$OTHER" "$RANDOM_PIN")

# pins_config SETTING: the profile with pin_sha256 = SETTING: oauth_config's
# (written once, its profile last) with the line added, by a redirection
# (the suite writes some sixty: no mkdir, cat and chmod each).
CONF=$XDG_CONFIG_HOME/cobo-credential/config
oauth_config
t_slurp BASE_CONF "$CONF"
pins_config() { printf '%s\npin_sha256 = %s\n' "$BASE_CONF" "$1" > "$CONF"; }
# get FRONT [ENV=V...]: the token through the CLI (cli) or git's helper (git); RC OUT ERR.
get() {
	local front=$1
	shift
	t_leak_check_first "$front"
	if [ "$front" = cli ]; then
		env "$@" "$CC" token --profile p > "$T_TMP/out" 2> "$T_TMP/err"
		RC=$?
	else
		printf 'protocol=https\nhost=%s\n\n' "$CHOST" | env "$@" "$GITH" get > "$T_TMP/out" 2> "$T_TMP/err"
		RC=$?
	fi
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
	[ "$front" = cli ] || t_field OUT password "$OUT"
}
stats() { cobo_server_stats "$ORG" mint refresh total failed; }
token_requests() { grep -c ' /v2/' "$COBO_SERVER_DIR/server.log" || true; }
PIN_RE="the server at 127\\.0\\.0\\.1:$COBO_SERVER_PORT does not have a public key that pin_sha256 of \\[profile p\\] names; nothing was sent: check the pins, or who answers for 127\\.0\\.0\\.1"

# refused NAME: the pin refusal; nothing reached the server, nothing stored.
refused() {
	case $1 in *"(git)"*) expect_eq "$1: no answer" "" "$OUT" ;;
	*) expect_eq "$1: exit 70" 70 "$RC" ;; esac
	expect_match "$1: message" "$PIN_RE" "$ERR"
	local n
	t_lines n "$ERR"
	expect_eq "$1: one line" 1 "$n"
	no_secret_in "$1" "$ERR$OUT"
	expect_eq "$1: no request reached the server (counters)" "0 0 0 0" "$(stats)"
	expect_eq "$1: no request reached the server (its log)" "$LOG0" "$(token_requests)"
}
# setup_cached: a minted token in the store (no pins), counters reset; a copy
# in store.before, which each refused refresh starts from (and must leave
# as it was).
setup_cached() {
	server_reset
	rm -f "$XDG_RUNTIME_DIR"/cobo-credential/*.failed
	oauth_config
	get cli
	[ "$RC" = 0 ] || fail "setup: mint failed: $ERR"
	cp "$STORE" "$T_TMP/store.before"
	cobo_server_ctl POST /_test/stats/reset >/dev/null
}

# --- wrong pins only: a mint and a refresh, nothing sent ----------------------------------
# The refreshes start from one minted token (setup_cached once per front-end):
# each refused refresh is checked to leave the store as it was, and starts
# from store.before again with no backoff marker.
WRONG_SETS=("${WRONG[@]}" "${WRONG[0]},${WRONG[1]}" "${WRONG[*]}" "${WRONG[1]}, ${WRONG[2]}")
for front in cli git; do
	for w in "${WRONG_SETS[@]}"; do
		server_reset
		pins_config "$w"
		LOG0=$(token_requests)
		get "$front"
		refused "wrong pins '${w:0:12}...' on a mint ($front)"
		expect_eq "wrong pins on a mint ($front): nothing stored" 0 "$(store_count)"
	done
	setup_cached
	for w in "${WRONG_SETS[@]}"; do
		cp "$T_TMP/store.before" "$STORE"
		rm -f "$XDG_RUNTIME_DIR"/cobo-credential/*.failed
		pins_config "$w"
		LOG0=$(token_requests)
		get "$front" COBO_CREDENTIAL_NOW_OFFSET=$LATER
		refused "wrong pins '${w:0:12}...' on a refresh ($front)"
		check "wrong pins on a refresh ($front): store unchanged" cmp -s "$T_TMP/store.before" "$STORE"
	done
done

# --- the right pin, alone and in every position among wrong ones ------------------------
for front in cli git; do
	for set in "$RIGHT" "$RIGHT,$OTHER" "$OTHER, $RIGHT" "$CA_PIN $RIGHT $OTHER" \
		"$OTHER,$CA_PIN,$RANDOM_PIN,$RIGHT" \
		"$OTHER,$OTHER,$OTHER,$OTHER,$OTHER,$OTHER,$OTHER,$RIGHT"; do
		n="right pin among $(($(tr -cd ',' <<< "$set" | wc -c) + 1)) ($front)"
		server_reset
		pins_config "$set"
		get "$front"
		expect_eq "$n: a mint: exit 0, quiet" "0|" "$RC|$ERR"
		expect_eq "$n: the token is valid" true "$(token_valid "$OUT")"
		get "$front" COBO_CREDENTIAL_NOW_OFFSET=$LATER
		expect_eq "$n: a refresh: exit 0, quiet" "0|" "$RC|$ERR"
		expect_eq "$n: one GET, one POST" "1 1 2 0" "$(stats)"
	done
done

# --- malformed settings: FILE:LINE at load, nothing sent ----------------------------------
BAD=("" "x" "$RIGHT," ",$RIGHT" "$RIGHT,,$OTHER" "sha256//$RIGHT" "$RIGHT;$OTHER"
	"${RIGHT%=}" "${RIGHT}A" "$(printf '%s' "$RIGHT" | tr '+/' '-_')"
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	"$RIGHT,$RIGHT,$RIGHT,$RIGHT,$RIGHT,$RIGHT,$RIGHT,$RIGHT,$RIGHT")
server_reset
LOG0=$(token_requests)
for b in "${BAD[@]}"; do
	[ "$b" != "$RIGHT" ] || continue # tr found no + or / in this pin: not a variant
	pins_config "$b"
	LINE=$(grep -n '^pin_sha256' "$CONF" | cut -d: -f1)
	for front in cli git; do
		get "$front"
		n="malformed pin_sha256 '${b:0:16}' ($front)"
		case $front in cli) expect_eq "$n: config error, exit 78" 78 "$RC" ;;
		*) expect_eq "$n: no answer" "" "$OUT" ;; esac
		expect_match "$n: FILE:LINE and the key" \
			"${CONF//./\\.}:$LINE: \\[profile p\\] pin_sha256: " "$ERR"
	done
done
expect_eq "malformed pins: no request reached the server" "0 0 0 0" "$(stats)"
expect_eq "malformed pins: nothing in the server's log" "$LOG0" "$(token_requests)"

t_done
