#!/bin/bash
# docker-registry.sh - real clients through docker-credential-cobo against a
# loopback docker-registry with htpasswd Basic auth, credentials in a real
# gnome-keyring: docker login / manifest inspect / logout (credsStore and
# credHelpers), skopeo copy / inspect (credHelpers), a wrong stored secret
# refused by the registry, and a docker-credential-secretservice user
# switching to "cobo" without logging in again.  No Docker engine.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"
. "$top_srcdir/tests/lib/docker.sh"
need docker skopeo docker-registry htpasswd docker-credential-secretservice

keyring_start || { echo "cannot start gnome-keyring"; exit 99; }
t_config <<'EOF'
[stack]
get = keyring
store = keyring
erase = keyring
list = keyring
EOF

ALICE_PW='Alice-Pw-1'
BOB_PW='Bob-Pw-2'
{
	printf '%s' "$ALICE_PW" | htpasswd_line alice
	printf '%s' "$BOB_PW" | htpasswd_line bob
} > "$T_TMP/htpasswd" || { echo "htpasswd failed"; exit 99; }
PORT=$(free_port)
REG=127.0.0.1:$PORT
registry_start "$PORT" "$T_TMP/htpasswd" || exit 99
IMG=$REG/cobo/hello:latest

STORE_CFG=$T_TMP/dc-store     # "credsStore": "cobo"
HELPERS_CFG=$T_TMP/dc-helpers # "credHelpers": { REG: "cobo" }
docker_config "$STORE_CFG" '{"credsStore":"cobo"}'
docker_config "$HELPERS_CFG" "{\"credHelpers\":{\"$REG\":\"cobo\"}}"

# dcli CONFIGDIR ARGS...: the docker CLI with that config; RC, OUT (stdout+stderr).
dcli() {
	local cfg=$1; shift
	OUT=$(DOCKER_CONFIG=$cfg docker "$@" 2>&1 < "${DCLI_IN:-/dev/null}")
	RC=$?
}
# login CONFIGDIR USER PASSWORD: docker login --password-stdin.
login() {
	printf '%s' "$3" > "$T_TMP/pw"
	DCLI_IN=$T_TMP/pw dcli "$1" login -u "$2" --password-stdin "$REG"
	rm -f "$T_TMP/pw"
}
manifest() { dcli "$1" manifest inspect --insecure "$IMG"; }
# sko ARGS...: skopeo with the credHelpers config as its auth file.
sko() {
	OUT=$(skopeo "$@" 2>&1)
	RC=$?
}
inspect() { sko inspect --tls-verify=false --authfile "$HELPERS_CFG/config.json" "docker://$IMG"; }

# --- the registry demands credentials --------------------------------------------
check "registry: anonymous access refused" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/")" = 401

# --- skopeo pushes with credentials from the helper (credHelpers) ----------------------
make_image "$T_TMP/img" || { echo "cannot build the image"; exit 99; }
dk_store "$REG" alice "$ALICE_PW"
sko copy --quiet "${DK_PUSH_FORMAT[@]}" --dest-tls-verify=false --dest-authfile "$HELPERS_CFG/config.json" \
	"oci:$T_TMP/img:latest" "docker://$IMG"
expect_eq "skopeo copy (push) through the helper" 0 "$RC"
[ "$RC" = 0 ] || echo "$OUT"
sko inspect --tls-verify=false --creds "alice:$ALICE_PW" --format '{{.Digest}}' "docker://$IMG"
DIGEST=$OUT
expect_match "the image is in the registry" '^sha256:[0-9a-f]{64}$' "$DIGEST"
dk erase "$REG"

# --- docker login stores through the helper (credsStore) ---------------------------------
login "$STORE_CFG" alice "$ALICE_PW"
expect_eq "docker login: exit 0" 0 "$RC"
expect_match "docker login: Login Succeeded" 'Login Succeeded' "$OUT"
dk get "$REG"
expect_eq "docker login stored alice through the helper" \
	"{\"ServerURL\":\"$REG\",\"Username\":\"alice\",\"Secret\":\"$ALICE_PW\"}" "$OUT"
expect_eq "docker login: the item is in the keyring" "$ALICE_PW" \
	"$(secret-tool lookup server "$REG" docker_cli 1)"
case $(cat "$STORE_CFG/config.json") in
*"$ALICE_PW"* | *'"auth"'*) fail "docker login: the password is not in config.json" ;;
*) pass "docker login: the password is not in config.json" ;;
esac

# --- clients authenticate with what the helper answers ------------------------------------
manifest "$STORE_CFG"
expect_eq "docker manifest inspect via credsStore: exit 0" 0 "$RC"
expect_match "docker manifest inspect via credsStore: the manifest" \
	"\"mediaType\": \"$DK_MANIFEST_TYPE\"" "$OUT"
