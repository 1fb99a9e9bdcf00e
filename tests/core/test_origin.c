/*
 * test_origin.c - the strict request-field parsers and the origin rule
 * (src/cobo/origin.c, profile.c's matching, request.c's refusals).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "cutest.h"
#include "test_core_fixture.h"
#include "route.h"
#include "sbuf.h"
#include "secret.h"

static struct cobocred_origin o;
static const char *why;

static int hp(const char *s)
{
	why = NULL;
	return cobocred_parse_hostport(s, strlen(s), &o, &why);
}

static void test_protocol(void)
{
	static const char *const good[] = { "https",   "http",	"ssh", "git",  "cert",
					    "svn+ssh", "x-y.z", "a1",  "cobo", NULL };
	static const char *const bad[] = { "",		 "HTTPS",
					   "Https",	 "1http",
					   "+x",	 "-x",
					   ".x",	 "https:",
					   "https://",	 "x://api.dev.cobo.com/",
					   "ht tp",	 "ht\ttp",
					   "h_t",	 "h@t",
					   "h/t",	 "h%74",
					   "ht\xc3\xa9", "abcdefghijklmnopqrstuvwxyzabcdefg",
					   NULL };
	size_t i;

	for (i = 0; good[i] != NULL; i++)
		CU_ASSERT_EQUAL(cobocred_parse_protocol(good[i], &why), 0);
	for (i = 0; bad[i] != NULL; i++) {
		why = NULL;
		CU_ASSERT_EQUAL(cobocred_parse_protocol(bad[i], &why), -1);
		CU_ASSERT_PTR_NOT_NULL(why);
	}
	CU_ASSERT_EQUAL(cobocred_parse_protocol(NULL, &why), -1);
}

static void test_hostport_good(void)
{
	static const struct {
		const char *in, *host;
		unsigned port;
	} v[] = {
		{ "api.dev.cobo.com", "api.dev.cobo.com", 0 },
		{ "API.Dev.COBO.com:443", "api.dev.cobo.com", 443 },
		{ "localhost:1", "localhost", 1 },
		{ "a-b.c-d:65535", "a-b.c-d", 65535 },
		{ "xn--bcher-kva.de", "xn--bcher-kva.de", 0 },
		{ "1a.example", "1a.example", 0 },
		{ "127.0.0.1:8443", "127.0.0.1", 8443 },
		{ "0.0.0.0", "0.0.0.0", 0 },
		{ "255.255.255.255", "255.255.255.255", 0 },
		{ "[::1]", "[::1]", 0 },
		{ "[0:0:0:0:0:0:0:1]:8443", "[::1]", 8443 },
		{ "[2001:DB8::A]", "[2001:db8::a]", 0 },
		{ "[::ffff:127.0.0.1]:1", "[::ffff:127.0.0.1]", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_EQUAL(hp(v[i].in), 0);
		CU_ASSERT_STRING_EQUAL(o.host, v[i].host);
		CU_ASSERT_EQUAL(o.port, v[i].port);
	}
}

static void test_hostport_bad(void)
{
	static const char *const bad[] = {
		"",
		":443",
		"api.dev.cobo.com.",
		"api.dev.cobo.com.:443",
		".api.dev.cobo.com",
		"api..dev.cobo.com",
		"-api.dev.cobo.com",
		"api-.dev.cobo.com",
		"evil.example@api.dev.cobo.com",
		"api.dev.cobo.com@evil",
		"u:p@api.dev.cobo.com",
		"api.dev.cobo.com/x",
		"api.dev.cobo.com?x",
		"api.dev.cobo.com#x",
		"api.dev.cobo.com\\x",
		"api%2edev.cobo.com",
		"api.dev.cobo.com ",
		" api.dev.cobo.com",
		"api.dev.cobo.com\t",
		"api.dev.cobo.com\x1b",
		"api_dev.cobo.com",
		"api.dev.cobo.c\xc3\xb6m",
		"\xd0\xb0pi.dev.cobo.com",
		"api.dev.cobo.com\xe3\x80\x82",
		"api.dev.cobo.com:0",
		"api.dev.cobo.com:65536",
		"api.dev.cobo.com:99999",
		"api.dev.cobo.com:0443",
		"api.dev.cobo.com:+443",
		"api.dev.cobo.com:-1",
		"api.dev.cobo.com:443x",
		"api.dev.cobo.com:",
		"api.dev.cobo.com:443:1",
		"api.dev.cobo.com: 443",
		"127.1",
		"127.0.1",
		"0x7f.0.0.1",
		"0x7f000001",
		"2130706433",
		"127.000.0.1",
		"127.0.0.01",
		"256.0.0.1",
		"1.2.3.4.5",
		"example.123",
		"[::1",
		"::1",
		"[::1]x",
		"[::1]:",
		"[::1]:0",
		"[::1%25lo]",
		"[::1%lo]",
		"[fe80::1%eth0]",
		"[]",
		"[g::1]",
		"[127.0.0.1]",
		"[::1]]",
	};
	char name[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(hp(bad[i]), -1);
		CU_ASSERT_PTR_NOT_NULL(why);
		if (hp(bad[i]) == 0)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
	}
	/* a label of 64 and a name of 254 are too long; 63 and 253 fit */
	memset(name, 'a', 64);
	name[64] = '\0';
	CU_ASSERT_EQUAL(hp(name), -1);
	name[63] = '\0';
	CU_ASSERT_EQUAL(hp(name), 0);
	for (i = 0; i < 253; i++)
		name[i] = i % 2 ? '.' : 'a';
	name[253] = '\0';
	CU_ASSERT_EQUAL(hp(name), 0);
	name[253] = 'a';
	name[254] = '\0';
	name[252] = '.';
	CU_ASSERT_EQUAL(hp(name), -1);
	/* a NUL inside the field counts */
	CU_ASSERT_EQUAL(cobocred_parse_hostport("api\0.dev", 8, &o, &why), -1);
}

