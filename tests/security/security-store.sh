#!/bin/bash
# security-store.sh - stores never downgrade (SECURITY-NOTES-lifecycle.md):
# a store tier that is present but locked or failing never hands the
# secret to the plaintext file store.  Git store and Docker store fail with
# one line; a minted Cobo token is answered with the not-cached warning and
# written nowhere.  Only UNAVAIL (no keyring at all) and NOTFOUND fall
# through, or a [STATUS=continue] written on purpose.  Also: a config with
# only a [profile] works (the built-in stack), and a schema typo is refused
# with FILE:LINE.
#
# Part 1 drives every status of a scripted first tier through every
# front-end; part 2 uses a real, locked gnome-keyring with the default stack.
. "$top_srcdir/tests/lib/lifecycle.sh"
. "$top_srcdir/tests/lib/gnome-keyring.sh"

DOCKER_H="$top_builddir/src/docker/docker-credential-cobo"
CLI_H="$top_builddir/src/cli/cobo-credential"
FILE_DIR="$XDG_DATA_HOME/cobo-credential" # the file module's default place
SCRIPTED="$top_builddir/tests/modules/.libs"
[ -e "$SCRIPTED/scripted.so" ] || { echo "no $SCRIPTED/scripted.so: build the check programs"; exit 99; }

lc_server_up

# profile_lines: the [profile lc] section for the test server.
profile_lines() {
	printf '[profile lc]\nbase_url = %s\nclient_id = %s\norg_id = %s\n' \
		"$COBO_SERVER_URL" "$CLIENT_ID" "$ORG"
	printf 'server_key = %s\nca_file = %s\napp_secret = file:%s\n' \
		"$COBO_SERVER_PUBKEY" "$COBO_SERVER_CA" "$KEY_PEM"
}

# in_file_store S: 0 when S is in any file under the file store's directory.
in_file_store() { [ -d "$FILE_DIR" ] && grep -rqF -- "$1" "$FILE_DIR"; }
# anywhere_on_disk S: 0 when S is in plaintext in any file under HOME
# (gnome-keyring's own files are encrypted, so they never match).
anywhere_on_disk() { grep -rqF -- "$1" "$HOME"; }
wipe_file_store() { rm -rf "$FILE_DIR"; }

# run_fe FRONT-END SECRET: one call; sets RC OUT ERR.
#   git-store, docker-store: store a plain credential with that secret
#   git-get, docker-get, cli-token: ask for the Cobo token (minted)
run_fe() {
	local e="$T_TMP/fe.err"
	case $1 in
	git-store)
		OUT=$(printf 'protocol=https\nhost=git.example.com\nusername=alice\npassword=%s\n\n' "$2" |
			"$HELPER" store 2>"$e") ;;
	docker-store)
		OUT=$(printf '{"ServerURL":"registry.example.com","Username":"alice","Secret":"%s"}' "$2" |
			"$DOCKER_H" store 2>"$e") ;;
	git-get) OUT=$(lc_request | "$HELPER" get 2>"$e") ;;
	docker-get) OUT=$(printf '%s' "$CHOST" | "$DOCKER_H" get 2>"$e") ;;
	cli-token) OUT=$("$CLI_H" token --profile lc --format raw 2>"$e") ;;
	esac
	RC=$?
	ERR=$(cat "$e")
}

# minted_secret: the token in the last answer, by front-end.
minted_secret() {
	case $1 in
	git-get) printf '%s\n' "$OUT" | sed -n 's/^password=//p' ;;
	docker-get) [[ $OUT =~ \"Secret\":\"([^\"]*)\" ]] && printf '%s\n' "${BASH_REMATCH[1]}" ;;
	cli-token) printf '%s\n' "$OUT" ;;
	esac
}

# the one line a failed store printed, by protocol (git: stderr; Docker: stdout)
store_msg() { if [ "$1" = docker-store ]; then printf '%s' "$OUT"; else printf '%s' "$ERR"; fi; }
lines_of() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }

