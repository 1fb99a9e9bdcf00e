/*
 * test_docker_codec.c - the Docker credential-helper wire format, rule by
 * rule (issue 6): Go encoding/json semantics for the store request, the
 * reference helper's URL reading, the get and list answers, and hostile
 * input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "cutest.h"
#include "secret.h"

static struct docker_creds c;
static struct docker_error e;

static int parse_n(const char *s, size_t n)
{
	docker_creds_clear(&c);
	return docker_parse_store(s, n, &c, &e);
}

static int parse(const char *s)
{
	return parse_n(s, strlen(s));
}

#define STR_EQ(a, b) CU_ASSERT((a) != NULL && strcmp((a), (b)) == 0)

/* A store that must succeed with these three values. */
static void expect_creds(const char *json, const char *url, const char *user, const char *secret)
{
	int r = parse(json);

	CU_ASSERT_EQUAL(r, 0);
	if (r != 0) {
		fprintf(stderr, "\n    parse(%s) = %d\n", json, r);
		return;
	}
	STR_EQ(c.server_url, url);
	STR_EQ(c.username, user);
	STR_EQ(c.secret, secret);
	CU_ASSERT_EQUAL(c.secret_len, strlen(secret));
}

static void test_basic(void)
{
	expect_creds("{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"bob\",\"Secret\":\"pw\"}",
		     "127.0.0.1:5000", "bob", "pw");
	expect_creds(" \t\r\n{ \"Username\" : \"u\" ,\n\"Secret\":\"\", \"ServerURL\":"
		     "\"https://index.docker.io/v1/\" }\n",
		     "https://index.docker.io/v1/", "u", "");
	/* identity tokens travel as Username "<token>" */
	expect_creds("{\"ServerURL\":\"r\",\"Username\":\"<token>\",\"Secret\":\"eyJh.b.c\"}", "r",
		     "<token>", "eyJh.b.c");
	/* the URL is stored as sent, not trimmed (the reference does not trim it) */
	expect_creds("{\"ServerURL\":\" r \",\"Username\":\"u\"}", " r ", "u", "");
}

static void test_field_case(void)
{
	expect_creds("{\"serverurl\":\"a\",\"USERNAME\":\"b\",\"sEcReT\":\"c\"}", "a", "b", "c");
	expect_creds("{\"ServerUrl\":\"a\",\"userName\":\"b\",\"SECRET\":\"c\"}", "a", "b", "c");
	/* escaped keys are unquoted before matching */
	expect_creds("{\"\\u0053erverURL\":\"a\",\"User\\u006eame\":\"b\",\"Secre\\u0074\":\"c\"}",
		     "a", "b", "c");
	/* Unicode folds U+017F LONG S onto 's', as Go's match does */
	expect_creds("{\"\xc5\xbf"
		     "erverURL\":\"a\",\"U\xc5\xbf"
		     "ername\":\"b\",\"\\u017fecret\":\"c\"}",
		     "a", "b", "c");
	/* near misses are unknown fields */
	CU_ASSERT_EQUAL(parse("{\"Server_URL\":\"a\",\"ServerURLs\":\"a\",\"ServerUR\":\"a\","
			      "\"Username\":\"u\"}"),
			DOCKER_E_NO_URL);
	CU_ASSERT_EQUAL(parse("{\"\xc4\xb0"
			      "ServerURL\":\"a\"}"),
			DOCKER_E_NO_URL);
	/* KELVIN SIGN folds onto 'k', which no field has */
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Username\\u212a\":\"u\"}"), DOCKER_E_NO_USER);
	/* a key with NUL or with trailing bytes does not match */
	CU_ASSERT_EQUAL(parse("{\"ServerURL\\u0000\":\"a\"}"), DOCKER_E_NO_URL);
}

