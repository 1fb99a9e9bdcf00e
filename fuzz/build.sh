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
	-I$build -I$src/include -I$src/src/cobo -I$src/src/engine -I$src/src/util -DMODULEDIR=\"/nonexistent\" -DSYSCONFDIR=\"/nonexistent\""
# A fuzz target is a host-side program: it carries the util library and the
# engine's secret registry (src/engine/secret.c), which binds util/hostmem.c.
UTIL="src/util/strutil.c src/util/fsutil.c src/util/hostmem.c src/util/itemmatch.c
	src/util/lockwait.c src/util/orgset.c src/util/pins.c src/util/sbuf.c src/util/secretref.c src/util/status.c src/util/wipe.c src/engine/secret.c"
# The core: the engine (src/engine/) and the Cobo wing on it (src/cobo/).
ENGINE="src/engine/cfg.c src/engine/ctx.c src/engine/ctxinfo.c src/engine/harden.c src/engine/host.c src/engine/item.c
	src/engine/loader.c src/engine/manifest.c src/engine/lock.c src/engine/module_lock.c src/engine/settings.c src/engine/stack.c src/engine/trace.c"
COBO="src/cobo/cobo_config.c src/cobo/cobo_identity.c src/cobo/schema_owner.c src/cobo/origin.c
	src/cobo/profile.c src/cobo/request.c src/cobo/resolved.c src/cobo/lifecycle.c"
CORE="$UTIL $ENGINE $COBO"

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

# Each source is compiled once per set of include flags, into
# OUTDIR/obj/FLAGS-SUM/, as many at once as there are cores; then each target
# links.  The core's sources (CORE: util, engine, cobo) find every header
# they include through the base flags, so they are compiled once, into
# OUTDIR/obj/core/, for every target that lists them: a target's own -I and
# -D apply to the rest of its list (compiling the core once per target's
# flags was 162 compiles, now 69).
par=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
declare -A in_core=()
for f in $CORE; do in_core[$f]=1; done
# cflags SPEC: the compile flags (-I, -D) among a target's extra flags.
cflags() {
	local w
	[[ $1 == *"|"* ]] || return 0
	for w in ${1#*|}; do case $w in -I* | -D*) printf '%s ' "$w" ;; esac; done
}
# objdir SPEC: where the objects of a target's own sources go.
objdir() { echo "$out/obj/$(cflags "$1" | cksum | cut -d' ' -f1)"; }
# compile FILE DIR FLAGS: DIR/FILE.o from the source tree's FILE.
compile() {
	mkdir -p "$(dirname "$2/$1")"
	# shellcheck disable=SC2086
	clang $CFLAGS $3 -c -o "$2/$1.o" "$src/$1"
}
declare -A jobs_of=()
for t in "${!TARGETS[@]}"; do
	spec=${TARGETS[$t]}
	d=$(objdir "$spec") fl=$(cflags "$spec")
	for f in ${spec%%|*}; do
		if [ -n "${in_core[$f]-}" ]; then
			jobs_of["$out/obj/core/$f"]="$f|$out/obj/core|"
		else
			jobs_of["$d/$f"]="$f|$d|$fl"
		fi
	done
done
pids=()
for k in "${!jobs_of[@]}"; do
	IFS='|' read -r f d fl <<<"${jobs_of[$k]}"
	while [ "$(jobs -rp | wc -l)" -ge "$par" ]; do wait -n || true; done
	compile "$f" "$d" "$fl" &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
[ "$rc" -eq 0 ] || { echo "fuzz/build.sh: a source did not compile" >&2; exit 1; }

for t in "${!TARGETS[@]}"; do
	spec=${TARGETS[$t]}
	files=${spec%%|*}
	libs=
	[[ $spec == *"|"* ]] && libs=${spec#*|}
	d=$(objdir "$spec")
	objs=()
	for f in $files; do
		if [ -n "${in_core[$f]-}" ]; then objs+=("$out/obj/core/$f.o"); else objs+=("$d/$f.o"); fi
	done
	# shellcheck disable=SC2086
	clang $CFLAGS -o "$out/$t" "${objs[@]}" -ldl -lpthread $libs
	echo "built $out/$t"
done
