#!/bin/bash
# kernel-stack.sh - the kernel tier in the built-in stacks, end to end with
# real helpers, the Cobo test server and real keyctl calls in this test's
# own session keyring (tests/lib/keysession: never the user's keys).
#   headless (no D-Bus): the access token lives in the kernel tier only,
#     never in the file; the refresh token and plain credentials in the
#     file; a plain credential goes to the kernel only with a lifetime;
#     a kernel hit maps no libcurl/OpenSSL/json-c/libsecret; erase and
#     logout reach every tier.
#   another uid in this session keyring (as root: setpriv keeps it, as su
#     and sudo -u do without pam_keyinit): it reads and writes none of
#     our keys; a keyring it plants under our name is refused (the kernel
#     tier UNAVAIL, the trace says why) and the helper still answers.
#   keyctl denied by a seccomp filter (tests/kernel/nokeyctl): the kernel
#     module is UNAVAIL at once and the stack moves on to the file.
#   desktop (a private gnome-keyring): the access token in kernel and
#     keyring, the refresh token in the keyring only; a hit in the keyring
#     fills the kernel tier; the next get is a kernel hit mapping no
#     libsecret/GLib.
. "$top_srcdir/tests/lib/lifecycle.sh"

NOKEYCTL="$top_builddir/tests/kernel/nokeyctl"
CLI="$top_builddir/src/cli/cobo-credential"
# Never the user's own keys: the test's session keyring must hold the keyring.
RING=$(keyctl search @s keyring cobo-credential 2>/dev/null) || {
	echo "no cobo-credential keyring in this session: run through make check (tests/lib/keysession)"
	exit 99
}
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY
lc_server_up
set_ttl 3600

