/*
 * test_file.c - the file module through a real host table: round trips,
 * get/list/store/erase semantics, expiry, options.  Disk trouble
 * (corruption, permissions, full disk, concurrency) is in test_file_disk.c.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cutest.h"
#include "test_file_fixture.h"
#include "test_file_helpers.h"

#define GIT COBOCRED_SCHEMA_GIT

static struct cobocred_query query(const char *schema, const struct cobocred_attr *attrs, size_t n)
{
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = schema,
				    .n_attrs = n,
				    .attrs = attrs };
	return q;
}

static void test_missing_store(void)
{
	struct cobocred_attr a[] = { { "host", "h" } };
	struct cobocred_query q = query(GIT, a, 1);
	struct cobocred_item *out = (void *)1;
	struct stat st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tf.state);
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_NOTFOUND);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(tf_list(&q, &out), COBOCRED_NOTFOUND);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(tf_erase(&q), COBOCRED_NOTFOUND);
	/* Reading never creates anything. */
	CU_ASSERT(stat(tf_path(".local/share/cobo-credential"), &st) != 0);
	tf_assert_no_secret_leak();
}

/* Stores it, reads it back by its own attributes and compares every field. */
static void check_round_trip(struct cobocred_item *it)
{
	struct cobocred_query q = query(it->schema, it->attrs, it->n_attrs);
	struct cobocred_item *out = NULL;
	size_t i;

	q.flags = COBOCRED_QUERY_EXACT;
	CU_ASSERT_EQUAL_FATAL(tf_store_keep(it, NULL), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(tf_get(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(out->schema, it->schema);
	CU_ASSERT((out->label == NULL) == (it->label == NULL));
	if (out->label != NULL && it->label != NULL)
		CU_ASSERT_STRING_EQUAL(out->label, it->label);
	CU_ASSERT_EQUAL_FATAL(out->secret_len, it->secret_len);
	CU_ASSERT(memcmp(out->secret, it->secret, it->secret_len) == 0);
	CU_ASSERT((out->oauth_refresh_token == NULL) == (it->oauth_refresh_token == NULL));
	if (out->oauth_refresh_token != NULL && it->oauth_refresh_token != NULL)
		CU_ASSERT_STRING_EQUAL(out->oauth_refresh_token, it->oauth_refresh_token);
	CU_ASSERT_EQUAL(out->created_at, it->created_at);
	CU_ASSERT_EQUAL(out->expires_at, it->expires_at);
	CU_ASSERT_EQUAL_FATAL(out->n_attrs, it->n_attrs);
	for (i = 0; i < it->n_attrs; i++) {
		CU_ASSERT_STRING_EQUAL(out->attrs[i].name, it->attrs[i].name);
		CU_ASSERT_STRING_EQUAL(out->attrs[i].value, it->attrs[i].value);
	}
	CU_ASSERT_PTR_NULL(out->next);
	cobocred_item_free(out);
	cobocred_item_free(it);
}

static void test_round_trip(void)
{
	size_t big_len = (1u << 20) + 3, i;
	unsigned char *big = malloc(big_len);
	struct cobocred_item *it;
	struct stat st;
	char *text;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	for (i = 0; i < big_len; i++)
		big[i] = (unsigned char)(i * 131 + 7);
	check_round_trip(tf_item(GIT, "a\0b\nc\r\n%00 ", 11, "protocol", "https", "host",
				 "example.com:8443", "username", "alice", NULL));
	check_round_trip(tf_item(GIT, big, big_len, "host", "big.example", NULL));
	it = tf_item("com.example.Ünïcødé", "pässwörd 🔑", strlen("pässwörd 🔑"), "user", "Jöhn Dœ",
		     "path", "/a b/%41\n", NULL);
	CU_ASSERT(cobocred_item_set_label(it, "Ünïcødé label: 100%") == 0);
	CU_ASSERT(cobocred_item_set_refresh(it, "refresh token%20 x") == 0);
	cobocred_item_set_times(it, 1700000000, 4102444800);
	check_round_trip(it);
	check_round_trip(tf_item("empty", "", 0, NULL));
	free(big);
	/* The directory is 0700 and the file 0600, in format 1. */
	CU_ASSERT(stat(tf_path(".local/share/cobo-credential"), &st) == 0 &&
		  (st.st_mode & 0777) == 0700);
	CU_ASSERT(stat(tf_store_path(), &st) == 0 && (st.st_mode & 0777) == 0600);
	text = tf_read(tf_store_path(), &len);
	CU_ASSERT(text != NULL && strncmp(text, "cobo-credential-store 1\n", 24) == 0);
	free(text);
	tf_assert_no_secret_leak();
}

/* The secret of an item chain's first item, as a string. */
static const char *secret_of(const struct cobocred_item *it)
{
	return it != NULL ? (const char *)it->secret : "(none)";
}

static void test_get_prefers_latest_list_all(void)
{
	struct cobocred_attr a[] = { { "host", "h" } };
	struct cobocred_query q = query(GIT, a, 1);
	struct cobocred_item *out = NULL, *it;

	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "one", 3, "host", "h", "username", "a", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "two", 3, "host", "h", "username", "b", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "other", 5, "host", "x", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "two");
	CU_ASSERT_EQUAL(tf_count(out), 1);
	cobocred_item_free(out);
	CU_ASSERT_EQUAL(tf_list(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(tf_count(out), 2);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "one"); /* in the order stored */
	CU_ASSERT_STRING_EQUAL(secret_of(out->next), "two");
	cobocred_item_free(out);
	CU_ASSERT_EQUAL(tf_list(NULL, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 3);
	cobocred_item_free(out);
	q.schema = "io.docker.Credentials";
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_NOTFOUND);
	q.schema = NULL; /* any schema */
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_SUCCESS);
	cobocred_item_free(out);
	/* A query attribute with a NULL value must be absent. */
	it = NULL;
	a[0].name = "username";
	a[0].value = NULL;
	q.schema = GIT;
	CU_ASSERT_EQUAL(tf_get(&q, &it), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(secret_of(it), "other");
	cobocred_item_free(it);
	tf_assert_no_secret_leak();
}

static void test_exact_queries(void)
{
	struct cobocred_attr a[] = { { "host", "h" }, { "username", "u" } };
	struct cobocred_query q = query(GIT, a, 1);
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "wide", 4, "host", "h", "username", "u", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "narrow", 6, "host", "h", NULL), NULL),
			COBOCRED_SUCCESS);
	q.flags = COBOCRED_QUERY_EXACT;
	CU_ASSERT_EQUAL(tf_list(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 1);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "narrow");
	cobocred_item_free(out);
	q.n_attrs = 2;
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "wide");
	cobocred_item_free(out);
	q.flags = 0;
	q.n_attrs = 1;
	CU_ASSERT_EQUAL(tf_list(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 2);
	cobocred_item_free(out);
	tf_assert_no_secret_leak();
}

