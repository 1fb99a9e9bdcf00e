#!/bin/bash
# keyring-slowbus.sh - runs test_keyring_slowbus (a session bus slow to
# answer is a keyring that is there: the cached token is answered, and a
# bus that never answers is TRYAGAIN, never UNAVAIL) against a private
# gnome-keyring.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

keyring_start || { echo "FAIL - keyring_start"; exit 1; }
if "$top_builddir/tests/keyring/test_keyring_slowbus"; then
	pass "test_keyring_slowbus"
else
	fail "test_keyring_slowbus"
fi
t_done
