#!/bin/sh
# scripts/test-times.sh [BUILDDIR [N]] - the N slowest tests (default 15) of
# the last make check in BUILDDIR (default .), from the ":wall-ms:" lines
# tests/lib/timed-driver.sh adds to each .trs file, and their sum.
dir=${1:-.}
n=${2:-15}
find "$dir" -name '*.trs' -exec grep -H '^:wall-ms:' {} + |
	sed -e "s#^$dir/##" -e 's#\.trs:\:wall-ms: # #' |
	awk '{ printf "%8.1f s  %s\n", $2 / 1000, $1; sum += $2 }
	     END { printf "%8.1f s  sum of %d tests\n", sum / 1000, NR > "/dev/stderr" }' |
	sort -rn | head -n "$n"
