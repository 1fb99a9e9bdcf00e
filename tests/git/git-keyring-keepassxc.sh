#!/bin/bash
# git-keyring-keepassxc.sh - git-keyring.sh with KeePassXC as the Secret Service
# provider (issue 15): git with the keyring stack.  A SKIP (77) where KeePassXC is not installed.
COBO_TEST_PROVIDER=keepassxc
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/git/git-keyring.sh"