static void test_duplicates(void)
{
	/* Go assigns every occurrence: the last one wins, whatever its case */
	expect_creds("{\"ServerURL\":\"a\",\"serverurl\":\"b\",\"Username\":\"u\"}", "b", "u", "");
	expect_creds("{\"serverurl\":\"b\",\"ServerURL\":\"a\",\"Username\":\"u\"}", "a", "u", "");
	expect_creds("{\"Secret\":\"1\",\"Secret\":\"22\",\"SECRET\":\"333\",\"ServerURL\":\"a\","
		     "\"Username\":\"u\"}",
		     "a", "u", "333");
	/* null leaves a string field as it was */
	expect_creds("{\"ServerURL\":\"a\",\"ServerURL\":null,\"Username\":\"u\",\"Secret\":null}",
		     "a", "u", "");
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"serverURL\":\"\",\"Username\":\"u\"}"),
			DOCKER_E_NO_URL);
}

static void test_unknown_fields(void)
{
	expect_creds("{\"Email\":\"x@y\",\"ServerURL\":\"a\",\"Extra\":{\"k\":[1,2.5e-3,true,false,"
		     "null,{},[],\"s\\n\"]},\"Username\":\"u\",\"n\":-0.0E+1,\"Secret\":\"s\"}",
		     "a", "u", "s");
	expect_creds("{\"a\":[],\"b\":{},\"ServerURL\":\"a\",\"Username\":\"u\"}", "a", "u", "");
}

static void test_trailing_data(void)
{
	static const char json[] = "{\"ServerURL\":\"a\",\"Username\":\"u\"}";
	static const char *const tails[] = { "",    " garbage", "}",  "{\"ServerURL\":\"b\"}",
					     ",,,", "\n\n\n",	"\"", "[" };
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", json, tails[i]);
		expect_creds(buf, "a", "u", "");
	}
	/* binary junk, NUL included, after the value */
	memcpy(buf, json, sizeof(json) - 1);
	memcpy(buf + sizeof(json) - 1, "\0\xff\xfe\x01", 4);
	CU_ASSERT_EQUAL(parse_n(buf, sizeof(json) + 3), 0);
	/* a top-level null followed by anything is still null */
	CU_ASSERT_EQUAL(parse("null{\"ServerURL\":\"a\"}"), DOCKER_E_NO_URL);
}

static void test_not_object(void)
{
	static const struct {
		const char *json, *got;
	} cases[] = {
		{ "[]", "an array" },	   { "[{\"ServerURL\":\"a\"}]", "an array" },
		{ "\"str\"", "a string" }, { "5", "a number" },
		{ "-1.5e3", "a number" },  { "true", "a boolean" },
		{ "false", "a boolean" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(parse(cases[i].json), DOCKER_E_NOT_OBJECT);
		STR_EQ(e.got, cases[i].got);
		CU_ASSERT_PTR_NULL(c.server_url);
	}
	/* null decodes into an empty struct: the reference then wants a URL */
	CU_ASSERT_EQUAL(parse("null"), DOCKER_E_NO_URL);
	CU_ASSERT_EQUAL(parse("  null  "), DOCKER_E_NO_URL);
	CU_ASSERT_EQUAL(parse(""), DOCKER_E_EMPTY);
	CU_ASSERT_EQUAL(parse(" \n\t\r "), DOCKER_E_EMPTY);
}

static void test_wrong_types(void)
{
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":5,\"Username\":\"u\"}"), DOCKER_E_TYPE);
	STR_EQ(e.field, "ServerURL");
	STR_EQ(e.got, "a number");
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Username\":true}"), DOCKER_E_TYPE);
	STR_EQ(e.field, "Username");
	STR_EQ(e.got, "a boolean");
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Username\":\"u\",\"secret\":{\"a\":1}}"),
			DOCKER_E_TYPE);
	STR_EQ(e.field, "Secret");
	STR_EQ(e.got, "an object");
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":[\"a\"]}"), DOCKER_E_TYPE);
	STR_EQ(e.got, "an array");
	/* the first wrong type sticks, even if a later value is right (Go does so) */
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":1,\"ServerURL\":\"a\",\"Username\":\"u\"}"),
			DOCKER_E_TYPE);
	CU_ASSERT_PTR_NULL(c.server_url);
	/* a syntax error later in the value takes precedence */
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":1,\"Username\":\"u\",}"), DOCKER_E_SYNTAX);
	CU_ASSERT_PTR_NULL(e.field);
	/* a type error comes before the reference's empty-field checks */
	CU_ASSERT_EQUAL(parse("{\"Secret\":1}"), DOCKER_E_TYPE);
}

