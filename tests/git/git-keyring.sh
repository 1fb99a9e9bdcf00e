#!/bin/bash
# git-keyring.sh - issue 5's plain-host rules with the real git client on
# a stack that is the real keyring (gnome-keyring in a private D-Bus
# session), and interop both ways with git's own git-credential-libsecret,
# built here from the source Debian's git package ships.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/git.sh"
. "$top_srcdir/tests/lib/git-behaviour.sh"

gh_use_keyring || { echo "cannot start the test keyring" >&2; exit 1; }
echo "# git $GIT_VERSION, keyring stack"
# The behaviour suite sends the same requests through the same helper code
# whatever the provider, and git-keyring.sh (gnome-keyring, in make check
# beside its variants) leak-checks every run of it.  The variants on other
# providers leak-check the first get, store and erase the suite sends
# (GH_LEAK_FIRST, tests/lib/git.sh) and not their repeats (ASan and UBSan
# stay on: ~45 ms less a helper run, tests/lib/common.sh), and every run of
# what is theirs: the items libsecret wrote there and the locked and gone
# keyring below.
[ "$KR_PROVIDER" = gnome-keyring ] || GH_LEAK_FIRST=1
gh_behaviour_suite
GH_LEAK_FIRST=
t_leak_check_all

# --- interop with git-credential-libsecret ---
mkdir -p "$T_TMP/bin"
if ! kr_build_git_libsecret "$T_TMP/bin/git-credential-libsecret" 2> "$T_TMP/build.err"; then
	fail "$(cat "$T_TMP/build.err")"
	t_done
fi
[ "$KR_PROVIDER" = kwallet ] && kwl_ref_wrap "$T_TMP/bin/git-credential-libsecret" # tests/lib/kwallet.sh
export PATH="$T_TMP/bin:$PATH"

# as_libsecret CMD...: run a tests/lib/git.sh command with git-credential-libsecret as the helper.
as_libsecret() {
	local saved=$GH_HELPER rc
	GH_HELPER=libsecret
	"$@"
	rc=$?
	GH_HELPER=$saved
	return $rc
}

# Credentials a libsecret user has built up over the years.
as_libsecret store_cred https ls.example alice ls-pass-1
as_libsecret store_cred https ls.example bob ls-pass-2
as_libsecret store_cred https ls.example:8443 carol ls-pass-port
as_libsecret store_cred http ls.example dave ls-pass-http
as_libsecret store_cred https lspath.example erin ls-pass-path team/repo.git
as_libsecret store_cred http '[::1]:8080' frank ls-pass-v6
as_libsecret eval 'lines protocol=https host=ls.example username=alice | fill'
expect_out "libsecret itself finds what it stored" "$(lines protocol=https host=ls.example \
	username=alice password=ls-pass-1)"

# The user switches: credential.helper=cobo, nothing else changes.
lines protocol=https host=ls.example username=alice | fill
expect_out "switch to cobo: alice's credential is kept" "$(lines protocol=https \
	host=ls.example username=alice password=ls-pass-1)"
expect_no_prompt "switch to cobo"
lines protocol=https host=ls.example username=bob | fill
expect_out "switch to cobo: bob's too (several users per host)" "$(lines protocol=https \
	host=ls.example username=bob password=ls-pass-2)"
lines url=https://ls.example:8443 | fill
expect_out "switch to cobo: host with a port (libsecret's port attribute)" "$(lines \
	protocol=https host=ls.example:8443 username=carol password=ls-pass-port)"
lines url=http://ls.example | fill
expect_out "switch to cobo: http kept apart from https" "$(lines protocol=http \
	host=ls.example username=dave password=ls-pass-http)"
lines url=https://lspath.example/team/repo.git | fill -c credential.useHttpPath=true
expect_out "switch to cobo: useHttpPath credential (libsecret's object attribute)" "$(lines \
	protocol=https host=lspath.example path=team/repo.git username=erin password=ls-pass-path)"
lines url=https://lspath.example/other.git | fill -c credential.useHttpPath=true
expect_prompts "switch to cobo: another path still does not match" "$(prompts_for \
	https://lspath.example/other.git https://askpass-username@lspath.example/other.git)"
lines url=http://[::1]:8080 | fill
expect_out "switch to cobo: IPv6 literal host" "$(lines protocol=http host=[::1]:8080 \
	username=frank password=ls-pass-v6)"
lines url=https://ls.example:9999 | fill
expect_prompts "switch to cobo: another port does not match" "$(prompts_for \
	https://ls.example:9999 https://askpass-username@ls.example:9999)"

