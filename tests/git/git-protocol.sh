#!/bin/bash
# git-protocol.sh - git-credential-cobo's protocol discipline: argv,
# exit codes, stream discipline, bounded input, refusing to print a value
# with a line break, store failures.  Uses the file stack.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"

gh_use_file

# --- argv ---
"$GH_BIN" > "$T_TMP/o" 2> "$T_TMP/e" < /dev/null
expect_eq "no action: usage on stderr, exit 2" "2|" "$?|$(cat "$T_TMP/o")"
expect_match "no action: usage names the actions" "get\|store\|erase" "$(cat "$T_TMP/e")"
lines protocol=https host=h | helper frobnicate
expect_eq "unknown action: ignored silently, exit 0" "0||" "$RC|$OUT|$ERR"
lines protocol=https host=h | helper capability
expect_eq "'capability' action: ignored silently" "0||" "$RC|$OUT|$ERR"
lines protocol=https host=h | helper get --bogus
expect_eq "unknown option: exit 2" "2|" "$RC|$OUT"
expect_match "unknown option: named" "unknown option '--bogus'" "$ERR"
lines protocol=https host=h | helper get --timeout=soon
expect_eq "bad --timeout: exit 2" "2|" "$RC|$OUT"
expect_match "bad --timeout: says what it wants" "seconds" "$ERR"
lines protocol=https host=sp.example username=u password=pw | helper store --timeout 600
lines protocol=https host=sp.example | helper get --config "$COBO_CREDENTIAL_CONFIG"
expect_match "'--timeout N' and '--config PATH' forms work too" \
	'^username=u.password=pw.password_expiry_utc=[0-9]+$' "$(printf '%s' "$OUT" | tr '\n' .)"
lines protocol=https host=sp.example | helper get --timeout
expect_eq "--timeout without a value: exit 2" 2 "$RC"
"$GH_BIN" --help > "$T_TMP/o" 2> "$T_TMP/e"
expect_eq "--help: usage on stdout, exit 0" "0|" "$?|$(cat "$T_TMP/e")"

# --- stream discipline ---
lines protocol=https host=p.example username=u password=pw | helper store
expect_eq "store: exit 0, nothing on stdout or stderr" "0||" "$RC|$OUT|$ERR"
lines protocol=https host=p.example | helper get
expect_eq "get: only key=value lines on stdout" "0|$(lines username=u password=pw)|" \
	"$RC|$OUT|$ERR"
lines protocol=https host=none.example | helper get
expect_eq "get, nothing found: exit 0, no output at all" "0||" "$RC|$OUT|$ERR"
printf '' | helper get
expect_eq "get, empty request: exit 0, no output" "0||" "$RC|$OUT|$ERR"
lines host=p.example | helper get
expect_eq "get without a protocol: nothing (never a random match)" "0||" "$RC|$OUT|$ERR"

# --- input forms ---
printf 'protocol=https\r\nhost=p.example\r\n' | helper get
expect_out "CRLF line ends" "$(lines username=u password=pw)"
printf 'protocol=https\nhost=p.example' | helper get
expect_out "no newline after the last line" "$(lines username=u password=pw)"
printf 'protocol=https\nhost=p.example\n\nhost=other.example\n' | helper get
expect_out "the blank line ends the request" "$(lines username=u password=pw)"
wa=$(head -c 60000 /dev/zero | tr '\0' x)
lines protocol=https "wwwauth[]=Basic realm=\"$wa\"" host=p.example | helper get
expect_out "a 60000-byte wwwauth[] does not confuse it" "$(lines username=u password=pw)"
lines foo=bar protocol=https quit=1 continue=1 host=p.example | helper get
expect_out "unknown keys are ignored" "$(lines username=u password=pw)"
lines protocol=http host=other.example url=https://u@p.example | helper get
expect_out "url= (later) replaces the earlier keys" "$(lines username=u password=pw)"
lines url=https://u@p.example/x | helper get
expect_out "url= with a path asks for that path" ""

# The helper stops at the blank line and answers while git keeps stdin open:
# the writer keeps the pipe open until the test kills it, so an answer at
# all means no EOF was waited for (timeout 60 is only a safety net).
mkfifo "$T_TMP/fifo"
{ printf 'protocol=https\nhost=p.example\n\n'; exec sleep 600; } > "$T_TMP/fifo" &
writer=$!
t_on_exit "kill $writer 2>/dev/null"
timeout 60 "$GH_BIN" get < "$T_TMP/fifo" > "$T_TMP/o" 2>&1
rc=$?
open=no
kill -0 "$writer" 2>/dev/null && open=yes
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
expect_eq "answers at the blank line without waiting for EOF" \
	"0|$(lines username=u password=pw)" "$rc|$(cat "$T_TMP/o")"
