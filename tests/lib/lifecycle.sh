# tests/lib/lifecycle.sh - sourced by the lifecycle-*.sh integration tests (the
# token lifecycle of ARCHITECTURE.md, end to end with real parts): the Cobo test
# server over HTTPS, an app registered with an `openssl genpkey` key, the
# built git-credential-cobo as the front-end, and helpers to read the
# server's counters and the stores.
#
#   lc_server_up [server args]    start the server, register the app for ORG
#   lc_config GET STORE ERASE     config: those [stack] lines, profile "lc"
#   lc_get [ENV=V...]             one `git-credential-cobo get` for the
#                                 profile's host; sets RC OUT ERR TOKEN EXPIRY GUSER
#   lc_erase PASSWORD             `git-credential-cobo erase` with that password
#   stats                         the server's counters for ORG: "mint refresh total failed"
#   stat_of KEY, token_valid T, refresh_info T, fault JSON, server_reset, set_ttl S
#   kr_lookup KIND, kr_count KIND secret-tool lookup / item count of ORG's access|refresh token
#   file_secret KIND              the file store's newest token of that kind
#   lc_clock OFFSET               the COBO_CREDENTIAL_NOW_OFFSET that sets a helper's clock
#                                 OFFSET s after the test began, however long it has run
#   held_wait N [COUNTER], release [N], held_count, wait_for DESC CMD...
#                                 barriers: the server's 'hold' fault, polling on state
#   lc_storm_hold DIR, lc_storm_ready DIR, lc_storm_go DIR N
#                                 the start barrier of a storm of helpers
#   lc_storm_launch DIR N [VAR=VALUE...]
#                                 a storm: N gets behind that barrier, waited for
#   lc_storm_answers DIR OLD PID...  sorts a storm's answers: new token, or
#                                 the old one after a timed-out wait
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/server/cobo-server.sh"

HELPER="$top_builddir/src/git/git-credential-cobo"
if [ ! -x "$HELPER" ]; then
	echo "no $HELPER: build it first"
	exit 99
fi
# Only 127.0.0.1 is ever contacted; keep any proxy of the environment out of it.
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

# The helpers' clock: a test says "at 3200" meaning 3200 s after it began,
# and "400 s left" must stay 400 s however slowly a loaded machine runs the
# test, so the real time spent so far is taken off the offset.
LC_CLOCK0=$(date +%s)
lc_clock() { echo $(($1 - ($(date +%s) - LC_CLOCK0))); }

CLIENT_ID=lifecycle-client
ORG=org-lifecycle
KEY_PEM=$T_TMP/app.pem
STORE=$T_TMP/store

# lc_keygen PEM: a fresh Ed25519 key (0600); prints its public key hex.
lc_keygen() {
	(umask 077 && openssl genpkey -algorithm ed25519 -out "$1" 2>/dev/null) || return 1
	openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | tail -c 32 | od -An -tx1 | tr -d ' \n'
}
APP_PUB=$(lc_keygen "$KEY_PEM") || { echo "openssl genpkey failed"; exit 99; }

lc_server_up() {
	cobo_server_start "$T_TMP/srv" "$@" || exit 99
	cobo_server_register_app "$CLIENT_ID" "$APP_PUB" "$ORG" || exit 99
	CHOST=127.0.0.1:$COBO_SERVER_PORT
	LC_URL=$COBO_SERVER_URL # kept when the server is stopped
}
t_on_exit cobo_server_stop

# lc_config GET STORE ERASE [extra lines...]: the stack, the file store's
# path (and $LC_FILE_OPTS, more [module file] lines), and profile "lc" for
# ORG on the test server; the extra lines go into the profile.
lc_config() {
	local get=$1 store=$2 erase=$3 l
	shift 3
	{
		printf '[stack]\nget = %s\nstore = %s\nerase = %s\nlist = %s\n' \
			"$get" "$store" "$erase" "$store"
		printf '[module file]\npath = %s\n' "$STORE"
		[ -z "${LC_FILE_OPTS:-}" ] || printf '%s\n' "$LC_FILE_OPTS"
		printf '[module cobo-oauth]\nschemas = com.cobo.credential.Token\n'
		printf '[profile lc]\nbase_url = %s\nclient_id = %s\norg_id = %s\n' \
			"$COBO_SERVER_URL" "$CLIENT_ID" "$ORG"
		printf 'server_key = %s\nca_file = %s\napp_secret = file:%s\n' \
			"$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA" "$KEY_PEM"
		for l in "$@"; do printf '%s\n' "$l"; done
	} | t_config
}

# The request git sends for the profile's host.
lc_request() { printf 'protocol=https\nhost=%s\n\n' "$CHOST"; }

field() { local v; t_field v "$1" "$OUT"; printf '%s\n' "$v"; }

