#!/bin/bash
# git-file.sh - issue 5's plain-host rules with the real git client on a
# machine with no keyring: first a stack that is the file module alone,
# then the built-in default stack (keyring, file fallback) with no D-Bus
# session at all, which must give the same semantics.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/git/behaviour.sh"

echo "# git $GIT_VERSION, file stack"
gh_use_file
gh_behaviour_suite

echo "# git $GIT_VERSION, built-in default stack, no D-Bus session"
unset COBO_CREDENTIAL_CONFIG DBUS_SESSION_BUS_ADDRESS
rm -f "$XDG_CONFIG_HOME/cobo-credential/config"
gh_behaviour_suite
check "the default stack fell back to the file store" \
	test -s "$XDG_DATA_HOME/cobo-credential/store"
t_done
