#!/bin/bash
# tests/valgrind/frontends.sh - the three front-ends' main paths under
# valgrind --leak-check=full --error-exitcode=1, against the real keyring
# and the Cobo test server.  Run by scripts/test.sh on the plain gcc build
# (not from `make check`: a sanitizer build cannot run under valgrind).
# Needs top_srcdir, top_builddir and COBO_CREDENTIAL_MODULE_PATH.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"
. "$top_srcdir/tests/server/cobo-server.sh"
t_on_exit cobo_server_stop

B=$top_builddir/src
VG=(valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
	--error-exitcode=97 --num-callers=30)

# vg DESC INPUT CMD...: CMD under valgrind with INPUT on stdin; passes when
# valgrind reports nothing (exit 97 means it did) and CMD exits 0 or 1.
vg() {
	local desc=$1 input=$2 rc
	shift 2
	printf '%s' "$input" | "${VG[@]}" --log-file="$T_TMP/vg.%p" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	if [ "$rc" -ne 97 ] && ! grep -qs '^==' "$T_TMP"/vg.*; then pass "$desc (exit $rc)"; else
		fail "$desc (exit $rc)"; cat "$T_TMP"/vg.* | head -60; fi
	rm -f "$T_TMP"/vg.*
}

keyring_start
cobo_server_start "$T_TMP/srv" >/dev/null || { echo "no test server"; exit 99; }
read -r SEED PUB < <(cobo_server_keygen)
cobo_server_register_app vg-app "$PUB" org-vg >/dev/null
printf '%s\n' "$SEED" >"$T_TMP/app.key"
chmod 600 "$T_TMP/app.key"
host=${COBO_SERVER_URL#https://}
host=${host%%/*}
t_config <<CONF
[stack]
get   = keyring [UNAVAIL=continue] file cobo-oauth
store = keyring file
erase = keyring [SUCCESS=continue] file
list  = keyring [SUCCESS=continue] file
[module cobo-oauth]
schemas = com.cobo.credential.Token
[profile vg]
base_url   = $COBO_SERVER_URL
client_id  = vg-app
org_id     = org-vg
app_secret = file:$T_TMP/app.key
server_key = $COBO_SERVER_PUBKEY
ca_file    = $COBO_SERVER_CA
CONF

G=$B/git/git-credential-cobo D=$B/docker/docker-credential-cobo C=$B/cli/cobo-credential
vg "git store (plain host)" $'protocol=https\nhost=example.com\nusername=u\npassword=p\n\n' "$G" store
vg "git get (plain host)" $'protocol=https\nhost=example.com\n\n' "$G" get
vg "git erase (plain host)" $'protocol=https\nhost=example.com\nusername=u\n\n' "$G" erase
vg "git get (Cobo: mint over HTTPS)" "protocol=https"$'\n'"host=$host"$'\n\n' "$G" get
vg "git get (Cobo: from the keyring)" "protocol=https"$'\n'"host=$host"$'\n\n' "$G" get
vg "docker store" '{"ServerURL":"reg.example","Username":"u","Secret":"s"}' "$D" store
vg "docker get" 'reg.example' "$D" get
vg "docker list" '' "$D" list
vg "docker erase" 'reg.example' "$D" erase
vg "docker get (Cobo)" "$host" "$D" get
vg "cli token" '' "$C" token --profile vg
vg "cli token --format exec-credential" '' "$C" token --profile vg --format exec-credential
COBO_CREDENTIAL_NOW_OFFSET=43000 vg "cli token (refresh)" '' "$C" token --profile vg
vg "cli status" '' "$C" status
vg "cli key public (loads libcrypto)" '' "$C" key public "$T_TMP/app.key"
vg "cli logout" '' "$C" logout --profile vg
t_done