static void test_syntax_errors(void)
{
	static const char *const bad[] = {
		"{",
		"{\"ServerURL\"",
		"{\"ServerURL\":",
		"{\"ServerURL\":\"a\"",
		"{\"ServerURL\":\"a\",}",
		"{\"ServerURL\" \"a\"}",
		"{ServerURL:\"a\"}",
		"{'ServerURL':'a'}",
		"{\"ServerURL\":\"a\" \"Username\":\"u\"}",
		"{\"ServerURL\":\"a\\x\"}",
		"{\"ServerURL\":\"\\u12\"}",
		"{\"ServerURL\":\"\\u12g4\"}",
		"{\"ServerURL\":\"a\tb\"}",
		"{\"ServerURL\":\"a\nb\"}",
		"{\"ServerURL\":\"a",
		"{\"x\":01}",
		"{\"x\":1.}",
		"{\"x\":-}",
		"{\"x\":+1}",
		"{\"x\":.5}",
		"{\"x\":1e}",
		"{\"x\":tru}",
		"{\"x\":nulls}",
		"{\"x\":NaN}",
		"{\"x\":[1,]}",
		"{\"x\":[1 2]}",
		"{\"x\":{\"a\"}}",
		"{\"x\":{\"a\":1,}}",
		"{\"x\":[}",
		"{\"x\":{]}",
		"{,}",
		"\xef\xbb\xbf{\"ServerURL\":\"a\"}",
		"}",
		"]",
		",",
		"nul",
		"x",
		"\"abc",
		"{\"x\":\"\\",
		"{\"x\":\"\\u",
		"[1,2",
		"{\"x\":[[[[",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i]);

		CU_ASSERT_EQUAL(r, DOCKER_E_SYNTAX);
		if (r != DOCKER_E_SYNTAX)
			fprintf(stderr, "\n    parse(%s) = %d, wanted a syntax error\n", bad[i], r);
		CU_ASSERT(e.offset <= strlen(bad[i]));
		CU_ASSERT_PTR_NULL(c.server_url);
		CU_ASSERT_PTR_NULL(c.secret);
	}
	/* a raw NUL inside a string is a control character */
	CU_ASSERT_EQUAL(parse_n("{\"ServerURL\":\"a\0b\"}", 18), DOCKER_E_SYNTAX);
	CU_ASSERT_EQUAL(e.offset, 15);
}

/* "[" x n + "]" x n, as the value of an unknown field or at the top. */
static char *nested(size_t n, int in_object)
{
	static const char head[] = "{\"ServerURL\":\"a\",\"Username\":\"u\",\"x\":";
	char *s = malloc(2 * n + sizeof(head) + 2), *p = s;

	if (in_object) {
		memcpy(p, head, sizeof(head) - 1);
		p += sizeof(head) - 1;
	}
	memset(p, '[', n);
	memset(p + n, ']', n);
	p += 2 * n;
	if (in_object)
		*p++ = '}';
	*p = '\0';
	return s;
}

static void test_depth(void)
{
	char *s;

	/* Go allows 10000 open containers, the outer object included */
	s = nested(9999, 1);
	CU_ASSERT_EQUAL(parse(s), 0);
	free(s);
	s = nested(10000, 1);
	CU_ASSERT_EQUAL(parse(s), DOCKER_E_DEPTH);
	CU_ASSERT(e.offset > 10000);
	free(s);
	s = nested(10000, 0);
	CU_ASSERT_EQUAL(parse(s), DOCKER_E_NOT_OBJECT);
	free(s);
	s = nested(10001, 0);
	CU_ASSERT_EQUAL(parse(s), DOCKER_E_DEPTH);
	free(s);
	/* a million open brackets: refused at the limit, not after */
	s = nested(1000000, 1);
	s[strlen(s) / 2] = '\0';
	CU_ASSERT_EQUAL(parse(s), DOCKER_E_DEPTH);
	free(s);
	/* depth mixes objects and arrays */
	CU_ASSERT_EQUAL(
		parse("{\"a\":{\"b\":[{\"c\":[[{}]]}]},\"ServerURL\":\"a\",\"Username\":\"u\"}"),
		0);
}

