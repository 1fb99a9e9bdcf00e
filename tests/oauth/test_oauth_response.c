/*
 * test_oauth_response.c - strict JSON parsing of token and error answers,
 * Biz-Timestamp freshness and refresh-token rotation,
 * and app secret loading (PEM from openssl genpkey, hex, permissions,
 * malformed keys).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cutest.h"
#include "key.h"
#include "response.h"
#include "secret.h"
#include "test_oauth_util.h"

#define GOOD                                                                     \
	"{\"access_token\":\"AT_abc\",\"token_type\":\"Bearer\",\"scope\":\"\"," \
	"\"expires_in\":43200,\"refresh_token\":\"RT_def\"}"

static char err[512];

static int parse(const char *body)
{
	struct oauth_token t;
	int r = oauth_parse_token(body, strlen(body), &t, err, sizeof(err));

	if (r == 0) {
		CU_ASSERT(t.access_token != NULL && t.refresh_token != NULL);
	} else {
		CU_ASSERT(t.access_token == NULL && t.refresh_token == NULL);
		CU_ASSERT(err[0] != '\0' && strchr(err, '\n') == NULL);
	}
	oauth_token_clear(&t);
	return r;
}

/* The token answer with one member replaced (or removed when value is NULL). */
static int parse_with(const char *field, const char *value)
{
	static const char *const fields[] = { "access_token", "token_type", "expires_in",
					      "refresh_token", NULL };
	static const char *const values[] = { "\"AT_abc\"", "\"Bearer\"", "43200", "\"RT_def\"" };
	char body[20000];
	size_t i, o = 0;

	o += (size_t)snprintf(body + o, sizeof(body) - o, "{\"scope\":\"\"");
	for (i = 0; fields[i] != NULL; i++) {
		const char *v = strcmp(fields[i], field) == 0 ? value : values[i];

		if (v != NULL)
			o += (size_t)snprintf(body + o, sizeof(body) - o, ",\"%s\":%s", fields[i],
					      v);
	}
	snprintf(body + o, sizeof(body) - o, "}");
	return parse(body);
}

static void expect_err(const char *what)
{
	if (strstr(err, what) == NULL)
		fprintf(stderr, "\n  wanted '%s' in '%s'\n", what, err);
	CU_ASSERT(strstr(err, what) != NULL);
}

static void test_token_good(void)
{
	struct oauth_token t;
	size_t live = cobocred_secret_live();

	CU_ASSERT_FATAL(oauth_parse_token(GOOD, strlen(GOOD), &t, err, sizeof(err)) == 0);
	CU_ASSERT_STRING_EQUAL(t.access_token, "AT_abc");
	CU_ASSERT(t.access_len == 6);
	CU_ASSERT_STRING_EQUAL(t.refresh_token, "RT_def");
	CU_ASSERT(t.refresh_len == 6);
	CU_ASSERT(t.expires_in == 43200);
	CU_ASSERT(cobocred_secret_live() == live + 2);
	oauth_token_clear(&t);
	CU_ASSERT(cobocred_secret_live() == live);
	CU_ASSERT(t.access_token == NULL && t.expires_in == 0);
	oauth_token_clear(&t); /* twice is harmless */
	/* Blanks around the object are fine; case of Bearer does not matter. */
	CU_ASSERT(parse(" \n" GOOD "\r\n ") == 0);
	CU_ASSERT(parse_with("token_type", "\"bearer\"") == 0);
	CU_ASSERT(parse_with("token_type", "\"BEARER\"") == 0);
	CU_ASSERT(parse_with("expires_in", "1") == 0);
	CU_ASSERT(parse_with("expires_in", "31536000") == 0);
}

static void test_token_unknown_fields(void)
{
	CU_ASSERT(parse("{\"new\":{\"a\":[1,2,{\"b\":null}]},\"access_token\":\"A\",\"x\":1.5,"
			"\"token_type\":\"Bearer\",\"expires_in\":60,\"refresh_token\":\"R\","
			"\"scope\":\"org\",\"id_token\":\"zzz\"}") == 0);
}

static void test_token_missing(void)
{
	CU_ASSERT(parse_with("access_token", NULL) == -1);
	expect_err("field 'access_token' is missing");
	CU_ASSERT(parse_with("token_type", NULL) == -1);
	expect_err("field 'token_type' is missing");
	CU_ASSERT(parse_with("expires_in", NULL) == -1);
	expect_err("field 'expires_in' is missing");
	CU_ASSERT(parse_with("refresh_token", NULL) == -1);
	expect_err("field 'refresh_token' is missing");
}

static void test_token_types(void)
{
	static const char *const not_strings[] = {
		"12345", "null", "true", "{}", "[\"x\"]", "1.5"
	};
	size_t i;

	for (i = 0; i < sizeof(not_strings) / sizeof(not_strings[0]); i++) {
		CU_ASSERT(parse_with("access_token", not_strings[i]) == -1);
		expect_err("field 'access_token' is not a string");
		CU_ASSERT(parse_with("refresh_token", not_strings[i]) == -1);
		expect_err("field 'refresh_token' is not a string");
		CU_ASSERT(parse_with("token_type", not_strings[i]) == -1);
		expect_err("field 'token_type' is not a string");
	}
	CU_ASSERT(parse_with("token_type", "\"MAC\"") == -1);
	expect_err("not \"Bearer\"");
	CU_ASSERT(parse_with("token_type", "\"\"") == -1);
}

