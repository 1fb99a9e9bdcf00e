#!/bin/bash
# hygiene-process.sh - the three front-ends as processes: core dumps off
# (RLIMIT_CORE 0, hard and soft, and PR_SET_DUMPABLE 0, seen from outside
# through /proc), and no secret on the command line or in the environment
# of a running helper or of any process it starts: helpers are caught
# blocked on stdin with a secret half-read, and in the middle of a token
# refresh (the Cobo test server delays its answer) with the app secret and
# the refresh token loaded.
. "$top_srcdir/tests/lib/common.sh"
HY_TIMEOUT=120 # requests are held at the server while the test looks (no timeout tested here)
. "$top_srcdir/tests/lib/hygiene.sh"

hy_server_up
hy_keyring_up
hy_config

# A directory the unprivileged user can use as HOME (T_TMP is root's, 0700).
NB=$(mktemp -d /tmp/cobo-hygiene-nobody.XXXXXX)
t_on_exit "rm -rf '$NB'"
chown nobody:nogroup "$NB"
chmod 700 "$NB"

# --- core dumps -------------------------------------------------------------------
# as_nobody_blocked CMD...: starts CMD as nobody, with a soft core limit of
# "unlimited" (so only the helper itself can bring it to 0), reading a FIFO
# that stays open: the helper waits on stdin.  Sets BPID; fd 9 is the writer.
as_nobody_blocked() {
	rm -f "$NB/in"
	mkfifo "$NB/in"
	chown nobody "$NB/in"
	(ulimit -S -c unlimited 2>/dev/null
	 exec env HOME="$NB" XDG_RUNTIME_DIR="$NB" XDG_CONFIG_HOME="$NB" XDG_DATA_HOME="$NB" \
		COBO_CREDENTIAL_CONFIG= setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$@" < "$NB/in" > /dev/null 2>&1) &
	BPID=$!
	# Read-write: never waits for a reader, so a helper that died before
	# opening its stdin fails the wait below instead of hanging the test.
	exec 9<> "$NB/in"
	wait_blocked "$BPID"
}

# wait_blocked PID: until PID (after its exec) sleeps reading a pipe.
wait_blocked() {
	local i
	for i in $(seq 600); do # 60 s: a safety net, it blocks at once when well
		[ "$(cat "/proc/$1/wchan" 2>/dev/null)" = pipe_read ] ||
			[ "$(cat "/proc/$1/wchan" 2>/dev/null)" = anon_pipe_read ] && return 0
		sleep 0.1
	done
	return 1
}

# release: closes the FIFO's writer and reaps the blocked helper.
release() {
	exec 9>&-
	wait "$BPID" 2>/dev/null
	return 0
}

core_limits() { sed -n 's/^Max core file size *\([^ ]*\) *\([^ ]*\).*/\1 \2/p' "/proc/$1/limits"; }
proc_owner() { stat -c %u "/proc/$1/status"; }
proc_uid() { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }

# The method, shown on a process that does not harden itself: the kernel
# makes /proc/PID/status root's only for a non-dumpable process.
as_nobody_blocked cat
expect_eq "control (cat as nobody): /proc/PID/status owned by the process" "65534 65534" \
	"$(proc_uid "$BPID") $(proc_owner "$BPID")"
expect_eq "control: its soft core limit is unlimited" unlimited "$(core_limits "$BPID" | cut -d' ' -f1)"
release

for cmd in "git-credential-cobo:$GIT_H get" "docker-credential-cobo:$DOCKER_H store" \
	"cobo-credential:$CLI_H key import -"; do
	name=${cmd%%:*}
	# shellcheck disable=SC2086
	as_nobody_blocked ${cmd#*:}
	if [ "$(proc_uid "$BPID")" = 65534 ]; then
		expect_eq "$name: RLIMIT_CORE is 0 (soft and hard)" "0 0" "$(core_limits "$BPID")"
		expect_eq "$name: not dumpable (/proc/PID/status owned by root)" 0 "$(proc_owner "$BPID")"
	else
		fail "$name: could not be caught running as nobody"
	fi
	release
done

# --- argv and environment: helpers blocked with a secret half-read ------------------
# descendants PID: every process PID started, recursively.
descendants() {
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
# scan PID: argv and environment of PID and its descendants, one item a line.
scan() {
	local p
	for p in "$1" $(descendants "$1"); do
		tr '\0' '\n' < "/proc/$p/cmdline"
		tr '\0' '\n' < "/proc/$p/environ"
	done 2>/dev/null
}
# expect_clean DESC TEXT SECRET...: none of the secrets occurs in TEXT.
expect_clean() {
	local desc=$1 text=$2 s leaked=
	shift 2
	for s in "$@"; do
		[ ${#s} -ge 8 ] || continue
		case $text in *"$s"*) leaked="$leaked ${s:0:6}..." ;; esac
	done
	if [ -z "$leaked" ]; then pass "$desc"; else fail "$desc: found$leaked"; fi
}
# blocked_with INPUT CMD...: CMD (as root, the test's environment) reading
# INPUT from a FIFO that stays open.  Sets BPID.
blocked_with() {
	local input=$1
	shift
	rm -f "$T_TMP/in"
	mkfifo "$T_TMP/in"
	"$@" < "$T_TMP/in" > /dev/null 2>&1 &
	BPID=$!
	exec 9<> "$T_TMP/in" # read-write: never waits for a reader (see above)
	printf '%s' "$input" >&9
	wait_blocked "$BPID" # blocked reading: it has read all of INPUT
}
# stop_blocked: kills the blocked helper (the test started it) and reaps it.
stop_blocked() {
	kill "$BPID" 2>/dev/null
	exec 9>&-
	wait "$BPID" 2>/dev/null
	return 0
}

PLAIN=Plain-Git-Password-4e1f
DSECRET=Docker-Secret-9b7c
blocked_with "$(printf 'protocol=https\nhost=git.example\nusername=u\npassword=%s\n' "$PLAIN")" \
	"$GIT_H" store
expect_clean "git store, password half-read: no secret on argv or in the environment" \
	"$(scan "$BPID")" "$PLAIN"
stop_blocked
blocked_with "{\"ServerURL\":\"reg.example\",\"Username\":\"u\",\"Secret\":\"$DSECRET\"" \
	"$DOCKER_H" store
expect_clean "docker store, secret half-read: no secret on argv or in the environment" \
	"$(scan "$BPID")" "$DSECRET"
stop_blocked
blocked_with "$SEED" "$CLI_H" key import --profile p -
expect_clean "cobo-credential key import -: no secret on argv or in the environment" \
	"$(scan "$BPID")" "$SEED"
stop_blocked

# --- argv and environment: helpers in the middle of a refresh ------------------------
git_get "$HOST_P"
[ "$RC" = 0 ] && [ -n "$TOKEN" ] || fail "setup: first token for p: $ERR"
git_get "$HOST_Q"
[ "$RC" = 0 ] && [ -n "$TOKEN" ] || fail "setup: first token for q: $ERR"
# The helpers' clock moves past the access token's 12 h lifetime, so a get
# refreshes; each refresh stores an expiry on that clock, so the next one
# moves further.
LATER=0

# mid_refresh DESC ORG INPUT CMD...: CMD (stdin from file INPUT) refreshes
# ORG's tokens while the server holds the request (a barrier: 'hold');
# argv, environment and children are scanned meanwhile.
mid_refresh() {
	local desc=$1 org=$2 input=$3 old text kids
	shift 3
	old=$(kr_tokens "$org")
	cobo_server_ctl POST /_test/stats/reset >/dev/null
	srv_fault '{"mode":"hold","on":"refresh"}'
	LATER=$((LATER + 100000))
	COBO_CREDENTIAL_NOW_OFFSET=$LATER "$@" < "$input" > "$T_TMP/mid.out" 2> "$T_TMP/mid.err" &
	BPID=$!
	caught=no
	cobo_server_held_wait 1 && [ "$(srv_stats "$org")" = "0 1" ] && caught=yes
	text=$(scan "$BPID")
	kids=$(descendants "$BPID" 2>/dev/null)
	kill -0 "$BPID" 2>/dev/null || caught="no (it had finished)"
	cobo_server_release || fail "$desc: release"
	wait "$BPID"
	# shellcheck disable=SC2086
	expect_clean "$desc: no secret on argv or in the environment mid-refresh" "$text" \
		"$SEED" $old
	expect_eq "$desc: caught mid-refresh (the refresh sent, the answer held back)" yes "$caught"
	expect_eq "$desc: one refresh, no mint" "0 1" "$(srv_stats "$org")"
	expect_eq "$desc: no child processes" "" "$kids"
	check "$desc: the refresh rotated the tokens" test "$(kr_tokens "$org")" != "$old"
}
printf 'protocol=https\nhost=%s\n\n' "$HOST_P" > "$T_TMP/git.req"
printf '%s' "$HOST_Q" > "$T_TMP/docker.req"
mid_refresh "git-credential-cobo get" "$ORG" "$T_TMP/git.req" "$GIT_H" get
mid_refresh "docker-credential-cobo get" "$ORG2" "$T_TMP/docker.req" "$DOCKER_H" get
mid_refresh "cobo-credential token" "$ORG" /dev/null "$CLI_H" token --profile p

# Children would inherit the environment and could be handed argv: no code
# path starts one (a new one must extend this test to scan it).  The one
# exec is `cobo-credential proxy`, which replaces itself (no child) with the
# proxy program before it reads any configuration or secret: its argv is the
# user's own options.
SPAWNS=$(grep -rnE '\b(fork|vfork|execv|execve|execvp|execl|execlp|popen|system|posix_spawnp?)[[:space:]]*\(' \
	"$top_srcdir/src" "$top_srcdir/plugins" --include='*.c' | grep -v '^[^:]*:[0-9]*:[[:space:]]*\*' || true)
expect_eq "no front-end or module starts a child process (the proxy command's one exec aside)" "" \
	"$(printf '%s\n' "$SPAWNS" | grep -vE '/src/cli/cmd_proxy\.c:[0-9]+:[[:space:]]*execv\(prog, args\);$' | grep . || true)"
expect_eq "the proxy command execs exactly once" 1 \
	"$(printf '%s\n' "$SPAWNS" | grep -cE '/src/cli/cmd_proxy\.c:[0-9]+:[[:space:]]*execv\(prog, args\);$')"
check "the proxy command reads no configuration before its exec" \
	bash -c "! sed -n '/^int cmd_proxy/,/execv(prog, args)/p' '$top_srcdir/src/cli/cmd_proxy.c' | grep -qE 'cli_open|cobocred_'"
SETENV=$(grep -rnE '\b(setenv|putenv)[[:space:]]*\(' "$top_srcdir/src" "$top_srcdir/plugins" \
	--include='*.c' || true)
expect_eq "no front-end or module puts anything in its environment" "" "$SETENV"

t_done
