#!/bin/bash
# bench/run.sh - our helpers side by side with their peers, in one run, on
# the same private keyring and the same data: latency, CPU and memory, and
# ours/peer ratios (bench/measure.py does the timing; README.md has results).
#
#   bench/run.sh [--quick] [--instructions] [--json FILE] [BUILDDIR]
#
# BUILDDIR is a configured and built tree (default: the current directory).
# BENCH_ONLY=REGEX runs only the groups whose title matches it.
# --quick runs one round after one warm-up (a smoke that the benchmark still
# works: every case runs and is checked; half its CPU is node starting the JS
# SDK, so every round counts), the default is 30 rounds after 3 warm-up ones.  --instructions adds one callgrind run
# per case (instruction counts repeat exactly; needs valgrind).
#
# Everything runs against a private D-Bus session with gnome-keyring and the
# project's Cobo test server on 127.0.0.1, as the tests do; both are stopped
# at exit.  Peers: git-credential-libsecret (built from git's contrib source),
# git-credential-store, docker-credential-secretservice, and for signed
# resource calls Cobo's official JS SDK (@cobo/cobo-waas2, pinned in
# bench/sdk-js/, installed once with npm by scripts/deps.sh test into
# ~/.cache/cobo-credential/sdk-js, or $COBO_BENCH_SDKJS).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# The kernel tier's keys go to a keyring of this run's own session keyring,
# never the user's: re-run inside a fresh one holding a cobo-credential keyring.
if [ -z "${COBO_BENCH_KEYSESSION:-}" ] && command -v keyctl > /dev/null; then
	export COBO_BENCH_KEYSESSION=1
	# keyctl says "Joined session keyring" on stderr: only its own stderr is dropped.
	exec 3>&2 2> /dev/null
	exec keyctl session - bash -c \
		'exec 2>&3 3>&-; keyctl newring cobo-credential @s > /dev/null && exec bash "$0" "$@"' \
		"$0" "$@"
fi
ROUNDS=30 WARMUP=3 CALLS=50 MEASURE_ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) ROUNDS=1 WARMUP=1 CALLS=3 ;;
	--instructions) MEASURE_ARGS+=(--instructions) ;;
	--json) MEASURE_ARGS+=(--json "$2"); shift ;;
	-h|--help) sed -n '2,16p' "$0" | cut -c3-; exit 0 ;;
	-*) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
	*) break ;;
	esac
	shift
done
export top_srcdir=$(cd "$HERE/.." && pwd)
export top_builddir=$(cd "${1:-.}" && pwd)
B=$top_builddir
for f in src/git/git-credential-cobo src/docker/docker-credential-cobo src/cli/cobo-credential; do
	[ -x "$B/$f" ] || { echo "bench/run.sh: no $B/$f; build first (make)" >&2; exit 66; }
done
export COBO_CREDENTIAL_MODULE_PATH=$B/modules
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"
. "$top_srcdir/tests/server/cobo-server.sh"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
die() { echo "bench/run.sh: $*" >&2; exit 1; }
for c in secret-tool openssl docker-credential-secretservice git curl node npm; do
	command -v "$c" > /dev/null || die "$c is missing: scripts/deps.sh test installs it"
done

keyring_start || die "cannot start gnome-keyring in a private D-Bus session"
cobo_server_start "$T_TMP/srv" || die "cannot start the Cobo test server"
t_on_exit cobo_server_stop
PEM=$T_TMP/app.pem
(umask 077 && openssl genpkey -algorithm ed25519 -out "$PEM" 2>/dev/null) || die "openssl genpkey failed"
PUB=$(openssl pkey -in "$PEM" -pubout -outform DER 2>/dev/null | tail -c 32 | od -An -tx1 | tr -d ' \n')
cobo_server_register_app bench-client "$PUB" org-cached org-refresh org-mint org-res > /dev/null ||
	die "cannot register the app on the test server"
CHOST=127.0.0.1:$COBO_SERVER_PORT

# The peer git-credential-libsecret, built the way git's contrib Makefile does.
mkdir -p "$T_TMP/bin"
GIT_LIBSECRET=$T_TMP/bin/git-credential-libsecret
kr_build_git_libsecret "$GIT_LIBSECRET" || exit 1

# The launcher that reports each run's own cost (bench/spawn.c says why).
SPAWN=$T_TMP/bin/spawn
${CC:-cc} -O2 -Wall -Wextra -Werror -static -o "$SPAWN" "$HERE/spawn.c" 2> "$T_TMP/cc.err" ||
	${CC:-cc} -O2 -Wall -Wextra -Werror -o "$SPAWN" "$HERE/spawn.c" 2> "$T_TMP/cc.err" ||
	die "cannot build bench/spawn.c: $(head -c 200 "$T_TMP/cc.err")"

