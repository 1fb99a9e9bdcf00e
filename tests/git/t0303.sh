#!/bin/bash
# tests/git/t0303.sh - runs git's own external-helper test
# (t/t0303-credential-external.sh of a built git source tree) against the
# built git-credential-cobo, on the file stack and on the keyring stack.
# Not part of `make check`: it needs git's source tree.
#
#   top_srcdir=... top_builddir=... COBO_CREDENTIAL_MODULE_PATH=$top_builddir/modules \
#       bash tests/git/t0303.sh /path/to/built/git-source-tree
#
# A tree: `apt-get source git` (any version), then
# `make NO_GETTEXT=1 NO_TCLTK=1 NO_PERL=1 NO_PYTHON=1` in it.
GIT_SRC=${1:?usage: t0303.sh GIT_SOURCE_TREE}
. "$top_srcdir/tests/lib/common.sh"

run_t0303() {
	local label=$1 rc
	(
		cd "$GIT_SRC/t" &&
			PATH="$top_builddir/src/git:$PATH" \
			GIT_TEST_CREDENTIAL_HELPER=cobo \
			GIT_TEST_CREDENTIAL_HELPER_TIMEOUT="cobo --timeout=1" \
			sh t0303-credential-external.sh
	) > "$T_TMP/t0303.$label" 2>&1
	rc=$?
	grep -E '^(not ok|# )' "$T_TMP/t0303.$label" | sed "s/^/[$label] /"
	check "git's t0303 on the $label stack" test "$rc" -eq 0
}

mkdir -p "$T_TMP/store.d" && chmod 700 "$T_TMP/store.d"
printf '[stack]\nget = file\nstore = file\nerase = file\nlist = file\n[module file]\npath = %s\n' \
	"$T_TMP/store.d/store" | t_config
run_t0303 file

. "$top_srcdir/tests/lib/gnome-keyring.sh"
keyring_start || exit 1
printf '[stack]\nget = keyring\nstore = keyring\nerase = keyring\nlist = keyring\n' | t_config
run_t0303 keyring
t_done
