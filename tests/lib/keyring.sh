# tests/lib/keyring.sh - shared by the keyring-*.sh tests:
# a config whose stack is only the keyring module, and the driver wrapper.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

KR_DRIVER="$top_builddir/tests/keyring/keyring-driver"
[ -x "$KR_DRIVER" ] || { echo "keyring-driver not built"; exit 99; }

t_keyring_stack | t_config

# drv: runs the driver with the script on stdin; sets OUT, ERR, RC.
drv() {
	OUT=$("$KR_DRIVER" 2>"$T_TMP/drv.err")
	RC=$?
	ERR=$(cat "$T_TMP/drv.err")
}

# field NAME: the first "NAME value" line of OUT.
field() { printf '%s\n' "$OUT" | sed -n "s/^$1 //p" | head -n1; }

# count_items: number of items in OUT.
count_items() { printf '%s\n' "$OUT" | grep -c '^item$'; }

# ms: monotonic-enough wall clock in milliseconds.
ms() { date +%s%3N; }
