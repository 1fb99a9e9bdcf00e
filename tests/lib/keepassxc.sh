# tests/lib/keepassxc.sh - KeePassXC as the Secret Service provider, headless,
# on the test's private bus (issue 15).  Sourced by tests/lib/gnome-keyring.sh
# when COBO_TEST_PROVIDER=keepassxc; the suites call keyring_start & co.
# there and never these functions directly.
#
#   kpx_start   a database (created once per test: password on stdin, its
#               root group exposed to Secret Service through the custom
#               data key FDO_SECRETS_EXPOSED_GROUP, set by an export/import
#               round trip), a keepassxc.ini enabling Secret Service without
#               notifications or confirmations, and
#               QT_QPA_PLATFORM=offscreen keepassxc --pw-stdin DB; returns
#               once the `default` alias points at an unlocked collection.
#   kpx_confirm [access] [delete]
#               rewrites keepassxc.ini so KeePassXC asks a person to confirm
#               reading (access) or deleting (delete) items, for the prompt
#               tests; takes effect at the next kpx_start.
#
# Everything lives in $KR_DIR (the test's temp dir): the database, the
# config (XDG_CONFIG_HOME is private already), and KeePassXC's lock file and
# single-instance socket (its TMPDIR), so parallel tests never meet.

KPX_DB=
KPX_CONFIRM_ACCESS=false
KPX_CONFIRM_DELETE=false

# kpx_missing: prints why KeePassXC cannot run here, or nothing.
kpx_missing() {
	local t
	for t in keepassxc keepassxc-cli; do
		command -v "$t" >/dev/null 2>&1 || { echo "$t is not installed (apt-get install keepassxc)"; return; }
	done
	[ -n "$(find /usr/lib /usr/lib64 -path '*platforms/libqoffscreen.so' -print -quit 2>/dev/null)" ] ||
		echo "Qt's offscreen platform plugin is missing (qtbase5 plugins)"
}

kpx_write_ini() {
	mkdir -p "$XDG_CONFIG_HOME/keepassxc"
	cat > "$XDG_CONFIG_HOME/keepassxc/keepassxc.ini" <<EOF
[General]
ConfigVersion=2
# Saved on exit only: KeePassXC 2.7.4 saves in a worker thread while its
# main loop keeps serving D-Bus, and a store or delete landing during a save
# crashed it (SIGSEGV in the writer) under this suite's back-to-back calls.
SingleInstance=false
AutoSaveAfterEveryChange=false
AutoSaveOnExit=true
RememberLastDatabases=false
OpenPreviousDatabasesOnStartup=false
CheckForUpdates=false
UpdateCheckMessageShown=true

[GUI]
MinimizeOnStartup=false
ShowTrayIcon=false

[Security]
LockDatabaseIdle=false
LockDatabaseScreenLock=false
LockDatabaseOnUserSwitch=false

[FdoSecrets]
Enabled=true
ShowNotification=false
ConfirmAccessItem=$KPX_CONFIRM_ACCESS
ConfirmDeleteItem=$KPX_CONFIRM_DELETE
EOF
}

kpx_confirm() {
	local w
	KPX_CONFIRM_ACCESS=false
	KPX_CONFIRM_DELETE=false
	for w in "$@"; do
		case $w in
		access) KPX_CONFIRM_ACCESS=true ;;
		delete) KPX_CONFIRM_DELETE=true ;;
		esac
	done
	kpx_write_ini
}

# The database's root group UUID as KeePassXC's settings write it: {8-4-4-4-12}.
kpx_root_uuid() {
	local b64 hex
	b64=$(sed -n 's:.*<UUID>\(.*\)</UUID>.*:\1:p' "$1" | head -n1)
	hex=$(printf '%s' "$b64" | base64 -d | od -An -tx1 | tr -d ' \n')
	[ ${#hex} -eq 32 ] || return 1
	printf '{%s-%s-%s-%s-%s}\n' "${hex:0:8}" "${hex:8:4}" "${hex:12:4}" "${hex:16:4}" "${hex:20:12}"
}

# kpx_create_db DB: a new database whose root group is exposed to Secret Service.
kpx_create_db() {
	local db=$1 xml=$KR_DIR/db.xml uuid
	# -t 100: the lowest key derivation time, so opening it is quick
	printf '%s\n%s\n' "$KR_PASSWORD" "$KR_PASSWORD" |
		keepassxc-cli db-create -q -p -t 100 "$db.new" >"$KR_DIR/cli.log" 2>&1 || return 1
	printf '%s\n' "$KR_PASSWORD" | keepassxc-cli export -q -f xml "$db.new" >"$xml" 2>>"$KR_DIR/cli.log" || return 1
	uuid=$(kpx_root_uuid "$xml") || return 1
	# No recycle bin: KeePassXC 2.7.4's SearchItems can crash on a recycled
	# entry matching a search (an entry without a Secret Service item).
	sed -i -e "s|</Meta>|<CustomData><Item><Key>FDO_SECRETS_EXPOSED_GROUP</Key><Value>$uuid</Value></Item></CustomData></Meta>|" \
		-e "s|<RecycleBinEnabled>True</RecycleBinEnabled>|<RecycleBinEnabled>False</RecycleBinEnabled>|" "$xml"
	printf '%s\n%s\n' "$KR_PASSWORD" "$KR_PASSWORD" |
		keepassxc-cli import -q -p -t 100 "$xml" "$db" >>"$KR_DIR/cli.log" 2>&1 || return 1
	rm -f "$db.new" "$xml"
}

kpx_start() {
	local i coll=/ why
	why=$(kpx_missing)
	if [ -n "$why" ]; then
		echo "SKIP: KeePassXC provider: $why"
		exit 77
	fi
	keyring_bus_only || return 1
	KPX_DB=$KR_DIR/cobo-test.kdbx # the collection is named after the file
	[ -f "$XDG_CONFIG_HOME/keepassxc/keepassxc.ini" ] || kpx_write_ini
	if [ ! -f "$KPX_DB" ] && ! kpx_create_db "$KPX_DB"; then
		echo "keepassxc.sh: cannot create the database:" >&2
		sed 's/^/  cli: /' "$KR_DIR/cli.log" >&2
		return 1
	fi
	mkdir -p "$KR_DIR/tmp"
	printf '%s\n' "$KR_PASSWORD" |
		TMPDIR=$KR_DIR/tmp QT_QPA_PLATFORM=offscreen \
		keepassxc --pw-stdin "$KPX_DB" >"$KR_DIR/daemon.log" 2>&1 &
	KR_DAEMON_PID=$!
	for i in $(seq 600); do # a safety net (60 s), not a wait
		if kr_name_has_owner org.freedesktop.secrets; then
			coll=$(kr_default_collection)
			[ -n "$coll" ] && [ "$coll" != / ] &&
				[ "$(kr_collection_locked "$coll")" = false ] && break
		fi
		kr_alive "$KR_DAEMON_PID" || break
		sleep 0.1
	done
	if [ -z "$coll" ] || [ "$coll" = / ] || [ "$(kr_collection_locked "$coll")" != false ]; then
		echo "keepassxc.sh: KeePassXC did not expose an unlocked default collection" >&2
		sed 's/^/  keepassxc: /' "$KR_DIR/daemon.log" >&2
		return 1
	fi
	KR_COLLECTION=$coll
}
