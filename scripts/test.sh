#!/bin/bash
# scripts/test.sh - installs what is missing, builds, and runs every test:
# `make check` and `make distcheck` with gcc, a -Werror build with clang.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
jobs=$(nproc 2>/dev/null || echo 2)

scripts/deps.sh test
autoreconf -fi >/dev/null

passed=0 failed=0
# Adds the counts of an automake test-suite.log (its "# PASS: N" lines).
count() {
	local log=$1 p f e
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${e:-0}))
}
# Shows why a suite failed: the log of each test that did not pass.
show_failures() {
	local dir=$1 trs
	for trs in $(find "$dir" -name '*.trs'); do
		if grep -Eq '^:test-result: (FAIL|ERROR)' "$trs"; then
			echo "===== ${trs%.trs}.log"; tail -n 60 "${trs%.trs}.log"
		fi
	done
}

rc=0
echo "== gcc build and make check"
rm -rf _build/gcc && mkdir -p _build/gcc && cd _build/gcc
"$top/configure" -q CC=gcc
make -s -j"$jobs"
make -s -j"$jobs" check || { rc=1; show_failures .; }
count test-suite.log
cd "$top"

echo "== clang build (-Wall -Wextra -Werror)"
rm -rf _build/clang && mkdir -p _build/clang && cd _build/clang
"$top/configure" -q CC=clang
make -s -j"$jobs" all
make -s -j"$jobs" check TESTS= # builds every test program and fixture with clang
cd "$top"

echo "== make distcheck"
cd _build/gcc
if make -s distcheck >distcheck.out 2>&1; then
	passed=$((passed + 1)); echo "distcheck: ok"
else
	failed=$((failed + 1)); rc=1; tail -n 80 distcheck.out
fi
cd "$top"

echo "$passed passed, $failed failed"
exit $rc