manifest "$HELPERS_CFG"
expect_eq "docker manifest inspect via credHelpers: exit 0" 0 "$RC"
inspect
expect_eq "skopeo inspect via credHelpers (--authfile): exit 0" 0 "$RC"
expect_match "skopeo inspect: the pushed digest" "\"Digest\": \"$DIGEST\"" "$OUT"
OUT=$(DOCKER_CONFIG=$HELPERS_CFG skopeo inspect --tls-verify=false --format '{{.Digest}}' \
	"docker://$IMG" 2>&1)
expect_eq "skopeo inspect via \$DOCKER_CONFIG/config.json credHelpers" "$DIGEST" "$OUT"
OUT=$(DOCKER_CONFIG=$T_TMP/empty-cfg skopeo inspect --tls-verify=false "docker://$IMG" 2>&1)
expect_match "control: skopeo without the helper is refused" 'unauthorized|authentication required' "$OUT"

# --- a wrong stored secret is refused by the registry ----------------------------------------
dk_store "$REG" alice 'not-the-password'
MARK=$(wc -l < "$REG_LOG")
manifest "$STORE_CFG"
expect_eq "wrong stored secret: docker manifest inspect fails" 1 "$RC"
# the CLI reports "no such manifest"; the registry log shows the refusal
expect_match "wrong stored secret: the registry refused docker's credentials" \
	'"GET /v2/cobo/hello/manifests/latest HTTP/1.1" 401 .*Docker-Client' \
	"$(tail -n +"$((MARK + 1))" "$REG_LOG")"
inspect
check "wrong stored secret: skopeo inspect fails" test "$RC" != 0
expect_match "wrong stored secret: skopeo was refused" 'unauthorized|authentication required' "$OUT"

# --- login again: a different user replaces the entry ------------------------------------------
login "$STORE_CFG" bob "$BOB_PW"
expect_eq "docker login as bob: exit 0" 0 "$RC"
dk list
expect_eq "one entry per registry, now bob's" "{\"$REG\":\"bob\"}" "$OUT"
manifest "$STORE_CFG"
expect_eq "docker manifest inspect as bob" 0 "$RC"
login "$STORE_CFG" bob 'wrong-password'
check "docker login with a wrong password fails" test "$RC" != 0
dk get "$REG"
expect_eq "a failed login leaves the stored credentials alone" "bob $BOB_PW" \
	"$(json_field Username) $(json_field Secret)"

# --- docker logout erases through the helper -----------------------------------------------------
dcli "$STORE_CFG" logout "$REG"
expect_eq "docker logout: exit 0" 0 "$RC"
check "docker logout: no warning about erasing" eval '! printf "%s" "$OUT" | grep -qi "could not erase"'
dk get "$REG"
expect_eq "docker logout: the helper has nothing" "credentials not found in native keychain" "$OUT"
expect_eq "docker logout: nothing left in the keyring" "" \
	"$(secret-tool search --all server "$REG" 2>&1 | grep '^secret = ')"
manifest "$STORE_CFG"
expect_eq "after logout docker manifest inspect fails" 1 "$RC"
dcli "$STORE_CFG" logout "$REG"
expect_eq "docker logout again: exit 0" 0 "$RC"

# --- a docker-credential-secretservice user switches to cobo ----------------------------------------
SS_CFG=$T_TMP/dc-ss
docker_config "$SS_CFG" '{"credsStore":"secretservice"}'
login "$SS_CFG" alice "$ALICE_PW"
expect_eq "docker login with credsStore secretservice" 0 "$RC"
expect_eq "the reference helper stored it" "$ALICE_PW" \
	"$(printf '%s' "$REG" | docker-credential-secretservice get | json_field Secret /dev/stdin)"
sed -i 's/"secretservice"/"cobo"/' "$SS_CFG/config.json"
expect_match "config.json now says cobo" '"credsStore": *"cobo"' "$(cat "$SS_CFG/config.json")"
manifest "$SS_CFG"
expect_eq "switched to cobo: docker manifest inspect without logging in again" 0 "$RC"
OUT=$(DOCKER_CONFIG=$HELPERS_CFG skopeo inspect --tls-verify=false --format '{{.Digest}}' \
	"docker://$IMG" 2>&1)
expect_eq "switched to cobo: skopeo reads the reference's item too" "$DIGEST" "$OUT"
dcli "$SS_CFG" logout "$REG"
expect_eq "switched to cobo: docker logout" 0 "$RC"
expect_eq "the reference helper no longer finds it either" "credentials not found in native keychain" \
	"$(printf '%s' "$REG" | docker-credential-secretservice get)"

t_done
