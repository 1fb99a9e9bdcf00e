/*
 * test_paths.c - the files we trust (issue 27; SECURITY.md), every
 * generated variant in-process through the front-ends' own code
 * (inproc.h): the config loader, the loader's find_module, cobo-oauth's
 * app secret and ca_file, etcd's fleet_key, ca_file, cert_file and
 * key_file.  Each is refused with one line naming the directory or
 * symlink, its owner and mode and the fix (and FILE:LINE when a config
 * line names the file) when a directory on its way is group- or
 * other-writable or another user's, or a symlink on its way is another
 * user's or leads into such a directory; a root-owned sticky directory
 * (/tmp) is accepted, a sticky directory of another owner is not.  The
 * relative-path half is test_paths_rel.c.  security-paths.sh runs a few
 * of each through the real binaries.  As root every variant runs; as
 * another user the ones that need chown are skipped, and counted.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cutest.h"
#include "test_paths.h"

enum kind {
	K_CONFIG,
	K_MODULE,
	K_APP_SECRET,
	K_CA_FILE,
	K_FLEET_KEY,
	K_ETCD_CA,
	K_ETCD_CERT,
	K_ETCD_KEY,
	K_COUNT
};

static const struct {
	const char *name, *file;
} kinds[K_COUNT] = {
	{ "config", "config" },	     { "module", "probe.so" },	   { "app_secret", "app.key" },
	{ "ca_file", "ca.pem" },     { "fleet_key", "fleet.key" }, { "etcd_ca", "ca.pem" },
	{ "etcd_cert", "cert.pem" }, { "etcd_key", "tls.key" },
};

/* One variant's tree: V/a/b holding the trusted file F, V/safe (0700), V/open (0777). */
struct tree {
	char v[512], a[512], b[512], f[600], safe[512], open[512];
	const char *name;
};

static unsigned n_run, n_skipped;

static void tree_make(struct tree *t, enum kind k, unsigned n)
{
	inproc_fmt(t->v, sizeof(t->v), "%s/v%u", pe.tmp, n);
	inproc_fmt(t->a, sizeof(t->a), "%s/a", t->v);
	inproc_fmt(t->b, sizeof(t->b), "%s/a/b", t->v);
	inproc_fmt(t->safe, sizeof(t->safe), "%s/safe", t->v);
	inproc_fmt(t->open, sizeof(t->open), "%s/open", t->v);
	t->name = kinds[k].file;
	inproc_fmt(t->f, sizeof(t->f), "%s/%s", t->b, t->name);
	paths_mkdir(t->v, 0755);
	paths_mkdir(t->a, 0755);
	paths_mkdir(t->b, 0755);
	paths_mkdir(t->safe, 0700);
	paths_mkdir(t->open, 0777);
	switch (k) {
	case K_CONFIG:
		paths_conf(t->f, "[stack]\nget = scripted\n[module scripted]\nget = SUCCESS\n"
				 "secret = cfg-ok\n");
		break;
	case K_MODULE:
		paths_copy(pe.scripted, t->f, 0755);
		break;
	case K_APP_SECRET:
	case K_FLEET_KEY:
	case K_ETCD_KEY:
		paths_conf(t->f, "%s\n", pe.key_hex);
		break;
	default:
		cutest_write(t->f, "not read at open\n", 0644);
	}
}

/* The config that uses t's file (the script's kind_place). */
static void kind_place(enum kind k, const struct tree *t)
{
	char extra[1024];

	switch (k) {
	case K_CONFIG:
		paths_use_conf(t->f);
		return;
	case K_MODULE:
		paths_probe(pe.conf);
		break;
	case K_APP_SECRET:
		inproc_fmt(extra, sizeof(extra), "app_secret = file:%s\n", t->f);
		paths_profile(pe.conf, extra);
		break;
	case K_CA_FILE:
		inproc_fmt(extra, sizeof(extra), "app_secret = env:APP_HEX\nca_file = %s\n", t->f);
		paths_profile(pe.conf, extra);
		break;
	case K_FLEET_KEY:
		inproc_fmt(extra, sizeof(extra), "fleet_key = file:%s\n", t->f);
		paths_etcd(pe.conf, extra);
		break;
	default:
		inproc_fmt(extra, sizeof(extra), "fleet_key = env:APP_HEX\n%s = %s\n",
			   k == K_ETCD_CA     ? "ca_file"
			   : k == K_ETCD_CERT ? "cert_file"
					      : "key_file",
			   t->f);
		paths_etcd(pe.conf, extra);
	}
	paths_use_conf(pe.conf);
}

