#!/bin/bash
# hygiene-input.sh - input bounds of the three front-ends with the real
# keyring (and the file store for git): a git credential line over 65535
# bytes, a request over 1 MiB (2 MiB for Docker, whose secrets may be
# 1 MiB), values with NUL, CR or LF, a JSON nesting bomb, an oversized or
# NUL-laden key, hostile setup values.  Each is refused with a clear
# one-line message and the exit status of its protocol, and nothing is
# stored.  The limits themselves still pass (a 65535-byte line, a 1 MiB
# Docker secret), and a Docker secret with line breaks (a GCR _json_key)
# round-trips exactly.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/hygiene.sh"

hy_server_up
hy_keyring_up
hy_config keyring
FSTORE=$XDG_DATA_HOME/cobo-credential/store

# Counts of items in the keyring, by schema or attribute.
kr_count() { secret-tool search --all "$@" 2>/dev/null | grep -c '^secret = ' || true; }
git_items() { kr_count xdg:schema org.git.Password; }
docker_items() { kr_count xdg:schema io.docker.Credentials; }
file_items() { [ -f "$FSTORE" ] && grep -c '^item$' "$FSTORE" || echo 0; }

# refused DESC STATUS REGEX: the last command exited STATUS with one line
# matching REGEX (on stdout for Docker, stderr otherwise).
refused() {
	local msg=$ERR
	[ "$3" = stdout ] && msg=$OUT
	# cobo-credential follows a usage error with a "try ... --help" line.
	msg=$(printf '%s\n' "$msg" | grep -v "^cobo-credential: try 'cobo-credential .*--help'$")
	expect_eq "$1: exit $2" "$2" "$RC"
	expect_match "$1: says why" "$4" "$msg"
	one_line "$1" "$msg"
}
gen() { "$PYTHON" -c "import sys; sys.stdout.write($1)"; }
STORE_HEAD='"protocol=https\nhost=git.example\nusername=u\n"'

# --- git: bounds on the request itself -------------------------------------------------
for stack in keyring file; do
	hy_config "$stack"
	n0=$(git_items) f0=$(file_items)
	gen "$STORE_HEAD + 'password=' + 'a' * 65527 + '\n\n'" > "$T_TMP/req"
	hy_run "$(cat "$T_TMP/req")" "$GIT_H" store
	refused "git [$stack] line of 65536 bytes" 1 stderr 'request line longer than 65535 bytes; refusing it'
	gen "$STORE_HEAD + 'password=x\n' + ('x-unknown=' + 'b' * 60000 + '\n') * 18 + '\n'" > "$T_TMP/req"
	hy_run "$(cat "$T_TMP/req")" "$GIT_H" store
	refused "git [$stack] request over 1 MiB" 1 stderr 'request longer than 1 MiB; refusing it'
	printf 'protocol=https\nhost=git.example\nusername=u\npassword=a\0b\n\n' > "$T_TMP/req"
	"$GIT_H" store < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$? ERR=$(cat "$T_TMP/err")
	refused "git [$stack] NUL in a value" 1 stderr 'NUL byte in the request; refusing it'
	for u in 'password=u:a%0Ab' 'password=u:a%0Db' 'password=u:a%00b' 'host=git%0A.example'; do
		case $u in
		password=*) url="https://${u#password=}@git.example/" ;;
		*) url="https://u:pw@${u#host=}/" ;;
		esac
		run_git store "$(printf 'url=%s\n\n' "$url")"
		refused "git [$stack] url=$url" 1 stderr 'url= has a line break or NUL in its (password|host); refusing it'
	done
	expect_eq "git [$stack]: nothing stored by any refused request" "$n0 $f0" "$(git_items) $(file_items)"

	# CR inside a value: git (2.47+, CVE-2024-52006) refuses it on reading;
	# it can never be sent back to git either.
	# REGRESSION (found here, fixed in src/git): src/git/protocol.c keeps a CR inside a
	# value; on the file stack `store` then keeps it (the keyring module
	# refuses it itself).  Expected: refused on reading (as git 2.47+ does,
	# CVE-2024-52006: it could never be sent back), nothing stored.
	bad=
	for kv in 'password=a\rb' 'username=u\rx' 'host=git\r.example' 'path=a\rb'; do
		printf "protocol=https\nhost=git.example\nusername=u\npassword=pw\n$kv\n\n" > "$T_TMP/req"
		"$GIT_H" store < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
		RC=$? ERR=$(cat "$T_TMP/err")
		[ "$RC" = 1 ] && [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] &&
			printf '%s' "$ERR" | grep -Eq 'carriage return|line break|newline' || bad="$bad ${kv%%=*}"
	done
	expect_eq "git [$stack] CR inside a value: refused with a message, nothing stored" \
		"|$n0 $f0" "$bad|$(git_items) $(file_items)"

	# The limit itself: a 65535-byte line is a request git may send.
	gen "$STORE_HEAD + 'password=' + 'a' * 65526 + '\n\n'" > "$T_TMP/req"
	hy_run "$(cat "$T_TMP/req")" "$GIT_H" store
	expect_eq "git [$stack] line of exactly 65535 bytes: stored" "0|" "$RC|$ERR"
	run_git get "$(printf 'protocol=https\nhost=git.example\n\n')"
	expect_eq "git [$stack] ... and read back whole" 65535 "$(printf '%s\n' "$OUT" | grep '^password=' | tr -d '\n' | wc -c)"
	run_git erase "$(printf 'protocol=https\nhost=git.example\nusername=u\n\n')"