static void test_expires_in(void)
{
	static const char *const range[] = { "0",
					     "-1",
					     "-0",
					     "31536001",
					     "99999999999999999999",
					     "-99999999999999999999",
					     "18446744073709551615" };
	static const char *const type[] = { "3600.0", "1e3",	"3600.5", "\"3600\"", "null",
					    "true",   "[3600]", "{}",	  "NaN",      "1E400" };
	size_t i;

	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		CU_ASSERT(parse_with("expires_in", range[i]) == -1);
		expect_err("field 'expires_in' is out of range");
	}
	for (i = 0; i < sizeof(type) / sizeof(type[0]); i++) {
		CU_ASSERT(parse_with("expires_in", type[i]) == -1);
		expect_err("'expires_in'");
	}
}

static void test_token_sizes(void)
{
	char big[OAUTH_TOKEN_MAX + 8];

	CU_ASSERT(parse_with("access_token", "\"\"") == -1);
	expect_err("field 'access_token' is empty");
	CU_ASSERT(parse_with("refresh_token", "\"\"") == -1);
	expect_err("field 'refresh_token' is empty");
	memset(big, 'a', sizeof(big));
	big[0] = '"';
	big[OAUTH_TOKEN_MAX + 1] = '"';
	big[OAUTH_TOKEN_MAX + 2] = '\0';
	CU_ASSERT(parse_with("access_token", big) == 0); /* exactly the limit */
	big[OAUTH_TOKEN_MAX + 1] = 'a';
	big[OAUTH_TOKEN_MAX + 2] = '"';
	big[OAUTH_TOKEN_MAX + 3] = '\0';
	CU_ASSERT(parse_with("access_token", big) == -1);
	expect_err("field 'access_token' is longer than 4096 bytes");
	CU_ASSERT(parse_with("refresh_token", big) == -1);
	expect_err("field 'refresh_token' is longer than 4096 bytes");
}

static void test_token_control_chars(void)
{
	static const char *const bad[] = { "\"a\\u0000b\"", "\"a\\nb\"",     "\"a\\rb\"",
					   "\"a\\u001fb\"", "\"a\\u007fb\"", "\"a\\tb\"" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT(parse_with("access_token", bad[i]) == -1);
		expect_err("control characters");
		CU_ASSERT(parse_with("refresh_token", bad[i]) == -1);
	}
	CU_ASSERT(parse_with("access_token", "\"caf\\u00e9\"") == 0); /* UTF-8 is not a control */
}

static void test_malformed_json(void)
{
	char bomb[4096], body[8192];
	size_t i;

	CU_ASSERT(parse("") == -1);
	expect_err("empty");
	CU_ASSERT(oauth_parse_token(NULL, 0, &(struct oauth_token){ 0 }, err, sizeof(err)) == -1);
	CU_ASSERT(parse("{\"access_token\":\"A\"") == -1);
	expect_err("truncated JSON");
	CU_ASSERT(parse("{\"access_token\" \"A\"}") == -1);
	expect_err("invalid JSON");
	CU_ASSERT(parse(GOOD "x") == -1);
	expect_err("invalid JSON");
	CU_ASSERT(parse(GOOD GOOD) == -1);
	CU_ASSERT(parse("[" GOOD "]") == -1);
	expect_err("not an object");
	CU_ASSERT(parse("\"AT_abc\"") == -1);
	CU_ASSERT(parse("42 ") == -1);
	CU_ASSERT(parse("{\"access_token\":\"\xff\xfe\",\"token_type\":\"Bearer\"}") == -1);
	CU_ASSERT(parse("{\"a\":1,}") == -1);
	/* A NUL inside the length is refused, not silently cut off. */
	memcpy(body, GOOD, sizeof(GOOD));
	CU_ASSERT(oauth_parse_token(body, sizeof(GOOD), &(struct oauth_token){ 0 }, err,
				    sizeof(err)) == -1);
	expect_err("NUL");

	/* Nesting bombs: an unknown field nested 20 deep, and 4000 open brackets. */
	i = (size_t)snprintf(body, sizeof(body), "{\"x\":");
	memset(body + i, '[', 20);
	memset(body + i + 20, ']', 20);
	snprintf(body + i + 40, sizeof(body) - i - 40, ",%s", &GOOD[1]);
	CU_ASSERT(parse(body) == -1);
	expect_err("nesting too deep");
	memset(bomb, '[', sizeof(bomb) - 1);
	bomb[sizeof(bomb) - 1] = '\0';
	CU_ASSERT(parse(bomb) == -1);
	/* 15 levels of an unknown field are still fine. */
	i = (size_t)snprintf(body, sizeof(body), "{\"x\":");
	memset(body + i, '[', 14);
	memset(body + i + 14, ']', 14);
	snprintf(body + i + 28, sizeof(body) - i - 28, ",%s", &GOOD[1]);
	CU_ASSERT(parse(body) == 0);
}

static void test_too_large(void)
{
	size_t n = OAUTH_BODY_MAX + 100;
	char *body = malloc(n + 1);

	CU_ASSERT_FATAL(body != NULL);
	memset(body, ' ', n);
	memcpy(body, GOOD, strlen(GOOD));
	body[n] = '\0';
	CU_ASSERT(parse(body) == -1);
	expect_err("too large");
	body[OAUTH_BODY_MAX] = '\0'; /* padded to exactly the limit */
	CU_ASSERT(parse(body) == 0);
	free(body);
}

static int perr(const char *body, struct oauth_error *e)
{
	return oauth_parse_error(body, strlen(body), e);
}

