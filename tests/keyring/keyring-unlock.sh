#!/bin/bash
# keyring-unlock.sh - the unlock rule (plugins/keyring/unlock.c, issue 31),
# both sides, with git's and Docker's way of running a helper (stdin a
# pipe, no terminal, COBO_CREDENTIAL_INTERACTIVE unset):
#   - KWallet right after a KDE login: the wallet open, its collection
#     Locked=true, an Unlock completing with no dialog.  Every operation
#     works, and no prompt was left waiting.
#   - GNOME Keyring locked, KeePassXC's database locked: a real password
#     dialog nobody can answer.  The call fails within prompt_timeout with
#     the provider's own advice, and writes nothing.
# Each provider missing here is a SKIP of its part (printed), never a pass;
# with none installed the script is a SKIP.
. "$top_srcdir/tests/lib/common.sh"
COBO_TEST_PROVIDER=kwallet
. "$top_srcdir/tests/lib/gnome-keyring.sh"
. "$top_srcdir/tests/lib/keepassxc.sh"

KR_DRIVER="$top_builddir/tests/keyring/keyring-driver"
[ -x "$KR_DRIVER" ] || { echo "keyring-driver not built"; exit 99; }
unset COBO_CREDENTIAL_INTERACTIVE # what git and docker give: stdin a pipe
{ t_keyring_stack; printf '[module keyring]\nprompt_timeout = 2\n'; } | t_config

# drv: the driver with the script on stdin (a pipe); sets OUT, ERR, RC, MS.
drv() {
	local t0
	t0=$(date +%s%3N)
	OUT=$("$KR_DRIVER" 2>"$T_TMP/drv.err")
	RC=$?
	MS=$(($(date +%s%3N) - t0))
	ERR=$(cat "$T_TMP/drv.err")
}
field() { printf '%s\n' "$OUT" | sed -n "s/^$1 //p" | head -n1; }
op() {
	printf 'op %s\nschema org.git.Password\nattr protocol=https\nattr host=%s\n' "$1" "$2"
	[ -n "${3:-}" ] && printf 'attr username=alice\nsecret %s\n' "$3"
	return 0
}
skipped=0

# --- KWallet, as a KDE login leaves it -------------------------------------------------
why=$(kwl_missing)
if [ -n "$why" ]; then
	echo "SKIP: the KWallet part: $why"
	skipped=$((skipped + 1))
else
	KWL_LOCKED=1 kwl_start || { echo "FAIL - kwl_start"; exit 1; }
	expect_eq "KWallet after login: the collection reads locked" true \
		"$(kr_collection_locked "$KR_COLLECTION")"
	drv < <(op store kde.example pw-kde)
	expect_eq "KWallet after login: store, no terminal" SUCCESS "$(field status)"
	[ -n "$ERR" ] && echo "       ($ERR)"
	expect_eq "KWallet after login: now unlocked, by the helper" false \
		"$(kr_collection_locked "$KR_COLLECTION")"
	drv < <(op get kde.example)
	expect_eq "KWallet: get" "SUCCESS pw-kde" "$(field status) $(field secret)"
	# the daemon started again: locked as after a login, a get is the first call
	keyring_stop
	KWL_LOCKED=1 kwl_start || { echo "FAIL - kwl_start again"; exit 1; }
	expect_eq "KWallet after a second login: locked again" true \
		"$(kr_collection_locked "$KR_COLLECTION")"
	drv < <(op get kde.example)
	expect_eq "KWallet after login: get is the first call" "SUCCESS pw-kde" \
		"$(field status) $(field secret)"
	# (a prompt that had needed a dialog would have been dismissed: TRYAGAIN)
	expect_eq "KWallet after login: no complaint" "" "$ERR"
	drv < <(op erase kde.example)
	expect_eq "KWallet after login: erase" SUCCESS "$(field status)"
	keyring_stop
fi

# locked_side NAME: the provider's collection is locked with a real dialog
# behind it; store and get fail within prompt_timeout (2 s, plus 2 s grace
# for Dismiss, 5x margin) saying so, and nothing is written.
locked_side() {
	local hint=$2
	drv < <(op store locked.example pw-locked)
	expect_eq "$1 locked: store refused" TRYAGAIN "$(field status)"
	expect_match "$1 locked: store: the provider's advice" "$hint" "$ERR"
	expect_eq "$1 locked: store: one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
	check "$1 locked: store: within prompt_timeout ($MS ms < 20000)" test "$MS" -lt 20000
	drv < <(op get locked.example)
	expect_eq "$1 locked: get refused" TRYAGAIN "$(field status)"
	expect_match "$1 locked: get: the provider's advice" "$hint" "$ERR"
	check "$1 locked: get: within prompt_timeout ($MS ms < 20000)" test "$MS" -lt 20000
}

# --- GNOME Keyring, locked ------------------------------------------------------------
KR_PROVIDER=gnome-keyring
if ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
	echo "SKIP: the GNOME Keyring part: gnome-keyring-daemon is not installed"
	skipped=$((skipped + 1))
else
	gkr_start || { echo "FAIL - gkr_start"; exit 1; }
	keyring_lock || { echo "FAIL - keyring_lock"; exit 1; }
	locked_side "GNOME Keyring" 'locked \(GNOME Keyring\); unlock it \(.*gnome-keyring-daemon --unlock\)'
	n=$(secret-tool search --all server locked.example 2>&1 | grep -c '^label = ')
	expect_eq "GNOME Keyring locked: nothing left behind" 0 "$n"
	keyring_stop
fi

# --- KeePassXC, database locked -------------------------------------------------------
why=$(kpx_missing)
if [ -n "$why" ]; then
	echo "SKIP: the KeePassXC part: $why"
	skipped=$((skipped + 1))
else
	kpx_start || { echo "FAIL - kpx_start"; exit 1; }
	keyring_lock || { echo "FAIL - keyring_lock"; exit 1; }
	locked_side KeePassXC 'locked \(KeePassXC\); unlock it \(unlock the database in KeePassXC\)'
	keyring_stop
	kpx_start || { echo "FAIL - kpx_start again"; exit 1; }
	drv < <(op get locked.example)
	expect_eq "KeePassXC unlocked again: nothing was left behind" NOTFOUND "$(field status)"
	keyring_stop
fi

[ "$skipped" -eq 3 ] && exit 77
t_done
