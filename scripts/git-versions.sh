#!/bin/bash
# scripts/git-versions.sh [SUITE...] - git-credential-cobo against other git
# versions: for each Debian suite (default: bookworm, the distribution's git,
# and sid, the newest git Debian has), fetch Debian's git source package,
# build it, and run with that git
#   - git's own external-helper test, t/t0303-credential-external.sh, on the
#     file and the keyring stacks (tests/git/t0303.sh), and
#   - our git-*.sh integration tests, with that version's
#     git-credential-libsecret for the interop checks.
#
# Not part of scripts/test.sh: two git builds take about 8 minutes on two
# cores, more than CI's budget allows.  Results are in README.md.
#
# BUILD: a configured and built tree (default _build/gcc, which
# scripts/test.sh leaves).  WORK: where git is fetched and built
# (default _build/git-versions; a built tree there is reused).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/_build/gcc}
WORK=${WORK:-$top/_build/git-versions}
[ $# -gt 0 ] || set -- bookworm sid
[ -x "$BUILD/src/git/git-credential-cobo" ] ||
	{ echo "git-versions: build first (scripts/test.sh, or BUILD=dir)" >&2; exit 66; }
"$top/scripts/deps.sh" git-versions

# fetch SUITE: the upstream tree of that suite's git source package; prints its path.
fetch() {
	local suite=$1 d=$WORK/$1 apt
	mkdir -p "$d/lists/partial"
	echo "deb-src http://deb.debian.org/debian $suite main" > "$d/sources.list"
	apt=(-q -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$d/lists")
	apt-get "${apt[@]}" update >&2
	(cd "$d" && apt-get "${apt[@]}" source --download-only git >&2)
	local orig
	orig=$(ls "$d"/git_*.orig.tar.* | tail -n 1)
	local tree=$d/$(basename "$orig" | sed 's/^git_\(.*\)\.orig\.tar\..*$/git-\1/')
	[ -d "$tree" ] || tar -C "$d" -xf "$orig"
	printf '%s\n' "$tree"
}

rc=0
for suite in "$@"; do
	tree=$(fetch "$suite")
	echo "== $suite: $(basename "$tree")"
	[ -x "$tree/git" ] && [ -x "$tree/t/helper/test-tool" ] ||
		make -C "$tree" -s -j"$(nproc)" NO_GETTEXT=1 NO_TCLTK=1 NO_PERL=1 NO_PYTHON=1 \
			NO_EXPAT=1 all > "$WORK/$suite/build.log" 2>&1 ||
		{ echo "$suite: building git failed; see $WORK/$suite/build.log"; rc=1; continue; }
	top_srcdir=$top top_builddir=$BUILD COBO_CREDENTIAL_MODULE_PATH=$BUILD/modules \
		PYTHON=/usr/bin/python3 bash "$top/tests/git/t0303.sh" "$tree" || rc=1
	PATH="$tree/bin-wrappers:$PATH" \
	GH_LIBSECRET_SRC="$tree/contrib/credential/libsecret/git-credential-libsecret.c" \
		make -C "$BUILD" -s check TESTS="$(cd "$top" && echo tests/git/git-*.sh)" ||
		rc=1
	grep -h '^# git ' "$BUILD"/tests/git/git-*.log | sort -u
done
exit $rc
