#!/bin/bash
# faults-local.sh - local faults under the three front-ends (the fault
# matrix's second half; faults-matrix.sh has the server's faults): the
# keyring daemon killed in the middle of a refresh, a locked keyring, an
# unreadable config, a corrupt file store, a full disk (RLIMIT_FSIZE), a
# store lock and a mint lock held by a stuck process, the clock jumped
# back and forward.  Each gives the documented outcome per protocol with a
# one-line message, and the cached access and refresh tokens are intact
# afterwards (read back with secret-tool, or byte for byte from the store).
. "$top_srcdir/tests/lib/common.sh"
HY_TIMEOUT=120 # requests are held at the server while the test acts (no timeout tested here)
. "$top_srcdir/tests/lib/hygiene.sh"

hy_faults_up

# answered DESC: the last fe_get answered a token that the server accepts.
answered() {
	expect_eq "$1: answered a valid token" "0 true" "$RC $(srv_valid access "$TOKEN")"
}
# refused DESC FE REGEX [CLI_EXIT]: the last fe_get failed per FE's protocol
# with one line matching REGEX.
refused() {
	case $2 in
	git) expect_eq "$1: exit 0, no answer" "0|" "$RC|$OUT" ;;
	docker) expect_eq "$1: exit 1" 1 "$RC" ;;
	cli) expect_eq "$1: exit ${4:-75}" "${4:-75}" "$RC" ;;
	esac
	one_line "$1" "$MSG"
	expect_match "$1: says why" "$3" "$MSG"
}
# fresh_p: p's cache emptied, a new pair minted into it: AT0 RT0 (and q's
# pair, Q0).  The same plain mint starts each case: the first is
# leak-checked, the repeats are not (ASan and UBSan stay on).
fresh_p() {
	srv_clear
	secret-tool clear xdg:schema com.cobo.credential.Token org_id "$ORG" 2>/dev/null
	t_leak_check_first fresh_p
	git_get "$HOST_P" "$ORG"
	t_leak_check_all
	kr_both
	AT0=$P_AT RT0=$P_RT Q0="$Q_AT $Q_RT"
	[ -n "$AT0" ] && [ -n "$RT0" ] || fail "setup: could not mint for p ($ERR)"
}
# intact DESC: p's pair is AT0 RT0 and q's is what it was.
intact() {
	kr_both
	expect_eq "$1: the cached tokens are intact" "$AT0 $RT0|$Q0" "$P_AT $P_RT|$Q_AT $Q_RT"
}
# recovers DESC FE: the next refresh works (a used-up refresh token makes it mint).
recovers() {
	fe_get "$2" $((LATER * 2))
	kr_both
	expect_eq "$1: the next get recovers and caches a valid pair" "0 $TOKEN true true" \
		"$RC $P_AT $(srv_valid access "$P_AT") $(srv_valid refresh "$P_RT")"
}

# hold_lock FILE: a stuck process holding an exclusive flock on FILE; its
# PID (the holder itself, which the test kills) is HOLDER.  The holder says
# "held" on a FIFO once it has the lock, and the test blocks reading it (a
# barrier, no polling; 60 s is a safety net).
hold_lock() {
	local fd said=
	rm -f "$T_TMP/held"
	mkfifo "$T_TMP/held"
	exec {fd}<> "$T_TMP/held"
	(exec 8>> "$1" && flock -x 8 && echo held >&"$fd" && exec sleep 600) &
	HOLDER=$!
	t_on_exit "kill $HOLDER 2>/dev/null"
	read -r -t 60 -u "$fd" said
	exec {fd}<&-
	[ "$said" = held ] || fail "could not take the lock $1 (60 s)"
}

# --- the keyring daemon killed between the cache read and the store ------------------------
for fe in git docker cli; do
	fresh_p
	# The server holds the refresh until the daemon is dead (a barrier, not a delay).
	srv_fault '{"mode":"hold","on":"refresh"}'
	cobo_server_ctl POST /_test/stats/reset >/dev/null
	(fe_get "$fe" "$LATER"; echo "$RC $TOKEN" > "$T_TMP/bg") &
	pid=$!
	cobo_server_held_wait 1 || fail "keyring killed mid-refresh ($fe): the refresh never came"
	keyring_kill
	cobo_server_release || fail "keyring killed mid-refresh ($fe): release"
	wait "$pid"
	keyring_start || { fail "keyring restart"; break; }
	expect_eq "keyring killed mid-refresh ($fe): the refresh was under way" "0 1" "$(srv_stats "$ORG")"
	read -r RC TOKEN < "$T_TMP/bg"
	answered "keyring killed mid-refresh ($fe): the refreshed token"
	intact "keyring killed mid-refresh ($fe)"
	recovers "keyring killed mid-refresh ($fe)" "$fe"
done

# --- a locked keyring: the stack goes on to the minter (TRYAGAIN=continue) ----------------
fresh_p
keyring_lock || fail "lock the keyring"
fe_get docker
answered "keyring locked (docker)"
fe_get cli
answered "keyring locked (cli)"
keyring_start || fail "keyring restart (unlocks)"
intact "keyring locked"

