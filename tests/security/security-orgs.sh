#!/bin/bash
# security-orgs.sh - one app, many orgs (issue 14): a token of org A never
# answers a request for org B, and a profile answers only the orgs its
# org_id names (a list, or '*': any org id).
#
# The file store already holds a distinct access token for each of four
# orgs under two profiles' apps - including an org the list profile does
# NOT name - so nothing here touches the network.  Then generated user
# names (each org exact, case-flipped, cut short, extended, joined with
# another, blanks, escapes, '*', profile names) go through the real
# `git credential fill` (https://USER@HOST/ and credential.https://HOST.username),
# the git helper's stdin, and the Docker helper (cobo://PROFILE/ORG and
# the bare host).  Each answer must be exactly the named org's token, or
# no token at all; never another org's.  Under the sanitizers the first
# request of each kind (front-end, profile, answered or not) is
# leak-checked, not its repeats (t_leak_check_first).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/lib/docker.sh"

HL=api.dev.cobo.com       # [profile list]: org_id = A, B
HA=api.sandbox.cobo.com   # [profile any]:  org_id = *
ORGS="org-a org-b org-c e3986401-4aec-480a-973d-e775a4518413"
STORE=$T_TMP/store
NOW=$(date +%s)

# tok HOST ORG: the token cached for ORG under HOST's profile (in T_OK;
# printed when run in $(...)).  Pure bash: the judge below runs it
# thousands of times.
tok() {
	local label=${1#*.}
	T_OK=AT_${label%%.*}_${2//[^A-Za-z0-9$'\n']/_}
	printf '%s' "$T_OK"
}
{
	echo "cobo-credential-store 1"
	for h in $HL $HA; do
		for o in $ORGS; do
			cat <<EOF
item
schema com.cobo.credential.Token
label orgs-test
attr base_url https://$h/v2
attr client_id cid-orgs
attr org_id $o
attr kind access
secret $(tok "$h" "$o")
created $NOW
expires $((NOW + 10 * 365 * 86400))
end
EOF
		done
	done
} > "$STORE"
chmod 600 "$STORE"
{
	t_file_stack "$STORE"
	cat <<EOF
[profile list]
base_url = https://$HL/v2
client_id = cid-orgs
org_id = org-a, org-b
[profile any]
base_url = https://$HA/v2
client_id = cid-orgs
org_id = *
EOF
} | t_config

ALL_TOKENS=$(for h in $HL $HA; do for o in $ORGS; do tok "$h" "$o"; echo; done; done)

# served HOST USER: the token USER must get at HOST, or nothing, in SERVED.
served() {
	local o
	SERVED=
	case "$1:$2" in
	$HL:org-a | $HL:org-b) tok "$1" "$2" > /dev/null; SERVED=$T_OK ;;
	$HA:*) for o in $ORGS; do [ "$o" = "$2" ] && tok "$1" "$2" > /dev/null && SERVED=$T_OK; done ;;
	esac
}

N=0
# judge DESC HOST USER OUT: OUT holds served(HOST, USER) if any, and no other token.
judge() {
	local desc=$1 want bad= t
	served "$2" "$3"
	want=$SERVED
	N=$((N + 1))
	for t in $ALL_TOKENS; do
		case "$4" in *"$t"*) [ "$t" = "$want" ] || bad="ANOTHER ORG'S TOKEN $t" ;; esac
	done
	if [ -z "$bad" ] && [ -n "$want" ]; then
		case "$4" in *"$want"*) ;; *) bad="no token for $3" ;; esac
	fi
	if [ -z "$bad" ]; then pass "$desc${want:+ -> its token}"; else
		fail "$desc: $bad"
		printf '       out: %q\n' "$4"
	fi
}

# Generated user names around each org.
variants() {
	local o
	printf '%s\n' '' '*' list any 'org-a,org-b' 'org-a org-b' 'org-a%2Corg-b' org- org ORG-A 'org-a ' \
		' org-a' 'org-a.' '-org-a' '_org-a' 'org-a/../org-b' 'org-a;org-b' "$(printf 'x%.0s' $(seq 65))"
	for o in $ORGS; do
		printf '%s\n' "$o" "${o^}" "${o^^}" "${o%?}" "${o}x" "x$o" "${o}-" "${o}_" "$o$o"
	done
}