/* Runs what reads k's file (the script's kind_run): 1 if it was accepted. */
static int kind_run(enum kind k, const struct tree *t, struct inproc *res)
{
	static const char req[] = "protocol=https\nhost=x.example\n\n";
	char *key_public[] = { "key", "public", "--profile", "p", NULL };
	char *token[] = { "token", "--profile", "p", NULL };
	int acc = 0;

	switch (k) {
	case K_CONFIG:
		inproc_git("get", req, res);
		acc = strstr(res->out, "password=cfg-ok") != NULL;
		break;
	case K_MODULE:
		setenv("COBO_CREDENTIAL_MODULE_PATH", t->b, 1);
		inproc_git("get", req, res);
		setenv("COBO_CREDENTIAL_MODULE_PATH", pe.mods, 1);
		acc = strstr(res->out, "password=mod-ok") != NULL;
		break;
	case K_APP_SECRET:
		inproc_cli(4, key_public, res);
		acc = res->rc == 0 && res->out[0] != '\0';
		break;
	case K_CA_FILE:
		inproc_cli(3, token, res);
		acc = strstr(res->err, "cannot reach 127.0.0.1:9") != NULL;
		break;
	default:
		acc = paths_git_etcd(res);
	}
	paths_drop_conf();
	return acc;
}

typedef void (*spoil_fn)(const struct tree *t);

enum need { ANYONE, ROOT, ROOT_STICKY, NOT_ROOT };

struct variant {
	const char *desc;
	enum need need;	  /* ROOT_STICKY: the tree must be root's (see below) */
	const char *want; /* NULL: accepted; else the refusal's ERE (test_paths.h) */
	spoil_fn spoil;
};

static void nothing(const struct tree *t)
{
	(void)t;
}

static void s_mode(const char *path, unsigned mode)
{
	paths_must(chmod(path, mode) == 0, "chmod", path);
}

static void s_owner(const char *path, uid_t uid)
{
	paths_must(lchown(path, uid, (gid_t)-1) == 0, "chown", path);
}

static void s_link(const char *target, const char *at)
{
	paths_must(symlink(target, at) == 0, "symlink", at);
}

static void s_move(const char *from, const char *to)
{
	paths_must(rename(from, to) == 0, "rename", from);
}

/* The trusted file moves to DIR/NAME; F becomes our symlink to it. */
static void move_to(const struct tree *t, const char *dir)
{
	char to[700];

	inproc_fmt(to, sizeof(to), "%s/%s", dir, t->name);
	s_move(t->f, to);
	s_link(to, t->f);
}

static void s_group_w(const struct tree *t)
{
	s_mode(t->b, 0775);
}

static void s_other_w(const struct tree *t)
{
	s_mode(t->b, 0757);
}

static void s_a_other_w(const struct tree *t)
{
	s_mode(t->a, 0777);
}

static void s_a_group_w(const struct tree *t)
{
	s_mode(t->a, 0775);
}

static void s_b_foreign(const struct tree *t)
{
	s_owner(t->b, pe.other);
}

static void s_a_foreign(const struct tree *t)
{
	s_owner(t->a, pe.other);
}

static void s_link_foreign(const struct tree *t)
{
	move_to(t, t->safe);
	s_owner(t->f, pe.other);
}

static void s_link_ours_safe(const struct tree *t)
{
	move_to(t, t->safe);
}

static void s_link_rel_safe(const struct tree *t)
{
	char to[700], rel[700];

	inproc_fmt(to, sizeof(to), "%s/%s", t->safe, t->name);
	inproc_fmt(rel, sizeof(rel), "../../safe/%s", t->name);
	s_move(t->f, to);
	s_link(rel, t->f);
}

static void s_link_to_open(const struct tree *t)
{
	move_to(t, t->open);
}

/* B's only entry moves to dir; B becomes our symlink to dir. */
static void b_to_link(const struct tree *t, const char *dir)
{
	char to[700];

	inproc_fmt(to, sizeof(to), "%s/%s", dir, t->name);
	s_move(t->f, to);
	paths_must(rmdir(t->b) == 0, "rmdir", t->b);
	s_link(dir, t->b);
}

