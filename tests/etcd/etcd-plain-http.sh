#!/bin/bash
# etcd-plain-http.sh - etcd credentials never travel in clear.  A config
# with user and password and any http:// member (one of up to four, in
# every position, beside https:// ones, with or without ca_file, the
# password from file: or env:, and the default loopback member when no
# endpoints line is given) fails closed with FILE:LINE naming the password
# line, and nothing at all reaches any member: each member is a listener of
# the test that records every connection.  doctor says why.  The control:
# the same config with only https:// members does reach the listener.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/etcd.sh"

ORGS=(org-a)
fleet_server_up
PW=pw-$RANDOM$RANDOM$RANDOM
(umask 077 && printf '%s\n' "$PW" > "$T_TMP/etcd.pw")

# Four listeners on free loopback ports: every connection and every byte
# is appended to $T_TMP/heard (one line per connection).
"$PYTHON" -c '
import select, socket, sys
log = open(sys.argv[1], "ab", buffering=0)
socks = []
for _ in range(4):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks), flush=True)
while True:
    r, _, _ = select.select(socks, [], [])
    for s in r:
        c, _ = s.accept(); c.settimeout(0.5)
        try: data = c.recv(65536)
        except OSError: data = b""
        log.write(b"connection to %d: %d bytes\n" % (s.getsockname()[1], len(data)))
        c.close()
' "$T_TMP/heard" > "$T_TMP/ports" &
LISTENER=$!
t_on_exit "kill $LISTENER 2>/dev/null; wait $LISTENER 2>/dev/null"
for ((i = 0; i < 100; i++)); do [ -s "$T_TMP/ports" ] && break; sleep 0.05; done
read -r -a PORTS < "$T_TMP/ports"
[ "${#PORTS[@]}" = 4 ] || { echo "FAIL - listeners"; exit 1; }
: > "$T_TMP/heard"

heard() { grep -c . "$T_TMP/heard" || true; }

# The line of the config that holds the password.
pw_line() { grep -n '^password *=' "$T_TMP/m$1/config" | cut -d: -f1; }

# --- every mix of http:// and https:// members with credentials: refused ------
# (git-credential-cobo exits 0 with no answer, as git wants: the error line
# and the missing token are the refusal)
n_cases=0 n_bad=0
for ((n = 1; n <= 4; n++)); do
	for ((mask = 1; mask < (1 << n); mask++)); do # bit i set: member i is http
		eps=""
		for ((i = 0; i < n; i++)); do
			if ((mask & (1 << i))); then s=http; else s=https; fi
			eps+="${eps:+,}$s://127.0.0.1:${PORTS[$i]}"
		done
		# the password from a file or the environment, in turn
		src=file
		(((mask + n) % 2)) && src=env
		{
			lines=("user = cobo")
			[ "$src" = file ] && lines+=("password = file:$T_TMP/etcd.pw") ||
				lines+=("password = env:ETCD_PW")
			(((mask / 2) % 2)) && lines+=("ca_file = $T_TMP/srv/ca.pem")
			ETCD_ENDPOINTS=$eps
			fleet_machine 1 "${lines[@]}"
			t_leak_check_first plain-http
			fleet_get 1 org-a ETCD_PW="$PW"
			n_cases=$((n_cases + 1))
			want="$T_TMP/m1/config:$(pw_line 1): .*password: etcd credentials go only to https://.*plain http"
			if [ -n "$TOKEN" ] || ! grep -Eq -- "$want" <<<"$ERR" ||
				grep -qF -- "$PW" <<<"$ERR" || [ "$(heard)" != 0 ]; then
				n_bad=$((n_bad + 1))
				echo "# refused? endpoints=$eps src=$src rc=$RC heard=$(heard): $ERR"
			fi
		}
	done
done
t_leak_check_all
expect_eq "$n_cases mixes with an http:// member: FILE:LINE of the password line, no token, nothing sent, password not echoed" \
	0 "$n_bad"
expect_eq "the listeners heard nothing" 0 "$(heard)"

# --- the default member (no endpoints line) is plain http too -----------------
fleet_machine 2 "user = cobo" "password = file:$T_TMP/etcd.pw"
sed -i '/^endpoints *=/d' "$T_TMP/m2/config"
fleet_get 2 org-a
expect_match "no endpoints line: the default loopback member is refused with FILE:LINE" \
	"$T_TMP/m2/config:$(pw_line 2): .*password: .*http://127.0.0.1:2379 \\(the default\\)" "$ERR"
expect_eq "... and no token" "" "$TOKEN"

# --- doctor says why -------------------------------------------------------------
ETCD_ENDPOINTS="https://127.0.0.1:${PORTS[0]},http://127.0.0.1:${PORTS[1]}"
fleet_machine 3 "user = cobo" "password = file:$T_TMP/etcd.pw"
mapfile -t envs < <(fleet_env 3)
DOC=$(env "${envs[@]}" "$top_builddir/src/cli/cobo-credential" doctor 2>&1)
expect_eq "doctor fails" 1 "$?"
expect_match "doctor names the line and the reason" \
	"\\[FAIL\\].*etcd.*config:$(pw_line 3): .*password: .*http://127.0.0.1:${PORTS[1]} is plain http" "$DOC"
expect_eq "doctor sent nothing either" 0 "$(heard)"

# --- the control: https:// only does reach the member ----------------------------
ETCD_ENDPOINTS="https://127.0.0.1:${PORTS[2]}"
fleet_machine 4 "user = cobo" "password = file:$T_TMP/etcd.pw" "ca_file = $T_TMP/srv/ca.pem" \
	"request_timeout_ms = 2000" "connect_timeout_ms = 2000"
fleet_get 4 org-a
check "control: with https:// members only the listener is reached (a TLS hello)" \
	bash -c '[ "$(grep -c "connection to '"${PORTS[2]}"'" "$1")" -ge 1 ]' _ "$T_TMP/heard"
check "control: and no config error" bash -c '! grep -q "go only to https" <<<"$1"' _ "$ERR"

lc_done
