# tests/lib/kwallet.sh - KWallet (kwalletd5) as the Secret Service provider,
# headless, on the test's private bus (issue 31).  Sourced by
# tests/lib/gnome-keyring.sh when COBO_TEST_PROVIDER=kwallet; the suites call
# keyring_start & co. there and never these functions directly.
#
#   kwl_start   a kwalletrc (no first-use wizard, no dialog on open, Secret
#               Service API on) and kwalletd5 started the way pam_kwallet5
#               starts it at a KDE login: PAM_KWALLET5_LOGIN set and
#               --pam-login PIPEFD SOCKFD, the pipe carrying the 56-byte
#               PBKDF2-HMAC-SHA512 of the password over the wallet's salt
#               file (50000 rounds), the socket the session's environment.
#               kwalletd5 5.103 gives a wallet it has just created its Secret
#               Service collection only at its next start, so the first start
#               of a test creates the wallet and is stopped and started once
#               more.  Returns once the `default` alias names a collection;
#               with KWL_LOCKED=1 that collection is left as a KDE login
#               leaves it (Locked=true, the wallet open: an Unlock completes
#               with no dialog), else it is unlocked here so keyring_start's
#               promise (an unlocked default collection) holds.
#
# Everything lives in $KR_DIR and the test's private XDG dirs: the wallet
# ($XDG_DATA_HOME/kwalletd), kwalletrc ($XDG_CONFIG_HOME), so parallel tests
# never meet.  The only processes are the bus and kwalletd5, stopped by PID.

KWL_LOCKED=${KWL_LOCKED:-0}

# kwl_missing: prints why kwalletd5 cannot run here, or nothing.
kwl_missing() {
	command -v kwalletd5 >/dev/null 2>&1 ||
		{ echo "kwalletd5 is not installed (apt-get install libkf5wallet-bin libqca-qt5-2-plugins)"; return; }
	[ -n "$(find /usr/lib /usr/lib64 -path '*platforms/libqoffscreen.so' -print -quit 2>/dev/null)" ] ||
		{ echo "Qt's offscreen platform plugin is missing (qtbase5 plugins)"; return; }
	# without it every Secret Service call fails: "createDLGroup failed"
	[ -n "$(find /usr/lib /usr/lib64 -path '*crypto/libqca-ossl.so' -print -quit 2>/dev/null)" ] ||
		echo "QCA's OpenSSL plugin is missing (apt-get install libqca-qt5-2-plugins)"
}

kwl_write_rc() {
	mkdir -p "$XDG_CONFIG_HOME"
	cat > "$XDG_CONFIG_HOME/kwalletrc" <<EOF
[Wallet]
Enabled=true
First Use=false
Prompt on Open=false
Close When Idle=false
Use One Wallet=true
Default Wallet=kdewallet

[org.freedesktop.secrets]
apiEnabled=true
EOF
}

# kwl_launch: one kwalletd5, opened the pam_kwallet5 way; sets KR_DAEMON_PID.
# The hash goes into the pipe and the environment into a connection queued
# on the listening socket before kwalletd5 runs (both fit in the kernel's
# buffers), so nothing waits on anything; the launcher then becomes
# kwalletd5 (exec), whose PID is $!.
kwl_launch() {
	local salt=$XDG_DATA_HOME/kwalletd/kdewallet.salt
	mkdir -p "$XDG_DATA_HOME/kwalletd"
	[ -s "$salt" ] || head -c 56 /dev/urandom > "$salt"
	rm -f "$KR_DIR/kwl.sock"
	printf '%s' "$KR_PASSWORD" |
		PAM_KWALLET5_LOGIN=1 QT_QPA_PLATFORM=offscreen "$PYTHON" -c '
import hashlib, os, socket, sys
salt_file, sock_path = sys.argv[1], sys.argv[2]
with open(salt_file, "rb") as f:
    salt = f.read()
key = hashlib.pbkdf2_hmac("sha512", sys.stdin.buffer.read(), salt, 50000, 56)
r, w = os.pipe()
os.write(w, key)
os.close(w)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(1)
cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
cli.connect(sock_path)
names = ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME")
cli.sendall("".join("%s=%s\n" % (n, os.environ[n]) for n in names if n in os.environ).encode())
cli.close()
os.set_inheritable(r, True)
os.set_inheritable(srv.fileno(), True)
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
os.execvp("kwalletd5", ["kwalletd5", "--pam-login", str(r), str(srv.fileno())])
' "$salt" "$KR_DIR/kwl.sock" >>"$KR_DIR/daemon.log" 2>&1 &
	KR_DAEMON_PID=$!
}

# kwl_wait_collection: waits for the name, then for the default alias to
# name a collection; prints its path.  Fails when the daemon exits.
kwl_wait_collection() {
	local i coll=/
	for i in $(seq 600); do # a safety net (60 s), not a wait
		if kr_name_has_owner org.freedesktop.secrets; then
			coll=$(kr_default_collection)
			[ -n "$coll" ] && [ "$coll" != / ] && { echo "$coll"; return 0; }
		fi
		kr_alive "$KR_DAEMON_PID" || return 1
		sleep 0.1
	done
	return 1
}

# kwl_unlock COLL: Unlock and, if it answers with a prompt, perform it.
kwl_unlock() {
	local out prompt i
	out=$(kr_call org.freedesktop.secrets /org/freedesktop/secrets \
		org.freedesktop.Secret.Service.Unlock array:objpath:"$1") || return 1
	prompt=$(printf '%s\n' "$out" | grep -o '/org/freedesktop/secrets/prompt/[A-Za-z0-9_/]*' | head -n1)
	if [ -n "$prompt" ]; then
		kr_call org.freedesktop.secrets "$prompt" org.freedesktop.Secret.Prompt.Prompt \
			string: >/dev/null || return 1
	fi
	for i in $(seq 600); do # a safety net (60 s), not a wait
		[ "$(kr_collection_locked "$1")" = false ] && return 0
		sleep 0.1
	done
	return 1
}

