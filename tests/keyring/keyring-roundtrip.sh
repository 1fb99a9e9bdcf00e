#!/bin/bash
# keyring-roundtrip.sh - the keyring module through the core against a real
# Secret Service (gnome-keyring; KeePassXC in keyring-roundtrip-keepassxc.sh,
# whose provider adds Title, UserName, URL, Notes, Uuid, Path to every item
# and prompts on every store and delete): every schema round-trips, the layouts are what keyring
# tools (secret-tool) and the git/docker helpers see, and store/erase/get
# follow the query rules.
. "$top_srcdir/tests/lib/keyring.sh"

keyring_start || { echo "FAIL - keyring_start"; exit 1; }

URL=https://api.dev.cobo.com/v2
COBO="schema com.cobo.credential.Token
attr base_url=$URL
attr client_id=cid
attr org_id=org1"

# --- Cobo tokens -----------------------------------------------------------
drv <<EOF
op store
$COBO
attr kind=access
secret tok-1
created 1700000000
expires 4000000000
EOF
expect_eq "cobo: store" SUCCESS "$(field status)"
drv <<EOF
op get
$COBO
attr kind=access
EOF
expect_eq "cobo: get" tok-1 "$(field secret)"
expect_eq "cobo: expiry kept" 4000000000 "$(field expires)"
expect_eq "cobo: created kept" 1700000000 "$(field created)"
expect_eq "cobo: default label" "Cobo Org Access Token (org1 on $URL)" "$(field label)"
secret-tool lookup base_url "$URL" client_id cid org_id org1 kind access >"$T_TMP/lookup"
printf 'tok-1' >"$T_TMP/want"
check "cobo: secret-tool lookup prints exactly the token" cmp -s "$T_TMP/lookup" "$T_TMP/want"

# a new token replaces the old one even though its expiry differs
drv <<EOF
op store
$COBO
attr kind=access
label Cobo Org Access Token (org1 on api.dev.cobo.com)
secret tok-2
expires 4000000100
EOF
n=$(secret-tool search --all base_url "$URL" kind access 2>&1 | grep -c '^secret = ')
expect_eq "cobo: one item after re-store" 1 "$n"
expect_eq "cobo: lookup sees the new token" tok-2 \
	"$(secret-tool lookup base_url "$URL" client_id cid org_id org1 kind access)"
expect_eq "cobo: label from the item" "label = Cobo Org Access Token (org1 on api.dev.cobo.com)" \
	"$(secret-tool search --all base_url "$URL" kind access 2>&1 | grep '^label = ')"
drv <<EOF
op store
$COBO
attr kind=refresh
secret rt-1
EOF
drv <<EOF
op get
$COBO
attr kind=access
EOF
expect_eq "cobo: access and refresh kept apart" tok-2 "$(field secret)"
drv <<EOF
op list
$COBO
EOF
expect_eq "cobo: list both kinds" 2 "$(count_items)"

# expired items are never the answer
drv <<EOF
op store
$COBO
attr kind=expired-test
secret old
expires 1000
EOF
drv <<EOF
op get
$COBO
attr kind=expired-test
EOF
expect_eq "cobo: expired item not returned" NOTFOUND "$(field status)"

# --- git ---------------------------------------------------------------------
GIT="schema org.git.Password
attr protocol=https
attr host=example.com:8443"
drv <<EOF
op store
$GIT
attr path=a/b
attr username=alice
secret pw-a
expires 4000000000
refresh rt-git
EOF
expect_eq "git: store" SUCCESS "$(field status)"
S=$(secret-tool search --all server example.com user alice 2>&1)
expect_match "git: git-credential-libsecret's schema" 'schema = org.gnome.keyring.NetworkPassword' "$S"
expect_match "git: git's label" 'label = Git: https://example.com:8443/a/b' "$S"
expect_match "git: port attribute" 'attribute.port = 8443' "$S"
expect_match "git: object attribute" 'attribute.object = a/b' "$S"
expect_match "git: payload as newer git writes it" \
	'secret = pw-a.password_expiry_utc=4000000000.oauth_refresh_token=rt-git' "$(echo $S)"
drv <<EOF
op get
$GIT
EOF
expect_eq "git: get password" pw-a "$(field secret)"
expect_eq "git: get username" "username=alice" "$(printf '%s\n' "$OUT" | grep -o 'username=alice')"
expect_eq "git: get expiry" 4000000000 "$(field expires)"
expect_eq "git: get refresh token" rt-git "$(field refresh)"
drv <<EOF
op get
schema org.git.Password
attr protocol=https
attr host=example.com
EOF
expect_eq "git: another port is another host" NOTFOUND "$(field status)"
drv <<EOF
op get
schema org.git.Password
attr protocol=http
attr host=example.com:8443
EOF
expect_eq "git: http is not https" NOTFOUND "$(field status)"
drv <<EOF
op get
$GIT
absent path
EOF
expect_eq "git: absent path does not match an item with a path" NOTFOUND "$(field status)"

