#!/bin/bash
# faults-matrix.sh - every fault mode of the Cobo test server x {mint,
# refresh, refresh whose reply is lost}, through the three front-ends in
# turn, on the real keyring.  oauth-faults.sh proves each fault's status
# and message at module level; this checks what reaches the user and what
# is left in the keyring:
#   - the documented outcome per protocol: git exits 0 with no answer and
#     one stderr line; docker exits 1 with one stdout line; cobo-credential
#     exits 75 (TRYAGAIN), 77 (DENIED) or 70 (ERROR) with one stderr line;
#     the message names the cause;
#   - nothing lost: after a failed refresh the cached access and refresh
#     tokens are exactly what they were and the access token still works at
#     the server; a failed mint stores nothing and leaves the other profile
#     alone; a refresh that recovers by minting stores a new, valid pair.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/hygiene.sh"

hy_faults_up
Q0=$(kr_tokens "$ORG2")
[[ $Q0 =~ ^[^\ ,]+\ [^\ ,]+$ ]] || { echo "q's pair is not cached: '$Q0'"; exit 99; }

# outcome FE: what the last fe_get showed, as the user would, in SEEN: OK,
# or the status its exit code and output stand for (git tells no status:
# FAIL).  (Set, not printed: no subshell per case.)
outcome() {
	local lines
	t_lines lines "$MSG"
	case $1 in
	git)
		if [ "$RC" = 0 ] && [ -n "$TOKEN" ] && [ -z "$ERR" ]; then SEEN=OK
		elif [ "$RC" = 0 ] && [ -z "$OUT" ] && [ "$lines" = 1 ] &&
			[[ $MSG =~ ^"git-credential-cobo: no Cobo access token for profile 'p', org "[^:]*": " ]]
		then SEEN=FAIL
		else SEEN="odd(rc=$RC lines=$lines)"; fi ;;
	docker)
		if [ "$RC" = 0 ] && [ -n "$TOKEN" ]; then SEEN=OK
		elif [ "$RC" = 1 ] && [ "$lines" = 1 ]; then SEEN=FAIL
		else SEEN="odd(rc=$RC lines=$lines)"; fi ;;
	cli)
		if [ "$RC" = 0 ] && [ -n "$TOKEN" ] && [ -z "$ERR" ]; then SEEN=OK
		elif [ "$lines" = 1 ]; then
			case $RC in 75) SEEN=TRYAGAIN ;; 77) SEEN=DENIED ;; 70) SEEN=ERROR ;;
			*) SEEN="odd(rc=$RC)" ;; esac
		else SEEN="odd(rc=$RC lines=$lines)"; fi ;;
	esac
}
# seen FE EXPECTED: the outcome to compare with EXPECTED (OK or a status), in SEEN.
seen() {
	outcome "$1"
	# git and docker do not tell the status apart: any failure is what they can show.
	[ "$1" != cli ] && [ "$SEEN" = FAIL ] && [ "$2" != OK ] && SEEN=$2
}
# expect_re DESC REGEX TEXT: expect_match (tests/lib/common.sh) read in
# bash: a line of TEXT matches the extended REGEX, as grep -E finds it,
# without the printf and grep processes.
expect_re() {
	local line
	while IFS= read -r line; do
		[[ $line =~ $2 ]] && { pass "$1"; return; }
	done <<< "$3"
	fail "$1"
	printf '       wanted /%s/ in: %q\n' "$2" "$3"
}