kwl_start() {
	local coll= why
	why=$(kwl_missing)
	if [ -n "$why" ]; then
		echo "SKIP: KWallet provider: $why"
		exit 77
	fi
	keyring_bus_only || return 1
	[ -f "$XDG_CONFIG_HOME/kwalletrc" ] || kwl_write_rc
	: >"$KR_DIR/daemon.log"
	if [ ! -f "$XDG_DATA_HOME/kwalletd/kdewallet.kwl" ]; then
		# first start: pamOpen creates the wallet; its collection comes next start
		kwl_launch
		kwl_wait_wallet || { kwl_fail "did not create the wallet"; return 1; }
		kr_stop_pid "$KR_DAEMON_PID"
		wait "$KR_DAEMON_PID" 2>/dev/null
		KR_DAEMON_PID=
	fi
	kwl_launch
	coll=$(kwl_wait_collection) || { kwl_fail "exposed no default collection"; return 1; }
	KR_COLLECTION=$coll
	[ "$KWL_LOCKED" = 1 ] && return 0
	kwl_unlock "$coll" || { kwl_fail "did not unlock $coll"; return 1; }
}

# kwl_wait_wallet: the wallet file written by the first start.
kwl_wait_wallet() {
	local i
	for i in $(seq 600); do # a safety net (60 s), not a wait
		kr_name_has_owner org.freedesktop.secrets &&
			[ -s "$XDG_DATA_HOME/kwalletd/kdewallet.kwl" ] && return 0
		kr_alive "$KR_DAEMON_PID" || return 1
		sleep 0.1
	done
	return 1
}

kwl_fail() {
	echo "kwallet.sh: kwalletd5 $1" >&2
	sed 's/^/  kwalletd5: /' "$KR_DIR/daemon.log" >&2
}

# kwl_save: kwalletd5 writes a wallet to disk some seconds after a change,
# or when it closes it, and a stopped daemon (SIGTERM) does neither: so
# keyring_stop closes every wallet first (a D-Bus call that returns once
# they are written), as a KDE logout does.
kwl_save() {
	kr_call org.kde.kwalletd5 /modules/kwalletd5 org.kde.KWallet.closeAllWallets >/dev/null
}

# Reference clients (git-credential-libsecret, docker-credential-secretservice,
# secret-tool) hit two faults of kwalletd5 5.103's transfer sessions, both
# from the Diffie-Hellman values' leading zero bytes, which libsecret drops
# (our helpers cope: plugins/keyring/session.c):
#   - it refuses a short client key, "Client public key size is invalid"
#     (about one libsecret session in a hundred; fixed in KDE Frameworks
#     6.25): the call fails with that text;
#   - it derives another AES key than libsecret (about one session in two
#     hundred): a secret it sends decodes to nothing, so a read finds the
#     item but not its secret, and a secret sent to it is refused with
#     "Can't find session".
# Under this provider each reference client runs through a wrapper that
# makes the call once more, in a new process (a new session), after
# exactly those signs: the first text on stderr, or a read that came back
# without a secret (a get or lookup with none, a search listing an item
# without its secret).  A read is idempotent, so a second one changes
# nothing where the item is really absent; the interop checks test interop,
# not these bugs.  kwl_ref_wrap PATH: PATH becomes such a wrapper of itself
# (moved to PATH.real).
kwl_ref_wrap() {
	mv "$1" "$1.real" || return 1
	kwl_ref_script "$1.real" > "$1"
	chmod 755 "$1"
}

kwl_ref_script() {
	printf '#!/bin/bash\n# a kwalletd5 5.103 test wrapper (tests/lib/kwallet.sh kwl_ref_wrap)\n'
	printf 'real=%q\n' "$1"
	cat <<'WRAP'
# no_secret ARGS...: 0 if this call read no secret ($d/out) where it could
no_secret() {
	case "${real##*/}.$1" in
	secret-tool*.lookup) [ ! -s "$d/out" ] ;;
	secret-tool*.search)
		[ "$(grep -c '^\[' "$d/out")" -gt "$(grep -c '^secret = ' "$d/out")" ] ;;
	git-credential-libsecret*.get) ! grep -q '^password=' "$d/out" ;;
	docker-credential-secretservice*.get) ! grep -q '"Secret"' "$d/out" ;;
	*) return 1 ;;
	esac
}
d=$(mktemp -d) || exit 99
cat > "$d/in"
for try in 1 2; do
	"$real" "$@" <"$d/in" >"$d/out" 2>"$d/err"
	rc=$?
	[ "$try" = 2 ] && break
	grep -q -e 'Client public key size is invalid' -e "Can't find session" "$d/err" && continue
	no_secret "$@" || break
done
cat "$d/out"
cat "$d/err" >&2
rm -rf "$d"
exit $rc
WRAP
}

# At source time: secret-tool and docker-credential-secretservice from PATH,
# wrapped, first on PATH.
kwl_ref_path() {
	local t real
	mkdir -p "$T_TMP/kwl-ref"
	for t in secret-tool docker-credential-secretservice; do
		real=$(command -v "$t") || continue
		kwl_ref_script "$real" > "$T_TMP/kwl-ref/$t"
		chmod 755 "$T_TMP/kwl-ref/$t"
	done
	PATH="$T_TMP/kwl-ref:$PATH"
}
kwl_ref_path
