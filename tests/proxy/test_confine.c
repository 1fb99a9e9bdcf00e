/*
 * test_confine.c - the proxy's confinement rules on generated variants:
 * every byte in every path segment and in the query, dot segments plain
 * and percent-encoded in every position, absolute-form and other paths,
 * the token endpoint, header names in every case, methods, the key
 * comparison, the loopback rule of --listen and the LISTEN_FDS protocol.
 * Each refusal is asserted with its status; each acceptance of a variant
 * next to a refused one shows the rule is the one refusing.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "confine.h"
#include "cutest.h"
#include "load.h"
#include "proxy.h"

static size_t n_variants;

/* Asserts target under base is refused with status (0: any status). */
static void refused(const char *base, const char *target, int status)
{
	struct proxy_refusal why = { 0, NULL, NULL };
	size_t qa;
	int r = proxy_target_ok(target, base, &qa, &why);

	n_variants++;
	if (r == 0 || (status != 0 && why.status != status))
		fprintf(stderr, "\n  target '%s' (base '%s'): r=%d status=%d, want %d\n", target,
			base, r, why.status, status);
	CU_ASSERT_EQUAL(r, -1);
	if (status != 0)
		CU_ASSERT_EQUAL(why.status, status);
	CU_ASSERT_PTR_NOT_NULL(why.error);
	CU_ASSERT_PTR_NOT_NULL(why.detail);
}

static void accepted(const char *base, const char *target)
{
	struct proxy_refusal why = { 0, NULL, NULL };
	size_t qa = 99999;
	int r = proxy_target_ok(target, base, &qa, &why);

	n_variants++;
	if (r != 0)
		fprintf(stderr, "\n  target '%s' (base '%s') refused: %s\n", target, base,
			why.detail);
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(qa, strcspn(target, "?"));
}

static void test_plain_targets(void)
{
	accepted("/v2", "/v2/wallets");
	accepted("/v2", "/v2/wallets?limit=10");
	accepted("/v2", "/v2/wallets/w-1?q=a+b%2B&x=%20&y=/?z");
	accepted("/v2", "/v2");
	accepted("/v2", "/v2/oauthx/token");
	accepted("/v2", "/v2/wallets/%41bc");
	accepted("", "/wallets");
	accepted("/api/v2", "/api/v2/x");
}

/* Every byte value in the middle of a segment and in the query. */
static void test_every_byte(void)
{
	int c;

	for (c = 1; c < 256; c++) {
		char path[64], query[64];
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@", c) != NULL;

		if (c == '/' || c == '?' || c == '%' || c == '#')
			continue;
		snprintf(path, sizeof(path), "/v2/wal%clets", c);
		snprintf(query, sizeof(query), "/v2/wallets?a=%cb", c);
		if (plain)
			accepted("/v2", path);
		else
			refused("/v2", path, 400);
		if (plain || c == '/' || c == '?')
			accepted("/v2", query);
		else
			refused("/v2", query, 400);
	}
	refused("/v2", "/v2/wallets#frag", 400);
	refused("/v2", "/v2/wallets?a=1#frag", 400);
}

/* Dot segments and encoded delimiters, each in the first, a middle and the last place. */
static void test_dots_and_escapes(void)
{
	static const char *const bad_seg[] = {
		".",	 "..",	  "%2e",   "%2E",   "%2e%2e", "%2E%2e", ".%2e", "%2e.",
		"a%2fb", "a%2Fb", "a%5cb", "a%5Cb", "%25",    "a%252e", "%00",	"a%0a",
		"a%0D",	 "a%7f",  "a%1f",  "",	    "a%zz",   "a%4",	"a%",	"a\\b",
	};
	/* each bad segment between a prefix and a suffix */
	static const char *const forms[][2] = { { "/v2/", "" },
						{ "/v2/", "/x" },
						{ "/v2/x/", "/y" },
						{ "/v2/x/", "" },
						{ "/v2/x/", "?q=1" } };
	size_t i, f;
	char t[128];

	for (i = 0; i < sizeof(bad_seg) / sizeof(bad_seg[0]); i++)
		for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			snprintf(t, sizeof(t), "%s%s%s", forms[f][0], bad_seg[i], forms[f][1]);
			refused("/v2", t, 0);
		}
	/* the same positions with a harmless escape pass */
	for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		snprintf(t, sizeof(t), "%s%s%s", forms[f][0], "a%41b", forms[f][1]);
		accepted("/v2", t);
	}
	refused("/v2", "/v2/..", 404);
	refused("/v2", "/v2//wallets", 404);
	refused("/v2", "/v2/", 404);
	refused("/v2", "/v2/x/%2e%2e/%2e%2e/oauth/token", 404);
}

