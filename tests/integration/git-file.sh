#!/bin/bash
# git-file.sh - issue 5's plain-host rules with the real git client, on a
# stack that is the file module alone (a machine with no keyring).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/git/lib.sh"
. "$top_srcdir/tests/integration/git/behaviour.sh"

echo "# git $GIT_VERSION, file stack"
gh_use_file
gh_behaviour_suite
t_done