/* {"ServerURL":"r","Username":"u","Secret":"<n x ch>"} */
static char *big_request(size_t n, char ch, size_t *len)
{
	static const char head[] = "{\"ServerURL\":\"r\",\"Username\":\"u\",\"Secret\":\"";
	char *s = malloc(sizeof(head) + n + 3);

	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, ch, n);
	memcpy(s + sizeof(head) - 1 + n, "\"}", 3);
	*len = sizeof(head) - 1 + n + 2;
	return s;
}

static void test_sizes(void)
{
	size_t len, i;
	char *s;

	/* a 1 MiB secret round-trips exactly */
	s = big_request(1024 * 1024, 'x', &len);
	CU_ASSERT_EQUAL(parse_n(s, len), 0);
	CU_ASSERT_EQUAL(c.secret_len, 1024 * 1024);
	for (i = 0; c.secret != NULL && i < c.secret_len && c.secret[i] == 'x'; i++)
		;
	CU_ASSERT_EQUAL(i, 1024 * 1024);
	free(s);
	/* exactly at the input limit: accepted; one byte more: refused whole */
	s = big_request(DOCKER_INPUT_MAX - 44, 'y', &len);
	CU_ASSERT_EQUAL(len, DOCKER_INPUT_MAX);
	CU_ASSERT_EQUAL(parse_n(s, len), 0);
	CU_ASSERT_EQUAL(c.secret_len, DOCKER_INPUT_MAX - 44);
	free(s);
	s = big_request(DOCKER_INPUT_MAX - 43, 'y', &len);
	CU_ASSERT_EQUAL(parse_n(s, len), DOCKER_E_TOOBIG);
	CU_ASSERT_PTR_NULL(c.secret);
	free(s);
	/* the URL limit applies to what is stored, as to what is asked */
	s = malloc(DOCKER_URL_MAX + 64);
	len = (size_t)snprintf(s, 64, "{\"Username\":\"u\",\"ServerURL\":\"");
	memset(s + len, 'h', DOCKER_URL_MAX + 1);
	memcpy(s + len + DOCKER_URL_MAX + 1, "\"}", 3);
	CU_ASSERT_EQUAL(parse(s), DOCKER_E_URL_LONG);
	memcpy(s + len + DOCKER_URL_MAX, "\"}", 3);
	CU_ASSERT_EQUAL(parse(s), 0);
	free(s);
}

static void test_required_and_nul(void)
{
	CU_ASSERT_EQUAL(parse("{}"), DOCKER_E_NO_URL);
	CU_ASSERT_EQUAL(parse("{\"Username\":\"u\",\"Secret\":\"s\"}"), DOCKER_E_NO_URL);
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"\",\"Username\":\"u\"}"), DOCKER_E_NO_URL);
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Secret\":\"s\"}"), DOCKER_E_NO_USER);
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Username\":\"\"}"), DOCKER_E_NO_USER);
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":\"a\\u0000b\"}"),
			DOCKER_E_NUL);
	STR_EQ(e.field, "Secret");
	CU_ASSERT_PTR_NULL(c.secret);
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\\u0000\",\"Username\":\"u\"}"), DOCKER_E_NUL);
	STR_EQ(e.field, "ServerURL");
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Username\":\"\\u0000\"}"), DOCKER_E_NUL);
	STR_EQ(e.field, "Username");
	/* the reference's checks come first */
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Secret\":\"\\u0000\"}"), DOCKER_E_NO_USER);
	/* a NUL overwritten by a later value is gone */
	expect_creds(
		"{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":\"\\u0000\",\"Secret\":\"ok\"}",
		"a", "u", "ok");
}

