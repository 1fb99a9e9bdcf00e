#!/bin/bash
# security-paths.sh - the files we trust (issue 27), end to end through
# the real helpers: tests/security/test_paths runs every generated variant
# in-process through the same code (the front-ends' libraries, the core,
# the dlopen'd modules); this script keeps the wiring proven with a few:
#   1. each kind of trusted file -- the config, a module .so and its
#      directory, the app secret (file:), cobo-oauth's ca_file, etcd's
#      fleet_key, ca_file, cert_file and key_file -- accepted as placed,
#      and refused with one line naming the directory, its owner and mode,
#      the fix and FILE:LINE when a grandparent directory is
#      other-writable; the module path itself a symlink into an
#      other-writable directory;
#   2. relative paths in the config resolve against the config file's
#      directory: real git in a work tree holding a rogue CA and key under
#      the names the config uses, the CLI from the work tree, etcd's
#      fleet_key, the file store, ~user/ refused, a relative config path.
. "$top_srcdir/tests/lib/common.sh"

ME=$(id -u)
GIT_HELPER=$top_builddir/src/git/git-credential-cobo
CLI=$top_builddir/src/cli/cobo-credential
TESTMODS=$top_builddir/tests/modules/.libs
MODS=$top_builddir/modules
export COBO_CREDENTIAL_MODULE_PATH="$MODS:$TESTMODS"
TRACE=$T_TMP/trace
for t in git openssl; do
	command -v $t >/dev/null || { echo "SKIP: needs $t"; exit 77; }
done
[ -e "$MODS/etcd.so" ] && [ -e "$MODS/cobo-oauth.so" ] && [ -e "$TESTMODS/scripted.so" ] || {
	echo "SKIP: the etcd, cobo-oauth and scripted modules are not built"
	exit 77
}

REQ=$'protocol=https\nhost=x.example\n\n'
printf '%s' "$REQ" >"$T_TMP/req"
# Every process counts here (each variant is a dozen of them): the configs
# are written into one file made private once (a redirection keeps its
# mode), each run traces into a file of its own (nothing to remove first),
# and each variant's tree is a copy of its kind's template.
CONF=$XDG_CONFIG_HOME/cobo-credential/config
mkdir -p "${CONF%/*}"
: >"$CONF"
chmod 600 "$CONF"
# conf CMD...: CMD's output becomes the test's config.
conf() {
	"$@" >"$CONF"
	export COBO_CREDENTIAL_CONFIG=$CONF
}
RUNS=0
KEY_HEX=$(openssl rand -hex 32)
ROGUE_HEX=$(openssl rand -hex 32)

# run_git: git helper get on $REQ from $PWD, traced into a new file TRACE;
# OUT, ERR set.
run_git() {
	RUNS=$((RUNS + 1))
	TRACE=$T_TMP/trace.$RUNS
	COBO_CREDENTIAL_TRACE=$TRACE "$GIT_HELPER" get <"$T_TMP/req" >"$T_TMP/out" 2>"$T_TMP/err"
	t_slurp OUT "$T_TMP/out"
	t_slurp ERR "$T_TMP/err"
}
# traced_etcd: the last run_git's trace says the etcd module was loaded.
traced_etcd() {
	local t=
	[ ! -e "$TRACE" ] || t_slurp t "$TRACE"
	[[ $t == *"loaded module 'etcd'"* ]]
}
# run_cli ARGS...: the CLI from $PWD; OUT, ERR, RC set.
run_cli() {
	OUT=$("$CLI" "$@" 2>"$T_TMP/err")
	RC=$?
	t_slurp ERR "$T_TMP/err"
}

# A profile for cobo-oauth: nothing listens on port 9, so a token get that
# passes every file check ends in "cannot reach" (no server needed).
profile() { # EXTRA_LINES...
	printf '[profile p]\nbase_url = https://127.0.0.1:9\nclient_id = cid\norg_id = org1\n'
	printf 'server_key = dev\n'
	printf '%s\n' "$@"
}
# Its manifest says etcd keeps Cobo tokens only: `schemas =` sends the git
# get of run_git to it, so the helper loads it and reads its files.
etcd_module() { # EXTRA_LINES...
	printf '[stack]\nget = etcd\n[module etcd]\nendpoints = http://127.0.0.1:9\n'
	printf 'schemas = org.git.Password\n'
	printf '%s\n' "$@"
}
# A stack of the scripted test module as "probe", which answers mod-ok.
probe_stack() {
	printf '[stack]\nget = probe\n[module probe]\nget = SUCCESS\nsecret = mod-ok\n'
}

