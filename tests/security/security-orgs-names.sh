#!/bin/bash
# security-orgs-names.sh - the user name picks an org, never a profile by
# name (issue 27): a profile called like an org id must not answer that
# org's request with its own org's token, and a profile listing an org
# beats an `org_id = *` profile for it.
#
# One host, many profiles: `any` (org_id = *), profiles named like org ids
# that list other orgs (org-x: org-a; a UUID-named one: org-d; gen-01..12:
# go-01..12 each), one named like an org it lists among others (org-b:
# org-b, org-c) and one listing 40 orgs (many).  The file store holds a
# distinct token for every (app, org) a mistake could answer, so nothing
# here touches the network.  Generated user names (every profile name and
# listed org, case-flipped, cut short, extended, unlisted ones) go through
# the git helper's stdin, the real `git credential fill`
# (https://USER@HOST/ and credential.https://HOST.username), the Docker
# helper (cobo://PROFILE/ORG) and the CLI (--profile NAME [--org ORG]).
# Each answer must be exactly the token of the org the user name names,
# from the profile listing it, else from `any`; never a profile's by name.
# tests/security/test_org_names runs all 207 generated requests (the
# helpers' code in-process, real git through a recorder); this script
# keeps a few of each kind through the real binaries.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/lib/docker.sh"

H=api.dev.cobo.com
CLI="$top_builddir/src/cli/cobo-credential"
STORE=$T_TMP/store
NOW=$(date +%s)
UUID=e3986401-4aec-480a-973d-e775a4518413

# The profiles: NAME CLIENT_ID ORGS (comma-separated; '*' for any).
PROFILES="any cid-any *
org-x cid-x org-a
org-b cid-b org-b,org-c
$UUID cid-u org-d"
for i in $(seq -w 1 12); do PROFILES+=$'\n'"gen-$i cid-g$i go-$i"; done
MANY=$(seq -f 'm-%02g' 1 40 | paste -sd, -)
PROFILES+=$'\n'"many cid-many $MANY"

declare -A LISTED=()  # org -> client id of the profile listing it
declare -A ANY=()     # orgs the '*' profile has a token for
NAMES=()
while read -r name cid orgs; do
	NAMES+=("$name")
	[ "$orgs" = '*' ] && continue
	for o in ${orgs//,/ }; do LISTED[$o]=$cid; done
done <<< "$PROFILES"
# '*' has a token for every profile name and listed org, and one more.
for o in "${NAMES[@]}" "${!LISTED[@]}" org-z; do ANY[$o]=1; done

tok() { printf 'AT_%s_%s' "$1" "$2"; }
# item CLIENT_ID ORG: a stored access token (printf: the store has
# hundreds, and a heredoc is a cat process each).
item() {
	printf 'item\nschema com.cobo.credential.Token\nlabel names-test\nattr base_url https://%s/v2\n' "$H"
	printf 'attr client_id %s\nattr org_id %s\nattr kind access\nsecret AT_%s_%s\n' "$1" "$2" "$1" "$2"
	printf 'created %s\nexpires %s\nend\n' "$NOW" "$((NOW + 10 * 365 * 86400))"
}
{
	echo "cobo-credential-store 1"
	for o in "${!ANY[@]}"; do item cid-any "$o"; done
	while read -r name cid orgs; do
		[ "$orgs" = '*' ] && continue
		# its own orgs, and every profile's name as an org: what a
		# routing by name would answer
		printf '%s\n' ${orgs//,/ } "${NAMES[@]}" | sort -u | while read -r o; do
			item "$cid" "$o"
		done
	done <<< "$PROFILES"
} > "$STORE"
chmod 600 "$STORE"
{
	t_file_stack "$STORE"
	while read -r name cid orgs; do
		printf '[profile %s]\nbase_url = https://%s/v2\nclient_id = %s\norg_id = %s\n' \
			"$name" "$H" "$cid" "${orgs//,/, }"
	done <<< "$PROFILES"
} | t_config
mapfile -t ALL_TOKENS < <(grep '^secret ' "$STORE" | cut -d' ' -f2 | sort -u)

# served USER: the token USER must get (listed beats '*'), or "", in SERVED.
served() {
	SERVED=
	if [ -n "$1" ] && [ -n "${LISTED[$1]-}" ]; then
		SERVED=$(tok "${LISTED[$1]}" "$1")
	elif [ -n "$1" ] && [ -n "${ANY[$1]-}" ]; then
		SERVED=$(tok cid-any "$1")
	fi
}

N=0
# judge DESC OUT WANT: OUT holds WANT if any, and no other token.
judge() {
	local bad= t
	N=$((N + 1))
	for t in "${ALL_TOKENS[@]}"; do
		case "$2" in *"$t"*) [ "$t" = "$3" ] || bad="ANOTHER TOKEN $t" ;; esac
	done
	if [ -z "$bad" ] && [ -n "$3" ]; then
		case "$2" in *"$3"*) ;; *) bad="no token" ;; esac
	fi
	if [ -z "$bad" ]; then pass "$1${3:+ -> $3}"; else
		fail "$1: $bad (want ${3:-none})"
		printf '       out: %q\n' "$2"
	fi
}

