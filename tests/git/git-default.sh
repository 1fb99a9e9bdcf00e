#!/bin/bash
# git-default.sh - issue 5's plain-host rules with the real git client
# through the built-in default stack (keyring, file fallback) on a machine
# with no D-Bus session at all: the same semantics as the file stack
# (git-file.sh), and the credentials land in the file store.  (One test
# per stack, so that a parallel make check runs them side by side.)
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/lib/git-behaviour.sh"

echo "# git $GIT_VERSION, built-in default stack, no D-Bus session"
unset COBO_CREDENTIAL_CONFIG DBUS_SESSION_BUS_ADDRESS
rm -f "$XDG_CONFIG_HOME/cobo-credential/config"
gh_behaviour_suite
check "the default stack fell back to the file store" \
	test -s "$XDG_DATA_HOME/cobo-credential/store"
t_done
