#!/bin/bash
# cli-man.sh - the four man pages render with no groff warning at common
# terminal widths, and the exit codes in cobo-credential(1) are the ones
# the usage text and the program use.
. "$top_srcdir/tests/lib/common.sh"

command -v groff > /dev/null || { fail "groff is not installed (Debian: groff-base)"; t_done; }
for page in cobo-credential.1 cobo-credential.conf.5 git-credential-cobo.1 docker-credential-cobo.1; do
	f=$top_srcdir/man/$page
	expect_eq "$page: groff -man -ww is silent" "" "$(groff -man -ww -z "$f" 2>&1)"
	for w in 65 80 120; do
		expect_eq "$page: no warning at $w columns" "" \
			"$(groff -man -Tutf8 -ww -rLL=${w}n -z "$f" 2>&1)"
	done
	expect_match "$page: has NAME and SEE ALSO" "SEE ALSO" "$(groff -man -Tascii -P-cbou "$f" 2>/dev/null)"
done
USAGE=$("$top_builddir/src/cli/cobo-credential" --help)
PAGE=$(groff -man -Tascii -P-cbou "$top_srcdir/man/cobo-credential.1" 2>/dev/null)
for code in 64 65 66 70 74 75 77 78; do
	expect_match "exit code $code in the usage text" "(^| )$code " "$USAGE"
	expect_match "exit code $code in cobo-credential(1)" "^ +$code( |$)" "$PAGE"
done
t_done
