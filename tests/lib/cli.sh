# tests/lib/cli.sh - sourced by the cli-*.sh tests after
# tests/lib/common.sh: the binary under test, a runner that captures its
# output, the Cobo test server with one registered app, JSON helpers.

CC="$top_builddir/src/cli/cobo-credential"
if [ ! -x "$CC" ]; then
	echo "no $CC: build it first"
	exit 99
fi
. "$top_srcdir/tests/server/cobo-server.sh"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset COBO_CREDENTIAL_PROFILE KUBERNETES_EXEC_INFO

# cc ARGS...: runs cobo-credential with stdin from /dev/null.  Sets RC, OUT
# (stdout) and ERR (stderr).  cc_in INPUT ARGS...: INPUT on stdin.
cc() {
	"$CC" "$@" < /dev/null > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
}
cc_in() {
	local input=$1
	shift
	printf '%s' "$input" > "$T_TMP/cc_in.in"
	"$CC" "$@" < "$T_TMP/cc_in.in" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
}

# cli_server_start [server args]: the Cobo test server plus app CLIENT_ID in
# org ORG, whose seed and public key are SEED and PUB.
cli_server_start() {
	t_on_exit cobo_server_stop
	cobo_server_start "$T_TMP/srv" "$@" || { echo "cannot start the Cobo test server"; exit 99; }
	CLIENT_ID=${CLIENT_ID:-cli-it-client}
	ORG=${ORG:-org-cli-it}
	read -r SEED PUB < <(cobo_server_keygen)
	cobo_server_register_app "$CLIENT_ID" "$PUB" "$ORG" || exit 99
}

# cli_file_stack: every operation on the file module (no keyring involved).
cli_file_stack() { t_config < <(echo '# test config'; t_file_cobo_stack); }

# SETUP: the flags of a non-interactive setup against the test server.
cli_setup_flags() {
	SETUP=(--base-url "$COBO_SERVER_URL" --server-key "$COBO_SERVER_PUBKEY"
		--ca-file "$COBO_SERVER_CA" --client-id "$CLIENT_ID" --org-id "$ORG")
}

# stats: "mint refresh total" of ORG at the test server.
stats() { cobo_server_stats "$ORG" mint refresh total; }
# cli_profile_t: the set-up of the token and api suites: the test server, a file-module
# stack and profile t made by `setup` from the app key $SEED, minted once.
cli_profile_t() {
	cli_server_start
	cli_setup_flags
	cli_file_stack
	cc_in "$SEED" setup --name t "${SETUP[@]}" --key-file -
	expect_eq "setup: exit 0" 0 "$RC"
	expect_eq "setup minted once" "1 0 1" "$(stats)"
}

# py EXPR: prints a Python expression over d = the JSON document on stdin.
py() {
	"$PYTHON" -c 'import json,sys,datetime; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# mode PATH: the octal permission bits.
mode() { stat -c %a "$1"; }