static void test_string_decoding(void)
{
	expect_creds("{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":"
		     "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
		     "a", "u", "\"\\/\b\f\n\r\t");
	/* raw UTF-8 is copied, escapes decoded */
	expect_creds("{\"ServerURL\":\"r\xc3\xa9g\",\"Username\":\"\\u00e9\\u4E2D\","
		     "\"Secret\":\"\xf0\x9f\x98\x80|\\ud83d\\ude00\"}",
		     "r\xc3\xa9g", "\xc3\xa9\xe4\xb8\xad", "\xf0\x9f\x98\x80|\xf0\x9f\x98\x80");
	/* Go turns what is not valid UTF-16 or UTF-8 into U+FFFD */
	expect_creds("{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":\"\\ud800|\\udc00|"
		     "\\ud800\\u0041|\\ud800\\ud800\\udc00|\\udbff\\udfff\"}",
		     "a", "u",
		     "\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd"
		     "A|\xef\xbf\xbd\xf0\x90\x80\x80|"
		     "\xf4\x8f\xbf\xbf");
	expect_creds("{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":\"\xff|\xc0\x80|"
		     "\xed\xa0\x80|\xe2\x82|\xf4\x90\x80\x80|\xef\xbf\xbd\"}",
		     "a", "u",
		     "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
		     "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
		     "\xef\xbf\xbd");
	/* a truncated sequence at the very end of the string */
	expect_creds("{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":\"x\xe2\"}", "a", "u",
		     "x\xef\xbf\xbd");
}

static int url_is(const char *in, size_t n, const char *want)
{
	char *url = NULL;
	int r = docker_parse_url(in, n, &url), ok;

	ok = r == 0 && url != NULL && strcmp(url, want) == 0;
	if (!ok)
		fprintf(stderr, "\n    url(%.*s) = %d '%s', wanted '%s'\n", (int)n, in, r,
			url ? url : "(null)", want);
	free(url);
	return ok;
}

#define URL_IS(in, want) CU_ASSERT(url_is((in), strlen(in), (want)))

static void test_url(void)
{
	char *url = (char *)"x", *s;

	URL_IS("127.0.0.1:5000", "127.0.0.1:5000");
	URL_IS("https://index.docker.io/v1/\n", "https://index.docker.io/v1/");
	URL_IS("  \t host:1 \r\n", "host:1");
	/* lines are joined without their ends, as the reference's scanner does */
	URL_IS("exa\nmple.com\r\n", "example.com");
	URL_IS("a\r\r\nb", "a\rb");
	URL_IS("a b", "a b");
	/* Unicode white space: NBSP, NEL, U+3000, U+2028 */
	URL_IS("\xc2\xa0\xc2\x85host\xe3\x80\x80\xe2\x80\xa8", "host");
	URL_IS("\xe2\x80\x8ahost\xe2\x80\x8b", "host\xe2\x80\x8b"); /* ZWSP is not space */
	/* invalid bytes are not space */
	URL_IS("\xff host \xff", "\xff host \xff");
	CU_ASSERT_EQUAL(docker_parse_url("", 0, &url), DOCKER_E_NO_URL);
	CU_ASSERT_PTR_NULL(url);
	CU_ASSERT_EQUAL(docker_parse_url(" \r\n\t\n", 5, &url), DOCKER_E_NO_URL);
	CU_ASSERT_EQUAL(docker_parse_url("\xc2\xa0", 2, &url), DOCKER_E_NO_URL);
	CU_ASSERT_EQUAL(docker_parse_url("a\0b", 3, &url), DOCKER_E_NUL);
	CU_ASSERT_PTR_NULL(url);
	s = malloc(DOCKER_INPUT_MAX + 2);
	memset(s, 'h', DOCKER_INPUT_MAX + 1);
	CU_ASSERT_EQUAL(docker_parse_url(s, DOCKER_URL_MAX + 1, &url), DOCKER_E_URL_LONG);
	CU_ASSERT_EQUAL(docker_parse_url(s, DOCKER_INPUT_MAX + 1, &url), DOCKER_E_TOOBIG);
	CU_ASSERT_EQUAL(docker_parse_url(s, DOCKER_URL_MAX, &url), 0);
	CU_ASSERT(url != NULL && strlen(url) == DOCKER_URL_MAX);
	free(url);
	free(s);
}

/* docker_write_creds as a C string (for comparisons), freed by the caller. */
static char *creds_json(const char *url, const char *user, const char *secret, size_t n)
{
	char *out = NULL, *copy;
	size_t len = 0;

	if (docker_write_creds(url, user, (const unsigned char *)secret, n, &out, &len) != 0)
		return NULL;
	copy = strndup(out, len);
	cobocred_secret_free(out);
	return copy;
}

