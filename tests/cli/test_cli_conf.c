/*
 * test_cli_conf.c - the line-preserving config edits of setup, key and
 * profile remove, and the atomic 0600 save that proves the result parses.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "confedit.h"
#include "test_cli.h"

static const struct cli_kv kv[] = {
	{ "base_url", "https://api.dev.cobo.com/v2" },
	{ "client_id", "C1" },
	{ "org_id", "O1" },
};

#define SECTION "[profile p]\nbase_url = https://api.dev.cobo.com/v2\nclient_id = C1\norg_id = O1\n"

static const char base[] = "# my config\n"
			   "[stack]\n"
			   "get = file cobo-oauth\n"
			   "\n"
			   "[profile a]\n"
			   "base_url = https://a/v2   # comment kept\n"
			   "client_id = CA\n"
			   "org_id = OA\n"
			   "\n"
			   "# about b\n"
			   "[ profile  p ]\n"
			   "base_url = https://old/v2\n"
			   "client_id = OLD\n"
			   "org_id = OLD\n"
			   "app_secret = keyring\n"
			   "\n"
			   "# about z\n"
			   "[profile z]\n"
			   "base_url = https://z/v2\n"
			   "client_id = CZ\n"
			   "org_id = OZ\n";

/* Runs an edit; returns a static copy of its output. */
static const char *put(const char *text, const char *name)
{
	static char copy[4096];
	struct cobocred_sbuf b = { 0 };

	CU_ASSERT_EQUAL(cli_conf_put_profile(text, name, kv, 3, &b), 0);
	snprintf(copy, sizeof(copy), "%s", cobocred_sbuf_str(&b));
	cobocred_sbuf_free(&b);
	return copy;
}

static void test_put_new(void)
{
	CU_ASSERT_STRING_EQUAL(put("", "p"), SECTION);
	CU_ASSERT_STRING_EQUAL(put("[stack]\nget = file", "p"), "[stack]\nget = file\n\n" SECTION);
	CU_ASSERT_STRING_EQUAL(put("[stack]\nget = file\n\n", "p"),
			       "[stack]\nget = file\n\n" SECTION);
	/* Another profile whose name starts the same is not this one. */
	CU_ASSERT_STRING_EQUAL(put("[profile pp]\nx = 1\n", "p"),
			       "[profile pp]\nx = 1\n\n" SECTION);
}

static void test_put_replaces_in_place(void)
{
	const char *out = put(base, "p");

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "# about b\n" SECTION "\n# about z\n[profile z]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "base_url = https://a/v2   # comment kept\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "OLD"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "# my config\n[stack]\nget = file cobo-oauth\n"));
}

static void test_remove(void)
{
	struct cobocred_sbuf b = { 0 };

	CU_ASSERT_EQUAL(cli_conf_remove_profile(base, "p", &b), 0);
	CU_ASSERT_PTR_NULL(strstr(cobocred_sbuf_str(&b), "OLD"));
	CU_ASSERT_PTR_NULL(strstr(cobocred_sbuf_str(&b), "profile  p"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_sbuf_str(&b),
				      "org_id = OA\n\n# about b\n\n# about z\n[profile z]"));
	cobocred_sbuf_free(&b);
	CU_ASSERT_EQUAL(cli_conf_remove_profile(base, "z", &b), 0);
	CU_ASSERT_PTR_NULL(strstr(cobocred_sbuf_str(&b), "CZ"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_sbuf_str(&b), "OLD"));
	cobocred_sbuf_free(&b);
	CU_ASSERT_EQUAL(cli_conf_remove_profile(base, "nope", &b), 1);
	cobocred_sbuf_free(&b);
}

