#!/bin/bash
# cli-keyring-keepassxc.sh - cli-keyring.sh with KeePassXC as the Secret Service
# provider (issue 15): the CLI on the default stack.  A SKIP (77) where KeePassXC is not installed.
COBO_TEST_PROVIDER=keepassxc
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/cli/cli-keyring.sh"