expect_eq "blank line: answered while stdin was still open" yes "$open"

# --- bounded input: malformed requests fail loudly ---
line=$(head -c 65525 /dev/zero | tr '\0' y)
lines protocol=https "wwwauth[]=$line" host=p.example | helper get
expect_eq "a 65535-byte line is read whole" "0|$(lines username=u password=pw)|" \
	"$RC|$OUT|$ERR"
lines protocol=https "wwwauth[]=${line}y" host=p.example | helper get
expect_eq "a 65536-byte line: refused, exit 1, no output" "1|" "$RC|$OUT"
expect_match "a 65536-byte line: one clear line on stderr" \
	'^git-credential-cobo: .*65535' "$ERR"
{ lines protocol=https host=p.example; for i in $(seq 20); do printf 'k=%s\n' "$wa"; done; } |
	helper get
expect_eq "input over 1 MiB: refused, exit 1" "1|" "$RC|$OUT"
expect_match "input over 1 MiB: says so" "1 MiB" "$ERR"
printf 'protocol=https\nhost=p.exa\0mple\n' | helper get
expect_eq "NUL in the input: refused, exit 1" "1|" "$RC|$OUT"
expect_match "NUL in the input: says so" "NUL" "$ERR"
lines protocol=https host=p.example 'password-without-equals' | helper erase
expect_eq "a line without '=': refused, exit 1" "1|" "$RC|$OUT"
expect_eq "the bad line is never echoed" "" "$(printf '%s' "$ERR" | grep -F without-equals)"
lines url=https://u%0a@p.example | helper get
expect_eq "url= decoding to a newline: refused" "1|" "$RC|$OUT"
lines protocol=https host=p.example | helper get
expect_out "a refused request changed nothing" "$(lines username=u password=pw)"

# --- a CR inside a value is refused on the way in (newer git does the same);
# the output side's refusal of CR/LF/NUL is covered by test_git_protocol ---
printf 'protocol=https\nhost=cr.example\nusername=u\npassword=a\rb\n' | helper store
expect_eq "a password with a CR inside is refused" "1" "$RC"
expect_match "and says why, on one line" '^git-credential-cobo: carriage return' "$ERR"
lines protocol=https host=cr.example | helper get
expect_eq "nothing was stored" "0|" "$RC|$OUT"
printf 'protocol=https\nhost=cr2.example\nusername=u\r\r\npassword=p\n' | helper store
expect_eq "a username with a CR inside is refused" "1" "$RC"
lines protocol=https host=cr2.example | helper get
expect_eq "nothing was stored for it either" "0|" "$RC|$OUT"

# --- failures of the store ---
mkdir -p "$T_TMP/notafile"
cat > "$T_TMP/bad.conf" <<EOF
[stack]
get   = file
store = file
erase = file
[module file]
path = $T_TMP/notafile
EOF
chmod 600 "$T_TMP/bad.conf"
lines protocol=https host=p.example | helper get --config="$T_TMP/bad.conf"
expect_eq "store unreadable: get exits 0 with no output (git moves on)" "0|" "$RC|$OUT"
expect_match "store unreadable: says so" '^git-credential-cobo: cannot read' "$ERR"
expect_eq "store unreadable: one line on stderr" 1 "$(printf '%s\n' "$ERR" | wc -l)"
lines protocol=https host=p.example username=u password=x | helper store --config="$T_TMP/bad.conf"
expect_eq "store unwritable: store exits 1" "1|" "$RC|$OUT"
expect_match "store unwritable: says so" '^git-credential-cobo: cannot store' "$ERR"
printf '[stack]\nget = file [BOGUS=return]\n' > "$T_TMP/broken.conf"
chmod 600 "$T_TMP/broken.conf"
lines protocol=https host=p.example | helper get --config="$T_TMP/broken.conf"
expect_eq "broken config: get exits 0, no output" "0|" "$RC|$OUT"
expect_match "broken config: file:line on stderr" "broken.conf:2" "$ERR"
lines protocol=https host=p.example | helper get --config="$T_TMP/missing.conf"
expect_match "--config names a missing file: says so" "missing.conf" "$ERR"

# --- the secret never reaches argv or the trace ---
lines protocol=https host=tr.example username=u password=Tr4ceSecret99 | \
	COBO_CREDENTIAL_TRACE="$T_TMP/trace" helper store
lines protocol=https host=tr.example | COBO_CREDENTIAL_TRACE="$T_TMP/trace" helper get
expect_eq "trace has no password" "" "$(grep -F Tr4ceSecret99 "$T_TMP/trace")"
expect_match "trace names the request" "git get: protocol=https host=tr.example" \
	"$(cat "$T_TMP/trace")"

t_done
