#!/bin/bash
# security-origin.sh - a Cobo token goes only to its own https origin
# (issue 11: "one origin rule, in the core, used by every front-end"),
# end to end: tests/security/test_spellings runs the ~230 generated
# spellings (every URL delimiter raw and percent-encoded, userinfo,
# schemes, ports, case, trailing dot, IDN look-alikes, IPv4 notations,
# CR/LF/NUL) through the real git client and docker CLI and on the
# helpers' stdin, answered by the helpers' code in-process; this script
# keeps each verdict on each channel through the real helper binaries.
#
# One profile, base_url https://api.dev.cobo.com/v2, whose access token is
# already cached in the file store (so nothing here touches the network:
# `git credential fill` and `docker login` ask the helper before any
# connection).  Each verdict:
#   token     the token is answered (positive controls: the real origin)
#   refused   no token; exactly one line saying "refusing ..."
#   near      no token; exactly one line: not sending it to another scheme/port
#   other     no token (another host, or a username that is not the org)
# and the token never appears on stdout or stderr of anything else.
# Under the sanitizers, the first run of each verdict on each channel is
# leak-checked (t_leak_check_first); test_spellings is leak-checked whole.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/lib/docker.sh"
need docker

H=api.dev.cobo.com
ORG=org-sec-origin
TOKEN=AT_SecOrigin_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
STORE=$T_TMP/store
NOW=$(date +%s)

# The cached access token of profile 'dev', fresh for ten years.
(umask 077 && cat > "$STORE" <<EOF
cobo-credential-store 1
item
schema com.cobo.credential.Token
label Cobo-origin-test
attr base_url https://$H/v2
attr client_id cid-sec-origin
attr org_id $ORG
attr kind access
secret $TOKEN
created $NOW
expires $((NOW + 10 * 365 * 86400))
end
EOF
)
{
	t_file_stack "$STORE"
	cat <<EOF
[profile dev]
base_url = https://$H/v2
client_id = cid-sec-origin
org_id = $ORG
EOF
} | t_config

# verdict KIND DESC OUT MSG: MSG is what the helper said on its message
# channel (git: stderr; Docker: stdout when it failed, stderr warnings).
N_REFUSED=0 N_NEAR=0 N_OTHER=0 N_TOKEN=0
verdict() {
	local kind=$1 desc=$2 out=$3 msg=$4 lines bad=
	t_lines lines "$msg"
	case $kind in
	token)
		N_TOKEN=$((N_TOKEN + 1))
		case $out in *"$TOKEN"*) ;; *) bad="no token answered" ;; esac ;;
	refused)
		N_REFUSED=$((N_REFUSED + 1))
		[ "$lines" = 1 ] && [[ $msg == *refusing* || $msg == *"NUL character"* ]] ||
			bad="wanted one 'refusing' line" ;;
	near)
		N_NEAR=$((N_NEAR + 1))
		[ "$lines" = 1 ] && [[ $msg == *"not sending the token of Cobo profile 'dev'"* ]] ||
			bad="wanted one 'not sending the token' line" ;;
	other)
		N_OTHER=$((N_OTHER + 1)) ;;
	esac
	if [ "$kind" != token ]; then
		case "$out$msg" in *"$TOKEN"*) bad="THE TOKEN WAS ANSWERED${bad:+; $bad}" ;; esac
	fi
	if [ -z "$bad" ]; then pass "$kind: $desc"; else
		fail "$kind: $desc ($bad)"
		printf '       out: %q\n       msg: %q\n' "$out" "$msg"
	fi
}

# --- git: the real client ---------------------------------------------------------------
# git_url KIND URL: `git credential fill` with url=URL (askpass answers when nothing is found).
git_url() {
	local line msg=
	t_leak_check_first "git fill: $1"
	lines "url=$2" | fill
	while IFS= read -r line; do
		[[ $line == "git-credential-cobo: "* ]] && msg+=$line$'\n'
	done <<< "$ERR"
	verdict "$1" "git credential fill url=$2" "$OUT" "${msg%$'\n'}"
}

git_url token "https://$H/"
git_url token "https://$ORG@$H:443/"
# The user name picks an org, never a profile by name.
git_url other "https://dev@$H:443/"
git_url near "http://$H/"
git_url near "https://$H:8443/"
git_url refused "https://$H:0443/"
git_url refused "https://evil.example%40$H/x"
git_url refused "https://$H./"