# several usernames per host; empty username stored as empty
drv <<EOF
op store
$GIT
attr path=a/b
attr username=bob
secret pw-b
EOF
drv <<EOF
op store
$GIT
attr path=a/b
attr username=
secret
EOF
drv <<EOF
op get
$GIT
attr username=bob
EOF
expect_eq "git: pick by username" pw-b "$(field secret)"
drv <<EOF
op get
$GIT
attr username=
EOF
expect_eq "git: empty username round-trips" "SUCCESS|attr username=|secret " \
	"$(field status)|$(printf '%s\n' "$OUT" | grep '^attr username=')|$(printf '%s\n' "$OUT" | grep '^secret')"
drv <<EOF
op list
$GIT
EOF
expect_eq "git: list three users" 3 "$(count_items)"

# store overwrites the same protocol/host/path/username
drv <<EOF
op store
$GIT
attr path=a/b
attr username=alice
secret pw-a2
EOF
n=$(secret-tool search --all server example.com user alice 2>&1 | grep -c '^secret = ')
expect_eq "git: overwrite keeps one item" 1 "$n"
drv <<EOF
op get
$GIT
attr username=alice
EOF
expect_eq "git: overwritten password" pw-a2 "$(field secret)"
expect_eq "git: overwritten without expiry" "" "$(field expires)"

# erase honours the rejected password
drv <<EOF
op erase
$GIT
attr username=alice
secret wrong
EOF
expect_eq "git: erase with another password removes nothing" NOTFOUND "$(field status)"
drv <<EOF
op erase
$GIT
attr username=alice
secret pw-a2
EOF
expect_eq "git: erase with the password" SUCCESS "$(field status)"
drv <<EOF
op get
$GIT
attr username=alice
EOF
expect_eq "git: erased" NOTFOUND "$(field status)"
drv <<EOF
op erase
schema org.git.Password
absent username
EOF
expect_eq "git: an empty erase pattern is refused" ERROR "$(field status)"

# items as newer git writes them (org.git.Password) are found too
printf 'pw-new\npassword_expiry_utc=4000000001' |
	secret-tool store --label='Git: https://new.example/' xdg:schema org.git.Password \
	protocol https server new.example user carol
drv <<EOF
op get
schema org.git.Password
attr protocol=https
attr host=new.example
EOF
expect_eq "git: item of newer git's schema" "pw-new 4000000001 carol" \
	"$(field secret) $(field expires) $(printf '%s\n' "$OUT" | sed -n 's/^attr username=//p')"

# same second, two matches: the later store is the answer, every time
for i in 1 2 3; do
	for u in first second; do
		drv <<EOF
op store
schema org.git.Password
attr protocol=http
attr host=[::1]:8080
attr username=$u-$i
secret pw-$u-$i
EOF
	done
	drv <<EOF
op get
schema org.git.Password
attr protocol=http
attr host=[::1]:8080
EOF
	expect_eq "git: newest of two same-second items ($i)" pw-second-$i "$(field secret)"
done

# --- docker ------------------------------------------------------------------
drv <<EOF
op store
schema io.docker.Credentials
attr server=https://index.docker.io/v1/
attr username=dave
secret d-secret
EOF
expect_eq "docker: store" SUCCESS "$(field status)"
S=$(secret-tool search --all label "Docker Credentials" server https://index.docker.io/v1/ \
	docker_cli 1 2>&1)
