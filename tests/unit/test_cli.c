/*
 * test_cli.c - cobo-credential's pure functions: the token output formats
 * (env refusal of hostile values, RFC 3339, the ExecCredential JSON), the
 * text helpers, and the Ed25519 key code (RFC 8032 vector, PEM and hex).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "format.h"
#include "keys.h"
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
	struct cli_buf b = { 0 };
	char err[256] = "";
	int r = cli_format_token(f, v, &b, err, sizeof(err));

	snprintf(copy, sizeof(copy), "%s", cli_buf_str(&b));
	cli_buf_free(&b);
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

	CU_ASSERT_STRING_EQUAL(fmt(CLI_FMT_JSON, &v),
		"{\"access_token\":\"" TOK "\",\"token_type\":\"Bearer\","
		"\"expires_at\":\"2023-11-14T22:13:20Z\","
		"\"org_id\":\"e3986401-4aec-480a-973d-e775a4518413\",\"profile\":\"acme-dev\"}\n");
	v.expires_at = 0;
	v.org_id = "q\"b\\s\x01\n\xc3\xa9";
	CU_ASSERT_STRING_EQUAL(fmt(CLI_FMT_JSON, &v),
		"{\"access_token\":\"" TOK "\",\"token_type\":\"Bearer\",\"expires_at\":null,"
		"\"org_id\":\"q\\\"b\\\\s\\u0001\\n\xc3\xa9\",\"profile\":\"acme-dev\"}\n");
	v.org_id = "bad\xff";
	CU_ASSERT_PTR_NULL(fmt(CLI_FMT_JSON, &v));
}

static void test_exec_credential(void)
{
	struct cli_token_view v = view(TOK, "o");

	CU_ASSERT_STRING_EQUAL(fmt(CLI_FMT_EXEC, &v),
		"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
		"\"status\":{\"expirationTimestamp\":\"2023-11-14T22:13:20Z\",\"token\":\"" TOK "\"}}\n");
	v.exec_api = cli_exec_api_version("{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
					  "\"kind\":\"ExecCredential\"}");
	CU_ASSERT_STRING_EQUAL(v.exec_api, CLI_EXEC_API_V1BETA1);
	CU_ASSERT_PTR_NOT_NULL(strstr(fmt(CLI_FMT_EXEC, &v), "\"" CLI_EXEC_API_V1BETA1 "\""));
	CU_ASSERT_STRING_EQUAL(cli_exec_api_version(NULL), CLI_EXEC_API_V1);
	CU_ASSERT_STRING_EQUAL(cli_exec_api_version("{\"apiVersion\":\"client.authentication.k8s.io/v1\"}"),
			       CLI_EXEC_API_V1);
	v.exec_api = NULL;
	v.expires_at = 0; /* never expires: the field is left out */
	CU_ASSERT_STRING_EQUAL(fmt(CLI_FMT_EXEC, &v),
		"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
		"\"status\":{\"token\":\"" TOK "\"}}\n");
}

