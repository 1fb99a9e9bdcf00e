#!/bin/bash
# git-cobo.sh - issue 5's "Cobo hosts" rules with the real git client
# against the Cobo test server over real HTTPS: a request whose host is a
# profile's base_url host gets username=ORG_ID and a minted access token;
# store is a no-op; erase drops the cached token only when it is the
# rejected one; ambiguous and unknown profiles say so on one stderr line.
# Then a real `git clone` from a server that accepts only a valid Cobo
# access token as the password, minted by the helper.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/server/cobo-server.sh"

export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

CLIENT_ID=git-it-client
ORG=org-git-direct
ORG2=org-git-twin
ORG3=org-git-clone
STORE="$T_TMP/store"

cobo_server_start "$T_TMP/cobo" || { echo "cannot start the Cobo test server" >&2; exit 1; }
t_on_exit cobo_server_stop
cobo_server_new_app "$CLIENT_ID" "$T_TMP/app.hex" "$ORG" "$ORG2" "$ORG3" || exit 1

gh_make_repo "$T_TMP/srv"
gh_httpd_start "$T_TMP/srv" --cobo "$COBO_SERVER_ORIGIN" --ca "$COBO_SERVER_CA"
CHOST=127.0.0.1:$COBO_SERVER_PORT
GHOST=127.0.0.1:$HTTPD_PORT

# write_config [extra profile sections...]
write_config() {
	{
		cat <<EOF
[stack]
get   = file cobo-oauth
store = file
erase = file
list  = file
[module file]
path = $STORE
[module cobo-oauth]
schemas = com.cobo.credential.Token
[profile direct]
base_url = $COBO_SERVER_URL
client_id = $CLIENT_ID
org_id = $ORG
app_secret = file:$T_TMP/app.hex
server_key = $COBO_SERVER_PUBKEY
ca_file = $COBO_SERVER_CA
[profile viagit]
base_url = http://$GHOST/v2
client_id = $CLIENT_ID
org_id = $ORG3
app_secret = file:$T_TMP/app.hex
server_key = $COBO_SERVER_PUBKEY
allow_http = yes
EOF
		local s
		for s in "$@"; do printf '%s\n' "$s"; done
	} | t_config
}
write_config

stat_of() { cobo_server_field "$(cobo_server_ctl GET "/_test/stats?org_id=${2:-$ORG}")" "$1"; }
token_info() { cobo_server_ctl GET "/_test/token_valid?token=$1"; }
field() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }

# --- get: a minted token for the profile's host ---
lines protocol=https host="$CHOST" | helper get
AT1=$(field password)
EXP1=$(field password_expiry_utc)
# What `git credential fill` prints for the token: git >= 2.41 passes the expiry on.
filled() {
	lines "$@"
	ver_ge "$GIT_VERSION" 2.41 && lines "password_expiry_utc=$EXP1"
}
expect_eq "get: exit 0, quiet" "0|" "$RC|$ERR"
expect_eq "get: username is the org id" "$ORG" "$(field username)"
expect_match "get: password is an access token" '^AT_' "$AT1"
expect_eq "get: the token is valid on the server for the org" "true $ORG" \
	"$(cobo_server_field "$(token_info "$AT1")" valid) $(cobo_server_field "$(token_info "$AT1")" org_id)"
expect_near "get: password_expiry_utc is the token's expiry" \
	"$(cobo_server_field "$(token_info "$AT1")" expires_at)" "$(field password_expiry_utc)"
expect_eq "get: only username, password, password_expiry_utc" \
	"username password password_expiry_utc" "$(printf '%s\n' "$OUT" | cut -d= -f1 | xargs)"
expect_eq "get: the refresh token never goes out" "" "$(printf '%s' "$OUT" | grep -e RT_ -e oauth_refresh)"
expect_eq "get: one mint" 1 "$(stat_of mint)"

lines url=https://$CHOST/some/repo.git | fill
expect_out "git credential fill: the cached token, no prompt" "$(filled protocol=https \
	host="$CHOST" username="$ORG" password="$AT1")"
expect_no_prompt "git credential fill"
expect_err_empty "git credential fill"
expect_eq "fill: served from the cache (no new request)" 1 "$(stat_of total)"
lines url=https://$ORG@$CHOST | fill
expect_out "fill with the org id as username" "$(filled protocol=https host="$CHOST" \
	username="$ORG" password="$AT1")"
