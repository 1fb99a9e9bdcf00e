/*
 * test_request.c - where a signed request may go (src/cobo/target.c), what
 * the core reads of Cobo's answers (src/cobo/reply.c) and the checks on a
 * request before it is signed (src/cobo/signed.c).
 *
 * The refusals are generated as tests/security does: every hostile
 * spelling put in each part of a URL that is otherwise accepted, so a
 * refusal can only come from that part.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "cutest.h"
#include "test_core_fixture.h"
#include "reqops.h"

static struct cobocred_ctx *ctx;

static void open_ctx(void)
{
	ctx = fixture_ctx_ok(
		"[stack]\nget = none\n"
		"[profile dev]\nbase_url = https://api.dev.cobo.com/v2\norg_id = o\nclient_id = c\n"
		"[profile slash]\nbase_url = https://api.dev.cobo.com/v2/\norg_id = o\n"
		"client_id = c\n"
		"[profile root]\nbase_url = https://127.0.0.1:8443\norg_id = o\nclient_id = c\n"
		"[profile local]\nbase_url = http://127.0.0.1:8080/v2\norg_id = o\n"
		"client_id = c\nallow_http = yes\n"
		"[profile six]\nbase_url = https://[::1]:8443/api/v2\norg_id = o\nclient_id = c\n");
}

static void close_ctx(void)
{
	cobocred_ctx_free(ctx);
	ctx = NULL;
}

/* target for profile: SUCCESS with path and query as expected. */
static void accepts(const char *profile, const char *target, const char *path, const char *query)
{
	char *p = NULL, *q = NULL;
	int st = cobocred_request_target(ctx, profile, target, &p, &q);

	if (st != COBOCRED_SUCCESS)
		fprintf(stderr, "refused %s for %s: %s\n", target, profile, cobocred_error(ctx));
	CU_ASSERT_EQUAL(st, COBOCRED_SUCCESS);
	if (st == COBOCRED_SUCCESS) {
		CU_ASSERT_STRING_EQUAL(p, path);
		CU_ASSERT_STRING_EQUAL(q, query);
		if (strcmp(p, path) != 0 || strcmp(q, query) != 0)
			fprintf(stderr, "%s: got path '%s' query '%s'\n", target, p, q);
	}
	free(p);
	free(q);
}

