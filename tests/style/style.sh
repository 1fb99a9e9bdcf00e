#!/bin/sh
# The style's mechanical rules (ARCHITECTURE.md, "Conventions") in `make check`: no banned function
# (sprintf strcpy strcat strtok gets atoi) in the C sources, and the files
# in scripts/formatted.list laid out as .clang-format says.  Both checks
# are scripts/check-style.sh; this only skips (77) when clang-format is
# not installed, and then only after the banned-function check passed.
: "${top_srcdir:?run through make check (top_srcdir unset)}"

sh "$top_srcdir/scripts/check-style.sh" --banned "$top_srcdir" || exit 1
if ! command -v "${CLANG_FORMAT:-clang-format}" >/dev/null 2>&1; then
	echo "SKIP: clang-format is not installed (scripts/deps.sh test installs it)"
	exit 77
fi
sh "$top_srcdir/scripts/check-style.sh" --format "$top_srcdir" || exit 1
