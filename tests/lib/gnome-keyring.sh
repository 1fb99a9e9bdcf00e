# tests/lib/gnome-keyring.sh - a private D-Bus session bus with a real Secret
# Service provider on it, for tests that need one: gnome-keyring-daemon, or
# KeePassXC with COBO_TEST_PROVIDER=keepassxc (tests/lib/keepassxc.sh).
# Every keyring suite runs against both: tests/ROOM/NAME-keepassxc.sh is
# NAME.sh with that variable set (registered in tests/Makemodule.am).
#
# Source it after tests/lib/common.sh (which gives the private HOME and
# XDG_RUNTIME_DIR the daemon writes into), then:
#
#   keyring_start    bus + provider; exports DBUS_SESSION_BUS_ADDRESS; the
#                    default collection exists and is unlocked.  A provider
#                    that is not installed ends the test as a SKIP (exit 77)
#                    with the reason, never a silent pass.
#   keyring_lock     locks the default collection (for TRYAGAIN tests)
#   keyring_kill     kill -9 of the provider (fault tests); the bus stays up
#   keyring_stop     stops what keyring_start started (also run at exit)
#   keyring_bus_only a private bus with no Secret Service on it
#   KR_PROVIDER      gnome-keyring | keepassxc | kwallet; KR_DIR/daemon.log its output
#
# The bus uses its own config with no service directories, so nothing is
# ever D-Bus-activated behind the test's back: a killed daemon stays dead
# and the only processes are the ones started here, killed by PID.
# Works as root, with no display and no terminal on stdin.

KR_PROVIDER=${COBO_TEST_PROVIDER:-gnome-keyring}
case $KR_PROVIDER in
gnome-keyring) ;;
keepassxc) . "$top_srcdir/tests/lib/keepassxc.sh" ;;
kwallet) . "$top_srcdir/tests/lib/kwallet.sh" ;;
*)
	echo "gnome-keyring.sh: COBO_TEST_PROVIDER=$KR_PROVIDER: use gnome-keyring, keepassxc or kwallet" >&2
	exit 99
	;;
esac

KR_DBUS_PID=
KR_DAEMON_PID=
KR_DIR=
KR_PASSWORD=test
KR_COLLECTION=
KR_EXIT_SET=

# Prints a reply of one org.freedesktop.Secret call, or fails.
kr_call() {
	local dest=$1 path=$2 method=$3; shift 3
	dbus-send --session --print-reply=literal --reply-timeout=2000 \
		--dest="$dest" "$path" "$method" "$@" 2>/dev/null
}

# The object path of the default collection, or "/" when there is none.
kr_default_collection() {
	kr_call org.freedesktop.secrets /org/freedesktop/secrets \
		org.freedesktop.Secret.Service.ReadAlias string:default | tr -d ' \n'
}

# Prints true/false: is collection $1 locked?
kr_collection_locked() {
	kr_call org.freedesktop.secrets "$1" org.freedesktop.DBus.Properties.Get \
		string:org.freedesktop.Secret.Collection string:Locked |
		awk '{ print $NF }'
}

kr_name_has_owner() {
	kr_call org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:"$1" | grep -q true
}

# keyring_bus_only: starts the private bus and exports its address.
keyring_bus_only() {
	local i
	keyring_stop # a second start replaces the first, never leaks it
	KR_DIR="$T_TMP/keyring"
	mkdir -p "$KR_DIR"
	chmod 700 "$KR_DIR"
	rm -f "$KR_DIR/bus" "$KR_DIR/pid" "$KR_DIR/address"
	cat > "$KR_DIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$KR_DIR/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
	dbus-daemon --config-file="$KR_DIR/bus.conf" --fork --nopidfile \
		--print-address=3 --print-pid=4 3>"$KR_DIR/address" 4>"$KR_DIR/pid" \
		</dev/null >/dev/null 2>"$KR_DIR/dbus.log" || {
		echo "keyring.sh: dbus-daemon failed: $(cat "$KR_DIR/dbus.log")" >&2
		return 1
	}
	for i in $(seq 600); do # a safety net (60 s), not a wait
		[ -s "$KR_DIR/pid" ] && [ -s "$KR_DIR/address" ] && break
		sleep 0.1
	done
	KR_DBUS_PID=$(head -n1 "$KR_DIR/pid")
	DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$KR_DIR/address")
	export DBUS_SESSION_BUS_ADDRESS
	if [ -z "$KR_EXIT_SET" ]; then
		t_on_exit keyring_stop
		KR_EXIT_SET=1
	fi
	if [ -z "$KR_DBUS_PID" ] || [ -z "$DBUS_SESSION_BUS_ADDRESS" ]; then
		echo "keyring.sh: dbus-daemon printed no address/pid" >&2
		return 1
	fi
}

# keyring_start: bus + an unlocked provider with a default collection.
keyring_start() {
	case $KR_PROVIDER in
	keepassxc) kpx_start ;;
	kwallet) kwl_start ;;
	*) gkr_start ;;
	esac
}

