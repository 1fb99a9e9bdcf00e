# tests/lib/hygiene.sh - sourced by the hygiene-*.sh and
# faults-*.sh tests after tests/lib/common.sh: the three front-ends, the
# Cobo test server with one app in two orgs, the real keyring, a config
# with two Cobo profiles on a keyring stack, and helpers that run a
# front-end and read the cached tokens back with secret-tool.
#
#   profile p: org ORG  at 127.0.0.1:PORT  (git host HOST_P)
#   profile q: org ORG2 at localhost:PORT  (git host HOST_Q; the test
#              certificate names both)

GIT_H="$top_builddir/src/git/git-credential-cobo"
DOCKER_H="$top_builddir/src/docker/docker-credential-cobo"
CLI_H="$top_builddir/src/cli/cobo-credential"
for b in "$GIT_H" "$DOCKER_H" "$CLI_H"; do
	[ -x "$b" ] || { echo "no $b: build it first"; exit 99; }
done
for t in secret-tool setpriv flock openssl; do
	command -v "$t" >/dev/null || { echo "$t is missing: run scripts/deps.sh"; exit 99; }
done
. "$top_srcdir/tests/server/cobo-server.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset COBO_CREDENTIAL_PROFILE KUBERNETES_EXEC_INFO

CLIENT_ID=hygiene-client
ORG=org-hygiene-p
ORG2=org-hygiene-q
APP_HEX="$T_TMP/app.hex"

# hy_server_up [server args]: the Cobo test server and the app (seed SEED).
hy_server_up() {
	t_on_exit cobo_server_stop
	cobo_server_start "$T_TMP/srv" "$@" || { echo "cannot start the Cobo test server"; exit 99; }
	cobo_server_new_app "$CLIENT_ID" "$APP_HEX" "$ORG" "$ORG2" || exit 99
	PORT=$COBO_SERVER_PORT
	HOST_P=127.0.0.1:$PORT
	HOST_Q=localhost:$PORT
}

# hy_keyring_up: the private bus and an unlocked gnome-keyring.
hy_keyring_up() {
	keyring_start || { echo "cannot start gnome-keyring"; exit 99; }
}

# hy_config [STORE_MODULE [extra lines...]]: profiles p and q; the stack
# caches in STORE_MODULE (default keyring) and mints with cobo-oauth.
# The profiles' request timeout: short, so "no answer" cases end soon, and
# still wide for a normal request (tens of ms) on a loaded machine.  A test
# that holds requests at the server without testing timeouts raises it.
HY_TIMEOUT=${HY_TIMEOUT:-5}
hy_config() {
	local m=${1:-keyring} l
	shift || true
	{
		printf '[stack]\nget = %s cobo-oauth\nstore = %s\nerase = %s\nlist = %s\n' "$m" "$m" "$m" "$m"
		printf '[module cobo-oauth]\nschemas = com.cobo.credential.Token\n'
		for l in "$@"; do printf '%s\n' "$l"; done
		printf '[profile p]\nbase_url = %s\nclient_id = %s\norg_id = %s\n' \
			"$COBO_SERVER_URL" "$CLIENT_ID" "$ORG"
		printf 'app_secret = file:%s\nserver_key = %s\nca_file = %s\ntimeout = %s\n' \
			"$APP_HEX" "$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA" "$HY_TIMEOUT"
		printf '[profile q]\nbase_url = https://localhost:%s/v2\nclient_id = %s\norg_id = %s\n' \
			"$PORT" "$CLIENT_ID" "$ORG2"
		printf 'app_secret = file:%s\nserver_key = %s\nca_file = %s\n' \
			"$APP_HEX" "$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA"
		printf 'timeout = %s\n' "$HY_TIMEOUT"
	} > "$T_TMP/config.new"
	t_config < "$T_TMP/config.new" # not in a pipe: its export must stay
}

# run_git ACTION INPUT / run_docker VERB INPUT / run_cli ARGS...: run a
# front-end; set RC, OUT (stdout) and ERR (stderr).
hy_run() {
	local input=$1
	shift
	printf '%s' "$input" > "$T_TMP/hy_run.in"
	"$@" < "$T_TMP/hy_run.in" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
}
run_git() { hy_run "$2" "$GIT_H" "$1"; }
run_docker() { hy_run "$2" "$DOCKER_H" "$1"; }
run_cli() { hy_run "" "$CLI_H" "$@"; }

