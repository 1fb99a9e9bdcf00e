#!/bin/bash
# keyring-interop-kwallet.sh - keyring-interop.sh with KWallet (kwalletd5) as the Secret Service
# provider (issue 31): items shared with git-credential-libsecret and docker-credential-secretservice.  A SKIP (77) where kwalletd5 is not installed.
COBO_TEST_PROVIDER=kwallet
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/keyring/keyring-interop.sh"
