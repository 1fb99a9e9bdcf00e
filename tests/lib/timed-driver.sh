#!/bin/sh
# tests/lib/timed-driver.sh - automake's test-driver, timed.  Runs the
# driver given as arguments unchanged and adds the test's wall time in
# milliseconds to its .trs file as ":wall-ms: N" (automake reads only its
# own ":test-result:"-style fields there).  scripts/test-times.sh lists
# the slowest tests of a run from these lines.
trs=
prev=
for a in "$@"; do
	[ "$prev" = --trs-file ] && trs=$a
	prev=$a
done
t0=$(date +%s%N)
"$@"
rc=$?
t1=$(date +%s%N)
[ -n "$trs" ] && [ -f "$trs" ] && echo ":wall-ms: $(((t1 - t0) / 1000000))" >>"$trs"
exit $rc
