#!/bin/bash
# docker-cobo.sh - Cobo access tokens through docker-credential-cobo: a
# ServerURL that resolves to a Cobo profile gets {ORG_ID, access token}
# from the token lifecycle (minted over real HTTPS by the Cobo test server,
# then cached); store is refused; erase drops the cached token.  Then a
# docker-registry on the same host:port whose htpasswd holds the minted
# token for user ORG_ID: docker and skopeo authenticate with the token the
# helper hands them, from the cache, with the Cobo server gone.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/server/cobo-server.sh"
. "$top_srcdir/tests/lib/docker.sh"
need docker skopeo docker-registry htpasswd openssl

CLIENT_ID=docker-it-client
ORG=org-docker-it
KEY_PEM=$T_TMP/app.pem
(umask 077 && openssl genpkey -algorithm ed25519 -out "$KEY_PEM" 2>/dev/null) ||
	{ echo "openssl genpkey failed"; exit 99; }
APP_PUB=$(openssl pkey -in "$KEY_PEM" -pubout -outform DER 2>/dev/null | tail -c 32 |
	od -An -tx1 | tr -d ' \n')
t_on_exit cobo_server_stop
cobo_server_start "$T_TMP/srv" || exit 99
cobo_server_register_app "$CLIENT_ID" "$APP_PUB" "$ORG" > /dev/null || exit 99
PORT=$COBO_SERVER_PORT
HOST=127.0.0.1:$PORT

t_config < <(t_file_cobo_stack; cat <<EOF
[profile reg]
base_url = $COBO_SERVER_URL
client_id = $CLIENT_ID
org_id = $ORG
app_secret = file:$KEY_PEM
server_key = $COBO_SERVER_PUBKEY
ca_file = $COBO_SERVER_CA
EOF
)

# stats: "mint refresh total" of ORG at the test server.
stats() { cobo_server_stats "$ORG" mint refresh total; }
token_valid() {
	"$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["valid"])' \
		"$(cobo_server_ctl GET "/_test/token_valid?token=$1")"
}

# --- get: a minted access token, then the cached one -------------------------------
dk get "$HOST"
expect_eq "get for the Cobo host: exit 0" 0 "$RC"
one_line "get for the Cobo host"
expect_eq "get: ServerURL echoes the request" "$HOST" "$(json_field ServerURL)"
expect_eq "get: Username is the org id" "$ORG" "$(json_field Username)"
TOKEN=$(json_field Secret)
expect_match "get: Secret is an access token" '^AT_' "$TOKEN"
expect_eq "get: the server knows the token as valid" True "$(token_valid "$TOKEN")"
expect_eq "get: one mint" "1 0 1" "$(stats)"
dk get "$HOST"
expect_eq "second get: the same token" "$TOKEN" "$(json_field Secret)"
expect_eq "second get: from the cache, no request" "1 0 1" "$(stats)"
dk get "$COBO_SERVER_URL"
expect_eq "get by the profile's URL: same token" "$TOKEN" "$(json_field Secret)"
expect_eq "get by the profile's URL: ServerURL echoed as asked" "$COBO_SERVER_URL" \
	"$(json_field ServerURL)"
dk get cobo://reg
expect_eq "get cobo://reg: same token" "$ORG $TOKEN" "$(json_field Username) $(json_field Secret)"
case $ERR in *AT_*) fail "get: the token leaked to stderr" ;; *) pass "get: nothing on stderr" ;; esac

# --- store is refused, list shows Docker credentials only ------------------------------
dk_store "$HOST" "$ORG" 'AT_typed_by_hand'
expect_eq "store for the Cobo host: refused" 1 "$RC"
expect_match "store for the Cobo host: says why" "Cobo profile 'reg'.*minted on demand" "$OUT"
dk get "$HOST"
expect_eq "store refused: the minted token still answers" "$TOKEN" "$(json_field Secret)"
dk list
expect_eq "list: Cobo tokens are not Docker credentials" "{}" "$OUT"