# --- an unreadable config (root without CAP_DAC_OVERRIDE reads like anyone else) ------------
fresh_p
chmod 000 "$COBO_CREDENTIAL_CONFIG"
NOCAP=(setpriv --bounding-set=-dac_override,-dac_read_search)
hy_run "$(printf 'protocol=https\nhost=%s\n\n' "$HOST_P")" "${NOCAP[@]}" "$GIT_H" get; MSG=$ERR
refused "config unreadable (git)" git "cannot open $COBO_CREDENTIAL_CONFIG: Permission denied"
hy_run "$HOST_P" "${NOCAP[@]}" "$DOCKER_H" get; MSG=$OUT
refused "config unreadable (docker)" docker "cannot open $COBO_CREDENTIAL_CONFIG: Permission denied"
hy_run "" "${NOCAP[@]}" "$CLI_H" token --profile p; MSG=$ERR
refused "config unreadable (cli)" cli "cannot open $COBO_CREDENTIAL_CONFIG: Permission denied" 78
chmod 600 "$COBO_CREDENTIAL_CONFIG"
intact "config unreadable"

# --- the mint lock held by a stuck process ----------------------------------------------------
fresh_p
COBO_CREDENTIAL_TRACE=1 COBO_CREDENTIAL_NOW_OFFSET=$LATER git_get "$HOST_P" "$ORG"
LOCK=$(printf '%s\n' "$ERR" | sed -n 's/.*locked \(mint-[0-9a-f]*\)$/\1/p' | head -1)
LOCK=$XDG_RUNTIME_DIR/cobo-credential/$LOCK.lock
check "the mint lock of p is $LOCK" test -f "$LOCK"
fresh_p
hold_lock "$LOCK"
cobo_server_ctl POST /_test/stats/reset >/dev/null
# "At once": a fresh token never waits for the mint lock (the core traces
# "waiting for lock" when it does), so no clock is read here.
COBO_CREDENTIAL_TRACE="$T_TMP/fresh.trace" fe_get cli
expect_eq "mint lock held, token fresh (cli): answered from the cache at once" "0 $AT0 0 0 0" \
	"$RC $TOKEN $(grep -c 'waiting for lock' "$T_TMP/fresh.trace") $(srv_stats "$ORG")"
rm -f "$T_TMP/stale.trace"
(COBO_CREDENTIAL_TRACE="$T_TMP/stale.trace" fe_get git "$LATER"; echo "$RC $TOKEN" > "$T_TMP/bg") &
pid=$!
# Barrier: the helper says it waits for the lock (it gives up after 10 s).
t_wait_trace "$T_TMP/stale.trace" 'waiting for lock mint-' ||
	fail "timed out (60 s) waiting for the stale helper to trace its lock wait"
expect_eq "mint lock held, token stale (git): waits, no request made" "yes 0 0" \
	"$(grep -q 'waiting for lock mint-' "$T_TMP/stale.trace" && kill -0 "$pid" 2>/dev/null && echo yes) $(srv_stats "$ORG")"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
wait "$pid"
expect_eq "mint lock released by its stuck holder's death: one refresh" "0 1" "$(srv_stats "$ORG")"
read -r RC TOKEN < "$T_TMP/bg"
answered "mint lock released: the waiting get"
kr_both
NEW=
[ "$P_RT" != "$RT0" ] && NEW=new
expect_eq "... and a new valid pair is cached" "true true new" \
	"$(srv_valid access "$P_AT") $(srv_valid refresh "$P_RT") $NEW"

# --- the clock jumped -------------------------------------------------------------------------
fresh_p
cobo_server_ctl POST /_test/stats/reset >/dev/null
fe_get docker -86400
expect_eq "clock back a day (docker): the cached token, no request" "0 $AT0 0 0" \
	"$RC $TOKEN $(srv_stats "$ORG")"
intact "clock back a day"
srv_fault '{"mode":"status","status":503,"signed":false,"count":-1}'
fe_get cli "$LATER"
refused "clock forward past expiry, server down (cli)" cli 'HTTP 503' 75
intact "clock forward past expiry, server down"
expect_eq "... and the cached access token still works at the server" true "$(srv_valid access "$AT0")"
fe_get git 3400
expect_eq "clock forward into the refresh window, server down (git): the still-valid token" \
	"0 $AT0" "$RC $TOKEN"
intact "clock forward into the refresh window, server down"
srv_clear
fe_get git "$LATER"
answered "clock forward past expiry (git)"
kr_both
NEW=
[ "$P_RT" != "$RT0" ] && NEW=new
expect_eq "clock forward past expiry: the pair was refreshed" "$TOKEN true new" \
	"$P_AT $(srv_valid refresh "$P_RT") $NEW"
fe_get docker $((40 * 86400))
answered "clock forward 40 days, past the refresh token's life (docker)"