# The user name is an org, never a profile's name (issue 27): git asks the user.
lines url=https://direct@$CHOST | fill
expect_out "fill with the profile name as username: no token, git prompts" "$(lines \
	protocol=https host="$CHOST" username=direct password=askpass-password)"
# The origin decides: scheme, host and port all equal the profile's base_url.
# http:// to the same host:port is another origin (git-credential-libsecret
# keeps them apart too): no token, git prompts as for any unknown host.
lines url=http://$CHOST | fill
expect_out "http:// to the profile's host: no token, git prompts" "$(lines protocol=http \
	host="$CHOST" username=askpass-username password=askpass-password)"
expect_eq "http:// to the profile's host: one line says why" "git-credential-cobo: warning: \
not sending the token of Cobo profile 'direct' to http://$CHOST: its origin is https://$CHOST \
(scheme, host and port must all match)" "$ERR"
lines protocol=http host="$CHOST" | helper get
expect_eq "http:// to the profile's host, helper alone: nothing answered" "0|" "$RC|$OUT"
lines url=cobo://direct | fill
expect_out "cobo://PROFILE names the profile directly" "$(filled protocol=cobo host=direct \
	username="$ORG" password="$AT1")"

# --- store: a no-op ---
lines protocol=https host="$CHOST" username="$ORG" password=Typed-By-Hand-77 | approve
expect_eq "approve on a Cobo host: exit 0, quiet" "0|" "$RC|$ERR"
expect_eq "approve stored nothing" "" "$(grep -F Typed-By-Hand-77 "$STORE" 2>/dev/null)"
lines protocol=https host="$CHOST" | helper get
expect_eq "approve changed nothing" "$AT1" "$(field password)"

# --- erase: only the rejected token ---
lines protocol=https host="$CHOST" username="$ORG" password=AT_not-the-one | reject
expect_eq "reject with another token: exit 0, quiet" "0|" "$RC|$ERR"
lines protocol=https host="$CHOST" | helper get
expect_eq "reject with another token keeps the cached one" "$AT1" "$(field password)"
expect_eq "and made no request" 1 "$(stat_of total)"
lines protocol=https host="$CHOST" username="$ORG" password="$AT1" | reject
lines protocol=https host="$CHOST" | helper get
AT2=$(field password)
check "reject of the cached token: the next get has a new one" test -n "$AT2" -a "$AT2" != "$AT1"
expect_eq "the new token came from a refresh, not a mint" "1 1" \
	"$(stat_of refresh) $(stat_of mint)"
expect_eq "the new token is valid" true "$(cobo_server_field "$(token_info "$AT2")" valid)"

# --- expiry: a stale token is refreshed, password_expiry_utc follows ---
COBO_CREDENTIAL_NOW_OFFSET=50000 helper get < <(lines protocol=https host="$CHOST")
AT3=$(field password)
check "a token past its expiry is replaced" test -n "$AT3" -a "$AT3" != "$AT2"
expect_eq "by a refresh" 2 "$(stat_of refresh)"
expect_near "password_expiry_utc is the new token's (on the helper's shifted clock)" \
	"$(($(cobo_server_field "$(token_info "$AT3")" expires_at) + 50000))" "$(field password_expiry_utc)"

# --- failures: one stderr line, no output, git prompts ---
cobo_server_ctl POST /_test/expire "{\"org_id\":\"$ORG\",\"kind\":\"both\"}" > /dev/null
cobo_server_ctl POST /_test/fault '{"mode":"status","status":503,"count":-1,"on":"token"}' > /dev/null
rm -f "$STORE"
lines protocol=https host="$CHOST" | fill
expect_out "server down, nothing cached: git prompts" "$(lines protocol=https \
	host="$CHOST" username=askpass-username password=askpass-password)"
expect_match "server down: one line naming the profile" \
	"^git-credential-cobo: no Cobo access token for profile 'direct', org [a-z-]*: " "$ERR"
expect_eq "server down: exactly one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
expect_eq "server down: no token in the message" "" "$(printf '%s' "$ERR" | grep -e AT_ -e RT_)"
cobo_server_ctl POST /_test/fault/clear > /dev/null