gkr_start() {
	local i coll=/ locked=
	if ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
		echo "SKIP: gnome-keyring provider: gnome-keyring-daemon is not installed (apt-get install gnome-keyring)"
		exit 77
	fi
	keyring_bus_only || return 1
	# --unlock reads the login password from stdin; with a fresh HOME the
	# daemon creates the "login" keyring with it and makes it the default.
	printf '%s' "$KR_PASSWORD" |
		gnome-keyring-daemon --foreground --components=secrets --unlock \
		>"$KR_DIR/daemon.log" 2>&1 &
	KR_DAEMON_PID=$!
	for i in $(seq 600); do # a safety net (60 s), not a wait
		if kr_name_has_owner org.freedesktop.secrets; then
			coll=$(kr_default_collection)
			[ -n "$coll" ] && [ "$coll" != / ] && break
		fi
		kr_alive "$KR_DAEMON_PID" || break
		sleep 0.1
	done
	if [ -z "$coll" ] || [ "$coll" = / ]; then
		echo "keyring.sh: gnome-keyring-daemon did not come up with a default collection" >&2
		sed 's/^/  gkd: /' "$KR_DIR/daemon.log" >&2
		return 1
	fi
	KR_COLLECTION=$coll
	locked=$(kr_collection_locked "$coll")
	if [ "$locked" != false ]; then
		echo "keyring.sh: default collection $coll is not unlocked ($locked)" >&2
		return 1
	fi
}

# kr_build_git_libsecret OUT: builds git's own git-credential-libsecret into
# OUT (-O2, as git's contrib Makefile does) from $GH_LIBSECRET_SRC, by default
# the source Debian's git package ships (gzipped or not).  Sets LIBSECRET_SRC
# to the file it used; on failure prints why on stderr and returns 1.
kr_build_git_libsecret() {
	LIBSECRET_SRC=${GH_LIBSECRET_SRC:-/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret.c}
	if [ -f "$LIBSECRET_SRC.gz" ] && [ ! -f "$LIBSECRET_SRC" ]; then
		gzip -dc "$LIBSECRET_SRC.gz" > "$T_TMP/libsecret.c" || return 1
		LIBSECRET_SRC="$T_TMP/libsecret.c"
	fi
	# shellcheck disable=SC2046
	${CC:-cc} -O2 -w -o "$1" "$LIBSECRET_SRC" $(pkg-config --cflags --libs libsecret-1 glib-2.0) \
		2> "$T_TMP/cc.err" && return 0
	echo "cannot build git-credential-libsecret from $LIBSECRET_SRC: $(head -c 300 "$T_TMP/cc.err")" >&2
	return 1
}

# keyring_lock: locks the default collection.  gnome-keyring locks at once;
# KeePassXC answers with a prompt (it locks the database), performed here.
keyring_lock() {
	local coll=${KR_COLLECTION:-$(kr_default_collection)} out prompt i
	out=$(kr_call org.freedesktop.secrets /org/freedesktop/secrets \
		org.freedesktop.Secret.Service.Lock array:objpath:"$coll") || return 1
	prompt=$(printf '%s\n' "$out" | grep -o '/org/freedesktop/secrets/prompt/[A-Za-z0-9_/]*' | head -n1)
	if [ -n "$prompt" ]; then
		kr_call org.freedesktop.secrets "$prompt" org.freedesktop.Secret.Prompt.Prompt \
			string: >/dev/null || return 1
	fi
	for i in $(seq 600); do # a safety net (60 s), not a wait
		[ "$(kr_collection_locked "$coll")" = true ] && return 0
		sleep 0.1
	done
	return 1
}

# keyring_kill: the daemon dies hard; the bus stays.
keyring_kill() {
	[ -n "$KR_DAEMON_PID" ] || return 0
	kill -9 "$KR_DAEMON_PID" 2>/dev/null
	wait "$KR_DAEMON_PID" 2>/dev/null
	KR_DAEMON_PID=
	# wait until the bus has noticed, so the next call sees no owner
	local i
	for i in $(seq 600); do # a safety net (60 s), not a wait
		kr_name_has_owner org.freedesktop.secrets || return 0
		sleep 0.1
	done
}

# kr_alive PID: running (a zombie, waiting for its parent to reap it, is not).
kr_alive() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

kr_stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 20); do
		kr_alive "$pid" || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
}

# keyring_stop: stops the daemon and the bus started by this script.
keyring_stop() {
	if [ "$KR_PROVIDER" = kwallet ] && [ -n "$KR_DAEMON_PID" ]; then
		kwl_save
	fi
	kr_stop_pid "$KR_DAEMON_PID"
	[ -n "$KR_DAEMON_PID" ] && wait "$KR_DAEMON_PID" 2>/dev/null
	KR_DAEMON_PID=
	kr_stop_pid "$KR_DBUS_PID"
	KR_DBUS_PID=
	unset DBUS_SESSION_BUS_ADDRESS
	return 0
}
