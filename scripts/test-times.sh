#!/bin/sh
# scripts/test-times.sh [BUILDDIR [N]] - the N slowest tests (default 15) of
# the last make check in BUILDDIR (default .), from the "# wall-ms: N" line
# tests/lib/timed.sh ends each test's log with, then their sum.  In a
# parallel run the sum is more than the wall time the run took.
dir=${1:-.}
n=${2:-15}
times=$(find "$dir" -name '*.trs' | while read -r trs; do
	ms=$(sed -n 's/^# wall-ms: //p' "${trs%.trs}.log" 2>/dev/null | tail -n 1)
	[ -n "$ms" ] && echo "$ms ${trs#"$dir"/}"
done | sed 's/\.trs$//' | sort -rn)
printf '%s\n' "$times" | head -n "$n" | awk 'NF { printf "%8.1f s  %s\n", $1 / 1000, $2 }'
printf '%s\n' "$times" | awk 'NF { sum += $1; n++ } END { printf "%8.1f s  the sum of %d tests\n", sum / 1000, n }'
