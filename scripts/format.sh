#!/bin/sh
# scripts/format.sh [FILE...] - lays out C files as .clang-format says.
# With no arguments: every *.c and *.h under src plugins include tests fuzz
# bench, and scripts/formatted.list then names those directories, so
# scripts/check-style.sh (tests/style/style.sh in `make check`) holds the whole
# tree to the layout from then on.  Commit the result as one
# formatting-only commit.
set -eu

cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null 2>&1 || {
	echo "clang-format not found: install it (scripts/deps.sh test)" >&2
	exit 1
}
DIRS="src plugins include tests fuzz bench"

if [ $# -gt 0 ]; then
	"$cf" --style=file -i "$@"
	exit 0
fi
# shellcheck disable=SC2086
find $DIRS -type f \( -name '*.c' -o -name '*.h' \) -print | LC_ALL=C sort |
	xargs "$cf" --style=file -i
{
	sed -n '/^#/p' scripts/formatted.list | sed '/^# Until then/,$d'
	for d in $DIRS; do echo "$d"; done
} > scripts/formatted.list.new
mv scripts/formatted.list.new scripts/formatted.list
echo "formatted with $("$cf" --version); scripts/formatted.list now names: $DIRS"