# ---- the kinds of trusted file ----------------------------------------------
# kind_place KIND FILE: creates the trusted file at FILE, writes a config that
# uses it.  kind_run KIND: runs a helper that reads it; ACC=1 when it was
# accepted (ERR holds the refusal otherwise); LINED=1 when a config line
# names it (the refusal then says FILE:LINE).
KINDS="config module app_secret ca_file fleet_key etcd_ca etcd_cert etcd_key"

kind_name() { # KNAME: the file's base name
	case $1 in
	config) KNAME=config ;; module) KNAME=probe.so ;; app_secret) KNAME=app.key ;;
	ca_file | etcd_ca) KNAME=ca.pem ;; fleet_key) KNAME=fleet.key ;;
	etcd_cert) KNAME=cert.pem ;; etcd_key) KNAME=tls.key ;;
	esac
}

# kind_template KIND: T_TMP/tpl-KIND, what each variant of KIND starts from:
# a/b (0755) holding the trusted file, safe (0700) and open (0777).
kind_template() {
	local d=$T_TMP/tpl-$1 f
	kind_name "$1"
	f=$d/a/b/$KNAME
	mkdir -p "$d/a/b" "$d/safe" "$d/open"
	chmod 755 "$d" "$d/a" "$d/a/b"
	chmod 700 "$d/safe"
	chmod 777 "$d/open"
	case $1 in
	config)
		printf '[stack]\nget = scripted\n[module scripted]\nget = SUCCESS\nsecret = cfg-ok\n' >"$f"
		chmod 600 "$f" ;;
	module) cp "$TESTMODS/scripted.so" "$f"; chmod 755 "$f" ;;
	app_secret | fleet_key | etcd_key) echo "$KEY_HEX" >"$f"; chmod 600 "$f" ;;
	*) echo "not read at open" >"$f"; chmod 644 "$f" ;;
	esac
}

# kind_place KIND FILE: the config that uses FILE (the template placed it).
kind_place() {
	local f=$2
	case $1 in
	config) export COBO_CREDENTIAL_CONFIG=$f ;;
	module) conf probe_stack ;;
	app_secret) conf profile "app_secret = file:$f" ;;
	ca_file) conf profile "app_secret = env:APP_HEX" "ca_file = $f" ;;
	fleet_key) conf etcd_module "fleet_key = file:$f" ;;
	etcd_ca) conf etcd_module "fleet_key = env:APP_HEX" "ca_file = $f" ;;
	etcd_cert) conf etcd_module "fleet_key = env:APP_HEX" "cert_file = $f" ;;
	etcd_key) conf etcd_module "fleet_key = env:APP_HEX" "key_file = $f" ;;
	esac
}
export APP_HEX=$KEY_HEX

kind_run() {
	ACC=0 LINED=1
	case $1 in
	config)
		LINED=0
		run_git
		[[ $OUT == *password=cfg-ok* ]] && ACC=1 ;;
	module)
		COBO_CREDENTIAL_MODULE_PATH=$MODULE_DIR run_git
		[[ $OUT == *password=mod-ok* ]] && ACC=1 ;;
	app_secret)
		run_cli key public --profile p
		[ "$RC" = 0 ] && [ -n "$OUT" ] && ACC=1 ;;
	ca_file)
		run_cli token --profile p
		[[ $ERR == *"cannot reach 127.0.0.1:9"* ]] && ACC=1 ;;
	*)
		run_git
		traced_etcd && ACC=1 ;;
	esac
	COBO_CREDENTIAL_CONFIG=
	unset COBO_CREDENTIAL_CONFIG
}