# --- git: the helper's stdin, for what git itself will not send ------------------------
# git_req KIND DESC PRINTF-FORMAT: the helper alone, request from printf.
git_req() {
	t_leak_check_first "git helper: $1"
	printf "$3" > "$T_TMP/req"
	helper get < "$T_TMP/req"
	verdict "$1" "helper get: $2" "$OUT" "$ERR"
}
git_req near "protocol=http host=$H (issue 11, attack 1)" "protocol=http\nhost=$H\n\n"
git_req refused "host=evil.example@$H (attack 2)" "protocol=https\nhost=evil.example@$H\n\n"
git_req refused "NUL in the host" "protocol=https\nhost=$H\0x\n\n"
git_req other "a username that is not the org" "protocol=https\nhost=$H\nusername=evil\n\n"
git_req token "control: username is the org" "protocol=https\nhost=$H\nusername=$ORG\n\n"

# --- docker: the real CLI -----------------------------------------------------------------
# docker login SERVER asks the helper for SERVER as typed (it drops only
# an http(s):// prefix and a /path, which it then does not connect to
# either), before anything else; a wrapper in front of the helper records
# what it answered to get.
DLOG=$T_TMP/dlog
mkdir -p "$DLOG"
rm -f "$DK_BIN/docker-credential-cobo"
cat > "$DK_BIN/docker-credential-cobo" <<EOF
#!/bin/sh
"$HELPER" "\$@" > "$DLOG/out.\$1" 2> "$DLOG/err.\$1"
rc=\$?
echo "\$1 \$rc" >> "$DLOG/calls"
cat "$DLOG/out.\$1"
exit \$rc
EOF
chmod 700 "$DK_BIN/docker-credential-cobo"
DCFG=$T_TMP/dcfg
docker_config "$DCFG" '{"credsStore":"cobo"}'

# docker_msg: the helper's message channel for a Docker answer: stdout when it failed, plus stderr.
docker_msg() {
	local rc=$1 out=$2 err=$3
	if [ "$rc" != 0 ] && [ "$out" != "credentials not found in native keychain" ]; then
		printf '%s\n' "$out"
	fi
	printf '%s' "$err"
}

docker_cli() {
	t_leak_check_first "docker login: $1"
	rm -f "$DLOG"/*
	DOCKER_CONFIG=$DCFG timeout 60 docker login "$2" < /dev/null > "$T_TMP/dcli.out" 2>&1
	# read with builtins: a process per read is most of this loop's cost
	local calls=0 out= err= rc= dcli verb st
	if [ -e "$DLOG/calls" ]; then
		while read -r verb st; do
			[ "$verb" = get ] && calls=$((calls + 1)) rc=$st
		done < "$DLOG/calls"
	fi
	[ ! -e "$DLOG/out.get" ] || t_slurp out "$DLOG/out.get"
	[ ! -e "$DLOG/err.get" ] || t_slurp err "$DLOG/err.get"
	t_slurp dcli "$T_TMP/dcli.out"
	if [ "$calls" -lt 1 ]; then
		fail "$1: docker login '$2' (the helper was never asked: $dcli)"
		return
	fi
	case $dcli in *"$TOKEN"*) out="$out [docker printed the token]" ;; esac
	verdict "$1" "docker login '$2' (helper exit $rc)" "$out" "$(docker_msg "$rc" "$out" "$err")"
}
docker_cli token "$H"
docker_cli token "Api.Dev.Cobo.Com:443"
docker_cli refused "evil.example@$H"
docker_cli near "$H:8443"
docker_cli other "$H."

# --- docker: the helper's stdin -------------------------------------------------------------
docker_in() {
	local out err
	t_leak_check_first "docker helper: $1"
	printf "$3" > "$T_TMP/in"
	"$HELPER" get < "$T_TMP/in" > "$T_TMP/out" 2> "$T_TMP/err"
	local rc=$?
	t_slurp out "$T_TMP/out"
	t_slurp err "$T_TMP/err"
	verdict "$1" "docker-credential-cobo get: $2 (exit $rc)" "$out" \
		"$(docker_msg "$rc" "$out" "$err")"
	[ "$1" = token ] || [ "$rc" = 1 ] || fail "docker-credential-cobo get: $2: exit $rc, not 1"
}
docker_in near "http://$H (http:// never matches a Cobo profile)" "http://$H"
docker_in refused "https://evil.example@$H" "https://evil.example@$H"
docker_in refused "NUL inside" "$H\0x"
docker_in other "ftp://$H" "ftp://$H"
docker_in token "control: https://$H/v2" "https://$H/v2"

t_leak_check_all
# --- the counts: each class really ran ----------------------------------------------------
expect_eq "each verdict on each channel: refused, near, other, token all exercised" "yes" \
	"$([ $N_REFUSED -ge 8 ] && [ $N_NEAR -ge 5 ] && [ $N_OTHER -ge 4 ] && [ $N_TOKEN -ge 6 ] && echo yes)"
echo "variants: $N_REFUSED refused, $N_NEAR near misses, $N_OTHER other hosts, $N_TOKEN positive controls"
expect_eq "the store still holds only the seeded item" 1 "$(grep -c '^item$' "$STORE")"

t_done
