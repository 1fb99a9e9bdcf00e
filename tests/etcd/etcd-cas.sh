#!/bin/bash
# etcd-cas.sh - the etcd module's compare-and-swap and erase through the
# core API (tests/etcd/test_etcd_cas.c) against a real 3-member cluster.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/etcd.sh"

etcd_cluster_start 3 || { echo "FAIL - etcd cluster"; exit 1; }
(umask 077 && openssl rand -hex 32 > "$T_TMP/fleet.key")
if COBO_TEST_ETCD=$ETCD_ENDPOINTS COBO_TEST_ETCD_KEY=$T_TMP/fleet.key \
	"$top_builddir/tests/etcd/test_etcd_cas" > "$T_TMP/cas.out" 2>&1; then
	pass "compare-and-swap: stale writers refused, erase exact (test_etcd_cas)"
else
	fail "test_etcd_cas"
	sed 's/^/       /' "$T_TMP/cas.out" | grep -v "^ *$" | tail -n 25
fi
t_done
