#!/bin/bash
# git-orgs.sh - one app, many orgs with the real git client over real
# HTTP: a profile with org_id = * serves whichever org the clone URL's
# user name names (http://ORG@HOST/repo.git) or credential.URL.username
# sets; the git server (tests/git/httpd.py --cobo) accepts only a valid
# token OF THAT ORG, so a token of another org would fail the clone.
# Without a user name the clone gets no token and one line listing why.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/server/cobo-server.sh"

export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

CLIENT_ID=git-orgs-client
ORGA=org-git-a
ORGB=org-git-b
ORGX=org-git-not-installed

cobo_server_start "$T_TMP/cobo" || { echo "cannot start the Cobo test server" >&2; exit 1; }
t_on_exit cobo_server_stop
cobo_server_new_app "$CLIENT_ID" "$T_TMP/app.hex" "$ORGA" "$ORGB" || exit 1
gh_make_repo "$T_TMP/srv"
gh_httpd_start "$T_TMP/srv" --cobo "$COBO_SERVER_ORIGIN" --ca "$COBO_SERVER_CA"
GHOST=127.0.0.1:$HTTPD_PORT
t_config <<EOF
[stack]
get   = file cobo-oauth
store = file
erase = file
list  = file
[module file]
path = $T_TMP/store
[module cobo-oauth]
schemas = com.cobo.credential.Token
[profile fleet]
base_url = http://$GHOST/v2
client_id = $CLIENT_ID
org_id = *
app_secret = file:$T_TMP/app.hex
server_key = $COBO_SERVER_PUBKEY
allow_http = yes
EOF

mints() {
	"$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["mint"])' \
		"$(cobo_server_ctl GET "/_test/stats?org_id=$1")"
}
cat > "$T_TMP/no-askpass" <<EOF
#!/bin/sh
echo "asked: \$1" >> "$T_TMP/asked"
exit 1
EOF
chmod 700 "$T_TMP/no-askpass"
# clone DIR URL [git -c options]
clone() {
	local dir=$1 url=$2
	shift 2
	rm -rf "$T_TMP/$dir" "$T_TMP/asked"
	GIT_ASKPASS="$T_TMP/no-askpass" gh_git "$@" clone -q "$url" "$T_TMP/$dir" > "$T_TMP/clone.out" 2>&1
	RC=$?
}

clone a "http://$ORGA@$GHOST/repo.git"
expect_eq "clone as org A: the server took org A's token" "0|hello from the server|" \
	"$RC|$(cat "$T_TMP/a/README" 2>/dev/null)|$(cat "$T_TMP/asked" 2>/dev/null)"
expect_match "the git server saw org A" "200 $ORGA" "$(cat "$HTTPD_LOG")"
clone b "http://$ORGB@$GHOST/repo.git"
expect_eq "clone as org B: org B's own token" 0 "$RC"
expect_match "the git server saw org B" "200 $ORGB" "$(cat "$HTTPD_LOG")"
expect_eq "one mint per org" "1 1" "$(mints "$ORGA") $(mints "$ORGB")"
clone b2 "http://$GHOST/repo.git" -c "credential.http://$GHOST.username=$ORGB"
expect_eq "credential.URL.username picks org B: its cached token" "0 1" "$RC $(mints "$ORGB")"
clone a2 "http://$ORGA@$GHOST/repo.git"
expect_eq "org A again: its cached token, no new mint" "0 1" "$RC $(mints "$ORGA")"

# No user name: no token for a profile of any org; git asks, and the helper said why.
clone none "http://$GHOST/repo.git"
expect_eq "no user name: the clone fails" 128 "$RC"
expect_match "no user name: one line says the profile serves any org and how to name one" \
	"git-credential-cobo: profile 'fleet' serves any org that installed the app; name the org: send it as the git user name" \
	"$(cat "$T_TMP/clone.out")"
# An org the app is not installed in: the server refuses the mint, the clone fails.
clone x "http://$ORGX@$GHOST/repo.git"
expect_eq "an org the app is not installed in: the clone fails" 128 "$RC"
expect_eq "and org A's and B's tokens were never offered for it" "" \
	"$(grep " $ORGX" "$HTTPD_LOG" | grep ' 200 ')"
t_done