/* Every byte that is not a letter, digit, '-' or '.' makes a host invalid, wherever it is. */
static void test_hostport_every_byte(void)
{
	char s[64];
	int c, pos, refused = 0, total = 0;

	for (c = 1; c < 256; c++) {
		int ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.';

		if (ldh)
			continue;
		for (pos = 0; pos < 3; pos++) {
			size_t at = pos == 0 ? 0 : pos == 1 ? 6 : 16;

			if (c == ':' && pos == 2)
				continue; /* "host:" is a port separator with no port: tested above */
			memcpy(s, "api.dev.cobo.com", 17);
			memmove(s + at + 1, s + at, 17 - at);
			s[at] = (char)c;
			total++;
			refused += hp(s) == -1;
		}
	}
	CU_ASSERT_EQUAL(refused, total);
	CU_ASSERT(total > 500);
}

static void test_ports(void)
{
	unsigned p, ok = 0;
	char s[64];

	for (p = 0; p <= 70000; p++) {
		snprintf(s, sizeof(s), "h.example:%u", p);
		if (hp(s) == 0 && o.port == p)
			ok++;
	}
	CU_ASSERT_EQUAL(ok, 65535); /* 1..65535, nothing else */
	CU_ASSERT_EQUAL(cobocred_default_port("https"), 443);
	CU_ASSERT_EQUAL(cobocred_default_port("http"), 80);
	CU_ASSERT_EQUAL(cobocred_default_port("ssh"), 0);
}