static void test_error_shapes(void)
{
	struct oauth_error e;
	char out[600];
	const char *cobo = "{\"error_code\":2030,\"error_message\":\"app is not installed\","
			   "\"error_id\":\"6c64bea3f94a3365688d0ffd2da4cb29\"}";
	const char *oauth =
		"{\"error\":\"invalid_grant\",\"error_description\":\"refresh token used\"}";

	CU_ASSERT(oauth_parse_error(cobo, strlen(cobo), &e) == 0);
	CU_ASSERT(e.oauth == 0);
	CU_ASSERT_STRING_EQUAL(e.code, "2030");
	CU_ASSERT_STRING_EQUAL(e.message, "app is not installed");
	CU_ASSERT_STRING_EQUAL(e.id, "6c64bea3f94a3365688d0ffd2da4cb29");
	oauth_error_format(&e, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "error 2030: app is not installed (error id "
				    "6c64bea3f94a3365688d0ffd2da4cb29)");

	CU_ASSERT(oauth_parse_error(oauth, strlen(oauth), &e) == 0);
	CU_ASSERT(e.oauth == 1);
	CU_ASSERT_STRING_EQUAL(e.code, "invalid_grant");
	oauth_error_format(&e, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "invalid_grant: refresh token used");

	/* error_code as a string, no error_id, unknown fields. */
	CU_ASSERT(perr("{\"error_code\":\"2024\",\"error_message\":\"bad sig\",\"z\":[1]}", &e) ==
		  0);
	oauth_error_format(&e, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "error 2024: bad sig");
	CU_ASSERT(perr("{\"error_message\":\"only a message\"}", &e) == 0);
	oauth_error_format(&e, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "error ?: only a message");
}

static void test_error_cleaning(void)
{
	struct oauth_error e;
	char body[2048];
	size_t i, n;

	n = (size_t)snprintf(body, sizeof(body),
			     "{\"error_code\":1,\"error_message\":\"a\\nb\\r\\u0007c\"}");
	CU_ASSERT(oauth_parse_error(body, n, &e) == 0);
	CU_ASSERT_STRING_EQUAL(e.message, "a b  c");
	/* An overlong message is cut, never mid UTF-8 sequence. */
	n = (size_t)snprintf(body, sizeof(body), "{\"error_code\":1,\"error_message\":\"");
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "\xc3\xa9");
	n += (size_t)snprintf(body + n, sizeof(body) - n, "\"}");
	CU_ASSERT(oauth_parse_error(body, n, &e) == 0);
	CU_ASSERT(strlen(e.message) < sizeof(e.message));
	CU_ASSERT(strlen(e.message) % 2 == 0);

	CU_ASSERT(perr("{\"other\":1}", &e) == -1);
	CU_ASSERT(e.code[0] == '\0' && e.message[0] == '\0');
	CU_ASSERT(perr("<html>502</html>", &e) == -1);
	CU_ASSERT(oauth_parse_error("", 0, &e) == -1);
	CU_ASSERT(perr("{\"error\":5}", &e) == 0); /* a number is shown as text */
	CU_ASSERT_STRING_EQUAL(e.code, "5");
}

/* ---- key loading ---- */

/* RFC 8410, section 10.3: an Ed25519 private key and its seed. */
static const char rfc8410_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
	"-----END PRIVATE KEY-----\n";
static const char rfc8410_seed[] =
	"d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842";

/* ---- freshness ---- */

#define TS_MS 1764645950123LL /* 2025-12-02 03:25:50.123 UTC */

static int fresh(const char *ts, int64_t now, long skew)
{
	int r;

	err[0] = '\0';
	r = oauth_timestamp_check(ts, now, skew, err, sizeof(err));
	CU_ASSERT(r == 0 ? err[0] == '\0' : err[0] != '\0' && strchr(err, '\n') == NULL);
	return r;
}

/* -301, -300, +300, +301 s and the milliseconds around them, with the default window. */
static void test_timestamp_window(void)
{
	const char *ts = "1764645950123";

	CU_ASSERT(fresh(ts, TS_MS, 300) == 0);
	CU_ASSERT(fresh(ts, TS_MS + 300000, 300) == 0); /* answer 300 s old */
	CU_ASSERT(fresh(ts, TS_MS - 300000, 300) == 0); /* answer 300 s ahead */
	CU_ASSERT(fresh(ts, TS_MS + 300001, 300) == OAUTH_TS_SKEWED);
	CU_ASSERT(fresh(ts, TS_MS - 300001, 300) == OAUTH_TS_SKEWED);
	CU_ASSERT(fresh(ts, TS_MS + 301000, 300) == OAUTH_TS_SKEWED);
	expect_err("301.000 s in the past");
	CU_ASSERT(fresh(ts, TS_MS - 301000, 300) == OAUTH_TS_SKEWED);
	expect_err("301.000 s in the future");
	CU_ASSERT(fresh(ts, TS_MS + 299999, 300) == 0);
	CU_ASSERT(fresh(ts, TS_MS + 30LL * 86400 * 1000, 300) == OAUTH_TS_SKEWED); /* 30 days */
	expect_err("2592000.000 s in the past");
	CU_ASSERT(fresh("0", TS_MS, 300) == OAUTH_TS_SKEWED);
	expect_err("dated 1970-01-01 00:00:00.000 UTC");
}

static void test_timestamp_message(void)
{
	CU_ASSERT(fresh("1764645950123", TS_MS + 3600456, 300) == OAUTH_TS_SKEWED);
	expect_err("it is dated 2025-12-02 03:25:50.123 UTC (Biz-Timestamp)");
	expect_err("the local clock says 2025-12-02 04:25:50.579 UTC");
	expect_err("3600.456 s in the past, more than the 300 s allowed");
}

