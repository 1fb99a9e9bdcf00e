#!/bin/bash
# proxy-peer.sh - who may use the proxy's unix socket.  The socket's own
# fences: a --socket directory not private to us refused at start, a live
# proxy's socket never taken over (a stale one replaced), the default
# socket out of another user's reach.  And SO_PEERCRED on its own: a
# socket handed over by socket activation (LISTEN_FDS, as systemd does)
# in a directory and with a mode that let anyone connect still serves
# only the proxy's uid - the second local user (nobody, through setpriv)
# gets 403 and nothing goes upstream.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/proxy.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to run curl as nobody (setpriv)"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing (util-linux)"; exit 99; }
AS_NOBODY=(setpriv --reuid nobody --regid nogroup --clear-groups)
proxy_setup

# --- the socket's directory -----------------------------------------------------------
mkdir -m 755 "$T_TMP/open"
cc proxy --socket "$T_TMP/open/p.sock"
expect_eq "a --socket directory others can enter: exit 78" 78 "$RC"
expect_match "the message names the fix" "chmod 700 $T_TMP/open" "$ERR"
check "nothing was bound there" test ! -e "$T_TMP/open/p.sock"
mkdir -m 700 "$T_TMP/priv"
"$PYTHON" -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T_TMP/priv/p.sock"
proxy_start --socket "$T_TMP/priv/p.sock"
expect_eq "a stale socket is replaced" "unix:$T_TMP/priv/p.sock" "$PROXY_WHERE"
FIRST=$PROXY_PID
cc proxy --socket "$T_TMP/priv/p.sock"
expect_match "a live proxy's socket: exit 78, already listens" "^78 .*already listens" "$RC $ERR"
pc /v2/wallets
expect_eq "the first proxy still serves" 200 "$CODE"
proxy_stop
expect_eq "SIGTERM: exit 0" 0 "$PROXY_RC"

# --- the default socket: another user cannot even reach it ------------------------------
chmod 711 "$T_TMP" # let nobody walk to the runtime dir, which stays 0700
proxy_start
"${AS_NOBODY[@]}" curl -sS --unix-socket "$PROXY_SOCK" -o /dev/null http://cobo/v2/wallets 2> "$T_TMP/nb.err"
expect_eq "nobody: cannot connect to the default socket (curl exit 7)" 7 "$?"
proxy_stop

# --- SO_PEERCRED: a socket anyone can reach ----------------------------------------------
OPEN=$(mktemp -d /tmp/cobo-proxy-peer.XXXXXX)
t_on_exit rm -rf "$OPEN"
chmod 755 "$OPEN"
ACTIVATE='import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
os.umask(0)
s.bind(sys.argv[1]); s.listen(64)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execv(sys.argv[2], sys.argv[2:])'
proxy_run "$PYTHON" -c "$ACTIVATE" "$OPEN/p.sock" "$CC" proxy --access-log
expect_eq "socket activation: fd 3 adopted" "unix:$OPEN/p.sock (from systemd)" "$PROXY_WHERE"
expect_eq "the activated socket is open to all (0777): the file system lets nobody in" 777 "$(mode "$OPEN/p.sock")"
BEFORE="$(resources) $(log_lines)"
CODE=$("${AS_NOBODY[@]}" curl -sS --unix-socket "$OPEN/p.sock" -o - -w ' %{http_code}' \
	http://cobo/v2/wallets 2>&1 | tr -d '\n')
expect_match "nobody: 403 forbidden_peer (SO_PEERCRED)" '"error":"forbidden_peer".* 403$' "$CODE"
CODE=$("${AS_NOBODY[@]}" curl -sS --unix-socket "$OPEN/p.sock" -o /dev/null -w '%{http_code}' \
	-X POST --data-binary '{"a":1}' http://cobo/v2/wallets 2>&1)
expect_eq "nobody: a POST too" 403 "$CODE"
expect_eq "nobody: nothing reached the server" "$BEFORE" "$(resources) $(log_lines)"
PROXY_SOCK=$OPEN/p.sock
pc /v2/wallets
expect_eq "the proxy's own user on the same socket: 200" 200 "$CODE"
proxy_stop
expect_eq "activated proxy: SIGTERM exit 0" 0 "$PROXY_RC"
check "an activated socket is left to its owner (systemd removes it)" test -S "$OPEN/p.sock"
expect_eq "access log: nobody's requests logged as 403" 2 "$(grep -c ' 403 ' "$T_TMP/proxy.err")"
t_done