done
hy_config keyring

# --- docker --------------------------------------------------------------------------------
d0=$(docker_items)
gen "'{\"ServerURL\":\"reg.example\",\"Username\":\"u\",\"Secret\":\"' + 's' * (2 * 1024 * 1024) + '\"}'" > "$T_TMP/req"
"$DOCKER_H" store < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
RC=$? OUT=$(cat "$T_TMP/out")
refused "docker store over 2 MiB" 1 stdout '^request larger than 2 MiB; send a smaller secret'
for f in ServerURL Username Secret; do
	json='{"ServerURL":"reg.example","Username":"u","Secret":"s"}'
	json=$(printf '%s' "$json" | sed "s/\"$f\":\"\([^\"]*\)\"/\"$f\":\"\1\\\\u0000x\"/")
	run_docker store "$json"
	refused "docker store, NUL in $f" 1 stdout "^$f contains a NUL character, which credential stores cannot keep; remove it$"
done
gen "'{\"ServerURL\":\"reg.example\",\"Username\":\"u\",\"Secret\":\"s\",\"x\":' + '[' * 10001 + ']' * 10001 + '}'" > "$T_TMP/req"
"$DOCKER_H" store < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
RC=$? OUT=$(cat "$T_TMP/out")
refused "docker store, nesting bomb in an unknown field" 1 stdout '^JSON nested more than 10000 levels deep at byte [0-9]+; send a flat object$'
gen "'{\"a\":' * 20000 + '1' + '}' * 20000" > "$T_TMP/req"
"$DOCKER_H" store < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
RC=$? OUT=$(cat "$T_TMP/out")
refused "docker store, nesting bomb of objects" 1 stdout '^JSON nested more than 10000 levels deep'
gen "'h' * 70000" > "$T_TMP/req"
"$DOCKER_H" get < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
RC=$? OUT=$(cat "$T_TMP/out")
refused "docker get, server URL over 65535 bytes" 1 stdout "^server URL longer than 65535 bytes; use the registry's address$"
expect_eq "docker: nothing stored by any refused request" "$d0" "$(docker_items)"

# Line breaks in the names a credential is found by.
# REGRESSION (found here, fixed in src/docker): src/docker/codec.c accepts CR/LF in
# ServerURL and Username; a ServerURL with LF can never be asked for again
# (get joins the lines of its input).  Expected: refused, nothing stored.
bad=
for f in ServerURL Username; do
	json='{"ServerURL":"reg.example","Username":"u","Secret":"s"}'
	json=$(printf '%s' "$json" | sed "s/\"$f\":\"\([^\"]*\)\"/\"$f\":\"\1\\\\nx\\\\ry\"/")
	run_docker store "$json"
	[ "$RC" = 1 ] && [ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] &&
		printf '%s' "$OUT" | grep -Eq "$f .*(line break|newline)" || bad="$bad $f"
