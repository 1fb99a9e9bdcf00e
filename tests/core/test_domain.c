/*
 * test_domain.c - the Cobo domain has one owner.  The core builds the one
 * token identity query; the module that owns the schema declares the
 * profile settings (the core judges profiles by its table as it loads it)
 * and does the key operations the CLI reaches through the core; an ABI
 * 1.0 module still loads in this ABI 1.2 host and its 1.2 fields read as
 * NULL; and cobo-oauth's own key operations, through the core, on the
 * RFC 8032 vector (they moved here from the CLI's test when the CLI
 * stopped parsing keys).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cobo_config.h" /* cobocred_config_profile_lookups (cfg.h) */
#include "cobocred.h"
#include "cutest.h"
#include "secret.h"
#include "test_core_fixture.h"

static void expect_error(struct cobocred_ctx *ctx, const char *want)
{
	if (strstr(cobocred_error(ctx), want) == NULL) {
		fprintf(stderr, "wanted \"%s\" in \"%s\"\n", want, cobocred_error(ctx));
		CU_FAIL("message");
	}
}

#define MOD(name, so, opts) \
	"[module " name "]\nmodule = " so "\nname = " name "\nlog = %s\n" opts "\n"
#define PROFILE(extra) \
	"[profile p]\nbase_url = https://api.example/v2\nclient_id = c1\norg_id = o1\n" extra

/* ---- the resolved target: a routed call finds its profile once ---- */

/* A git get for host (protocol proto) answered from the cache; how many profile lookups it made. */
static unsigned long routed_lookups(struct cobocred_ctx *ctx, const char *proto, const char *host)
{
	struct cobocred_request r = { .client = COBOCRED_CLIENT_GIT,
				      .protocol = proto,
				      .host = host };
	struct cobocred_answer a;
	unsigned long before = cobocred_config_profile_lookups();
	int st = cobocred_fill(ctx, &r, &a);

	CU_ASSERT_EQUAL_FATAL(st, COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(a.profile, "p");
	CU_ASSERT_STRING_EQUAL(a.username, "o1");
	CU_ASSERT_EQUAL(a.secret_len, strlen("tok-o1"));
	cobocred_answer_clear(&a);
	return cobocred_config_profile_lookups() - before;
}

static void test_resolved_target(void)
{
	struct cobocred_ctx *ctx = fixture_ctx(
		"[stack]\nget = a\n" MOD("a", "scripted",
					 "get = SUCCESS\nsecret = tok-o1\nexpires_in = 3600")
			PROFILE(""),
		fixture_log());

	/* By origin the router scans the profiles: no lookup by name at all,
	 * neither for the identity query nor for the org. */
	CU_ASSERT_EQUAL(routed_lookups(ctx, "https", "api.example"), 0);
	/* cobo://p names the profile: found once, then never again. */
	CU_ASSERT_EQUAL(routed_lookups(ctx, "cobo", "p"), 1);
	/* The same token through the profile's name (the CLI's way) looks it up: the counter counts. */
	{
		struct cobocred_item *it = NULL;
		unsigned long before = cobocred_config_profile_lookups();

		CU_ASSERT_EQUAL(cobocred_token_get(ctx, "p", 0, &it), COBOCRED_SUCCESS);
		CU_ASSERT(cobocred_config_profile_lookups() > before);
		cobocred_item_free(it);
	}
	cobocred_ctx_free(ctx);
}

/* ---- the identity query ---- */

static void test_identity_query(void)
{
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = dom\n" MOD("dom", "domain", "")
						       PROFILE("region = eu\n"),
					       fixture_log());
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	static const char *const want[][2] = {
		{ "base_url", "https://api.example/v2" },
		{ "client_id", "c1" },
		{ "org_id", "o1" },
		{ "kind", "refresh" },
	};
	size_t i;

	CU_ASSERT_EQUAL_FATAL(cobocred_cobo_query(ctx, "p", "refresh", attrs, &q),
			      COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(q.schema, COBOCRED_SCHEMA_COBO);
	CU_ASSERT_STRING_EQUAL(q.profile, "p");
	CU_ASSERT_EQUAL(q.struct_size, sizeof(q));
	CU_ASSERT_EQUAL_FATAL(q.n_attrs, 4);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_STRING_EQUAL(q.attrs[i].name, want[i][0]);
		CU_ASSERT_STRING_EQUAL(q.attrs[i].value, want[i][1]);
	}
	CU_ASSERT_EQUAL(cobocred_cobo_query(ctx, "nope", "access", attrs, &q), COBOCRED_NOTFOUND);
	expect_error(ctx, "no profile 'nope'");
	/* Building a query loads nothing: the identity rule is the core's. */
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "dom open"));
	cobocred_ctx_free(ctx);
}