# ==== part 1: every status of the first store tier x every front-end ==========
export COBO_CREDENTIAL_MODULE_PATH="$COBO_CREDENTIAL_MODULE_PATH:$SCRIPTED"
# tier_config STATUS [ACTION]: a scripted first store tier answering STATUS,
# then the file store; ACTION is an action block written after the tier.
tier_config() {
	{
		printf '[stack]\nget = file cobo-oauth\nstore = tier %s file\n' "${2:-}"
		printf 'erase = tier [SUCCESS=continue] file\nlist = file\n'
		printf '[module tier]\nmodule = scripted\nname = tier\nget = NOTFOUND\n'
		printf 'store = %s\nerase = SUCCESS\n' "$1"
		profile_lines
	} | t_config
}

n=0
for status in SUCCESS NOTFOUND UNAVAIL TRYAGAIN DENIED ERROR; do
	case $status in NOTFOUND | UNAVAIL) falls=1 ;; *) falls=0 ;; esac
	for fe in git-store docker-store git-get docker-get cli-token; do
		n=$((n + 1))
		tier_config "$status"
		wipe_file_store
		backoff_over
		secret="s3cret-$n-$status"
		run_fe "$fe" "$secret"
		what="tier $status, $fe"
		case $fe in
		*-store)
			if [ "$status" = SUCCESS ] || [ $falls = 1 ]; then
				expect_eq "$what: exit 0" 0 "$RC"
			else
				expect_eq "$what: exit 1" 1 "$RC"
				msg=$(store_msg "$fe")
				expect_eq "$what: one line" 1 "$(lines_of "$msg")"
				expect_match "$what: the tier's reason" "module 'tier': $status" "$msg"
			fi
			if [ $falls = 1 ]; then
				check "$what: falls to the file store" in_file_store "$secret"
			else
				check "$what: nothing in the file store" sh -c "! grep -rqF -- '$secret' '$FILE_DIR' 2>/dev/null"
			fi
			;;
		*)
			expect_eq "$what: exit 0" 0 "$RC"
			tok=$(minted_secret "$fe")
			check "$what: a minted token answered" test -n "$tok"
			if [ $falls = 1 ]; then
				check "$what: the token falls to the file store" in_file_store "$tok"
			elif [ "$status" = SUCCESS ]; then
				check "$what: the tier took it, not the file" sh -c "! grep -rqF -- '$tok' '$FILE_DIR' 2>/dev/null"
			else
				check "$what: nothing in the file store" sh -c "! grep -rqF -- '${tok:-none}' '$FILE_DIR' 2>/dev/null"
				expect_match "$what: the not-cached warning" "could not be cached" "$ERR"
				expect_eq "$what: one warning line" 1 "$(lines_of "$ERR")"
			fi
			;;
		esac
	done
done

# Written on purpose, the config may still fall through.
for status in TRYAGAIN DENIED; do
	tier_config "$status" "[$status=continue]"
	wipe_file_store
	run_fe git-store "on-purpose-$status"
	expect_eq "[$status=continue] on purpose: git store exit 0" 0 "$RC"
	check "[$status=continue] on purpose: in the file store" in_file_store "on-purpose-$status"
done

# Erase still reaches every tier: a credential in the file store is erased
# through a failing first tier.
tier_config NOTFOUND
wipe_file_store
run_fe git-store erase-me
check "erase: the credential is in the file store" in_file_store erase-me
for status in TRYAGAIN DENIED; do
	{
		printf '[stack]\nget = file\nstore = file\nerase = tier [SUCCESS=continue] file\n'
		printf '[module tier]\nmodule = scripted\nerase = %s\n' "$status"
	} | t_config
	printf 'protocol=https\nhost=git.example.com\nusername=alice\npassword=erase-me\n\n' |
		"$HELPER" erase 2>/dev/null
done
check "erase through a failing first tier reaches the file store" \
	sh -c "! grep -rqF erase-me '$FILE_DIR' 2>/dev/null"

# ==== part 2: a real locked keyring, the built-in stack's durable tiers ============
keyring_start || { echo "FAIL - keyring_start"; exit 1; }
# The keyring and file tiers of the built-in stack, without the kernel tier
# in front: a kernel tier takes the access token (its own no-downgrade rule
# is tested in tests/kernel), and this part is about what a locked keyring
# does to the durable tiers below it.
{
	printf '[stack]\nget = keyring [UNAVAIL=continue] file cobo-oauth\n'
	printf 'store = keyring file\nerase = keyring [SUCCESS=continue] file\n'
	printf 'list = keyring file\n'
	profile_lines
} | t_config
wipe_file_store
server_reset
run_fe git-get x
expect_eq "only a [profile], keyring unlocked: git get exit 0" 0 "$RC"
check "only a [profile]: the built-in stack minted a token" test -n "$(minted_secret git-get)"
expect_eq "only a [profile]: the token is in the keyring" "$(minted_secret git-get)" "$(kr_lookup access)"
check "only a [profile]: nothing in the file store" sh -c "! test -e '$FILE_DIR/store'"

