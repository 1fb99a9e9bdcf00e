#!/bin/bash
# file-processes.sh - the file module under real, separate helper
# processes (git-credential-cobo on a stack that is the file module
# alone): parallel writers lose no update, the store keeps its modes, and
# a damaged or exposed store is reported with the fix and never rewritten.
. "$top_srcdir/tests/lib/common.sh"

BIN="$top_builddir/src/git/git-credential-cobo"
[ -x "$BIN" ] || { echo "git-credential-cobo not built: $BIN" >&2; exit 1; }
DIR="$XDG_DATA_HOME/cobo-credential"
STORE="$DIR/store"

t_file_stack | t_config

cred() { printf 'protocol=https\nhost=%s\nusername=%s\n%s\n' "$@"; }

# --- 8 processes x 10 stores at once -----------------------------------
for w in 1 2 3 4 5 6 7 8; do
	(
		for n in 0 1 2 3 4 5 6 7 8 9; do
			cred "h$w-$n.example" "u$w" "password=pw-$w-$n" | "$BIN" store || exit 1
		done
	) &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
expect_eq "8 parallel writers: every store succeeded" 0 "$rc"

missing=0
for w in 1 2 3 4 5 6 7 8; do
	for n in 0 1 2 3 4 5 6 7 8 9; do
		got=$(cred "h$w-$n.example" "u$w" "" | "$BIN" get | sed -n 's/^password=//p')
		[ "$got" = "pw-$w-$n" ] || missing=$((missing + 1))
	done
done
expect_eq "all 80 credentials are there afterwards" 0 "$missing"
expect_eq "items in the file" 80 "$(grep -c '^item$' "$STORE")"
expect_eq "store mode" 600 "$(stat -c %a "$STORE")"
expect_eq "directory mode" 700 "$(stat -c %a "$DIR")"
expect_eq "format header" "cobo-credential-store 1" "$(head -n 1 "$STORE")"
expect_eq "no temp files left" "store store.lock" "$(ls "$DIR" | tr '\n' ' ' | sed 's/ $//')"

# --- a damaged store: reported with its line, never rewritten ----------
head -c 200 "$STORE" > "$T_TMP/cut" && cp "$T_TMP/cut" "$STORE" && chmod 600 "$STORE"
cp -p "$STORE" "$T_TMP/before"
err=$(cred new.example u "password=x" | "$BIN" store 2>&1 >/dev/null)
expect_match "store on a damaged file: names file and line" "$STORE line [0-9]+: " "$err"
expect_match "store on a damaged file: says what to do" "left untouched, move it away" "$err"
check "the damaged file is byte-for-byte untouched" cmp -s "$STORE" "$T_TMP/before"
err=$(cred h1-0.example u1 "" | "$BIN" get 2>&1 >/dev/null)
expect_match "get on a damaged file: reported" "$STORE line [0-9]+: " "$err"
cred h1-0.example u1 "password=pw-1-0" | "$BIN" erase 2>/dev/null
check "erase leaves the damaged file untouched" cmp -s "$STORE" "$T_TMP/before"
mv "$STORE" "$T_TMP/moved-away"
cred fresh.example u "password=ok" | "$BIN" store
expect_eq "moved away: a fresh store works" "password=ok" \
	"$(cred fresh.example u "" | "$BIN" get | grep '^password=')"

# --- loose permissions: refused with the chmod that fixes them ---------
chmod 644 "$STORE"
err=$(cred fresh.example u "" | "$BIN" get 2>&1 >/dev/null)
expect_match "a 0644 store is refused with the fix" "run: chmod 600 $STORE" "$err"
expect_eq "and left 0644 (not silently changed)" 644 "$(stat -c %a "$STORE")"
chmod 600 "$STORE"
chmod 755 "$DIR"
err=$(cred fresh.example u "password=new" | "$BIN" store 2>&1 >/dev/null)
expect_match "a 0755 directory is refused with the fix" "run: chmod 700 $DIR" "$err"
chmod 700 "$DIR"
expect_eq "fixed: the credential is back" "password=ok" \
	"$(cred fresh.example u "" | "$BIN" get | grep '^password=')"

t_done
