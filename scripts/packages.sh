#!/bin/bash
# scripts/packages.sh - the Debian packages (debian/), built and tried the
# way a user meets them, each step in a fresh Debian 12 root of its own
# (scripts/root.sh):
#
#   1. build: this checkout's HEAD cloned, the build dependencies the tree
#      declares (apt-get build-dep ./), dpkg-buildpackage -us -uc -b (which
#      runs the unit tests), then lintian: no error and no warning;
#   2. install: apt-get install of the .debs (their dependencies from the
#      mirror) into a second fresh root, a short flow with the installed
#      binaries only (versions, man -w, a plain git credential and a Docker
#      one stored and read through the file module, doctor), then
#      apt-get purge: no package left, no file or directory they installed
#      left behind.
#
# CI runs it after scripts/fresh-root.sh (.ci/run).  KEEP_ROOT=1 keeps the
# roots; the packages are left in $OUT (default _build/packages).  Needs
# root.  The last line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/errtrap.sh
. scripts/root.sh
OUT=${OUT:-$top/_build/packages}

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; }
finish() { echo "$passed passed, $failed failed"; exit $((failed > 0)); }

echo "== build root: debootstrap --variant=minbase $SUITE, apt-get build-dep ./"
b=$(root_new build)
git bundle create -q "$b/tmp/cobo.bundle" HEAD
root_apt "$b" git ca-certificates dpkg-dev lintian
root_run "$b" 'git -c advice.detachedHead=false clone -q /tmp/cobo.bundle /root/src/cobo-credential &&
	cd /root/src/cobo-credential &&
	{ apt-get build-dep -y -qq --no-install-recommends ./ >/tmp/bd.log 2>&1 || { tail -n 30 /tmp/bd.log; exit 1; }; }'

echo "== dpkg-buildpackage -us -uc -b"
if root_run "$b" 'cd /root/src/cobo-credential && DEB_BUILD_OPTIONS=parallel=$(nproc) dpkg-buildpackage -us -uc -b >/tmp/build.log 2>&1 ||
	{ tail -n 80 /tmp/build.log; exit 1; }'; then
	ok "dpkg-buildpackage -us -uc -b, with the unit tests"
	grep -E '^# (PASS|FAIL|ERROR):' "$b/tmp/build.log" | sed 's/^/     /'
else
	bad "dpkg-buildpackage -us -uc -b"
	finish
