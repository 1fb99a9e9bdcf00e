#!/bin/bash
# A third-party module builds against the installed header and cobocred.pc
# alone (make install DESTDIR=...), loads through the stack, and answers
# git through git-credential-cobo; its manifest (static.module) gets it the
# laziness of our own modules, and holds it to what it declares.
. "$top_srcdir/tests/lib/common.sh"

inst="$T_TMP/inst"
make -s -C "$top_builddir" install DESTDIR="$inst" >"$T_TMP/install.log" 2>&1 ||
	{ cat "$T_TMP/install.log"; fail "make install DESTDIR"; t_done; }
pc=$(find "$inst" -name cobocred.pc | head -1)
check "cobocred.pc installed" test -n "$pc"
check "module.h installed" test -n "$(find "$inst" -path '*/cobocred/module.h')"
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$inst"
cflags=$(pkg-config --cflags cobocred)
moduledir=$(pkg-config --variable=moduledir cobocred)
expect_match "moduledir is under pkglibdir" '/cobo-credential/modules$' "$moduledir"
for m in cobo-oauth etcd file kernel keyring; do
	check "$m.module installed beside $m.so" test -f "$moduledir/$m.module" -a -f "$moduledir/$m.so"
done

mods="$T_TMP/mods"
mkdir -p "$mods"
# shellcheck disable=SC2086
check "example module compiles against the installed ABI only" \
	${CC:-cc} -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden $cflags \
	-o "$mods/static.so" "$top_srcdir/tests/example/static-module.c"
chmod 755 "$mods/static.so"
cp "$top_srcdir/tests/example/static.module" "$mods/"
chmod 644 "$mods/static.module"

printf 's3cr3t-from-file\n' >"$T_TMP/pw"
chmod 600 "$T_TMP/pw"
t_config <<EOF
[stack]
get = static
[module static]
schema = org.git.Password
username = alice
password_file = $T_TMP/pw
EOF
out=$(printf 'protocol=https\nhost=example.com\n\n' |
	COBO_CREDENTIAL_MODULE_PATH="$mods" "$top_builddir/src/git/git-credential-cobo" get 2>"$T_TMP/err")
expect_eq "git helper answers through the example module" \
	"$(printf 'username=alice\npassword=s3cr3t-from-file')" "$out"
expect_eq "and says nothing on stderr" "" "$(cat "$T_TMP/err")"

# Its manifest says git only: a Docker get passes over it unloaded.
for helper in git docker; do
	rm -f "$T_TMP/trace.$helper"
	if [ $helper = git ]; then
		printf 'protocol=https\nhost=example.com\n\n' | COBO_CREDENTIAL_TRACE="$T_TMP/trace.git" \
			COBO_CREDENTIAL_MODULE_PATH="$mods" "$top_builddir/src/git/git-credential-cobo" get
	else
		printf 'https://registry.example\n' | COBO_CREDENTIAL_TRACE="$T_TMP/trace.docker" \
			COBO_CREDENTIAL_MODULE_PATH="$mods" \
			"$top_builddir/src/docker/docker-credential-cobo" get
	fi >/dev/null 2>&1
done
check "control: a git get loads it" grep -q "loaded module 'static'" "$T_TMP/trace.git"
# (its manifest is read, and the trace says where it was found: that is
# not a load)
check "a Docker get never loads it (its manifest)" \
	sh -c "! grep -q \"loaded module 'static'\" '$T_TMP/trace.docker'"
check "a Docker get reads its manifest instead" grep -q "module 'static': found " "$T_TMP/trace.docker"

# A manifest that says other than the module: refused with its FILE:LINE.
sed 's/^capabilities = .*/capabilities = get store/' "$top_srcdir/tests/example/static.module" \
	>"$mods/static.module"
printf 'protocol=https\nhost=example.com\n\n' |
	COBO_CREDENTIAL_MODULE_PATH="$mods" "$top_builddir/src/git/git-credential-cobo" get \
		>/dev/null 2>"$T_TMP/err"
expect_match "a manifest saying other than the module: refused, FILE:LINE of both files" \
	"config:2: module 'static': $mods/static.module:7: capabilities = get store, but $mods/static.so declares get" \
	"$(cat "$T_TMP/err")"
t_done