/* Another window, as max_clock_skew sets it. */
static void test_timestamp_setting(void)
{
	const char *ts = "1764645950123";

	CU_ASSERT(fresh(ts, TS_MS + 301000, 3600) == 0);
	CU_ASSERT(fresh(ts, TS_MS - 3600000, 3600) == 0);
	CU_ASSERT(fresh(ts, TS_MS - 3600001, 3600) == OAUTH_TS_SKEWED);
	expect_err("more than the 3600 s allowed");
	CU_ASSERT(fresh(ts, TS_MS + 1000, 1) == 0);
	CU_ASSERT(fresh(ts, TS_MS + 1001, 1) == OAUTH_TS_SKEWED);
	CU_ASSERT(fresh(ts, TS_MS + 86400000, 86400) == 0);
	CU_ASSERT(fresh(ts, TS_MS + 86400001, 86400) == OAUTH_TS_SKEWED);
}

/* Only decimal digits, 1..18 of them; anything else is not read loosely. */
static void test_timestamp_garbage(void)
{
	static const char *const bad[] = {
		"",
		"abc",
		"1764645950123.0",
		"+1764645950123",
		"-1764645950123",
		" 1764645950123",
		"1764645950123 ",
		"0x19ADD5B8E2B",
		"1.76e12",
		"1764645950123\r",
		"1764645950\001123",
		"1234567890123456789",
		"99999999999999999999999",
		"1764645950\303\251123",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT(fresh(bad[i], TS_MS, 300) == OAUTH_TS_MALFORMED);
		expect_err("is not unix milliseconds");
		CU_ASSERT(strchr(err, '\r') == NULL && strchr(err, '\x01') == NULL);
	}
	CU_ASSERT(fresh(NULL, TS_MS, 300) == OAUTH_TS_MALFORMED);		/* missing header */
	CU_ASSERT(fresh("123456789012345678", 123456789012345678LL, 300) == 0); /* 18 digits */
}

static int order(const char *ts, int64_t sent, int64_t newest)
{
	int r;

	err[0] = '\0';
	r = oauth_timestamp_order(ts, sent, newest, err, sizeof(err));
	CU_ASSERT(r == 0 ? err[0] == '\0' : err[0] != '\0' && strchr(err, '\n') == NULL);
	return r;
}

/*
 * Signed after the request went out, OAUTH_ORDER_SKEW_MS to the millisecond,
 * and never before the newest accepted answer: generated around both bounds.
 */
static void test_timestamp_order(void)
{
	static const int64_t around[] = { -86400000, -60001, -5001, -1001, -1, 0, 1, 999, 5000 };
	const char *ts = "1764645950123";
	const int64_t skew = OAUTH_ORDER_SKEW_MS;
	char t[32];
	size_t i, j;

	CU_ASSERT(skew > 0 && skew <= 30000); /* small: it is how long a capture stands in */
	CU_ASSERT(order(ts, TS_MS, 0) == 0);
	CU_ASSERT(order(ts, TS_MS + skew, 0) == 0);
	CU_ASSERT(order(ts, TS_MS + skew + 1, 0) == OAUTH_TS_BEFORE_SENT);
	expect_err("before this request was sent at");
	CU_ASSERT(order(ts, TS_MS - 3600000, 0) == 0); /* signed long after it was sent */
	CU_ASSERT(order(ts, TS_MS, TS_MS) == 0);       /* the same millisecond */
	CU_ASSERT(order(ts, TS_MS, TS_MS + 1) == OAUTH_TS_OLDER);
	expect_err("before the newest answer already accepted for this app and org");
	CU_ASSERT(order(ts, TS_MS, TS_MS - 1) == 0);
	CU_ASSERT(order(ts, TS_MS, 1) == 0);
	CU_ASSERT(order(ts, TS_MS + 60000, 0) == OAUTH_TS_BEFORE_SENT);
	expect_err("signed at 2025-12-02 03:25:50.123 UTC (Biz-Timestamp), 60.000 s before");
	expect_err("sent at 2025-12-02 03:26:50.123 UTC (Biz-Api-Nonce)");
	expect_err("more than the 5.000 s allowed");
	for (i = 0; i < sizeof(around) / sizeof(around[0]); i++)
		for (j = 0; j < sizeof(around) / sizeof(around[0]); j++) {
			int64_t ms = TS_MS + around[i], newest = TS_MS + around[j];
			int want = ms < TS_MS - skew ? OAUTH_TS_BEFORE_SENT
				   : ms < newest     ? OAUTH_TS_OLDER
						     : 0;

			snprintf(t, sizeof(t), "%lld", (long long)ms);
			CU_ASSERT(order(t, TS_MS, newest) == want);
			CU_ASSERT(order(t, TS_MS, 0) ==
				  (ms < TS_MS - skew ? OAUTH_TS_BEFORE_SENT : 0));
		}
	CU_ASSERT(order("", TS_MS, 0) == OAUTH_TS_MALFORMED);
	CU_ASSERT(order("+1764645950123", TS_MS, 0) == OAUTH_TS_MALFORMED);
	CU_ASSERT(order(NULL, TS_MS, 0) == OAUTH_TS_MALFORMED);
	CU_ASSERT(oauth_timestamp_ms(ts) == TS_MS && oauth_timestamp_ms("1x") == -1);
}