# --- the git helper's stdin: every variant, both profiles --------------------------------
while IFS= read -r u; do
	for h in $HL $HA; do
		printf 'protocol=https\nhost=%s\nusername=%s\n\n' "$h" "$u" > "$T_TMP/i"
		served "$h" "$u"
		t_leak_check_first "helper: $h ${SERVED:+served}"
		"$GH_BIN" get < "$T_TMP/i" > "$T_TMP/o" 2> "$T_TMP/e"
		t_slurp o "$T_TMP/o"
		t_slurp e "$T_TMP/e"
		judge "helper: https://$h as '$u'" "$h" "$u" "$o"$'\n'"$e"
		if [ -n "$SERVED" ]; then
			t_field v username "$o"
			expect_eq "helper: https://$h as '$u': username is the org" "$u" "$v"
		fi
	done
done < <(variants)

# --- no user name: a clear error, no token ----------------------------------------------
t_leak_check_all
printf 'protocol=https\nhost=%s\n\n' "$HL" | "$GH_BIN" get > "$T_TMP/o" 2> "$T_TMP/e"
expect_eq "list profile, no user name: no answer" "" "$(cat "$T_TMP/o")"
expect_match "list profile, no user name: lists the orgs, says how to name one" \
	"profile 'list' serves orgs org-a, org-b; name the org: send it as the git user name" "$(cat "$T_TMP/e")"
printf 'protocol=https\nhost=%s\n\n' "$HA" | "$GH_BIN" get > "$T_TMP/o" 2> "$T_TMP/e"
expect_eq "any profile, no user name: no answer" "" "$(cat "$T_TMP/o")"
expect_match "any profile, no user name: says any org" "profile 'any' serves any org that installed the app" "$(cat "$T_TMP/e")"

# --- the real git client: https://USER@HOST/ and credential.https://HOST.username -------------
for u in org-a org-b org-c ORG-A org-a- e3986401-4aec-480a-973d-e775a4518413; do
	for h in $HL $HA; do
		served "$h" "$u"
		t_leak_check_first "git: $h ${SERVED:+served}"
		lines "url=https://$u@$h/repo.git" | fill
		judge "git: https://$u@$h/" "$h" "$u" "$OUT$ERR"
		lines "url=https://$h/repo.git" | gh_git -c "credential.https://$h.username=$u" \
			credential fill > "$T_TMP/o" 2> "$T_TMP/e"
		judge "git: credential.https://$h.username=$u" "$h" "$u" "$(cat "$T_TMP/o" "$T_TMP/e")"
	done
done
t_leak_check_first "git: no user name"
lines "url=https://$HL/repo.git" | fill
judge "git: https://$HL/ without a user name" "$HL" "" "$OUT$ERR"

# --- Docker: cobo://PROFILE/ORG names the org; a bare host cannot ----------------------------
while IFS= read -r u; do
	for p in list any; do
		h=$HL
		[ "$p" = any ] && h=$HA
		served "$h" "$u"
		t_leak_check_first "docker: $h ${SERVED:+served}"
		dk get "cobo://$p/$u"
		judge "docker: cobo://$p/$u" "$h" "$u" "$OUT$ERR"
	done
done < <(variants | grep -v -e '^$' -e ' $') # Docker's stdin line loses trailing blanks
t_leak_check_all
dk get "cobo://list/org-a/x"
expect_eq "docker: anything after the org is refused" 1 "$RC"
expect_match "docker: says so" "refusing server address" "$OUT"
for h in $HL $HA "https://$HL" "$HA/v2"; do
	dk get "$h"
	expect_eq "docker: bare $h for a profile of several orgs: exit 1" 1 "$RC"
	expect_match "docker: bare $h: names cobo://PROFILE/ORG" "cobo://PROFILE/ORG" "$OUT"
	judge "docker: bare $h" "$HL" "" "$OUT$ERR"
done

# --- git reject erases only the named org's token ---------------------------------------------
printf 'protocol=https\nhost=%s\nusername=org-b\npassword=%s\n\n' "$HL" "$(tok "$HL" org-b)" | "$GH_BIN" erase
check "reject of org-b's token: org-b's item gone" sh -c "! grep -q '$(tok "$HL" org-b)' '$STORE'"
check "org-a's token stays" grep -q "$(tok "$HL" org-a)" "$STORE"
printf 'protocol=https\nhost=%s\nusername=org-a\npassword=%s\n\n' "$HL" "$(tok "$HA" org-a)" | "$GH_BIN" erase
check "reject naming org-a with another app's token: nothing erased" grep -q "$(tok "$HL" org-a)" "$STORE"

expect_eq "generated requests judged" 1 "$((N > 200))"
echo "# $N requests judged"
t_done
