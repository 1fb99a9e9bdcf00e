# tests/lib/oauth.sh - sourced by the oauth-*.sh integration tests: the Cobo test
# server, an app registered with an `openssl genpkey` key, a config whose
# stack is "get = file cobo-oauth", and helpers around tests/oauth/oauth-driver.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/server/cobo-server.sh"

DRIVER="$top_builddir/tests/oauth/oauth-driver"
if [ ! -x "$DRIVER" ]; then
	echo "no $DRIVER: build it with 'make check'"
	exit 99
fi
# Only 127.0.0.1 is ever contacted; keep any proxy of the environment out of it.
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

CLIENT_ID=oauth-it-client
ORG=org-oauth-it
ORG2=org-oauth-second
KEY_PEM=$T_TMP/app.pem
STORE=$T_TMP/store

# oauth_keygen PEM: a fresh Ed25519 key (0600); prints its public key hex.
oauth_keygen() {
	(umask 077 && openssl genpkey -algorithm ed25519 -out "$1" 2>/dev/null) || return 1
	openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | tail -c 32 | od -An -tx1 | tr -d ' \n'
}

# oauth_server_up [server args]: starts the server, registers the app for ORG and ORG2.
oauth_server_up() {
	cobo_server_start "$T_TMP/srv" "$@" || exit 99
	cobo_server_register_app "$CLIENT_ID" "$APP_PUB" "$ORG" "$ORG2" || exit 99
}

APP_PUB=$(oauth_keygen "$KEY_PEM") || { echo "openssl genpkey failed"; exit 99; }
t_on_exit cobo_server_stop

# oauth_config [profile lines...]: config with profile "p" for ORG (extra lines
# replace nothing: the defaults below are written unless OAUTH_BARE=1).
oauth_config() {
	{
		t_file_cobo_stack
		printf '[module file]\npath = %s\n' "$STORE"
		printf '[profile p]\n'
		if [ "${OAUTH_BARE:-0}" != 1 ]; then
			printf 'base_url = %s\nclient_id = %s\norg_id = %s\n' "$COBO_SERVER_URL" "$CLIENT_ID" "$ORG"
			printf 'server_key = %s\nca_file = %s\n' "$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA"
		fi
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
		if [ "${OAUTH_BARE:-0}" != 1 ]; then
			case " $* " in *"app_secret"*) ;; *) printf 'app_secret = file:%s\n' "$KEY_PEM" ;; esac
		fi
	} | t_config
}

# drv_token [PROFILE]: runs the driver; sets ST, ERR, TOKEN, CREATED, EXPIRES, LABEL, OUT.
drv_token() {
	"$DRIVER" token "${1:-p}" > "$T_TMP/drv_token.out" 2>&1
	t_slurp OUT "$T_TMP/drv_token.out"
	t_field ST status "$OUT"
	t_field ERR error "$OUT"
	t_field TOKEN token "$OUT"
	t_field CREATED created_at "$OUT"
	t_field EXPIRES expires_at "$OUT"
	t_field LABEL label "$OUT"
}

# drv_store: the stored Cobo items, one sorted line each (for "nothing stored" checks).
drv_store() { "$DRIVER" list 2>&1 | grep '^item ' | sort; }
# drv_secret KIND: the stored secret of that kind for ORG ("" if none).
drv_secret() { drv_store | sed -n "s/^item kind=$1 org=$ORG .* secret=\([^ ]*\) .*/\1/p" | head -n 1; }
store_count() { drv_store | grep -c '^item ' || true; }

token_valid() { cobo_server_field "$(cobo_server_ctl GET "/_test/token_valid?token=$1")" valid; }
refresh_info() { cobo_server_ctl GET "/_test/refresh_valid?token=$1"; }
stat_of() { cobo_server_field "$(cobo_server_ctl GET "/_test/stats?org_id=$ORG")" "$1"; }
fault() { cobo_server_ctl POST /_test/fault "$1" >/dev/null || fail "queue fault $1"; }
server_reset() {
	cobo_server_ctl POST /_test/reset >/dev/null || fail "server reset"
	rm -f "$STORE" "$STORE".*
}

# no_secret_in DESC TEXT: no token-like value (AT_/RT_ prefixes of the test server) in TEXT.
no_secret_in() {
	case $2 in *AT_*|*RT_*) fail "$1: a token leaked into the message" ;; *) pass "$1: no token in the message" ;; esac
}

# oauth_frontends: CC and GITH, the built CLI and git helper (exit 99,
# a hard error, when one is missing).
oauth_frontends() {
	CC="$top_builddir/src/cli/cobo-credential"
	GITH="$top_builddir/src/git/git-credential-cobo"
	local b
	for b in "$CC" "$GITH"; do
		[ -x "$b" ] || { echo "no $b: build it first"; exit 99; }
	done
}
