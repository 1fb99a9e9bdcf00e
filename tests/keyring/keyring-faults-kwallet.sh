#!/bin/bash
# keyring-faults-kwallet.sh - keyring-faults.sh with KWallet (kwalletd5) as the Secret Service
# provider (issue 31): locked, dismissed and timed-out prompts, a killed provider.  A SKIP (77) where kwalletd5 is not installed.
COBO_TEST_PROVIDER=kwallet
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/keyring/keyring-faults.sh"
