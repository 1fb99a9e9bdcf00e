#!/bin/bash
# scripts/fresh-root.sh - README's two commands where a newcomer runs them:
# a fresh Debian 12 root (scripts/root.sh: debootstrap --variant=minbase
# bookworm from the mirror this machine's apt uses, the host's apt
# configuration and name resolution, nothing else of the host), git
# installed there as a newcomer would to clone, this checkout's HEAD cloned
# into /root/cobo, then, as root:
#
#   ./scripts/demo.sh
#   ./scripts/test.sh
#
# Afterwards it checks that the test dependencies left no system service
# enabled in the root.  What CI runs (.ci/run); HEAD, not the work tree, is
# what it tests.  KEEP_ROOT=1 keeps the root, to look inside.  Needs root.
#
# The last line is "N passed, N failed": the tests', plus the demo and the
# services check.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/errtrap.sh
. scripts/root.sh

echo "== fresh root: debootstrap --variant=minbase $SUITE"
t0=$SECONDS
root=$(root_new newcomer)
git bundle create -q "$root/tmp/cobo.bundle" HEAD
echo "   ($((SECONDS - t0)) s; testing $(git rev-parse --short HEAD))"

echo "== a newcomer: apt-get install git ca-certificates; git clone"
root_apt "$root" git ca-certificates
root_run "$root" 'git -c advice.detachedHead=false clone -q /tmp/cobo.bundle /root/cobo'
# Output to a log as well: the summary is read from it.
root_run "$root" '
	cd /root/cobo
	echo "== ./scripts/demo.sh"
	if ./scripts/demo.sh; then echo "fresh root: demo ok"; else echo "fresh root: demo FAILED"; fi
	echo "== ./scripts/test.sh"
	./scripts/test.sh || true' 2>&1 | tee "$ROOTS/run.log" || true

passed=0 failed=0
if grep -qx 'fresh root: demo ok' "$ROOTS/run.log"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
# The test dependencies leave no system service enabled (scripts/deps.sh).
enabled=$(find "$root/etc/systemd/system" "$root"/etc/rc[2-5].d -name '*docker*' -o \
	-name '*containerd*' -o -name '*etcd*' 2>/dev/null | grep -E '\.(service|socket)$|/S[0-9]' || true)
if [ -z "$enabled" ]; then
	passed=$((passed + 1)); echo "fresh root: no service of the test dependencies enabled"
else
	failed=$((failed + 1)); echo "fresh root: services left enabled:"; echo "$enabled"
fi
summary=$(tail -n 1 "$ROOTS/run.log")
if [[ $summary =~ ^[0-9]+\ passed,\ [0-9]+\ failed$ ]]; then
	passed=$((passed + ${summary%% passed*}))
	summary=${summary#*passed, }
	failed=$((failed + ${summary%% failed*}))
else
	failed=$((failed + 1)); echo "fresh root: scripts/test.sh printed no summary"
fi
echo "$passed passed, $failed failed"
exit $((failed > 0))
