#!/bin/bash
# keyring-roundtrip-kwallet.sh - keyring-roundtrip.sh with KWallet (kwalletd5) as the Secret Service
# provider (issue 31): every schema round-trips.  A SKIP (77) where kwalletd5 is not installed.
COBO_TEST_PROVIDER=kwallet
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/keyring/keyring-roundtrip.sh"