/* ---- settings: the owner's table judges the profiles ---- */

static void test_settings_table(void)
{
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = dom\n" MOD("dom", "domain", "")
						       PROFILE("region = eu\napp_secret = env:X\n"),
					       fixture_log());
	const struct cobocred_setting *t = NULL;

	CU_ASSERT_EQUAL_FATAL(cobocred_schema_settings(ctx, COBOCRED_SCHEMA_COBO, &t),
			      COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t[3].name, "app_secret");
	CU_ASSERT_EQUAL(t[3].flags, COBOCRED_SETTING_SECRET_REF);
	CU_ASSERT_STRING_EQUAL(t[4].name, "region");
	CU_ASSERT_PTR_NULL(t[5].name);
	cobocred_ctx_free(ctx);
}

static void test_unknown_profile_key(void)
{
	/* colour is line 13: [stack] get, a 5-line [module dom], [profile p] at 8. */
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = dom\n" MOD("dom", "domain", "")
						       PROFILE("region = eu\ncolour = blue\n"),
					       fixture_log());
	const struct cobocred_setting *t = NULL;
	struct cobocred_item *out = NULL;
	char want[700];

	/* The file parses: which keys exist is not the parser's to say. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_EQUAL(cobocred_schema_settings(ctx, COBOCRED_SCHEMA_COBO, &t), COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(t);
	snprintf(want, sizeof(want),
		 "%s:13: unknown key 'colour' in [profile p]; module dom "
		 "reads: base_url client_id org_id app_secret region",
		 fixture_conf());
	expect_error(ctx, want);
	/* The module is not used with such a profile: no token from it. */
	CU_ASSERT_EQUAL(cobocred_token_get(ctx, "p", 0, &out), COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(out);
	/* ... and the front-ends can tell it is the configuration (exit 78). */
	CU_ASSERT_TRUE(cobocred_error_in_config(ctx));
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "dom get"));
	cobocred_ctx_free(ctx);
}

static void test_required_setting(void)
{
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = dom\n" MOD("dom", "domain", "")
						       PROFILE(""),
					       fixture_log());
	const struct cobocred_setting *t = NULL;
	char want[700];

	CU_ASSERT_EQUAL(cobocred_schema_settings(ctx, COBOCRED_SCHEMA_COBO, &t), COBOCRED_ERROR);
	snprintf(want, sizeof(want),
		 "%s:8: [profile p] lacks region (a setting only this module "
		 "reads); add 'region = ...' to it",
		 fixture_conf());
	expect_error(ctx, want);
	cobocred_ctx_free(ctx);
}

/* ---- key operations through the core ---- */