static void s_dirlink_open(const struct tree *t)
{
	b_to_link(t, t->open);
}

static void s_dirlink_foreign(const struct tree *t)
{
	b_to_link(t, t->safe);
	s_owner(t->b, pe.other);
}

/* our link -> our link in a safe dir -> a file in an open dir */
static void s_link_chain_open(const struct tree *t)
{
	char to[700], hop[700];

	inproc_fmt(to, sizeof(to), "%s/%s", t->open, t->name);
	inproc_fmt(hop, sizeof(hop), "%s/hop", t->safe);
	s_move(t->f, to);
	s_link(to, hop);
	s_link(hop, t->f);
}

static void s_sticky_root(const struct tree *t)
{
	s_mode(t->a, 01777);
	s_owner(t->a, 0);
	s_mode(t->b, 0700);
}

static void s_sticky_ours(const struct tree *t)
{
	s_mode(t->a, 01777);
	s_mode(t->b, 0700);
}

static void s_sticky_foreign(const struct tree *t)
{
	s_owner(t->a, pe.other);
	s_mode(t->a, 01777);
	s_mode(t->b, 0700);
}

static void s_sticky_foreign_closed(const struct tree *t)
{
	s_owner(t->a, pe.other);
	s_mode(t->a, 01755);
}

static void s_sticky_root_group(const struct tree *t)
{
	s_mode(t->a, 01775);
	s_owner(t->a, 0);
}

#define V_RE "@T@/v[0-9]+"

/*
 * The root-owned sticky cases need the tree to be root's: as another user
 * the sticky directory would be ours, which the rule refuses on purpose;
 * a sticky directory of ours that others may write is refused (as OpenSSH
 * would, its owner not being root), which root can only show with another
 * uid's directory, another user with its own (NOT_ROOT).
 */
static const struct variant variants[] = {
	{ "control", ANYONE, NULL, nothing },
	{ "its directory group-writable", ANYONE,
	  "directory " V_RE "/a/b \\(owner uid @ME@, mode 0775\\) is writable by its "
	  "group.*run: chmod go-w " V_RE "/a/b",
	  s_group_w },
	{ "its directory other-writable", ANYONE,
	  "directory " V_RE "/a/b \\(owner uid @ME@, mode 0757\\) is writable by others.*run: "
	  "chmod go-w",
	  s_other_w },
	{ "a grandparent other-writable", ANYONE,
	  "directory " V_RE "/a \\(owner uid @ME@, mode 0777\\) is writable by others.*run: "
	  "chmod go-w " V_RE "/a$",
	  s_a_other_w },
	{ "a grandparent group-writable", ANYONE,
	  "directory " V_RE "/a \\(owner uid @ME@, mode 0775\\) is writable by its group",
	  s_a_group_w },
	{ "its directory owned by another uid", ROOT,
	  "directory " V_RE "/a/b is owned by uid @OTHER@ \\(mode 0755\\), not by you or "
	  "root.*run: chown @ME@ " V_RE "/a/b",
	  s_b_foreign },
	{ "a grandparent owned by another uid", ROOT,
	  "directory " V_RE "/a is owned by uid @OTHER@", s_a_foreign },
	{ "the file is a symlink owned by another uid", ROOT,
	  "symlink " V_RE "/a/b/[a-z.]+ is owned by uid @OTHER@, not by you or root.*chown -h "
	  "@ME@",
	  s_link_foreign },
	{ "a directory on the way is a symlink owned by another uid", ROOT,
	  "symlink " V_RE "/a/b is owned by uid @OTHER@", s_dirlink_foreign },
	{ "our symlink to a file in a safe directory", ANYONE, NULL, s_link_ours_safe },
	{ "our relative symlink to a file in a safe directory", ANYONE, NULL, s_link_rel_safe },
	{ "our symlink to a file in an other-writable directory", ANYONE,
	  "directory " V_RE "/open \\(owner uid @ME@, mode 0777\\) is writable by others.*chmod "
	  "go-w " V_RE "/open",
	  s_link_to_open },
	{ "its directory is our symlink to an other-writable directory", ANYONE,
	  "directory " V_RE "/open .*is writable by others", s_dirlink_open },
	{ "two symlinks, the last into an other-writable directory", ANYONE,
	  "directory " V_RE "/open .*is writable by others", s_link_chain_open },
	{ "under a root-owned sticky directory (like /tmp)", ROOT_STICKY, NULL, s_sticky_root },
	{ "under a root-owned sticky group-writable directory", ROOT_STICKY, NULL,
	  s_sticky_root_group },
	{ "under a sticky directory owned by another uid", ROOT,
	  "directory " V_RE "/a is owned by uid @OTHER@ \\(mode 1777\\)", s_sticky_foreign },
	{ "under a closed sticky directory owned by another uid", ROOT,
	  "directory " V_RE "/a is owned by uid @OTHER@ \\(mode 1755\\)", s_sticky_foreign_closed },
	{ "under our own sticky other-writable directory", NOT_ROOT,
	  "directory " V_RE "/a \\(owner uid @ME@, mode 1777\\) is writable by others",
	  s_sticky_ours },
};
#define N_VARIANTS (sizeof(variants) / sizeof(variants[0]))

