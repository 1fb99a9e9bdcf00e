#!/bin/bash
# fuzz/build.sh BUILDDIR OUTDIR - builds every libFuzzer target with clang
# (-fsanitize=fuzzer,address,undefined).  BUILDDIR is a configured build
# tree (for config.h).  Each target lists the sources it needs.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"

CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-I$build -I$src/include -I$src/src/lib -I$src/src/util -DMODULEDIR=\"/nonexistent\" -DSYSCONFDIR=\"/nonexistent\""
# A fuzz target is a host-side program: it carries the util library and the
# core's secret registry (src/lib/secret.c), which binds util/hostmem.c.
UTIL="src/util/strutil.c src/util/fsutil.c src/util/hostmem.c src/util/itemmatch.c
	src/util/lockwait.c src/util/wipe.c src/lib/secret.c"
CORE="$UTIL src/lib/cfg.c src/lib/ctx.c src/lib/harden.c src/lib/host.c src/lib/item.c
	src/lib/loader.c src/lib/lock.c src/lib/cobo_identity.c src/lib/schema_owner.c src/lib/origin.c
	src/lib/profile.c src/lib/request.c src/lib/sbuf.c src/lib/stack.c src/lib/lifecycle.c src/lib/trace.c"

# target -> sources (relative to the source tree); extra libs after '|'.
declare -A TARGETS=(
	[fuzz_config]="fuzz/fuzz_config.c $CORE"
	[fuzz_url]="fuzz/fuzz_url.c $CORE"
)
# Targets contributed by other rooms register themselves in fuzz/targets.d/*.sh
# (each appends to TARGETS), so this script needs no edit per parser.
for f in "$src"/fuzz/targets.d/*.sh; do
	[ -e "$f" ] && . "$f"
done

for t in "${!TARGETS[@]}"; do
	spec=${TARGETS[$t]}
	files=${spec%%|*}
	libs=
	[[ $spec == *"|"* ]] && libs=${spec#*|}
	paths=()
	for f in $files; do paths+=("$src/$f"); done
	# shellcheck disable=SC2086
	clang $CFLAGS -o "$out/$t" "${paths[@]}" -ldl -lpthread $libs
	echo "built $out/$t"
done