static void test_env(void)
{
	static const char *const hostile[] = {
		"a b", "$(id)", "`id`", "a'b", "a\"b", "a;b", "~root", "a\\b", "a|b", "a&b",
		"a>b", "a<b", "*", "a?", "{a,b}", "a\tb", "a\nb", "#x", "a!b", "a(b", "\xc3\xa9", "",
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
	struct cli_buf b = { 0 };
	char big[1000];
	int i;

	memset(big, 'x', sizeof(big));
	for (i = 0; i < 50; i++)
		cli_buf_add(&b, big, sizeof(big));
	CU_ASSERT_EQUAL(b.len, 50000);
	CU_ASSERT_FALSE(b.failed);
	CU_ASSERT_EQUAL(strlen(cli_buf_str(&b)), 50000);
	cli_buf_addf(&b, "%d", 7);
	CU_ASSERT_EQUAL(b.len, 50001);
	cli_buf_free(&b);
	CU_ASSERT_STRING_EQUAL(cli_buf_str(&b), "");
	for (i = 0; i < 1100 && !b.failed; i++)
		cli_buf_add(&b, big, sizeof(big));
	CU_ASSERT_TRUE(b.failed); /* bounded at CLI_BUF_MAX */
	cli_buf_free(&b);
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

/* RFC 8032, section 7.1, TEST 1. */
#define SEED1 "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define PUB1 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define PEM1 "-----BEGIN PRIVATE KEY-----\n" \
	     "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n" \
	     "-----END PRIVATE KEY-----\n"
#define PEM_EC "-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGI//73aDqejX3NCn\n" \
	"s6p7FKaezdwKtW+bHY5/TwHWZauhRANCAAS82b1MZakUNtVkycyRYPfxcJeWYiR6\n" \
	"VOlXOo86Mz38ysts0lUVtRwksssgGNEBl9W4oz/raDnBcbKgmZ1w4KMn\n" \
	"-----END PRIVATE KEY-----\n"
#define PEM_ENC "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" \
	"MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgN3VIN+300cAICCAAw\n" \
	"DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEBUgF587ao6lNn2mjIqV9xoEQODt\n" \
	"aQ7A7Y/B4s3STisUZT3TsIy1xSbKHvsv0Jq+BQTA3C6kykkx5VuyDx5/GWajDWYu\n" \
	"VxlZ8fBCF5Oinp9mU0Q=\n" \
	"-----END ENCRYPTED PRIVATE KEY-----\n"

static int parse(const char *text, unsigned char *seed, char *err, size_t errlen)
{
	return cli_key_parse(text, strlen(text), seed, err, errlen);
}

static void pub_hex(const unsigned char *seed, char *hex)
{
	unsigned char pub[CLI_PUB_LEN];
	char err[128];

	CU_ASSERT_EQUAL_FATAL(cli_key_public(seed, pub, err, sizeof(err)), 0);
	cobocred_hex_encode(pub, CLI_PUB_LEN, hex);
}

static void test_rfc8032_vector(void)
{
	unsigned char seed[CLI_SEED_LEN];
	char err[256], hex[65];

	CU_ASSERT_EQUAL_FATAL(parse(SEED1, seed, err, sizeof(err)), 0);
	pub_hex(seed, hex);
	CU_ASSERT_STRING_EQUAL(hex, PUB1);
	CU_ASSERT_EQUAL_FATAL(parse("  \n" PEM1 "\n\n", seed, err, sizeof(err)), 0);
	pub_hex(seed, hex);
	CU_ASSERT_STRING_EQUAL(hex, PUB1);
	CU_ASSERT_EQUAL(parse("9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60\n",
			      seed, err, sizeof(err)), 0);
	pub_hex(seed, hex);
	CU_ASSERT_STRING_EQUAL(hex, PUB1);
}

static void test_bad_keys(void)
{
	unsigned char seed[CLI_SEED_LEN];
	char err[256];

	CU_ASSERT_EQUAL(parse("", seed, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "empty"));
	CU_ASSERT_EQUAL(parse("abcd", seed, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "64 hex"));
	CU_ASSERT_EQUAL(parse(SEED1 "00", seed, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(parse("zz61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
			      seed, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "hex digits"));
	CU_ASSERT_EQUAL(parse(PEM_EC, seed, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not Ed25519"));
	CU_ASSERT_EQUAL(parse(PEM_ENC, seed, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "encrypted"));
	CU_ASSERT_EQUAL(parse("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
			      seed, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "malformed"));
}

static void test_generate(void)
{
	unsigned char a[CLI_SEED_LEN], b[CLI_SEED_LEN], zero[CLI_SEED_LEN] = { 0 };
	char err[128], ha[65], hb[65];

	CU_ASSERT_EQUAL(cli_key_generate(a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cli_key_generate(b, err, sizeof(err)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	pub_hex(a, ha);
	pub_hex(b, hb);
	CU_ASSERT_STRING_NOT_EQUAL(ha, hb);
	cli_key_wipe(a, sizeof(a));
	CU_ASSERT_EQUAL(memcmp(a, zero, sizeof(a)), 0);
}

const struct cutest_case cli_keys_cases[] = {
	{ "RFC 8032 vector, hex and PEM", test_rfc8032_vector },
	{ "bad keys refused with a reason", test_bad_keys },
	{ "generate", test_generate },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "cli format", cli_format_cases },
		{ "cli keys", cli_keys_cases },
		{ "cli config edits", cli_conf_cases },
		{ NULL, NULL },
	};

	return cutest_run(suites);
}