# ---- 1. the directory and symlink rules, each kind once each way -----------
N=0
# variant KIND DESC EXPECT_REGEX SETUP...: a fresh tree V/a/b with the
# trusted file at V/a/b/NAME and a private V/safe; SETUP (run with V A B F
# set) spoils it; EXPECT "" means accepted.
variant() {
	local kind=$1 desc=$2 want=$3
	shift 3
	N=$((N + 1))
	V=$T_TMP/v$N A=$V/a B=$V/a/b
	kind_name "$kind"
	F=$B/$KNAME
	cp -a "$T_TMP/tpl-$kind" "$V"
	MODULE_DIR=$B
	kind_place "$kind" "$F"
	"$@"
	t_leak_check_first "$kind"
	kind_run "$kind"
	if [ -z "$want" ]; then
		expect_eq "$kind: $desc: accepted" 1 "$ACC"
		[ "$ACC" = 1 ] || printf '       stderr: %s\n' "$ERR"
		return
	fi
	expect_eq "$kind: $desc: refused" 0 "$ACC"
	expect_match "$kind: $desc: says what and how to fix it" "$want" "$ERR"
	[ "$LINED" = 0 ] ||
		expect_match "$kind: $desc: names the config line" "/config:[0-9]+: " "$ERR"
}

nothing() { :; }
s_a_other_w() { chmod 777 "$A"; }

# One acceptance and one refusal per kind (test_paths runs all 18 variants).
for kind in $KINDS; do
	kind_template "$kind"
	variant "$kind" "control" "" nothing
	variant "$kind" "a grandparent other-writable" \
		"directory $T_TMP/v[0-9]+/a \(owner uid $ME, mode 0777\) is writable by others.*run: chmod go-w $T_TMP/v[0-9]+/a\$" s_a_other_w
done

# The same walk guards the module path when it is itself a symlink.
N=$((N + 1))
V=$T_TMP/v$N
mkdir -p "$V/open" "$V/safe"
chmod 777 "$V/open"
cp "$TESTMODS/scripted.so" "$V/open/probe.so"
ln -s "$V/open" "$V/safe/mods"
t_config < <(probe_stack)
COBO_CREDENTIAL_MODULE_PATH=$V/safe/mods run_git
expect_match "a module path that is our symlink to an other-writable directory is refused" \
	"probe.so is not safe to load: directory $V/open .*chmod go-w $V/open" "$ERR"
unset COBO_CREDENTIAL_CONFIG

# ---- 2. relative paths: the config file's directory, never the current one ----
t_leak_check_all
CFG=$T_TMP/cfgdir
WT=$T_TMP/worktree
mkdir -p "$CFG/keys" "$CFG/certs" "$WT/keys" "$WT/certs" "$WT/sub"
chmod 700 "$CFG"
git init -q "$WT"
echo "$KEY_HEX" >"$CFG/keys/app.key"
echo "$ROGUE_HEX" >"$WT/keys/app.key"
echo "$ROGUE_HEX" >"$WT/app.key"
chmod 600 "$CFG/keys/app.key" "$WT/keys/app.key" "$WT/app.key"
echo "rogue CA" >"$WT/certs/ca.pem"
echo "rogue CA" >"$WT/ca.pem"
# The public key of each secret, for telling which file was read.
pub_of() { # HEX
	printf '[profile p]\nbase_url = https://127.0.0.1:9\nclient_id = c\norg_id = o\nserver_key = dev\napp_secret = env:PUB_HEX\n' >"$T_TMP/pubconf"
	chmod 600 "$T_TMP/pubconf"
	PUB_HEX=$1 COBO_CREDENTIAL_CONFIG=$T_TMP/pubconf "$CLI" key public --profile p 2>/dev/null
}
GOOD_PUB=$(pub_of "$KEY_HEX")
ROGUE_PUB=$(pub_of "$ROGUE_HEX")
check "the two keys differ" test -n "$GOOD_PUB" -a "$GOOD_PUB" != "$ROGUE_PUB"

write_cfg() { # LINES...: $CFG/config with a profile, and the lines
	profile "$@" >"$CFG/config"
	chmod 600 "$CFG/config"
	export COBO_CREDENTIAL_CONFIG=$CFG/config
}

# The key's place relative to the config, from the work tree that holds a
# rogue key of the same name (test_paths: 7 spellings from 7 directories).
write_cfg "app_secret = file:keys/app.key"
OUT=$(cd "$WT" && "$CLI" key public --profile p 2>"$T_TMP/err")
t_slurp ERR "$T_TMP/err"
expect_eq "app_secret = file:keys/app.key from the work tree: the config's key" "$GOOD_PUB" "$OUT"

