#!/bin/sh
# scripts/deps.sh [build|demo|test|git-versions] - installs the Debian packages that are
# missing for building (build) or for building and running every test
# (test, the default).  Needs root or sudo; runs apt-get update first.
#
# The machine is left as it was found: Debian's docker.io, containerd,
# etcd-server and docker-registry enable and start a system service when
# installed, and the tests start their own on loopback ports.  So while
# apt-get runs, a policy-rc.d refuses every service start (unless the
# machine has a policy of its own), and the units of the service packages
# this run installed are disabled afterwards.
set -eu

BUILD="gcc make autoconf automake libtool pkg-config
libcurl4-openssl-dev libjson-c-dev libssl-dev libsecret-1-dev libcunit1-dev
libkeyutils-dev libseccomp-dev libmicrohttpd-dev libp11-kit-dev
ca-certificates"
# Runtime services and clients the tests and the demo drive for real.
RUN="dbus dbus-daemon dbus-bin gnome-keyring libsecret-tools python3 python3-cryptography
curl openssl git procps keyutils"
# Real clients and servers of the end-to-end tests (llvm-14: the
# symbolizer of the sanitizers' stack traces).
TEST="clang clang-format libclang-rt-14-dev llvm-14 valgrind libglib2.0-dev groff-base
skopeo docker.io docker-registry apache2-utils golang-docker-credential-helpers
keepassxc libkf5wallet-bin libqca-qt5-2-plugins etcd-server etcd-client nodejs
faketime libfaketime softhsm2 opensc p11-kit"
# Packages whose postinst enables and starts a system service.
SERVICES="docker.io containerd etcd-server docker-registry"

case "${1:-test}" in
build) want="$BUILD" ;;
demo) want="$BUILD $RUN" ;;
test) want="$BUILD $RUN $TEST" ;;
# scripts/git-versions.sh: Debian's git source packages, built here.
git-versions) want="$BUILD $RUN $TEST dpkg-dev xz-utils zlib1g-dev" ;;
*) echo "usage: $0 [build|demo|test|git-versions]" >&2; exit 64 ;;
esac

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]; }
# installed_all PKG...: those of PKG... that are installed, one a line, from
# one dpkg-query run (it reads dpkg's whole status file each time: one run
# per package made a no-op run of this script take seconds).
installed_all() {
	dpkg-query -W -f='${db:Status-Status} ${Package}\n' "$@" 2>/dev/null | sed -n 's/^installed //p' || true
}

# bench/run.sh installs Cobo's JS SDK with npm (bench/sdk-js/install.sh).  Debian's
# nodejs comes without npm (the npm package); NodeSource's nodejs bundles it and
# conflicts with Debian's npm: ask for npm only when there is none.
case "${1:-test}" in
test | git-versions) command -v npm >/dev/null 2>&1 || want="$want npm" ;;
esac

missing=
# shellcheck disable=SC2086
have=" $(installed_all $want | tr '\n' ' ') "
for p in $want; do
	case $have in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
# Cobo's JS SDK for the bench (bench/sdk-js/install.sh, into the cache that
# bench/resource.sh reads): fetched here, with the packages, so no test run
# reaches the npm registry.  Nothing is fetched when the cache is current.
sdk_js() {
	case "${1:-test}" in
	test | git-versions) ;;
	*) return 0 ;;
	esac
	"$(dirname "$0")/../bench/sdk-js/install.sh" \
		"${COBO_BENCH_SDKJS:-${XDG_CACHE_HOME:-$HOME/.cache}/cobo-credential/sdk-js}"
}

[ -z "$missing" ] && { sdk_js "${1:-test}"; exit $?; }

if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
new_services=
for p in $SERVICES; do
	installed "$p" || new_services="$new_services $p"
done
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	# 101: "action forbidden by policy" (invoke-rc.d(8)); removed at exit.
	trap '$SUDO rm -f "$policy"' EXIT
	printf '#!/bin/sh\n# scripts/deps.sh: no service starts while it installs\nexit 101\n' |
		$SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
fi

echo "deps: installing:$missing"
# apt's and dpkg's chatter goes to a log, shown when something fails.
log=$(mktemp "${TMPDIR:-/tmp}/cobo-deps.XXXXXX")
# shellcheck disable=SC2086
if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
	tail -n 40 "$log"
	echo "deps: apt-get failed; the whole log: $log" >&2
	exit 1
fi
rm -f "$log"
echo "deps: installed"

# The service packages this run brought in: their units disabled again.
for p in $new_services; do
	installed "$p" || continue
	for f in $(dpkg-query -L "$p"); do
		case $f in
		/lib/systemd/system/*.service | /lib/systemd/system/*.socket)
			u=${f##*/}
			if command -v systemctl >/dev/null 2>&1; then
				$SUDO systemctl disable --quiet "$u" 2>/dev/null || true
			else
				$SUDO deb-systemd-helper disable "$u" || true
			fi
			echo "deps: $p: $u disabled (the tests start their own)" ;;
		/etc/init.d/*)
			$SUDO update-rc.d "${f##*/}" disable >/dev/null 2>&1 || true ;;
		esac
	done
done

sdk_js "${1:-test}"
