#!/bin/bash
# scripts/test.sh - installs what is missing, builds, and runs every test:
#   gcc:   the -Werror build and the tarball (every tracked file checked to
#          be in it); the unit tests, the module exports, the stress tests
#          one at a time (the storms of 32 and 128 helpers, the etcd fleet)
#          and the benchmarks' smoke run, then the front-ends under valgrind;
#   clang: built from the tarball alone, out of its tree, under ASan+UBSan
#          (beside the gcc tests), the rest of make check once (every other
#          integration test runs here, and only here), then install and
#          uninstall: what `make distcheck` proves, on the build that runs
#          the tests;
#   a 3 s smoke run of every fuzz target (clang, libFuzzer), built beside
#          valgrind.
# Both compilers build everything with -Wall -Wextra -Werror.  README's test
# section says why each pass runs what it runs.
# Prints each phase's time, the slowest tests, and "N passed, N failed"
# last; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/errtrap.sh
cores=$(nproc 2>/dev/null || echo 2)
jobs=$cores
# Most tests wait on I/O (a test server, a keyring daemon, git, child
# helpers), so make check runs more of them than there are cores; every
# test has its own temp dir, HOME, D-Bus, servers and ports.
check_jobs=${CHECK_JOBS:-$((cores * 3))}

# The demo's packages first (the build's and the few it runs); the test
# packages (clang, valgrind, the servers and clients of the end-to-end
# tests: most of apt's time in a fresh root) install beside the gcc build,
# which needs none of them.  A run that stops early still waits for apt.
scripts/deps.sh demo
mkdir -p _build
scripts/deps.sh test >_build/deps-test.log 2>&1 &
deps_pid=$!
trap 'wait "$deps_pid" 2>/dev/null || true' EXIT
mkdir -p m4 # libtoolize fills it; aclocal wants it before
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
# cpu: the CPU seconds (user + system) of the processes this script waited
# for so far; unlike the wall time it hardly moves when the machine is busy.
# (`times` runs in this shell, not in a pipe: a subshell has no children yet.)
CPU=0
cpu() {
	times >"$top/_build/.times"
	CPU=$(tail -n 1 "$top/_build/.times" |
		awk '{ split($1, u, "m"); split($2, s, "m"); printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
}
# phase NAME: starts timing a phase; the next call (or `phase -`) prints the
# last one's wall time and CPU time.
t_phase=$SECONDS c_phase=0 p_name=
phase() {
	cpu
	[ -n "$p_name" ] && printf '   (%s: %d s, %d s CPU)\n' "$p_name" $((SECONDS - t_phase)) $((CPU - c_phase))
	p_name=$1 t_phase=$SECONDS c_phase=$CPU
	[ "$1" = - ] && p_name= || echo "== $1"
}
# The registered tests, the slowest first so that the tail of a parallel
# run is short (the order is the only thing this list changes; a test not
# named here runs in registration order after these).
SLOW_FIRST='lifecycle-storm etcd- git-file git-default git-keyring docker-protocol git-cobo
	lifecycle-faults faults-local faults-matrix hygiene- docker- security- kernel-
	lifecycle- keyring- cli-setup'
ordered_tests() {
	local all p
	all=$(make -s print-tests)
	for p in $SLOW_FIRST; do printf '%s\n' "$all" | grep -F -- "/$p" || true; done | awk '!s[$0]++' >.slow
	printf '%s\n' "$all" | grep -vxF -f .slow | cat .slow -
	rm -f .slow
}
# The unit tests (CUnit programs tests/ROOM/test_*), the checks of a
# build rather than of behaviour, and the suites that run on the plain
# build only: libfaketime hangs a sanitized program at start-up (they skip
# there), and they wait on short token lives more than they compute, so
# they run beside the unit tests.
PLAIN_TESTS='etcd-clock oauth-clock'
unit_tests() {
	local all p
	all=$(make -s print-tests)
	printf '%s\n' "$all" | grep -E '/test_[^/.]*$|/module-exports\.sh$'
	for p in $PLAIN_TESTS; do printf '%s\n' "$all" | grep -F -- "/$p" || true; done
}
# The tests the gcc pass runs, one at a time: the stress tests (many
# processes, many rounds) and the benchmarks' smoke run (speed is measured
# on the optimized build, never the sanitizer's).
GCC_TESTS='lifecycle-storm etcd-fleet bench-smoke pkcs11-storm'
gcc_tests() {
	local all p
	all=$(make -s print-tests)
	for p in $GCC_TESTS; do printf '%s\n' "$all" | grep -F -- "/$p" || true; done
}

rc=0
phase "gcc: -Werror build; the tarball, and every tracked file in it"
rm -rf _build/gcc && mkdir -p _build/gcc && cd _build/gcc
"$top/configure" -q CC=gcc
make -s -j"$jobs"
cd "$top"
# The tarball, built in the gcc tree; the clang pass builds from it alone.
make -C _build/gcc -s dist >/dev/null
tarball=$(ls -t _build/gcc/*.tar.gz | head -1)
if git rev-parse --git-dir >/dev/null 2>&1; then
	missing=$(comm -23 <(git ls-files | grep -v '^\.gitignore$' | LC_ALL=C sort) \
		<(tar tzf "$tarball" | sed 's#^[^/]*/##' | LC_ALL=C sort))
	if [ -z "$missing" ]; then
		passed=$((passed + 1)); echo "tarball: every tracked file is in $tarball"
	else
		failed=$((failed + 1)); rc=1; echo "$tarball lacks:"; echo "$missing"
	fi
fi

if ! wait "$deps_pid"; then
	cat _build/deps-test.log; echo "scripts/deps.sh test failed"
	failed=$((failed + 1)); echo "$passed passed, $failed failed"; exit 1
fi
cat _build/deps-test.log
# The sanitizers' stack traces with symbols: clang's own llvm-symbolizer
# (Debian's llvm-14 puts only llvm-symbolizer-14 on PATH).
sym=$(dirname "$(readlink -f "$(command -v clang)")")/llvm-symbolizer
if [ -x "$sym" ]; then export ASAN_SYMBOLIZER_PATH=$sym; else echo "warning: no $sym: stack traces without symbols"; fi

# asan_build: the clang ASan + UBSan tree, built from the tarball alone, out
# of its (read-only) tree, with its check programs: the first half of what
# `make distcheck` proves.  Output in _build/asan-build.log.  -O1, as the
# sanitizers' documentation advises: it compiles in less CPU than -O2, and
# what a test costs under ASan is the runtime's (start-up, the exit leak
# scan), not our code's speed (README says what was measured).
asan_build() {
	chmod -R u+w _build/dist 2>/dev/null || true
	rm -rf _build/asan _build/dist && mkdir -p _build/asan _build/dist
	tar xzf "$tarball" -C _build/dist
	distsrc=$(cd _build/dist/* && pwd)
	chmod -R a-w "$distsrc" # as distcheck: the build writes only into its own tree
	cd _build/asan &&
		"$distsrc/configure" -q CC=clang --enable-sanitizers CFLAGS="-g -O1" &&
		make -s -j"$jobs" && make -s -j"$jobs" check TESTS=
} >_build/asan-build.log 2>&1

# The clang build runs beside the gcc tests, which wait on barriers,
# servers and children part of the time (measured: little gained, the two
# cores are busy either way; nothing lost).
phase "gcc: unit, stress and bench tests; beside them, the clang ASan + UBSan build"
asan_build &
asan_pid=$!
cd _build/gcc
make -s -j"$check_jobs" check TESTS="$(unit_tests | tr '\n' ' ')" || { rc=1; show_failures .; }
count test-suite.log
# One at a time: each is hundreds of processes on two cores; beside one
# another they would only measure the machine.
# Fewer rounds than the scripts' defaults (20 storms of 32, 3 of 128 per
# tier, 10 fleet storms), which are for a run on demand: here 8 storms of
# 32, one of 128 per tier and one fleet storm keep CI's time down; every
# round asserts the same things.
LC_STORM_ROUNDS=${LC_STORM_ROUNDS:-8} LC_STORM128_ROUNDS=${LC_STORM128_ROUNDS:-1} \
	ETCD_FLEET_ROUNDS=${ETCD_FLEET_ROUNDS:-1} make -s -j1 check TESTS="$(gcc_tests | tr '\n' ' ')" || { rc=1; show_failures .; }
count test-suite.log
cd "$top"

# valgrind runs one process at a time: the fuzz targets build beside it.
phase "valgrind: the front-ends' main paths; beside it, the fuzz targets' build"
top_srcdir=$top top_builddir=$top/_build/gcc COBO_CREDENTIAL_MODULE_PATH=$top/_build/gcc/modules \
	PYTHON=/usr/bin/python3 tests/valgrind/frontends.sh >_build/valgrind.log 2>&1 &
vg_pid=$!
# Built once: hygiene-fuzz.sh replays their corpora in the ASan pass
# (COBO_FUZZ_BUILT), the fuzz smoke run at the end fuzzes with them.
rm -rf _build/fuzz
fuzz/build.sh _build/gcc _build/fuzz >_build/fuzz-build.log 2>&1 || { rc=1; tail -n 30 _build/fuzz-build.log; }
export COBO_FUZZ_BUILT=$top/_build/fuzz
if wait "$vg_pid"; then
	passed=$((passed + 1)); tail -n 1 _build/valgrind.log
else
	failed=$((failed + 1)); rc=1; cat _build/valgrind.log
fi

# The rest of what `make distcheck` proves (the tarball's tests pass, it
# installs and uninstalls cleanly), on the sanitizer build that runs the
# integration suite, instead of a third build that would run only the unit
# tests.
phase "clang: ASan + UBSan make check, install, uninstall"
if ! wait "$asan_pid"; then
	echo "the clang ASan + UBSan build from the tarball failed:"; tail -n 40 _build/asan-build.log
	failed=$((failed + 1)); echo "$passed passed, $failed failed"; exit 1
fi
cd _build/asan
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Everything but the stress tests, which ran one by one in the gcc pass
# (beside forty other tests their bursts of processes only measure the
# machine), and the benchmarks' smoke run.  Their code (the shared-lock look, single flight, the fleet
# lock) runs under the sanitizers in the 16-helper storms of
# lifecycle-file.sh, in lifecycle-faults.sh and in the etcd tests.
make -s -j"$check_jobs" check TESTS="$(ordered_tests | grep -vxF -f <(gcc_tests; unit_tests | grep -v /test_) | tr '\n' ' ')" ||
	{ rc=1; show_failures .; }
unset ASAN_OPTIONS UBSAN_OPTIONS
count test-suite.log
inst=$top/_build/inst
rm -rf "$inst"
if make -s install DESTDIR="$inst" >install.out 2>&1 && [ -n "$(find "$inst" -type f)" ] &&
	make -s uninstall DESTDIR="$inst" >>install.out 2>&1 && [ -z "$(find "$inst" -type f)" ]; then
	passed=$((passed + 1)); echo "install, uninstall: ok (nothing left behind)"
else
	failed=$((failed + 1)); rc=1; echo "install/uninstall failed; left behind:"
	find "$inst" -type f; tail -n 20 install.out
fi
cd "$top"
chmod -R u+w _build/dist

# What the smoke proves: every target starts, replays its seed corpus and
# fuzzes a few seconds (thousands to a hundred thousand inputs) without a
# crash.  hygiene-fuzz.sh replayed the corpora and the saved crashes in the
# ASan pass already; a long search is fuzz/run.sh's, on demand.
phase "fuzz smoke: every target for ${FUZZ_SECONDS:=3} s"
if fuzz/run.sh _build/fuzz "$FUZZ_SECONDS" >_build/fuzz.log 2>&1; then
	grep '^fuzz' _build/fuzz.log
else
	rc=1; cat _build/fuzz.log
fi
f_pass=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' _build/fuzz.log)
f_fail=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' _build/fuzz.log)
passed=$((passed + ${f_pass:-0})); failed=$((failed + ${f_fail:-1}))

phase -

echo "== the slowest tests (wall time each; the passes ran $check_jobs at once)"
scripts/test-times.sh _build/asan 10
scripts/test-times.sh _build/gcc 3
cpu
echo "total: $SECONDS s, $CPU s CPU"
echo "$passed passed, $failed failed"
exit $rc
