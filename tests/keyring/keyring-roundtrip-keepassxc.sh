#!/bin/bash
# keyring-roundtrip-keepassxc.sh - keyring-roundtrip.sh with KeePassXC as the Secret Service
# provider (issue 15): every schema round-trips.  A SKIP (77) where KeePassXC is not installed.
COBO_TEST_PROVIDER=keepassxc
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/keyring/keyring-roundtrip.sh"
