# tests/lib/proxy.sh - sourced by the tests/proxy/*.sh tests after
# tests/lib/common.sh: the Cobo test server with a profile "t" set up by
# the CLI on a file stack, the proxy started through `cobo-credential
# proxy` (the proxy just built), and curl through it.
. "$top_srcdir/tests/lib/cli.sh"

export COBO_CREDENTIAL_PROXY_PROGRAM="$top_builddir/src/proxy/cobo-credential-proxy"
[ -x "$COBO_CREDENTIAL_PROXY_PROGRAM" ] || { echo "no $COBO_CREDENTIAL_PROXY_PROGRAM: build it first"; exit 99; }

# proxy_setup [server args]: server, app, profile t (one org, ORG).
proxy_setup() {
	cli_server_start "$@"
	cli_setup_flags
	cli_file_stack
	cc_in "$SEED" setup --name t "${SETUP[@]}" --key-file -
	[ "$RC" = 0 ] || { echo "setup failed: $ERR"; exit 99; }
}

# proxy_start ARGS...: `cobo-credential proxy ARGS` in the background.
# Returns once it printed its "listen WHERE" line (read from a fifo: no
# polling), or when it exited instead (PROXY_WHERE then empty).  Sets
# PROXY_PID, PROXY_WHERE, PROXY_SOCK (unix) or PROXY_URL (TCP),
# PROXY_KEYFILE (TCP); its stderr goes to $T_TMP/proxy.err.
proxy_start() { proxy_run "$CC" proxy "$@"; }
# proxy_run CMD...: the same for a command that ends up exec'ing the proxy.
proxy_run() {
	local fifo=$T_TMP/proxy.fifo line tcp=0 a
	for a in "$@"; do [ "$a" = --listen ] && tcp=1; done
	rm -f "$fifo" && mkfifo "$fifo"
	"$@" > "$fifo" 2> "$T_TMP/proxy.err" &
	PROXY_PID=$!
	exec {PROXY_FD}< "$fifo"
	PROXY_WHERE= PROXY_SOCK= PROXY_URL= PROXY_KEYFILE=
	IFS= read -r line <&"$PROXY_FD" || return 1
	PROXY_WHERE=${line#listen }
	case $PROXY_WHERE in
	unix:*) PROXY_SOCK=${PROXY_WHERE#unix:}; PROXY_SOCK=${PROXY_SOCK% (from systemd)} ;;
	http://*) PROXY_URL=$PROXY_WHERE ;;
	esac
	if [ "$tcp" = 1 ]; then
		IFS= read -r line <&"$PROXY_FD" || return 1
		PROXY_KEYFILE=${line#key-file }
	fi
	t_on_exit proxy_kill
}

# proxy_stop: SIGTERM, then its exit status in PROXY_RC.
proxy_stop() {
	kill -TERM "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID"
	PROXY_RC=$?
	exec {PROXY_FD}<&-
}
proxy_kill() { kill -TERM "$PROXY_PID" 2>/dev/null || true; }

# pc PATH [curl args]: curl over the unix socket; sets CODE (HTTP status) and BODY.
pc() {
	local path=$1
	shift
	CODE=$(curl -sS --unix-socket "$PROXY_SOCK" -o "$T_TMP/pc.body" -w '%{http_code}' \
		"$@" "http://cobo$path" 2> "$T_TMP/pc.err")
	t_slurp BODY "$T_TMP/pc.body"
}

# jf JSON KEY...: a field of a JSON document (nested keys), or "" when absent.
jf() {
	"$PYTHON" -c 'import json,sys
try:
    d=json.loads(sys.argv[1])
    for k in sys.argv[2:]: d=d[k]
    print(d if not isinstance(d,bool) else str(d).lower())
except Exception: print("")' "$@"
}

# resources: how many resource calls reached the server (its counter).
resources() { cobo_server_field "$(cobo_server_ctl GET stats)" resource; }
# log_lines: how many /v2 requests the server logged (control calls aside).
log_lines() { grep -c ' /v2' "$COBO_SERVER_DIR/server.log"; }
