#!/bin/bash
# keyring-interop-keepassxc.sh - keyring-interop.sh with KeePassXC as the Secret Service
# provider (issue 15): items shared with git-credential-libsecret and docker-credential-secretservice.  A SKIP (77) where KeePassXC is not installed.
COBO_TEST_PROVIDER=keepassxc
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/keyring/keyring-interop.sh"
