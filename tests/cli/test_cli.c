/*
 * test_cli.c - cobo-credential's pure functions: the token output formats
 * (env refusal of hostile values, RFC 3339, the ExecCredential JSON), the
 * text helpers.  (App keys are cobo-oauth's: tests/core/test_domain.c.)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sbuf.h"
#include "format.h"
#include "strutil.h"
#include "test_cli.h"

#define TOK "AT_abc-DEF_123.xyz"

static struct cli_token_view view(const char *token, const char *org)
{
	struct cli_token_view v = { token, strlen(token), 1700000000, org, "acme-dev", NULL };

	return v;
}

/* Formats v as f; returns the output (static copy) or NULL when refused. */
static const char *fmt(enum cli_format f, const struct cli_token_view *v)
{
	static char copy[4096];
	struct cobocred_sbuf b = { 0 };
	char err[256] = "";
	int r = cli_format_token(f, v, &b, err, sizeof(err));

	snprintf(copy, sizeof(copy), "%s", cobocred_sbuf_str(&b));
	cobocred_sbuf_free(&b);
	if (r != 0) {
		CU_ASSERT_TRUE(strlen(err) > 10); /* a refusal always says why */
		return NULL;
	}
	return copy;
}

static void test_format_names(void)
{
	enum cli_format f;

	CU_ASSERT_EQUAL(cli_format_parse("raw", &f), 0);
	CU_ASSERT_EQUAL(f, CLI_FMT_RAW);
	CU_ASSERT_EQUAL(cli_format_parse("exec-credential", &f), 0);
	CU_ASSERT_EQUAL(f, CLI_FMT_EXEC);
	CU_ASSERT_EQUAL(cli_format_parse("env", &f), 0);
	CU_ASSERT_EQUAL(f, CLI_FMT_ENV);
	CU_ASSERT_EQUAL(cli_format_parse("JSON", &f), -1);
	CU_ASSERT_EQUAL(cli_format_parse("", &f), -1);
}

static void test_raw_header(void)
{
	struct cli_token_view v = view(TOK, "org-1");

	CU_ASSERT_STRING_EQUAL(fmt(CLI_FMT_RAW, &v), TOK "\n");
	CU_ASSERT_STRING_EQUAL(fmt(CLI_FMT_HEADER, &v), "Authorization: Bearer " TOK "\n");
	v = view("AT_a\r\nX-Evil: 1", "org-1");
	CU_ASSERT_PTR_NULL(fmt(CLI_FMT_HEADER, &v));
	CU_ASSERT_PTR_NULL(fmt(CLI_FMT_RAW, &v));
	v = view("", "org-1");
	CU_ASSERT_PTR_NULL(fmt(CLI_FMT_RAW, &v));
	v.token = "AT\0x";
	v.token_len = 4;
	CU_ASSERT_PTR_NULL(fmt(CLI_FMT_HEADER, &v));
}

static void test_json(void)
{
	struct cli_token_view v = view(TOK, "e3986401-4aec-480a-973d-e775a4518413");

	CU_ASSERT_STRING_EQUAL(
		fmt(CLI_FMT_JSON, &v),
		"{\"access_token\":\"" TOK "\",\"token_type\":\"Bearer\","
		"\"expires_at\":\"2023-11-14T22:13:20Z\","
		"\"org_id\":\"e3986401-4aec-480a-973d-e775a4518413\",\"profile\":\"acme-dev\"}\n");
	v.expires_at = 0;
	v.org_id = "q\"b\\s\x01\n\xc3\xa9";
	CU_ASSERT_STRING_EQUAL(
		fmt(CLI_FMT_JSON, &v),
		"{\"access_token\":\"" TOK "\",\"token_type\":\"Bearer\",\"expires_at\":null,"
		"\"org_id\":\"q\\\"b\\\\s\\u0001\\n\xc3\xa9\",\"profile\":\"acme-dev\"}\n");
	v.org_id = "bad\xff";
	CU_ASSERT_PTR_NULL(fmt(CLI_FMT_JSON, &v));
}

static void test_exec_credential(void)
{
	struct cli_token_view v = view(TOK, "o");

	CU_ASSERT_STRING_EQUAL(
		fmt(CLI_FMT_EXEC, &v),
		"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
		"\"status\":{\"expirationTimestamp\":\"2023-11-14T22:13:20Z\",\"token\":\"" TOK
		"\"}}\n");
	v.exec_api = cli_exec_api_version(
		"{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
		"\"kind\":\"ExecCredential\"}");
	CU_ASSERT_STRING_EQUAL(v.exec_api, CLI_EXEC_API_V1BETA1);
	CU_ASSERT_PTR_NOT_NULL(strstr(fmt(CLI_FMT_EXEC, &v), "\"" CLI_EXEC_API_V1BETA1 "\""));
	CU_ASSERT_STRING_EQUAL(cli_exec_api_version(NULL), CLI_EXEC_API_V1);
	CU_ASSERT_STRING_EQUAL(cli_exec_api_version(
				       "{\"apiVersion\":\"client.authentication.k8s.io/v1\"}"),
			       CLI_EXEC_API_V1);
	v.exec_api = NULL;
	v.expires_at = 0; /* never expires: the field is left out */
	CU_ASSERT_STRING_EQUAL(
		fmt(CLI_FMT_EXEC, &v),
		"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
		"\"status\":{\"token\":\"" TOK "\"}}\n");
}

