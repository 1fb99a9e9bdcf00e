#!/bin/bash
# fuzz/run.sh OUTDIR SECONDS [TARGET...] - runs each built target for
# SECONDS on a copy of its checked-in seed corpus (fuzz/corpus/NAME), as
# many at once as there are cores.  A crash fails the run; its input is
# kept in OUTDIR/crashes/.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "$1" && pwd)
secs=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$out"/fuzz_*; do [ -x "$f" ] && targets+=("$(basename "$f")"); done
fi
mkdir -p "$out/crashes"
par=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# one TARGET: runs it; the result is its exit status (logged in OUTDIR/TARGET.log).
one() {
	local t=$1 name=${1#fuzz_} work dict=()
	work="$out/corpus-$name"
	rm -rf "$work"; mkdir -p "$work"
	if [ -d "$src/fuzz/corpus/$name" ]; then cp "$src/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true; fi
	[ -f "$src/fuzz/$name.dict" ] && dict=(-dict="$src/fuzz/$name.dict")
	"$out/$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crashes/$name-" -print_final_stats=1 "${dict[@]}" "$work" \
		>"$out/$t.log" 2>&1
}

declare -A pids=()
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$par" ]; do wait -n || true; done
	one "$t" &
	pids[$t]=$!
done
rc=0 passed=0 failed=0
for t in "${targets[@]}"; do
	if wait "${pids[$t]}"; then
		passed=$((passed + 1))
		echo "fuzz $t: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$') runs)"
	else
		failed=$((failed + 1)); rc=1
		echo "fuzz $t: FAILED"; tail -n 40 "$out/$t.log"
	fi
done
echo "fuzz: $passed passed, $failed failed"
exit $rc
