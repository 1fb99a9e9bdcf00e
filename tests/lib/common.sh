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

# t_slurp VAR FILE: FILE's text in VAR as $(cat FILE) gives it (trailing
# newlines dropped; the text ends at a NUL byte), without a process: the
# suites read thousands of outputs, and each cat is a fork and an exec
# (~5 ms of CPU on a VM).
t_slurp() {
	local -n t_slurp_var=$1
	t_slurp_var=
	IFS= read -r -d '' t_slurp_var < "$2" || true
	t_slurp_var=${t_slurp_var%"${t_slurp_var##*[!$'\n']}"}
}
# t_wait_trace FILE TEXT: waits until FILE holds TEXT; 1 after 60 s (a
# safety net).  A trace is a regular file (the core refuses a FIFO), so
# this polls every 50 ms, with builtins only: no grep and no sleep process
# per look (the pause is a read that times out on a FIFO nobody writes).
t_wait_trace() {
	local i fd text
	rm -f "$T_TMP/pause"
	mkfifo "$T_TMP/pause"
	exec {fd}<> "$T_TMP/pause"
	for ((i = 0; i < 1200; i++)); do
		if [ -f "$1" ]; then
			t_slurp text "$1"
			[[ $text == *"$2"* ]] && break
		fi
		read -r -t 0.05 -u "$fd" _
	done
	exec {fd}<&-
	[ "$i" -lt 1200 ]
}

# t_field VAR KEY TEXT: the values of TEXT's "KEY=value" lines in VAR, one
# per line ("" if none): what $(printf '%s\n' TEXT | sed -n 's/^KEY=//p')
# gives, without the two processes.  (git's credential format.)
t_field() {
	local -n t_field_var=$1
	local line sep=
	t_field_var=
	while IFS= read -r line; do
		[[ $line == "$2="* ]] || continue
		t_field_var+=$sep${line#"$2="}
		sep=$'\n'
	done <<< "$3"
	t_field_var=${t_field_var%"${t_field_var##*[!$'\n']}"}
}

# t_lines VAR TEXT: how many non-empty lines TEXT has ($(grep -c .) without
# the process).
t_lines() {
	local -n t_lines_var=$1
	local line
	t_lines_var=0
	while IFS= read -r line; do
		[ -z "$line" ] || t_lines_var=$((t_lines_var + 1))
	done <<< "$2"
}

# Leak checks.  Under the sanitizer build (ASAN_OPTIONS set), LeakSanitizer
# checks every process at exit.  On a VM that costs ~45 ms a process: it
# scans the ASan runtime's 10 MB of never-touched globals, ~2500 page faults,
# more than a helper's own work.  A test that runs one path hundreds of
# times over leak-checks the first run of each kind and none of the
# repeats (ASan and UBSan stay on for every run):
#   t_leak_check_first KIND   the processes started next are leak-checked
#                             if this is KIND's first call, not otherwise
#   t_leak_check_all          every process from here on is leak-checked
declare -gA T_LEAK_SEEN=()
T_ASAN_OPTIONS=${ASAN_OPTIONS-}
t_leak_check_first() {
	[ -n "$T_ASAN_OPTIONS" ] || return 0
	if [ -n "${T_LEAK_SEEN[$1]-}" ]; then
		export ASAN_OPTIONS="$T_ASAN_OPTIONS:detect_leaks=0"
	else
		T_LEAK_SEEN[$1]=1
		export ASAN_OPTIONS=$T_ASAN_OPTIONS
	fi
}
t_leak_check_all() {
	[ -z "$T_ASAN_OPTIONS" ] || export ASAN_OPTIONS=$T_ASAN_OPTIONS
}

# A config file for the test: t_config <<EOF ... EOF ; exports COBO_CREDENTIAL_CONFIG.
t_config() {
	mkdir -p "$XDG_CONFIG_HOME/cobo-credential"
	cat > "$XDG_CONFIG_HOME/cobo-credential/config"
	chmod 600 "$XDG_CONFIG_HOME/cobo-credential/config"
	export COBO_CREDENTIAL_CONFIG="$XDG_CONFIG_HOME/cobo-credential/config"
}
