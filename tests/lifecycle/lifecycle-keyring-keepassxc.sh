#!/bin/bash
# lifecycle-keyring-keepassxc.sh - lifecycle-keyring.sh with KeePassXC as the Secret Service
# provider (issue 15): the token lifecycle on the keyring tier.  A SKIP (77) where KeePassXC is not installed.
COBO_TEST_PROVIDER=keepassxc
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/lifecycle/lifecycle-keyring.sh"
