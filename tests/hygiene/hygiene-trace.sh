#!/bin/bash
# hygiene-trace.sh - every command of the three front-ends, run with
# COBO_CREDENTIAL_TRACE=FILE (and once with the trace on stderr), against
# the Cobo test server and the real keyring: mint, cache, refresh, erase,
# plain git and Docker credentials, every token format, status, doctor,
# setup, key import, logout, and a server that echoes the refresh token in
# its error.  Neither the trace nor any message on stderr may hold an
# access token, a refresh token, an app secret or a plain password.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/hygiene.sh"

hy_server_up
hy_keyring_up
hy_config
ORG3=org-hygiene-r
CLIENT2=hygiene-client-2
read -r SEED2 PUB2 < <(cobo_server_keygen)
cobo_server_register_app "$CLIENT2" "$PUB2" "$ORG3" || exit 99

TRACE=$T_TMP/trace
export COBO_CREDENTIAL_TRACE=$TRACE
SECRETS=("$SEED" "$SEED2")
: > "$T_TMP/stderr.all"

# note: after each command, remember every token now in play and its stderr:
# the secret of every Cobo token item in the keyring, whatever its org and
# kind, read with one secret-tool run (its stdout has each item's label and
# secret; the attributes go to stderr).
note() {
	local line
	SECRETS+=("$TOKEN")
	while IFS= read -r line; do
		case $line in 'secret = '*) SECRETS+=("${line#secret = }") ;; esac
	done < <(secret-tool search --all xdg:schema com.cobo.credential.Token 2>/dev/null)
	printf '%s\n' "$ERR" >> "$T_TMP/stderr.all"
}
ok() { # ok DESC: the last command exited 0
	expect_eq "$1: exit 0" 0 "$RC"
	note
}

# --- git ------------------------------------------------------------------------------
TOKEN=
git_get "$HOST_P"; ok "git get (mint)"
git_get "$HOST_P"; ok "git get (cached)"
COBO_CREDENTIAL_NOW_OFFSET=100000 git_get "$HOST_P"; ok "git get (refresh)"
AT=$TOKEN
run_git store "$(printf 'protocol=https\nhost=%s\nusername=%s\npassword=%s\n\n' "$HOST_P" "$ORG" "$AT")"
ok "git store on a Cobo host"
run_git erase "$(printf 'protocol=https\nhost=%s\nusername=%s\npassword=%s\n\n' "$HOST_P" "$ORG" "$AT")"
ok "git erase of the rejected token"
run_git get "$(printf 'url=https://%s@%s/repo.git\n\n' "$ORG2" "$HOST_Q")"; ok "git get via url= (mint q)"
PLAIN=Plain-Git-Password-4e1f GITRT=Plain-Git-Refresh-77aa
SECRETS+=("$PLAIN" "$GITRT")
run_git store "$(printf 'protocol=https\nhost=git.example\nusername=u\npassword=%s\noauth_refresh_token=%s\n\n' "$PLAIN" "$GITRT")"
ok "git store (plain host)"
run_git get "$(printf 'protocol=https\nhost=git.example\n\n')"; ok "git get (plain host)"
expect_match "git get (plain host): the stored password comes back" "password=$PLAIN" "$OUT"
run_git erase "$(printf 'protocol=https\nhost=git.example\nusername=u\npassword=%s\n\n' "$PLAIN")"
ok "git erase (plain host)"

# --- docker ---------------------------------------------------------------------------
DSECRET=Docker-Secret-9b7c-xyz
SECRETS+=("$DSECRET")
docker_get "$HOST_Q"; ok "docker get (Cobo host, cached)"
run_docker store "{\"ServerURL\":\"reg.example\",\"Username\":\"u\",\"Secret\":\"$DSECRET\"}"
ok "docker store"
run_docker get reg.example; ok "docker get"
run_docker list ""; ok "docker list"
run_docker erase reg.example; ok "docker erase"
run_docker erase "$HOST_Q"; ok "docker erase (Cobo host)"

