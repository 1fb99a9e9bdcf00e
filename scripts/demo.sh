#!/bin/bash
# scripts/demo.sh - the main job on the embedded default: installs what is
# missing, builds, then runs the whole flow against the local Cobo test
# server (HTTPS on 127.0.0.1) and a private gnome-keyring in a private D-Bus
# session — nothing of the real user's keyring or config is touched:
#
#   an app key generated and registered with the server, a profile set up,
#   a token minted, a second call answered from the keyring, a forced
#   expiry refreshed, git and Docker asking through their helpers,
#   secret-tool finding the token, and status at the end.
#
# Every service it starts is stopped at exit (by PID).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/errtrap.sh

scripts/deps.sh demo
build=$top/_build/demo
mkdir -p "$build"
# The build's chatter goes to a log, shown when it fails.
echo "building into _build/demo (log: _build/demo/build.log)"
if ! {
	mkdir -p m4 # libtoolize fills it; aclocal wants it before
	{ [ -x configure ] || autoreconf -fi; } &&
		cd "$build" && { [ -f Makefile ] || "$top/configure" -q; } &&
		make -s -j"$(nproc 2>/dev/null || echo 2)"
} >"$build/build.log" 2>&1; then
	tail -n 40 "$build/build.log"
	echo "demo: the build failed; the whole log: $build/build.log" >&2
	exit 1
fi
cd "$top"

# The test libraries give a private HOME/XDG tree, a private keyring and the server.
export top_srcdir=$top top_builddir=$build COBO_CREDENTIAL_MODULE_PATH=$build/modules
export PYTHON=/usr/bin/python3
. tests/lib/common.sh
. tests/lib/gnome-keyring.sh
. tests/server/cobo-server.sh
t_on_exit cobo_server_stop
export PATH="$build/src/cli:$build/src/git:$build/src/docker:$PATH"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
short() { local t; t=$(cat); printf '%s… (%d chars)\n' "${t:0:12}" "${#t}"; }
calls() { cobo_server_ctl GET "/_test/stats?org_id=$ORG" | tr -d '\n'; echo; }

say "private keyring and the local Cobo test server"
keyring_start
cobo_server_start "$T_TMP/server" --access-ttl 3600 >/dev/null
echo "keyring bus: $DBUS_SESSION_BUS_ADDRESS"
echo "Cobo API:    $COBO_SERVER_URL (CA $COBO_SERVER_CA)"

CLIENT=demo-app ORG=5f0c2e1a-demo-org
say "cobo-credential key generate: a new Ed25519 app key (secret stays in a 0600 file)"
PUB=$(cobo-credential key generate --out "$T_TMP/app.key")
echo "public key for the app manifest: $PUB"
cobo_server_register_app "$CLIENT" "$PUB" "$ORG" >/dev/null

say "cobo-credential setup: profile 'demo', secret into the keyring, proven by a mint"
cobo-credential setup --name demo --base-url "$COBO_SERVER_URL" \
	--server-key "$COBO_SERVER_PUBKEY" --ca-file "$COBO_SERVER_CA" \
	--client-id "$CLIENT" --org-id "$ORG" --key-file "$T_TMP/app.key"
calls

say "token: answered from the keyring (no server call)"
cobo-credential token --profile demo | short
calls

say "forced expiry (clock +55 min, inside the refresh window): refreshed, rotated"
COBO_CREDENTIAL_NOW_OFFSET=3300 cobo-credential token --profile demo --format json |
	sed -E 's/("access_token":"[^"]{12})[^"]*/\1…/'
calls

say "git asks through git-credential-cobo"
host=${COBO_SERVER_URL#https://}
host=${host%%/*}
printf 'protocol=https\nhost=%s\n\n' "$host" |
	git -c credential.helper= -c credential.helper=cobo credential fill |
	sed -E 's/^(password=.{12}).*/\1…/'

say "Docker asks through docker-credential-cobo"
echo "$host" | docker-credential-cobo get | sed -E 's/("Secret":"[^"]{12})[^"]*/\1…/'

say "the token is visible to desktop keyring tools"
secret-tool search --all base_url "$COBO_SERVER_URL" kind access 2>&1 |
	grep -E '^(label|attribute\.(org_id|kind|expires_at))' || true
secret-tool lookup base_url "$COBO_SERVER_URL" client_id "$CLIENT" org_id "$ORG" kind access | short

say "a signed Cobo API call with any tool: cobo-credential sign | curl -H @-"
url="$COBO_SERVER_URL/wallets?wallet_type=Custodial&limit=10"
cobo-credential sign --profile demo "$url" | sed -E 's/^(Authorization: Bearer .{12}|Biz-Api-Signature: .{12}).*/\1…/'
cobo-credential sign --profile demo "$url" | curl -sS --cacert "$COBO_SERVER_CA" -H @- "$url"
echo

say "cobo-credential api: sign, send, check Cobo's response signature, print the body"
printf '{"name":"demo wallet"}' | cobo-credential api --profile demo --body - /wallets
echo

say "the signing proxy: any HTTP client, no credentials of its own (curl over a unix socket)"
COBO_CREDENTIAL_PROXY_PROGRAM=$build/src/proxy/cobo-credential-proxy \
	cobo-credential proxy --profile demo --socket "$T_TMP/proxy.sock" >"$T_TMP/proxy.out" &
proxy_pid=$!
t_on_exit "kill $proxy_pid 2>/dev/null || true"
# Ready when it says where it listens (bounded: 200 x 50 ms).
for _ in $(seq 200); do grep -q '^listen ' "$T_TMP/proxy.out" && break; sleep 0.05; done
cat "$T_TMP/proxy.out"
curl -sS --unix-socket "$T_TMP/proxy.sock" "http://proxy/v2/wallets?limit=10"
echo
kill -TERM "$proxy_pid" && wait "$proxy_pid" || true

say "cobo-credential status"
cobo-credential status
calls
echo
echo "demo: ok"
