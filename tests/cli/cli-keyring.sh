#!/bin/bash
# cli-keyring.sh - the whole flow on the embedded default configuration
# (no [stack] written by hand): a private gnome-keyring and the local Cobo
# test server; setup of a profile; a token minted; a second call answered
# from the keyring; a forced expiry refreshed; git and Docker asking
# through their helpers; status at the end.  This is the README's demo.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/cli.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

keyring_start || exit 99
cli_server_start
cli_setup_flags
PATH="$top_builddir/src/git:$top_builddir/src/docker:$PATH"
HOST=127.0.0.1:$COBO_SERVER_PORT

# --- setup: key to the keyring, config written from the built-in default ---------------
cc_in "$SEED" setup --name demo "${SETUP[@]}" --key-file -
expect_eq "setup: exit 0" 0 "$RC"
expect_match "setup: the app secret went to the keyring" "credential store \(module keyring\)" "$OUT"
CONF=$XDG_CONFIG_HOME/cobo-credential/config
expect_match "config: app_secret = keyring" "app_secret = keyring" "$(cat "$CONF")"
# setup writes no [stack]: the built-in default stack applies (issue 11)
expect_match "config: the built-in stack" "No \\[stack\\] section: the built-in default" "$(cat "$CONF")"
check "config: no [stack] boilerplate" sh -c "! grep -q '^\\[stack\\]' '$CONF'"
check "no key file on a desktop" test ! -e "$XDG_DATA_HOME/cobo-credential/keys/$CLIENT_ID.key"
expect_eq "setup minted one token" "1 0 1" "$(stats)"
LABELS=$(secret-tool search --all xdg:schema com.cobo.credential.AppSecret 2>&1)
expect_match "secret-tool sees the app secret item" "label = Cobo App Secret \($CLIENT_ID\)" "$LABELS"

# --- token: from the keyring, no request -------------------------------------------------
cc token --profile demo
TOK=$OUT
expect_match "token: an access token" '^AT_' "$TOK"
expect_eq "token: answered from the keyring, no request" "1 0 1" "$(stats)"
LABELS=$(secret-tool search --all xdg:schema com.cobo.credential.Token 2>&1)
expect_match "secret-tool sees the access token item" "attribute.kind = access" "$LABELS"
expect_match "and the refresh token item" "attribute.kind = refresh" "$LABELS"
case $(printf '%s\n' "$LABELS" | grep -E '^(label|attribute)') in *AT_*|*RT_*)
	fail "a token in an item's label or attributes" ;;
*) pass "labels and attributes hold no token" ;; esac

# --- forced expiry: refreshed, written back to the keyring ------------------------------
COBO_CREDENTIAL_NOW_OFFSET=43100 cc token --profile demo
NEWTOK=$OUT
check "near expiry: a new token" test "$NEWTOK" != "$TOK"
expect_eq "near expiry: one refresh" "1 1 2" "$(stats)"
cc token --profile demo
expect_eq "the refreshed token is the cached one now" "$NEWTOK" "$OUT"

# --- git and Docker ask through their helpers ------------------------------------------------
if command -v git > /dev/null; then
	OUT=$(printf 'protocol=https\nhost=%s\n\n' "$HOST" |
		GIT_TERMINAL_PROMPT=0 git -c credential.helper= -c credential.helper=cobo credential fill 2>&1)
	expect_match "git credential fill: the org as username" "username=$ORG" "$OUT"
	expect_match "git credential fill: the cached token as password" "password=$NEWTOK" "$OUT"
else
	fail "git is not installed"
fi
OUT=$(printf '%s' "$HOST" | docker-credential-cobo get 2>&1)
expect_eq "docker-credential-cobo get: the cached token" "$ORG $NEWTOK" \
	"$(printf '%s' "$OUT" | py 'd["Username"] + " " + d["Secret"]')"
expect_eq "git and docker: still no new request" "1 1 2" "$(stats)"

# --- status at the end -----------------------------------------------------------------------
cc status
expect_match "status: access token in the keyring" "access token: +cached in kernel, keyring, expires in" "$OUT"
expect_match "status: refresh token in the keyring" "refresh token: +present in keyring" "$OUT"
case $OUT in *"$NEWTOK"*|*RT_*) fail "status shows a token" ;; *) pass "status shows no token" ;; esac
# status reads attributes only, which a locked gnome-keyring or KWallet still
# shows (KeePassXC shows no items while locked: then status says it is locked)
check "lock the keyring" keyring_lock
cc status
if [ "$KR_PROVIDER" != keepassxc ]; then
	expect_eq "locked keyring: status answers, exit 0, quiet" "0|" "$RC|$ERR"
	expect_match "locked keyring: the access token's expiry all the same" \
		"access token: +cached in kernel, keyring, expires in" "$OUT"
	expect_match "locked keyring: the refresh token all the same" "refresh token: +present in keyring" "$OUT"
else
	expect_match "locked keyring ($KR_PROVIDER): status says locked" "locked" "$OUT$ERR"
fi
keyring_start || fail "restart the keyring daemon (it unlocks the login keyring from disk)"
cc logout --profile demo
cc status --json
expect_eq "logout: the keyring holds no token" "False False" "$(printf '%s' "$OUT" | py \
	'str(d["profiles"][0]["access_token"]["cached"]) + " " + str(d["profiles"][0]["refresh_token"]["present"])')"
cc key public --profile demo
expect_eq "logout keeps the app secret" "$PUB" "$OUT"
cc logout --profile demo --forget-key
expect_match "--forget-key removes it" "app secret removed from the credential store" "$OUT"
cc key public --profile demo
check "the app secret is gone" test "$RC" -ne 0

t_done
