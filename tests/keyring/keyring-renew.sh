#!/bin/bash
# keyring-renew.sh - runs test_keyring_renew (a session that reads or
# sends no secret is renewed; a refused store cleaned up and made again,
# once) against a private gnome-keyring, kwalletd5's faults wrapped in.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

keyring_start || { echo "FAIL - keyring_start"; exit 1; }
if "$top_builddir/tests/keyring/test_keyring_renew"; then
	pass "test_keyring_renew"
else
	fail "test_keyring_renew"
fi
t_done