#define CREDS_IS(url, user, secret, want)                                           \
	do {                                                                        \
		char *j_ = creds_json((url), (user), (secret), sizeof(secret) - 1); \
		CU_ASSERT(j_ != NULL && strcmp(j_, (want)) == 0);                   \
		if (j_ != NULL && strcmp(j_, (want)) != 0)                          \
			fprintf(stderr, "\n    got  %s    want %s", j_, (want));    \
		free(j_);                                                           \
	} while (0)

static void test_write_creds(void)
{
	CREDS_IS("127.0.0.1:5000", "bob", "pw",
		 "{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"bob\",\"Secret\":\"pw\"}\n");
	/* Go's HTML-safe escaping of <, >, & */
	CREDS_IS("https://r/v1/", "<token>", "a&b",
		 "{\"ServerURL\":\"https://r/v1/\",\"Username\":\"\\u003ctoken\\u003e\","
		 "\"Secret\":\"a\\u0026b\"}\n");
	CREDS_IS("r", "u", "\"\\/\b\f\n\r\t\x01\x1f\x7f",
		 "{\"ServerURL\":\"r\",\"Username\":\"u\",\"Secret\":"
		 "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"}\n");
	CREDS_IS("r", "u", "\xc3\xa9\xe2\x80\xa8\xe2\x80\xa9\xf0\x9f\x98\x80",
		 "{\"ServerURL\":\"r\",\"Username\":\"u\",\"Secret\":"
		 "\"\xc3\xa9\\u2028\\u2029\xf0\x9f\x98\x80\"}\n");
	CREDS_IS("r", "u", "\xff\xed\xa0\x80|\xef\xbf\xbd",
		 "{\"ServerURL\":\"r\",\"Username\":\"u\",\"Secret\":"
		 "\"\\ufffd\\ufffd\\ufffd\\ufffd|\xef\xbf\xbd\"}\n");
	/* a secret stored by another tool with a NUL in it is still valid JSON */
	CREDS_IS("r", "u", "a\0b",
		 "{\"ServerURL\":\"r\",\"Username\":\"u\",\"Secret\":\"a\\u0000b\"}\n");
	CREDS_IS("r", "", "", "{\"ServerURL\":\"r\",\"Username\":\"\",\"Secret\":\"\"}\n");
}

/* What we write, we read back identically: every byte value that is valid UTF-8. */
static void test_round_trip(void)
{
	static const char *const pieces[] = { "a",
					      "\"",
					      "\\",
					      "/",
					      "<",
					      ">",
					      "&",
					      "\n",
					      "\x01",
					      "\x7f",
					      "\xc3\xa9",
					      "\xe2\x80\xa8",
					      "\xf0\x9f\x98\x80",
					      "\xef\xbf\xbd",
					      " ",
					      "\t",
					      "0123456789abcdefghijklmnopqrstuvwxyz" };
	size_t n = 1024 * 1024, i, k = 0, len;
	char *secret = malloc(n + 8), *out = NULL;

	for (i = 0; i < n;) {
		const char *p = pieces[k++ % (sizeof(pieces) / sizeof(pieces[0]))];

		memcpy(secret + i, p, strlen(p));
		i += strlen(p);
	}
	n = i;
	CU_ASSERT_EQUAL(docker_write_creds("r\xc3\xa9g:1", "<token>", (unsigned char *)secret, n,
					   &out, &len),
			0);
	CU_ASSERT(len < DOCKER_INPUT_MAX);
	CU_ASSERT_EQUAL(out[len - 1], '\n');
	CU_ASSERT(memchr(out, '\n', len - 1) == NULL); /* one line */
	CU_ASSERT_EQUAL(parse_n(out, len), 0);
	STR_EQ(c.server_url, "r\xc3\xa9g:1");
	STR_EQ(c.username, "<token>");
	CU_ASSERT_EQUAL(c.secret_len, n);
	CU_ASSERT(c.secret != NULL && memcmp(c.secret, secret, n) == 0);
	cobocred_secret_free(out);
	free(secret);
}

static char *list_json(struct docker_list_entry *v, size_t n)
{
	char *out = NULL;
	size_t len = 0;

	if (docker_write_list(v, n, &out, &len) != 0)
		return NULL;
	CU_ASSERT_EQUAL(strlen(out), len);
	return out;
}

