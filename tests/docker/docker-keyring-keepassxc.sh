#!/bin/bash
# docker-keyring-keepassxc.sh - docker-keyring.sh with KeePassXC as the Secret Service
# provider (issue 15): docker with the keyring stack.  A SKIP (77) where KeePassXC is not installed.
COBO_TEST_PROVIDER=keepassxc
export COBO_TEST_PROVIDER
. "$top_srcdir/tests/docker/docker-keyring.sh"
