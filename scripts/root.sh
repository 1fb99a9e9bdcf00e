# scripts/root.sh - sourced by fresh-root.sh and packages.sh: fresh Debian
# 12 roots where a newcomer's machine is, and a way to run in them.
#
#   root_new NAME     debootstrap --variant=minbase bookworm into
#                     $ROOTS/NAME (the mirror this machine's apt uses; its
#                     network set-up: /etc/apt, /etc/hosts, /etc/resolv.conf
#                     and the CA certificates added locally in
#                     /usr/local/share/ca-certificates, which the package
#                     ca-certificates takes in when a newcomer installs it:
#                     a machine here reaches HTTPS hosts such as the npm
#                     registry through them; nothing else of the host: no
#                     other /usr/local, no installed package); prints its path
#   root_run DIR CMD  CMD (a bash command line) as root in DIR, with nothing
#                     of the caller's environment, in mount and PID
#                     namespaces of its own with /proc, /dev, /dev/pts and a
#                     tmpfs /run and /dev/shm: when CMD ends, every process
#                     it left ends too, and the mounts go with the namespace
#
# Every root lives under $ROOTS (/var/tmp/cobo-roots.XXXXXX), removed at
# exit unless KEEP_ROOT=1.  Needs root and bash; the caller sets -e.

SUITE=bookworm
if [ "$(id -u)" -ne 0 ]; then
	echo "${0##*/}: needs root (debootstrap, chroot, mounts)" >&2
	exit 77
fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
ROOTS=$(mktemp -d /var/tmp/cobo-roots.XXXXXX)
roots_cleanup() {
	# Mounts lived in the namespaces only; never delete through one.
	if findmnt -rn -o TARGET | grep -q "^$ROOTS/"; then
		echo "${0##*/}: something is still mounted under $ROOTS; left in place" >&2
	elif [ "${KEEP_ROOT:-0}" = 1 ]; then
		echo "${0##*/}: roots kept in $ROOTS"
	else
		rm -rf --one-file-system "$ROOTS"
	fi
}
trap roots_cleanup EXIT

# The mirror apt uses here for the suite itself.
root_mirror() {
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk -v s="$SUITE" '$2 == s { print $1; exit }'
}

root_new() {
	local dir=$ROOTS/$1 mirror
	mirror=$(root_mirror)
	if [ -z "$mirror" ]; then
		apt-get update -qq
		mirror=$(root_mirror)
	fi
	[ -n "$mirror" ] || { echo "${0##*/}: apt has no source for $SUITE" >&2; return 1; }
	if ! debootstrap --variant=minbase "$SUITE" "$dir" "$mirror" >"$dir.debootstrap.log" 2>&1; then
		tail -n 30 "$dir.debootstrap.log" >&2
		return 1
	fi
	# (&&, not set -e: this runs in a command substitution)
	rm -rf "$dir/etc/apt" && cp -a /etc/apt "$dir/etc/apt" &&
		cp -L /etc/hosts /etc/resolv.conf "$dir/etc/" || return 1
	if [ -d /usr/local/share/ca-certificates ]; then
		mkdir -p "$dir/usr/local/share" &&
			cp -a /usr/local/share/ca-certificates "$dir/usr/local/share/" || return 1
	fi
	echo "$dir"
}

root_run() {
	unshare --mount --propagation private --pid --fork --kill-child -- /bin/bash -c '
		set -e
		root=$1
		mount -t proc proc "$root/proc"
		mount --bind /dev "$root/dev"
		mount --bind /dev/pts "$root/dev/pts"
		mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
		mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$root/run"
		exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI=true \
			DEBIAN_FRONTEND=noninteractive \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash -c "$2"' root-run "$1" "$2"
}

# root_apt DIR PACKAGES...: installs them in DIR, apt's chatter in a log
# shown when it fails.
root_apt() {
	local dir=$1
	shift
	root_run "$dir" "{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $*; } >/tmp/apt.log 2>&1 ||
		{ tail -n 30 /tmp/apt.log; exit 1; }"
}
