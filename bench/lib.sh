# bench/lib.sh - sourced by the benchmarks that take `[--rounds N]
# [BUILDDIR]` (bench/etcd.sh, bench/pkcs11.sh): their command line, and the
# variables the test libraries they source want.
#
#   bench_args "$@"   reads the benchmark's arguments: --rounds N sets
#                     ROUNDS (default 30); -h/--help prints the script's
#                     header comment and exits 0; a bad option is one
#                     line on stderr and exit 64, a missing build
#                     directory one line and exit 66.  Exports top_srcdir (this tree), top_builddir
#                     (BUILDDIR, default the current directory) and
#                     COBO_CREDENTIAL_MODULE_PATH (its modules).
BENCH_NAME=bench/$(basename "$0")
ROUNDS=30

# bench_usage: the script's header comment (line 2 to the first line that is not one).
bench_usage() {
	sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
}

bench_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--rounds)
			[[ ${2:-} =~ ^[1-9][0-9]*$ ]] ||
				{ echo "$BENCH_NAME: --rounds wants a positive number" >&2; exit 64; }
			ROUNDS=$2
			shift
			;;
		-h | --help) bench_usage; exit 0 ;;
		-*) echo "$BENCH_NAME: unknown option $1 (see --help)" >&2; exit 64 ;;
		*) break ;;
		esac
		shift
	done
	top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	top_builddir=$(cd "${1:-.}" 2> /dev/null && pwd) ||
		{ echo "$BENCH_NAME: no build directory ${1:-.}" >&2; exit 66; }
	export top_srcdir top_builddir COBO_CREDENTIAL_MODULE_PATH=$top_builddir/modules
}
