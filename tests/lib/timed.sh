#!/bin/sh
# tests/lib/timed.sh CMD... - make check's LOG_COMPILER: runs the test and
# ends its log with its wall time and CPU time, "# wall-ms: N" and
# "# cpu-ms: N" (after the test's own last line, so the harness and the
# test's summary line are unchanged).  The CPU time is user + system of
# every process the test waited for (a daemon it left to init is not
# counted).  scripts/test-times.sh lists the slowest tests of a run.
t0=$(date +%s%N)
"$@"
rc=$?
t1=$(date +%s%N)
echo "# wall-ms: $(((t1 - t0) / 1000000))"
# `times` prints the shell's own times, then its children's ("XmY.YYYs
# XmY.YYYs"); it runs here, not in a pipe, whose subshell has no children.
f=$(mktemp) && times >"$f" && awk 'END { split($1, u, "m"); split($2, s, "m");
	printf "# cpu-ms: %d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }' "$f"
rm -f "$f"
exit $rc