static void test_set_key(void)
{
	struct cobocred_sbuf b = { 0 };

	CU_ASSERT_EQUAL(cli_conf_set_key(base, "p", "app_secret", "file:/k/C.key", &b), 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(cobocred_sbuf_str(&b), "org_id = OLD\napp_secret = file:/k/C.key\n\n"));
	CU_ASSERT_PTR_NULL(strstr(cobocred_sbuf_str(&b), "keyring"));
	cobocred_sbuf_free(&b);
	/* Absent: added after the section's last key, before the blank line. */
	CU_ASSERT_EQUAL(cli_conf_set_key(base, "a", "app_secret", "keyring", &b), 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(cobocred_sbuf_str(&b), "org_id = OA\napp_secret = keyring\n\n# about b"));
	cobocred_sbuf_free(&b);
	CU_ASSERT_EQUAL(cli_conf_set_key(base, "z", "ca_file", "/ca.pem", &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_sbuf_str(&b), "org_id = OZ\nca_file = /ca.pem\n"));
	cobocred_sbuf_free(&b);
	CU_ASSERT_EQUAL(cli_conf_set_key(base, "nope", "k", "v", &b), 1);
	cobocred_sbuf_free(&b);
}

static void test_value_ok(void)
{
	CU_ASSERT_TRUE(cli_conf_value_ok("https://api.dev.cobo.com/v2"));
	CU_ASSERT_TRUE(cli_conf_value_ok("file:/x#y"));
	CU_ASSERT_FALSE(cli_conf_value_ok(""));
	CU_ASSERT_FALSE(cli_conf_value_ok(" lead"));
	CU_ASSERT_FALSE(cli_conf_value_ok("trail "));
	CU_ASSERT_FALSE(cli_conf_value_ok("a #comment"));
	CU_ASSERT_FALSE(cli_conf_value_ok("#x"));
	CU_ASSERT_FALSE(cli_conf_value_ok("a\nb"));
	CU_ASSERT_FALSE(cli_conf_value_ok("a\rb"));
}

static void test_save(void)
{
	char path[512];
	struct stat st;
	struct cobocred_ctx *ctx = NULL;

	snprintf(path, sizeof(path), "%s/newdir/config", cutest_tmpdir());
	CU_ASSERT_EQUAL(cli_conf_save(path, "[stack]\nget = file\n" SECTION), CLI_EX_OK);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(cobocred_ctx_new(path, &ctx), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(cobocred_profile_get(ctx, "p", "client_id"), "C1");
	cobocred_ctx_free(ctx);
	/* Text that does not parse never replaces the file. */
	CU_ASSERT_EQUAL(cli_conf_save(path, "[profile q]\nbogus = 1\n"), CLI_EX_INTERNAL);
	CU_ASSERT_EQUAL(cobocred_ctx_new(path, &ctx), COBOCRED_SUCCESS);
	cobocred_ctx_free(ctx);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".new");
	CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
}

static void test_target(void)
{
	struct cli cli = { 0 };
	char path[512], want[600];

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	unsetenv("COBO_CREDENTIAL_CONFIG");
	CU_ASSERT_EQUAL(cli_conf_target(&cli, path, sizeof(path)), 0);
	CU_ASSERT_STRING_EQUAL(path, "/x/cfg/cobo-credential/config");
	setenv("COBO_CREDENTIAL_CONFIG", "/env/conf", 1);
	CU_ASSERT_EQUAL(cli_conf_target(&cli, path, sizeof(path)), 0);
	CU_ASSERT_STRING_EQUAL(path, "/env/conf");
	cli.config = "/opt/conf";
	CU_ASSERT_EQUAL(cli_conf_target(&cli, path, sizeof(path)), 0);
	CU_ASSERT_STRING_EQUAL(path, "/opt/conf");
	unsetenv("COBO_CREDENTIAL_CONFIG");
	snprintf(want, sizeof(want), "%s/config", cutest_tmpdir());
	setenv("XDG_CONFIG_HOME", want, 1);
}

const struct cutest_case cli_conf_cases[] = {
	{ "put a new profile", test_put_new },
	{ "put replaces in place", test_put_replaces_in_place },
	{ "remove", test_remove },
	{ "set one key", test_set_key },
	{ "values that survive a round trip", test_value_ok },
	{ "atomic 0600 save, checked", test_save },
	{ "target path", test_target },
	{ NULL, NULL },
};
