#!/bin/bash
# scripts/test.sh - installs what is missing, builds, and runs every test:
#   gcc:   make check, then the front-ends under valgrind;
#   clang: make check again under ASan+UBSan, and make distcheck (unit
#          tests; every tracked file checked to be in the tarball);
#   a 30 s smoke run of every fuzz target (clang, libFuzzer).
# Both compilers build everything with -Wall -Wextra -Werror.
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

echo "== valgrind: the front-ends' main paths"
if top_srcdir=$top top_builddir=$top/_build/gcc COBO_CREDENTIAL_MODULE_PATH=$top/_build/gcc/modules \
	PYTHON=/usr/bin/python3 tests/valgrind/frontends.sh >_build/valgrind.log 2>&1; then
	passed=$((passed + 1)); tail -n 1 _build/valgrind.log
else
	failed=$((failed + 1)); rc=1; cat _build/valgrind.log
fi

echo "== clang: ASan + UBSan build and make check"
rm -rf _build/asan && mkdir -p _build/asan && cd _build/asan
"$top/configure" -q CC=clang --enable-sanitizers
make -s -j"$jobs"
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The 32-helper storm runs its full 20 rounds in the gcc run; 3 rounds here
# keep the suite's time in bounds.
LC_STORM_ROUNDS=3 make -s -j"$jobs" check || { rc=1; show_failures .; }
unset ASAN_OPTIONS UBSAN_OPTIONS
count test-suite.log
cd "$top"

echo "== fuzz smoke: every target for ${FUZZ_SECONDS:=30} s"
fuzz/build.sh _build/gcc _build/fuzz >/dev/null
if fuzz/run.sh _build/fuzz "$FUZZ_SECONDS" >_build/fuzz.log 2>&1; then
	grep '^fuzz' _build/fuzz.log
else
	rc=1; cat _build/fuzz.log
fi
f_pass=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' _build/fuzz.log)
f_fail=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' _build/fuzz.log)
passed=$((passed + ${f_pass:-0})); failed=$((failed + ${f_fail:-1}))

# distcheck proves the tarball: it builds with clang from the tarball alone,
# its unit tests and install checks pass, it installs and uninstalls.  The
# integration suite already ran twice above, so distcheck runs the unit
# tests only (TESTS propagates to its inner make), and the tarball's
# completeness is checked against git's list of files instead.
echo "== make distcheck (clang): build, unit tests, install, uninstall"
cd _build/gcc
units=$(find tests -type f -name 'test_*' ! -name '*.*' ! -path '*/.libs/*' -perm -u+x | LC_ALL=C sort | tr '\n' ' ')
if make -s distcheck DISTCHECK_CONFIGURE_FLAGS=CC=clang \
	TESTS="$units tests/style/style.sh tests/modules/module-exports.sh tests/example/example-module.sh" \
	>distcheck.out 2>&1; then
	passed=$((passed + 1)); echo "distcheck: ok"
else
	failed=$((failed + 1)); rc=1; tail -n 80 distcheck.out
fi
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	tarball=$(ls -t ./*.tar.gz 2>/dev/null | head -1 || true)
	missing=$(comm -23 <(git -C "$top" ls-files | grep -v '^\.gitignore$' | LC_ALL=C sort) \
		<(tar tzf "$tarball" | sed 's#^[^/]*/##' | LC_ALL=C sort))
	if [ -n "$tarball" ] && [ -z "$missing" ]; then
		passed=$((passed + 1)); echo "tarball: every tracked file is in $tarball"
	else
		failed=$((failed + 1)); rc=1; echo "tarball ${tarball:-(none)} lacks:"; echo "$missing"
	fi
fi
cd "$top"

echo "$passed passed, $failed failed"
exit $rc
