#!/bin/bash
# lifecycle-storm128-kernel.sh - the 128-helper storm (tests/lifecycle/storm128.sh)
# on the kernel tier, in a session keyring of its own (never the user's keys).
# Skipped (77) until plugins/kernel is built, or where keyctl is denied.
if [ -z "${STORM_IN_SESSION:-}" ]; then
	if [ ! -e "${COBO_CREDENTIAL_MODULE_PATH%%:*}/kernel.so" ]; then
		echo "no kernel.so in $COBO_CREDENTIAL_MODULE_PATH: plugins/kernel not built"
		exit 77
	fi
	keyctl session - true >/dev/null 2>&1 || { echo "keyctl session refused here"; exit 77; }
	STORM_IN_SESSION=1 exec keyctl session - /bin/bash "$0" "$@"
fi
STORM_STACK=kernel
. "$top_srcdir/tests/lifecycle/storm128.sh"