# config NAME STACK-GET STACK-STORE ORG: a config file with one Cobo profile.
config() {
	local f=$T_TMP/$1.conf
	cat > "$f" <<EOF
[stack]
get = $2
store = $3
erase = $3
list = $3
[module file]
path = $T_TMP/$1.store
[module cobo-oauth]
schemas = com.cobo.credential.Token
[profile bench]
base_url = $COBO_SERVER_URL
client_id = bench-client
org_id = $4
server_key = $COBO_SERVER_PUBKEY
ca_file = $COBO_SERVER_CA
app_secret = file:$PEM
EOF
	chmod 600 "$f"
}
config keyring "keyring cobo-oauth" keyring org-cached
config file "file cobo-oauth" file org-cached
config refresh "keyring cobo-oauth" keyring org-refresh
config mint "cobo-oauth" file org-mint
config res "file cobo-oauth" file org-res
# The built-in desktop stack (no [stack]): the kernel tier in front of the
# keyring; [module kernel] lifetime lets plain (docker) credentials in.
sed '/^\[stack\]/,/^list/d' "$T_TMP/keyring.conf" > "$T_TMP/desktop.conf"
printf '[module kernel]\nlifetime = 3600\n' >> "$T_TMP/desktop.conf"
chmod 600 "$T_TMP/desktop.conf"
with() { COBO_CREDENTIAL_CONFIG=$T_TMP/$1.conf "${@:2}"; }

# The same data for us and the peers.
GIT_REQ=$'protocol=https\nhost=git.example.com\nusername=alice\n\n'
printf '%spassword=pw-git\n\n' "${GIT_REQ%$'\n'}" | with keyring "$B/src/git/git-credential-cobo" store ||
	die "git store (keyring) failed"
printf '%spassword=pw-git\n\n' "${GIT_REQ%$'\n'}" | with file "$B/src/git/git-credential-cobo" store ||
	die "git store (file) failed"
printf '%spassword=pw-git\n\n' "${GIT_REQ%$'\n'}" |
	git credential-store --file "$T_TMP/git-store" store || die "git-credential-store failed"
for i in $(seq 50); do
	printf '{"ServerURL":"registry%d.example.com","Username":"u%d","Secret":"pw-%d"}' "$i" "$i" "$i" |
		with keyring "$B/src/docker/docker-credential-cobo" store > /dev/null || die "docker store failed"
done
# Warm the Cobo caches (these tokens live 12 h), then make every later token
# live 30 s: inside the refresh window (60 s), so after its first call (a
# mint) every call of org-refresh refreshes.
for c in keyring file desktop; do
	with "$c" "$B/src/cli/cobo-credential" token > /dev/null || die "first token ($c) failed"
done
# Signed resource calls: one Org Access Token (org-res, 12 h) for us and the SDK.
(umask 077 && with res "$B/src/cli/cobo-credential" token > "$T_TMP/res.token") ||
	die "first token (res) failed"
. "$HERE/resource.sh"
# A docker credential in the kernel tier (and the keyring, the store line's next).
printf '{"ServerURL":"registry25.example.com","Username":"u25","Secret":"pw-25"}' |
	with desktop "$B/src/docker/docker-credential-cobo" store > /dev/null || die "docker store (kernel) failed"
[ -n "$(keyctl rlist "$(keyctl search @s keyring cobo-credential)" 2>/dev/null)" ] ||
	die "the kernel tier holds nothing: is keyctl permitted here?"
cobo_server_ctl POST /_test/config '{"access_ttl":30}' > /dev/null || die "cannot set the server's ttl"