static void test_write_list(void)
{
	struct docker_list_entry v[] = {
		{ "https://index.docker.io/v1/", "hub" },
		{ "127.0.0.1:5000", "a" },
		{ "b<&>", "<token>" },
		{ "127.0.0.1:5000", "b" },
		{ "\xc3\xa9", "\n" },
		{ "127.0.0.1:4000", "c" },
	};
	char *s;

	s = list_json(NULL, 0);
	STR_EQ(s, "{}\n");
	cobocred_secret_free(s);
	s = list_json(v, 1);
	STR_EQ(s, "{\"https://index.docker.io/v1/\":\"hub\"}\n");
	cobocred_secret_free(s);
	/* sorted byte-wise like Go's map keys; the later of two equal servers wins */
	s = list_json(v, sizeof(v) / sizeof(v[0]));
	STR_EQ(s, "{\"127.0.0.1:4000\":\"c\",\"127.0.0.1:5000\":\"b\",\"b\\u003c\\u0026\\u003e\":"
		  "\"\\u003ctoken\\u003e\",\"https://index.docker.io/v1/\":\"hub\","
		  "\"\xc3\xa9\":\"\\n\"}\n");
	cobocred_secret_free(s);
}

static void test_messages(void)
{
	struct docker_error x = { .code = DOCKER_E_NO_URL };
	char buf[256];

	STR_EQ(docker_format_error(&x, buf, sizeof(buf)), "no credentials server URL");
	x.code = DOCKER_E_NO_USER;
	STR_EQ(docker_format_error(&x, buf, sizeof(buf)), "no credentials username");
	STR_EQ(docker_strerror(DOCKER_E_NO_URL), "no credentials server URL");
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":1}"), DOCKER_E_TYPE);
	STR_EQ(docker_format_error(&e, buf, sizeof(buf)),
	       "ServerURL must be a JSON string, not a number; "
	       "send {\"ServerURL\":...,\"Username\":...,\"Secret\":...}");
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",}"), DOCKER_E_SYNTAX);
	CU_ASSERT(strncmp(docker_format_error(&e, buf, sizeof(buf)), "invalid JSON at byte 17;",
			  24) == 0);
	CU_ASSERT_EQUAL(parse("{\"ServerURL\":\"a\",\"Username\":\"u\",\"Secret\":\"\\u0000\"}"),
			DOCKER_E_NUL);
	CU_ASSERT(strstr(docker_format_error(&e, buf, sizeof(buf)), "Secret contains a NUL") ==
		  buf);
	/* every code has text, and no message carries a value */
	for (x.code = 0; x.code >= -11; x.code--)
		CU_ASSERT(strcmp(docker_strerror(x.code), "unknown error") != 0);
}

/* Nothing leaks: every secret buffer the codec allocated is freed. */
static void test_no_secret_leak(void)
{
	docker_creds_clear(&c);
	CU_ASSERT_EQUAL(cobocred_secret_live(), 0);
}

static const struct cutest_case cases[] = {
	{ "basic store requests", test_basic },
	{ "field names: case and folding", test_field_case },
	{ "duplicate fields: last wins, null keeps", test_duplicates },
	{ "unknown fields skipped", test_unknown_fields },
	{ "data after the first value ignored", test_trailing_data },
	{ "not an object", test_not_object },
	{ "wrong field types", test_wrong_types },
	{ "syntax errors", test_syntax_errors },
	{ "nesting depth bounded at 10000", test_depth },
	{ "sizes: 1 MiB secret, 2 MiB input, URL limit", test_sizes },
	{ "required fields and NUL", test_required_and_nul },
	{ "string decoding: escapes, UTF-16, bad UTF-8", test_string_decoding },
	{ "get/erase URL reading", test_url },
	{ "get answer escaping", test_write_creds },
	{ "write then read: 1 MiB round trip", test_round_trip },
	{ "list answer", test_write_list },
	{ "error messages", test_messages },
	{ "no secret buffer leaks", test_no_secret_leak },
	{ NULL, NULL },
};

static const struct cutest_suite suites[] = {
	{ "docker codec", cases },
	{ NULL, NULL },
};

int main(void)
{
	return cutest_run(suites);
}