static void test_other_forms(void)
{
	static const char *const absolute[] = {
		"http://127.0.0.1:1/v2/wallets",
		"https://api.dev.cobo.com/v2/wallets",
		"HTTP://x/v2",
		"*",
		"v2/wallets",
		"",
		"127.0.0.1:443",
		"api.dev.cobo.com:443",
	};
	static const char *const outside[] = { "/",	      "/v1/wallets", "/v2x",
					       "/V2/wallets", "/v20/x",	     "/x/v2/w",
					       "/v2%2fx",     "//h/v2/x",    "/%76%32/x" };
	size_t i;
	char big[PROXY_MAX_TARGET + 16];

	for (i = 0; i < sizeof(absolute) / sizeof(absolute[0]); i++)
		refused("/v2", absolute[i], 400);
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		refused("/v2", outside[i], 404);
	refused("/v2", "/v2/oauth/token", 403);
	refused("/v2", "/v2/oauth/token?client_id=c&org_id=o&grant_type=org_implicit", 403);
	refused("/v2", "/v2/oauth", 403);
	refused("/v2", "/v2/oauth/", 403);
	refused("", "/oauth/token", 403);
	memset(big, 'a', sizeof(big));
	memcpy(big, "/v2/", 4);
	big[PROXY_MAX_TARGET + 1] = '\0';
	refused("/v2", big, 414);
	big[PROXY_MAX_TARGET] = '\0';
	accepted("/v2", big);
}

