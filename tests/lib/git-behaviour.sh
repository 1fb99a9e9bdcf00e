# tests/lib/git-behaviour.sh - the "Non-Cobo hosts" rules of
# issue 5, one check at a time, through the real git client where git
# forwards the keys and through the helper directly where the git under
# test does not (password_expiry_utc and oauth_refresh_token arrived in
# git 2.41, ephemeral in 2.46).  Source after tests/lib/git.sh and a gh_use_* call;
# then run gh_behaviour_suite.  Every test uses its own host name.

bh_nothing_stored() {
	lines protocol=https host=empty.example | fill
	expect_out "nothing stored: git falls back to prompting" "$(lines protocol=https \
		host=empty.example username=askpass-username password=askpass-password)"
	expect_prompts "nothing stored" "$(prompts_for https://empty.example \
		https://askpass-username@empty.example)"
	expect_err_empty "nothing stored"
}

bh_store_and_get() {
	store_cred https store.example alice s3cret
	expect_eq "approve succeeds" "0:" "$RC:$ERR"
	lines protocol=https host=store.example | fill
	expect_out "get returns what approve stored" "$(lines protocol=https \
		host=store.example username=alice password=s3cret)"
	expect_no_prompt "get returns what approve stored"
	expect_err_empty "get"
	lines url=https://store.example/some/repo.git | fill
	expect_out "url= request finds it (path dropped: useHttpPath is off)" "$(lines \
		protocol=https host=store.example username=alice password=s3cret)"
	lines protocol=https host=store.example | helper get
	expect_eq "helper get: only key=value lines, exit 0, quiet" \
		"0|$(lines username=alice password=s3cret)|" "$RC|$OUT|$ERR"
}

bh_protocol_matters() {
	store_cred https proto.example u pw
	lines protocol=http host=proto.example | fill
	expect_prompts "http does not match an https credential" "$(prompts_for \
		http://proto.example http://askpass-username@proto.example)"
	store_cred http proto.example u plainpw
	lines protocol=http host=proto.example | fill
	expect_out "http has its own credential" "$(lines protocol=http host=proto.example \
		username=u password=plainpw)"
	lines protocol=https host=proto.example | fill
	expect_out "https keeps its own" "$(lines protocol=https host=proto.example \
		username=u password=pw)"
}

bh_host_and_port() {
	store_cred https host.example u pw
	lines protocol=https host=other.example | fill
	expect_prompts "another host does not match" "$(prompts_for https://other.example \
		https://askpass-username@other.example)"
	lines protocol=https host=host.example:8443 | fill
	expect_prompts "host:port does not match the bare host" "$(prompts_for \
		https://host.example:8443 https://askpass-username@host.example:8443)"
	store_cred https host.example:8443 u portpw
	lines url=https://host.example:8443 | fill
	expect_out "host:port is its own credential" "$(lines protocol=https \
		host=host.example:8443 username=u password=portpw)"
	store_cred http '[::1]:8080' u v6pw
	lines url=http://[::1]:8080/r.git | fill
	expect_out "IPv6 literal host with port" "$(lines protocol=http host=[::1]:8080 \
		username=u password=v6pw)"
}

bh_usernames() {
	store_cred https users.example user1 pass-1
	store_cred https users.example user2 pass-2
	lines protocol=https host=users.example username=user1 | fill
	expect_out "several usernames per host: user1" "$(lines protocol=https \
		host=users.example username=user1 password=pass-1)"
	lines protocol=https host=users.example username=user2 | fill
	expect_out "several usernames per host: user2" "$(lines protocol=https \
		host=users.example username=user2 password=pass-2)"
	lines url=https://user3@users.example | fill
	expect_out "an unknown username does not match" "$(lines protocol=https \
		host=users.example username=user3 password=askpass-password)"
	expect_prompts "an unknown username prompts for the password only" \
		"askpass: Password for 'https://user3@users.example': "
	lines protocol=https host=users.example | fill
	expect_match "no username in the request: either one matches" \
		'username=user[12]' "$OUT"
	expect_no_prompt "no username in the request"
}

bh_paths() {
	store_cred https path.example pu pathpw repo.git
	lines url=https://path.example/other.git | fill -c credential.useHttpPath=true
	expect_prompts "useHttpPath: another path does not match" "$(prompts_for \
		https://path.example/other.git https://askpass-username@path.example/other.git)"
	lines url=https://path.example/repo.git | fill -c credential.useHttpPath=true
	expect_out "useHttpPath: the same path matches" "$(lines protocol=https \
		host=path.example path=repo.git username=pu password=pathpw)"
	lines url=https://path.example/other.git | fill
	expect_out "no path in the request: a stored path does not matter" "$(lines \
		protocol=https host=path.example username=pu password=pathpw)"
	store_cred https nopath.example u pw
	lines url=https://nopath.example/repo.git | fill -c credential.useHttpPath=true
	expect_prompts "a path in the request must be stored too" "$(prompts_for \
		https://nopath.example/repo.git https://askpass-username@nopath.example/repo.git)"
	# git sends client-certificate passphrases as cert:// with an empty host
	lines protocol=cert host= path=etc/client.p12 username=c password=certpw | approve
	lines protocol=cert host= path=etc/client.p12 | fill
	expect_out "cert:// credentials (empty host, keyed by path)" "$(lines protocol=cert \
		host= path=etc/client.p12 username=c password=certpw)"
	lines protocol=cert host= path=etc/other.p12 | helper get
	expect_out "cert:// another path does not match" ""
}

