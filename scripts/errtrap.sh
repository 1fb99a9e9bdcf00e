# scripts/errtrap.sh - sourced by the bash scripts that run with `set -e`:
# a command that ends the script says which command it was, where it stood
# and how it failed, so no script ever stops without a word.  errtrace
# (set -E) carries the trap into functions and subshells, where a failure
# in a sourced library (tests/lib, tests/server) otherwise goes unnamed.
set -E
trap 'errtrap_say "$?" "$BASH_COMMAND" "${BASH_SOURCE[0]:-$0}" "$LINENO"' ERR
errtrap_say() {
	printf '%s:%s: exit %s: %s\n' "$3" "$4" "$1" "$2" >&2
}