/* name in lower, upper and as written: the class must not depend on case. */
static void header_is(const char *name, int cls)
{
	char lo[64], up[64];
	size_t i, n = strlen(name);

	for (i = 0; i <= n; i++) {
		lo[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
		up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
	}
	n_variants += 3;
	CU_ASSERT_EQUAL(proxy_header_class(name), cls);
	CU_ASSERT_EQUAL(proxy_header_class(lo), cls);
	CU_ASSERT_EQUAL(proxy_header_class(up), cls);
}

static void test_headers(void)
{
	static const char *const refuse[] = {
		"Authorization",      "Proxy-Authorization", "Cookie",
		"Biz-Api-Key",	      "Biz-Api-Nonce",	     "Biz-Api-Signature",
		"Biz-Resp-Signature", "Biz-Timestamp",	     "Biz-",
		"Biz-Anything-New"
	};
	static const char *const drop[] = {
		"Connection",
		"Keep-Alive",
		"TE",
		"Trailer",
		"Transfer-Encoding",
		"Upgrade",
		"Proxy-Connection",
		"Host",
		"Content-Length",
		"Expect",
		"X-Forwarded-For",
		"Forwarded",
		"User-Agent",
		"Authorization2",
		"Bizarre",
		"X-Biz-Api-Key",
		"Cobo-Org-Id",
		"Accept-Encoding",
	};
	size_t i;

	for (i = 0; i < sizeof(refuse) / sizeof(refuse[0]); i++)
		header_is(refuse[i], PROXY_HDR_REFUSE);
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		header_is(drop[i], PROXY_HDR_DROP);
	header_is("Cobo-Org", PROXY_HDR_ORG);
	header_is("Cobo-Proxy-Key", PROXY_HDR_KEY);
	header_is("Content-Type", PROXY_HDR_DROP);
	header_is("Accept", PROXY_HDR_DROP);
	CU_ASSERT_TRUE(proxy_header_value_ok("application/json; charset=utf-8"));
	CU_ASSERT_FALSE(proxy_header_value_ok("a\rb"));
	CU_ASSERT_FALSE(proxy_header_value_ok("a\nb"));
	CU_ASSERT_FALSE(proxy_header_value_ok("caf\xc3\xa9"));
}

static void test_methods(void)
{
	static const char *const ok[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
	static const char *const no[] = { "CONNECT", "OPTIONS",	 "TRACE", "HEAD", "get",
					  "",	     "PROPFIND", "GETS",  "POST " };
	struct proxy_refusal why;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CU_ASSERT_EQUAL(proxy_method_ok(ok[i], &why), 0);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		why.status = 0;
		CU_ASSERT_EQUAL(proxy_method_ok(no[i], &why), -1);
		CU_ASSERT_EQUAL(why.status, 405);
	}
}

static void test_key(void)
{
	char key[PROXY_KEY_HEX + 1], other[PROXY_KEY_HEX + 2];
	size_t i;

	memset(key, 'a', PROXY_KEY_HEX);
	key[PROXY_KEY_HEX] = '\0';
	memcpy(other, key, sizeof(key));
	CU_ASSERT_TRUE(proxy_key_ok(other, key));
	for (i = 0; i < PROXY_KEY_HEX; i++) {
		other[i] = 'b';
		CU_ASSERT_FALSE(proxy_key_ok(other, key));
		other[i] = 'a';
	}
	CU_ASSERT_FALSE(proxy_key_ok(NULL, key));
	CU_ASSERT_FALSE(proxy_key_ok("", key));
	other[PROXY_KEY_HEX - 1] = '\0';
	CU_ASSERT_FALSE(proxy_key_ok(other, key));
	other[PROXY_KEY_HEX - 1] = 'a';
	other[PROXY_KEY_HEX] = 'a';
	other[PROXY_KEY_HEX + 1] = '\0';
	CU_ASSERT_FALSE(proxy_key_ok(other, key));
}

static void test_loopback(void)
{
	static const char *const ok[] = { "127.0.0.1:0", "127.0.0.1:8080", "127.1.2.3:65535",
					  "[::1]:80" };
	static const char *const no[] = {
		"0.0.0.0:80",	 "10.0.0.1:80",		  "[::]:80",	   "localhost:80",
		"127.1:80",	 "127.0.0.1:65536",	  "127.0.0.1:-1",  "127.0.0.1",
		":80",		 "[::ffff:127.0.0.1]:80", "127.0.0.1:+80", "127.0.0.1:080",
		"0177.0.0.1:80", "128.0.0.1:80",	  "127.0.0.1:80 "
	};
	struct sockaddr_storage ss;
	unsigned len;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CU_ASSERT_EQUAL(proxy_parse_loopback(ok[i], &ss, &len, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(proxy_parse_loopback(no[i], &ss, &len, err, sizeof(err)), -1);
		CU_ASSERT_NOT_EQUAL(err[0], '\0');
	}
}

static void test_activation(void)
{
	char pid[32], err[128];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	CU_ASSERT_EQUAL(proxy_socket_activation(err, sizeof(err)), 0);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	CU_ASSERT_EQUAL(proxy_socket_activation(err, sizeof(err)), 3);
	CU_ASSERT_PTR_NULL(getenv("LISTEN_PID"));
	CU_ASSERT_PTR_NULL(getenv("LISTEN_FDS"));
	setenv("LISTEN_PID", "1", 1); /* another process's sockets */
	setenv("LISTEN_FDS", "1", 1);
	CU_ASSERT_EQUAL(proxy_socket_activation(err, sizeof(err)), 0);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "x", 1);
	CU_ASSERT_EQUAL(proxy_socket_activation(err, sizeof(err)), -1);
	setenv("LISTEN_FDS", "0", 1);
	setenv("LISTEN_PID", pid, 1);
	CU_ASSERT_EQUAL(proxy_socket_activation(err, sizeof(err)), 0);
}

static void test_base_path(void)
{
	char out[64];

	CU_ASSERT_EQUAL(proxy_base_path("https://h/v2", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/v2");
	CU_ASSERT_EQUAL(proxy_base_path("https://h:8443/v2///", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/v2");
	CU_ASSERT_EQUAL(proxy_base_path("https://h", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(proxy_base_path("https://h/", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(proxy_base_path("https://h/v2?x", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(proxy_base_path("h/v2", out, sizeof(out)), -1);
}

static void test_count(void)
{
	/* the generated suites above ran: a guard against a loop that never iterates */
	CU_ASSERT_TRUE(n_variants > 700);
	printf("\n  %zu generated variants\n", n_variants);
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "plain targets", test_plain_targets },
		{ "every byte in path and query", test_every_byte },
		{ "dot segments and escapes in every position", test_dots_and_escapes },
		{ "absolute-form, other paths, token endpoint, length", test_other_forms },
		{ "header names in every case", test_headers },
		{ "methods", test_methods },
		{ "proxy key: constant-time compare", test_key },
		{ "--listen: loopback only", test_loopback },
		{ "LISTEN_FDS protocol", test_activation },
		{ "base path of base_url", test_base_path },
		{ "variant count", test_count },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = { { "proxy confine", cases }, { NULL, NULL } };

	return cutest_run(suites);
}