static void test_urls(void)
{
	CU_ASSERT_EQUAL(cobocred_parse_base_url("https://api.dev.cobo.com/v2", &o, &why), 0);
	CU_ASSERT_STRING_EQUAL(o.scheme, "https");
	CU_ASSERT_STRING_EQUAL(o.host, "api.dev.cobo.com");
	CU_ASSERT_EQUAL(o.port, 443);
	CU_ASSERT_EQUAL(cobocred_parse_base_url("http://127.0.0.1:8080/v2", &o, &why), 0);
	CU_ASSERT_EQUAL(o.port, 8080);
	CU_ASSERT_EQUAL(cobocred_parse_base_url("HTTPS://api.dev.cobo.com", &o, &why), -1);
	CU_ASSERT_EQUAL(cobocred_parse_base_url("ftp://api.dev.cobo.com", &o, &why), -1);
	CU_ASSERT_EQUAL(cobocred_parse_base_url("https://u@api.dev.cobo.com", &o, &why), -1);
	CU_ASSERT_EQUAL(cobocred_parse_base_url("https://api.dev.cobo.com/a b", &o, &why), -1);

	CU_ASSERT_EQUAL(cobocred_parse_docker_server("api.dev.cobo.com", &o, &why), 0);
	CU_ASSERT_STRING_EQUAL(o.scheme, "https"); /* bare: reached over https */
	CU_ASSERT_EQUAL(o.port, 443);
	CU_ASSERT_EQUAL(cobocred_parse_docker_server("API.dev.cobo.com:443/v2/", &o, &why), 0);
	CU_ASSERT_STRING_EQUAL(o.host, "api.dev.cobo.com");
	CU_ASSERT_EQUAL(cobocred_parse_docker_server("https://api.dev.cobo.com/v2", &o, &why), 0);
	CU_ASSERT_EQUAL(cobocred_parse_docker_server("http://api.dev.cobo.com", &o, &why), 0);
	CU_ASSERT_STRING_EQUAL(o.scheme, "http");
	CU_ASSERT_EQUAL(o.port, 80);
	CU_ASSERT_EQUAL(cobocred_parse_docker_server("x://api.dev.cobo.com", &o, &why), -1);
	CU_ASSERT_EQUAL(cobocred_parse_docker_server("HTTPS://api.dev.cobo.com", &o, &why), -1);
	CU_ASSERT_EQUAL(cobocred_parse_docker_server("evil@api.dev.cobo.com", &o, &why), -1);
	CU_ASSERT_EQUAL(cobocred_parse_docker_server("api.dev.cobo.com.", &o, &why), -1);
	CU_ASSERT_EQUAL(cobocred_parse_docker_server("b\xc3\xbc"
						     "cher.de",
						     &o, &why),
			-1);
}

static void origin(struct cobocred_origin *x, const char *scheme, const char *host, unsigned port)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->scheme, sizeof(x->scheme), "%s", scheme);
	snprintf(x->host, sizeof(x->host), "%s", host);
	x->port = port;
}

static void test_same_origin(void)
{
	struct cobocred_origin a, b;

	origin(&a, "https", "api.dev.cobo.com", 443);
	origin(&b, "https", "api.dev.cobo.com", 0);
	CU_ASSERT(cobocred_origin_same(&a, &b)); /* default port normalised */
	origin(&b, "http", "api.dev.cobo.com", 443);
	CU_ASSERT(!cobocred_origin_same(&a, &b));
	origin(&b, "http", "api.dev.cobo.com", 0);
	CU_ASSERT(!cobocred_origin_same(&a, &b));
	origin(&b, "https", "api.dev.cobo.com", 8443);
	CU_ASSERT(!cobocred_origin_same(&a, &b));
	origin(&b, "https", "api.dev.cobo.co", 443);
	CU_ASSERT(!cobocred_origin_same(&a, &b));
	origin(&a, "ssh", "h", 0);
	origin(&b, "ssh", "h", 0);
	CU_ASSERT(!cobocred_origin_same(&a, &b)); /* no known port: never the same */
	origin(&a, "https", "", 443);
	origin(&b, "https", "", 443);
	CU_ASSERT(!cobocred_origin_same(&a, &b));
}

static void test_show(void)
{
	char buf[128], big[300];

	CU_ASSERT_STRING_EQUAL(cobocred_show("a\x1b[31m\\b\xc3\xa9", buf, sizeof(buf)),
			       "a\\x1b[31m\\x5cb\\xc3\\xa9");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT(strlen(cobocred_show(big, buf, sizeof(buf))) <= 83);
}

