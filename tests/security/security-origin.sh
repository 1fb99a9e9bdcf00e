#!/bin/bash
# security-origin.sh - a Cobo token goes only to its own https origin
# (issue 11: "one origin rule, in the core, used by every front-end").
#
# One profile, base_url https://api.dev.cobo.com/v2, whose access token is
# already cached in the file store (so nothing here touches the network:
# `git credential fill` and `docker login` ask the helper before any
# connection).  Then many generated spellings of that origin - every URL
# delimiter raw and percent-encoded, userinfo, schemes, ports, case,
# trailing dot, IDN look-alikes, IPv4 notations, CR/LF/NUL - through the
# real git client and the real docker CLI where they carry the input, and
# on the helpers' stdin where they do not.  Each verdict:
#   token     the token is answered (positive controls: the real origin)
#   refused   no token; exactly one line saying "refusing ..."
#   near      no token; exactly one line: not sending it to another scheme/port
#   other     no token (another host, or a username that is not the org)
# and the token never appears on stdout or stderr of anything else.
# Under the sanitizers, the first run of each verdict on each channel is
# leak-checked, not the hundreds of repeats (t_leak_check_first): the
# parsers behind them are leak-checked over far more inputs by their
# fuzz targets (fuzz_url, fuzz_git, fuzz_docker).
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

for u in "https://$H/" "https://$H:443/" "https://API.DEV.COBO.COM/" "https://Api.Dev.Cobo.Com:443/o/r.git" \
	"https://$ORG@$H/" "https://$ORG@$H:443/"; do
	git_url token "$u"
done
# The user name picks an org, never a profile by name: "dev" is the
# profile's name, not its org, so nothing is answered.
git_url other "https://dev@$H:443/"
# git decodes the URL before it asks, and curl decodes the host the same
# way: an escaped letter names the same origin.
git_url token "https://%61pi.dev.cobo.com/"

# schemes: the host and port of the profile, any other scheme
for s in http ftp ssh git gopher x svn+ssh x-y.z; do
	git_url near "$s://$H/"
done
# ports
for p in 8443 80 444 1 65535; do
	git_url near "https://$H:$p/"
	git_url near "https://API.dev.cobo.com:$p/"
done
for p in 0 65536 99999 0443 00443 +443 -1 443x 4a3 "" 1e3 " 443"; do
	git_url refused "https://$H:$p/"
done
# every delimiter and special character, percent-encoded into the host on either side
for c in 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2f 3a 3b 3c 3d 3e 3f 40 5b 5c 5d 5e 5f 60 7b 7c 7d 7e 7f; do
	git_url refused "https://evil.example%$c$H/x"
	git_url refused "https://$H%${c}evil.example/x"
done
# raw delimiters and userinfo: git splits these itself; the host it asks
# for is another host, or the username is not the org
for u in "https://evil.example@$H/" "https://evil.example:pw@$H/" "https://$H@evil.example/" \
	"https://$H:443@evil.example/" "https://$H.evil.example/" "https://evil.example/$H" \
	"https://evil.example#@$H/" "https://evil.example?@$H/" "https://evil.example\\@$H/" \
	"https://$H%2eevil.example/" "https://xn--pi-6cd.dev.cobo.com/"; do
	git_url other "$u"
done
# trailing dot, IDN and look-alikes, other IPv4 notations
for u in "https://$H./" "https://API.DEV.COBO.COM./" "https://$H.:443/" "https://api.dev.cobo.cöm/" \
	"https://аpi.dev.cobo.com/" "https://api.dev.cobo.com。/" "https://ａｐｉ.dev.cobo.com/" \
	"https://api.dev.cobo.com%e3%80%82/" "https://127.1/" "https://0x7f.0.0.1/" "https://2130706433/" \
	"https://127.000.0.1/" "https://[::1%25lo]/" "https://[::1/" "https://api..dev.cobo.com/" \
	"https://-api.dev.cobo.com/" "https://.api.dev.cobo.com/"; do
	git_url refused "$u"