/* target for profile: ERROR, one line, nothing handed back. */
static int refuses(const char *profile, const char *target)
{
	char *p = (char *)1, *q = (char *)1;
	int st = cobocred_request_target(ctx, profile, target, &p, &q);

	CU_ASSERT_EQUAL(st, COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NULL(q);
	CU_ASSERT_PTR_NULL(strchr(cobocred_error(ctx), '\n'));
	if (st != COBOCRED_ERROR)
		fprintf(stderr, "accepted '%s' for %s\n", target, profile);
	if (st == COBOCRED_SUCCESS) {
		free(p);
		free(q);
	}
	return st == COBOCRED_ERROR;
}

static void test_accepts(void)
{
	open_ctx();
	accepts("dev", "/wallets", "/v2/wallets", "");
	accepts("dev", "/wallets?limit=10", "/v2/wallets", "limit=10");
	accepts("dev", "/", "/v2/", "");
	/* the query byte for byte: '+', %2B, %20, '/', '?' and an empty value kept */
	accepts("dev", "/w?q=a+b%2Bc%20d&e=&f=/x?y", "/v2/w", "q=a+b%2Bc%20d&e=&f=/x?y");
	accepts("dev", "/w?", "/v2/w", "");
	accepts("dev", "https://api.dev.cobo.com/v2/wallets?limit=10", "/v2/wallets", "limit=10");
	accepts("dev", "https://API.Dev.Cobo.COM:443/v2/wallets", "/v2/wallets", "");
	accepts("dev", "https://api.dev.cobo.com/v2", "/v2", "");
	accepts("dev", "https://api.dev.cobo.com/v2?x=1", "/v2", "x=1");
	accepts("dev", "/wallets/%41b/x.y/..z/.%2e.", "/v2/wallets/%41b/x.y/..z/.%2e.", "");
	accepts("slash", "/wallets", "/v2/wallets", "");
	accepts("slash", "https://api.dev.cobo.com/v2/wallets", "/v2/wallets", "");
	accepts("root", "/wallets", "/wallets", "");
	accepts("root", "https://127.0.0.1:8443", "/", "");
	accepts("root", "https://127.0.0.1:8443?a=b", "/", "a=b");
	accepts("root", "https://127.0.0.1:8443/any/where", "/any/where", "");
	accepts("local", "http://127.0.0.1:8080/v2/x", "/v2/x", "");
	accepts("six", "https://[::1]:8443/api/v2/x", "/api/v2/x", "");
	accepts("six", "https://[0:0::1]:8443/api/v2/x", "/api/v2/x", "");
	close_ctx();
}

/* Hostile parts, each put in one place of an accepted URL. */
static const char *const bad_schemes[] = {
	"http://", "HTTPS://", "Https://",  "ftp://", "https:/", "https:",
	"//",	   "",	       "https:///", "ws://",  NULL,
};
static const char *const bad_hosts[] = {
	"api.dev.cobo.com.",
	"api.dev.cobo.com.evil.example",
	"evil.example",
	"api.dev.cobo.com@evil.example",
	"user@api.dev.cobo.com",
	"user:pw@api.dev.cobo.com",
	"api.dev.cobo.com:8443",
	"api.dev.cobo.com:0443",
	"api.dev.cobo.com:",
	"api.dev.cobo.com:443:443",
	"api%2edev.cobo.com",
	"api.dev.cobo.com%40evil.example",
	"127.0.0.1",
	"[::1]",
	"",
	"api.dev.cobo.com\\@evil.example",
	NULL,
};
static const char *const bad_paths[] = {
	"/v2evil/x",  "/v2/../x",     "/v2/./x",     "/v2/%2e%2e/x", "/v2/%2E./x",
	"/v2/.%2e/x", "/v2/x/..",     "/v2/x/%2e",   "/x",	     "/",
	"",	      "/v2//x",	      "/v2/a%2fb",   "/v2/a%2Fb",    "/v2/a%5Cb",
	"/v2/a\\b",   "/v1/wallets",  "/V2/wallets", "/v",	     "/v2%2fx",
	"/v2/a%00b",  "/v2/\xc3\xa9", "/v2/a b",     "/v2/a\tb",     "//v2/x",
	"/v2/x\r\nX", NULL,
};
static const char *const bad_tails[] = {
	"#frag", "?a#b", " ",		"\r\nX-Evil: 1", "\n", "\t",
	"\x7f",	 "\x01", "?q=\xc3\xa9", "?a b",		 NULL,
};

static void test_refuses_generated(void)
{
	char t[512];
	size_t i, n = 0, tried = 0;

	open_ctx();
	for (i = 0; bad_schemes[i] != NULL; i++) {
		snprintf(t, sizeof(t), "%sapi.dev.cobo.com/v2/wallets", bad_schemes[i]);
		tried++, n += refuses("dev", t);
	}
	for (i = 0; bad_hosts[i] != NULL; i++) {
		snprintf(t, sizeof(t), "https://%s/v2/wallets", bad_hosts[i]);
		tried++, n += refuses("dev", t);
	}
	for (i = 0; bad_paths[i] != NULL; i++) {
		snprintf(t, sizeof(t), "https://api.dev.cobo.com%s", bad_paths[i]);
		tried++, n += refuses("dev", t);
		if (strncmp(bad_paths[i], "/v2", 3) == 0 && bad_paths[i][3] == '/') {
			/* the same path given relative to base_url */
			tried++, n += refuses("dev", bad_paths[i] + 3);
		}
	}
	for (i = 0; bad_tails[i] != NULL; i++) {
		snprintf(t, sizeof(t), "https://api.dev.cobo.com/v2/wallets%s", bad_tails[i]);
		tried++, n += refuses("dev", t);
		snprintf(t, sizeof(t), "/wallets%s", bad_tails[i]);
		tried++, n += refuses("dev", t);
	}
	CU_ASSERT_EQUAL(n, tried); /* every variant was refused */
	CU_ASSERT(tried >= 89);
	close_ctx();
}

static void test_refuses_other(void)
{
	static const char *const rel[] = {
		"wallets", "?x=1", "//evil.example/v2/x", "/../x", "/a/%2e%2e", "/a#b", "\\wallets",
		"./x",	   "",	   "/a\r\nX: y",	  NULL,
	};
	char *p = NULL, *q = NULL, *big;
	size_t i;

	open_ctx();
	for (i = 0; rel[i] != NULL; i++)
		refuses("dev", rel[i]);
	/* another scheme than base_url's, and a base path that is only a prefix */
	refuses("local", "https://127.0.0.1:8080/v2/x");
	refuses("dev", "http://api.dev.cobo.com:443/v2/x");
	refuses("six", "https://[::1]:8443/api/v2evil");
	refuses("six", "https://[::1]:8443/api/x");
	refuses("six", "https://[::2]:8443/api/v2/x");
	/* longer than the cap */
	big = malloc(COBOCRED_REQUEST_TARGET_MAX + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'a', COBOCRED_REQUEST_TARGET_MAX + 1);
	big[0] = '/';
	big[COBOCRED_REQUEST_TARGET_MAX + 1] = '\0';
	refuses("dev", big);
	big[COBOCRED_REQUEST_TARGET_MAX] = '\0'; /* at the cap: fine */
	CU_ASSERT_EQUAL(cobocred_request_target(ctx, "dev", big, &p, &q), COBOCRED_SUCCESS);
	free(p);
	free(q);
	free(big);
	/* no such profile */
	CU_ASSERT_EQUAL(cobocred_request_target(ctx, "nope", "/x", &p, &q), COBOCRED_NOTFOUND);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NULL(q);
	/* the message names the target, escaped, on one line */
	refuses("dev", "/a\r\nb#c");
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "\\x0d\\x0a"));
	close_ctx();
}

