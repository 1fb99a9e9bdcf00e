#!/bin/bash
# keyring-session-kwallet.sh - runs test_keyring_session (a session refused
# for its key size is opened again, once) against a private kwalletd5, the
# provider that refuses so.  A SKIP (77) where kwalletd5 is not installed.
. "$top_srcdir/tests/lib/common.sh"
COBO_TEST_PROVIDER=kwallet
. "$top_srcdir/tests/lib/gnome-keyring.sh"

keyring_start || { echo "FAIL - keyring_start"; exit 1; }
if "$top_builddir/tests/keyring/test_keyring_session"; then
	pass "test_keyring_session"
else
	fail "test_keyring_session"
fi
t_done