# --- erase drops the cached access token; the next get refreshes ------------------------
dk erase "$HOST"
expect_eq "erase: exit 0" 0 "$RC"
expect_eq "erase: silent" "" "$OUT"
dk get "$HOST"
TOKEN2=$(json_field Secret)
check "after erase: a new token" test -n "$TOKEN2" -a "$TOKEN2" != "$TOKEN"
expect_eq "after erase: refreshed with the kept refresh token (no new mint)" "1 1 2" "$(stats)"
expect_eq "after erase: the new token is valid" True "$(token_valid "$TOKEN2")"
dk erase "$HOST"
dk erase "$HOST"
expect_eq "erase with nothing cached: exit 0" 0 "$RC"
dk get "$HOST"
TOKEN=$(json_field Secret)
expect_eq "the token the registry will accept is valid" True "$(token_valid "$TOKEN")"

# --- a registry on the profile's host:port accepts ORG_ID + the minted token -------------
cobo_server_stop
printf '%s' "$TOKEN" | htpasswd_line "$ORG" > "$T_TMP/htpasswd" || { echo "htpasswd failed"; exit 99; }
registry_start "$PORT" "$T_TMP/htpasswd" || exit 99
check "registry: a wrong token is refused" \
	test "$(curl -s -o /dev/null -w '%{http_code}' -u "$ORG:AT_wrong" "http://$HOST/v2/")" = 401

IMG=$HOST/cobo/hello:latest
STORE_CFG=$T_TMP/dc-store
HELPERS_CFG=$T_TMP/dc-helpers
docker_config "$STORE_CFG" '{"credsStore":"cobo"}'
docker_config "$HELPERS_CFG" "{\"credHelpers\":{\"$HOST\":\"cobo\"}}"
make_image "$T_TMP/img" || { echo "cannot build the image"; exit 99; }
OUT=$(skopeo copy --quiet "${DK_PUSH_FORMAT[@]}" --dest-tls-verify=false --dest-authfile "$HELPERS_CFG/config.json" \
	"oci:$T_TMP/img:latest" "docker://$IMG" 2>&1)
expect_eq "skopeo copy (push) with the Cobo token from the helper" 0 "$?"
OUT=$(DOCKER_CONFIG=$STORE_CFG docker manifest inspect --insecure "$IMG" 2>&1)
expect_eq "docker manifest inspect with the Cobo token (credsStore)" 0 "$?"
expect_match "docker manifest inspect: the manifest" "$DK_MANIFEST_TYPE" "$OUT"
OUT=$(DOCKER_CONFIG=$HELPERS_CFG docker manifest inspect --insecure "$IMG" 2>&1)
expect_eq "docker manifest inspect with the Cobo token (credHelpers)" 0 "$?"
OUT=$(skopeo inspect --tls-verify=false --authfile "$HELPERS_CFG/config.json" \
	--format '{{.Name}}' "docker://$IMG" 2>&1)
expect_eq "skopeo inspect with the Cobo token" "$HOST/cobo/hello" "$OUT"
OUT=$(DOCKER_CONFIG=$T_TMP/no-cfg skopeo inspect --tls-verify=false "docker://$IMG" 2>&1)
expect_match "control: without the helper the registry refuses" 'unauthorized|authentication required' "$OUT"

# docker login to a Cobo host: the registry accepts, the helper will not store.
OUT=$(printf '%s' "$TOKEN" | DOCKER_CONFIG=$STORE_CFG docker login -u "$ORG" --password-stdin "$HOST" 2>&1)
check "docker login to the Cobo host fails at the store" test $? != 0
expect_match "docker login shows the helper's reason" "minted on demand" "$OUT"
dk get "$HOST"
expect_eq "after the refused login the helper still answers the minted token" "$TOKEN" \
	"$(json_field Secret)"

t_done