# --- cobo-credential --------------------------------------------------------------------
for f in raw json header env exec-credential; do
	run_cli token --profile p --format "$f"; ok "cobo-credential token --format $f"
done
run_cli status; ok "cobo-credential status"
run_cli status --json; ok "cobo-credential status --json"
run_cli profile show p; ok "cobo-credential profile show"
run_cli key public --profile p; ok "cobo-credential key public"
run_cli doctor --profile p; ok "cobo-credential doctor (online round trip)"
hy_run "$SEED2" "$CLI_H" setup --name r --base-url "$COBO_SERVER_URL" \
	--server-key "$COBO_SERVER_PUBKEY" --ca-file "$COBO_SERVER_CA" --client-id "$CLIENT2" \
	--org-id "$ORG3" --key-file -
ok "cobo-credential setup --key-file - (mints once)"
hy_run "$SEED2" "$CLI_H" key import --profile r --force -; ok "cobo-credential key import -"
run_cli token --profile r; ok "cobo-credential token (the new profile)"
COBO_CREDENTIAL_NOW_OFFSET=100000 run_cli token --profile r; ok "cobo-credential token (refresh)"
run_cli logout --profile q; ok "cobo-credential logout"

# --- a server that puts the refresh token in its error message --------------------------
RT=$(kr_token refresh "$ORG")
srv_fault "{\"mode\":\"status\",\"status\":403,\"on\":\"refresh\",\"body\":{\"error_code\":2030,\"error_message\":\"app not installed; refresh token $RT refused\",\"error_id\":\"00ff\"}}"
COBO_CREDENTIAL_NOW_OFFSET=300000 git_get "$HOST_P" "$ORG" # profile r shares the host
expect_match "git get, refresh refused: the reason is shown" "not installed" "$ERR"
expect_eq "git get, refresh refused: the echoed refresh token is not repeated" "" "$(printf "%s" "$ERR" | grep -F -- "$RT")"
echo "       (message: $ERR)"
note
srv_fault "{\"mode\":\"status\",\"status\":403,\"on\":\"refresh\",\"body\":{\"error_code\":2030,\"error_message\":\"app not installed; refresh token $RT refused\",\"error_id\":\"00ff\"}}"
COBO_CREDENTIAL_NOW_OFFSET=300000 run_cli token --profile p
expect_eq "cobo-credential token, refresh refused: exit 77" 77 "$RC"
note

# --- the trace on stderr ------------------------------------------------------------------
COBO_CREDENTIAL_TRACE=1 COBO_CREDENTIAL_NOW_OFFSET=400000 git_get "$HOST_P" "$ORG"
expect_match "trace on stderr: it traced" "cobo-credential\[[0-9]+\]: " "$ERR"
note
COBO_CREDENTIAL_TRACE=1 docker_get "$HOST_Q"
expect_eq "docker get with the trace on stderr: exit 0" 0 "$RC"
note

# --- verdict ------------------------------------------------------------------------------
expect_eq "trace file is private" 600 "$(stat -c %a "$TRACE")"
for w in "git get:" "git store:" "POST /v2/oauth/token" "GET /v2/oauth/token" "store keyring"; do
	expect_match "the trace covers '$w'" "$w" "$(cat "$TRACE")"
done
# leaks FILE: the secrets (8+ characters) found in FILE, cut to 6 characters.
leaks() {
	local s found=
	for s in "${SECRETS[@]}"; do
		[ ${#s} -ge 8 ] && grep -qF -- "$s" "$1" && found="$found ${s:0:6}..."
	done
	echo "$found"
}
expect_eq "tokens seen: enough to make the check meaningful" yes \
	"$([ "$(printf '%s\n' "${SECRETS[@]}" | grep -c '^[AR]T_')" -ge 10 ] && echo yes)"
expect_eq "no secret in the trace" "" "$(leaks "$TRACE")"
expect_eq "no token-like value in the trace" "" "$(grep -oE '[AR]T_[A-Za-z0-9_-]{6,}' "$TRACE" | head -3)"
expect_eq "no secret in any message on stderr" "" "$(leaks "$T_TMP/stderr.all")"

t_done