check "lock the keyring" keyring_lock
HINT='keyring is locked'
for fe in git-store docker-store; do
	secret="locked-$fe-pw"
	run_fe "$fe" "$secret"
	expect_eq "locked keyring, $fe: exit 1" 1 "$RC"
	msg=$(store_msg "$fe")
	expect_eq "locked keyring, $fe: one line" 1 "$(lines_of "$msg")"
	expect_match "locked keyring, $fe: says the keyring is locked" "$HINT" "$msg"
	check "locked keyring, $fe: not in plaintext anywhere under HOME" \
		sh -c "! grep -rqF -- '$secret' '$HOME'"
done
for fe in git-get docker-get cli-token; do
	server_reset
	backoff_over
	run_fe "$fe" x
	tok=$(minted_secret "$fe")
	expect_eq "locked keyring, $fe: exit 0" 0 "$RC"
	check "locked keyring, $fe: a minted token answered" test -n "$tok"
	expect_match "locked keyring, $fe: the not-cached warning" "could not be cached.*locked" "$ERR"
	check "locked keyring, $fe: the token in plaintext nowhere under HOME" \
		sh -c "! grep -rqF -- '${tok:-none}' '$HOME'"
done
check "locked keyring: no file store was even created" sh -c "! test -e '$FILE_DIR/store'"

# UNAVAIL (no keyring at all) still falls to the file store.
keyring_stop
unset DBUS_SESSION_BUS_ADDRESS
run_fe git-store no-keyring-pw
expect_eq "no D-Bus (UNAVAIL), git store: exit 0" 0 "$RC"
check "no D-Bus (UNAVAIL), git store: in the file store" in_file_store no-keyring-pw
run_fe docker-store no-keyring-dk
expect_eq "no D-Bus (UNAVAIL), docker store: exit 0" 0 "$RC"
check "no D-Bus (UNAVAIL), docker store: in the file store" in_file_store no-keyring-dk
server_reset
run_fe git-get x
tok=$(minted_secret git-get)
expect_eq "no D-Bus (UNAVAIL), git get: exit 0, quiet" "0|" "$RC|$ERR"
check "no D-Bus (UNAVAIL), git get: the minted token went to the file store" in_file_store "${tok:-none}"

# ==== part 3: schema typos fail closed with FILE:LINE ==========================
wipe_file_store
CONF=$XDG_CONFIG_HOME/cobo-credential/config
for opt in "schemas = org.git.Pasword" "schemas = org.git.Password, io.docker.Credential" \
	"git_schema = org.git.Pasword" "git_schema = org.gnome.keyring.NetworkPasswrd"; do
	{ printf '[module keyring]\n%s\n' "$opt"; profile_lines; } | t_config
	run_fe git-store typo-pw
	expect_eq "typo '$opt': git store exit 1" 1 "$RC"
	expect_match "typo '$opt': FILE:LINE of the option" "$CONF:2: " "$ERR"
	expect_match "typo '$opt': names the schema" "unknown schema" "$ERR"
	check "typo '$opt': nothing in the file store" sh -c "! grep -rqF typo-pw '$FILE_DIR' 2>/dev/null"
	run_fe docker-store typo-dk
	expect_eq "typo '$opt': docker store exit 1" 1 "$RC"
	expect_match "typo '$opt': docker message has FILE:LINE" "$CONF:2: " "$OUT"
done

# An empty [stack] is a configuration error naming the file.
printf '[stack]\n# nothing yet\n' | t_config
run_fe git-store empty-pw
expect_match "empty [stack]: names the file" "$CONF:1: \[stack\] names no module" "$ERR"
check "empty [stack]: nothing in the file store" sh -c "! grep -rqF empty-pw '$FILE_DIR' 2>/dev/null"

t_done
