#!/bin/sh
# scripts/test-times.sh [BUILDDIR [N]] - the N slowest tests (default 15) of
# the last make check in BUILDDIR (default .), from the "# wall-ms: N" and
# "# cpu-ms: N" lines tests/lib/timed.sh ends each test's log with, then
# their sums.  In a parallel run the sum of the wall times is more than the
# wall time the run took; the CPU times add up.
dir=${1:-.}
n=${2:-15}
times=$(find "$dir" -name '*.trs' | while read -r trs; do
	log=${trs%.trs}.log
	ms=$(sed -n 's/^# wall-ms: //p' "$log" 2>/dev/null | tail -n 1)
	cpu=$(sed -n 's/^# cpu-ms: //p' "$log" 2>/dev/null | tail -n 1)
	[ -n "$ms" ] && echo "$ms ${cpu:--1} ${trs#"$dir"/}"
done | sed 's/\.trs$//' | sort -rn)
printf '%s\n' "$times" | head -n "$n" | awk 'NF {
	printf "%8.1f s  %s  %s\n", $1 / 1000, ($2 < 0 ? sprintf("%12s", "") : sprintf("%6.1f s CPU", $2 / 1000)), $3 }'
printf '%s\n' "$times" | awk 'NF { sum += $1; n++; if ($2 >= 0) cpu += $2 }
	END { printf "%8.1f s  %6.1f s CPU  the sums of %d tests\n", sum / 1000, cpu / 1000, n }'