fi
rm -rf "$OUT" && mkdir -p "$OUT"
cp "$b"/root/src/*.deb "$b"/root/src/*.changes "$b"/root/src/*.buildinfo "$OUT/"
ls "$OUT"

echo "== lintian"
# --fail-on error,warning: an info tag is advice, not a failure.
if root_run "$b" 'cd /root/src && lintian --fail-on error,warning --display-level ">=warning" *.changes'; then
	ok "lintian: no error, no warning"
else
	bad "lintian"
fi

echo "== install root: apt-get install the packages, a short flow, apt-get purge"
i=$(root_new install)
# What the flow uses besides the packages: git and man, as a user has them.
root_apt "$i" git man-db
mkdir -p "$i/tmp/debs"
# The three packages (not the -dbgsym ones debhelper makes beside them).
cp "$OUT"/cobo-credential_*.deb "$OUT"/cobo-credential-etcd_*.deb "$OUT"/cobo-credential-dev_*.deb "$i/tmp/debs/"
if root_apt "$i" /tmp/debs/*.deb; then ok "apt-get install ./*.deb"; else bad "apt-get install ./*.deb"; finish; fi
root_run "$i" 'dpkg-query -L cobo-credential cobo-credential-etcd cobo-credential-dev | sort -u >/tmp/installed.list'

check_flow() {
	local out
	if out=$(root_run "$i" "$2" 2>&1); then ok "$1"; else bad "$1"; fi
	printf '%s\n' "$out" | sed 's/^/     /'
}
check_flow "versions" 'cobo-credential --version && docker-credential-cobo version'
check_flow "man -w finds the four pages" \
	'man -w cobo-credential git-credential-cobo docker-credential-cobo cobo-credential.conf'
check_flow "the five modules and their manifests in the multiarch module directory" \
	'ls /usr/lib/*-linux-*/cobo-credential/modules/*.so && test "$(ls /usr/lib/*-linux-*/cobo-credential/modules/*.so | wc -l)" = 5 &&
	test "$(ls /usr/lib/*-linux-*/cobo-credential/modules/*.module | wc -l)" = 5'
# A user with a file store only: no keyring daemon in a bare root.
check_flow "git credential approve, then fill, through the file module" '
	set -e
	mkdir -p ~/.config/cobo-credential
	printf "[stack]\nget = file\nstore = file\nerase = file\nlist = file\n" >~/.config/cobo-credential/config
	chmod 600 ~/.config/cobo-credential/config
	printf "protocol=https\nhost=git.example.test\nusername=alice\npassword=s3cret\n\n" |
		git -c credential.helper= -c credential.helper=cobo credential approve
	got=$(printf "protocol=https\nhost=git.example.test\n\n" |
		git -c credential.helper= -c credential.helper=cobo credential fill)
	echo "$got" | grep -qx "password=s3cret"
	echo "git: stored and read back"'
check_flow "docker-credential-cobo store, get, erase through the file module" '
	set -e
	printf "{\"ServerURL\":\"registry.example.test\",\"Username\":\"bob\",\"Secret\":\"t0k\"}" | docker-credential-cobo store
	echo registry.example.test | docker-credential-cobo get | grep -q "\"Secret\":\"t0k\""
	echo registry.example.test | docker-credential-cobo erase
	! echo registry.example.test | docker-credential-cobo get >/dev/null
	echo "docker: stored, read back, erased"'
check_flow "cobo-credential doctor" 'cobo-credential doctor'
check_flow "the proxy: its program in libexec, its user units shipped and not enabled" '
	set -e
	/usr/libexec/cobo-credential/cobo-credential-proxy --help >/dev/null
	test -f /usr/lib/systemd/user/cobo-credential-proxy.socket
	test -f /usr/lib/systemd/user/cobo-credential-proxy.service
	test ! -e /etc/systemd/user/sockets.target.wants/cobo-credential-proxy.socket
	echo "proxy: installed, units disabled"'
check_flow "bash completion installed where bash-completion looks" \
	'test -f /usr/share/bash-completion/completions/cobo-credential && bash -n /usr/share/bash-completion/completions/cobo-credential'

if root_run "$i" 'apt-get purge -y -qq cobo-credential cobo-credential-etcd cobo-credential-dev >/tmp/purge.log 2>&1 ||
	{ tail -n 20 /tmp/purge.log; exit 1; }'; then ok "apt-get purge"; else bad "apt-get purge"; fi
# Left behind: a package in any state, or a path the packages installed
# (a directory only when it is empty and no other package ships it).
left=$(root_run "$i" '
	for p in cobo-credential cobo-credential-etcd cobo-credential-dev; do
		s=$(dpkg-query -W -f="\${Status}" "$p" 2>/dev/null || true)
		case $s in "" | *not-installed) ;; *) echo "package $p: $s" ;; esac
	done
	while read -r p; do
		[ -e "$p" ] || [ -L "$p" ] || continue
		# a directory that still holds something, or that another package
		# also ships (base-files has /usr/include), is not ours alone
		if [ -d "$p" ] && [ ! -L "$p" ]; then
			[ -n "$(ls -A "$p")" ] && continue
			dpkg -S "$p" >/dev/null 2>&1 && continue
		fi
		echo "$p"
	done </tmp/installed.list')
if [ -z "$left" ]; then ok "purged: nothing the packages installed is left"; else
	bad "purged, but left behind:"; printf '%s\n' "$left" | sed 's/^/     /'; fi
finish
