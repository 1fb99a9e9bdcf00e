# tests/lib/etcd.sh - a private etcd cluster for a test: members on free
# 127.0.0.1 ports, data in the test's temp dir, started and stopped by PID
# (never by name).  Sourced after common.sh.
#
#   etcd_cluster_start [N]   N members (default 3); waits until the cluster
#                            answers; sets ETCD_ENDPOINTS (comma-separated),
#                            ETCD_CLIENT[i], ETCD_PID[i]
#   etcd_member_stop I [SIG] stops member I (default TERM; KILL for -9) and waits
#   etcd_member_start I      starts member I again on its old data and ports
#   etcd_cluster_stop        stops every member still running
#   etcd_ctl ARGS...         etcdctl against the cluster
#   etcd_end_leases LO HI    revokes every lease granted for more than LO and at
#                            most HI seconds (see below)
ETCD_BIN=${ETCD_BIN:-/usr/bin/etcd}
ETCDCTL_BIN=${ETCDCTL_BIN:-/usr/bin/etcdctl}
if [ ! -x "$ETCD_BIN" ] || [ ! -x "$ETCDCTL_BIN" ]; then
	echo "no etcd/etcdctl: ./scripts/deps.sh test installs etcd-server and etcd-client"
	exit 99
fi
export ETCDCTL_API=3
ETCD_PID=()
ETCD_CLIENT=()
ETCD_PEER=()
ETCD_N=0
ETCD_EXTRA_ARGS=() # more etcd flags for every member (TLS)
ETCD_SCHEME=http   # https with ETCD_EXTRA_ARGS naming --cert-file and --key-file

# etcd_free_ports N: N distinct free loopback TCP ports, one per line.
etcd_free_ports() {
	"$PYTHON" -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
for s in socks: print(s.getsockname()[1])
' "$1"
}

etcd_member_start() {
	local i=$1 cluster="" j state=${ETCD_STATE:-new}
	for ((j = 0; j < ETCD_N; j++)); do
		cluster+="${cluster:+,}m$j=${ETCD_PEER[$j]}"
	done
	"$ETCD_BIN" --name "m$i" --data-dir "$T_TMP/etcd/m$i" \
		--listen-client-urls "${ETCD_CLIENT[$i]}" --advertise-client-urls "${ETCD_CLIENT[$i]}" \
		--listen-peer-urls "${ETCD_PEER[$i]}" --initial-advertise-peer-urls "${ETCD_PEER[$i]}" \
		--initial-cluster "$cluster" --initial-cluster-state "$state" \
		--initial-cluster-token "cobo-test-$$" --heartbeat-interval 50 --election-timeout 500 \
		"${ETCD_EXTRA_ARGS[@]}" > "$T_TMP/etcd/m$i.log" 2>&1 &
	ETCD_PID[$i]=$!
}

# etcd_healthy: every running member answers and the cluster has a leader.
etcd_healthy() {
	local i
	for ((i = 0; i < ETCD_N; i++)); do
		[ -n "${ETCD_PID[$i]}" ] || continue
		curl -sf --noproxy '*' -m 2 ${ETCD_CURL_CA:+--cacert "$ETCD_CURL_CA"} \
			"${ETCD_CLIENT[$i]}/health" 2>/dev/null | grep -q '"true"' || return 1
	done
}

etcd_cluster_start() {
	local n=${1:-3} ports i
	mapfile -t ports < <(etcd_free_ports $((2 * n)))
	mkdir -p "$T_TMP/etcd"
	ETCD_N=$n
	for ((i = 0; i < n; i++)); do
		ETCD_CLIENT[$i]="$ETCD_SCHEME://127.0.0.1:${ports[$((2 * i))]}"
		ETCD_PEER[$i]="http://127.0.0.1:${ports[$((2 * i + 1))]}"
	done
	for ((i = 0; i < n; i++)); do etcd_member_start "$i"; done
	ETCD_ENDPOINTS=$(IFS=,; echo "${ETCD_CLIENT[*]}")
	t_on_exit etcd_cluster_stop
	for ((i = 0; i < 600; i++)); do
		etcd_healthy && return 0
		sleep 0.05
	done
	echo "etcd cluster did not become healthy in 30 s:"
	tail -n 5 "$T_TMP"/etcd/m*.log
	return 1
}

etcd_member_stop() {
	local i=$1 sig=${2:-TERM} pid=${ETCD_PID[$1]}
	[ -n "$pid" ] || return 0
	kill "-$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ETCD_PID[$i]=""
}

etcd_cluster_stop() {
	local i
	for ((i = 0; i < ETCD_N; i++)); do etcd_member_stop "$i"; done
}

etcd_ctl() {
	"$ETCDCTL_BIN" --endpoints="$ETCD_ENDPOINTS" --dial-timeout=2s \
		${ETCD_CURL_CA:+--cacert "$ETCD_CURL_CA"} "$@"
}

# ---- a simulated fleet (sourced after tests/lib/lifecycle.sh) ----
# Each machine M has its own HOME, runtime directory and file store
# ($T_TMP/mM); all share the cluster, the fleet key and the Cobo test server.
# ORGS: the orgs the app is installed in; one profile "fleet" with org_id = *.
#
#   fleet_key_new FILE          a fresh 64-hex fleet key in FILE (0600)
#   fleet_machine M [LINES...]  machine M's config; LINES go into [module etcd]
#                               (FLEET_KEY_FILE names the key unless a line says)
#   fleet_get M ORG [VAR=V...]  one git-credential-cobo get on machine M for ORG's
#                               token; sets RC OUT ERR TOKEN
#   ostats ORG                  the server's "mint refresh total failed" for ORG
ORGS=(org-a org-b org-c)
FLEET_PREFIX=/cobo-test/