# git_get HOST [USERNAME]: a Cobo get through git's helper; TOKEN is the password.
git_get() {
	if [ -n "${2:-}" ]; then
		run_git get "$(printf 'protocol=https\nhost=%s\nusername=%s\n\n' "$1" "$2")"
	else
		run_git get "$(printf 'protocol=https\nhost=%s\n\n' "$1")"
	fi
	t_field TOKEN password "$OUT"
}
# docker_get HOST: the same through Docker's; TOKEN is the Secret (read in
# bash: a token has no JSON escapes; docker-protocol.sh checks the JSON).
docker_get() {
	run_docker get "$1"
	TOKEN=
	[[ $OUT =~ ^\{.*\"Secret\":\"([^\"\\]*)\"\}$ ]] && TOKEN=${BASH_REMATCH[1]}
}
# cli_token PROFILE: cobo-credential token; TOKEN is its output.
cli_token() {
	run_cli token --profile "$1" --format raw
	TOKEN=$OUT
}

# kr_token KIND ORG: the cached token of that kind, read with secret-tool.
kr_token() {
	secret-tool lookup xdg:schema com.cobo.credential.Token kind "$1" org_id "$2" 2>/dev/null
}
# kr_tokens ORG: "ACCESS REFRESH" as cached in the keyring, read with one
# secret-tool run.  Its stdout has each item's label and secret (the
# attributes go to stderr, in no fixed order with stdout), so the kind is
# read off the label, "Cobo Org Access Token (...)" or "... Refresh Token";
# a kind held twice shows both, comma-separated: no equality check passes.
kr_tokens() {
	local line kind= at= rt=
	while IFS= read -r line; do
		case $line in
		'label = Cobo Org Access Token '*) kind=access ;;
		'label = Cobo Org Refresh Token '*) kind=refresh ;;
		'label = '*) kind= ;;
		'secret = '*)
			case $kind in
			access) at+=${at:+,}${line#secret = } ;;
			refresh) rt+=${rt:+,}${line#secret = } ;;
			esac ;;
		esac
	done < <(secret-tool search --all xdg:schema com.cobo.credential.Token org_id "$1" 2>/dev/null)
	echo "$at $rt"
}

# kr_both: P_AT P_RT and Q_AT Q_RT, the pairs of orgs $ORG (p) and $ORG2 (q)
# as cached in the keyring, read with one secret-tool run (kr_tokens reads
# one org's): the org is read off the label, "Cobo Org Access Token (ORG on
# HOST)" or "... Refresh Token (...)"; a kind held twice shows both,
# comma-separated, so no equality check passes.
kr_both() {
	local line who= kind=
	P_AT= P_RT= Q_AT= Q_RT=
	while IFS= read -r line; do
		case $line in
		'label = Cobo Org Access Token ('*) kind=AT ;;
		'label = Cobo Org Refresh Token ('*) kind=RT ;;
		'label = '*) kind= ;;
		esac
		case $line in
		"label = "*"($ORG on "*) who=P ;;
		"label = "*"($ORG2 on "*) who=Q ;;
		'label = '*) who= ;;
		'secret = '*)
			[ -n "$who" ] && [ -n "$kind" ] || continue
			local -n v=${who}_$kind
			v+=${v:+,}${line#secret = }
			unset -n v ;;
		esac
	done < <(secret-tool search --all xdg:schema com.cobo.credential.Token 2>/dev/null)
}

# srv_valid KIND TOKEN: true/false as the server sees it (KIND access|refresh).
srv_valid() {
	local path=token_valid
	[ "$1" = refresh ] && path=refresh_valid
	cobo_server_field "$(cobo_server_ctl GET "/_test/$path?token=$2")" valid
}
# srv_stats ORG: "mint refresh" requests counted for ORG.
srv_stats() { cobo_server_stats "$1" mint refresh; }
srv_fault() { cobo_server_ctl POST /_test/fault "$1" >/dev/null || fail "queue fault $1"; }
# srv_clear: no more faults, and any request the server holds ('hold') let go
# and answered, so nothing from one case reaches into the next.
srv_clear() { cobo_server_ctl POST /_test/fault/clear >/dev/null; cobo_server_release; }

# hy_faults_up: where both halves of the fault matrix start (faults-*.sh):
# the server with hour-long access tokens, the keyring, the keyring stack,
# profile q's pair minted and cached (the profile a fault must leave alone);
# LATER seconds on, p's access token is past its lifetime and a get refreshes.
hy_faults_up() {
	hy_server_up --access-ttl 3600
	hy_keyring_up
	hy_config keyring
	LATER=4000
	git_get "$HOST_Q" "$ORG2"
	[ -n "$TOKEN" ] || { echo "cannot mint for q: $ERR"; exit 99; }
}

# fe_get FE [OFFSET]: a get for profile p through front-end FE (git, docker
# or cli) with the clock OFFSET seconds ahead.  Sets RC, OUT, ERR, TOKEN and
# MSG (the line the user reads: git's and the CLI's stderr, Docker's stdout).
fe_get() {
	local off=${2:-0}
	case $1 in
	git) COBO_CREDENTIAL_NOW_OFFSET=$off git_get "$HOST_P" "$ORG"; MSG=$ERR ;;
	docker) COBO_CREDENTIAL_NOW_OFFSET=$off docker_get "$HOST_P"; MSG=$OUT ;;
	cli) COBO_CREDENTIAL_NOW_OFFSET=$off cli_token p; MSG=$ERR ;;
	esac
}

# one_line DESC TEXT: TEXT is exactly one non-empty line.
one_line() {
	if [ -n "$2" ] && [ "$(printf '%s\n' "$2" | wc -l)" -eq 1 ]; then pass "$1: one line"; else
		fail "$1: one line"; printf '       got: %q\n' "$2"; fi
}
