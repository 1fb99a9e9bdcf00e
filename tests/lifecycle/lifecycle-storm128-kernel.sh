#!/bin/bash
# lifecycle-storm128-kernel.sh - the 128-helper storm (tests/lifecycle/storm128.sh)
# on the kernel tier, in a session keyring of its own (never the user's keys).
# Skipped (77) until plugins/kernel is built.
if [ -z "${STORM_IN_SESSION:-}" ]; then
	command -v keyctl >/dev/null 2>&1 || { echo "no keyctl (keyutils)"; exit 77; }
	STORM_IN_SESSION=1 exec keyctl session - /bin/bash "$0" "$@"
fi
STORM_STACK=kernel
. "$top_srcdir/tests/lifecycle/storm128.sh"
