# tests/lib/git.sh - shared by the git-*.sh tests: drives the
# built git-credential-cobo through the real git client and directly.
#
# Source after tests/lib/common.sh.  Provides:
#   GH_BIN            the built helper
#   GIT               the git binary under test (override: GH_GIT=/path/to/git)
#   gh_use_file       config: the stack is the file module only
#   gh_use_keyring    config: the stack is the keyring module only (starts one)
#   gh_git ARGS...    git with an empty system/global config and our helper
#   fill|approve|reject [helper]  `git credential ACTION` on stdin; fill's
#                     stdout in $OUT, stderr in $ERR, askpass prompts in $PROMPTS
#   helper ACTION [ARGS...]  the helper itself; stdout $OUT, stderr $ERR, rc $RC
#   expect_out DESC EXPECTED / expect_err_empty DESC / expect_prompts DESC EXPECTED

# `lines ... | fill` must set OUT/ERR/RC in this shell, not a subshell.
shopt -s lastpipe

GH_BIN="$top_builddir/src/git/git-credential-cobo"
GIT=${GH_GIT:-git}
GH_HELPER=cobo
export PATH="$top_builddir/src/git:$PATH"
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
unset GIT_ASKPASS SSH_ASKPASS GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT

# askpass: answers like a user typing askpass-username / askpass-password,
# and logs each prompt, so a test sees exactly when git had to ask.
GH_ASKPASS="$T_TMP/askpass"
PROMPTS_LOG="$T_TMP/prompts"
cat > "$GH_ASKPASS" <<EOF
#!/bin/sh
echo "askpass: \$1" >> "$PROMPTS_LOG"
case "\$1" in
Username*) echo askpass-username ;;
*) echo askpass-password ;;
esac
EOF
chmod 700 "$GH_ASKPASS"
export GIT_ASKPASS="$GH_ASKPASS"

[ -x "$GH_BIN" ] || { echo "git-credential-cobo not built: $GH_BIN" >&2; exit 1; }
command -v "$GIT" >/dev/null || { echo "no git binary ($GIT)" >&2; exit 1; }
GIT_VERSION=$("$GIT" version | awk '{ print $3 }')

gh_use_file() {
	GH_STORE="$T_TMP/store"
	t_file_stack "$GH_STORE" | t_config
}

gh_use_keyring() {
	. "$top_srcdir/tests/lib/gnome-keyring.sh"
	keyring_start || return 1
	t_keyring_stack | t_config
}

# git, configured only by the test: helper list reset, then ours.
gh_git() {
	"$GIT" -c credential.helper= -c credential.helper="$GH_HELPER" "$@"
}

OUT= ERR= PROMPTS= RC=0

# gh_cred ACTION [git -c options...] < input
gh_cred() {
	local action=$1; shift
	: > "$PROMPTS_LOG"
	"$GIT" -c credential.helper= -c credential.helper="$GH_HELPER" "$@" \
		credential "$action" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
	t_slurp PROMPTS "$PROMPTS_LOG"
}
fill() { gh_cred fill "$@"; }
approve() { gh_cred approve "$@"; }
reject() { gh_cred reject "$@"; }

# helper ACTION [options...] < input: the built binary itself.
# With GH_LEAK_FIRST set, only the first run of each ACTION is leak-checked
# (t_leak_check_first, tests/lib/common.sh).
helper() {
	local action=$1; shift
	[ -z "${GH_LEAK_FIRST-}" ] || t_leak_check_first "helper-$action"
	"$GH_BIN" "$@" "$action" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
}

# Lines helper: printf each argument on its own line.
lines() { printf '%s\n' "$@"; }

expect_out() { expect_eq "$1" "$2" "$OUT"; }
expect_err_empty() { expect_eq "$1 (stderr empty)" "" "$ERR"; }
expect_prompts() { expect_eq "$1 (prompts)" "$2" "$PROMPTS"; }
expect_no_prompt() { expect_eq "$1 (no prompt)" "" "$PROMPTS"; }

# The two prompts git shows when nothing was found for URL (user@URL for the second).
prompts_for() {
	printf "askpass: Username for '%s': \naskpass: Password for '%s': " "$1" "$2"
}

# store_cred PROTO HOST USER PASS [PATH]: approve through git (with a
# path, useHttpPath is on, or git would drop it for http/https).
store_cred() {
	if [ $# -ge 5 ]; then
		lines "protocol=$1" "host=$2" "path=$5" "username=$3" "password=$4" |
			approve -c credential.useHttpPath=true
	else
		lines "protocol=$1" "host=$2" "username=$3" "password=$4" | approve
	fi
}

# ver_ge A B: is git version A >= B (numeric, dotted)?
ver_ge() {
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# gh_make_repo ROOT: ROOT/repo.git, a bare repository with one commit
# (README: "hello from the server").
gh_make_repo() {
	mkdir -p "$1" "$T_TMP/work"
	(
		cd "$T_TMP/work" && "$GIT" init -q -b main . &&
		echo "hello from the server" > README &&
		"$GIT" add README &&
		"$GIT" -c user.name=t -c user.email=t@example.com commit -q -m init &&
		"$GIT" clone -q --bare . "$1/repo.git"
	) || { echo "cannot build the test repository" >&2; exit 1; }
}

# gh_httpd_start ROOT ARGS...: the loopback git server (git/httpd.py) in
# the background, killed at exit; sets HTTPD_PORT, HTTPD_PID, HTTPD_LOG.
gh_httpd_start() {
	local root=$1 i; shift
	HTTPD_LOG="$T_TMP/httpd.log"
	rm -f "$T_TMP/httpd.port"
	"$PYTHON" "$top_srcdir/tests/git/httpd.py" --root "$root" \
		--port-file "$T_TMP/httpd.port" --log "$HTTPD_LOG" "$@" \
		< /dev/null > /dev/null 2> "$T_TMP/httpd.err" &
	HTTPD_PID=$!
	t_on_exit "kill $HTTPD_PID 2>/dev/null; wait $HTTPD_PID 2>/dev/null"
	for i in $(seq 600); do # 60 s: a safety net, not a wait
		[ -s "$T_TMP/httpd.port" ] && break
		kill -0 "$HTTPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	HTTPD_PORT=$(cat "$T_TMP/httpd.port" 2>/dev/null)
	[ -n "$HTTPD_PORT" ] || { echo "httpd did not start: $(cat "$T_TMP/httpd.err")" >&2; exit 1; }
}