# lc_get [VAR=VALUE...]: the helper's get with those variables set.
lc_get() {
	lc_request > "$T_TMP/get.in"
	(
		[ $# -eq 0 ] || export "$@"
		exec "$HELPER" get < "$T_TMP/get.in" > "$T_TMP/get.out" 2> "$T_TMP/get.err"
	)
	RC=$?
	t_slurp OUT "$T_TMP/get.out"
	t_slurp ERR "$T_TMP/get.err"
	t_field TOKEN password "$OUT"
	t_field EXPIRY password_expiry_utc "$OUT"
	t_field GUSER username "$OUT"
}

# lc_erase PASSWORD: what `git credential reject` sends for a refused token.
lc_erase() {
	printf 'protocol=https\nhost=%s\nusername=%s\npassword=%s\n\n' "$CHOST" "$ORG" "$1" |
		"$HELPER" erase > "$T_TMP/erase.out" 2>&1
	RC=$?
	t_slurp ERR "$T_TMP/erase.out"
}

stat_of() { cobo_server_field "$(cobo_server_ctl GET "/_test/stats?org_id=$ORG")" "$1"; }
# stats: "mint refresh total failed" for ORG in one call.
stats() { cobo_server_stats "$ORG" mint refresh total failed; }
token_valid() { cobo_server_field "$(cobo_server_ctl GET "/_test/token_valid?token=$1")" valid; }
refresh_info() { cobo_server_ctl GET "/_test/refresh_valid?token=$1"; }
# backoff_over: as if the core's refresh backoff had passed (after a failed
# refresh, holders answer the still-valid cached token without asking the
# server again for 30 s; src/cobo/lifecycle.c MINT_BACKOFF_S).  Each new fault
# starts a new scenario.
backoff_over() { rm -f "$XDG_RUNTIME_DIR"/cobo-credential/*.failed; }
fault() { backoff_over; cobo_server_ctl POST /_test/fault "$1" >/dev/null || fail "queue fault $1"; }
server_reset() { cobo_server_ctl POST /_test/reset >/dev/null || fail "server reset"; }
set_ttl() { cobo_server_ctl POST /_test/config "{\"access_ttl\":$1}" >/dev/null || fail "set ttl $1"; }

# Barriers instead of sleeps (the server's 'hold' fault, tests/server/README.md).
# The timeouts here are safety nets only: on a healthy run nothing waits for them.
# held_wait N [COUNTER]: until the server's COUNTER (held, arrived, released,
# done; default held) is at least N.
held_wait() { cobo_server_held_wait "$@" || fail "barrier: ${2:-held} >= $1 at the server"; }
held_count() { cobo_server_field "$(cobo_server_ctl GET /_test/held)" "${1:-held}"; }
# release [N]: let the held requests go (the N oldest), and wait until the
# server has processed and answered every released request.
release() { cobo_server_release "$@" || fail "release: the server did not finish"; }
# wait_for DESC CMD...: polls CMD until it succeeds; fails after 60 s (a
# safety net: the events waited for come in well under a second when well).
wait_for() {
	local desc=$1 i
	shift
	for ((i = 0; i < 1200; i++)); do "$@" && return 0; sleep 0.05; done
	fail "timed out (60 s) waiting for: $desc"
	return 1
}

# Storm start barrier, a lock: lc_storm_hold DIR (before the helpers start)
# takes DIR/go, held by a process of its own; each helper's stdin writer
# runs lc_storm_ready DIR (marks it started, then waits for the lock,
# shared: in the kernel, so a thousand waiters cost no CPU);
# lc_storm_go DIR N waits until N have started, then lets go: all at once
# (LC_STORM_GO_MS: when, by `ms`).
lc_storm_hold() {
	local d=$1
	mkfifo "$d/release"
	# The holder keeps the lock until `cat` reads the end of the fifo.
	flock -x "$d/go" cat "$d/release" > /dev/null &
	LC_STORM_HOLDER=$!
	lc_storm_held() { ! flock -n -s "$d/go" true; }
	wait_for "the storm barrier held" lc_storm_held
}
# (Both count processes: a storm starts hundreds of helpers, and a poll
# runs every 50 ms while they start.  The lock is taken on a descriptor,
# with no command for flock to run; the ready marks are counted by a glob.)
lc_storm_ready() {
	local fd
	: > "$1/ready.$BASHPID"
	exec {fd}< "$1/go"
	flock -s "$fd"
	exec {fd}<&-
}
lc_storm_go() {
	local d=$1 n=$2
	all_started() {
		local r=("$d"/ready.*)
		[ -e "${r[0]-}" ] && [ "${#r[@]}" -ge "$n" ]
	}
	wait_for "$n helpers started" all_started
	LC_STORM_GO_MS=$(ms)
	: > "$d/release"
	wait "$LC_STORM_HOLDER"
}

# lc_storm_launch DIR N [VAR=VALUE...]: a storm of N helpers, each one
# `$HELPER get` of the profile's request (lc_request), all started and held
# at the barrier above, released together, then waited for.  DIR is made;
# the I-th helper (I = 0 .. N-1) writes its stdout to DIR/out.I, its stderr
# to DIR/err.I and its trace to DIR/trace (COBO_CREDENTIAL_TRACE), and runs
# with the VAR=VALUE settings, where "{i}" in a VALUE stands for its I (a
# setting of COBO_CREDENTIAL_TRACE replaces DIR/trace).  Sets
#   LC_STORM_OK    how many exited 0 with an empty stderr
#   LC_STORM_PIDS  the helpers' PIDs, the I-th at index I: the PID each
#                  trace line names (lc_storm_answers reads them)
#   LC_STORM_MS    ms from the release (LC_STORM_GO_MS) to the last exit
# The caller judges the answers; this only runs the storm.
lc_storm_launch() {
	local d=$1 n=$2 i v envs
	shift 2
	mkdir -p "$d"
	LC_STORM_PIDS=()
	lc_storm_hold "$d"
	for ((i = 0; i < n; i++)); do
		envs=(COBO_CREDENTIAL_TRACE="$d/trace")
		for v; do envs+=("${v//\{i\}/$i}"); done
		(
			lc_storm_ready "$d"
			lc_request
		) | (
			export "${envs[@]}"
			exec "$HELPER" get > "$d/out.$i" 2> "$d/err.$i"
		) &
		LC_STORM_PIDS+=($!)
	done
	lc_storm_go "$d" "$n" # all started and blocked on their stdin: go
	LC_STORM_OK=0
	for ((i = 0; i < n; i++)); do
		if wait "${LC_STORM_PIDS[$i]}" && [ ! -s "$d/err.$i" ]; then
			LC_STORM_OK=$((LC_STORM_OK + 1))
		fi
	done
	LC_STORM_MS=$(($(ms) - LC_STORM_GO_MS))
}

# lc_storm_answers DIR OLD PID...: sorts the answers of a storm on a stale
# token OLD, the I-th PID's in DIR/out.I, the traces in DIR/trace*.  Every
# helper should answer the one new token.  One whose wait for the refresher
# outlasted its lock timeout (10 s with a valid token in hand: a loaded
# machine) answers OLD, still valid, and its trace says so: the lifecycle's
# rule ("a failed refresh never costs a token that still works"), not a
# failure.  Sets A_TOKENS (distinct answers other than OLD), A_TOKEN (the
# one, if one), A_WAITED (OLD after a timed-out wait) and A_BAD (OLD for any
# other reason; their traces are printed).
lc_storm_answers() {
	local d=$1 old=$2 i=0 pid
	shift 2
	A_WAITED=0 A_BAD=0
	for pid; do
		if grep -qxF -- "password=$old" "$d/out.$i"; then
			if cat "$d"/trace* 2> /dev/null | grep -F "[$pid]" |
				grep -q 'refresh did not succeed (TRYAGAIN: lock .* held by another process for over'; then
				A_WAITED=$((A_WAITED + 1))
			else
				A_BAD=$((A_BAD + 1))
				echo "# helper $i (pid $pid) answered the old token; its trace:"
				cat "$d"/trace* 2> /dev/null | grep -F "[$pid]" | sed 's/^/#   /'
			fi
		fi
		i=$((i + 1))
	done
	A_TOKENS=$(sed -n 's/^password=//p' "$d"/out.* | grep -vxF -- "$old" | sort -u | grep -c . || true)
	A_TOKEN=$(sed -n 's/^password=//p' "$d"/out.* | grep -vxF -- "$old" | sort -u | head -n 1)
}

kr_lookup() {
	secret-tool lookup base_url "$LC_URL" client_id "$CLIENT_ID" org_id "$ORG" kind "$1" 2>/dev/null
}
# kr_count KIND: how many keyring items of that kind ORG has.
kr_count() {
	secret-tool search --all base_url "$LC_URL" client_id "$CLIENT_ID" org_id "$ORG" \
		kind "$1" 2>/dev/null | grep -c '^\[' || true
}

# file_secret KIND: ORG's newest token of that kind in the file store ("" if
# none); file_count KIND: how many such items the file holds.
file_items() {
	[ -f "$STORE" ] || return 0
	"$PYTHON" -c '
import sys, urllib.parse as u
path, org, kind = sys.argv[1:4]
cur, hits = None, []
for line in open(path, encoding="ascii"):
    f = line.rstrip("\n").split(" ")
    if f[0] == "item":
        cur = {}
    elif cur is None:
        continue
    elif f[0] == "attr" and len(f) == 3:
        cur[u.unquote(f[1])] = u.unquote(f[2])
    elif f[0] == "secret" and len(f) == 2:
        cur[" secret"] = u.unquote(f[1])
    elif f[0] == "end":
        if cur.get("org_id") == org and cur.get("kind") == kind:
            hits.append(cur.get(" secret", ""))
        cur = None
print("\n".join(hits))
' "$STORE" "$ORG" "$1"
}
file_secret() { file_items "$1" | tail -n 1; }
file_count() { file_items "$1" | grep -c . || true; }

# ms: milliseconds since the epoch (for timings).
ms() { date +%s%3N; }

# Per-script timing line, printed by t_done's caller.
LC_T0=$(ms)
lc_done() {
	echo "# $(basename "$0"): $(( $(ms) - LC_T0 )) ms"
	t_done
}