static void test_key_ops(void)
{
	struct cobocred_ctx
		*ctx = fixture_ctx("[stack]\nget = a dom\n" MOD("a", "scripted", "")
					   MOD("dom", "domain", "schemas = " COBOCRED_SCHEMA_COBO)
						   PROFILE("region = eu\napp_secret = env:X\n"),
				   fixture_log(), fixture_log());
	char *sec = NULL, pub[160];
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(cobocred_key_import(ctx, COBOCRED_SCHEMA_COBO, "abc", 3, &sec, &len,
						  pub, sizeof(pub)),
			      COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_STRING_EQUAL(sec, "K:ABC");
	CU_ASSERT_STRING_EQUAL(pub, "P:abc");
	cobocred_secret_free(sec);
	/* The owner named by its [module] schemas line is found without loading the store. */
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "a open"));

	CU_ASSERT_EQUAL(cobocred_key_import(ctx, COBOCRED_SCHEMA_COBO, "a!b", 3, &sec, &len, pub,
					    sizeof(pub)),
			COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(sec);
	CU_ASSERT_EQUAL(len, 0);
	expect_error(ctx, "dom: not a key");

	CU_ASSERT_EQUAL_FATAL(cobocred_key_generate(ctx, COBOCRED_SCHEMA_COBO, &sec, &len, pub,
						    sizeof(pub)),
			      COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(sec, "K:GENERATED");
	cobocred_secret_free(sec);

	CU_ASSERT_EQUAL(cobocred_key_public(ctx, COBOCRED_SCHEMA_COBO, "p", pub, sizeof(pub)),
			COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(pub, "P:p:env:X");
	cobocred_ctx_free(ctx);
}

static void test_no_owner(void)
{
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = a\n" MOD("a", "scripted", "")
						       PROFILE(""),
					       fixture_log());
	char *sec = NULL, pub[160];
	size_t len = 0;

	CU_ASSERT_EQUAL(cobocred_key_generate(ctx, COBOCRED_SCHEMA_COBO, &sec, &len, pub,
					      sizeof(pub)),
			COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NULL(sec);
	expect_error(ctx, "no module on the [stack] get line");
	CU_ASSERT_FALSE(cobocred_error_in_config(ctx));
	cobocred_ctx_free(ctx);
}

/* ---- an ABI 1.0 module in an ABI 1.2 host ---- */

static void test_abi10_module(void)
{
	/* abi10 declares the 1.0 struct size; past it lie poison settings and keys. */
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = old\n" MOD("old", "abi10",
									  "get = SUCCESS")
						       PROFILE("colour = blue\n"),
					       fixture_log());
	const struct cobocred_setting *t = NULL;
	struct cobocred_item *out = NULL;
	char *sec = NULL, pub[160] = "";
	size_t len = 0;
	struct cobocred_http_request req = { .struct_size = sizeof(req),
					     .method = "GET",
					     .path = "/v2/x",
					     .query = "" };
	struct cobocred_transport *tr = NULL;
	struct cobocred_signed *sg = NULL;

	/* It loads and works: the lifecycle mints through it. */
	if (cobocred_token_get(ctx, "p", 0, &out) != COBOCRED_SUCCESS)
		fprintf(stderr, "abi10: %s\n", cobocred_error(ctx));
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL((const char *)out->secret, "secret-of-old");
	cobocred_item_free(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(), "old get"));
	/* Its 1.2 fields read as NULL: no settings (so no poison table refusing
	 * every key), no key operations (so no poison DENIED). */
	CU_ASSERT_EQUAL(cobocred_schema_settings(ctx, COBOCRED_SCHEMA_COBO, &t), COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(cobocred_key_generate(ctx, COBOCRED_SCHEMA_COBO, &sec, &len, pub,
					      sizeof(pub)),
			COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NULL(strstr(pub, "POISON"));
	/* Nor request ops (ABI 1.5): nothing signs, the poison sign is never called. */
	CU_ASSERT_EQUAL(cobocred_request_transport(ctx, "p", &tr), COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NULL(tr);
	CU_ASSERT_EQUAL(cobocred_request_sign(ctx, "p", NULL, &req, &sg), COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NULL(sg);
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "old sign"));
	cobocred_ctx_free(ctx);
}

/* ---- an owner from before ABI 1.5: keys, but no request ops ---- */

static void test_owner_without_requests(void)
{
	struct cobocred_ctx *ctx = fixture_ctx(
		"[stack]\nget = dom\n" MOD("dom", "domain", "schemas = " COBOCRED_SCHEMA_COBO)
			PROFILE("region = eu\napp_secret = env:X\n"),
		fixture_log());
	struct cobocred_http_request req = { .struct_size = sizeof(req),
					     .method = "GET",
					     .path = "/v2/x",
					     .query = "" };
	struct cobocred_transport *tr = NULL;
	struct cobocred_signed *sg = NULL;

	CU_ASSERT_EQUAL(cobocred_request_transport(ctx, "p", &tr), COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NULL(tr);
	expect_error(ctx, "cannot sign Cobo API requests (it predates ABI 1.5)");
	CU_ASSERT_EQUAL(cobocred_request_sign(ctx, "p", NULL, &req, &sg), COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NULL(sg);
	/* no token is taken for a request that cannot be signed */
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "dom get"));
	CU_ASSERT_EQUAL(cobocred_request_transport(ctx, "nope", &tr), COBOCRED_NOTFOUND);
	cobocred_ctx_free(ctx);
}

/* ---- cobo-oauth's key operations (the real module, built-in configuration) ---- */

/* RFC 8032, section 7.1, TEST 1. */
#define SEED1 "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define PUB1 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define PEM1                                                                 \
	"-----BEGIN PRIVATE KEY-----\n"                                      \
	"MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n" \
	"-----END PRIVATE KEY-----\n"
#define PEM_EC                                                               \
	"-----BEGIN PRIVATE KEY-----\n"                                      \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGI//73aDqejX3NCn\n" \
	"s6p7FKaezdwKtW+bHY5/TwHWZauhRANCAAS82b1MZakUNtVkycyRYPfxcJeWYiR6\n" \
	"VOlXOo86Mz38ysts0lUVtRwksssgGNEBl9W4oz/raDnBcbKgmZ1w4KMn\n"         \
	"-----END PRIVATE KEY-----\n"
#define PEM_ENC                                                              \
	"-----BEGIN ENCRYPTED PRIVATE KEY-----\n"                            \
	"MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgN3VIN+300cAICCAAw\n" \
	"DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEBUgF587ao6lNn2mjIqV9xoEQODt\n" \
	"aQ7A7Y/B4s3STisUZT3TsIy1xSbKHvsv0Jq+BQTA3C6kykkx5VuyDx5/GWajDWYu\n" \
	"VxlZ8fBCF5Oinp9mU0Q=\n"                                             \
	"-----END ENCRYPTED PRIVATE KEY-----\n"

/* Imports text through cobo-oauth; returns the status, the secret in sec (static copy). */
static int oauth_import(const char *text, char *sec, size_t seclen, char *pub, size_t publen,
			char *err, size_t errlen)
{
	struct cobocred_ctx *ctx = NULL;
	char *s = NULL;
	size_t n = 0;
	int st;

	CU_ASSERT_EQUAL_FATAL(cobocred_ctx_new_builtin(&ctx), COBOCRED_SUCCESS);
	st = cobocred_key_import(ctx, COBOCRED_SCHEMA_COBO, text, strlen(text), &s, &n, pub,
				 publen);
	snprintf(err, errlen, "%s", cobocred_error(ctx));
	snprintf(sec, seclen, "%s", s ? s : "");
	if (s != NULL)
		CU_ASSERT_EQUAL(n, strlen(s));
	cobocred_secret_free(s);
	cobocred_ctx_free(ctx);
	return st;
}

static void test_oauth_rfc8032(void)
{
	char sec[200], pub[160], err[512];

	CU_ASSERT_EQUAL_FATAL(oauth_import(SEED1, sec, sizeof(sec), pub, sizeof(pub), err,
					   sizeof(err)),
			      COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(pub, PUB1);
	CU_ASSERT_STRING_EQUAL(sec, SEED1);
	CU_ASSERT_EQUAL_FATAL(oauth_import("  \n" PEM1 "\n\n", sec, sizeof(sec), pub, sizeof(pub),
					   err, sizeof(err)),
			      COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(pub, PUB1);
	CU_ASSERT_STRING_EQUAL(sec, SEED1); /* canonical: the PEM's seed as lower-case hex */
	CU_ASSERT_EQUAL(
		oauth_import("9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60\n",
			     sec, sizeof(sec), pub, sizeof(pub), err, sizeof(err)),
		COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(pub, PUB1);
	CU_ASSERT_STRING_EQUAL(sec, SEED1);
}

static void test_oauth_bad_keys(void)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "", "empty" },
		{ "abcd", "64 hex" },
		{ SEED1 "00", "64 hex" },
		{ "zz61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		  "hex digits" },
		{ PEM_EC, "not Ed25519" },
		{ PEM_ENC, "encrypted" },
		{ "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
		  "malformed" },
	};
	char sec[200], pub[160], err[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(oauth_import(cases[i].text, sec, sizeof(sec), pub, sizeof(pub), err,
					     sizeof(err)),
				COBOCRED_ERROR);
		CU_ASSERT_STRING_EQUAL(sec, "");
		if (strstr(err, cases[i].why) == NULL) {
			fprintf(stderr, "case %zu: wanted \"%s\" in \"%s\"\n", i, cases[i].why,
				err);
			CU_FAIL("reason");
		}
	}
}

static void test_oauth_generate(void)
{
	struct cobocred_ctx *ctx = NULL;
	char *a = NULL, *b = NULL, pa[160], pb[160], pc[160], sec[200], err[256];
	size_t na = 0, nb = 0;

	CU_ASSERT_EQUAL_FATAL(cobocred_ctx_new_builtin(&ctx), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(cobocred_key_generate(ctx, COBOCRED_SCHEMA_COBO, &a, &na, pa,
						    sizeof(pa)),
			      COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(cobocred_key_generate(ctx, COBOCRED_SCHEMA_COBO, &b, &nb, pb,
						    sizeof(pb)),
			      COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(na, 64);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_STRING_NOT_EQUAL(pa, pb);
	/* A generated key imports back to itself and its public key. */
	CU_ASSERT_EQUAL(oauth_import(a, sec, sizeof(sec), pc, sizeof(pc), err, sizeof(err)),
			COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(sec, a);
	CU_ASSERT_STRING_EQUAL(pc, pa);
	cobocred_secret_free(a);
	cobocred_secret_free(b);
	cobocred_ctx_free(ctx);
}

/* cobo-oauth's table holds every profile key cobo-credential.conf(5) documents. */
static void test_oauth_settings(void)
{
	static const char *const documented[] = {
		"base_url",   "server_key",	"client_id",  "org_id",
		"app_secret", "ca_file",	"allow_http", "connect_timeout",
		"timeout",    "max_clock_skew", "pin_sha256",
	};
	struct cobocred_ctx *ctx = NULL;
	const struct cobocred_setting *t = NULL, *s;
	size_t i, n = 0;

	CU_ASSERT_EQUAL_FATAL(cobocred_ctx_new_builtin(&ctx), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(cobocred_schema_settings(ctx, COBOCRED_SCHEMA_COBO, &t),
			      COBOCRED_SUCCESS);
	for (s = t; s->name != NULL; s++)
		n++;
	CU_ASSERT_EQUAL(n, sizeof(documented) / sizeof(documented[0]));
	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
		for (s = t; s->name != NULL && strcmp(s->name, documented[i]) != 0; s++)
			;
		if (s->name == NULL)
			fprintf(stderr, "cobo-oauth does not declare %s\n", documented[i]);
		CU_ASSERT_PTR_NOT_NULL(s->name);
	}
	cobocred_ctx_free(ctx);
}

static const struct cutest_case domain_cases[] = {
	{ "one identity query for a profile's tokens", test_identity_query },
	{ "a routed get finds its profile once (the resolved target)", test_resolved_target },
	{ "the owner module's settings table", test_settings_table },
	{ "an unknown profile key: FILE:LINE from the owner's table", test_unknown_profile_key },
	{ "a required setting of the owner", test_required_setting },
	{ "key operations through the core", test_key_ops },
	{ "no owner: key operations unavailable", test_no_owner },
	{ "an ABI 1.0 module loads, its 1.2 fields read as NULL", test_abi10_module },
	{ "an owner without ABI 1.5 request ops: no signing", test_owner_without_requests },
	{ NULL, NULL },
};

static const struct cutest_case oauth_key_cases[] = {
	{ "RFC 8032 vector, hex and PEM, canonical form", test_oauth_rfc8032 },
	{ "bad keys refused with a reason", test_oauth_bad_keys },
	{ "generate", test_oauth_generate },
	{ "the settings table: every documented profile key", test_oauth_settings },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "domain", domain_cases },
		{ "cobo-oauth keys", oauth_key_cases },
		{ NULL, NULL },
	};
	char path[2048];
	const char *top = getenv("top_builddir"), *mods = getenv("COBO_CREDENTIAL_MODULE_PATH");

	/* The fixture modules, then the build tree's real ones (cobo-oauth). */
	snprintf(path, sizeof(path), "%s/tests/modules/.libs:%s", top ? top : ".",
		 mods ? mods : "./modules");
	setenv("COBO_CREDENTIAL_MODULE_PATH", path, 1);
	return cutest_run(suites);
}
