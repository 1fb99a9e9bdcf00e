/*
 * test_oauth_sign.c - every case of tests/vectors/cobo-signing.json, byte
 * for byte: str_to_sign, its SHA-256, the digest, the signature, the public
 * key, the request target and headers; every response case's content,
 * digest and validity.  Also the query and refresh-body builders against
 * the vectors' wire bytes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutest.h"
#include "request.h"
#include "sign.h"
#include "test_oauth_util.h"

static struct json_object *vectors;

static struct json_object *cases(const char *which)
{
	struct json_object *v = NULL;

	if (vectors == NULL)
		vectors = oauth_test_load_json("tests/vectors/cobo-signing.json");
	CU_ASSERT_FATAL(vectors != NULL);
	CU_ASSERT_FATAL(json_object_object_get_ex(vectors, which, &v));
	CU_ASSERT_FATAL(json_object_is_type(v, json_type_array));
	return v;
}

/* Compares n bytes; names the case and field on mismatch. */
static void same(const char *name, const char *field, const void *got, size_t gotlen,
		 const void *want, size_t wantlen)
{
	int ok = gotlen == wantlen && memcmp(got, want, wantlen) == 0;

	if (!ok)
		fprintf(stderr, "\n  case %s: %s differs (got %zu bytes, want %zu)\n", name, field,
			gotlen, wantlen);
	CU_ASSERT(ok);
}

static void same_str(const char *name, const char *field, const char *got, const char *want)
{
	CU_ASSERT_FATAL(want != NULL);
	same(name, field, got, strlen(got), want, strlen(want));
}

static void check_headers(struct json_object *c, const char *name, const char *pub_hex,
			  const char *sig_hex)
{
	struct json_object *h;

	CU_ASSERT_FATAL(json_object_object_get_ex(c, "headers", &h));
	same_str(name, "Biz-Api-Key", pub_hex, oauth_test_str(h, "Biz-Api-Key"));
	same_str(name, "Biz-Api-Nonce", oauth_test_str(c, "nonce"),
		 oauth_test_str(h, "Biz-Api-Nonce"));
	same_str(name, "Biz-Api-Signature", sig_hex, oauth_test_str(h, "Biz-Api-Signature"));
}

static void check_target(struct json_object *c, const char *name)
{
	const char *path = oauth_test_str(c, "path"), *params = oauth_test_str(c, "params");
	char target[2048];

	snprintf(target, sizeof(target), "%s%s%s", path, *params ? "?" : "", params);
	same_str(name, "request_target", target, oauth_test_str(c, "request_target"));
}

static void check_request_case(struct json_object *c)
{
	const char *name = oauth_test_str(c, "name"), *body = oauth_test_str(c, "body");
	size_t body_len = oauth_test_strlen(c, "body"), n = 0;
	unsigned char seed[32], pub[32], mid[32], digest[32], digest2[32], sig[64], raw[4096];
	char *s = NULL, pub_hex[65], sig_hex[129];

	CU_ASSERT_FATAL(name != NULL && body != NULL);
	/* The JSON-decoded body must be exactly the bytes of body_utf8_hex. */
	n = oauth_test_unhex(oauth_test_str(c, "body_utf8_hex"), raw, sizeof(raw));
	same(name, "body bytes", body, body_len, raw, n);

	CU_ASSERT_FATAL(oauth_test_unhex(oauth_test_str(c, "private_key_seed_hex"), seed, 32) ==
			32);
	CU_ASSERT_FATAL(oauth_ed25519_pub(seed, pub) == 0);
	snprintf(pub_hex, sizeof(pub_hex), "%s", oauth_test_hex(pub, 32));
	same_str(name, "public key", pub_hex, oauth_test_str(c, "public_key_hex"));

	CU_ASSERT_FATAL(oauth_str_to_sign(oauth_test_str(c, "method"), oauth_test_str(c, "path"),
					  oauth_test_str(c, "nonce"), oauth_test_str(c, "params"),
					  body, body_len, &s, &n) == 0);
	same(name, "str_to_sign", s, n, oauth_test_str(c, "str_to_sign"),
	     oauth_test_strlen(c, "str_to_sign"));

	CU_ASSERT_FATAL(oauth_sha256d(s, n, mid, digest) == 0);
	same_str(name, "str_to_sign_sha256", oauth_test_hex(mid, 32),
		 oauth_test_str(c, "str_to_sign_sha256_hex"));
	same_str(name, "digest", oauth_test_hex(digest, 32), oauth_test_str(c, "digest_hex"));
	CU_ASSERT(oauth_request_digest(oauth_test_str(c, "method"), oauth_test_str(c, "path"),
				       oauth_test_str(c, "nonce"), oauth_test_str(c, "params"),
				       body, body_len, digest2) == 0);
	same(name, "oauth_request_digest", digest2, 32, digest, 32);

	CU_ASSERT_FATAL(oauth_ed25519_sign(seed, digest, 32, sig) == 0);
	snprintf(sig_hex, sizeof(sig_hex), "%s", oauth_test_hex(sig, 64));
	same_str(name, "signature", sig_hex, oauth_test_str(c, "signature_hex"));
	CU_ASSERT(oauth_ed25519_verify(pub, digest, 32, sig) == 1);
	check_headers(c, name, pub_hex, sig_hex);
	check_target(c, name);
	oauth_free_wiped(s, n);
}

