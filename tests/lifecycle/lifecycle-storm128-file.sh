#!/bin/bash
# lifecycle-storm128-file.sh - the 128-helper storm (tests/lifecycle/storm128.sh) on the file tier.
STORM_STACK=file
. "$top_srcdir/tests/lifecycle/storm128.sh"
