#!/bin/bash
# keyring-interop.sh - items are shared both ways with the established
# helpers: Debian's git-credential-libsecret (built here from git's contrib
# sources) and docker-credential-secretservice.
. "$top_srcdir/tests/lib/keyring.sh"

GCL_SRC=/usr/share/doc/git/contrib/credential/libsecret
DCS=$(command -v docker-credential-secretservice || true)

keyring_start || { echo "FAIL - keyring_start"; exit 1; }

# --- git-credential-libsecret --------------------------------------------------
mkdir -p "$T_TMP/gcl"
cp "$GCL_SRC"/* "$T_TMP/gcl/"
if ! make -s -C "$T_TMP/gcl" >"$T_TMP/gcl/build.log" 2>&1; then
	cat "$T_TMP/gcl/build.log"
	echo "FAIL - build git-credential-libsecret from $GCL_SRC"
	exit 1
fi
GCL="$T_TMP/gcl/git-credential-libsecret"
[ "$KR_PROVIDER" = kwallet ] && kwl_ref_wrap "$GCL" # tests/lib/kwallet.sh

# it stores, we read
printf 'protocol=https\nhost=git.example:8443\npath=team/repo.git\nusername=alice\npassword=from-git\n\n' |
	"$GCL" store >/dev/null
check "git helper: store" test $? -eq 0
drv <<EOF
op get
schema org.git.Password
attr protocol=https
attr host=git.example:8443
attr path=team/repo.git
EOF
expect_eq "git -> us: password" from-git "$(field secret)"
expect_eq "git -> us: username" alice "$(printf '%s\n' "$OUT" | sed -n 's/^attr username=//p')"
printf 'protocol=https\nhost=empty.example\nusername=\npassword=p-empty\n\n' | "$GCL" store >/dev/null
drv <<EOF
op get
schema org.git.Password
attr protocol=https
attr host=empty.example
EOF
expect_eq "git -> us: empty username" "p-empty|attr username=" \
	"$(field secret)|$(printf '%s\n' "$OUT" | grep '^attr username')"

# we store, it reads (with and without expiry)
drv <<EOF
op store
schema org.git.Password
attr protocol=https
attr host=ours.example
attr username=bob
secret from-us
EOF
expect_eq "us: store" SUCCESS "$(field status)"
OUT=$(printf 'protocol=https\nhost=ours.example\n\n' | "$GCL" get)
expect_eq "us -> git: get" "username=bob
password=from-us" "$OUT"
drv <<EOF
op store
schema org.git.Password
attr protocol=https
attr host=ours.example:8443
attr path=p
attr username=bob
secret exp-pw
expires 4000000000
EOF
OUT=$(printf 'protocol=https\nhost=ours.example:8443\npath=p\n\n' | "$GCL" get)
expect_match "us -> git: password of an item with expiry" '^username=bob.password=exp-pw' "$(echo $OUT)"

# we replace what it stored; it sees the new password
drv <<EOF
op store
schema org.git.Password
attr protocol=https
attr host=git.example:8443
attr path=team/repo.git
attr username=alice
secret rotated
EOF
OUT=$(printf 'protocol=https\nhost=git.example:8443\npath=team/repo.git\n\n' | "$GCL" get)
expect_eq "us replace -> git: new password" "username=alice
password=rotated" "$OUT"
n=$(secret-tool search --all server git.example user alice 2>&1 | grep -c '^label = ')
expect_eq "us replace: still one item" 1 "$n"

# it erases what we stored
printf 'protocol=https\nhost=ours.example\nusername=bob\n\n' | "$GCL" erase >/dev/null
drv <<EOF
op get
schema org.git.Password
attr protocol=https
attr host=ours.example
EOF
expect_eq "git erase -> us: gone" NOTFOUND "$(field status)"

# we erase what it stored (only with the right password)
drv <<EOF
op erase
schema org.git.Password
attr protocol=https
attr host=empty.example
secret p-empty
EOF
expect_eq "us erase: status" SUCCESS "$(field status)"
OUT=$(printf 'protocol=https\nhost=empty.example\n\n' | "$GCL" get)
expect_eq "us erase -> git: gone" "" "$OUT"

# --- docker-credential-secretservice ----------------------------------------------------
if [ -z "$DCS" ]; then
	echo "FAIL - docker-credential-secretservice not installed (golang-docker-credential-helpers)"
	T_FAIL=$((T_FAIL + 1))
	t_done
fi

printf '{"ServerURL":"https://reg.example:5000","Username":"dan","Secret":"from-docker"}' |
	"$DCS" store
check "docker helper: store" test $? -eq 0
drv <<EOF
op get
schema io.docker.Credentials
attr server=https://reg.example:5000
EOF
expect_eq "docker -> us" "dan from-docker" \
	"$(printf '%s\n' "$OUT" | sed -n 's/^attr username=//p') $(field secret)"

# we store for the same server with another user: one entry, it reads ours
drv <<EOF
op store
schema io.docker.Credentials
attr server=https://reg.example:5000
attr username=erin
secret from-us
EOF
OUT=$(printf 'https://reg.example:5000' | "$DCS" get)
expect_match "us -> docker: get" '"Username":"erin".*"Secret":"from-us"' "$OUT"
n=$(secret-tool search --all server https://reg.example:5000 2>&1 | grep -c '^label = ')
expect_eq "us -> docker: one entry per server" 1 "$n"
OUT=$("$DCS" list </dev/null)
expect_match "us -> docker: list shows our item" '"https://reg.example:5000":"erin"' "$OUT"

# it erases ours, we see it gone
printf 'https://reg.example:5000' | "$DCS" erase
drv <<EOF
op get
schema io.docker.Credentials
attr server=https://reg.example:5000
EOF
expect_eq "docker erase -> us: gone" NOTFOUND "$(field status)"

t_done