static void test_request_cases(void)
{
	struct json_object *v = cases("request_cases");
	size_t i, n = json_object_array_length(v);

	CU_ASSERT(n >= 9);
	for (i = 0; i < n; i++)
		check_request_case(json_object_array_get_idx(v, i));
}

/*
 * tests/vectors/cobo-signing-resources.json (make-resource-vectors.py,
 * computed with Python's cryptography): resource calls as the SDKs sign
 * them - a query with '+', %2B and %20 as sent, UTF-8 and SDK-escaped
 * JSON bodies, an empty body for GET and DELETE - through the one
 * canonical string the token calls use.
 */
static void test_resource_cases(void)
{
	struct json_object *doc = oauth_test_load_json("tests/vectors/cobo-signing-resources.json"),
			   *v = NULL;
	size_t i, n;

	CU_ASSERT_FATAL(doc != NULL);
	CU_ASSERT_FATAL(json_object_object_get_ex(doc, "request_cases", &v));
	n = json_object_array_length(v);
	CU_ASSERT(n >= 8);
	for (i = 0; i < n; i++)
		check_request_case(json_object_array_get_idx(v, i));
	json_object_put(doc);
}

static void check_response_case(struct json_object *c, const unsigned char *signer_seed)
{
	const char *name = oauth_test_str(c, "name"), *body = oauth_test_str(c, "body");
	const char *ts = oauth_test_str(c, "timestamp"),
		   *sig_hex = oauth_test_str(c, "signature_hex");
	size_t body_len = oauth_test_strlen(c, "body");
	unsigned char pub[32], digest[32], sig[64];
	char content[8192];
	int valid, n;
	struct json_object *ev;

	CU_ASSERT_FATAL(name && body && ts && sig_hex);
	n = snprintf(content, sizeof(content), "%.*s|%s", (int)body_len, body, ts);
	same(name, "content_to_verify", content, (size_t)n, oauth_test_str(c, "content_to_verify"),
	     oauth_test_strlen(c, "content_to_verify"));
	CU_ASSERT_FATAL(oauth_response_digest(body, body_len, ts, digest) == 0);
	same_str(name, "digest", oauth_test_hex(digest, 32), oauth_test_str(c, "digest_hex"));
	CU_ASSERT_FATAL(oauth_test_unhex(oauth_test_str(c, "server_public_key_hex"), pub, 32) ==
			32);
	CU_ASSERT_FATAL(json_object_object_get_ex(c, "expected_valid", &ev));
	valid = oauth_verify_response(pub, body, body_len, ts, sig_hex);
	if (valid != json_object_get_boolean(ev))
		fprintf(stderr, "\n  case %s: validity %d, expected %d\n", name, valid,
			json_object_get_boolean(ev));
	CU_ASSERT(valid == json_object_get_boolean(ev));
	if (json_object_get_boolean(ev)) {
		/* Ed25519 is deterministic: the signer's seed reproduces the signature. */
		CU_ASSERT(oauth_ed25519_sign(signer_seed, digest, 32, sig) == 0);
		same_str(name, "response signature", oauth_test_hex(sig, 64), sig_hex);
	}
}

