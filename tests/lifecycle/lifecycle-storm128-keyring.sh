#!/bin/bash
# lifecycle-storm128-keyring.sh - the 128-helper storm (tests/lifecycle/storm128.sh) on the keyring tier.
STORM_STACK=keyring
. "$top_srcdir/tests/lifecycle/storm128.sh"