bh_empty_values() {
	lines protocol=https host=sso.example username= password= | approve
	lines protocol=https host=sso.example | fill
	expect_out "empty username and password come back as empty" "$(lines protocol=https \
		host=sso.example username= password=)"
	expect_no_prompt "empty username and password"
	lines protocol=https host=sso.example | helper get
	expect_out "helper prints the empty fields" "$(lines username= password=)"
	lines protocol=https host=sso.example username=someone | fill
	expect_prompts "an empty username is a username: another does not match it" \
		"askpass: Password for 'https://someone@sso.example': "
}

bh_overwrite() {
	store_cred https over.example u first
	store_cred https over.example u second
	lines protocol=https host=over.example | fill
	expect_out "store overwrites the same protocol/host/username" "$(lines \
		protocol=https host=over.example username=u password=second)"
	lines protocol=https host=over.example username=u password=second | reject
	lines protocol=https host=over.example | fill
	expect_prompts "the overwritten password is gone, not hidden" "$(prompts_for \
		https://over.example https://askpass-username@over.example)"
	store_cred https over2.example u nopath
	store_cred https over2.example u withpath r.git
	lines protocol=https host=over2.example path=r.git | helper get
	expect_out "the credential with a path is stored" "$(lines username=u password=withpath)"
	lines protocol=https host=over2.example password=withpath | helper erase
	lines protocol=https host=over2.example | helper get
	expect_out "a credential with a path does not replace one without" "$(lines \
		username=u password=nopath)"
}

bh_erase() {
	store_cred https erase.example user1 p1
	store_cred https erase.example user2 p2
	store_cred https keep.example user1 p1
	lines protocol=https host=erase.example | reject
	expect_eq "reject succeeds quietly" "0:" "$RC:$ERR"
	lines protocol=https host=erase.example | fill
	expect_prompts "erase removes every match" "$(prompts_for https://erase.example \
		https://askpass-username@erase.example)"
	lines protocol=https host=keep.example | fill
	expect_out "erase leaves other hosts" "$(lines protocol=https host=keep.example \
		username=user1 password=p1)"

	store_cred https forget.example user1 p1
	store_cred https forget.example user2 p2
	lines protocol=https host=forget.example username=user1 | reject
	lines protocol=https host=forget.example username=user2 | fill
	expect_out "erasing one user keeps the other" "$(lines protocol=https \
		host=forget.example username=user2 password=p2)"
	lines protocol=https host=forget.example username=user1 | fill
	expect_prompts "the erased user is gone" \
		"askpass: Password for 'https://user1@forget.example': "
}

bh_erase_password() {
	store_cred https rej.example u right
	lines protocol=https host=rej.example username=u password=wrong | reject
	lines protocol=https host=rej.example | fill
	expect_out "reject with another password keeps the stored one" "$(lines \
		protocol=https host=rej.example username=u password=right)"
	lines protocol=https host=rej.example username=u password=right | reject
	lines protocol=https host=rej.example | fill
	expect_prompts "reject with the stored password erases it" "$(prompts_for \
		https://rej.example https://askpass-username@rej.example)"
	store_cred https rej2.example a same
	store_cred https rej2.example b other
	lines protocol=https host=rej2.example password=same | helper erase
	lines protocol=https host=rej2.example username=b | helper get
	expect_out "erase by password alone spares the others" "$(lines username=b \
		password=other)"
}

bh_empty_erase() {
	store_cred https all.example u pw
	printf '' | helper erase
	expect_eq "an empty erase: exit 0, quiet" "0||" "$RC|$OUT|$ERR"
	lines password=pw | helper erase
	expect_eq "an erase with only a password: exit 0, quiet" "0||" "$RC|$OUT|$ERR"
	printf '\n' | reject
	lines protocol=https host=all.example | helper get
	expect_out "an empty pattern never means erase everything" "$(lines username=u \
		password=pw)"
}

