#!/bin/bash
# Every built module exports exactly one dynamic symbol: cobocred_module_init.
. "$top_srcdir/tests/lib/common.sh"

n=0
for so in "$top_builddir"/modules/*.so; do
	[ -e "$so" ] || continue
	n=$((n + 1))
	syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sort)
	expect_eq "$(basename "$so") exports only cobocred_module_init" "cobocred_module_init" "$syms"
	# And it really is a loadable module that hands out an ABI-1 struct
	# (a sanitizer build cannot be loaded into an uninstrumented python).
	if nm -D "$so" | grep -q ' U __asan_init'; then continue; fi
	abi=$("$PYTHON" - "$so" <<'PY'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
init = lib.cobocred_module_init
init.restype = ctypes.POINTER(ctypes.c_uint32)
m = init(ctypes.c_uint32(1 << 16))
print(m[0] >> 16 if m else "NULL")
PY
)
	expect_eq "$(basename "$so") init returns an ABI 1 module" "1" "$abi"
done
check "at least the file module was built" test "$n" -ge 1
t_done
