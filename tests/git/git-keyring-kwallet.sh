#!/bin/bash
# git-keyring-kwallet.sh - git-keyring.sh with KWallet (kwalletd5) as the Secret Service
# provider (issue 31): git with the keyring stack.  A SKIP (77) where kwalletd5 is not installed.
COBO_TEST_PROVIDER=kwallet
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/git/git-keyring.sh"
