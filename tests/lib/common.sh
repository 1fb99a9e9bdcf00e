# tests/lib/common.sh - sourced by the shell test scripts.
#
# Gives each test a private HOME and XDG dirs under a temp dir (removed at
# exit), counters with check/expect helpers, and a closing summary line
# "N passed, N failed" that the harness and CI read.
set -u

: "${top_srcdir:?run through make check (top_srcdir unset)}"
: "${top_builddir:?run through make check (top_builddir unset)}"
PYTHON=${PYTHON:-/usr/bin/python3}

T_PASS=0
T_FAIL=0
T_NAME=$(basename "$0" .sh)
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cobo-$T_NAME.XXXXXX")
chmod 700 "$T_TMP"
T_CLEANUPS=()

export HOME="$T_TMP/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share"
export XDG_CACHE_HOME="$HOME/.cache" XDG_RUNTIME_DIR="$T_TMP/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
# Never reach the real user's keyring: tests that want one start their own.
unset DBUS_SESSION_BUS_ADDRESS
unset COBO_CREDENTIAL_CONFIG COBO_CREDENTIAL_TRACE COBO_CREDENTIAL_NOW_OFFSET
export COBO_CREDENTIAL_INTERACTIVE=never

# Runs on exit: registered cleanups (last first), then the temp dir.
t_on_exit() { T_CLEANUPS+=("$*"); }
t_exit() {
	local i
	for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUPS[$i]}" || true; done
	rm -rf "$T_TMP"
}
trap t_exit EXIT

pass() { T_PASS=$((T_PASS + 1)); echo "ok   - $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $*"; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1"; printf '       expected: %q\n       actual:   %q\n' "$2" "$3"; fi
}

# expect_near DESC EXPECTED ACTUAL: integers within one of each other. For
# times stamped in whole seconds by two processes (the server on issue, a
# helper on receipt), where a second may tick in between.
expect_near() {
	case $3 in ''|*[!0-9-]*) fail "$1"; printf '       expected: %s (+-1)\n       actual:   %q\n' "$2" "$3"; return;; esac
	if [ "$3" -ge $(($2 - 1)) ] && [ "$3" -le $(($2 + 1)) ]; then pass "$1"; else
		fail "$1"; printf '       expected: %s (+-1)\n       actual:   %s\n' "$2" "$3"; fi
}

# expect_match DESC REGEX ACTUAL
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else
		fail "$1"; printf '       wanted /%s/ in: %q\n' "$2" "$3"; fi
}

# Prints the summary and exits with the failure count (0 = success).
t_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

# t_file_cobo_stack: the lines of a config whose stack caches in the file
# module and mints with cobo-oauth (the test adds its profiles).
t_file_cobo_stack() {
	printf '[stack]\nget = file cobo-oauth\nstore = file\nerase = file\nlist = file\n'
	printf '[module cobo-oauth]\nschemas = com.cobo.credential.Token\n'
}

# t_file_stack [PATH]: the lines of a config whose every stack line is the
# file module alone, its store at PATH when given.
t_file_stack() {
	printf '[stack]\nget   = file\nstore = file\nerase = file\nlist  = file\n'
	[ -z "${1:-}" ] || printf '[module file]\npath = %s\n' "$1"
}

# t_keyring_stack: the lines of a config whose every stack line is the
# keyring module alone (the test adds [module keyring] options after them).
t_keyring_stack() {
	printf '[stack]\nget   = keyring\nstore = keyring\nerase = keyring\nlist  = keyring\n'
}

# A config file for the test: t_config <<EOF ... EOF ; exports COBO_CREDENTIAL_CONFIG.
t_config() {
	mkdir -p "$XDG_CONFIG_HOME/cobo-credential"
	cat > "$XDG_CONFIG_HOME/cobo-credential/config"
	chmod 600 "$XDG_CONFIG_HOME/cobo-credential/config"
	export COBO_CREDENTIAL_CONFIG="$XDG_CONFIG_HOME/cobo-credential/config"
}