# cobo overwrites a libsecret item in place, and libsecret sees the new password.
store_cred https ls.example alice cobo-pass-1
as_libsecret eval 'lines protocol=https host=ls.example username=alice | fill'
expect_out "cobo's overwrite is what libsecret sees" "$(lines protocol=https \
	host=ls.example username=alice password=cobo-pass-1)"
lines protocol=https host=ls.example username=alice | helper get
expect_out "no stale libsecret copy is left behind" "$(lines username=alice \
	password=cobo-pass-1)"

# The other way: cobo stores, libsecret finds.
store_cred https cs.example gina cs-pass
store_cred https cs.example:8443 hank cs-pass-port
store_cred https cspath.example ivan cs-pass-path a/b.git
# (libsecret without a port in the request matches any port: ask for gina by name)
as_libsecret eval 'lines protocol=https host=cs.example username=gina | fill'
expect_out "libsecret finds what cobo stored" "$(lines protocol=https host=cs.example \
	username=gina password=cs-pass)"
as_libsecret eval 'lines url=https://cs.example:8443 | fill'
expect_out "libsecret finds cobo's host:port as server+port" "$(lines protocol=https \
	host=cs.example:8443 username=hank password=cs-pass-port)"
as_libsecret eval 'lines url=https://cspath.example/a/b.git | fill -c credential.useHttpPath=true'
expect_out "libsecret finds cobo's path as object" "$(lines protocol=https \
	host=cspath.example path=a/b.git username=ivan password=cs-pass-path)"

# Erase across helpers.
as_libsecret eval 'lines protocol=https host=cs.example username=gina | reject'
lines protocol=https host=cs.example | fill
expect_prompts "libsecret's reject removes cobo's item" "$(prompts_for https://cs.example \
	https://askpass-username@cs.example)"
lines protocol=https host=ls.example username=bob password=ls-pass-2 | reject
as_libsecret eval 'lines protocol=https host=ls.example username=bob | fill'
expect_prompts "cobo's reject removes libsecret's item" \
	"askpass: Password for 'https://bob@ls.example': "
lines protocol=http host=ls.example username=dave password=not-it | reject
lines url=http://ls.example | fill
expect_out "cobo's reject with another password spares libsecret's item" "$(lines \
	protocol=http host=ls.example username=dave password=ls-pass-http)"

# A libsecret helper from git >= 2.43 keeps password_expiry_utc and
# oauth_refresh_token in the secret payload: both must survive the switch.
if grep -q oauth_refresh_token "$LIBSECRET_SRC" && ver_ge "$GIT_VERSION" 2.41; then
	exp=$(($(date +%s) + 86400))
	as_libsecret eval 'lines protocol=https host=lsx.example username=jo password=jo-pass \
		password_expiry_utc=$exp oauth_refresh_token=jo-rt | approve'
	lines protocol=https host=lsx.example | helper get
	expect_out "libsecret's expiry and refresh token come through" "$(lines username=jo \
		password=jo-pass password_expiry_utc=$exp oauth_refresh_token=jo-rt)"
	lines protocol=https host=csx.example username=kim password=kim-pass \
		password_expiry_utc=$exp oauth_refresh_token=kim-rt | approve
	as_libsecret eval 'lines protocol=https host=csx.example | fill'
	expect_out "libsecret reads cobo's expiry and refresh token" "$(lines protocol=https \
		host=csx.example username=kim password=kim-pass oauth_refresh_token=kim-rt \
		password_expiry_utc=$exp)"
else
	echo "# $LIBSECRET_SRC predates password_expiry_utc/oauth_refresh_token (git < 2.43):" \
		"payload interop not applicable"
fi

# --- a keyring that cannot answer: get lets git move on, store fails ---
if keyring_lock; then
	lines protocol=https host=ls.example username=alice | helper get
	expect_eq "locked keyring: get exits 0 with no output" "0|" "$RC|$OUT"
	expect_match "locked keyring: get says so on stderr" '^git-credential-cobo: cannot read' "$ERR"
	expect_eq "locked keyring: one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
	lines protocol=https host=ls.example username=alice | fill
	expect_out "locked keyring: git prompts instead" "$(lines protocol=https \
		host=ls.example username=alice password=askpass-password)"
	lines protocol=https host=lk.example username=u password=p | helper store
	expect_eq "locked keyring: store exits 1" "1|" "$RC|$OUT"
	expect_match "locked keyring: store says so" '^git-credential-cobo: cannot store' "$ERR"
else
	fail "keyring_lock"
fi
keyring_kill
lines protocol=https host=ls.example | helper get
expect_eq "keyring daemon gone: get exits 0, no output" "0|" "$RC|$OUT"
expect_match "keyring daemon gone: one line on stderr" '^git-credential-cobo: cannot read' "$ERR"

t_done