# --- ambiguous and unknown profiles ---
write_config "[profile twin]" "base_url = $COBO_SERVER_URL" "client_id = $CLIENT_ID" \
	"org_id = $ORG2" "app_secret = file:$T_TMP/app.hex" "server_key = $COBO_SERVER_PUBKEY" \
	"ca_file = $COBO_SERVER_CA"
lines protocol=https host="$CHOST" | helper get
expect_eq "ambiguous host: exit 0, no output" "0|" "$RC|$OUT"
expect_match "ambiguous host: names both profiles" "direct, twin" "$ERR"
expect_match "ambiguous host: shows the git config line that picks one" \
	"git config credential\.https://$CHOST\.username" "$ERR"
expect_eq "ambiguous host: one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
expect_match "ambiguous host: cobo://PROFILE names a profile directly" \
	"cobo://PROFILE \(git, Docker\), --profile \(CLI\)" "$ERR"
lines protocol=https host="$CHOST" | fill
expect_prompts "ambiguous host: git prompts" "$(prompts_for https://$CHOST \
	https://askpass-username@$CHOST)"
lines protocol=https host="$CHOST" | fill -c "credential.https://$CHOST.username=$ORG2"
expect_eq "the suggested git config (the org as user name) picks the profile" "$ORG2" \
	"$(field username)"
expect_eq "and its token is the org's" "$ORG2" \
	"$(cobo_server_field "$(token_info "$(field password)")" org_id)"
lines url=https://$ORG@$CHOST | fill
expect_eq "the org id picks the profile too" "$ORG" "$(field username)"
lines protocol=https host="$CHOST" username="$ORG" password=x | helper store
expect_eq "ambiguous store/erase stay quiet" "0||" "$RC|$OUT|$ERR"
lines url=cobo://nosuch | helper get
expect_eq "unknown cobo://PROFILE: exit 0, no output" "0|" "$RC|$OUT"
expect_match "unknown cobo://PROFILE: says so" "no profile 'nosuch'" "$ERR"

# A username that is neither a profile nor an org: a plain credential for that host.
lines protocol=https host="$CHOST" username=someone password=plain-pw | approve
lines url=https://someone@$CHOST | fill
expect_out "another username on a Cobo host is a plain credential" "$(lines \
	protocol=https host="$CHOST" username=someone password=plain-pw)"
write_config

# --- a real clone: the server accepts only a valid Cobo token as the password ---
URL="http://$GHOST/repo.git"
cat > "$T_TMP/no-askpass" <<EOF
#!/bin/sh
echo "asked: \$1" >> "$T_TMP/asked"
exit 1
EOF
chmod 700 "$T_TMP/no-askpass"
clone() {
	rm -rf "$T_TMP/$1" "$T_TMP/asked"
	GIT_ASKPASS="$T_TMP/no-askpass" gh_git clone -q "$URL" "$T_TMP/$1" > "$T_TMP/clone.out" 2>&1
	RC=$?
}
clone c1
expect_eq "clone with a minted Cobo token" 0 "$RC"
expect_eq "the clone has the server's file" "hello from the server" \
	"$(cat "$T_TMP/c1/README" 2>/dev/null)"
expect_eq "nobody was prompted, git printed nothing" "|" \
	"$(cat "$T_TMP/asked" 2>/dev/null)|$(cat "$T_TMP/clone.out")"
expect_match "the git server saw the org" "200 $ORG3" "$(cat "$HTTPD_LOG")"
expect_match "the token was minted through the git host's /v2" "GET /v2/oauth/token 200 proxy" \
	"$(cat "$HTTPD_LOG")"
expect_eq "one mint for the clone's org" 1 "$(stat_of mint "$ORG3")"
clone c2
expect_eq "a second clone reuses the cached token" "0 1" "$RC $(stat_of total "$ORG3")"

# The server stops accepting the token: git rejects it, the helper drops it,
# and the next clone gets a fresh one.
cobo_server_ctl POST /_test/expire "{\"org_id\":\"$ORG3\",\"kind\":\"access\"}" > /dev/null
clone c3
expect_eq "a token the server refuses: the clone fails" 128 "$RC"
lines protocol=http host="$GHOST" | COBO_CREDENTIAL_TRACE="$T_TMP/trace" helper get
expect_eq "git's reject dropped it: the helper refreshed" 1 "$(stat_of refresh "$ORG3")"
clone c4
expect_eq "the next clone works with the fresh token" 0 "$RC"

t_done
