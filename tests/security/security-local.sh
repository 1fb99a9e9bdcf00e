#!/bin/bash
# security-local.sh - the local trust boundaries of issue 11, through the
# real git-credential-cobo:
#   1. module names are names: a config cannot make the loader dlopen a
#      shared object outside the module directories;
#   2. the runtime directory: XDG_RUNTIME_DIR is used only when it is a
#      directory of ours with mode 0700; another user's cobo-credential/
#      pre-created in a shared directory neither blocks us nor receives
#      our locks, and a bad one in a private directory is refused with the fix;
#   3. the trace file: never through a symlink, never another user's file,
#      never a FIFO or a directory (trace off, one warning on stderr);
#   4. a module's secrets are host memory: a secret the file module holds
#      is redacted when it appears in a trace line.
# Needs root (files owned by another user are made with chown).
. "$top_srcdir/tests/lib/common.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to chown files to another user"
	exit 77
fi
OTHER=$(id -u nobody 2>/dev/null || echo 65534)
GIT_HELPER=$top_builddir/src/git/git-credential-cobo
TESTMODS=$top_builddir/tests/modules/.libs
export COBO_CREDENTIAL_MODULE_PATH="$top_builddir/modules:$TESTMODS"
REQ=$'protocol=https\nhost=api.example.com\n\n'

# git_get: runs the helper's get on $REQ; OUT, ERR and RC are set.
git_get() {
	OUT=$(printf '%s' "$REQ" | "$GIT_HELPER" get 2>"$T_TMP/err")
	RC=$?
	ERR=$(cat "$T_TMP/err")
}

# ---- 1. module names ------------------------------------------------------
# A real module (the scripted fixture, which logs every call) placed outside
# the module directories, and configs that name it by path.
mkdir -p "$T_TMP/x"
cp "$TESTMODS/scripted.so" "$T_TMP/x/evil.so"
REL=$(realpath --relative-to="$top_builddir/modules" "$T_TMP/x/evil")
EVIL_LOG=$T_TMP/evil.log

names_case() { # DESC LINE STACK_ENTRY MODULE_VALUE
	t_config <<EOF
[stack]
get = $3
[module evil]
module = $4
get = SUCCESS
secret = evil-module-answered
log = $EVIL_LOG
EOF
	rm -f "$EVIL_LOG"
	git_get
	expect_match "$1: refused at parse time with FILE:LINE" \
		"config:$2: bad module name" "$ERR"
	expect_eq "$1: nothing answered" "" "$OUT"
	check "$1: the outside .so was never loaded" test ! -e "$EVIL_LOG"
}
names_case "module = relative path out of the module dir" 4 evil "$REL"
names_case "module = absolute path" 4 evil "$T_TMP/x/evil"
names_case "module = name with a dot" 4 evil "evil.so"
names_case "stack entry is a relative path" 2 "$REL" evil
names_case "stack entry is an absolute path" 2 "$T_TMP/x/evil" evil
names_case "optional stack entry is a path" 2 "-$REL" evil

# Positive control: the same fixture under a plain name in a module dir.
t_config <<EOF
[stack]
get = evil
[module evil]
get = SUCCESS
secret = from-the-module-dir
EOF
OUT=$(printf 'protocol=https\nhost=example.com\n\n' | COBO_CREDENTIAL_MODULE_PATH="$T_TMP/x" \
	"$GIT_HELPER" get 2>/dev/null)
expect_match "a plain name loads from the module directory" "password=from-the-module-dir" "$OUT"

# ---- 2. the runtime directory ---------------------------------------------
# A minting fixture takes the per-credential lock in the runtime directory:
# where the lock file lands shows which directory the helper trusted.
t_config <<EOF
[stack]
get = minter
[module minter]
get = SUCCESS
secret = minted-secret-value
expires_in = 3600
[profile p]
base_url = https://api.example.com/v2
client_id = c
org_id = o
EOF
CACHE_LOCKS=$XDG_CACHE_HOME/cobo-credential