static struct cobocred_http_reply *reply_of(long status, const char *body, int verified)
{
	static struct cobocred_http_reply r;

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	r.status = status;
	r.body = (unsigned char *)body;
	r.body_len = strlen(body);
	r.verified = verified;
	return &r;
}

static void test_reply_error(void)
{
	char code[32], msg[64];

	CU_ASSERT_EQUAL(
		cobocred_reply_error(reply_of(400,
					      "{\"error_code\":2003,\"error_message\":"
					      "\"Missing \\\"x\\\"\\nnow\",\"error_id\":\"e\"}",
					      1),
				     code, sizeof(code), msg, sizeof(msg)),
		0);
	CU_ASSERT_STRING_EQUAL(code, "2003");
	CU_ASSERT_STRING_EQUAL(msg, "Missing \"x\"?now");
	/* members inside nested values are not the answer's */
	CU_ASSERT_EQUAL(
		cobocred_reply_error(reply_of(400,
					      " { \"a\" : {\"error_code\":1,\"b\":[1,{\"c\":2}]} , "
					      "\"error_code\" : \"2024\" } ",
					      1),
				     code, sizeof(code), msg, sizeof(msg)),
		0);
	CU_ASSERT_STRING_EQUAL(code, "2024");
	CU_ASSERT_STRING_EQUAL(msg, "");
	/* bounded: a long message is cut, controls become '?' */
	CU_ASSERT_EQUAL(cobocred_reply_error(reply_of(500,
						      "{\"error_message\":\"0123456789012345678901"
						      "234567890123456789\x01\"}",
						      1),
					     code, 8, msg, 16),
			0);
	CU_ASSERT_STRING_EQUAL(msg, "012345678901234");
	CU_ASSERT_EQUAL(cobocred_reply_error(reply_of(500, "not json", 1), code, 8, msg, 16), -1);
	CU_ASSERT_EQUAL(cobocred_reply_error(reply_of(500, "{\"x\":1}", 1), code, 8, msg, 16), -1);
	CU_ASSERT_EQUAL(cobocred_reply_error(reply_of(500, "{\"error_code\":", 1), code, 8, msg,
					     16),
			-1);
	CU_ASSERT_EQUAL(cobocred_reply_error(reply_of(500, "[[[[[[[[", 1), code, 8, msg, 16), -1);
	CU_ASSERT_EQUAL(cobocred_reply_error(NULL, code, 8, msg, 16), -1);
}

