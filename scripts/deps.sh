#!/bin/sh
# scripts/deps.sh [build|demo|test|git-versions] - installs the Debian packages that are
# missing for building (build) or for building and running every test
# (test, the default).  Needs root or sudo; runs apt-get update first.
set -eu

BUILD="gcc make autoconf automake libtool pkg-config
libcurl4-openssl-dev libjson-c-dev libssl-dev libsecret-1-dev libcunit1-dev
libkeyutils-dev libseccomp-dev
ca-certificates"
# Runtime services and clients the tests and the demo drive for real.
RUN="dbus dbus-daemon dbus-bin gnome-keyring libsecret-tools python3 python3-cryptography
curl openssl git procps keyutils"
# Real clients and servers of the end-to-end tests.
TEST="clang clang-format libclang-rt-14-dev valgrind libglib2.0-dev groff-base
skopeo docker-registry apache2-utils golang-docker-credential-helpers
keepassxc etcd-server etcd-client"

case "${1:-test}" in
build) want="$BUILD" ;;
demo) want="$BUILD $RUN" ;;
test) want="$BUILD $RUN $TEST" ;;
# scripts/git-versions.sh: Debian's git source packages, built here.
git-versions) want="$BUILD $RUN $TEST dpkg-dev xz-utils zlib1g-dev" ;;
*) echo "usage: $0 [build|demo|test|git-versions]" >&2; exit 64 ;;
esac

missing=
# The docker CLI may come with the machine image; Debian's is docker.io.
if [ "${1:-test}" = test ] && ! command -v docker >/dev/null 2>&1; then
	want="$want docker.io"
fi
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
echo "deps: installing:$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
