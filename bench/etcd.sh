#!/bin/bash
# bench/etcd.sh - the fleet tier's cost: one git-credential-cobo get that
# misses the local file tier and hits etcd (a 3-member cluster on
# loopback), beside a get answered by the local tier and a mint (the Cobo
# test server over HTTPS, written through to etcd and the file).  Median
# and 90th percentile wall time of ROUNDS runs each (default 30).
#
#   bench/etcd.sh [--rounds N] [BUILDDIR]
set -u
. "$(dirname "$0")/lib.sh"
bench_args "$@"
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/etcd.sh"

fleet_up
set_ttl 3600
fleet_machine 1
fleet_machine 2 # never stores locally: every get goes to etcd
sed -i 's/^store = etcd \[SUCCESS=continue\] file$/store = etcd/' "$T_TMP/m2/config"

# timed LABEL CMD...: one run of CMD, its wall time in microseconds appended to LABEL's list.
declare -A TIMES
timed() {
	local label=$1 t0 t1
	shift
	t0=$(date +%s%6N)
	"$@"
	t1=$(date +%s%6N)
	TIMES[$label]+="$((t1 - t0)) "
}
mint_once() {
	rm -f "$T_TMP/m1/store"
	etcd_ctl del --prefix "$FLEET_PREFIX" > /dev/null
	fleet_get 1 org-a
}

for ((r = 0; r < ROUNDS; r++)); do
	timed "mint (server, then etcd + file)" mint_once
	timed "etcd hit (local tier empty)" fleet_get 2 org-a
	timed "local file hit" fleet_get 1 org-a
done
[ -n "$TOKEN" ] || { echo "bench/etcd.sh: no token: $ERR" >&2; exit 1; }
echo "# bench/etcd.sh: $ROUNDS rounds, $(date -u +%F), $(nproc) CPUs, $(uname -m), 3 etcd members on 127.0.0.1"
for label in "local file hit" "etcd hit (local tier empty)" "mint (server, then etcd + file)"; do
	"$PYTHON" -c '
import sys, statistics
v = sorted(int(x) / 1000 for x in sys.argv[2].split())
p90 = v[int(0.9 * (len(v) - 1))]
print("%-34s median %7.1f ms   p90 %7.1f ms" % (sys.argv[1], statistics.median(v), p90))
' "$label" "${TIMES[$label]}"
done
t_done > /dev/null