static void test_response_cases(void)
{
	struct json_object *v = cases("response_cases");
	size_t i, n = json_object_array_length(v);
	unsigned char seed[32];

	CU_ASSERT_FATAL(oauth_test_unhex(oauth_test_str(vectors, "response_signer_seed_hex"), seed,
					 32) == 32);
	CU_ASSERT(n >= 4);
	for (i = 0; i < n; i++)
		check_response_case(json_object_array_get_idx(v, i), seed);
}

/* The first response case with expected_valid true. */
static struct json_object *valid_response(void)
{
	struct json_object *v = cases("response_cases"), *ev;
	size_t i;

	for (i = 0; i < json_object_array_length(v); i++) {
		struct json_object *c = json_object_array_get_idx(v, i);

		if (json_object_object_get_ex(c, "expected_valid", &ev) &&
		    json_object_get_boolean(ev))
			return c;
	}
	CU_FAIL_FATAL("no valid response case");
	return NULL;
}

static void test_response_malformed_signatures(void)
{
	struct json_object *c = valid_response();
	const char *body = oauth_test_str(c, "body"), *ts = oauth_test_str(c, "timestamp");
	const char *sig = oauth_test_str(c, "signature_hex");
	size_t len = oauth_test_strlen(c, "body"), i;
	unsigned char pub[32];
	char buf[200];

	CU_ASSERT_FATAL(oauth_test_unhex(oauth_test_str(c, "server_public_key_hex"), pub, 32) ==
			32);
	CU_ASSERT(oauth_verify_response(pub, body, len, ts, sig) == 1);
	/* Upper-case hex is the same signature. */
	snprintf(buf, sizeof(buf), "%s", sig);
	for (i = 0; buf[i]; i++)
		if (buf[i] >= 'a' && buf[i] <= 'f')
			buf[i] = (char)(buf[i] - 32);
	CU_ASSERT(oauth_verify_response(pub, body, len, ts, buf) == 1);
	CU_ASSERT(oauth_verify_response(pub, body, len, ts, NULL) == 0);
	CU_ASSERT(oauth_verify_response(pub, body, len, NULL, sig) == 0);
	CU_ASSERT(oauth_verify_response(pub, body, len, "", sig) == 0);
	CU_ASSERT(oauth_verify_response(pub, body, len, ts, "") == 0);
	snprintf(buf, sizeof(buf), "%.126s", sig); /* one byte short */
	CU_ASSERT(oauth_verify_response(pub, body, len, ts, buf) == 0);
	snprintf(buf, sizeof(buf), "%sff", sig); /* one byte long */
	CU_ASSERT(oauth_verify_response(pub, body, len, ts, buf) == 0);
	snprintf(buf, sizeof(buf), "%s", sig);
	buf[5] = 'g';
	CU_ASSERT(oauth_verify_response(pub, body, len, ts, buf) == 0);
	snprintf(buf, sizeof(buf), "%s", sig);
	buf[0] = buf[0] == '0' ? '1' : '0'; /* a flipped bit */
	CU_ASSERT(oauth_verify_response(pub, body, len, ts, buf) == 0);
	CU_ASSERT(oauth_verify_response(pub, body, len - 1, ts, sig) == 0);
}

