#!/bin/bash
# git-file.sh - issue 5's plain-host rules with the real git client on a
# machine with no keyring: a stack that is the file module alone.  The
# built-in default stack with no D-Bus session is git-default.sh.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/lib/git-behaviour.sh"

echo "# git $GIT_VERSION, file stack"
gh_use_file
gh_behaviour_suite
t_done
