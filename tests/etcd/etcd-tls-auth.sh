#!/bin/bash
# etcd-tls-auth.sh - the etcd module over TLS (members with a certificate
# from the test CA: ca_file trusts it; without it the member is refused and
# the module is unavailable, the token still minted locally) and with etcd
# authentication (user + password from file: and env:; a wrong password is
# a clear error naming user=, never a token in etcd), pin_sha256 (the
# member's key pinned, one of two, a key not pinned refused, malformed pins),
# and key_file (a private key others can use is refused).
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/etcd.sh"

ORGS=(org-a)
fleet_server_up
ETCD_SCHEME=https
ETCD_EXTRA_ARGS=(--cert-file "$T_TMP/srv/server.pem" --key-file "$T_TMP/srv/server.key")
ETCD_CURL_CA=$T_TMP/srv/ca.pem
etcd_cluster_start 1 || { echo "FAIL - etcd cluster over TLS"; exit 1; }

# --- TLS -----------------------------------------------------------------------------
fleet_machine 1 "ca_file = $ETCD_CURL_CA"
fleet_get 1 org-a
expect_eq "TLS: a token minted" 0 "$RC"
expect_eq "TLS: its records are in etcd (read over https)" 2 "$(etcd_count tok/)"
T1=$TOKEN
fleet_machine 2 "ca_file = $ETCD_CURL_CA"
fleet_get 2 org-a
expect_eq "TLS: another machine reads it from etcd" "$T1" "$TOKEN"
fleet_machine 3 "request_timeout_ms = 2000"
fleet_get 3 org-a COBO_CREDENTIAL_TRACE="$T_TMP/notrust.trace"
check "TLS: a member the CA bundle does not trust is refused" \
	grep -q "etcd unreachable.*\(certificate\|SSL\)" "$T_TMP/notrust.trace"

# --- pin_sha256 ----------------------------------------------------------------------
pin_of() { openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | openssl enc -base64; }
PIN=$(pin_of "$T_TMP/srv/server.pem")
OTHER=$(pin_of "$T_TMP/srv/ca.pem")
fleet_machine 8 "ca_file = $ETCD_CURL_CA" "pin_sha256 = $PIN"
fleet_get 8 org-a
expect_eq "pin: the member's own key pinned: the token is read from etcd" "$T1" "$TOKEN"
fleet_machine 9 "ca_file = $ETCD_CURL_CA" "pin_sha256 = $OTHER, $PIN"
fleet_get 9 org-a
expect_eq "pin: one of two pins matches: read from etcd" "$T1" "$TOKEN"
fleet_machine 10 "ca_file = $ETCD_CURL_CA" "pin_sha256 = $OTHER" "request_timeout_ms = 2000"
fleet_get 10 org-a COBO_CREDENTIAL_TRACE="$T_TMP/pin.trace"
check "pin: a member whose key is not pinned is refused, though the CA trusts it" \
	grep -q "etcd unreachable.*pinned public key" "$T_TMP/pin.trace"
