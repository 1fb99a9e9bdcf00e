/*
 * test_etcd_cas.c - the etcd module's compare-and-swap, deterministic:
 * two helpers ("machines": two contexts with their own config, sharing a
 * cluster) read one record; the second writes a newer token; the first,
 * now stale, must not overwrite it (TRYAGAIN), and every reader sees the
 * newer one.  Also: a record created by another writer after this helper
 * saw it absent is not overwritten either.  Run by tests/etcd/etcd-cas.sh,
 * which starts the cluster and names it in COBO_TEST_ETCD (skips without).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cobocred.h"
#include "cutest.h"

static char cfgpath[2][4096];

static void write_config(int i, const char *endpoints, const char *keyfile)
{
	char text[8192];

	snprintf(cfgpath[i], sizeof(cfgpath[i]), "%s/cas%d.conf", cutest_tmpdir(), i);
	snprintf(text, sizeof(text),
		 "[stack]\nget = etcd\nstore = etcd\nerase = etcd\nlist = etcd\n"
		 "[module etcd]\nendpoints = %s\nfleet_key = file:%s\nprefix = /cas-test/\n",
		 endpoints, keyfile);
	cutest_write(cfgpath[i], text, 0600);
}

static struct cobocred_ctx *machine(int i)
{
	struct cobocred_ctx *ctx = NULL;

	CU_ASSERT_FATAL(cobocred_ctx_new(cfgpath[i], &ctx) == COBOCRED_SUCCESS);
	return ctx;
}

static const struct cobocred_attr attrs[] = {
	{ "base_url", "https://127.0.0.1:1/v2" },
	{ "client_id", "cas-client" },
	{ "org_id", "org-cas" },
	{ "kind", "refresh" },
};

static struct cobocred_query query(const char *org)
{
	static struct cobocred_attr a[4];
	struct cobocred_query q = { .struct_size = sizeof(q), .schema = COBOCRED_SCHEMA_COBO };

	memcpy(a, attrs, sizeof(a));
	a[2].value = org;
	q.n_attrs = 4;
	q.attrs = a;
	q.flags = COBOCRED_QUERY_EXACT;
	return q;
}

static struct cobocred_item *token(const char *org, const char *secret)
{
	struct cobocred_item *it = cobocred_item_new(COBOCRED_SCHEMA_COBO);
	size_t i;

	CU_ASSERT_FATAL(it != NULL);
	for (i = 0; i < 4; i++)
		cobocred_item_add_attr(it, attrs[i].name, i == 2 ? org : attrs[i].value);
	cobocred_item_set_secret(it, secret, strlen(secret));
	cobocred_item_set_times(it, (int64_t)time(NULL), (int64_t)time(NULL) + 3600);
	return it;
}

/* The secret machine m reads for org, "" when none. */
static void expect_secret(int m, const char *org, const char *want)
{
	struct cobocred_ctx *ctx = machine(m);
	struct cobocred_query q = query(org);
	struct cobocred_item *got = NULL;
	int st = cobocred_get(ctx, &q, &got);

	if (*want == '\0') {
		CU_ASSERT_EQUAL(st, COBOCRED_NOTFOUND);
	} else {
		CU_ASSERT_EQUAL_FATAL(st, COBOCRED_SUCCESS);
		CU_ASSERT_EQUAL(got->secret_len, strlen(want));
		CU_ASSERT(memcmp(got->secret, want, strlen(want)) == 0);
	}
	cobocred_item_free(got);
	cobocred_ctx_free(ctx);
}

/* Read by both; B writes; A's write from its stale read is refused. */
static void test_stale_writer(void)
{
	struct cobocred_ctx *a, *b;
	struct cobocred_query q = query("org-cas");
	struct cobocred_item *it, *got = NULL;

	a = machine(0);
	it = token("org-cas", "RT_first");
	CU_ASSERT_EQUAL(cobocred_store(a, it, &q), COBOCRED_SUCCESS);
	cobocred_item_free(it);
	cobocred_ctx_free(a);

	a = machine(0);
	b = machine(1);
	CU_ASSERT_EQUAL(cobocred_get(a, &q, &got), COBOCRED_SUCCESS);
	cobocred_item_free(got);
	CU_ASSERT_EQUAL(cobocred_get(b, &q, &got), COBOCRED_SUCCESS);
	cobocred_item_free(got);
	it = token("org-cas", "RT_newer_by_b");
	CU_ASSERT_EQUAL(cobocred_store(b, it, &q), COBOCRED_SUCCESS);
	cobocred_item_free(it);
	it = token("org-cas", "RT_stale_by_a");
	CU_ASSERT_EQUAL(cobocred_store(a, it, &q), COBOCRED_TRYAGAIN);
	CU_ASSERT(strstr(cobocred_error(a), "another writer") != NULL);
	cobocred_item_free(it);
	/* B, having written, may write again: its own revision is current. */
	it = token("org-cas", "RT_newest_by_b");
	CU_ASSERT_EQUAL(cobocred_store(b, it, &q), COBOCRED_SUCCESS);
	cobocred_item_free(it);
	cobocred_ctx_free(a);
	cobocred_ctx_free(b);
	expect_secret(0, "org-cas", "RT_newest_by_b");
}

/* A saw no record; B creates one; A's create is refused. */
static void test_stale_create(void)
{
	struct cobocred_ctx *a = machine(0), *b = machine(1);
	struct cobocred_query q = query("org-new");
	struct cobocred_item *it, *got = NULL;

	CU_ASSERT_EQUAL(cobocred_get(a, &q, &got), COBOCRED_NOTFOUND);
	it = token("org-new", "RT_by_b");
	CU_ASSERT_EQUAL(cobocred_store(b, it, &q), COBOCRED_SUCCESS);
	cobocred_item_free(it);
	it = token("org-new", "RT_by_a");
	CU_ASSERT_EQUAL(cobocred_store(a, it, &q), COBOCRED_TRYAGAIN);
	cobocred_item_free(it);
	cobocred_ctx_free(a);
	cobocred_ctx_free(b);
	expect_secret(1, "org-new", "RT_by_b");
}

/* Erase removes only what it judged: a record rewritten since stays. */
static void test_erase(void)
{
	struct cobocred_ctx *a = machine(0);
	struct cobocred_query q = query("org-cas");

	CU_ASSERT_EQUAL(cobocred_erase(a, &q), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(cobocred_erase(a, &q), COBOCRED_NOTFOUND);
	cobocred_ctx_free(a);
	expect_secret(1, "org-cas", "");
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "a stale writer never overwrites a newer token", test_stale_writer },
		{ "a stale create never overwrites another's record", test_stale_create },
		{ "erase", test_erase },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = { { "etcd cas", cases }, { NULL, NULL } };
	const char *ep = getenv("COBO_TEST_ETCD"), *key = getenv("COBO_TEST_ETCD_KEY");

	if (ep == NULL || key == NULL) {
		printf("COBO_TEST_ETCD/COBO_TEST_ETCD_KEY unset: run tests/etcd/etcd-cas.sh\n");
		return 77;
	}
	cutest_tmpdir();
	write_config(0, ep, key);
	write_config(1, ep, key);
	return cutest_run(suites);
}