bh_expiry() {
	local now future past
	now=$(date +%s)
	future=$((now + 3600))
	past=$((now - 10))
	lines protocol=https host=exp.example username=u password=pw \
		password_expiry_utc=$future | helper store
	lines protocol=https host=exp.example | helper get
	expect_eq "password_expiry_utc is stored and returned" \
		"0|$(lines username=u password=pw password_expiry_utc=$future)|" "$RC|$OUT|$ERR"
	COBO_CREDENTIAL_NOW_OFFSET=7200 helper get < <(lines protocol=https host=exp.example)
	expect_eq "after password_expiry_utc the credential is not returned" "0||" \
		"$RC|$OUT|$ERR"
	lines protocol=https host=exp.example username=u password=pw2 \
		password_expiry_utc=$((future + 60)) | helper store
	lines protocol=https host=exp.example | helper get
	expect_out "a new password_expiry_utc overwrites the entry" "$(lines username=u \
		password=pw2 password_expiry_utc=$((future + 60)))"
	lines protocol=https host=old.example username=u password=pw \
		password_expiry_utc=$past | helper store
	lines protocol=https host=old.example | helper get
	expect_eq "an already expired credential is not returned" "0||" "$RC|$OUT|$ERR"
	if ver_ge "$GIT_VERSION" 2.41; then
		lines protocol=https host=gexp.example username=u password=pw \
			password_expiry_utc=$future | approve
		lines protocol=https host=gexp.example | fill
		expect_out "git $GIT_VERSION: password_expiry_utc round trip" "$(lines \
			protocol=https host=gexp.example username=u password=pw \
			password_expiry_utc=$future)"
	fi
}

bh_refresh_token() {
	lines protocol=https host=oauth.example username=u password=at \
		oauth_refresh_token=rt-123 | helper store
	lines protocol=https host=oauth.example | helper get
	expect_out "oauth_refresh_token is stored and returned" "$(lines username=u \
		password=at oauth_refresh_token=rt-123)"
	if ver_ge "$GIT_VERSION" 2.41; then
		lines protocol=https host=goauth.example username=u password=at \
			oauth_refresh_token=rt-9 | approve
		lines protocol=https host=goauth.example | fill
		expect_out "git $GIT_VERSION: oauth_refresh_token round trip" "$(lines \
			protocol=https host=goauth.example username=u password=at \
			oauth_refresh_token=rt-9)"
	fi
}

bh_ephemeral() {
	lines protocol=https host=eph.example username=u password=pw ephemeral=1 | helper store
	expect_eq "ephemeral store: exit 0, quiet" "0||" "$RC|$OUT|$ERR"
	lines protocol=https host=eph.example | helper get
	expect_out "an ephemeral credential is never stored" ""
	lines protocol=https host=eph.example username=u password=pw ephemeral=0 | helper store
	lines protocol=https host=eph.example | helper get
	expect_out "ephemeral=0 is stored" "$(lines username=u password=pw)"
}

bh_timeout() {
	local saved=$GH_HELPER before exp
	before=$(date +%s)
	GH_HELPER="cobo --timeout=600"
	store_cred https fresh.example u pw
	GH_HELPER="cobo --timeout=1"
	store_cred https timeout.example u pw
	GH_HELPER=$saved
	lines protocol=https host=fresh.example | helper get
	exp=$(printf '%s\n' "$OUT" | sed -n 's/^password_expiry_utc=//p')
	expect_eq "--timeout=600: returned while fresh" "$(lines username=u password=pw)" \
		"$(printf '%s\n' "$OUT" | grep -v ^password_expiry_utc=)"
	check "--timeout=600: with an expiry 600 s after the store" \
		test "${exp:-0}" -ge $((before + 600)) -a "${exp:-0}" -le $(($(date +%s) + 600))
	# Two seconds later by the helper's clock (the test hook shifts it), not by sleeping.
	lines protocol=https host=timeout.example | COBO_CREDENTIAL_NOW_OFFSET=2 fill
	expect_prompts "--timeout=1: gone after 2 s" "$(prompts_for https://timeout.example \
		https://askpass-username@timeout.example)"
}

bh_long_header() {
	local wa
	store_cred https hdr.example u pw
	wa=$(head -c 60000 /dev/zero | tr '\0' a)
	lines protocol=https host=hdr.example "wwwauth[]=Basic realm=\"$wa\"" | fill
	expect_out "a 60000-byte wwwauth[] (forwarded by git >= 2.41) does not confuse it" \
		"$(lines protocol=https host=hdr.example username=u password=pw)"
	expect_err_empty "long wwwauth[]"
}

bh_capabilities() {
	store_cred https capa.example u pw
	lines capability[]=authtype capability[]=state protocol=https host=capa.example \
		state[]=helper:xyz wwwauth[]='Bearer realm="x"' | helper get
	expect_eq "announced capabilities are not answered: plain username/password" \
		"0|$(lines username=u password=pw)|" "$RC|$OUT|$ERR"
	lines capability[]=authtype protocol=https host=capa2.example authtype=Bearer \
		credential=tok | helper store
	lines protocol=https host=capa2.example | helper get
	expect_out "authtype/credential without a password is not stored" ""
}

gh_behaviour_suite() {
	bh_nothing_stored
	bh_store_and_get
	bh_protocol_matters
	bh_host_and_port
	bh_usernames
	bh_paths
	bh_empty_values
	bh_overwrite
	bh_erase
	bh_erase_password
	bh_empty_erase
	bh_expiry
	bh_refresh_token
	bh_ephemeral
	bh_long_header
	bh_capabilities
	bh_timeout
}