static void test_replace(void)
{
	struct cobocred_attr hu[] = { { "host", "h" }, { "username", "u" } };
	struct cobocred_attr h[] = { { "host", "h" } };
	struct cobocred_query rq = query(GIT, hu, 2), hq = query(GIT, h, 1);
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "u1", 2, "host", "h", "username", "u", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "v1", 2, "host", "h", "username", "v", NULL), NULL),
			COBOCRED_SUCCESS);
	/* Replacing h+u drops u1 only. */
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "u2", 2, "host", "h", "username", "u", NULL), &rq),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_list(&hq, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(tf_count(out), 2);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "v1");
	CU_ASSERT_STRING_EQUAL(secret_of(out->next), "u2");
	cobocred_item_free(out);
	/* EXACT replace of host=h alone matches neither (both carry username). */
	hq.flags = COBOCRED_QUERY_EXACT;
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "h1", 2, "host", "h", NULL), &hq), COBOCRED_SUCCESS);
	hq.flags = 0;
	CU_ASSERT_EQUAL(tf_list(&hq, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 3);
	cobocred_item_free(out);
	/* No replace query: a duplicate is kept, and get prefers the newer. */
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "h2", 2, "host", "h", NULL), NULL), COBOCRED_SUCCESS);
	hq.flags = COBOCRED_QUERY_EXACT;
	CU_ASSERT_EQUAL(tf_list(&hq, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 2);
	cobocred_item_free(out);
	CU_ASSERT_EQUAL(tf_get(&hq, &out), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "h2");
	cobocred_item_free(out);
	/* A broad replace drops everything matching it. */
	hq.flags = 0;
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "only", 4, "host", "h", NULL), &hq),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_list(&hq, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 1);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "only");
	cobocred_item_free(out);
	tf_assert_no_secret_leak();
}