static void run_variant(enum kind k, const struct variant *v)
{
	static struct inproc res; /* 16 KiB: not on the stack */
	struct tree t;
	char what[256];
	int acc;

	if ((v->need == ROOT || v->need == ROOT_STICKY) && pe.me != 0) {
		n_skipped++;
		return;
	}
	if (v->need == NOT_ROOT && pe.me == 0)
		return; /* root shows the rule with another uid's directory, above */
	tree_make(&t, k, ++n_run);
	kind_place(k, &t);
	v->spoil(&t);
	acc = kind_run(k, &t, &res);
	inproc_fmt(what, sizeof(what), "%s: %s", kinds[k].name, v->desc);
	if (v->want == NULL) {
		if (!acc)
			fprintf(stderr, "\n  %s: refused: %s\n", what, res.err);
		CU_ASSERT(acc);
		return;
	}
	if (acc)
		fprintf(stderr, "\n  %s: accepted\n", what);
	CU_ASSERT(!acc);
	CU_ASSERT(paths_match(what, v->want, res.err));
	/* A config line names every file but the config itself: FILE:LINE. */
	if (k != K_CONFIG)
		CU_ASSERT(paths_match(what, "/config:[0-9]+: ", res.err));
}

static void run_kind(enum kind k)
{
	size_t i;

	for (i = 0; i < N_VARIANTS; i++)
		run_variant(k, &variants[i]);
}

static void test_config(void)
{
	run_kind(K_CONFIG);
}

static void test_module(void)
{
	run_kind(K_MODULE);
}

static void test_app_secret(void)
{
	run_kind(K_APP_SECRET);
}

static void test_ca_file(void)
{
	run_kind(K_CA_FILE);
}

static void test_fleet_key(void)
{
	run_kind(K_FLEET_KEY);
}

static void test_etcd_ca(void)
{
	run_kind(K_ETCD_CA);
}

static void test_etcd_cert(void)
{
	run_kind(K_ETCD_CERT);
}

static void test_etcd_key(void)
{
	run_kind(K_ETCD_KEY);
}

/* The same walk guards the module path when it is itself a symlink. */
static void test_module_path_symlink(void)
{
	static struct inproc res;
	char v[512], open_dir[600], safe[600], so[700], mods[700], re[2048];

	inproc_fmt(v, sizeof(v), "%s/v%u", pe.tmp, ++n_run);
	inproc_fmt(open_dir, sizeof(open_dir), "%s/open", v);
	inproc_fmt(safe, sizeof(safe), "%s/safe", v);
	inproc_fmt(so, sizeof(so), "%s/probe.so", open_dir);
	inproc_fmt(mods, sizeof(mods), "%s/mods", safe);
	paths_mkdir(v, 0755);
	paths_mkdir(open_dir, 0777);
	paths_mkdir(safe, 0700);
	paths_copy(pe.scripted, so, 0755);
	s_link(open_dir, mods);
	paths_probe(pe.conf);
	paths_use_conf(pe.conf);
	setenv("COBO_CREDENTIAL_MODULE_PATH", mods, 1);
	inproc_git("get", "protocol=https\nhost=x.example\n\n", &res);
	setenv("COBO_CREDENTIAL_MODULE_PATH", pe.mods, 1);
	paths_drop_conf();
	inproc_fmt(re, sizeof(re), "probe.so is not safe to load: directory %s .*chmod go-w %s",
		   open_dir, open_dir);
	CU_ASSERT(strstr(res.out, "mod-ok") == NULL);
	CU_ASSERT(
		paths_match("a module path that is our symlink to an open directory", re, res.err));
}

