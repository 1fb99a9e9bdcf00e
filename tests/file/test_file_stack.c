/*
 * test_file_stack.c - the file module end to end through the core: a
 * config whose stack uses only `file`, the module dlopened from
 * COBO_CREDENTIAL_MODULE_PATH (this program does not link it), and
 * cobocred_store/get/list/erase round trips.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cutest.h"
#include "secret.h"
#include "test_file_helpers.h"

#define GIT COBOCRED_SCHEMA_GIT

static char config[600], store[600];

/* Writes the test's config with extra lines in [module file]; returns its path. */
static const char *write_config(const char *extra)
{
	char text[2048];
	int n;

	mkdir(tf_path(".config"), 0700);
	mkdir(tf_path(".config/cobo-credential"), 0700);
	snprintf(store, sizeof(store), "%s", tf_path("stack-store/creds"));
	snprintf(config, sizeof(config), "%s", tf_path(".config/cobo-credential/config"));
	n = snprintf(text, sizeof(text),
		     "# file only\n[stack]\nget = file\nstore = file\nerase = file\nlist = file\n"
		     "\n[module file]\npath = %s\n%s",
		     store, extra);
	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(text));
	CU_ASSERT_FATAL(tf_write(config, text, (size_t)n, 0600) == 0);
	return config;
}

static void setup(void)
{
	const char *mp = getenv("COBO_CREDENTIAL_MODULE_PATH");

	tf_home_setup();
	if (mp == NULL || *mp == '\0') /* run by hand: the build tree's modules */
		setenv("COBO_CREDENTIAL_MODULE_PATH", FILE_TEST_MODULE_DIR, 1);
}

/* 1 if a mapping of this process is a file.so (it was dlopened). */
static int file_so_mapped(void)
{
	char line[1024];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, "/file.so") != NULL;
	fclose(f);
	return found;
}

static struct cobocred_item *item(const char *user, const void *secret, size_t len)
{
	return tf_item(GIT, secret, len, "protocol", "https", "host", "git.example.com", "username",
		       user, NULL);
}

static void test_round_trip_through_core(void)
{
	struct cobocred_attr a[] = { { "protocol", "https" },
				     { "host", "git.example.com" },
				     { "username", "alice" } };
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = GIT,
				    .n_attrs = 3,
				    .attrs = a,
				    .flags = COBOCRED_QUERY_EXACT };
	struct cobocred_ctx *ctx = NULL;
	struct cobocred_item *it, *out = NULL;
	struct stat st;
	size_t live;

	CU_ASSERT_EQUAL_FATAL(cobocred_ctx_new(write_config(""), &ctx), COBOCRED_SUCCESS);
	live = cobocred_secret_live();
	CU_ASSERT_EQUAL(cobocred_get(ctx, &q, &out), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(file_so_mapped(), 1);
	it = item("alice", "pw\0\n1", 5);
	CU_ASSERT_EQUAL(cobocred_store(ctx, it, &q), COBOCRED_SUCCESS);
	cobocred_item_free(it);
	it = item("alice", "pw\0\n2", 5); /* replaces the first */
	CU_ASSERT_EQUAL(cobocred_store(ctx, it, &q), COBOCRED_SUCCESS);
	cobocred_item_free(it);
	it = item("bob", "bobpw", 5);
	CU_ASSERT_EQUAL(cobocred_store(ctx, it, NULL), COBOCRED_SUCCESS);
	cobocred_item_free(it);
	CU_ASSERT(stat(store, &st) == 0 && (st.st_mode & 0777) == 0600);

	CU_ASSERT_EQUAL_FATAL(cobocred_get(ctx, &q, &out), COBOCRED_SUCCESS);
	CU_ASSERT(out->secret_len == 5 && memcmp(out->secret, "pw\0\n2", 5) == 0);
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(out, "username"), "alice");
	cobocred_item_free(out);
	q.n_attrs = 2; /* protocol + host: both users */
	q.flags = 0;
	CU_ASSERT_EQUAL(cobocred_list(ctx, &q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(out != NULL && out->next != NULL && out->next->next == NULL, 1);
	cobocred_item_free(out);

	/* The erase of a rejected credential: only if the secret still matches. */
	q.n_attrs = 3;
	q.secret = (const unsigned char *)"pw\0\n1";
	q.secret_len = 5;
	CU_ASSERT_EQUAL(cobocred_erase(ctx, &q), COBOCRED_NOTFOUND);
	q.secret = (const unsigned char *)"pw\0\n2";
	CU_ASSERT_EQUAL(cobocred_erase(ctx, &q), COBOCRED_SUCCESS);
	q.secret = NULL;
	q.secret_len = 0;
	CU_ASSERT_EQUAL(cobocred_get(ctx, &q, &out), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(cobocred_secret_live(), live);
	cobocred_ctx_free(ctx);

	/* A new context (a new helper run) finds what is left, by the search order. */
	setenv("COBO_CREDENTIAL_CONFIG", config, 1);
	CU_ASSERT_EQUAL_FATAL(cobocred_ctx_new(NULL, &ctx), COBOCRED_SUCCESS);
	unsetenv("COBO_CREDENTIAL_CONFIG");
	a[2].value = "bob";
	CU_ASSERT_EQUAL(cobocred_get(ctx, &q, &out), COBOCRED_SUCCESS);
	CU_ASSERT(out != NULL && strcmp((const char *)out->secret, "bobpw") == 0);
	cobocred_item_free(out);
	cobocred_ctx_free(ctx);
	tf_home_cleanup();
}

static void test_bad_option_cites_config(void)
{
	struct cobocred_attr a[] = { { "host", "h" } };
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = GIT,
				    .n_attrs = 1,
				    .attrs = a };
	struct cobocred_ctx *ctx = NULL;
	struct cobocred_item *it = item("x", "y", 1);
	char want[700];

	CU_ASSERT_EQUAL_FATAL(cobocred_ctx_new(write_config("colour = blue\n"), &ctx),
			      COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(cobocred_store(ctx, it, NULL), COBOCRED_ERROR);
	/* Line 4 is the store line, the first to reach the module. */
	snprintf(want, sizeof(want), "%s:4: module 'file' failed to open", config);
	if (strstr(cobocred_error(ctx), want) == NULL)
		fprintf(stderr, "\n  wanted '%s' in '%s'\n", want, cobocred_error(ctx));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), want));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "unknown option 'colour'"));
	CU_ASSERT_EQUAL(cobocred_erase(ctx, &q), COBOCRED_ERROR);
	cobocred_item_free(it);
	cobocred_ctx_free(ctx);
	tf_home_cleanup();
}

static const struct cutest_case core_cases[] = {
	{ "store/get/list/erase round trip", test_round_trip_through_core },
	{ "bad module option cites the config line", test_bad_option_cites_config },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "file module through the core", core_cases },
		{ NULL, NULL },
	};

	return cutest_run_fixture(suites, setup, NULL);
}
