/*
 * test_kernel_payload.c - the kernel key payload and description
 * (plugins/kernel/payload.c): round trips, every truncation and many
 * generated corruptions refused, descriptions that read plainly and
 * match queries exactly.
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutest.h"
#include "payload.h"

static struct cobocred_attr cobo_attrs[] = {
	{ "base_url", "https://api.dev.cobo.com/v2" },
	{ "client_id", "pvSwS8iFrfK0" },
	{ "org_id", "org-1" },
	{ "kind", "access" },
};

/* A stack item (no host): enough for kp_encode. */
static struct cobocred_item item_of(const char *schema, const struct cobocred_attr *a, size_t n,
				    const char *secret)
{
	struct cobocred_item it;

	memset(&it, 0, sizeof(it));
	it.struct_size = sizeof(it);
	it.schema = schema;
	it.attrs = a;
	it.n_attrs = n;
	it.secret = (const unsigned char *)secret;
	it.secret_len = strlen(secret);
	it.created_at = 1700000000;
	it.expires_at = 1700003600;
	return it;
}

static size_t encode(const struct cobocred_item *it, unsigned char *buf)
{
	char err[256];
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(kp_encode(it, buf, KP_MAX_BYTES, &len, err, sizeof(err)), 0);
	return len;
}

static void test_round_trip(void)
{
	static unsigned char buf[KP_MAX_BYTES];
	struct cobocred_item it = item_of(COBOCRED_SCHEMA_COBO, cobo_attrs, 4, "tok\0en");
	struct kp_view v;
	char err[256];
	size_t len, i;

	it.secret_len = 6; /* a NUL inside the secret survives */
	it.label = "Cobo Org Access Token (org-1 on api.dev.cobo.com)";
	it.oauth_refresh_token = "rt-1";
	len = encode(&it, buf);
	CU_ASSERT_EQUAL_FATAL(kp_parse(buf, len, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v.created_at, 1700000000);
	CU_ASSERT_EQUAL(v.expires_at, 1700003600);
	CU_ASSERT_EQUAL(v.n_attrs, 4);
	CU_ASSERT_EQUAL(v.secret.n, 6);
	CU_ASSERT_EQUAL(memcmp(v.secret.p, "tok\0en", 6), 0);
	CU_ASSERT_EQUAL(v.refresh.n, 4);
	CU_ASSERT_EQUAL(v.label.n, strlen(it.label));
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(v.names[i].n, strlen(cobo_attrs[i].name));
		CU_ASSERT_EQUAL(memcmp(v.values[i].p, cobo_attrs[i].value, v.values[i].n), 0);
	}
	it.label = NULL;
	it.oauth_refresh_token = NULL;
	len = encode(&it, buf);
	CU_ASSERT_EQUAL_FATAL(kp_parse(buf, len, &v, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(v.label.p);
	CU_ASSERT_PTR_NULL(v.refresh.p);
}

/* Every prefix of a valid payload, and every extension by a byte, is refused. */
static void test_truncations_refused(void)
{
	static unsigned char buf[KP_MAX_BYTES + 1];
	struct cobocred_item it = item_of(COBOCRED_SCHEMA_COBO, cobo_attrs, 4, "secret");
	struct kp_view v;
	char err[256];
	size_t len, n, bad = 0;

	it.label = "label";
	it.oauth_refresh_token = "rt";
	len = encode(&it, buf);
	for (n = 0; n < len; n++)
		bad += kp_parse(buf, n, &v, err, sizeof(err)) != 0;
	CU_ASSERT_EQUAL(bad, len);
	buf[len] = 0;
	CU_ASSERT_NOT_EQUAL(kp_parse(buf, len + 1, &v, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "trailing"));
}

/* Generated corruptions: each either parses to a consistent view or is refused; header ones are refused. */
static void test_corruptions(void)
{
	static unsigned char good[KP_MAX_BYTES], buf[KP_MAX_BYTES];
	struct cobocred_item it = item_of(COBOCRED_SCHEMA_GIT, cobo_attrs, 4, "pw");
	struct kp_view v;
	char err[256];
	size_t len = encode(&it, good), i;
	unsigned b;

	for (i = 0; i < 6; i++) /* magic, version, flags */
		for (b = 1; b < 256; b <<= 1) {
			memcpy(buf, good, len);
			buf[i] ^= (unsigned char)b;
			if (i == 5 && (b & 3)) /* a flag bit this format knows: layout changes */
				continue;
			CU_ASSERT_NOT_EQUAL(kp_parse(buf, len, &v, err, sizeof(err)), 0);
		}
	srand(13);
	for (i = 0; i < 20000; i++) {
		size_t at = (size_t)rand() % len;

		memcpy(buf, good, len);
		buf[at] = (unsigned char)rand();
		if (kp_parse(buf, len, &v, err, sizeof(err)) == 0) {
			CU_ASSERT(v.n_attrs <= KP_MAX_ATTRS);
			CU_ASSERT(v.schema.n > 0);
			CU_ASSERT(v.secret.p >= (const char *)buf &&
				  v.secret.p + v.secret.n <= (const char *)buf + len);
		}
	}
}

static void test_bad_fields_refused(void)
{
	static unsigned char buf[KP_MAX_BYTES];
	struct cobocred_attr dup[] = { { "host", "a" }, { "host", "b" } };
	struct cobocred_attr many[KP_MAX_ATTRS + 1];
	struct cobocred_item it = item_of(COBOCRED_SCHEMA_GIT, dup, 2, "pw");
	struct kp_view v;
	char err[256], *big;
	size_t len, i;

	len = encode(&it, buf);
	CU_ASSERT_NOT_EQUAL(kp_parse(buf, len, &v, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "repeated"));
	for (i = 0; i <= KP_MAX_ATTRS; i++)
		many[i] = (struct cobocred_attr){ "n", "v" };
	it = item_of(COBOCRED_SCHEMA_GIT, many, KP_MAX_ATTRS + 1, "pw");
	CU_ASSERT_NOT_EQUAL(kp_encode(&it, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	big = malloc(KP_MAX_BYTES + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'x', KP_MAX_BYTES);
	big[KP_MAX_BYTES] = '\0';
	it = item_of(COBOCRED_SCHEMA_GIT, cobo_attrs, 1, big);
	CU_ASSERT_NOT_EQUAL(kp_encode(&it, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	free(big);
	/* a NUL in a text field (schema) */
	it = item_of(COBOCRED_SCHEMA_GIT, cobo_attrs, 1, "pw");
	len = encode(&it, buf);
	buf[25] = '\0'; /* inside the schema "org.git.Password" */
	CU_ASSERT_NOT_EQUAL(kp_parse(buf, len, &v, err, sizeof(err)), 0);
}

static void test_description_reads_plainly(void)
{
	char d[KP_DESC_MAX + 1], e[KP_DESC_MAX + 1];
	struct cobocred_attr rev[4];
	size_t i;

	CU_ASSERT_EQUAL_FATAL(kp_describe(COBOCRED_SCHEMA_COBO, cobo_attrs, 4, d, sizeof(d)), 0);
	CU_ASSERT_STRING_EQUAL(d, "cobo-credential:com.cobo.credential.Token:"
				  "base_url=https%3A//api.dev.cobo.com/v2;client_id=pvSwS8iFrfK0;"
				  "kind=access;org_id=org-1");
	for (i = 0; i < 4; i++)
		rev[i] = cobo_attrs[3 - i];
	CU_ASSERT_EQUAL(kp_describe(COBOCRED_SCHEMA_COBO, rev, 4, e, sizeof(e)), 0);
	CU_ASSERT_STRING_EQUAL(d, e); /* order of attributes does not matter */
}

/* Separators and odd bytes in values never make two identities share a description. */
static void test_description_escapes(void)
{
	static const char *const odd[] = { "a;b",      "a=b", "a%3Bb", "a b", "a\nb", "a:b",
					   "\xc3\xa9", "",    "a%b",   "a;",  "=",    ";" };
	char d[sizeof(odd) / sizeof(odd[0])][KP_DESC_MAX + 1];
	size_t n = sizeof(odd) / sizeof(odd[0]), i, j, k;

	for (i = 0; i < n; i++) {
		struct cobocred_attr a[2] = { { "host", odd[i] }, { "path", "p" } };

		CU_ASSERT_EQUAL_FATAL(kp_describe(COBOCRED_SCHEMA_GIT, a, 2, d[i], sizeof(d[i])),
				      0);
		for (k = strlen(KP_DESC_PREFIX); d[i][k] != '\0'; k++)
			CU_ASSERT((unsigned char)d[i][k] > 0x20 && (unsigned char)d[i][k] < 0x7f);
		for (j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(d[i], d[j]);
	}
}

static void test_description_bounded(void)
{
	char d[KP_DESC_MAX + 1], *v = malloc(2000);
	struct cobocred_attr a[1] = { { "path", NULL } };

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	memset(v, ';', 1999); /* each becomes %3B: 5997 bytes */
	v[1999] = '\0';
	a[0].value = v;
	CU_ASSERT_NOT_EQUAL(kp_describe(COBOCRED_SCHEMA_GIT, a, 1, d, sizeof(d)), 0);
	free(v);
}

static int matches(const char *schema, const struct cobocred_attr *a, size_t n, uint32_t flags,
		   const char *desc)
{
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = schema,
				    .n_attrs = n,
				    .attrs = a,
				    .flags = flags };

	return kp_desc_matches(desc, &q);
}

/* Generated: every subset of the item's attributes matches; any changed value does not. */
static void test_desc_matches_generated(void)
{
	static const char *const vals[] = { "v", "v;x", "v=", "", "w", "v%" };
	char desc[KP_DESC_MAX + 1];
	struct cobocred_attr item[3] = { { "protocol", "https" },
					 { "host", "h;x" },
					 { "user", "" } };
	struct cobocred_attr q[3];
	unsigned mask;
	size_t i, n, k;

	CU_ASSERT_EQUAL_FATAL(kp_describe(COBOCRED_SCHEMA_GIT, item, 3, desc, sizeof(desc)), 0);
	for (mask = 0; mask < 8; mask++) {
		for (i = 0, n = 0; i < 3; i++)
			if (mask & (1u << i))
				q[n++] = item[i];
		CU_ASSERT_TRUE(matches(COBOCRED_SCHEMA_GIT, q, n, 0, desc));
		CU_ASSERT_EQUAL(matches(COBOCRED_SCHEMA_GIT, q, n, COBOCRED_QUERY_EXACT, desc),
				mask == 7);
		CU_ASSERT_FALSE(matches(COBOCRED_SCHEMA_DOCKER, q, n, 0, desc));
		for (k = 0; k < n; k++)
			for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
				struct cobocred_attr save = q[k];

				if (strcmp(vals[i], save.value) == 0)
					continue;
				q[k].value = vals[i];
				CU_ASSERT_FALSE(matches(COBOCRED_SCHEMA_GIT, q, n, 0, desc));
				q[k].value = NULL; /* NULL: must be absent */
				CU_ASSERT_FALSE(matches(COBOCRED_SCHEMA_GIT, q, n, 0, desc));
				q[k] = save;
			}
	}
	q[0] = (struct cobocred_attr){ "path", NULL };
	CU_ASSERT_TRUE(matches(COBOCRED_SCHEMA_GIT, q, 1, 0, desc));
	CU_ASSERT_FALSE(matches(COBOCRED_SCHEMA_GIT, q, 0, 0, "user:something else"));
}

static const struct cutest_case cases[] = {
	{ "payload round trip", test_round_trip },
	{ "every truncation refused", test_truncations_refused },
	{ "generated corruptions", test_corruptions },
	{ "bad fields refused", test_bad_fields_refused },
	{ "description reads plainly, any order", test_description_reads_plainly },
	{ "description escapes separators", test_description_escapes },
	{ "description bounded", test_description_bounded },
	{ "description matching, generated", test_desc_matches_generated },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = { { "kernel payload", cases }, { NULL, NULL } };

	return cutest_run(suites);
}
