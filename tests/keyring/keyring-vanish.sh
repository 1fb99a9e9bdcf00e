#!/bin/bash
# keyring-vanish.sh - runs test_keyring_vanish (an item that vanishes
# between search and read is searched again) against a private
# gnome-keyring.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

keyring_start || { echo "FAIL - keyring_start"; exit 1; }
if "$top_builddir/tests/keyring/test_keyring_vanish"; then
	pass "test_keyring_vanish"
else
	fail "test_keyring_vanish"
fi
t_done
