#!/bin/sh
# scripts/check-style.sh [--banned | --format] [TOP] - the style's two
# mechanical rules over the C sources (*.c *.h under src plugins include
# tests fuzz bench) of the tree at TOP (default: this script's tree):
#
#   --banned  no sprintf strcpy strcat strtok gets atoi (curl's checksrc
#             idea): code only - comments and string literals are not
#             calls.  Each hit is printed as FILE:LINE: and fails.
#   --format  clang-format --dry-run -Werror with the checked-in
#             .clang-format, on the paths listed in scripts/formatted.list
#             (files or directories, one a line) - the part of the tree
#             already formatted.  scripts/format.sh formats the tree and
#             widens the list to all of it.
#
# With no option both run.  Exit 0 when clean, 1 otherwise (also when
# clang-format is missing: install it with scripts/deps.sh test).
# `make check` runs this as tests/style/style.sh.
set -u

what=all
case "${1:-}" in
--banned) what=banned; shift ;;
--format) what=format; shift ;;
--*) echo "usage: $0 [--banned | --format] [TOP]" >&2; exit 64 ;;
esac
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1

DIRS="src plugins include tests fuzz bench"

# Prints the C files under the given paths, sorted, relative to TOP.
c_files()
{
	for p in "$@"; do
		[ -e "$p" ] || continue
		find "$p" -type f \( -name '*.c' -o -name '*.h' \) -print
	done | LC_ALL=C sort -u
}

# Reads file names on stdin; prints FILE:LINE: for each banned call.
banned_calls()
{
	xargs awk '
	FNR == 1 { incomment = 0 }
	{
		# Blank out comments and string/char literals, keep the rest.
		line = $0; n = length(line); out = ""; i = 1
		while (i <= n) {
			c = substr(line, i, 1); d = substr(line, i, 2)
			if (incomment) {
				if (d == "*/") { incomment = 0; i += 2 } else i++
				out = out " "
				continue
			}
			if (d == "/*") { incomment = 1; i += 2; out = out " "; continue }
			if (d == "//") break
			if (c == "\"" || c == "\047") {
				i++
				while (i <= n && substr(line, i, 1) != c)
					i += substr(line, i, 1) == "\\" ? 2 : 1
				i++
				out = out " \"\" "
				continue
			}
			out = out c; i++
		}
		s = out
		while (match(s, /(^|[^A-Za-z0-9_])(sprintf|strcpy|strcat|strtok|gets|atoi)([^A-Za-z0-9_]|$)/)) {
			name = substr(s, RSTART, RLENGTH)
			gsub(/[^A-Za-z0-9_]/, "", name)
			printf "%s:%d: %s is banned (ARCHITECTURE.md, "Conventions"): %s\n", FILENAME, FNR, name, hint[name]
			s = substr(s, RSTART + RLENGTH - 1)
			bad = 1
		}
	}
	BEGIN {
		hint["sprintf"] = "use snprintf and check the result"
		hint["strcpy"] = "use snprintf or memcpy with a known length"
		hint["strcat"] = "use snprintf or memcpy with a known length"
		hint["strtok"] = "use strtok_r or strspn/strcspn"
		hint["gets"] = "use fgets"
		hint["atoi"] = "use strtol with errno, end and range checks"
	}
	END { exit bad ? 1 : 0 }'
}

check_banned()
{
	# shellcheck disable=SC2086
	if c_files $DIRS | banned_calls; then
		echo "banned functions: none in $DIRS"
		return 0
	fi
	return 1
}

# The listed paths (comments and blank lines dropped).
formatted_paths()
{
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' scripts/formatted.list
}

check_format()
{
	cf=${CLANG_FORMAT:-clang-format}

	if ! command -v "$cf" >/dev/null 2>&1; then
		echo "clang-format not found: install it (scripts/deps.sh test)"
		return 1
	fi
	# shellcheck disable=SC2046
	files=$(c_files $(formatted_paths))
	[ -n "$files" ] || { echo "clang-format: scripts/formatted.list names no C files"; return 1; }
	# shellcheck disable=SC2086
	if ! "$cf" --style=file --dry-run -Werror $files; then
		echo "clang-format: the files above differ from .clang-format's layout;"
		echo "run scripts/format.sh (or clang-format -i FILE) and commit the result"
		return 1
	fi
	echo "clang-format ($("$cf" --version | sed 's/.*version //; s/ .*//')): \
$(echo "$files" | wc -l) files as .clang-format wants"
	return 0
}

r=0
case $what in
banned) check_banned || r=1 ;;
format) check_format || r=1 ;;
all) check_banned || r=1; check_format || r=1 ;;
esac
exit $r