# A config without [stack]: the built-in default serves; only the file's
# path, the profile and extra [module ...] lines.
default_config() {
	{
		printf '[module file]\npath = %s\n' "$STORE"
		for l in "$@"; do printf '%s\n' "$l"; done
		printf '[profile lc]\nbase_url = %s\nclient_id = %s\norg_id = %s\n' \
			"$COBO_SERVER_URL" "$CLIENT_ID" "$ORG"
		printf 'server_key = %s\nca_file = %s\napp_secret = file:%s\n' \
			"$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA" "$KEY_PEM"
	} | t_config
}
# kdesc KIND: the kernel key description of ORG's token of that kind.
kdesc() {
	local u=${LC_URL//:/%3A}
	printf 'cobo-credential:com.cobo.credential.Token:base_url=%s;client_id=%s;kind=%s;org_id=%s' \
		"$u" "$CLIENT_ID" "$1" "$ORG"
}
kkey() { keyctl search "$RING" user "$(kdesc "$1")" 2>/dev/null; }
# ksecret_has KIND TOKEN: the kernel key's payload holds TOKEN.
ksecret_has() { local k; k=$(kkey "$1") && keyctl pipe "$k" | grep -aqF -- "$2"; }
nkeys() { keyctl rlist "$RING" 2>/dev/null | wc -w; }
git_plain() { # OP USER PASS: a plain credential for git.example.com
	printf 'protocol=https\nhost=git.example.com\nusername=%s\npassword=%s\n\n' "$2" "$3" |
		"$HELPER" "$1" 2>&1
}
plain_get() { printf 'protocol=https\nhost=git.example.com\n\n' | "$HELPER" get 2>&1; }

# --- headless ---------------------------------------------------------------------
default_config
lc_get
AT1=$TOKEN
expect_eq "headless, mint: exit 0, quiet, a valid token" "0||true" "$RC|$ERR|$(token_valid "$AT1")"
check "headless: the kernel tier holds the access token" ksecret_has access "$AT1"
expect_eq "headless: the access token is not on disk" "" "$(file_secret access)"
check "headless: the store file holds no byte of the access token" \
	sh -c '! grep -qF -- "$1" "$2"' sh "$AT1" "$STORE"
RT1=$(file_secret refresh)
expect_eq "headless: the refresh token is in the file, valid" true \
	"$(cobo_server_field "$(refresh_info "$RT1")" valid)"
check "headless: no refresh token in the kernel tier" test -z "$(kkey refresh)"
PERM=$(keyctl rdescribe "$(kkey access)" | cut -d';' -f4)
expect_eq "headless: the key is for its user only, not its possessors" 003f0000 "$PERM"

# status says which tier holds each token; doctor checks keyctl and the quota
ST=$("$CLI" status 2>&1)
expect_match "status: the access token in the kernel tier" "access token: +cached in kernel," "$ST"
expect_match "status: the refresh token in the file" "refresh token: +present in file," "$ST"
DOC=$("$CLI" doctor --offline 2>&1)
expect_match "doctor: the kernel keyring is usable, with its quota" \
	"\[ok\] +kernel keyring: usable, quota [0-9]+/[0-9]+ keys, [0-9]+/[0-9]+ bytes" "$DOC"
DOC=$("$NOKEYCTL" "$CLI" doctor --offline 2>&1)
expect_match "doctor, keyctl denied: a warning" \
	"\[warn\] kernel keyring: not usable here \(keyctl: Operation not permitted\)" "$DOC"
expect_match "doctor, keyctl denied: the fix" "fix: .*seccomp" "$DOC"

lc_get COBO_CREDENTIAL_TRACE="$T_TMP/trace.hit" LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.hit"
TR=$(cat "$T_TMP/trace.hit")
expect_eq "kernel hit: same token, no server call" "$AT1|1 0 1 0" "$TOKEN|$(stats)"
expect_match "kernel hit: the kernel answered" "get kernel: SUCCESS" "$TR"
check "kernel hit: the file was not read" sh -c '! printf "%s" "$1" | grep -q "get file"' sh "$TR"
MAPPED=$(cat "$T_TMP"/ld.hit.* | grep -oE 'file=[^ ]*(cobo-oauth\.so|libcurl|libssl|libcrypto|libjson-c|libsecret|libglib)[^ ]*' | sort -u | tr '\n' ' ')
expect_eq "kernel hit: no libcurl, OpenSSL, json-c, libsecret, GLib mapped" "" "$MAPPED"
KOAUTH=$(cat "$T_TMP"/ld.hit.* | grep -c 'file=[^ ]*cobo-oauth\.so' || true)
echo "#   cobo-oauth.so opened on a kernel hit: $KOAUTH time(s) (storm's schema-owner fix)"

# git rejects the token: it leaves every tier
lc_erase "$AT1"
expect_eq "erase: exit 0" 0 "$RC"
check "erase: the kernel key is gone" test -z "$(kkey access)"
lc_get
AT2=$TOKEN
check "after erase: a new token, back in the kernel tier" ksecret_has access "$AT2"
check "after erase: it differs from the rejected one" test "$AT2" != "$AT1"

# plain credentials: the file without a lifetime, the kernel only with one
N0=$(nkeys)
git_plain store bob pw-file >/dev/null
expect_eq "plain, no lifetime: not in the kernel tier" "$N0" "$(nkeys)"
check "plain, no lifetime: in the file" grep -q 'pw-file' "$STORE"
git_plain erase bob pw-file >/dev/null
default_config '[module kernel]' 'lifetime = 300'
git_plain store bob pw-kernel >/dev/null
expect_eq "plain, lifetime 300: one more key" "$((N0 + 1))" "$(nkeys)"
check "plain, lifetime 300: not written to the file" sh -c '! grep -q pw-kernel "$1"' sh "$STORE"
expect_match "plain, lifetime 300: answered" "password=pw-kernel" "$(plain_get)"
git_plain erase bob pw-kernel >/dev/null
expect_eq "plain: erase drops the key" "$N0" "$(nkeys)"

# logout reaches every tier
"$CLI" logout --profile lc >/dev/null 2>&1
check "logout: no access key in the kernel" test -z "$(kkey access)"
expect_eq "logout: no refresh token in the file" "" "$(file_secret refresh)"

# --- another uid in this session keyring ----------------------------------------------
if [ "$(id -u)" = 0 ]; then
	OU=$((64000 + $$ % 1000))
	other() { setpriv --reuid=$OU --regid=$OU --clear-groups "$@"; }
	default_config
	lc_get
	K=$(kkey access)
	expect_eq "other uid: a token in the kernel tier to try" "0|true" "$RC|$(test -n "$K" && echo true)"
	check "other uid: cannot read our key" sh -c '! "$@" keyctl pipe "$0" >/dev/null 2>&1' "$K" \
		setpriv --reuid=$OU --regid=$OU --clear-groups
	check "other uid: cannot list our keyring" sh -c '! "$@" keyctl rlist "$0" >/dev/null 2>&1' \
		"$RING" setpriv --reuid=$OU --regid=$OU --clear-groups
	check "other uid: cannot add to our keyring" sh -c \
		'! echo x | "$@" keyctl padd user planted "$0" >/dev/null 2>&1' "$RING" \
		setpriv --reuid=$OU --regid=$OU --clear-groups
	check "other uid: cannot open our key" sh -c '! "$@" keyctl setperm "$0" 0x3f3f3f3f 2>/dev/null' \
		"$K" setpriv --reuid=$OU --regid=$OU --clear-groups
	# it plants a keyring named like ours, holding a token under our key's description
	PR=$(other keyctl newring cobo-credential @s)
	other keyctl setperm "$PR" 0x3f3f3f3f
	printf 'planted-token' | other keyctl padd user "$(kdesc access)" "$PR" >/dev/null
	lc_get COBO_CREDENTIAL_TRACE="$T_TMP/trace.plant"
	TR=$(cat "$T_TMP/trace.plant")
	expect_eq "planted keyring: exit 0, a valid token, not the planted one" "0|true|" \
		"$RC|$(token_valid "$TOKEN")|$(printf '%s' "$TOKEN" | grep planted)"
	expect_match "planted keyring: the kernel tier is UNAVAIL" "get kernel: UNAVAIL" "$TR"
	expect_match "planted keyring: the trace says why" "keyring $PR 'cobo-credential' belongs to uid $OU, not to this user" "$TR"
	expect_eq "planted keyring: it holds its own key only" 1 "$(keyctl rlist "$PR" | wc -w)"
	keyctl unlink "$PR" @s >/dev/null
	RING=$(keyctl newring cobo-credential @s)
	"$CLI" logout --profile lc >/dev/null 2>&1
else
	echo "# not root: no other uid to share the session keyring with"
fi

# --- keyctl denied (seccomp) --------------------------------------------------------
default_config
server_reset
for e in EPERM ENOSYS; do
	OUT=$(lc_request | COBO_CREDENTIAL_TRACE="$T_TMP/trace.deny" "$NOKEYCTL" -e $e "$HELPER" get 2>"$T_TMP/deny.err")
	RC=$?
	TOKEN=$(field password)
	TR=$(cat "$T_TMP/trace.deny")
	expect_eq "keyctl denied ($e): exit 0, quiet, a valid token" "0||true" \
		"$RC|$(cat "$T_TMP/deny.err")|$(token_valid "$TOKEN")"
	expect_match "keyctl denied ($e): the kernel module is UNAVAIL" "get kernel: UNAVAIL" "$TR"
	expect_match "keyctl denied ($e): the file answered or stored" "(get|store) file: SUCCESS" "$TR"
	check "keyctl denied ($e): nothing reached the kernel" test -z "$(kkey access)"
done
expect_eq "keyctl denied: one mint, then a file hit" "1 0 1 0" "$(stats)"

# --- desktop: a private gnome-keyring -------------------------------------------------
. "$top_srcdir/tests/lib/gnome-keyring.sh"
if keyring_start; then
	rm -f "$STORE"
	server_reset
	lc_get
	AT3=$TOKEN
	expect_eq "desktop, mint: exit 0, a valid token" "0|true" "$RC|$(token_valid "$AT3")"
	check "desktop: the kernel holds the access token" ksecret_has access "$AT3"
	expect_eq "desktop: and the keyring" "$AT3" "$(kr_lookup access)"
	check "desktop: the refresh token in the keyring" test -n "$(kr_lookup refresh)"
	check "desktop: not in the kernel" test -z "$(kkey refresh)"
	check "desktop: no file written" test ! -e "$STORE"
	keyctl invalidate "$(kkey access)"
	lc_get COBO_CREDENTIAL_TRACE="$T_TMP/trace.fill"
	TR=$(cat "$T_TMP/trace.fill")
	expect_eq "desktop, kernel emptied: the keyring answers the same token" "$AT3|1 0 1 0" \
		"$TOKEN|$(stats)"
	expect_match "desktop: the keyring's hit fills the kernel" "fill kernel from keyring" "$TR"
	check "desktop: the kernel holds it again" ksecret_has access "$AT3"
	lc_get COBO_CREDENTIAL_TRACE="$T_TMP/trace.dhit" LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld.dhit"
	expect_match "desktop: next get is a kernel hit" "get kernel: SUCCESS" "$(cat "$T_TMP/trace.dhit")"
	MAPPED=$(cat "$T_TMP"/ld.dhit.* | grep -oE 'file=[^ ]*(keyring\.so|libsecret|libglib|libgio|libcurl|libssl|libcrypto)[^ ]*' | sort -u | tr '\n' ' ')
	expect_eq "desktop kernel hit: no keyring.so, libsecret, GLib, libcurl, OpenSSL mapped" "" "$MAPPED"
	"$CLI" logout --profile lc >/dev/null 2>&1
	expect_eq "desktop logout: kernel and keyring emptied" "|0|0" \
		"$(kkey access)|$(kr_count access)|$(kr_count refresh)"
	keyring_stop
else
	fail "gnome-keyring did not start"
fi

lc_done
