#!/bin/bash
# git-clone.sh - a real authenticated `git clone` over HTTP: git's own
# git-http-backend behind a loopback server that demands HTTP Basic auth,
# the credential supplied by git-credential-cobo (credential.helper=cobo),
# then the whole git flow: reject of a wrong stored password, prompt,
# approve, and a second clone that needs no prompt.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"

gh_use_file
USER_OK=alice
PASS_OK=Open-Sesame-42

gh_make_repo "$T_TMP/srv"
gh_httpd_start "$T_TMP/srv" --basic "$USER_OK:$PASS_OK"
PORT=$HTTPD_PORT
URL="http://127.0.0.1:$PORT/repo.git"
HOSTPORT="127.0.0.1:$PORT"

# An askpass that must not be needed: it logs and answers nothing useful.
cat > "$T_TMP/no-askpass" <<EOF
#!/bin/sh
echo "asked: \$1" >> "$T_TMP/asked"
exit 1
EOF
# An askpass that knows the right credential (a user typing it).
cat > "$T_TMP/user-askpass" <<EOF
#!/bin/sh
echo "asked: \$1" >> "$T_TMP/asked"
case "\$1" in Username*) echo $USER_OK ;; *) echo $PASS_OK ;; esac
EOF
chmod 700 "$T_TMP/no-askpass" "$T_TMP/user-askpass"

# clone_with ASKPASS DEST: clone through our helper; rc in RC.
clone_with() {
	rm -rf "$2" "$T_TMP/asked"
	GIT_ASKPASS="$1" gh_git clone -q "$URL" "$2" > "$T_TMP/clone.out" 2>&1
	RC=$?
}

clone_with "$T_TMP/no-askpass" "$T_TMP/c0"
expect_eq "the server demands authentication (no credential: clone fails)" 128 "$RC"
expect_match "git got a 401" " 401 -" "$(cat "$T_TMP/httpd.log")"

lines protocol=http host="$HOSTPORT" username=$USER_OK password=$PASS_OK | approve
clone_with "$T_TMP/no-askpass" "$T_TMP/c1"
expect_eq "clone with the credential from git-credential-cobo" 0 "$RC"
expect_eq "the clone has the server's file" "hello from the server" \
	"$(cat "$T_TMP/c1/README" 2>/dev/null)"
expect_eq "nobody was prompted" "" "$(cat "$T_TMP/asked" 2>/dev/null)"
expect_match "the server saw alice" "200 $USER_OK" "$(cat "$T_TMP/httpd.log")"
expect_eq "git printed nothing" "" "$(cat "$T_TMP/clone.out")"

# A wrong stored password: git rejects it, the helper erases exactly it.
lines protocol=http host="$HOSTPORT" username=$USER_OK password=stale-password | approve
clone_with "$T_TMP/no-askpass" "$T_TMP/c2"
expect_eq "a wrong stored password: the clone fails" 128 "$RC"
lines protocol=http host="$HOSTPORT" | helper get
expect_eq "git's reject erased the wrong password" "0||" "$RC|$OUT|$ERR"

# Nothing stored: git prompts, the clone works, git approves, the helper keeps it.
clone_with "$T_TMP/user-askpass" "$T_TMP/c3"
expect_eq "prompted clone works" 0 "$RC"
expect_match "the user was prompted" "asked: Password" "$(cat "$T_TMP/asked" 2>/dev/null)"
lines protocol=http host="$HOSTPORT" | helper get
expect_out "git's approve stored the typed credential" \
	"$(lines username=$USER_OK password=$PASS_OK)"
clone_with "$T_TMP/no-askpass" "$T_TMP/c4"
expect_eq "the next clone needs no prompt" "0|" "$RC|$(cat "$T_TMP/asked" 2>/dev/null)"

# fetch in the clone reuses the helper too
(cd "$T_TMP/c4" && GIT_ASKPASS="$T_TMP/no-askpass" gh_git fetch -q) > "$T_TMP/fetch.out" 2>&1
expect_eq "git fetch authenticates through the helper" "0|" "$?|$(cat "$T_TMP/fetch.out")"

t_done