fleet_key_new() { (umask 077 && openssl rand -hex 32 > "$1"); }

fleet_machine() {
	local m=$1 d="$T_TMP/m$1" i l
	shift
	mkdir -p "$d/home" "$d/run"
	chmod 700 "$d" "$d/home" "$d/run"
	{
		# The shared store first on the store line: a compare-and-swap that
		# refuses a stale writer stops the local copy too.
		printf '[stack]\nget = file etcd cobo-oauth\n'
		printf 'store = etcd [SUCCESS=continue] file\n'
		printf 'erase = file [SUCCESS=continue] etcd\nlist = file [SUCCESS=continue] etcd\n'
		printf '[module file]\npath = %s/store\n' "$d"
		printf '[module etcd]\nendpoints = %s\nprefix = %s\n' "$ETCD_ENDPOINTS" "$FLEET_PREFIX"
		printf '%s\n' "$@" | grep -q '^fleet_key *=' ||
			printf 'fleet_key = file:%s\n' "$FLEET_KEY_FILE"
		for l in "$@"; do printf '%s\n' "$l"; done
		printf '[module cobo-oauth]\nschemas = com.cobo.credential.Token\n'
		# One profile serves every org that installed the app; git names
		# the org by the user name.
		printf '[profile fleet]\nbase_url = %s\nclient_id = %s\norg_id = *\n' \
			"$COBO_SERVER_URL" "$CLIENT_ID"
		printf 'server_key = %s\nca_file = %s\napp_secret = file:%s\n' \
			"$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA" "$KEY_PEM"
	} > "$d/config"
	chmod 600 "$d/config"
}

# fleet_env M: the environment of machine M, for env(1).
fleet_env() {
	local d="$T_TMP/m$1"
	printf '%s\n' "HOME=$d/home" "XDG_RUNTIME_DIR=$d/run" "XDG_CONFIG_HOME=$d/home/.config" \
		"XDG_DATA_HOME=$d/home/.local/share" "XDG_CACHE_HOME=$d/home/.cache" \
		"COBO_CREDENTIAL_CONFIG=$d/config"
}

fleet_request() { printf 'protocol=https\nhost=%s\nusername=%s\n\n' "$CHOST" "$1"; }

fleet_get() {
	local m=$1 org=$2 e="$T_TMP/fget.err" envs
	shift 2
	mapfile -t envs < <(fleet_env "$m")
	OUT=$(fleet_request "$org" | env "${envs[@]}" "$@" "$HELPER" get 2>"$e")
	RC=$?
	ERR=$(cat "$e")
	TOKEN=$(printf '%s\n' "$OUT" | sed -n 's/^password=//p')
}

# ostats ORG: "mint refresh total failed" at the server for ORG.
ostats() { cobo_server_stats "$1" mint refresh total failed; }

# fleet_up: cluster, server (app installed in every org of ORGS), fleet key.
fleet_up() {
	etcd_cluster_start 3 || { echo "FAIL - etcd cluster"; exit 1; }
	fleet_server_up
}

# fleet_server_up: the server (app installed in every org of ORGS) and the
# fleet key, for a test that starts its own members.
fleet_server_up() {
	cobo_server_start "$T_TMP/srv" || exit 99
	cobo_server_register_app "$CLIENT_ID" "$APP_PUB" "${ORGS[@]}" || exit 99
	CHOST=127.0.0.1:$COBO_SERVER_PORT
	LC_URL=$COBO_SERVER_URL
	FLEET_KEY_FILE=$T_TMP/fleet.key
	fleet_key_new "$FLEET_KEY_FILE"
}

# etcd_raw: every raw value under the fleet prefix, as etcdctl shows it.
etcd_raw() { etcd_ctl get --prefix "$FLEET_PREFIX"; }
# etcd_count SUB: how many keys under the fleet prefix + SUB.
etcd_count() { etcd_ctl get --prefix --keys-only "$FLEET_PREFIX$1" | grep -c . || true; }

# etcd_end_leases LO HI: revokes every lease granted with a TTL in (LO, HI]
# seconds.  A reader dates a record by what its lease has left (the
# cluster's count, plugins/etcd/life.c), so a test whose helpers jump their
# clocks ahead (COBO_CREDENTIAL_NOW_OFFSET) to make their tokens stale must
# end the records' leases too: "the token's time is up" on the cluster's
# clock as well as the machine's.  With the server's access TTL at 3600,
# `etcd_end_leases 3000 3700` ends the access tokens' records and keeps the
# refresh tokens' (30 days), the locks' (lock_ttl) and the backoff markers'
# (300 s) and a test's own (600 s).  Prints how many it ended.
etcd_end_leases() {
	local lo=$1 hi=$2 id g n=0
	for id in $(etcd_ctl lease list | tail -n +2); do
		g=$(etcd_ctl lease timetolive "$id" | sed -n 's/.*granted with TTL(\([0-9]*\)s).*/\1/p')
		[ -n "$g" ] && [ "$g" -gt "$lo" ] && [ "$g" -le "$hi" ] || continue
		etcd_ctl lease revoke "$id" > /dev/null && n=$((n + 1))
	done
	echo "$n"
}