runtime_case() { # DESC XDG_RUNTIME_DIR EXPECTED_LOCK_DIR
	rm -rf "$CACHE_LOCKS"
	OUT=$(printf '%s' "$REQ" | XDG_RUNTIME_DIR=$2 COBO_CREDENTIAL_TRACE="$T_TMP/rt.trace" \
		"$GIT_HELPER" get 2>"$T_TMP/err")
	RC=$?
	expect_match "$1: answered (no denial of service)" "password=minted-secret-value" "$OUT"
	check "$1: lock taken in $3" compgen -G "$3/mint-*.lock" >/dev/null
	expect_eq "$1: that directory is 0700" 700 "$(stat -c %a "$3" 2>/dev/null)"
	expect_eq "$1: that directory is ours" 0 "$(stat -c %u "$3" 2>/dev/null)"
}

# Positive control: a private XDG_RUNTIME_DIR is used.
runtime_case "private XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/cobo-credential"

# A shared 1777 directory where another user pre-created cobo-credential/.
SHARED=$T_TMP/shared
mkdir -p "$SHARED/cobo-credential"
chmod 1777 "$SHARED"
chown "$OTHER" "$SHARED/cobo-credential"
chmod 700 "$SHARED/cobo-credential"
runtime_case "shared 1777 XDG_RUNTIME_DIR with a foreign cobo-credential/" "$SHARED" "$CACHE_LOCKS"
expect_eq "shared: nothing written into the foreign directory" "" "$(ls -A "$SHARED/cobo-credential")"
expect_match "shared: the trace says why the runtime directory was not used" \
	"not a private directory of yours" "$(cat "$T_TMP/rt.trace")"

# Our own private XDG_RUNTIME_DIR, but cobo-credential/ inside belongs to
# another user: only root could have made it; refused with the fix (not
# bypassed), and nothing written into it.
PRIV=$T_TMP/priv
mkdir -p "$PRIV/cobo-credential"
chmod 700 "$PRIV"
chown "$OTHER" "$PRIV/cobo-credential"
rm -rf "$CACHE_LOCKS"
OUT=$(printf '%s' "$REQ" | XDG_RUNTIME_DIR=$PRIV "$GIT_HELPER" get 2>"$T_TMP/err")
ERR=$(cat "$T_TMP/err")
expect_eq "private XDG_RUNTIME_DIR, foreign cobo-credential/: no answer" "" "$OUT"
expect_match "private XDG_RUNTIME_DIR, foreign cobo-credential/: says whose it is and the fix" \
	"$PRIV/cobo-credential is owned by uid $OTHER, not by you; remove it or run: chown" "$ERR"
expect_eq "private/foreign: nothing written into it" "" "$(ls -A "$PRIV/cobo-credential")"

# A shared 1777 directory without a subdirectory yet: still not used.
OPEN=$T_TMP/open
mkdir -p "$OPEN"
chmod 1777 "$OPEN"
runtime_case "shared 1777 XDG_RUNTIME_DIR, empty" "$OPEN" "$CACHE_LOCKS"
check "shared/empty: no cobo-credential/ created there" test ! -e "$OPEN/cobo-credential"

# Ours but group/other-readable, or owned by another user with mode 0700.
LOOSE=$T_TMP/loose
mkdir -p "$LOOSE" && chmod 755 "$LOOSE"
runtime_case "XDG_RUNTIME_DIR mode 0755" "$LOOSE" "$CACHE_LOCKS"
THEIRS=$T_TMP/theirs
mkdir -p "$THEIRS" && chmod 700 "$THEIRS" && chown "$OTHER" "$THEIRS"
runtime_case "XDG_RUNTIME_DIR owned by another user" "$THEIRS" "$CACHE_LOCKS"

# A symlink to a private directory of ours: not a directory, not used.
mkdir -p "$T_TMP/real-run" && chmod 700 "$T_TMP/real-run"
ln -s "$T_TMP/real-run" "$T_TMP/link-run"
runtime_case "XDG_RUNTIME_DIR is a symlink" "$T_TMP/link-run" "$CACHE_LOCKS"
check "symlink: nothing created behind it" test ! -e "$T_TMP/real-run/cobo-credential"

# Both places unusable: refused with a message that says how to fix it.
rm -rf "$CACHE_LOCKS"
mkdir -p "$CACHE_LOCKS" && chown "$OTHER" "$CACHE_LOCKS" && chmod 700 "$CACHE_LOCKS"
OUT=$(printf '%s' "$REQ" | XDG_RUNTIME_DIR=$SHARED "$GIT_HELPER" get 2>"$T_TMP/err")
ERR=$(cat "$T_TMP/err")
expect_eq "foreign cache directory too: no answer" "" "$OUT"
expect_match "foreign cache directory too: says whose it is and how to fix it" \
	"$CACHE_LOCKS is owned by uid $OTHER, not by you; remove it or run: chown" "$ERR"
