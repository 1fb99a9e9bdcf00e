#!/bin/bash
# hygiene-fuzz.sh - every crash a fuzz target ever found stays fixed: the
# libFuzzer targets (fuzz/build.sh, clang) replay their checked-in seed
# corpora and every saved reproducer in fuzz/regressions/TARGET/ once,
# with their invariant checks, AddressSanitizer and UBSan.  (Fuzzing
# itself is fuzz/run.sh; this only replays.)
. "$top_srcdir/tests/lib/common.sh"

if ! command -v clang >/dev/null ||
	! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
	clang -x c -fsanitize=fuzzer -o "$T_TMP/probe" - 2>/dev/null; then
	echo "clang with libFuzzer (libclang-rt-14-dev) is missing: run scripts/deps.sh"
	exit 77
fi
unset FUZZ_KNOWN_BUGS # the targets tolerate reported bugs only when asked to
# COBO_FUZZ_BUILT: targets fuzz/build.sh already built from these sources
# (scripts/test.sh builds them once, for this replay and its fuzz run).
OUT=${COBO_FUZZ_BUILT:-$T_TMP/fuzz}
if [ -z "${COBO_FUZZ_BUILT:-}" ] &&
	! "$top_srcdir/fuzz/build.sh" "$top_builddir" "$OUT" > "$T_TMP/build.log" 2>&1; then
	fail "fuzz/build.sh builds every target"
	tail -n 30 "$T_TMP/build.log"
	t_done
fi
missing=
for c in "$top_srcdir"/fuzz/fuzz_*.c; do
	t=$(basename "$c" .c)
	[ -x "$OUT/$t" ] || missing+=" $t"
done
expect_eq "fuzz/build.sh built every target (fuzz/fuzz_*.c) in $OUT" "" "$missing"

# replay DESC TARGET FILE...: runs the target once over each file.
replay() {
	local desc=$1 bin=$OUT/$2
	shift 2
	if "$bin" -error_exitcode=1 -timeout=10 -rss_limit_mb=2048 "$@" > "$T_TMP/replay.log" 2>&1; then
		pass "$desc"
	else
		fail "$desc"
		grep -E 'Running: |ERROR|SUMMARY|#[0-9]+ 0x[0-9a-f]+ in (LLVMFuzzer|check_|[a-z_]+ /)' \
			"$T_TMP/replay.log" | head -n 12 | sed 's/^/       /'
	fi
}

for bin in "$OUT"/fuzz_*; do
	t=$(basename "$bin")
	name=${t#fuzz_}
	files=("$top_srcdir/fuzz/corpus/$name"/*)
	if [ -e "${files[0]}" ]; then
		replay "$t: the seed corpus (${#files[@]} inputs) passes its checks" "$t" "${files[@]}"
	else
		fail "$t: has a seed corpus in fuzz/corpus/$name"
	fi
	files=("$top_srcdir/fuzz/regressions/$name"/*)
	if [ -e "${files[0]}" ]; then
		replay "$t: every saved crash (${#files[@]} in fuzz/regressions/$name) stays fixed" \
			"$t" "${files[@]}"
	fi
done

t_done