done
expect_eq "docker store, CR/LF in ServerURL or Username: refused, nothing stored" "|$d0" \
	"$bad|$(docker_items)"

# The limits themselves: a 1 MiB secret, and a secret with line breaks.
gen "'{\"ServerURL\":\"big.example\",\"Username\":\"u\",\"Secret\":\"' + 's' * (1024 * 1024) + '\"}'" > "$T_TMP/req"
"$DOCKER_H" store < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
expect_eq "docker store, a 1 MiB secret: stored" "0|" "$?|$(cat "$T_TMP/out")"
run_docker erase big.example
# shellcheck disable=SC2016
KEYJSON='{\n  "type": "service_account",\r\n  "private_key": "-----BEGIN PRIVATE KEY-----\\nMII\\n"\n}\n'
printf '%b' "$KEYJSON" > "$T_TMP/json_key"
run_docker store "$("$PYTHON" -c 'import json,sys; print(json.dumps({"ServerURL": "gcr.example", "Username": "_json_key", "Secret": open(sys.argv[1], newline="").read()}))' "$T_TMP/json_key")"
expect_eq "docker store, a secret with CR/LF (_json_key): stored" "0|" "$RC|$OUT"
run_docker get gcr.example
printf '%s' "$OUT" | "$PYTHON" -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["Secret"])' > "$T_TMP/json_key.back"
check "docker get: the secret comes back byte for byte" cmp -s "$T_TMP/json_key" "$T_TMP/json_key.back"
run_docker erase gcr.example

# --- cobo-credential ------------------------------------------------------------------------
a0=$(kr_count xdg:schema com.cobo.credential.AppSecret)
cp "$COBO_CREDENTIAL_CONFIG" "$T_TMP/config.before"
gen "'a' * (1024 * 1024 + 1)" > "$T_TMP/req"
"$CLI_H" key import --profile p --force - < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
RC=$? ERR=$(cat "$T_TMP/err")
refused "key import, 1 MiB on stdin" 64 stderr 'larger than [0-9]+ bytes; that is not a key'
printf '%s\0junk' "$SEED" > "$T_TMP/req"
"$CLI_H" key import --profile p --force - < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err"
RC=$? ERR=$(cat "$T_TMP/err")
refused "key import, a NUL after the key" 65 stderr 'neither PEM nor 64 hex'
expect_eq "key import: nothing stored" "$a0" "$(kr_count xdg:schema com.cobo.credential.AppSecret)"
for opt in --org-id --client-id; do
	hy_run "$SEED" "$CLI_H" setup --name inj --base-url "$COBO_SERVER_URL" \
		--server-key "$COBO_SERVER_PUBKEY" --client-id c --org-id o --key-file - --no-verify \
		"$opt" "$(printf 'x\n[profile evil]\nbase_url = https://evil.example/v2')"
	refused "setup, a line break in $opt (config injection)" 64 stderr \
		"$opt.*letters, digits"
done
hy_run "$SEED" "$CLI_H" setup --name "$(printf 'x\n[stack]')" --base-url "$COBO_SERVER_URL" \
	--server-key "$COBO_SERVER_PUBKEY" --client-id c --org-id o --key-file - --no-verify
expect_eq "setup, a line break in --name: exit 64" 64 "$RC"
check "setup: the config file is untouched" cmp -s "$T_TMP/config.before" "$COBO_CREDENTIAL_CONFIG"
expect_eq "setup: no app secret stored" "$a0" "$(kr_count xdg:schema com.cobo.credential.AppSecret)"
# REGRESSION (found here, fixed in src/cli): src/cli/common.c, cmd_token.c and
# cmd_setup.c print an argv value into their message verbatim, so a
# profile name with LF or ESC makes a two-line message with a terminal
# escape in it.  Expected: one line, control characters replaced.
run_cli token --profile "$(printf 'a\nb\033[31mred')"
expect_eq "token, hostile --profile: exit 66, one line, no control character" "66 1 " \
	"$RC $(printf '%s\n' "$ERR" | wc -l) $(printf '%s' "$ERR" | tr -d '\n' | LC_ALL=C grep -o '[[:cntrl:]]' | head -1)"

t_done