static void test_erase(void)
{
	struct cobocred_attr h[] = { { "host", "h" } }, x[] = { { "host", "x" } };
	struct cobocred_query q = query(GIT, h, 1), none = query(GIT, x, 1);
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "s1", 2, "host", "h", "username", "a", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "s2", 2, "host", "h", "username", "b", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "s1", 2, "host", "h", "username", "c", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item(GIT, "keep", 4, "host", "k", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_erase(&none), COBOCRED_NOTFOUND);
	/* With a secret: only the items holding exactly that secret. */
	q.secret = (const unsigned char *)"s";
	q.secret_len = 1;
	CU_ASSERT_EQUAL(tf_erase(&q), COBOCRED_NOTFOUND);
	q.secret = (const unsigned char *)"s1";
	q.secret_len = 2;
	CU_ASSERT_EQUAL(tf_erase(&q), COBOCRED_SUCCESS);
	q.secret = NULL;
	q.secret_len = 0;
	CU_ASSERT_EQUAL(tf_list(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 1);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "s2");
	cobocred_item_free(out);
	/* Without: every match. */
	CU_ASSERT_EQUAL(tf_erase(&q), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(tf_erase(&q), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(tf_list(NULL, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 1);
	cobocred_item_free(out);
	/* An empty pattern never means "erase all". */
	CU_ASSERT_EQUAL(tf_erase(NULL), COBOCRED_ERROR);
	CU_ASSERT(strstr(tf_error(), "empty pattern") != NULL);
	q = query(NULL, NULL, 0);
	CU_ASSERT_EQUAL(tf_erase(&q), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(tf_list(NULL, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 1);
	cobocred_item_free(out);
	tf_assert_no_secret_leak();
}

static struct cobocred_item *timed(const char *secret, int64_t expires)
{
	struct cobocred_item *it = tf_item(GIT, secret, strlen(secret), "host", "t", NULL);

	cobocred_item_set_times(it, 1, expires);
	return it;
}

static void test_expired_skipped(void)
{
	struct cobocred_attr a[] = { { "host", "t" } };
	struct cobocred_query q = query(GIT, a, 1);
	struct cobocred_item *out = NULL;
	int64_t now = cobocred_now(tf.ctx);

	CU_ASSERT_EQUAL(tf_store(timed("forever", 0), NULL), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(timed("hour", now + 3600), NULL), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(timed("expired", now - 1), NULL), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(timed("just", now), NULL),
			COBOCRED_SUCCESS); /* expires_at <= now */
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "hour");
	cobocred_item_free(out);
	CU_ASSERT_EQUAL(tf_list(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), 2);
	cobocred_item_free(out);
	/* The module asks the host for the time: two hours on, only "forever" is left. */
	setenv("COBO_CREDENTIAL_NOW_OFFSET", "7200", 1);
	tf_new_ctx();
	unsetenv("COBO_CREDENTIAL_NOW_OFFSET");
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(secret_of(out), "forever");
	cobocred_item_free(out);
	/* Expired items still count for erase (they are there). */
	a[0].value = "t";
	q.secret = (const unsigned char *)"expired";
	q.secret_len = 7;
	CU_ASSERT_EQUAL(tf_erase(&q), COBOCRED_SUCCESS);
	tf_assert_no_secret_leak();
}

/* Opens the instance with one option. */
static int open1(const char *opt)
{
	const char *argv[] = { opt };

	return tf_open(1, argv);
}

static void test_options(void)
{
	char opt[600];
	struct stat st;

	snprintf(opt, sizeof(opt), "path=%s", tf_path("custom/deeper/creds"));
	CU_ASSERT_EQUAL_FATAL(open1(opt), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", "x", 1, NULL), NULL), COBOCRED_SUCCESS);
	CU_ASSERT(stat(tf_path("custom/deeper/creds"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CU_ASSERT(stat(tf_path("custom/deeper"), &st) == 0 && (st.st_mode & 0777) == 0700);
	CU_ASSERT(stat(tf_store_path(), &st) != 0);

	/* No configuration file to resolve a relative path against: refused. */
	CU_ASSERT_EQUAL(open1("path=relative/store"), COBOCRED_ERROR);
	CU_ASSERT(strstr(tf_error(), "no configuration file to resolve it against") != NULL);
	CU_ASSERT_EQUAL(open1("path=/tmp/dir/"), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(open1("colour=blue"), COBOCRED_ERROR);
	CU_ASSERT(strstr(tf_error(), "unknown option 'colour'") != NULL);
	CU_ASSERT_EQUAL(open1("max_bytes=12x"), COBOCRED_ERROR);
	CU_ASSERT(strstr(tf_error(), "max_bytes=") != NULL);
	CU_ASSERT_EQUAL(open1("max_bytes=100"), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(open1("lock_timeout_ms=-1"), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(open1("lock_timeout_ms=0"), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(open1("path"), COBOCRED_ERROR);
	tf_assert_no_secret_leak();
}

static void test_max_bytes(void)
{
	char fill[3000], *before, *after;
	struct cobocred_item *out = NULL;
	size_t lb, la;

	memset(fill, 'a', sizeof(fill));
	CU_ASSERT_EQUAL_FATAL(open1("max_bytes=4096"), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", fill, sizeof(fill), "n", "1", NULL), NULL),
			COBOCRED_SUCCESS);
	before = tf_read(tf_store_path(), &lb);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", fill, sizeof(fill), "n", "2", NULL), NULL),
			COBOCRED_ERROR);
	CU_ASSERT(strstr(tf_error(), "past max_bytes=4096") != NULL);
	after = tf_read(tf_store_path(), &la);
	CU_ASSERT(before != NULL && after != NULL && lb == la && memcmp(before, after, la) == 0);
	free(before);
	free(after);
	/* A bigger store written meanwhile is refused, not half-read. */
	CU_ASSERT_EQUAL_FATAL(tf_open(0, NULL), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", fill, sizeof(fill), "n", "2", NULL), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(open1("max_bytes=4096"), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_list(NULL, &out), COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT(strstr(tf_error(), "larger than max_bytes=4096") != NULL);
	tf_assert_no_secret_leak();
}

static void test_item_too_big(void)
{
	size_t n = (2u << 20) + 1;
	char *big = calloc(1, n);
	struct cobocred_item *out = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", big, n, NULL), NULL), COBOCRED_ERROR);
	CU_ASSERT(strstr(tf_error(), "secret bytes") != NULL);
	CU_ASSERT_EQUAL(tf_list(NULL, &out), COBOCRED_NOTFOUND);
	free(big);
	tf_assert_no_secret_leak();
}

static const struct cutest_case module_cases[] = {
	{ "missing store", test_missing_store },
	{ "round trip: binary, 1 MiB, unicode", test_round_trip },
	{ "get prefers the latest, list returns all", test_get_prefers_latest_list_all },
	{ "exact queries", test_exact_queries },
	{ "store replaces matches", test_replace },
	{ "erase with and without a secret", test_erase },
	{ "expired items skipped", test_expired_skipped },
	{ "options", test_options },
	{ "max_bytes", test_max_bytes },
	{ "item too big", test_item_too_big },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "file module", module_cases },
		{ "file module on disk", test_file_disk_cases },
		{ NULL, NULL },
	};

	return cutest_run_fixture(suites, tf_setup, tf_teardown);
}