# --- the file store: corrupt, full disk, its lock held ----------------------------------------
hy_config file '[module file]' 'lock_timeout_ms = 300'
STORE=$XDG_DATA_HOME/cobo-credential/store
git_get "$HOST_Q" "$ORG2"
git_get "$HOST_P" "$ORG"
run_git store "$(printf 'protocol=https\nhost=git.example\nusername=u\npassword=pw-1\n\n')"
cp "$STORE" "$T_TMP/store.good"
[ "$(grep -c '^item$' "$STORE")" = 5 ] || fail "setup: five items in the file store"

# corrupt: the store's own message must reach the user, the file stays as it is.
printf 'item\nschema x\n' >> "$STORE"
cp "$STORE" "$T_TMP/store.bad"
cobo_server_ctl POST /_test/stats/reset >/dev/null
WHY=
fe_get git
[ "$RC|$OUT" = "0|" ] && printf '%s' "$MSG" | grep -q "$STORE line [0-9]*: .*move it away" ||
	WHY="$WHY git: rc $RC, said '${MSG:0:80}';"
fe_get docker
[ "$RC" = 1 ] && printf '%s' "$MSG" | grep -q "$STORE line [0-9]*: .*move it away" ||
	WHY="$WHY docker: rc $RC, said '${MSG:0:80}';"
fe_get cli
[ "$RC" = 70 ] && printf '%s' "$MSG" | grep -q "$STORE line [0-9]*: .*move it away" ||
	WHY="$WHY cli: rc $RC, said '${MSG:0:80}';"
[ "$(srv_stats "$ORG")" = "0 0" ] || WHY="$WHY minted meanwhile ($(srv_stats "$ORG"));"
# REGRESSION (found here, fixed in the core; the same as hygiene-files.sh's): the
# file module answers ERROR with "STORE line N: ...; move it away", and the
# lifecycle takes it as a miss: it mints, answers, and the message never
# reaches the user (and every call mints).  Expected (ARCHITECTURE.md: ERROR
# fails closed): the message, per protocol, and no mint.
expect_eq "store corrupt: the store's message reaches the user of all three, no mint" "" "$WHY"
check "store corrupt: the file is byte for byte as it was" cmp -s "$STORE" "$T_TMP/store.bad"
cp "$T_TMP/store.good" "$STORE"

# full disk: a write past RLIMIT_FSIZE fails; the store is never cut short.
cobo_server_ctl POST /_test/stats/reset >/dev/null
printf 'protocol=https\nhost=git2.example\nusername=u\npassword=pw-2\n\n' > "$T_TMP/req"
(ulimit -f 1; "$GIT_H" store < "$T_TMP/req" > "$T_TMP/out" 2> "$T_TMP/err")
RC=$? MSG=$(cat "$T_TMP/err")
expect_eq "full disk, git store: exit 1" 1 "$RC"
one_line "full disk, git store" "$MSG"
expect_match "full disk, git store: says why" "File too large; the store is unchanged, free some space and retry" "$MSG"
(ulimit -f 1; "$DOCKER_H" store <<< '{"ServerURL":"reg.example","Username":"u","Secret":"s"}' > "$T_TMP/out")
RC=$? MSG=$(cat "$T_TMP/out")
expect_eq "full disk, docker store: exit 1" 1 "$RC"
expect_match "full disk, docker store: says why" "File too large; the store is unchanged" "$MSG"
(ulimit -f 1; fe_get cli "$LATER"; echo "$RC $(srv_valid access "$TOKEN")" > "$T_TMP/res"
	printf '%s' "$MSG" > "$T_TMP/msg")
expect_eq "full disk, refresh (cli): the refreshed token is still answered" "0 true" "$(cat "$T_TMP/res")"
MSG=$(cat "$T_TMP/msg")
one_line "full disk, refresh (cli): the warning" "$MSG"
expect_match "full disk, refresh (cli): warns that the new refresh token was not kept, and why" \
	"^cobo-credential: warning: the new refresh token could not be cached \(.*File too large.*\), so the next call asks the server again$" "$MSG"
check "full disk: the store is byte for byte as it was" cmp -s "$STORE" "$T_TMP/store.good"
expect_eq "full disk: no temporary file left" "store store.lock" "$(ls "$(dirname "$STORE")" | xargs)"
fe_get git $((LATER * 2))
answered "full disk over: the next get recovers (git)"

# the store's lock held by a stuck process
cp "$STORE" "$T_TMP/store.good"
hold_lock "$STORE.lock"
run_git store "$(printf 'protocol=https\nhost=git3.example\nusername=u\npassword=pw-3\n\n')"
expect_eq "store lock held, git store: exit 1" 1 "$RC"
one_line "store lock held, git store" "$ERR"
expect_match "store lock held, git store: says why" "lock .*; try again" "$ERR"
run_docker store '{"ServerURL":"reg.example","Username":"u","Secret":"s"}'
expect_eq "store lock held, docker store: exit 1" 1 "$RC"
expect_match "store lock held, docker store: says why" "lock .*; try again" "$OUT"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
check "store lock held: the store is byte for byte as it was" cmp -s "$STORE" "$T_TMP/store.good"
run_git get "$(printf 'protocol=https\nhost=git.example\n\n')"
expect_match "lock released: the stored credential is there" "password=pw-1" "$OUT"

t_done