expect_match "docker: found with docker's attributes" 'secret = d-secret' "$S"
expect_match "docker: docker's schema" 'schema = io.docker.Credentials' "$S"
expect_match "docker: label is the server URL" 'label = https://index.docker.io/v1/' "$S"
drv <<EOF
op store
schema io.docker.Credentials
attr server=https://index.docker.io/v1/
attr username=<token>
secret identity-token
EOF
n=$(secret-tool search --all server https://index.docker.io/v1/ docker_cli 1 2>&1 | grep -c '^secret = ')
expect_eq "docker: one entry per ServerURL" 1 "$n"
drv <<EOF
op get
schema io.docker.Credentials
attr server=https://index.docker.io/v1/
EOF
expect_eq "docker: identity token round-trips" "<token> identity-token" \
	"$(printf '%s\n' "$OUT" | sed -n 's/^attr username=//p') $(field secret)"

# big and unicode secrets round-trip exactly
BIG=$(head -c 786432 /dev/urandom | base64 -w0) # 1 MiB of text
{ printf 'op store\nschema io.docker.Credentials\nattr server=big.example\nattr username=u\nsecret '
  printf '%s\n' "$BIG"; } >"$T_TMP/big"
drv <"$T_TMP/big"
expect_eq "docker: 1 MiB secret stored" SUCCESS "$(field status)"
printf 'op get\nschema io.docker.Credentials\nattr server=big.example\n' >"$T_TMP/big"
drv <"$T_TMP/big"
check "docker: 1 MiB secret round-trips" test "$(field secret)" = "$BIG"
drv <<EOF
op store
schema io.docker.Credentials
attr server=uni.example
attr username=zoë
secret pässwörd-秘密-🔑
EOF
drv <<EOF
op get
schema io.docker.Credentials
attr server=uni.example
EOF
expect_eq "docker: unicode round-trips" "pässwörd-秘密-🔑" "$(field secret)"

# --- app secret and other schemas ---------------------------------------------
drv <<EOF
op store
schema com.cobo.credential.AppSecret
attr profile=acme
attr client_id=cid
secret 0123456789abcdef
EOF
drv <<EOF
op get
schema com.cobo.credential.AppSecret
attr client_id=cid
EOF
expect_eq "app secret: round trip" "0123456789abcdef|Cobo App Secret (cid)" \
	"$(field secret)|$(field label)"
drv <<EOF
op get
schema com.cobo.credential.AppSecret
attr client_id=cid
exact
EOF
expect_eq "app secret: EXACT needs every attribute" NOTFOUND "$(field status)"
drv <<EOF
op store
schema org.example.Custom
attr k=v
label custom
secret s1
EOF
drv <<EOF
op list
schema org.example.Custom
EOF
expect_eq "custom schema: list" "1 s1 custom" "$(count_items) $(field secret) $(field label)"

drv <<'EOF'
op list
EOF
# cobo 2 (the expired one is dropped), git 3 + 6, docker 3, app secret 1
expect_eq "list without schema: the built-in schemas" 15 "$(count_items)"

# --- module options -------------------------------------------------------------------
# gnome-keyring has a "session" collection (memory only); KeePassXC has one
# collection per database, so there a missing collection is the case to see.
if [ "$KR_PROVIDER" = gnome-keyring ]; then COLL=session; else COLL=default; fi
{
	t_keyring_stack
	printf '[module keyring]\ncollection = %s\ngit_schema = org.git.Password\n' "$COLL"
	printf 'prompt_timeout = 20\n'
} | t_config
drv <<EOF
op store
schema org.git.Password
attr protocol=https
attr host=sess.example
attr username=sam
secret s-pw
EOF
expect_eq "options: store" SUCCESS "$(field status)"
expect_match "options: git_schema" 'schema = org.git.Password' \
	"$(secret-tool search --all server sess.example 2>&1)"
if [ "$KR_PROVIDER" = gnome-keyring ]; then
	expect_match "options: stored in the session collection" \
		'/org/freedesktop/secrets/collection/session/' \
		"$(kr_call org.freedesktop.secrets /org/freedesktop/secrets \
			org.freedesktop.Secret.Service.SearchItems dict:string:string:server,sess.example)"
fi
drv <<EOF
op get
schema org.git.Password
attr host=sess.example
EOF
expect_eq "options: read back" s-pw "$(field secret)"
t_config <<'EOF'
[stack]
store = keyring
[module keyring]
collection = no-such-collection
EOF
drv <<EOF
op store
schema org.git.Password
attr protocol=https
attr host=nowhere.example
secret x
EOF
expect_eq "options: a missing collection" "UNAVAIL" "$(field status)"
expect_match "options: a missing collection is named" "no 'no-such-collection' collection" "$ERR"
for v in 0 601 5s ''; do
	t_config <<EOF
[stack]
get = keyring
[module keyring]
prompt_timeout = $v
EOF
	drv <<<"op get"
	expect_eq "options: prompt_timeout '$v' fails closed" ERROR "$(field status)"
done
t_config <<'EOF'
[stack]
get = keyring
[module keyring]
colour = blue
EOF
drv <<<"op get"
expect_eq "options: unknown option fails closed" ERROR "$(field status)"
expect_match "options: unknown option named" "unknown keyring option 'colour'" "$ERR"

t_done