t_leak_check_all
# The same through real git in a work tree holding a rogue CA and key under
# the names the config uses: the helper reads the config's directory only.
write_cfg "app_secret = file:keys/app.key" "ca_file = certs/ca.pem"
OUT=$(cd "$WT" && printf 'protocol=https\nhost=127.0.0.1:9\n\n' | GIT_TERMINAL_PROMPT=0 \
	git -c credential.helper= -c credential.helper="$GIT_HELPER" -c credential.interactive=false \
		-c core.askPass=/bin/false credential fill 2>"$T_TMP/err")
t_slurp ERR "$T_TMP/err"
expect_match "git in a work tree with a rogue certs/ca.pem: the config's directory is used" \
	"ca_file $CFG/certs/ca.pem of \[profile p\]: No such file" "$ERR"
check "... and the work tree's CA is never named" bash -c '! grep -qF -- "$1" <<<"$2"' _ \
	"$WT/certs" "$ERR"
cp /dev/null "$CFG/certs/ca.pem"
chmod 644 "$CFG/certs/ca.pem"
(cd "$WT" && "$CLI" token --profile p >/dev/null 2>"$T_TMP/err")
t_slurp ERR "$T_TMP/err"
expect_match "with the CA beside the config, the token get goes on to the network" \
	"cannot reach 127.0.0.1:9" "$ERR"
rm "$CFG/certs/ca.pem"

# A relative ca_file from the work tree: the config's (test_paths: 3
# spellings from 4 directories).
write_cfg "app_secret = env:APP_HEX" "ca_file = ca.pem"
(cd "$WT" && "$CLI" token --profile p >/dev/null 2>"$T_TMP/err")
t_slurp ERR "$T_TMP/err"
expect_match "ca_file = ca.pem from the work tree: $CFG/ca.pem sought, with FILE:LINE" \
	"$CFG/config:[0-9]+: ca_file $CFG/ca.pem of \[profile p\]" "$ERR"

t_leak_check_all
# etcd's files: absent beside the config but present (rogue) in the work
# tree, refused with the config's path; put beside the config, used.
mkdir -p "$CFG/etcd" "$WT/etcd"
# fleet_key here; test_paths also ca_file, cert_file and key_file.
etcd_module "fleet_key = file:etcd/fleet.key" >"$CFG/config"
chmod 600 "$CFG/config"
export COBO_CREDENTIAL_CONFIG=$CFG/config
echo "$ROGUE_HEX" >"$WT/etcd/fleet.key"
chmod 600 "$WT/etcd/fleet.key"
cd "$WT"; run_git; cd "$T_TMP"
expect_match "etcd fleet_key = file:etcd/fleet.key from a work tree holding it: sought beside the config" \
	"$CFG/config:[0-9]+: .*fleet_key: .*$CFG/etcd/fleet.key: No such file" "$ERR"
cp -p "$WT/etcd/fleet.key" "$CFG/etcd/fleet.key"
cd "$WT"; run_git; cd "$T_TMP"
check "etcd fleet_key: the file beside the config is used" traced_etcd

# The file store: a relative path= lands beside the config (test_paths: ~/ in HOME too).
printf '[stack]\nget = file\nstore = file\n[module file]\npath = store/creds\n' >"$CFG/config"
chmod 600 "$CFG/config"
(cd "$WT" && printf 'protocol=https\nhost=x.example\nusername=u\npassword=pw\n\n' |
	"$GIT_HELPER" store 2>/dev/null)
check "file path = store/creds: the store is $CFG/store/creds" test -s "$CFG/store/creds"
check "file path = store/creds: nothing in the work tree" test ! -e "$WT/store"

# ~user/ is never expanded; a relative config file is taken from where it
# was named (the current directory at start), its settings from its directory.
write_cfg "app_secret = file:~root/app.key"
run_cli key public --profile p
expect_match "~user/ is refused with the fix" "only ~/ \(your own home\) is expanded" "$ERR"
write_cfg "app_secret = file:keys/app.key"
OUT=$(cd "$T_TMP" && COBO_CREDENTIAL_CONFIG=cfgdir/config "$CLI" key public --profile p 2>/dev/null)
expect_eq "a relative config path: its settings resolve against its own directory" "$GOOD_PUB" "$OUT"

echo "variants: $N run here (test_paths runs every one in-process)"
t_done