static void test_token_echoes(void)
{
	struct oauth_token t;

	CU_ASSERT_FATAL(oauth_parse_token(GOOD, strlen(GOOD), &t, err, sizeof(err)) == 0);
	CU_ASSERT(oauth_token_echoes(&t, "RT_def", 6) == 1);
	CU_ASSERT(oauth_token_echoes(&t, "RT_def", 5) == 0);
	CU_ASSERT(oauth_token_echoes(&t, "RT_defg", 7) == 0);
	CU_ASSERT(oauth_token_echoes(&t, "RT_deF", 6) == 0);
	CU_ASSERT(oauth_token_echoes(&t, "AT_abc", 6) == 0);
	CU_ASSERT(oauth_token_echoes(&t, NULL, 0) == 0);
	oauth_token_clear(&t);
	CU_ASSERT(oauth_token_echoes(&t, "RT_def", 6) == 0);
}

static void test_key_parse(void)
{
	unsigned char seed[32];
	char hex[80];

	CU_ASSERT(oauth_key_parse(rfc8410_pem, strlen(rfc8410_pem), seed, err, sizeof(err)) == 0);
	CU_ASSERT_STRING_EQUAL(oauth_test_hex(seed, 32), rfc8410_seed);
	snprintf(hex, sizeof(hex), "  %s\n", rfc8410_seed);
	CU_ASSERT(oauth_key_parse(hex, strlen(hex), seed, err, sizeof(err)) == 0);
	CU_ASSERT_STRING_EQUAL(oauth_test_hex(seed, 32), rfc8410_seed);
	snprintf(hex, sizeof(hex),
		 "D4EE72DBF913584AD5B6D8F1F769F8AD3AFE7C28CBF1D4FBE097A88F44755842");
	CU_ASSERT(oauth_key_parse(hex, strlen(hex), seed, err, sizeof(err)) == 0);
	CU_ASSERT_STRING_EQUAL(oauth_test_hex(seed, 32), rfc8410_seed);

	CU_ASSERT(oauth_key_parse(rfc8410_seed, 63, seed, err, sizeof(err)) == -1);
	expect_err("neither PEM nor 64 hex");
	snprintf(hex, sizeof(hex), "%s0", rfc8410_seed);
	CU_ASSERT(oauth_key_parse(hex, strlen(hex), seed, err, sizeof(err)) == -1);
	snprintf(hex, sizeof(hex), "%.63sg", rfc8410_seed);
	CU_ASSERT(oauth_key_parse(hex, strlen(hex), seed, err, sizeof(err)) == -1);
	expect_err("not all hex digits");
	CU_ASSERT(oauth_key_parse(" \n", 2, seed, err, sizeof(err)) == -1);
	expect_err("empty");
	CU_ASSERT(oauth_key_parse("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
				  58, seed, err, sizeof(err)) == -1);
	expect_err("malformed PEM");
	CU_ASSERT(oauth_key_parse("-----BEGIN PRIVATE KEY-----\n", 28, seed, err, sizeof(err)) ==
		  -1);
}

/* Runs openssl with fixed arguments writing to path (in our temp dir); 0 on success. */
static int genpkey(const char *args, const char *path)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "umask 077 && openssl genpkey %s -out '%s' 2>/dev/null", args,
		 path);
	return system(cmd);
}