# The groups: the first case of each is ours, the others its peers.
export B CHOST GIT_REQ GIT_LIBSECRET T_TMP CALLS SDKJS PROXY_SOCK PROXY_PID RES_BODY
"$PYTHON" - > "$T_TMP/spec.json" <<'EOF'
import json, os, re
e = os.environ
B, tmp = e["B"], e["T_TMP"]
git_cobo, dk_cobo, cli = B + "/src/git/git-credential-cobo", B + "/src/docker/docker-credential-cobo", B + "/src/cli/cobo-credential"
conf = lambda n: {"COBO_CREDENTIAL_CONFIG": "%s/%s.conf" % (tmp, n)}
git_req, cobo_req = e["GIT_REQ"], "protocol=https\nhost=%s\n\n" % e["CHOST"]
groups = [
 {"group": "git get: a plain credential in the keyring", "cases": [
  {"name": "git-credential-cobo", "argv": [git_cobo, "get"], "stdin": git_req, "env": conf("keyring"), "expect": "password=pw-git"},
  {"name": "git-credential-libsecret", "argv": [e["GIT_LIBSECRET"], "get"], "stdin": git_req, "expect": "password=pw-git"}]},
 {"group": "git store: the same credential again (keyring)", "cases": [
  {"name": "git-credential-cobo", "argv": [git_cobo, "store"], "stdin": git_req[:-1] + "password=pw-git\n\n", "env": conf("keyring")},
  {"name": "git-credential-libsecret", "argv": [e["GIT_LIBSECRET"], "store"], "stdin": git_req[:-1] + "password=pw-git\n\n"}]},
 {"group": "git get: a plain credential in a file (no keyring)", "cases": [
  {"name": "git-credential-cobo (file module)", "argv": [git_cobo, "get"], "stdin": git_req, "env": conf("file"), "expect": "password=pw-git"},
  {"name": "git-credential-store", "argv": ["git", "credential-store", "--file", tmp + "/git-store", "get"], "stdin": git_req, "expect": "password=pw-git"}]},
 {"group": "docker get: one of 50 credentials in the keyring", "cases": [
  {"name": "docker-credential-cobo", "argv": [dk_cobo, "get"], "stdin": "registry25.example.com\n", "env": conf("keyring"), "expect": '"Secret":"pw-25"'},
  {"name": "docker-credential-secretservice", "argv": ["docker-credential-secretservice", "get"], "stdin": "registry25.example.com\n", "expect": '"Secret":"pw-25"'}]},
 {"group": "docker list: 50 credentials in the keyring", "cases": [
  {"name": "docker-credential-cobo", "argv": [dk_cobo, "list"], "env": conf("keyring"), "expect": '"registry50.example.com":"u50"'},
  {"name": "docker-credential-secretservice", "argv": ["docker-credential-secretservice", "list"], "expect": '"registry50.example.com":"u50"'}]},
 {"group": "a Cobo Org Access Token: cached, refreshed, minted (HTTPS to the local test server)", "cases": [
  {"name": "cobo-credential token, cached in the keyring", "argv": [cli, "token"], "env": conf("keyring"), "expect": "AT_"},
  {"name": "git-credential-cobo get, cached in the keyring", "argv": [git_cobo, "get"], "stdin": cobo_req, "env": conf("keyring"), "expect": "password=AT_"},
  {"name": "cobo-credential token, cached in a file", "argv": [cli, "token"], "env": conf("file"), "expect": "AT_"},
  {"name": "cobo-credential token, refreshed every call", "argv": [cli, "token"], "env": conf("refresh"), "expect": "AT_"},
  {"name": "cobo-credential token, minted every call (no cache)", "argv": [cli, "token"], "env": conf("mint"), "expect": "AT_"}]},
]
# The kernel tier (issue 13): the built-in desktop stack against the same peers.
groups += [
 {"group": "a cached Cobo token: built-in desktop stack (kernel tier) vs git-credential-libsecret's cached get", "cases": [
  {"name": "cobo-credential token (kernel tier)", "argv": [cli, "token"], "env": conf("desktop"), "expect": "AT_"},
  {"name": "git-credential-cobo get (kernel tier)", "argv": [git_cobo, "get"], "stdin": cobo_req, "env": conf("desktop"), "expect": "password=AT_"},
  {"name": "git-credential-libsecret get", "argv": [e["GIT_LIBSECRET"], "get"], "stdin": git_req, "expect": "password=pw-git"},
  {"name": "floor: /bin/true (what starting any process costs here)", "argv": ["/bin/true"]}]},
 {"group": "docker get: a credential in the kernel tier", "cases": [
  {"name": "docker-credential-cobo (kernel tier)", "argv": [dk_cobo, "get"], "stdin": "registry25.example.com\n", "env": conf("desktop"), "expect": '"Secret":"pw-25"'},
  {"name": "docker-credential-secretservice", "argv": ["docker-credential-secretservice", "get"], "stdin": "registry25.example.com\n", "expect": '"Secret":"pw-25"'}]},
]
# Signed resource calls (issue 25): CPU per call beside Cobo's JS SDK (bench/resource.sh).
import sys; sys.dont_write_bytecode = True; sys.path.insert(0, os.path.join(e["top_srcdir"], "bench"))
from resource_spec import resource_groups
groups += resource_groups(e, cli, conf)
only = e.get("BENCH_ONLY")
print(json.dumps([g for g in groups if not only or re.search(only, g["group"])]))
EOF
echo "# cobo-credential benchmarks: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $ROUNDS rounds"
echo "# $(uname -srm); $(git --version); gnome-keyring $(gnome-keyring-daemon --version 2>/dev/null | awk 'NR == 1 {print $2}')"
"$PYTHON" "$HERE/measure.py" --spawn "$SPAWN" --rounds "$ROUNDS" --warmup "$WARMUP" ${MEASURE_ARGS[@]+"${MEASURE_ARGS[@]}"} \
	< "$T_TMP/spec.json"
RC=$?
echo
echo "# server counters: $(cobo_server_ctl GET /_test/stats?org_id=org-refresh | tr -d '\n') (org-refresh)"
echo "# server counters: $(cobo_server_ctl GET /_test/stats?org_id=org-res | tr -d '\n') (org-res)"
exit $RC