rm -rf "$CACHE_LOCKS"

# ---- 3. the trace file ----------------------------------------------------
t_config <<EOF
[stack]
get = s
[module s]
module = scripted
get = SUCCESS
secret = trace-test-answer
EOF
REQ=$'protocol=https\nhost=example.com\n\n'
TDIR=$T_TMP/tdir
mkdir -p "$TDIR" && chmod 755 "$TDIR"

trace_refused() { # DESC PATH WHY_REGEX
	OUT=$(printf '%s' "$REQ" | COBO_CREDENTIAL_TRACE=$2 timeout 60 "$GIT_HELPER" get \
		2>"$T_TMP/err")
	RC=$?
	ERR=$(cat "$T_TMP/err")
	expect_match "$1: the helper still answers" "password=trace-test-answer" "$OUT"
	expect_eq "$1: exactly one warning line on stderr" 1 "$(grep -c 'not tracing to' "$T_TMP/err")"
	expect_match "$1: the warning says why" "not tracing to $2 \\($3\\)" "$ERR"
	expect_eq "$1: no trace lines anywhere" 0 "$(grep -c 'cobo-credential\[' "$T_TMP/err")"
}

# Positive control: a new file is created 0600 and written.
OUT=$(printf '%s' "$REQ" | COBO_CREDENTIAL_TRACE=$TDIR/new.trace "$GIT_HELPER" get 2>/dev/null)
expect_eq "new trace file: created 0600" 600 "$(stat -c %a "$TDIR/new.trace")"
check "new trace file: has lines" grep -q "get s: SUCCESS" "$TDIR/new.trace"

: >"$TDIR/theirs.trace"
chown "$OTHER" "$TDIR/theirs.trace"
chmod 666 "$TDIR/theirs.trace"
trace_refused "trace file owned by another user" "$TDIR/theirs.trace" "owned by uid $OTHER, not by you"
expect_eq "foreign trace file: not written" 0 "$(stat -c %s "$TDIR/theirs.trace")"

: >"$TDIR/target"
chmod 600 "$TDIR/target"
ln -s "$TDIR/target" "$TDIR/link.trace"
trace_refused "trace path is a symlink" "$TDIR/link.trace" "[^)]*symbolic links[^)]*"
expect_eq "symlinked trace: target not written" 0 "$(stat -c %s "$TDIR/target")"

mkfifo -m 600 "$TDIR/fifo.trace"
# No reader: open fails with ENXIO at once; with one, fstat says not regular.
trace_refused "trace path is a FIFO (no hang)" "$TDIR/fifo.trace" \
	"not a regular file|No such device or address"

mkdir -m 700 "$TDIR/dir.trace"
trace_refused "trace path is a directory" "$TDIR/dir.trace" "Is a directory"

# ---- 4. a module's secret in a trace line is redacted ----------------------
# The file module logs "file: read N items from PATH" while it holds the
# store it parsed.  The store's directory is named like the stored password,
# so the password appears in that line: only if the module's copy is host
# secret memory can the host redact it (before, file.so had a registry of
# its own, invisible to the trace writer).
SECRET=Zq9pass7731uniqueVAL
SDIR=$T_TMP/$SECRET
mkdir -m 700 "$SDIR"
t_config <<EOF
[stack]
get = file
store = file
[module file]
path = $SDIR/store
EOF
printf 'protocol=https\nhost=example.com\nusername=u\npassword=%s\n\n' "$SECRET" |
	"$GIT_HELPER" store 2>/dev/null
rm -f "$T_TMP/redact.trace"
OUT=$(printf '%s' "$REQ" | COBO_CREDENTIAL_TRACE=$T_TMP/redact.trace "$GIT_HELPER" get 2>/dev/null)
expect_match "file module: the stored password comes back" "password=$SECRET" "$OUT"
READ_LINE=$(grep "file: read" "$T_TMP/redact.trace")
expect_match "file module: its read line was traced" "file: read 1 items from" "$READ_LINE"
expect_match "file module: the secret in that line is redacted" "\\[REDACTED\\]/store" "$READ_LINE"
expect_eq "file module: the secret is nowhere in the trace" 0 \
	"$(grep -c "$SECRET" "$T_TMP/redact.trace")"

t_done