/* Every variant ran or was counted as skipped: a table that silently lost
 * its rows would pass everything above. */
static void test_counts(void)
{
	unsigned per_kind = pe.me == 0 ? N_VARIANTS - 1 : N_VARIANTS;

	printf("\nvariants: %u run, %u skipped (need root)\n", n_run, n_skipped);
	CU_ASSERT_EQUAL(n_run + n_skipped, K_COUNT * per_kind + 1);
	CU_ASSERT(n_run >= K_COUNT * 10 + 1);
}

static void random_hex(char *hex, size_t n)
{
	unsigned char b[32];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i;

	paths_must(f != NULL && fread(b, 1, sizeof(b), f) == sizeof(b), "read", "/dev/urandom");
	fclose(f);
	for (i = 0; i < sizeof(b) && 2 * i + 2 < n; i++)
		inproc_fmt(hex + 2 * i, 3, "%02x", b[i]);
}

static void env_init(void)
{
	const char *top = getenv("top_builddir");
	const struct passwd *pw = getpwnam("nobody");
	char dir[600];

	if (top == NULL || *top != '/') {
		fprintf(stderr, "test_paths: run it from make check (top_builddir not set)\n");
		exit(99);
	}
	inproc_fmt(pe.tmp, sizeof(pe.tmp), "%s", cutest_tmpdir());
	pe.me = geteuid();
	pe.other = pw != NULL ? pw->pw_uid : 65534;
	inproc_fmt(pe.mods, sizeof(pe.mods), "%s/modules:%s/tests/modules/.libs", top, top);
	inproc_fmt(pe.scripted, sizeof(pe.scripted), "%s/tests/modules/.libs/scripted.so", top);
	paths_must(access(pe.scripted, R_OK) == 0, "the scripted test module", pe.scripted);
	setenv("COBO_CREDENTIAL_MODULE_PATH", pe.mods, 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS"); /* the headless stack, as common.sh runs it */
	random_hex(pe.key_hex, sizeof(pe.key_hex));
	random_hex(pe.rogue_hex, sizeof(pe.rogue_hex));
	setenv("APP_HEX", pe.key_hex, 1);
	/* HOME apart from the run's directory, so "~/" and "." differ */
	inproc_fmt(dir, sizeof(dir), "%s/home", pe.tmp);
	paths_mkdir(dir, 0700);
	setenv("HOME", dir, 1);
	inproc_fmt(dir, sizeof(dir), "%s/config", pe.tmp);
	paths_mkdir(dir, 0700);
	inproc_fmt(dir, sizeof(dir), "%s/config/cobo-credential", pe.tmp);
	paths_mkdir(dir, 0700);
	inproc_fmt(pe.conf, sizeof(pe.conf), "%s/config", dir);
	umask(022);
}

int main(void)
{
	static const struct cutest_case walk[] = {
		{ "the config file", test_config },
		{ "a module .so and its directory", test_module },
		{ "cobo-oauth's app_secret = file:", test_app_secret },
		{ "cobo-oauth's ca_file", test_ca_file },
		{ "etcd's fleet_key = file:", test_fleet_key },
		{ "etcd's ca_file", test_etcd_ca },
		{ "etcd's cert_file", test_etcd_cert },
		{ "etcd's key_file", test_etcd_key },
		{ "a module path that is a symlink", test_module_path_symlink },
		{ "every variant ran or was counted", test_counts },
		{ NULL, NULL },
	};
	static const struct cutest_case rel[] = {
		{ "app_secret: every spelling from every directory", test_rel_key_spellings },
		{ "ca_file: the config's directory, never the current one", test_rel_ca_file },
		{ "etcd's files: beside the config, not in the work tree", test_rel_etcd_files },
		{ "the file store: path= beside the config, ~/ in HOME", test_rel_file_store },
		{ "~user/ refused; a relative config path",
		  test_rel_tilde_user_and_relative_config },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = {
		{ "the directories and symlinks on the way, every kind of file", walk },
		{ "relative paths in the config", rel },
		{ NULL, NULL },
	};

	env_init();
	return cutest_run(suites);
}