/* Percent-decodes a form value (the inverse of urlencode), for the round trip. */
static void form_decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned char b;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n) {
			char h[3] = { s[i + 1], s[i + 2], 0 };

			CU_ASSERT_FATAL(oauth_test_unhex(h, &b, 1) == 1);
			out[o++] = (char)b;
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* client_id=..&org_id=..&grant_type=org_implicit: the builder reproduces params exactly. */
static void check_query_case(const char *case_name)
{
	struct json_object *v = cases("request_cases");
	const char *params = NULL, *a, *b;
	char cid[512], org[512], built[2048];
	size_t i;

	for (i = 0; i < json_object_array_length(v); i++) {
		struct json_object *c = json_object_array_get_idx(v, i);

		if (strcmp(oauth_test_str(c, "name"), case_name) == 0)
			params = oauth_test_str(c, "params");
	}
	CU_ASSERT_FATAL(params != NULL && strncmp(params, "client_id=", 10) == 0);
	a = params + 10;
	b = strstr(a, "&org_id=");
	CU_ASSERT_FATAL(b != NULL);
	form_decode(a, (size_t)(b - a), cid);
	a = b + 8;
	b = strstr(a, "&grant_type=");
	CU_ASSERT_FATAL(b != NULL);
	form_decode(a, (size_t)(b - a), org);
	CU_ASSERT(oauth_mint_query(cid, org, built, sizeof(built)) == 0);
	same_str(case_name, "mint query", built, params);
}

static void test_mint_query(void)
{
	char small[16];

	check_query_case("get_token");
	check_query_case("query_percent_encoding");
	CU_ASSERT(oauth_mint_query("a-much-longer-client-id", "org", small, sizeof(small)) == -1);
	CU_ASSERT(oauth_form_encode("a b/~", small, sizeof(small)) == 0);
	CU_ASSERT_STRING_EQUAL(small, "a+b%2F~");
}

static void test_refresh_body(void)
{
	struct json_object *v = cases("request_cases"), *c = NULL, *body = NULL;
	const char *want = NULL;
	char *got = NULL;
	size_t i, n = 0;

	for (i = 0; i < json_object_array_length(v); i++)
		if (strcmp(oauth_test_str(json_object_array_get_idx(v, i), "name"),
			   "refresh_compact_json") == 0)
			c = json_object_array_get_idx(v, i);
	CU_ASSERT_FATAL(c != NULL);
	want = oauth_test_str(c, "body");
	body = json_tokener_parse(want);
	CU_ASSERT_FATAL(body != NULL);
	CU_ASSERT_FATAL(oauth_refresh_body(oauth_test_str(body, "client_id"),
					   oauth_test_str(body, "refresh_token"),
					   oauth_test_strlen(body, "refresh_token"), &got,
					   &n) == 0);
	same("refresh_compact_json", "refresh body", got, n, want, strlen(want));
	oauth_free_wiped(got, n);
	json_object_put(body);

	/* JSON escaping: quotes, backslashes, control characters; UTF-8 kept. */
	CU_ASSERT_FATAL(oauth_refresh_body("c\"\\\x01", "t\n\xc3\xa9", 4, &got, &n) == 0);
	CU_ASSERT_STRING_EQUAL(got, "{\"client_id\":\"c\\\"\\\\\\u0001\",\"grant_type\":"
				    "\"refresh_token\",\"refresh_token\":\"t\\n\xc3\xa9\"}");
	CU_ASSERT(n == strlen(got));
	body = json_tokener_parse(got);
	CU_ASSERT(body != NULL && strcmp(oauth_test_str(body, "client_id"), "c\"\\\x01") == 0);
	json_object_put(body);
	oauth_free_wiped(got, n);
}

static void test_nonce(void)
{
	char a[OAUTH_NONCE_MAX];
	long long v;

	oauth_nonce(a);
	CU_ASSERT(strlen(a) == 13);
	v = strtoll(a, NULL, 10);
	CU_ASSERT(v > 1700000000000LL);
}

static const struct cutest_case sign_cases[] = {
	{ "every request case byte for byte", test_request_cases },
	{ "every resource request case byte for byte", test_resource_cases },
	{ "every response case", test_response_cases },
	{ "malformed response signatures", test_response_malformed_signatures },
	{ "mint query as the vectors send it", test_mint_query },
	{ "refresh body as the vectors send it", test_refresh_body },
	{ "nonce is unix ms", test_nonce },
	{ NULL, NULL },
};

static const struct cutest_suite suites[] = {
	{ "oauth-sign", sign_cases },
	{ NULL, NULL },
};

int main(void)
{
	int r = cutest_run(suites);

	json_object_put(vectors);
	return r;
}