# P_LEFT: what the last case left in p's cache, as its checks found it:
# "empty" (a failed mint: nothing cached), "pair" (a failed refresh: AT0
# and RT0 untouched, and the server still takes both), or "" (anything else).
P_LEFT=
# fresh_p: p's cache emptied, then a new pair minted; AT0/RT0 hold it.
# The same plain mint before every refresh case: the first is leak-checked.
# After a failed mint the cache was found empty: nothing to clear.  After
# a failed refresh that left the pair untouched and unspent, that pair is
# the fresh pair: the next refresh case meets what a new mint would give
# it (an access token expired at LATER, a refresh token the server takes),
# without the mint and two secret-tool runs.
fresh_p() {
	local left=$P_LEFT
	P_LEFT=
	srv_clear
	[ "$left" != pair ] || return 0
	[ "$left" = empty ] || secret-tool clear xdg:schema com.cobo.credential.Token org_id "$ORG" 2>/dev/null
	t_leak_check_first fresh_p
	git_get "$HOST_P" "$ORG"
	t_leak_check_all
	kr_both
	AT0=$P_AT RT0=$P_RT
	[ -n "$AT0" ] && [ -n "$RT0" ] || fail "setup: could not mint for p ($ERR)"
}

# case_mint NAME FE FAULT EXPECT REGEX: p's cache is empty, the fault is on
# every mint; q's cached pair must stay (Q0: as minted at the start).
case_mint() {
	P_LEFT=
	srv_clear
	secret-tool clear xdg:schema com.cobo.credential.Token org_id "$ORG" 2>/dev/null
	srv_fault "$3"
	fe_get "$2"
	srv_clear
	verdict "$1 / mint / $2" "$2" "$4" "$5"
	if [ "$4" = OK ]; then
		expect_eq "$1 / mint / $2: the new token is cached and valid" "$TOKEN true" \
			"$(kr_token access "$ORG") $(srv_valid access "$TOKEN")"
	else
		kr_both
		expect_eq "$1 / mint / $2: nothing cached for p, q untouched" " |$Q0" \
			"$P_AT $P_RT|$Q_AT $Q_RT"
		[ -n "$P_AT$P_RT" ] || P_LEFT=empty
	fi
}

# case_refresh NAME FE FAULT EXPECT REGEX [lost]: p holds a fresh pair, the
# clock moves past the access token, the fault hits the refresh (once); or,
# with "lost", the refresh's reply is lost and the fault hits every mint.
case_refresh() {
	local col=refresh
	fresh_p
	if [ "${6:-}" = lost ]; then
		col="lost refresh reply"
		srv_fault '{"mode":"lost_reply","on":"refresh"}'
	fi
	srv_fault "$3"
	# The lost column is the same lost refresh each time, then the mint
	# column's fault (its module path leak-checked there), then the core's
	# and front-end's path for the status: the first run of each front-end
	# and status is leak-checked, the repeats are not (ASan and UBSan stay on).
	[ "${6:-}" != lost ] || t_leak_check_first "lost $2 $4"
	fe_get "$2" "$LATER"
	t_leak_check_all
	srv_clear
	verdict "$1 / $col / $2" "$2" "$4" "$5"
	kr_both
	if [ "$4" = OK ]; then
		local new=
		[ "$P_RT" != "$RT0" ] && new=new
		expect_eq "$1 / $col / $2: a new valid pair is cached" "$TOKEN true true new" \
			"$P_AT $(srv_valid access "$P_AT") $(srv_valid refresh "$P_RT") $new"
	else
		local v
		v=$(srv_valid access "$AT0")
		expect_eq "$1 / $col / $2: the cached pair is untouched, its access token still valid" \
			"$AT0 $RT0 true" "$P_AT $P_RT $v"
		[ "$P_AT $P_RT $v" != "$AT0 $RT0 true" ] || [ "$(srv_valid refresh "$RT0")" != true ] ||
			P_LEFT=pair
	fi
}

# verdict DESC FE EXPECT REGEX: the outcome, and a failure's message.
verdict() {
	seen "$2" "$3"
	expect_eq "$1: outcome" "$3" "$SEEN"
	if [ "$3" != OK ]; then
		expect_re "$1: the message names the cause" "$4" "$MSG"
		case $MSG in *AT_*|*RT_*) fail "$1: a token in the message" ;; esac
	fi
}