# A few of test_org_names' user names: listed, '*', a profile's name,
# case-flipped, cut short, unlisted.
variants() {
	printf '%s\n' org-a org-z gen-07 ORG-A org- org-q m-17
}

# --- the git helper's stdin ------------------------------------------------------------------
while IFS= read -r u; do
	served "$u"
	t_leak_check_first "helper: ${SERVED:+served}"
	printf 'protocol=https\nhost=%s\nusername=%s\n\n' "$H" "$u" > "$T_TMP/i"
	"$GH_BIN" get < "$T_TMP/i" > "$T_TMP/o" 2> "$T_TMP/e"
	t_slurp o "$T_TMP/o"
	t_slurp e "$T_TMP/e"
	judge "helper: https://$u@$H" "$o"$'\n'"$e" "$SERVED"
	if [ -n "$SERVED" ]; then
		t_field v username "$o"
		expect_eq "helper: https://$u@$H: the username answered is the org" "$u" "$v"
	fi
done < <(variants)

# The bug of issue 27, spelled out: a profile named like an org id.
t_leak_check_all
printf 'protocol=https\nhost=%s\nusername=org-x\n\n' "$H" | "$GH_BIN" get > "$T_TMP/o" 2>&1
expect_eq "profile 'org-x' (org-a) never answers user org-x: '*' serves org org-x" \
	"username=org-x|password=$(tok cid-any org-x)" "$(paste -sd'|' "$T_TMP/o" | cut -d'|' -f1,2)"
printf 'protocol=https\nhost=%s\nusername=org-b\n\n' "$H" | "$GH_BIN" get > "$T_TMP/o" 2>&1
expect_match "profile 'org-b' lists org-b: listed beats '*'" "password=$(tok cid-b org-b)" \
	"$(cat "$T_TMP/o")"

# No user name: the host has many profiles; the error names the ways to choose.
printf 'protocol=https\nhost=%s\n\n' "$H" | "$GH_BIN" get > "$T_TMP/o" 2> "$T_TMP/e"
expect_eq "no user name: no answer" "" "$(cat "$T_TMP/o")"
expect_match "no user name: name the org, or the profile by cobo:// or --profile" \
	"matches profiles any, org-x, .*name the org as the username .*cobo://PROFILE.*--profile" \
	"$(cat "$T_TMP/e")"

# --- the real git client ---------------------------------------------------------------------
for u in org-x org-b org-q; do
	served "$u"
	t_leak_check_first "git: ${SERVED:+served}"
	lines "url=https://$u@$H/repo.git" | fill
	judge "git: https://$u@$H/" "$OUT$ERR" "$SERVED"
	lines "url=https://$H/repo.git" | gh_git -c "credential.https://$H.username=$u" \
		credential fill > "$T_TMP/o" 2> "$T_TMP/e"
	judge "git: credential.https://$H.username=$u" "$(cat "$T_TMP/o" "$T_TMP/e")" "$SERVED"
done

# --- Docker: cobo://PROFILE/ORG; the org is an org the profile serves -------------------------
for pair in "org-x org-a cid-x" "org-x org-x -" "org-b org-c cid-b" "any org-z cid-any" "many m-17 cid-many"; do
	read -r name u cid <<< "$pair"
	want=
	[ "$cid" = - ] || want=$(tok "$cid" "$u")
	t_leak_check_first "docker: ${want:+served}"
	dk get "cobo://$name/$u"
	judge "docker: cobo://$name/$u" "$OUT$ERR" "$want"
done

# --- the CLI: --profile NAME still names a profile; --org an org it serves ---------------------
t_leak_check_all
for p in org-x; do
	read -r _ cid orgs < <(grep "^$p " <<< "$PROFILES")
	"$CLI" token --profile "$p" > "$T_TMP/o" 2> "$T_TMP/e"
	judge "cli: token --profile $p" "$(cat "$T_TMP/o" "$T_TMP/e")" "$(tok "$cid" "$orgs")"
	"$CLI" token --profile "$p" --org "$p" > "$T_TMP/o" 2> "$T_TMP/e"
	RC=$?
	judge "cli: token --profile $p --org $p (its own name is no org of it)" \
		"$(cat "$T_TMP/o" "$T_TMP/e")" ""
	expect_eq "cli: --org $p for profile $p fails" 1 "$((RC != 0))"
done
"$CLI" token --profile any --org org-x > "$T_TMP/o" 2> "$T_TMP/e"
judge "cli: token --profile any --org org-x" "$(cat "$T_TMP/o" "$T_TMP/e")" "$(tok cid-any org-x)"

expect_eq "requests judged" 1 "$((N >= 20))"
echo "# $N requests judged"
t_done
