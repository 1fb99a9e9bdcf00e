#!/bin/bash
# cli-keyring-kwallet.sh - cli-keyring.sh with KWallet (kwalletd5) as the Secret Service
# provider (issue 31): the CLI on the default stack.  A SKIP (77) where kwalletd5 is not installed.
COBO_TEST_PROVIDER=kwallet
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/cli/cli-keyring.sh"
