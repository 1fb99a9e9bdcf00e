#!/bin/sh
# tests/lib/timed.sh CMD... - make check's LOG_COMPILER: runs the test and
# ends its log with its wall time, "# wall-ms: N" (after the test's own
# last line, so the harness and the test's summary line are unchanged).
# scripts/test-times.sh lists the slowest tests of a run from these lines.
t0=$(date +%s%N)
"$@"
rc=$?
t1=$(date +%s%N)
echo "# wall-ms: $(((t1 - t0) / 1000000))"
exit $rc