/* --- routing with a configuration ---------------------------------------------------- */

static struct cobocred_ctx *ctx;

static struct cobocred_ctx *open_ctx(void)
{
	ctx = fixture_ctx_ok(
		"[stack]\nget = none\n[profile dev]\nbase_url = https://api.dev.cobo.com/v2\norg_id = org-dev\nclient_id = c\n"
		"[profile twin]\nbase_url = https://API.dev.cobo.com:443/v2\norg_id = org-twin\nclient_id = c\n"
		"[profile local]\nbase_url = http://127.0.0.1:8080/v2\norg_id = org-local\nclient_id = c\n"
		"allow_http = yes\n"
		"[profile plainhttp]\nbase_url = http://cobo.example/v2\norg_id = org-h\nclient_id = c\n"
		"allow_http = yes\n"
		"[profile six]\nbase_url = https://[::1]:8443/v2\norg_id = org-six\nclient_id = c\n");
	return ctx;
}

static int by(const char *scheme, const char *hostport, const char *user, const char **name)
{
	struct cobocred_origin x;

	*name = NULL;
	CU_ASSERT_EQUAL_FATAL(cobocred_parse_hostport(hostport, strlen(hostport), &x, &why), 0);
	snprintf(x.scheme, sizeof(x.scheme), "%s", scheme);
	return cobocred_profile_by_origin(ctx, &x, user, name);
}