check "... and nothing is read from it" test "$TOKEN" != "$T1"
# Malformed pins (generated) and a pin with a plain-http member: FILE:LINE.
mapfile -t BADPINS < <(PIN=$PIN "$PYTHON" -c '
import base64, os
p = base64.b64decode(os.environ["PIN"])
print(base64.b64encode(p)[:-1].decode())          # 43 characters
print(base64.b64encode(p).decode() + "A")          # 45
print(base64.b64encode(p[:31]).decode())           # 31 bytes
print(base64.b64encode(p + b"x").decode())         # 33 bytes
print(p.hex())                                     # hex, not base64
print("sha256//" + base64.b64encode(p).decode())   # curl syntax
print(base64.b64encode(p).decode()[:-2] + "*=")    # a byte outside base64
print(base64.b64encode(p).decode().replace("=", "")[:-1] + "==")
print(",")
')
n_bad=0
for bp in "${BADPINS[@]}"; do
	fleet_machine 11 "ca_file = $ETCD_CURL_CA" "pin_sha256 = $bp"
	line=$(grep -n '^pin_sha256 *=' "$T_TMP/m11/config" | cut -d: -f1)
	t_leak_check_first bad-pin
	fleet_get 11 org-a PIN="$PIN"
	grep -Eq "config:$line: .*pin_sha256: (pin [0-9]+ |empty|an empty|more than|too long|ends in)" <<<"$ERR" && [ -z "$TOKEN" ] ||
		{ n_bad=$((n_bad + 1)); echo "# pin '$bp': $ERR"; }
done
t_leak_check_all
expect_eq "pin: ${#BADPINS[@]} malformed pins refused with FILE:LINE" "9 0" "${#BADPINS[@]} $n_bad"
SAVED=$ETCD_ENDPOINTS
ETCD_ENDPOINTS="$SAVED,http://127.0.0.1:1"
fleet_machine 12 "ca_file = $ETCD_CURL_CA" "pin_sha256 = $PIN"
ETCD_ENDPOINTS=$SAVED
fleet_get 12 org-a
expect_match "pin: with an http:// member, a FILE:LINE error" \
	"config:[0-9]+: .*pin_sha256: member http://127.0.0.1:1 is plain http" "$ERR"

# --- auth ------------------------------------------------------------------------------
(umask 077 && printf 'pw-%s\n' "$RANDOM$RANDOM" > "$T_TMP/etcd.pw")
PW=$(cat "$T_TMP/etcd.pw")
etcd_ctl user add "root:$PW" > /dev/null && etcd_ctl user grant-role root root > /dev/null &&
	etcd_ctl user add "cobo:$PW" > /dev/null &&
	etcd_ctl role add fleet > /dev/null &&
	etcd_ctl role grant-permission fleet --prefix=true readwrite "$FLEET_PREFIX" > /dev/null &&
	etcd_ctl user grant-role cobo fleet > /dev/null && etcd_ctl auth enable > /dev/null ||
	fail "etcd auth set-up"
etcd_ctl() {
	"$ETCDCTL_BIN" --endpoints="$ETCD_ENDPOINTS" --dial-timeout=2s --cacert "$ETCD_CURL_CA" \
		--user "root:$PW" "$@"
}
fleet_machine 4 "ca_file = $ETCD_CURL_CA" "user = cobo" "password = file:$T_TMP/etcd.pw"
fleet_get 4 org-a
expect_eq "auth (password file:): the token is read from etcd" "$T1" "$TOKEN"
fleet_machine 5 "ca_file = $ETCD_CURL_CA" "user = cobo" "password = env:ETCD_PW"
fleet_get 5 org-a ETCD_PW="$PW"
expect_eq "auth (password env:): the token is read from etcd" "$T1" "$TOKEN"
fleet_machine 6 "ca_file = $ETCD_CURL_CA"
fleet_get 6 org-a
expect_match "auth enabled, no user: etcd's refusal is the error" "refused|user" "$ERR"
expect_eq "auth enabled, no user: no token" "" "$TOKEN"
# A machine of its own: machine 5's local tier now holds the token (a hit
# below fills the tiers above it), so it would not ask etcd again.
fleet_machine 7 "ca_file = $ETCD_CURL_CA" "user = cobo" "password = env:ETCD_PW"
fleet_get 7 org-a ETCD_PW=wrong-password
expect_match "a wrong password: a clear error naming user=" "user: etcd refused user 'cobo'" "$ERR"
check "... that does not echo the password" bash -c '! grep -q "wrong-password" <<<"$1"' _ "$ERR"
expect_eq "a wrong password: no token" "" "$TOKEN"

# --- key_file: a TLS private key others can read is refused ----------------------
# Every group/other permission bit alone and a few mixes, a directory, a
# missing file: FILE:LINE at the key_file line, no token, the fix named;
# modes 600 and 400 are accepted (the module opens and answers).
cp "$T_TMP/srv/server.key" "$T_TMP/client.key"
KF=$T_TMP/client.key
n_bad=0 n=0
for mode in 604 602 601 640 620 610 644 660 666 606 400 600 dir missing; do
	n=$((n + 1))
	case $mode in
	dir) kf=$T_TMP/keydir; mkdir -p "$kf"; chmod 700 "$kf" ;;
	missing) kf=$T_TMP/no-such.key ;;
	*) kf=$KF; chmod "$mode" "$kf" ;;
	esac
	fleet_machine $((20 + n)) "ca_file = $ETCD_CURL_CA" "user = cobo" "password = file:$T_TMP/etcd.pw" \
		"cert_file = $T_TMP/srv/server.pem" "key_file = $kf"
	line=$(grep -n '^key_file *=' "$T_TMP/m$((20 + n))/config" | cut -d: -f1)
	t_leak_check_first key-file
	fleet_get $((20 + n)) org-a
	case $mode in
	400 | 600) ok=$([ "$TOKEN" = "$T1" ] && echo y) ;;
	dir) ok=$(grep -Eq "config:$line: .*key_file: .*not a regular file" <<<"$ERR" && [ -z "$TOKEN" ] && echo y) ;;
	missing) ok=$(grep -Eq "config:$line: .*key_file: cannot use .*no-such.key" <<<"$ERR" && [ -z "$TOKEN" ] && echo y) ;;
	*) ok=$(grep -Eq "config:$line: .*key_file: .*accessible by others \(mode $mode\); run: chmod 600" <<<"$ERR" &&
		[ -z "$TOKEN" ] && echo y) ;;
	esac
	[ -n "$ok" ] || { n_bad=$((n_bad + 1)); echo "# key_file mode $mode: token=${TOKEN:0:8} $ERR"; }
done
t_leak_check_all
chmod 600 "$KF"
expect_eq "key_file: $n cases (10 modes others can use refused with FILE:LINE and the fix, a directory, a missing file; 400 and 600 accepted)" \
	0 "$n_bad"

lc_done
