#!/bin/bash
# bench/sdk-js/install.sh CACHE - Cobo's official JS SDK (@cobo/cobo-waas2), at the
# version package.json pins and package-lock.json locks (every dependency, with its
# integrity hash), into CACHE/node_modules with `npm ci`, for bench/run.sh.
# Nothing is fetched when CACHE already holds that lock.  Install scripts of the
# packages never run (--ignore-scripts): the SDK is plain JavaScript.
# Needs node and npm (scripts/deps.sh test) and the npm registry, once.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 CACHE" >&2; exit 64; }
cache=$1
command -v npm > /dev/null || { echo "bench/sdk-js/install.sh: no npm: scripts/deps.sh test installs it" >&2; exit 1; }
mkdir -p "$cache" || exit 1
if cmp -s "$here/package-lock.json" "$cache/package-lock.json" &&
	[ -f "$cache/node_modules/@cobo/cobo-waas2/package.json" ]; then
	exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$cache/" || exit 1
# node trusts its own CA bundle; on Debian the system's store
# (/etc/ssl/certs, with any CA the machine added) is what the user trusts.
[ -n "${NODE_EXTRA_CA_CERTS-}" ] || [ ! -r /etc/ssl/certs/ca-certificates.crt ] ||
	export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
if ! (cd "$cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) > "$cache/npm.log" 2>&1; then
	rm -f "$cache/package-lock.json" # so the next run tries again
	echo "bench/sdk-js/install.sh: npm ci failed (is the npm registry reachable?); $cache/npm.log says:" >&2
	tail -n 5 "$cache/npm.log" >&2
	exit 1
fi
