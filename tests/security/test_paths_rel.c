/*
 * test_paths_rel.c - relative paths in the config resolve against the
 * config file's directory whatever the current directory is (git runs
 * helpers in a work tree, which may hold a rogue file of the same name),
 * ~/ under HOME, ~user/ refused; a relative config file is taken from
 * where it was named.  In-process through the front-ends' code
 * (inproc.h), from every current directory the script tried;
 * security-paths.sh keeps real git in a work tree and a few of these.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cutest.h"
#include "test_paths.h"

static char cfg[600], wt[600], home[600];
static char good_pub[256], rogue_pub[256];
static struct inproc res; /* 16 KiB: not on the stack */

static void in_dir(const char *dir)
{
	paths_must(chdir(dir) == 0, "chdir", dir);
}

static void back(void)
{
	in_dir(pe.tmp);
}

static void path_of(char *buf, size_t len, const char *dir, const char *rel)
{
	inproc_fmt(buf, len, "%s/%s", dir, rel);
}

static void key_public(void)
{
	char *argv[] = { "key", "public", "--profile", "p", NULL };

	inproc_cli(4, argv, &res);
}

static void token(void)
{
	char *argv[] = { "token", "--profile", "p", NULL };

	inproc_cli(3, argv, &res);
}

/* The public key of an app secret given in hex, to tell which file was read. */
static void pub_of(const char *hex, char *out, size_t len)
{
	char conf[700];

	path_of(conf, sizeof(conf), pe.tmp, "pubconf");
	paths_profile(conf, "app_secret = env:PUB_HEX\n");
	setenv("PUB_HEX", hex, 1);
	paths_use_conf(conf);
	key_public();
	paths_drop_conf();
	inproc_fmt(out, len, "%s", res.rc == 0 ? res.out : "");
}

/* cfgdir (private) with the key; a work tree with rogue files under the same names. */
static void setup(void)
{
	static const char *const dirs[] = { "keys", "certs", "etcd" };
	static const char *const wt_dirs[] = { "keys", "certs", "etcd", "sub" };
	static int done;
	char p[700], rogue[80];
	size_t i;

	if (done++)
		return;
	path_of(cfg, sizeof(cfg), pe.tmp, "cfgdir");
	path_of(wt, sizeof(wt), pe.tmp, "worktree");
	inproc_fmt(home, sizeof(home), "%s", getenv("HOME"));
	paths_mkdir(cfg, 0700);
	paths_mkdir(wt, 0755);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		path_of(p, sizeof(p), cfg, dirs[i]);
		paths_mkdir(p, 0755);
	}
	for (i = 0; i < sizeof(wt_dirs) / sizeof(wt_dirs[0]); i++) {
		path_of(p, sizeof(p), wt, wt_dirs[i]);
		paths_mkdir(p, 0755);
	}
	path_of(p, sizeof(p), cfg, "keys/app.key");
	paths_conf(p, "%s\n", pe.key_hex);
	inproc_fmt(rogue, sizeof(rogue), "%s\n", pe.rogue_hex);
	path_of(p, sizeof(p), wt, "keys/app.key");
	cutest_write(p, rogue, 0600);
	path_of(p, sizeof(p), wt, "app.key");
	cutest_write(p, rogue, 0600);
	path_of(p, sizeof(p), wt, "certs/ca.pem");
	cutest_write(p, "rogue CA\n", 0644);
	path_of(p, sizeof(p), wt, "ca.pem");
	cutest_write(p, "rogue CA\n", 0644);
	pub_of(pe.key_hex, good_pub, sizeof(good_pub));
	pub_of(pe.rogue_hex, rogue_pub, sizeof(rogue_pub));
	back();
}

/* cfgdir/config: the profile and extra lines; the configuration in use. */
static void write_cfg(const char *extra)
{
	char conf[700];

	path_of(conf, sizeof(conf), cfg, "config");
	paths_profile(conf, extra);
	paths_use_conf(conf);
}

void test_rel_key_spellings(void)
{
	static const char *const spellings[] = {
		"keys/app.key",	 "./keys/app.key",	   "keys/../keys/app.key",
		"keys//app.key", "../cfgdir/keys/app.key", NULL /* absolute */,
		"~/k/app.key",
	};
	const char *dirs[] = { wt, NULL, NULL, "/", home, cfg, pe.tmp };
	char sub[700], keys[700], abs[700], p[700], line[800];
	size_t i, j;

	setup();
	CU_ASSERT(good_pub[0] != '\0' && strcmp(good_pub, rogue_pub) != 0);
	path_of(sub, sizeof(sub), wt, "sub");
	path_of(keys, sizeof(keys), wt, "keys");
	dirs[0] = wt, dirs[1] = sub, dirs[2] = keys, dirs[4] = home, dirs[5] = cfg;
	path_of(abs, sizeof(abs), cfg, "keys/app.key");
	path_of(p, sizeof(p), home, "k");
	paths_mkdir(p, 0755);
	path_of(p, sizeof(p), home, "k/app.key");
	paths_copy(abs, p, 0600);
	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		inproc_fmt(line, sizeof(line), "app_secret = file:%s\n",
			   spellings[i] != NULL ? spellings[i] : abs);
		write_cfg(line);
		for (j = 0; j < sizeof(dirs) / sizeof(dirs[0]); j++) {
			in_dir(dirs[j]);
			key_public();
			back();
			if (strcmp(res.out, good_pub) != 0)
				fprintf(stderr, "\n  %s from %s: not the config's key: '%s' '%s'\n",
					line, dirs[j], res.out, res.err);
			CU_ASSERT_STRING_EQUAL(res.out, good_pub);
		}
	}
	paths_drop_conf();
}