static void test_key_file_genpkey(void)
{
	char pem[512], pub[512], line[128] = "", cmd[1200];
	unsigned char seed[32], pk[32];
	FILE *f;

	snprintf(pem, sizeof(pem), "%s/genpkey.pem", cutest_tmpdir());
	snprintf(pub, sizeof(pub), "%s/genpkey.pub", cutest_tmpdir());
	CU_ASSERT_FATAL(genpkey("-algorithm ed25519", pem) == 0);
	snprintf(cmd, sizeof(cmd),
		 "openssl pkey -in '%s' -pubout -outform DER 2>/dev/null | "
		 "tail -c 32 | od -An -tx1 | tr -d ' \\n' > '%s'",
		 pem, pub);
	CU_ASSERT_FATAL(system(cmd) == 0);
	f = fopen(pub, "r");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fgets(line, sizeof(line), f) != NULL);
	fclose(f);
	CU_ASSERT(oauth_key_load_file(pem, seed, err, sizeof(err)) == 0);
	CU_ASSERT(oauth_ed25519_pub(seed, pk) == 0);
	CU_ASSERT_STRING_EQUAL(oauth_test_hex(pk, 32), line);

	/* ssh's rule: group or others may not read it. */
	CU_ASSERT(chmod(pem, 0640) == 0);
	CU_ASSERT(oauth_key_load_file(pem, seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("run: chmod 600 ");
	expect_err(pem);
	CU_ASSERT(chmod(pem, 0604) == 0);
	CU_ASSERT(oauth_key_load_file(pem, seed, err, sizeof(err)) == COBOCRED_ERROR);
	CU_ASSERT(chmod(pem, 0400) == 0);
	CU_ASSERT(oauth_key_load_file(pem, seed, err, sizeof(err)) == COBOCRED_SUCCESS);
}

static void test_key_file_bad(void)
{
	unsigned char seed[32];
	char path[512];
	const char *p;

	p = oauth_test_file(0, "hex.key", rfc8410_seed, 0600);
	CU_ASSERT(oauth_key_load_file(p, seed, err, sizeof(err)) == COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(oauth_test_hex(seed, 32), rfc8410_seed);
	p = oauth_test_file(0, "open.key", rfc8410_seed, 0644);
	CU_ASSERT(oauth_key_load_file(p, seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("run: chmod 600");
	p = oauth_test_file(0, "empty.key", "", 0600);
	CU_ASSERT(oauth_key_load_file(p, seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("empty");
	p = oauth_test_file(0, "garbage.key",
			    "-----BEGIN PRIVATE KEY-----\nnot base64!\n"
			    "-----END PRIVATE KEY-----\n",
			    0600);
	CU_ASSERT(oauth_key_load_file(p, seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("malformed PEM");
	snprintf(path, sizeof(path), "%s/absent.key", cutest_tmpdir());
	CU_ASSERT(oauth_key_load_file(path, seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("cannot open");
	/* No configuration file to resolve a relative path against: refused. */
	CU_ASSERT(oauth_key_load_file("relative.key", seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("no configuration file to resolve it against");

	/* Other key types and encrypted keys are refused, never prompted for. */
	snprintf(path, sizeof(path), "%s/ec.pem", cutest_tmpdir());
	CU_ASSERT_FATAL(genpkey("-algorithm ec -pkeyopt ec_paramgen_curve:P-256", path) == 0);
	CU_ASSERT(oauth_key_load_file(path, seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("not Ed25519");
	snprintf(path, sizeof(path), "%s/x25519.pem", cutest_tmpdir());
	CU_ASSERT_FATAL(genpkey("-algorithm x25519", path) == 0);
	CU_ASSERT(oauth_key_load_file(path, seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("X25519, not Ed25519");
	snprintf(path, sizeof(path), "%s/enc.pem", cutest_tmpdir());
	CU_ASSERT_FATAL(genpkey("-algorithm ed25519 -aes256 -pass pass:x", path) == 0);
	CU_ASSERT(oauth_key_load_file(path, seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("encrypted");
}

static void test_key_env(void)
{
	unsigned char seed[32];

	unsetenv("OAUTH_TEST_KEY");
	CU_ASSERT(oauth_key_load_env("OAUTH_TEST_KEY", seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("$OAUTH_TEST_KEY is not set");
	setenv("OAUTH_TEST_KEY", rfc8410_seed, 1);
	CU_ASSERT(oauth_key_load_env("OAUTH_TEST_KEY", seed, err, sizeof(err)) == COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(oauth_test_hex(seed, 32), rfc8410_seed);
	setenv("OAUTH_TEST_KEY", "zz", 1);
	CU_ASSERT(oauth_key_load_env("OAUTH_TEST_KEY", seed, err, sizeof(err)) == COBOCRED_ERROR);
	expect_err("app secret in $OAUTH_TEST_KEY");
	CU_ASSERT(strstr(err, "zz") == NULL); /* the value itself is never shown */
	unsetenv("OAUTH_TEST_KEY");
	CU_ASSERT(oauth_key_load(NULL, "p", "bogus:x", "c", seed, err, sizeof(err)) ==
		  COBOCRED_ERROR);
	expect_err("not keyring, file:PATH, env:VAR or pkcs11:URI");
	/* The shared parser's answers (secretref.h), as doctor and etcd give them. */
	CU_ASSERT(oauth_key_load(NULL, "p", "FILE:/k", "c", seed, err, sizeof(err)) ==
		  COBOCRED_ERROR);
	expect_err("app_secret of [profile p]: write 'file:' in lower case");
	CU_ASSERT(oauth_key_load(NULL, "p", "pkcs11:token=t", "c", seed, err, sizeof(err)) ==
		  COBOCRED_ERROR);
	/* A token key has no seed to read: appkey.c signs with it inside the token. */
	expect_err("app_secret of [profile p] is in a PKCS#11 token");
	CU_ASSERT(oauth_key_load(NULL, "p", "env:1X", "c", seed, err, sizeof(err)) ==
		  COBOCRED_ERROR);
	expect_err("the name after env: is not a variable name");
	CU_ASSERT(oauth_key_load(NULL, "p", "file:rel.key", "c", seed, err, sizeof(err)) ==
		  COBOCRED_ERROR);
	expect_err("no configuration file to resolve it against");
}

/* offset = Cobo's time - ours, in ms: both signs, the digits rule, no overflow. */
static void test_clock_offset(void)
{
	int64_t off = 1;

	CU_ASSERT(oauth_clock_offset("1764645950123", TS_MS, &off) == 0 && off == 0);
	CU_ASSERT(oauth_clock_offset("1764645950123", TS_MS - 600000, &off) == 0 &&
		  off == 600000); /* this machine 600 s behind */
	CU_ASSERT(oauth_clock_offset("1764645950123", TS_MS + 612001, &off) == 0 &&
		  off == -612001); /* 612.001 s ahead */
	CU_ASSERT(oauth_clock_offset("0", INT64_MAX, &off) == 0 && off == -INT64_MAX);
	CU_ASSERT(oauth_clock_offset("999999999999999999", 0, &off) == 0 &&
		  off == 999999999999999999LL);
	/* A local time so far below zero that the difference overflows: refused. */
	CU_ASSERT(oauth_clock_offset("999999999999999999", INT64_MIN, &off) == -1 && off == 0);
	CU_ASSERT(oauth_clock_offset("1", INT64_MIN + 1, &off) == -1);
	CU_ASSERT(oauth_clock_offset("1", INT64_MIN + 2, &off) == 0 && off == INT64_MAX);
	CU_ASSERT(oauth_clock_offset("", TS_MS, &off) == -1);
	CU_ASSERT(oauth_clock_offset(NULL, TS_MS, &off) == -1);
	CU_ASSERT(oauth_clock_offset("-5", TS_MS, &off) == -1);
	CU_ASSERT(oauth_clock_offset("1234567890123456789", TS_MS, &off) == -1);
}

/* |offset| > window, to the millisecond, both ways; extremes never overflow. */
static void test_clock_window(void)
{
	const int64_t w = (int64_t)OAUTH_REQUEST_WINDOW * 1000;
	static const int64_t around[] = { -1001, -1, 0, 1, 1000 };
	size_t i;

	CU_ASSERT(OAUTH_REQUEST_WINDOW ==
		  300); /* the test server's default, Cobo's own unpublished */
	for (i = 0; i < sizeof(around) / sizeof(around[0]); i++) {
		int64_t d = around[i];

		CU_ASSERT(oauth_clock_beyond(w + d, OAUTH_REQUEST_WINDOW) == (d > 0));
		CU_ASSERT(oauth_clock_beyond(-w - d, OAUTH_REQUEST_WINDOW) == (d > 0));
	}
	CU_ASSERT(oauth_clock_beyond(0, 0) == 0);
	CU_ASSERT(oauth_clock_beyond(1, 0) == 1 && oauth_clock_beyond(-1, 0) == 1);
	CU_ASSERT(oauth_clock_beyond(1, -5) == 1); /* a negative window is no window */
	CU_ASSERT(oauth_clock_beyond(INT64_MIN, OAUTH_REQUEST_WINDOW) == 1);
	CU_ASSERT(oauth_clock_beyond(INT64_MAX, OAUTH_REQUEST_WINDOW) == 1);
	CU_ASSERT(oauth_clock_beyond(INT64_MIN, LONG_MAX) == 0); /* a window too wide to scale */
	CU_ASSERT(oauth_clock_beyond(-120000, 60) == 1 && oauth_clock_beyond(-120000, 120) == 0);
}

/* The one line: direction, seconds to the nearest, both times in UTC. */
static void test_clock_message(void)
{
	/* 2026-12-07T19:40:12Z local, Cobo 612 s behind it. */
	const int64_t local = 1796672412000LL;

	oauth_clock_message(-612000, local, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "this machine's clock is 612 s ahead of Cobo's (local "
				    "2026-12-07T19:40:12Z, Cobo 2026-12-07T19:30:00Z): set the "
				    "time (NTP) and retry");
	oauth_clock_message(599501, local, err, sizeof(err));
	expect_err(
		"is 600 s behind Cobo's (local 2026-12-07T19:40:12Z, Cobo 2026-12-07T19:50:11Z)");
	oauth_clock_message(-499, local, err, sizeof(err));
	expect_err("is 0 s ahead of Cobo's");
	oauth_clock_message(-500, local, err, sizeof(err));
	expect_err(
		"is 1 s ahead of Cobo's (local 2026-12-07T19:40:12Z, Cobo 2026-12-07T19:40:11Z)");
	oauth_clock_message(INT64_MIN, 0, err, sizeof(err));
	expect_err("is 9223372036854776 s ahead of Cobo's");
	CU_ASSERT(strchr(err, '\n') == NULL);
	oauth_clock_message(INT64_MAX, 1, err, sizeof(err));
	expect_err("behind Cobo's (local 1970-01-01T00:00:00Z, Cobo unknown)");
	oauth_clock_message(1000, -1, err, sizeof(err));
	expect_err("(local 1969-12-31T23:59:59Z, Cobo 1970-01-01T00:00:00Z)");
}

/*
 * The order bound with a learned allowance: sent - clamp(ahead, 0, window)
 * - OAUTH_ORDER_SKEW_MS, to the millisecond, both edges, the caps and the
 * saturation at INT64_MIN; generated pairs checked against the rule
 * computed here in another way (whole seconds and a remainder).
 */
static void test_order_floor(void)
{
	static const int64_t aheads[] = { INT64_MIN, -300001, -1,	0,	1,
					  999,	     1000,    54950,	299999, 300000,
					  300001,    600000,  INT64_MAX };
	static const int64_t sents[] = { 0, 1, 5000, 305000, 1764645950123LL, INT64_MAX };
	const int64_t w = (int64_t)OAUTH_REQUEST_WINDOW * 1000;
	char ts[32];
	size_t i, j;

	CU_ASSERT(oauth_order_floor(TS_MS, 0) == TS_MS - OAUTH_ORDER_SKEW_MS);
	CU_ASSERT(oauth_order_floor(TS_MS, -5000) == TS_MS - OAUTH_ORDER_SKEW_MS);
	CU_ASSERT(oauth_order_floor(TS_MS, 60000) == TS_MS - 65000);
	CU_ASSERT(oauth_order_floor(TS_MS, w + 1) == TS_MS - w - OAUTH_ORDER_SKEW_MS);
	CU_ASSERT(oauth_order_floor(INT64_MIN, 0) == INT64_MIN);
	CU_ASSERT(oauth_order_floor(INT64_MIN + 5000, 0) == INT64_MIN);
	CU_ASSERT(oauth_order_floor(INT64_MIN + 5001, 0) == INT64_MIN + 1);
	CU_ASSERT(oauth_order_floor(INT64_MIN + 5000, INT64_MAX) == INT64_MIN);
	for (i = 0; i < sizeof(sents) / sizeof(sents[0]); i++)
		for (j = 0; j < sizeof(aheads) / sizeof(aheads[0]); j++) {
			int64_t a = aheads[j] <= 0 ? 0 : aheads[j] >= w ? w : aheads[j];
			int64_t secs = (a + OAUTH_ORDER_SKEW_MS) / 1000;
			int64_t want = sents[i] - secs * 1000 - (a + OAUTH_ORDER_SKEW_MS) % 1000;
			int64_t f = oauth_order_floor(sents[i], aheads[j]);

			CU_ASSERT(f == want);
			if (f < 0 || sents[i] > 99999999999999999LL)
				continue;
			snprintf(ts, sizeof(ts), "%lld", (long long)f); /* at the edge: in order */
			CU_ASSERT(oauth_timestamp_order_ahead(ts, sents[i], aheads[j], 0, err,
							      sizeof(err)) == 0);
			if (f == 0)
				continue;
			snprintf(ts, sizeof(ts), "%lld", (long long)(f - 1)); /* one ms early */
			CU_ASSERT(oauth_timestamp_order_ahead(ts, sents[i], aheads[j], 0, err,
							      sizeof(err)) == OAUTH_TS_BEFORE_SENT);
			CU_ASSERT(strchr(err, '\n') == NULL);
		}
	/* The message says the allowance used, to the millisecond. */
	CU_ASSERT(oauth_timestamp_order_ahead("1764645950123", TS_MS + 65124, 60123, 0, err,
					      sizeof(err)) == OAUTH_TS_BEFORE_SENT);
	expect_err("65.124 s before this request");
	expect_err("more than the 65.123 s allowed");
	/* The newest bound is untouched by any allowance. */
	CU_ASSERT(oauth_timestamp_order_ahead("1764645950123", TS_MS, w, TS_MS + 1, err,
					      sizeof(err)) == OAUTH_TS_OLDER);
	CU_ASSERT(oauth_timestamp_order_ahead("1764645950123", TS_MS, w, TS_MS, err, sizeof(err)) ==
		  0);
	/* Without an allowance, the plain rule. */
	CU_ASSERT(oauth_timestamp_order("1764645950123", TS_MS + 5001, 0, err, sizeof(err)) ==
		  OAUTH_TS_BEFORE_SENT);
	CU_ASSERT(oauth_timestamp_order_ahead("1764645950123", TS_MS + 5001, 1, 0, err,
					      sizeof(err)) == 0);
}

/* A retry's own sample confirms the first answer's, within 5 s, to the millisecond. */
static void test_timestamp_confirms(void)
{
	static const int64_t firsts[] = { 0, 4999, 5000, 5001, 60000, 300000 };
	size_t i;

	for (i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
		int64_t edge = TS_MS + firsts[i] - OAUTH_ORDER_SKEW_MS; /* now at the edge */

		CU_ASSERT(oauth_timestamp_confirms("1764645950123", edge, firsts[i], err,
						   sizeof(err)) == 0);
		CU_ASSERT(oauth_timestamp_confirms("1764645950123", edge - 1, firsts[i], err,
						   sizeof(err)) == OAUTH_TS_UNCONFIRMED);
		CU_ASSERT(strchr(err, '\n') == NULL && err[0] != '\0');
		CU_ASSERT(oauth_timestamp_confirms("1764645950123", edge + 86400000, firsts[i], err,
						   sizeof(err)) == 0);
	}
	CU_ASSERT(oauth_timestamp_confirms("1764645950123", TS_MS + 1000, 60000, err,
					   sizeof(err)) == OAUTH_TS_UNCONFIRMED);
	expect_err("it arrived 1.000 s after it was signed, the answer before it 60.000 s");
	CU_ASSERT(oauth_timestamp_confirms("x", TS_MS, 1, err, sizeof(err)) == OAUTH_TS_MALFORMED);
	CU_ASSERT(oauth_timestamp_confirms("1764645950123", INT64_MIN, 1, err, sizeof(err)) ==
		  OAUTH_TS_UNCONFIRMED);
	CU_ASSERT(oauth_timestamp_confirms("1764645950123", TS_MS, INT64_MAX, err, sizeof(err)) ==
		  OAUTH_TS_UNCONFIRMED);
}

static const struct cutest_case json_cases[] = {
	{ "well-formed token", test_token_good },
	{ "unknown fields ignored", test_token_unknown_fields },
	{ "missing fields", test_token_missing },
	{ "mistyped fields", test_token_types },
	{ "expires_in range and type", test_expires_in },
	{ "empty and oversized tokens", test_token_sizes },
	{ "control characters in tokens", test_token_control_chars },
	{ "malformed JSON and nesting bombs", test_malformed_json },
	{ "body size cap", test_too_large },
	{ "error shapes", test_error_shapes },
	{ "error text cleaned for display", test_error_cleaning },
	{ NULL, NULL },
};

static const struct cutest_case key_cases[] = {
	{ "PEM and hex", test_key_parse },
	{ "openssl genpkey file and permissions", test_key_file_genpkey },
	{ "bad key files", test_key_file_bad },
	{ "environment variable", test_key_env },
	{ NULL, NULL },
};

static const struct cutest_case fresh_cases[] = {
	{ "Biz-Timestamp window boundaries", test_timestamp_window },
	{ "the message names both times", test_timestamp_message },
	{ "max_clock_skew windows", test_timestamp_setting },
	{ "malformed or missing Biz-Timestamp", test_timestamp_garbage },
	{ "signed after the request, not before the newest", test_timestamp_order },
	{ "the order bound with a learned allowance", test_order_floor },
	{ "a retry confirms the first answer's clock", test_timestamp_confirms },
	{ "refresh token echoed", test_token_echoes },
	{ "clock offset from Biz-Timestamp", test_clock_offset },
	{ "clock offset against the request window", test_clock_window },
	{ "the clock message names both times", test_clock_message },
	{ NULL, NULL },
};

static const struct cutest_suite suites[] = {
	{ "oauth-response", json_cases },
	{ "oauth-fresh", fresh_cases },
	{ "oauth-key", key_cases },
	{ NULL, NULL },
};

int main(void)
{
	return cutest_run(suites);
}