# The table.  Per fault: its JSON (without "on"), the outcome when it hits
# the mint, the refresh, the mint after a lost refresh reply, and the cause
# the message must name.  Faults on a mint persist ("count":-1), so retries
# meet them too.
FE=(git docker cli)
ROW=0
row() {
	local name=$1 fault=$2 mint=$3 refresh=$4 lost=$5 re=$6
	local m=${fault%\}} f1 f2 f3
	f1="$m,\"on\":\"mint\",\"count\":-1}"
	f2="$m,\"on\":\"refresh\"}"
	case_mint "$name" "${FE[$((ROW % 3))]}" "$f1" "$mint" "$re"
	case_refresh "$name" "${FE[$(((ROW + 1) % 3))]}" "$f2" "$refresh" "$re"
	case_refresh "$name" "${FE[$(((ROW + 2) % 3))]}" "$f1" "$lost" "$re" lost
	ROW=$((ROW + 1))
}

row "HTTP 500" '{"mode":"status","status":500}' TRYAGAIN TRYAGAIN TRYAGAIN 'HTTP 500'
row "HTTP 503 unsigned" '{"mode":"status","status":503,"signed":false}' TRYAGAIN TRYAGAIN TRYAGAIN \
	'HTTP 503 without a Cobo signature'
row "HTTP 429 unsigned" '{"mode":"status","status":429,"signed":false}' TRYAGAIN TRYAGAIN TRYAGAIN 'HTTP 429'
row "HTTP 401 bad signature" '{"mode":"status","status":401,"body":{"error_code":2024,"error_message":"signature verification failed","error_id":"ab12"}}' \
	DENIED DENIED DENIED 'error 2024: signature verification failed \(error id ab12\)'
row "HTTP 403 not installed" '{"mode":"status","status":403}' DENIED DENIED DENIED 'not installed'
row "HTTP 400 invalid_grant" '{"mode":"status","status":400}' DENIED OK DENIED 'invalid_grant'
row "HTTP 302" '{"mode":"status","status":302,"headers":{"Location":"https://evil.example/"}}' \
	ERROR ERROR ERROR 'redirects are not followed'
# The server holds the request (until srv_clear lets it go): it answers
# only after the helper has given up, whatever the machine's speed.
row "no answer within the timeout" '{"mode":"hold"}' TRYAGAIN OK TRYAGAIN 'within 5 s'
row "connection closed" '{"mode":"close"}' TRYAGAIN OK TRYAGAIN 'cannot reach 127.0.0.1'
row "connection reset" '{"mode":"reset"}' TRYAGAIN OK TRYAGAIN 'cannot reach 127.0.0.1'
row "reply lost" '{"mode":"lost_reply"}' TRYAGAIN OK TRYAGAIN 'cannot reach 127.0.0.1'
row "truncated JSON" '{"mode":"truncated_json"}' ERROR ERROR ERROR 'truncated JSON'
row "invalid JSON" '{"mode":"invalid_json"}' ERROR ERROR ERROR 'invalid JSON'
row "missing refresh_token" '{"mode":"missing_field","field":"refresh_token"}' ERROR ERROR ERROR \
	"field 'refresh_token' is missing"
row "expires_in a string" '{"mode":"wrong_type"}' ERROR ERROR ERROR "field 'expires_in' is not an integer"
row "bad signature" '{"mode":"bad_signature"}' ERROR ERROR ERROR 'response signature invalid'
row "no signature" '{"mode":"no_signature"}' ERROR ERROR ERROR 'response signature invalid'
row "wrong key signature" '{"mode":"wrong_key_signature"}' ERROR ERROR ERROR 'response signature invalid'
row "huge body" '{"mode":"huge_body","bytes":70000}' ERROR ERROR ERROR 'response too large'
row "expires_in 0" '{"mode":"expires_in","value":0}' ERROR ERROR ERROR "field 'expires_in' is out of range"
row "empty access token" '{"mode":"empty_token"}' ERROR ERROR ERROR "field 'access_token' is empty"

t_done