static void test_env(void)
{
	static const char *const hostile[] = {
		"a b",	"$(id)", "`id`", "a'b", "a\"b",	    "a;b", "~root", "a\\b",
		"a|b",	"a&b",	 "a>b",	 "a<b", "*",	    "a?",  "{a,b}", "a\tb",
		"a\nb", "#x",	 "a!b",	 "a(b", "\xc3\xa9", "",
	};
	struct cli_token_view v = view(TOK, "org-1");
	size_t i;

	CU_ASSERT_STRING_EQUAL(fmt(CLI_FMT_ENV, &v),
			       "COBO_ORG_ACCESS_TOKEN=" TOK "\nCOBO_ORG_ID=org-1\n"
			       "COBO_ORG_ACCESS_TOKEN_EXPIRES_AT=2023-11-14T22:13:20Z\n");
	v = view("AT_a/b+c=d:e@f%g,h", "o");
	CU_ASSERT_PTR_NOT_NULL(fmt(CLI_FMT_ENV, &v));
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		v = view(hostile[i], "org-1");
		CU_ASSERT_PTR_NULL(fmt(CLI_FMT_ENV, &v));
		CU_ASSERT_FALSE(cli_env_safe(hostile[i], strlen(hostile[i])));
		if (hostile[i][0] != '\0') {
			v = view(TOK, hostile[i]);
			CU_ASSERT_PTR_NULL(fmt(CLI_FMT_ENV, &v));
		}
	}
	CU_ASSERT_FALSE(cli_env_safe("ab\0c", 4));
}

static void test_utf8(void)
{
	CU_ASSERT_TRUE(cli_utf8_valid("plain", 5));
	CU_ASSERT_TRUE(cli_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	CU_ASSERT_FALSE(cli_utf8_valid("\xc0\xaf", 2));		/* overlong '/' */
	CU_ASSERT_FALSE(cli_utf8_valid("\xe0\x80\xaf", 3));	/* overlong, 3 bytes */
	CU_ASSERT_FALSE(cli_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	CU_ASSERT_FALSE(cli_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	CU_ASSERT_FALSE(cli_utf8_valid("\xe2\x82", 2));		/* truncated */
	CU_ASSERT_FALSE(cli_utf8_valid("\x80", 1));
}

static void test_duration_and_time(void)
{
	char d[32], t[32];

	cli_duration(42, d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "42s");
	cli_duration(302, d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "5m 2s");
	cli_duration(43140, d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "11h 59m");
	cli_duration(2592000 + 7200, d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "30d 2h");
	cli_duration(0, d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "expired");
	cli_duration(-5, d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "expired");
	cobocred_rfc3339(0, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "1970-01-01T00:00:00Z");
	cobocred_rfc3339(4102444800LL, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "2100-01-01T00:00:00Z");
	cobocred_rfc3339(951782400LL, t, sizeof(t)); /* a leap day */
	CU_ASSERT_STRING_EQUAL(t, "2000-02-29T00:00:00Z");
}

static void test_buf_growth(void)
{
	struct cobocred_sbuf b = { 0 };
	char big[1000];
	int i;

	memset(big, 'x', sizeof(big));
	for (i = 0; i < 50; i++)
		cobocred_sbuf_add(&b, big, sizeof(big));
	CU_ASSERT_EQUAL(b.len, 50000);
	CU_ASSERT_FALSE(b.failed);
	CU_ASSERT_EQUAL(strlen(cobocred_sbuf_str(&b)), 50000);
	cobocred_sbuf_addf(&b, "%d", 7);
	CU_ASSERT_EQUAL(b.len, 50001);
	cobocred_sbuf_free(&b);
	CU_ASSERT_STRING_EQUAL(cobocred_sbuf_str(&b), "");
	for (i = 0; i < 1100 && !b.failed; i++)
		cobocred_sbuf_add(&b, big, sizeof(big));
	CU_ASSERT_TRUE(b.failed); /* bounded at COBOCRED_SBUF_DEFAULT_MAX */
	cobocred_sbuf_free(&b);
}

const struct cutest_case cli_format_cases[] = {
	{ "format names", test_format_names },
	{ "raw and header", test_raw_header },
	{ "json", test_json },
	{ "exec-credential", test_exec_credential },
	{ "env refuses hostile values", test_env },
	{ "utf-8 validation", test_utf8 },
	{ "durations and RFC 3339", test_duration_and_time },
	{ "buffer growth and bound", test_buf_growth },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "cli format", cli_format_cases },
		{ "cli config edits", cli_conf_cases },
		{ NULL, NULL },
	};

	return cutest_run(suites);
}