static void test_token_rejected(void)
{
	/* the test server's and Cobo's token answers; a verified 401 without a code */
	CU_ASSERT_TRUE(cobocred_reply_token_rejected(
		reply_of(401, "{\"error_code\":2031,\"error_message\":\"expired\"}", 1)));
	CU_ASSERT_TRUE(cobocred_reply_token_rejected(reply_of(401, "{}", 1)));
	/* what a new token cannot cure: signature, nonce, key, permission */
	CU_ASSERT_FALSE(cobocred_reply_token_rejected(reply_of(401, "{\"error_code\":2023}", 1)));
	CU_ASSERT_FALSE(cobocred_reply_token_rejected(reply_of(401, "{\"error_code\":2022}", 1)));
	CU_ASSERT_FALSE(cobocred_reply_token_rejected(reply_of(401, "{\"error_code\":2024}", 1)));
	/* other statuses, and anything unverified, never */
	CU_ASSERT_FALSE(cobocred_reply_token_rejected(reply_of(403, "{\"error_code\":2031}", 1)));
	CU_ASSERT_FALSE(cobocred_reply_token_rejected(reply_of(200, "{}", 1)));
	CU_ASSERT_FALSE(cobocred_reply_token_rejected(reply_of(401, "{\"error_code\":2031}", 0)));
	CU_ASSERT_FALSE(cobocred_reply_token_rejected(NULL));
}

static void test_request_refusal(void)
{
	static const unsigned char body[] = "{}";
	struct cobocred_http_request r = {
		.struct_size = sizeof(r),
		.method = "POST",
		.path = "/v2/x",
		.query = "a=b",
		.body = body,
		.body_len = 2,
	};
	struct cobocred_http_request bad;
	static const char *const methods[] = { "get",  "",  "GE T", "GET\r\n", "ABCDEFGHIJKLMNOPQ",
					       "P0ST", NULL };
	size_t i;

	CU_ASSERT_PTR_NULL(cobocred_request_refusal(&r));
	for (i = 0; methods[i] != NULL; i++) {
		bad = r;
		bad.method = methods[i];
		CU_ASSERT_PTR_NOT_NULL(cobocred_request_refusal(&bad));
	}
	bad = r;
	bad.method = "ABCDEFGHIJKLMNOP"; /* 16 letters: the cap */
	CU_ASSERT_PTR_NULL(cobocred_request_refusal(&bad));
	bad = r;
	bad.path = "v2/x";
	CU_ASSERT_PTR_NOT_NULL(cobocred_request_refusal(&bad));
	bad.path = "/v2/x y";
	CU_ASSERT_PTR_NOT_NULL(cobocred_request_refusal(&bad));
	bad = r;
	bad.query = "a=\n";
	CU_ASSERT_PTR_NOT_NULL(cobocred_request_refusal(&bad));
	bad = r;
	bad.body = NULL;
	CU_ASSERT_PTR_NOT_NULL(cobocred_request_refusal(&bad));
	bad = r;
	bad.body_len = COBOCRED_REQUEST_BODY_MAX + 1;
	CU_ASSERT_PTR_NOT_NULL(cobocred_request_refusal(&bad));
	bad = r;
	bad.struct_size = 8;
	CU_ASSERT_PTR_NOT_NULL(cobocred_request_refusal(&bad));
	CU_ASSERT_PTR_NOT_NULL(cobocred_request_refusal(NULL));
}

int main(void)
{
	static const struct cutest_case target[] = {
		{ "accepted targets", test_accepts },
		{ "refused: generated variants", test_refuses_generated },
		{ "refused: others", test_refuses_other },
		{ NULL, NULL },
	};
	static const struct cutest_case reply[] = {
		{ "error_code and error_message", test_reply_error },
		{ "token 401", test_token_rejected },
		{ "request checks", test_request_refusal },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = {
		{ "request target", target },
		{ "replies", reply },
		{ NULL, NULL },
	};

	return cutest_run(suites);
}