static void test_routing(void)
{
	const char *name;

	open_ctx();
	/* two profiles on one origin: the username picks, else an error naming both */
	CU_ASSERT_EQUAL(by("https", "api.dev.cobo.com", NULL, &name), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "profiles dev, twin"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "credential.https://api.dev.cobo.com."));
	CU_ASSERT_EQUAL(by("https", "API.DEV.COBO.COM:443", "org-dev", &name), COBOCRED_SUCCESS);
	CU_ASSERT(name != NULL && strcmp(name, "dev") == 0);
	CU_ASSERT_EQUAL(by("https", "api.dev.cobo.com", "org-twin", &name), COBOCRED_SUCCESS);
	CU_ASSERT(name != NULL && strcmp(name, "twin") == 0);
	/* the user name is an org, never a profile's name */
	CU_ASSERT_EQUAL(by("https", "api.dev.cobo.com", "twin", &name), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(by("https", "api.dev.cobo.com", "someone", &name), COBOCRED_NOTFOUND);
	/* another scheme or port is another origin */
	CU_ASSERT_EQUAL(by("http", "api.dev.cobo.com", "org-dev", &name), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(by("https", "api.dev.cobo.com:8443", "org-dev", &name), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(by("ssh", "api.dev.cobo.com", "org-dev", &name), COBOCRED_NOTFOUND);
	/* http:// only with allow_http, on loopback */
	CU_ASSERT_EQUAL(by("http", "127.0.0.1:8080", NULL, &name), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(by("https", "127.0.0.1:8080", NULL, &name), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(by("http", "cobo.example", NULL, &name), COBOCRED_NOTFOUND);
	/* IPv6 compared in canonical form */
	CU_ASSERT_EQUAL(by("https", "[0::1]:8443", NULL, &name), COBOCRED_SUCCESS);
	CU_ASSERT(name != NULL && strcmp(name, "six") == 0);
	CU_ASSERT_EQUAL(cobocred_profile_by_name(ctx, "local", &name), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(cobocred_profile_by_name(ctx, "nosuch\x1b", &name), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "no profile 'nosuch\\x1b'"));
}

/* fill refuses a bad field before it looks anything up: one line, no value unescaped. */
static void test_fill_refuses(void)
{
	static const char *const hosts[] = { "evil.example@api.dev.cobo.com", "api.dev.cobo.com.",
					     "api.dev.cobo.com:0", "\xd0\xb0pi.dev.cobo.com",
					     "api.dev.cobo.com\x1b[2J" };
	struct cobocred_request r = { .client = COBOCRED_CLIENT_GIT, .protocol = "https" };
	struct cobocred_answer a;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		r.host = hosts[i];
		CU_ASSERT_EQUAL(cobocred_fill(ctx, &r, &a), COBOCRED_ERROR);
		CU_ASSERT_PTR_NULL(a.item);
		CU_ASSERT(strncmp(cobocred_error(ctx), "refusing host '", 15) == 0);
		CU_ASSERT_PTR_NULL(strpbrk(cobocred_error(ctx), "\n\r\x1b"));
		CU_ASSERT_EQUAL(cobocred_approve(ctx, &r), COBOCRED_ERROR);
		CU_ASSERT_EQUAL(cobocred_reject(ctx, &r), COBOCRED_ERROR);
	}
	r.host = "api.dev.cobo.com";
	r.protocol = "x://api.dev.cobo.com/";
	CU_ASSERT_EQUAL(cobocred_fill(ctx, &r, &a), COBOCRED_ERROR);
	CU_ASSERT(strncmp(cobocred_error(ctx), "refusing protocol '", 19) == 0);
	/* Docker: userinfo and escapes are refused; git's ambiguous store stays quiet */
	memset(&r, 0, sizeof(r));
	r.client = COBOCRED_CLIENT_DOCKER;
	r.server = "evil.example@api.dev.cobo.com";
	CU_ASSERT_EQUAL(cobocred_fill(ctx, &r, &a), COBOCRED_ERROR);
	CU_ASSERT(strncmp(cobocred_error(ctx), "refusing server address '", 25) == 0);
	r.server = "api.dev.cobo.com";
	CU_ASSERT_EQUAL(cobocred_approve(ctx, &r), COBOCRED_ERROR); /* ambiguous: dev, twin */
	memset(&r, 0, sizeof(r));
	r.client = COBOCRED_CLIENT_GIT;
	r.protocol = "https";
	r.host = "api.dev.cobo.com";
	CU_ASSERT_EQUAL(cobocred_approve(ctx, &r), COBOCRED_SUCCESS);
	cobocred_ctx_free(ctx);
	ctx = NULL;
}

/* The one buffer: bounded, NUL-terminated, wiped memory, refusals leave it as it was. */
static void test_sbuf(void)
{
	struct cobocred_sbuf b;
	size_t live = cobocred_secret_live();

	cobocred_sbuf_init(&b, 10);
	CU_ASSERT_STRING_EQUAL(cobocred_sbuf_str(&b), "");
	CU_ASSERT_EQUAL(cobocred_sbuf_adds(&b, "hello"), 0);
	CU_ASSERT_EQUAL(cobocred_sbuf_addf(&b, "%d", 1234), 0);
	CU_ASSERT_EQUAL(cobocred_sbuf_adds(&b, "xy"), -1); /* 11 > 10 */
	CU_ASSERT_STRING_EQUAL(cobocred_sbuf_str(&b), "hello1234");
	CU_ASSERT(b.failed);
	CU_ASSERT_EQUAL(cobocred_secret_live(), live + 1);
	cobocred_sbuf_free(&b);
	CU_ASSERT_EQUAL(cobocred_secret_live(), live);
	CU_ASSERT_EQUAL(b.max, 10);
	CU_ASSERT(!b.failed);
}

static const struct cutest_case cases[] = {
	{ "protocol", test_protocol },
	{ "host[:port] accepted, canonical", test_hostport_good },
	{ "host[:port] refused", test_hostport_bad },
	{ "every non-LDH byte refused", test_hostport_every_byte },
	{ "ports 1-65535 only", test_ports },
	{ "base_url and Docker server", test_urls },
	{ "same origin", test_same_origin },
	{ "values shown escaped", test_show },
	{ "routing by origin", test_routing },
	{ "fill/approve/reject refuse bad fields", test_fill_refuses },
	{ "bounded secret buffer", test_sbuf },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = { { "origin", cases }, { NULL, NULL } };

	return cutest_run(suites);
}