done

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
git_req refused "url= with %40 in the host (attack 2)" "url=https://evil.example%%40$H/x\n\n"
git_req refused "protocol=x://$H/ host=evil.example (attack 2)" "protocol=x://$H/\nhost=evil.example\n\n"
git_req refused "protocol=https://evil.example/ host=$H" "protocol=https://evil.example/\nhost=$H\n\n"
for p in HTTPS Https "https " " https" "https:" "1https" "ht\ttps" "https\\\\x"; do
	git_req refused "protocol='$p'" "protocol=$p\nhost=$H\n\n"
done
for c in '\t' ' ' '\\\\' '/' '?' '#' '@' '%%' ';' ',' '[' ']' '\x1b' '\x7f' '\xc2\xa0' '\xe2\x80\x8b'; do
	git_req refused "host=$H$c" "protocol=https\nhost=$H${c}\n\n"
	git_req refused "host=${c}$H" "protocol=https\nhost=${c}$H\n\n"
done
git_req refused "CR in the host" "protocol=https\nhost=$H\rx\n\n"
git_req refused "NUL in the host" "protocol=https\nhost=$H\0x\n\n"
git_req refused "CR in the protocol" "protocol=https\rx\nhost=$H\n\n"
for e in 0a 0d 00 0A 0D; do
	git_req refused "url= with %$e in the host" "url=https://$H%%$e.evil/\n\n"
done
git_req near "a later protocol= wins" "protocol=https\nhost=$H\nprotocol=http\n\n"
git_req other "a username that is not the org" "protocol=https\nhost=$H\nusername=evil\n\n"
git_req token "control: host=$H:443" "protocol=https\nhost=$H:443\n\n"
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
for s in "$H" "API.DEV.COBO.COM" "$H:443" "Api.Dev.Cobo.Com:443"; do
	docker_cli token "$s"
done
for s in "evil.example@$H" "$H@evil.example" "evil.example:pw@$H" "$H%2fx" "$H%40evil.example" \
	"evil.example%40$H" "$H\\@evil.example" "$H#@evil.example" "$H?@evil.example" \
	"%61pi.dev.cobo.com"; do
	docker_cli refused "$s"
done
for p in 8443 80 444; do
	docker_cli near "$H:$p"
done
# trailing dot, IDN and other spellings that are no registry address: plain
# credentials only (found by the string as spelled), never the token
for s in "$H." "API.DEV.COBO.COM." "аpi.dev.cobo.com" "api.dev.cobo.cöm" "ａｐｉ.dev.cobo.com" \
	"$H:0" "$H:65536" "$H:0443" "[$H]" "$H.evil.example"; do
	docker_cli other "$s"
done

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
docker_in near "http://$H:443" "http://$H:443"
docker_in near "http://$H/v2" "http://$H/v2"
docker_in refused "https://evil.example@$H" "https://evil.example@$H"
docker_in refused "https://$H@evil.example" "https://$H@evil.example"
docker_in refused "a line break splitting userinfo (lines are joined)" "evil.example\n@$H"
docker_in refused "a tab inside" "$H\tx"
docker_in refused "ESC inside" "$H\x1bx"
docker_in refused "NUL inside" "$H\0x"
for s in "ftp://$H" "HTTPS://$H" "https:/$H" "https//$H" "x://$H"; do
	docker_in other "$s" "$s"
done
docker_in token "control: https://$H/v2" "https://$H/v2"
docker_in token "control: $H/v2/" "$H/v2/"

t_leak_check_all
# --- the counts: each class really ran ----------------------------------------------------
expect_eq "generated variants: refused, near, other, token all exercised" "yes" \
	"$([ $N_REFUSED -ge 150 ] && [ $N_NEAR -ge 20 ] && [ $N_OTHER -ge 15 ] && [ $N_TOKEN -ge 15 ] && echo yes)"
echo "variants: $N_REFUSED refused, $N_NEAR near misses, $N_OTHER other hosts, $N_TOKEN positive controls"
expect_eq "the store still holds only the seeded item" 1 "$(grep -c '^item$' "$STORE")"

t_done
