# tests/lib/docker.sh - sourced by the docker-*.sh tests after
# tests/lib/common.sh: the helper under test on PATH, a runner that captures
# its stdout exactly, JSON checks, and a loopback docker-registry.

HELPER="$top_builddir/src/docker/docker-credential-cobo"
if [ ! -x "$HELPER" ]; then
	echo "no $HELPER: build it first"
	exit 99
fi
# Clients find helpers as docker-credential-NAME on PATH.
DK_BIN="$T_TMP/bin"
mkdir -p "$DK_BIN"
ln -s "$HELPER" "$DK_BIN/docker-credential-cobo"
export PATH="$DK_BIN:$PATH"
# Only 127.0.0.1 is ever contacted; no proxy, no Docker engine.
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export DOCKER_HOST="unix://$T_TMP/no-docker-engine.sock"
unset DOCKER_CONFIG DOCKER_AUTH_CONFIG REGISTRY_AUTH_FILE

# dk_file_stack: every operation on the file module, in the test's HOME.
dk_file_stack() {
	{
		t_file_stack
		[ $# -eq 0 ] || printf '%s\n' "$*"
	} | t_config
}

# dk VERB [INPUT]: runs the helper with INPUT on stdin (none: empty stdin).
# Sets RC, OUT (stdout without the final newline) and ERR (stderr); the exact
# stdout is in $T_TMP/out.
dk() {
	printf '%s' "${2-}" > "$T_TMP/dk.in"
	"$HELPER" "$1" < "$T_TMP/dk.in" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
}

# dk_file VERB FILE: as dk, stdin from FILE.
dk_file() {
	"$HELPER" "$1" < "$2" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
}

# store_json URL USER SECRET: the request JSON (python does the escaping).
store_json() {
	"$PYTHON" -c 'import json,sys; print(json.dumps({"ServerURL":sys.argv[1],"Username":sys.argv[2],"Secret":sys.argv[3]}))' "$@"
}

# dk_store URL USER SECRET: stores through the helper; RC, OUT as dk.
dk_store() { dk store "$(store_json "$@")"; }

# json_field KEY [FILE]: member KEY of the JSON object in FILE ($T_TMP/out).
json_field() {
	"$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[2]))[sys.argv[1]], end="")' \
		"$1" "${2:-$T_TMP/out}"
}

# one_line DESC: the last stdout was exactly one line ending in a newline.
one_line() {
	local n
	n=$(wc -l < "$T_TMP/out")
	if [ "$n" = 1 ] && [ "$(tail -c 1 "$T_TMP/out" | od -An -c | tr -d ' ')" = '\n' ]; then
		pass "$1: one line"
	else
		fail "$1: one line (got $n newlines)"
	fi
}

# free_port: an unused TCP port on 127.0.0.1.
free_port() {
	"$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# registry_start PORT HTPASSWD: docker-registry in the foreground on
# 127.0.0.1:PORT with Basic auth from HTPASSWD; sets REG_PID, REG_LOG.
registry_start() {
	local port=$1 dir="$T_TMP/registry" i
	mkdir -p "$dir/data"
	REG_LOG="$dir/registry.log"
	cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: registry-test-secret-not-used-for-anything
auth:
  htpasswd:
    realm: cobo-test
    path: $2
EOF
	docker-registry serve "$dir/config.yml" > "$REG_LOG" 2>&1 &
	REG_PID=$!
	t_on_exit "registry_stop"
	for i in $(seq 600); do # 60 s: a safety net, not a wait
		if curl -s -o /dev/null "http://127.0.0.1:$port/v2/"; then
			return 0
		fi
		kill -0 "$REG_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "docker-registry did not start on port $port:" >&2
	tail -n 20 "$REG_LOG" >&2
	return 1
}

registry_stop() {
	[ -n "${REG_PID-}" ] || return 0
	kill "$REG_PID" 2>/dev/null
	wait "$REG_PID" 2>/dev/null
	REG_PID=
}

# htpasswd_line USER: a bcrypt htpasswd line, the password read from stdin.
htpasswd_line() { htpasswd -niB "$1"; }

# make_image DIR: a tiny OCI layout with tag "latest".
make_image() { "$PYTHON" "$top_srcdir/tests/docker/mkimage.py" "$1"; }

# DK_PUSH_FORMAT: skopeo copy's options for a push that every docker CLI
# reads: Debian 12's docker.io (20.10) answers "no such manifest" to
# `docker manifest inspect` of an OCI manifest, so the image is pushed as a
# Docker schema 2 manifest (DK_MANIFEST_TYPE), as `docker push` would.
DK_PUSH_FORMAT=(--format v2s2)
DK_MANIFEST_TYPE='application/vnd.docker.distribution.manifest.v2\+json'

# docker_config DIR JSON: a private DOCKER_CONFIG directory holding config.json.
docker_config() {
	mkdir -p "$1"
	printf '%s\n' "$2" > "$1/config.json"
	chmod 600 "$1/config.json"
}

# need CMD...: exit 99 (a hard error, not a skip) when a client is missing.
need() {
	local c
	for c in "$@"; do
		command -v "$c" > /dev/null 2>&1 || {
			echo "missing $c: run scripts/deps.sh (Debian packages docker-registry, skopeo," \
				"apache2-utils, golang-docker-credential-helpers; the docker CLI)"
			exit 99
		}
	done
}