void test_rel_ca_file(void)
{
	static const char *const spellings[] = { "ca.pem", "certs/ca.pem", "./certs/ca.pem" };
	char sub[700], certs[700], line[800], re[1024], ca[700];
	const char *dirs[] = { wt, NULL, NULL, "/" };
	size_t i, j;

	setup();
	path_of(certs, sizeof(certs), wt, "certs");
	path_of(sub, sizeof(sub), wt, "sub");
	dirs[0] = wt, dirs[1] = certs, dirs[2] = sub;
	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		const char *rel = strncmp(spellings[i], "./", 2) == 0 ? spellings[i] + 2
								      : spellings[i];

		inproc_fmt(line, sizeof(line), "app_secret = env:APP_HEX\nca_file = %s\n",
			   spellings[i]);
		write_cfg(line);
		inproc_fmt(
			re, sizeof(re),
			"@T@/cfgdir/config:[0-9]+: ca_file @T@/cfgdir/(\\./)?%s of \\[profile p\\]",
			rel);
		for (j = 0; j < sizeof(dirs) / sizeof(dirs[0]); j++) {
			in_dir(dirs[j]);
			token();
			back();
			CU_ASSERT(paths_match(line, re, res.err));
		}
	}
	/* With the CA beside the config, the token get goes on to the network. */
	path_of(ca, sizeof(ca), cfg, "certs/ca.pem");
	cutest_write(ca, "", 0644);
	write_cfg("app_secret = env:APP_HEX\nca_file = certs/ca.pem\n");
	in_dir(wt);
	token();
	back();
	CU_ASSERT(paths_match("the CA beside the config", "cannot reach 127.0.0.1:9", res.err));
	paths_must(unlink(ca) == 0, "unlink", ca);
	paths_drop_conf();
}

void test_rel_etcd_files(void)
{
	static const char *const pairs[][3] = {
		{ "fleet_key", "file:", "etcd/fleet.key" },
		{ "ca_file", "", "etcd/ca.pem" },
		{ "cert_file", "", "etcd/cert.pem" },
		{ "key_file", "", "etcd/tls.key" },
	};
	char conf[700], line[800], rogue[700], mine[700], re[1024], text[80];
	size_t i;
	int used;

	setup();
	path_of(conf, sizeof(conf), cfg, "config");
	inproc_fmt(text, sizeof(text), "%s\n", pe.rogue_hex);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const char *key = pairs[i][0], *rel = pairs[i][2];

		if (strcmp(key, "fleet_key") == 0)
			inproc_fmt(line, sizeof(line), "fleet_key = file:%s\n", rel);
		else
			inproc_fmt(line, sizeof(line), "fleet_key = env:APP_HEX\n%s = %s\n", key,
				   rel);
		paths_etcd(conf, line);
		paths_use_conf(conf);
		path_of(rogue, sizeof(rogue), wt, rel);
		path_of(mine, sizeof(mine), cfg, rel);
		cutest_write(rogue, text, 0600);
		unlink(mine);
		in_dir(wt);
		CU_ASSERT(!paths_git_etcd(&res));
		back();
		inproc_fmt(re, sizeof(re),
			   "@T@/cfgdir/config:[0-9]+: .*%s: .*@T@/cfgdir/%s: No such file", key,
			   rel);
		CU_ASSERT(paths_match(line, re, res.err));
		paths_copy(rogue, mine, 0600);
		in_dir(wt);
		used = paths_git_etcd(&res);
		back();
		if (!used)
			fprintf(stderr, "\n  etcd %s beside the config not used: %s\n", key,
				res.err);
		CU_ASSERT(used);
	}
	paths_drop_conf();
}

void test_rel_file_store(void)
{
	static const char *const spellings[] = { "store/creds", "~/st/creds" };
	char conf[700], want[700], p[700];
	struct stat st;
	size_t i;

	setup();
	path_of(conf, sizeof(conf), cfg, "config");
	for (i = 0; i < 2; i++) {
		paths_conf(conf, "[stack]\nget = file\nstore = file\n[module file]\npath = %s\n",
			   spellings[i]);
		paths_use_conf(conf);
		in_dir(wt);
		inproc_git("store", "protocol=https\nhost=x.example\nusername=u\npassword=pw\n\n",
			   &res);
		back();
		if (i == 1)
			path_of(want, sizeof(want), home, spellings[i] + 2);
		else
			path_of(want, sizeof(want), cfg, spellings[i]);
		if (stat(want, &st) != 0 || st.st_size == 0)
			fprintf(stderr, "\n  path = %s: no store at %s: %s\n", spellings[i], want,
				res.err);
		CU_ASSERT(stat(want, &st) == 0 && st.st_size > 0);
		path_of(p, sizeof(p), wt, "store");
		CU_ASSERT(access(p, F_OK) != 0);
		path_of(p, sizeof(p), wt, "~");
		CU_ASSERT(access(p, F_OK) != 0);
	}
	paths_drop_conf();
}

void test_rel_tilde_user_and_relative_config(void)
{
	setup();
	write_cfg("app_secret = file:~root/app.key\n");
	key_public();
	CU_ASSERT(res.rc != 0);
	CU_ASSERT(paths_match("~user/", "only ~/ \\(your own home\\) is expanded", res.err));
	/* A relative config path: its settings resolve against its own directory. */
	write_cfg("app_secret = file:keys/app.key\n");
	paths_use_conf("cfgdir/config");
	in_dir(pe.tmp);
	key_public();
	CU_ASSERT_STRING_EQUAL(res.out, good_pub);
	paths_drop_conf();
}
