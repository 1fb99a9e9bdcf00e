#!/bin/bash
# keyring-faults-keepassxc.sh - keyring-faults.sh with KeePassXC as the Secret Service
# provider (issue 15): locked, dismissed and timed-out prompts, a killed provider.  A SKIP (77) where KeePassXC is not installed.
COBO_TEST_PROVIDER=keepassxc
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/keyring/keyring-faults.sh"
