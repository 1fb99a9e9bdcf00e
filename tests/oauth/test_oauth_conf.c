/*
 * test_oauth_conf.c - profile settings (base_url, server_key, http policy,
 * timeouts), the built-in environments against the vectors file, the
 * status mapping of token-endpoint answers, and the items handed to the core.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cobocred.h"
#include "conf.h"
#include "cutest.h"
#include "cobo_config.h"
#include "mint.h"
#include "offset.h"
#include "pins.h"
#include "secret.h"
#include "sign.h"
#include "strutil.h"
#include "test_oauth_util.h"

static char err[1024];

static void expect_err(const char *what)
{
	if (strstr(err, what) == NULL)
		fprintf(stderr, "\n  wanted '%s' in '%s'\n", what, err);
	CU_ASSERT(strstr(err, what) != NULL);
}

/* ---- base_url ---- */

static void url_ok(const char *url, int https, const char *host, const char *hostport,
		   const char *path)
{
	struct oauth_url u;

	CU_ASSERT_FATAL(oauth_url_parse(url, &u, err, sizeof(err)) == 0);
	CU_ASSERT(u.https == https);
	CU_ASSERT_STRING_EQUAL(u.host, host);
	CU_ASSERT_STRING_EQUAL(u.hostport, hostport);
	CU_ASSERT_STRING_EQUAL(u.path, path);
}

static void test_url(void)
{
	static const char *const bad[] = {
		"ftp://api.cobo.com/v2",
		"api.cobo.com/v2",
		"https://",
		"https:///v2",
		"https://user@api.cobo.com/v2",
		"https://api.cobo.com/v2?x=1",
		"https://api.cobo.com#f",
		"https://api.cobo.com:0/v2",
		"https://api.cobo.com:65536/v2",
		"https://api.cobo.com:/v2",
		"https://api.cobo.com:x1/v2",
		"https://api.cobo.com:+80/v2",
		"https://api cobo.com/v2",
		"https://api.cobo.com/v 2",
		"https://api.cobo.com/v2\n",
		"https://[::1/v2",
		"https://[::1]x/v2",
		"https://api.cobo.com/\xc3\xa9",
		"https://a_b.com/v2",
	};
	size_t i;

	url_ok("https://api.dev.cobo.com/v2", 1, "api.dev.cobo.com", "api.dev.cobo.com", "/v2");
	url_ok("HTTPS://API.Cobo.com/v2/", 1, "api.cobo.com", "api.cobo.com", "/v2");
	url_ok("https://127.0.0.1:8443/v2//", 1, "127.0.0.1", "127.0.0.1:8443", "/v2");
	url_ok("https://example.com", 1, "example.com", "example.com", "");
	url_ok("http://localhost:80/a/b", 0, "localhost", "localhost:80", "/a/b");
	url_ok("https://[::1]:9000/v2", 1, "[::1]", "[::1]:9000", "/v2");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct oauth_url u;
		int r = oauth_url_parse(bad[i], &u, err, sizeof(err));

		if (r != -1)
			fprintf(stderr, "\n  accepted bad base_url '%s'\n", bad[i]);
		CU_ASSERT(r == -1);
		CU_ASSERT(strchr(err, '\n') == NULL && strstr(err, "base_url") != NULL);
	}
}

static void test_loopback(void)
{
	CU_ASSERT(oauth_host_is_loopback("127.0.0.1"));
	CU_ASSERT(oauth_host_is_loopback("127.255.3.4"));
	CU_ASSERT(oauth_host_is_loopback("localhost"));
	CU_ASSERT(oauth_host_is_loopback("LocalHost"));
	CU_ASSERT(oauth_host_is_loopback("[::1]"));
	CU_ASSERT(!oauth_host_is_loopback("128.0.0.1"));
	CU_ASSERT(!oauth_host_is_loopback("10.0.0.1"));
	CU_ASSERT(!oauth_host_is_loopback("127.0.0.1.evil.example"));
	CU_ASSERT(!oauth_host_is_loopback("localhost.evil.example"));
	CU_ASSERT(!oauth_host_is_loopback("0x7f.1"));
	CU_ASSERT(!oauth_host_is_loopback("api.cobo.com"));
}

/* ---- server keys ---- */

static void test_environments_match_vectors(void)
{
	struct json_object *v = oauth_test_load_json("tests/vectors/cobo-environments.json"), *envs,
			   *e;
	const char *name, *base, *key;
	unsigned char k[32], want[32];
	struct oauth_url u;
	size_t i;

	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_FATAL(json_object_object_get_ex(v, "environments", &envs));
	CU_ASSERT(json_object_object_length(envs) == 3);
	for (i = 0; (name = oauth_env_name(i, &base, &key)) != NULL; i++) {
		CU_ASSERT_FATAL(json_object_object_get_ex(envs, name, &e));
		CU_ASSERT_STRING_EQUAL(base, oauth_test_str(e, "base_url"));
		CU_ASSERT_STRING_EQUAL(key, oauth_test_str(e, "response_pubkey"));
		/* By name, and by the base_url host when server_key is absent. */
		CU_ASSERT(oauth_test_unhex(oauth_test_str(e, "response_pubkey"), want, 32) == 32);
		CU_ASSERT(oauth_server_key(name, "ignored.example", k, err, sizeof(err)) == 0);
		CU_ASSERT(memcmp(k, want, 32) == 0);
		CU_ASSERT_FATAL(oauth_url_parse(base, &u, err, sizeof(err)) == 0);
		CU_ASSERT(oauth_server_key(NULL, u.host, k, err, sizeof(err)) == 0);
		CU_ASSERT(memcmp(k, want, 32) == 0);
	}
	CU_ASSERT(i == 3);
	json_object_put(v);
}

static void test_server_key(void)
{
	unsigned char k[32];
	char hex[65];

	memset(hex, 'a', 64);
	hex[64] = '\0';
	CU_ASSERT(oauth_server_key(hex, "x.example", k, err, sizeof(err)) == 0);
	CU_ASSERT(k[0] == 0xaa && k[31] == 0xaa);
	CU_ASSERT(oauth_server_key(NULL, "api.other.example", k, err, sizeof(err)) == -1);
	expect_err("set server_key");
	CU_ASSERT(oauth_server_key("staging", "x", k, err, sizeof(err)) == -1);
	expect_err("not dev, sandbox, prod or 64 hex");
	hex[63] = '\0';
	CU_ASSERT(oauth_server_key(hex, "x", k, err, sizeof(err)) == -1);
	CU_ASSERT(oauth_server_key("DEV", "x", k, err, sizeof(err)) == -1);
}

/* ---- settings through a real host ---- */

static struct cobocred_ctx *ctx;

/* A context whose config has [profile p] with the given extra lines. */
static const struct cobocred_host *host_with(const char *lines)
{
	char text[4096], path[512];

	cobocred_ctx_free(ctx);
	ctx = NULL;
	snprintf(text, sizeof(text),
		 "[stack]\nget = cobo-oauth\n[profile p]\nclient_id = cid\norg_id = org-1\n%s",
		 lines);
	snprintf(path, sizeof(path), "%s/oauth.conf", cutest_tmpdir());
	cutest_write(path, text, 0600);
	CU_ASSERT_FATAL(cobocred_ctx_new(path, &ctx) == COBOCRED_SUCCESS);
	return cobocred_ctx_host(ctx);
}

static int load(const char *lines, struct oauth_conf *c)
{
	const struct cobocred_host *h = host_with(lines);

	return oauth_conf_load(h, "p", c, err, sizeof(err));
}

static void test_conf_defaults(void)
{
	struct oauth_conf c;

	CU_ASSERT_FATAL(load("base_url = https://api.dev.cobo.com/v2\n", &c) == COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(c.token_url, "https://api.dev.cobo.com/v2/oauth/token");
	CU_ASSERT_STRING_EQUAL(c.token_path, "/v2/oauth/token");
	CU_ASSERT_STRING_EQUAL(c.client_id, "cid");
	CU_ASSERT_STRING_EQUAL(c.org_id, "org-1");
	CU_ASSERT(c.app_secret == NULL);
	CU_ASSERT(c.connect_timeout == 5 && c.timeout == 20 && c.allow_http == 0);
	CU_ASSERT(c.max_clock_skew == 300);
	CU_ASSERT(c.ca_file[0] == '\0');
	CU_ASSERT_STRING_EQUAL(oauth_test_hex(c.server_key, 32),
			       "a04ea1d5fa8da71f1dcfccf972b9c4eba0a2d8aba1f6da26f49977b08a0d2718");
}

static void test_conf_settings(void)
{
	struct oauth_conf c;
	char lines[1024];

	snprintf(lines, sizeof(lines),
		 "base_url = https://127.0.0.1:8443/api/v2/\nserver_key = "
		 "sandbox\nconnect_timeout = 2\ntimeout = 7\nca_file = %s/oauth.conf\n"
		 "app_secret = env:X\n",
		 cutest_tmpdir());
	CU_ASSERT_FATAL(load(lines, &c) == COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(c.token_url, "https://127.0.0.1:8443/api/v2/oauth/token");
	CU_ASSERT_STRING_EQUAL(c.token_path, "/api/v2/oauth/token");
	CU_ASSERT(c.connect_timeout == 2 && c.timeout == 7);
	CU_ASSERT_STRING_EQUAL(c.app_secret, "env:X");
	CU_ASSERT(strstr(c.ca_file, "oauth.conf") != NULL);
	CU_ASSERT_STRING_EQUAL(oauth_test_hex(c.server_key, 32),
			       "893d8a6112ae22429a7453599256391d7928e16870ecab888ee3ce65febada08");
}

static void test_conf_refusals(void)
{
	struct oauth_conf c;

	CU_ASSERT(load("base_url = https://private.example/v2\n", &c) == COBOCRED_ERROR);
	expect_err("set server_key");
	CU_ASSERT(load("base_url = http://127.0.0.1:8080/v2\nserver_key = dev\n", &c) ==
		  COBOCRED_ERROR);
	expect_err("is http://; use https://");
	CU_ASSERT(load("base_url = http://127.0.0.1:8080/v2\nserver_key = dev\nallow_http = yes\n",
		       &c) == COBOCRED_SUCCESS);
	CU_ASSERT(c.allow_http == 1);
	CU_ASSERT_STRING_EQUAL(c.token_url, "http://127.0.0.1:8080/v2/oauth/token");
	CU_ASSERT(load("base_url = http://localhost:8080/v2\nserver_key = dev\nallow_http = true\n",
		       &c) == COBOCRED_SUCCESS);
	CU_ASSERT(load("base_url = http://api.dev.cobo.com/v2\nallow_http = yes\n", &c) ==
		  COBOCRED_ERROR);
	expect_err("honoured only for 127.0.0.0/8 or localhost");
	CU_ASSERT(load("base_url = http://10.1.1.1/v2\nserver_key = dev\nallow_http = yes\n", &c) ==
		  COBOCRED_ERROR);
	CU_ASSERT(load("base_url = https://api.dev.cobo.com/v2\nallow_http = maybe\n", &c) ==
		  COBOCRED_ERROR);
	expect_err("allow_http 'maybe'");
	CU_ASSERT(load("base_url = https://api.dev.cobo.com/v2\ntimeout = 0\n", &c) ==
		  COBOCRED_ERROR);
	expect_err("timeout '0'");
	CU_ASSERT(load("base_url = https://api.dev.cobo.com/v2\nconnect_timeout = 5s\n", &c) ==
		  COBOCRED_ERROR);
	CU_ASSERT(load("base_url = https://api.dev.cobo.com/v2\ntimeout = 99999\n", &c) ==
		  COBOCRED_ERROR);
	CU_ASSERT(load("base_url = https://api.dev.cobo.com/v2\nca_file = /nonexistent/ca.pem\n",
		       &c) == COBOCRED_ERROR);
	expect_err("ca_file /nonexistent/ca.pem");
	CU_ASSERT(load("base_url = ftp://api.dev.cobo.com/v2\n", &c) == COBOCRED_ERROR);
	CU_ASSERT(load("base_url = https://api.dev.cobo.com/v2\nserver_key = nope\n", &c) ==
		  COBOCRED_ERROR);
}

/* max_clock_skew: seconds, 1..86400, default 300 (also a key the core's parser accepts). */
static void test_conf_clock_skew(void)
{
	static const char *const bad[] = { "0", "-1", "86401", "5m", "", "1e3", "0x10" };
	char lines[256];
	struct oauth_conf c;
	size_t i;

	CU_ASSERT_FATAL(load("base_url = https://api.dev.cobo.com/v2\nmax_clock_skew = 60\n", &c) ==
			COBOCRED_SUCCESS);
	CU_ASSERT(c.max_clock_skew == 60);
	CU_ASSERT(load("base_url = https://api.dev.cobo.com/v2\nmax_clock_skew = 1\n", &c) ==
			  COBOCRED_SUCCESS &&
		  c.max_clock_skew == 1);
	CU_ASSERT(load("base_url = https://api.dev.cobo.com/v2\nmax_clock_skew = 86400\n", &c) ==
			  COBOCRED_SUCCESS &&
		  c.max_clock_skew == 86400);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(lines, sizeof(lines),
			 "base_url = https://api.dev.cobo.com/v2\n"
			 "max_clock_skew = %s\n",
			 bad[i]);
		err[0] = '\0';
		CU_ASSERT(load(lines, &c) == COBOCRED_ERROR);
		expect_err("max_clock_skew '");
		expect_err("1..86400");
	}
}

/* ---- pin_sha256 ---- */

#define PIN_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" /* 32 zero bytes */
#define PIN_F "//////////////////////////////////////////8=" /* 32 0xff bytes */
#define PIN_K "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" /* sha256 of "" */

static int pin_bad(const char *setting)
{
	err[0] = '\0';
	if (cobocred_pins_check(setting, err, sizeof(err)) == 0)
		return 0;
	CU_ASSERT(err[0] != '\0' && strchr(err, '\n') == NULL);
	return 1;
}

/* Good settings, and what libcurl is handed for them. */
static void test_pins_good(void)
{
	struct oauth_conf c;
	char lines[1024];
	size_t i;

	CU_ASSERT_FATAL(load("base_url = https://api.dev.cobo.com/v2\n", &c) == COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(c.pins, "");
	CU_ASSERT_FATAL(load("base_url = https://api.dev.cobo.com/v2\npin_sha256 = " PIN_K "\n",
			     &c) == COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(c.pins, "sha256//" PIN_K);
	CU_ASSERT_FATAL(load("base_url = https://api.dev.cobo.com/v2\n"
			     "pin_sha256 = " PIN_A ", " PIN_F "\t" PIN_K "\n",
			     &c) == COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(c.pins, "sha256//" PIN_A ";sha256//" PIN_F ";sha256//" PIN_K);
	snprintf(lines, sizeof(lines), "base_url = https://api.dev.cobo.com/v2\npin_sha256 =");
	for (i = 0; i < COBOCRED_PINS_MAX; i++)
		snprintf(lines + strlen(lines), sizeof(lines) - strlen(lines), "%s%s",
			 i ? "," : " ", PIN_K);
	CU_ASSERT_FATAL(load(lines, &c) == COBOCRED_SUCCESS);
	CU_ASSERT(strlen(c.pins) == COBOCRED_PINS_MAX * (8 + 44) + COBOCRED_PINS_MAX - 1);
	CU_ASSERT(!pin_bad(PIN_A) && !pin_bad(" " PIN_A " ") && !pin_bad(PIN_A " ," PIN_F));
}

/*
 * Generated refusals: every byte in three places of a good pin, every
 * length around 44, stray padding bits, separators, counts, curl's own
 * prefix, a hex digest.
 */
static void test_pins_bad(void)
{
	static const char *const bad[] = {
		"",
		" ",
		",",
		("," PIN_A),
		(PIN_A ","),
		(PIN_A ", "),
		(PIN_A ",," PIN_F),
		(PIN_A ", ," PIN_F),
		("sha256//" PIN_A),
		(PIN_A ";" PIN_F),
		("sha256//" PIN_A ";sha256//" PIN_F),
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
		"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
	};
	const int where[] = { 0, 21, 42, 43 };
	char pin[64], many[1024], lines[512];
	size_t i, n;
	int b, w;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT(pin_bad(bad[i]));
		expect_err("pin_sha256");
	}
	for (w = 0; w < 4; w++)
		for (b = 1; b < 256; b++) {
			int ok = where[w] == 43 ? b == '='
				 : where[w] == 42
					 ? strchr("AEIMQUYcgkosw048", b) != NULL
					 : (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ||
						   (b >= '0' && b <= '9') || b == '+' || b == '/';

			if (b == ',' || b == ' ' || b == '\t')
				continue; /* separators: other cases */
			memcpy(pin, PIN_K, 45);
			pin[where[w]] = (char)b;
			CU_ASSERT(pin_bad(pin) == !ok);
		}
	for (n = 0; n < 50; n++) {
		memset(pin, 'A', n);
		pin[n] = '\0';
		if (n > 0)
			pin[n - 1] = '=';
		CU_ASSERT(pin_bad(pin) == (n != 44));
	}
	many[0] = '\0';
	for (i = 0; i <= COBOCRED_PINS_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s%s", i ? "," : "",
			 PIN_K);
	CU_ASSERT(pin_bad(many));
	expect_err("more than 8 pins");
	CU_ASSERT(pin_bad("sha256//" PIN_A));
	expect_err("starts with sha256// (write the base64 alone)");
	CU_ASSERT(pin_bad(PIN_A ",\001x"));
	expect_err("pin 2 '?x'"); /* shown, never raw control bytes */
	/* the module refuses a bad pin too, when a host did not */
	CU_ASSERT(cobocred_pins_curl(PIN_A ",", lines, sizeof(lines), err, sizeof(err)) == -1);
	CU_ASSERT(cobocred_pins_curl(PIN_A, lines, 10, err, sizeof(err)) == -1);
}

/* The config parser refuses a bad pin with FILE:LINE, before any module runs. */
static void test_pins_file_line(void)
{
	static const char *const bad[] = { "x", (PIN_A ","), ("sha256//" PIN_A), "" };
	struct cobocred_config *cfg = NULL;
	char text[512], want[600];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "[profile p]\nbase_url = https://api.dev.cobo.com/v2\nclient_id = c\n"
			 "org_id = o\npin_sha256 = %s\n",
			 bad[i]);
		err[0] = '\0';
		CU_ASSERT(cobocred_config_parse("/etc/x.conf", text, strlen(text), &cfg, err,
						sizeof(err)) != COBOCRED_SUCCESS);
		CU_ASSERT(cfg == NULL);
		snprintf(want, sizeof(want), "/etc/x.conf:5: [profile p] pin_sha256: ");
		expect_err(want);
	}
	snprintf(text, sizeof(text),
		 "[profile p]\nbase_url = https://api.dev.cobo.com/v2\nclient_id = c\n"
		 "org_id = o\npin_sha256 = %s\n",
		 PIN_A);
	CU_ASSERT(cobocred_config_parse("/etc/x.conf", text, strlen(text), &cfg, err,
					sizeof(err)) == COBOCRED_SUCCESS);
	cobocred_config_free(cfg);
}

/* ---- status mapping ---- */

static struct oauth_conf jc;
static unsigned char server_seed[32];

static void judge_setup(void)
{
	memset(&jc, 0, sizeof(jc));
	jc.profile = "p";
	jc.org_id = "org-1";
	jc.client_id = "cid";
	jc.timeout = 20;
	jc.max_clock_skew = 300;
	snprintf(jc.url.hostport, sizeof(jc.url.hostport), "cobo.test:8443");
	memset(server_seed, 7, sizeof(server_seed));
	CU_ASSERT_FATAL(oauth_ed25519_pub(server_seed, jc.server_key) == 0);
}

#define JUDGE_TS "1700000000123" /* the answers' Biz-Timestamp */
#define JUDGE_MS 1700000000123LL

/* The local clock and the refresh token sent, as judge() passes them. */
static int64_t judge_now = JUDGE_MS;
static const char *judge_sent = "RT_sent";
/* When the request went out, the newest answer accepted, the refresh token cached. */
static int64_t judge_nonce, judge_newest, judge_ahead, judge_confirm;
static const char *judge_cached;

/* A response with status and body, dated ts, signed by the server key when sign is set. */
static void answer_at(struct oauth_http_resp *r, long status, const char *body, const char *ts,
		      int sign)
{
	unsigned char digest[32], sig[64];

	memset(r, 0, sizeof(*r));
	r->status = status;
	r->body = cobocred_secret_dup(body, strlen(body));
	r->body_len = strlen(body);
	snprintf(r->timestamp, sizeof(r->timestamp), "%s", ts);
	if (sign) {
		CU_ASSERT_FATAL(oauth_response_digest(body, strlen(body), r->timestamp, digest) ==
				0);
		CU_ASSERT_FATAL(oauth_ed25519_sign(server_seed, digest, 32, sig) == 0);
		cobocred_hex_encode(sig, 64, r->signature);
	}
}

static void answer(struct oauth_http_resp *r, long status, const char *body, int sign)
{
	answer_at(r, status, body, JUDGE_TS, sign);
}

static int judge(struct oauth_http_resp *r, int refresh, int transport_ok, int *fallback,
		 int *retry)
{
	struct oauth_sent sent = { .refresh = refresh ? judge_sent : NULL,
				   .refresh_len = refresh ? strlen(judge_sent) : 0,
				   .now_ms = judge_now,
				   .nonce_ms = judge_nonce,
				   .newest_ms = judge_newest,
				   .cached = judge_cached,
				   .cached_len = judge_cached ? strlen(judge_cached) : 0 };
	struct oauth_token t;
	int st;

	err[0] = '\0';
	st = oauth_judge(&jc, &sent, transport_ok, r, &t, fallback, retry, err, sizeof(err));

	CU_ASSERT((st == COBOCRED_SUCCESS) == (t.access_token != NULL));
	CU_ASSERT(st == COBOCRED_SUCCESS || strchr(err, '\n') == NULL);
	oauth_token_clear(&t);
	oauth_http_resp_clear(r);
	return st;
}

#define TOKEN_BODY                                                                \
	"{\"access_token\":\"AT_x\",\"token_type\":\"Bearer\",\"expires_in\":60," \
	"\"refresh_token\":\"RT_y\"}"

static void test_judge_success(void)
{
	struct oauth_http_resp r;
	int fb, rt;

	judge_setup();
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_SUCCESS);
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_SUCCESS);
	answer(&r, 200, TOKEN_BODY, 0);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	expect_err("response signature invalid: refusing the token");
	expect_err("check server_key");
	answer(&r, 200, TOKEN_BODY, 1);
	r.body[40] ^= 1; /* tampered after signing */
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	expect_err("does not verify");
	answer(&r, 200, TOKEN_BODY, 1);
	r.timestamp[0] = '\0';
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	answer(&r, 200, TOKEN_BODY, 1);
	r.header_conflict = 1;
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	expect_err("repeated or overlong");
	answer(&r, 200, "{\"access_token\":\"AT_x\"}", 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_ERROR);
	CU_ASSERT(fb == 0);
	expect_err("malformed token response from cobo.test:8443 (HTTP 200): field 'token_type'");
}

/* Biz-Timestamp against the local clock: +-300 s to the millisecond, then refused. */
static void test_judge_fresh(void)
{
	static const int64_t ok_ms[] = { 0, 300000, -300000, 299999, -299999, 1, -1 };
	static const int64_t stale_ms[] = { 300001,  -300001, 301000,
					    -301000, 3600000, -30LL * 86400 * 1000 };
	struct oauth_http_resp r;
	size_t i;
	int fb, rt;

	judge_setup();
	for (i = 0; i < sizeof(ok_ms) / sizeof(ok_ms[0]); i++) {
		judge_now = JUDGE_MS + ok_ms[i];
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_SUCCESS);
		answer(&r, 201, TOKEN_BODY, 1);
		CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_SUCCESS);
	}
	for (i = 0; i < sizeof(stale_ms) / sizeof(stale_ms[0]); i++) {
		judge_now = JUDGE_MS + stale_ms[i];
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR && rt == 0 && fb == 0);
		expect_err("refusing the answer from cobo.test:8443 as stale or replayed");
		expect_err("fix the clock");
		expect_err("nothing was stored");
		answer(&r, 201, TOKEN_BODY, 1);
		CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_ERROR && fb == 0);
	}
	/* both times, in UTC, and the distance */
	judge_now = JUDGE_MS + 301000;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	expect_err("dated 2023-11-14 22:13:20.123 UTC");
	expect_err("local clock says 2023-11-14 22:18:21.123 UTC");
	expect_err("301.000 s in the past, more than the 300 s allowed");
	/* the profile's window */
	jc.max_clock_skew = 3600;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_SUCCESS);
	judge_now = JUDGE_MS - 3600001;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	expect_err("3600.001 s in the future, more than the 3600 s allowed");
	jc.max_clock_skew = 1;
	judge_now = JUDGE_MS + 1001;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	judge_now = JUDGE_MS + 1000;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_SUCCESS);
	/* the signature is checked first: a forged date is a bad signature, not a stale one */
	judge_now = JUDGE_MS + 3600000;
	answer(&r, 200, TOKEN_BODY, 0);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	expect_err("response signature invalid");
	judge_now = JUDGE_MS;
	jc.max_clock_skew = 300;
}

/* A Biz-Timestamp that is signed but not unix milliseconds is refused, not read loosely. */
static void test_judge_timestamp_garbage(void)
{
	static const char *const bad[] = {
		"1700000000123.0",
		"+1700000000123",
		"-1700000000123",
		" 1700000000123",
		"1700000000123 ",
		"0x18BCFE56800",
		"1.7e12",
		"1700000000123\t",
		"abc",
		"1234567890123456789",
		"17000000001\357\274\2223",
	};
	struct oauth_http_resp r;
	size_t i;
	int fb, rt;

	judge_setup();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		answer_at(&r, 200, TOKEN_BODY, bad[i], 1);
		CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_ERROR && fb == 0);
		expect_err("is not unix milliseconds; nothing was stored");
	}
	answer_at(&r, 200, TOKEN_BODY, "", 1); /* a missing header */
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	expect_err("no Biz-Resp-Signature or Biz-Timestamp header");
}

/*
 * Bound to its request: signed after the nonce (give or take
 * OAUTH_ORDER_SKEW_MS), never before the newest answer accepted; neither
 * refusal falls back to a mint or retries, both say "replayed".
 */
static void test_judge_order(void)
{
	struct oauth_http_resp r;
	int fb, rt, refresh;

	judge_setup();
	for (refresh = 0; refresh < 2; refresh++) {
		judge_nonce = JUDGE_MS + OAUTH_ORDER_SKEW_MS; /* at the bound */
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_SUCCESS);
		judge_nonce = JUDGE_MS + OAUTH_ORDER_SKEW_MS + 1;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_ERROR && fb == 0 && rt == 0);
		expect_err(
			"refusing the answer from cobo.test:8443 as replayed: it was signed at "
			"2023-11-14 22:13:20.123 UTC (Biz-Timestamp), 5.001 s before this request");
		expect_err("more than the 5.000 s allowed; this machine's clock is");
		expect_err("nothing was stored");
		judge_nonce = JUDGE_MS - 1000;
		judge_newest = JUDGE_MS; /* the same millisecond: accepted */
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_SUCCESS);
		judge_newest = JUDGE_MS + 1;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_ERROR && fb == 0 && rt == 0);
		expect_err("before the newest answer already accepted for this app and org");
		judge_nonce = judge_newest = 0;
	}
}

/* Cobo rotates refresh tokens: an answer that hands back the one sent is a replay. */
static void test_judge_rotation(void)
{
	struct oauth_http_resp r;
	int fb, rt;

	judge_setup();
	judge_sent = "RT_y"; /* the refresh token in TOKEN_BODY */
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_ERROR && fb == 0 && rt == 0);
	expect_err("refusing the refresh answer from cobo.test:8443: it hands back the refresh "
		   "token that was sent");
	expect_err("nothing was stored");
	CU_ASSERT(strstr(err, "RT_y") == NULL); /* never the token itself */
	answer(&r, 200, TOKEN_BODY, 1);		/* a mint sent none: nothing to echo */
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_SUCCESS);
	judge_sent = "RT_yz"; /* longer, shorter, other: new tokens */
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_SUCCESS);
	judge_sent = "RT_";
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_SUCCESS);
	judge_sent = "RT_Y";
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_SUCCESS);
	/* a mint after a rejected refresh: handing back the cached one is a replay too */
	judge_cached = "RT_y";
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR && fb == 0 && rt == 0);
	expect_err("refusing the mint answer from cobo.test:8443: it hands back the refresh "
		   "token already cached");
	CU_ASSERT(strstr(err, "RT_y") == NULL);
	judge_cached = "RT_yz";
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_SUCCESS);
	judge_cached = NULL;
	judge_sent = "RT_sent";
}

static void test_judge_errors(void)
{
	struct oauth_http_resp r;
	int fb, rt;

	judge_setup();
	answer(&r, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"used\"}", 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_DENIED && fb == 1);
	answer(&r, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"used\"}", 0);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_DENIED && fb == 1);
	answer(&r, 401, "{\"error_code\":2099,\"error_message\":\"Refresh token expired\"}", 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_DENIED && fb == 1);
	answer(&r, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"used\"}", 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_DENIED && fb == 0);
	answer(&r, 403,
	       "{\"error_code\":2030,\"error_message\":\"app not installed\",\"error_id\":\"e1\"}",
	       1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_DENIED && fb == 0);
	expect_err("Cobo refused the token for org org-1 (HTTP 403, error 2030: app not installed "
		   "(error id e1)); check org_id");
	answer(&r, 401, "{\"error_code\":2024,\"error_message\":\"signature verification failed\"}",
	       1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_DENIED);
	expect_err("check app_secret");
	answer(&r, 404, "not json", 0);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_DENIED);
	expect_err("no Cobo error in the body, unsigned");
	answer(&r, 503, "", 0);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_TRYAGAIN);
	expect_err("without a Cobo signature");
	answer(&r, 429, "{\"error_code\":1,\"error_message\":\"slow down\"}", 1);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_TRYAGAIN);
	answer(&r, 500, "{\"error_code\":2000,\"error_message\":\"boom\"}", 1);
	CU_ASSERT(judge(&r, 1, 1, &fb, &rt) == COBOCRED_TRYAGAIN && fb == 0);
	expect_err("HTTP 500, error 2000: boom");
	answer(&r, 301, "", 0);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
	expect_err("redirects are not followed");
	answer(&r, 100, "", 0);
	CU_ASSERT(judge(&r, 0, 1, &fb, &rt) == COBOCRED_ERROR);
}

static void transport(struct oauth_http_resp *r, int code, int sent, int too_large)
{
	memset(r, 0, sizeof(*r));
	r->curl_code = code;
	r->sent = sent;
	r->too_large = too_large;
	snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror((CURLcode)code));
}

static void test_judge_transport(void)
{
	struct oauth_http_resp r;
	int fb, rt;

	judge_setup();
	transport(&r, CURLE_WRITE_ERROR, 1, 1);
	CU_ASSERT(judge(&r, 1, 0, &fb, &rt) == COBOCRED_ERROR && fb == 0 && rt == 0);
	expect_err("response too large");
	transport(&r, CURLE_PEER_FAILED_VERIFICATION, 0, 0);
	CU_ASSERT(judge(&r, 0, 0, &fb, &rt) == COBOCRED_ERROR && rt == 0);
	expect_err("TLS verification of cobo.test:8443 failed");
	transport(&r, CURLE_OPERATION_TIMEDOUT, 1, 0);
	CU_ASSERT(judge(&r, 1, 0, &fb, &rt) == COBOCRED_TRYAGAIN && fb == 1 && rt == 0);
	expect_err("within 20 s");
	transport(&r, CURLE_OPERATION_TIMEDOUT, 0, 0);
	CU_ASSERT(judge(&r, 1, 0, &fb, &rt) == COBOCRED_TRYAGAIN && fb == 0);
	transport(&r, CURLE_GOT_NOTHING, 1, 0);
	CU_ASSERT(judge(&r, 1, 0, &fb, &rt) == COBOCRED_TRYAGAIN && fb == 1);
	transport(&r, CURLE_GOT_NOTHING, 1, 0);
	CU_ASSERT(judge(&r, 0, 0, &fb, &rt) == COBOCRED_TRYAGAIN && fb == 0 && rt == 1);
	transport(&r, CURLE_COULDNT_CONNECT, 0, 0);
	CU_ASSERT(judge(&r, 1, 0, &fb, &rt) == COBOCRED_TRYAGAIN && fb == 0);
	expect_err("cannot reach cobo.test:8443");
	transport(&r, CURLE_UNSUPPORTED_PROTOCOL, 0, 0);
	CU_ASSERT(judge(&r, 0, 0, &fb, &rt) == COBOCRED_ERROR);
}

/* ---- queries and items ---- */

static void test_query_applies(void)
{
	struct cobocred_attr access[] = { { "base_url", "u" }, { "kind", "access" } };
	struct cobocred_attr refresh[] = { { "kind", "refresh" } };
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = COBOCRED_SCHEMA_COBO,
				    .n_attrs = 2,
				    .attrs = access,
				    .profile = "p" };
	struct cobocred_item *out = (struct cobocred_item *)&q;

	CU_ASSERT(oauth_query_applies(&q));
	q.profile = NULL;
	CU_ASSERT(!oauth_query_applies(&q));
	CU_ASSERT(oauth_get_token(host_with("base_url = https://api.dev.cobo.com/v2\n"), &q,
				  &out) == COBOCRED_NOTFOUND);
	CU_ASSERT(out == NULL);
	q.profile = "p";
	q.schema = COBOCRED_SCHEMA_GIT;
	CU_ASSERT(!oauth_query_applies(&q));
	q.schema = COBOCRED_SCHEMA_COBO;
	q.attrs = refresh;
	q.n_attrs = 1;
	CU_ASSERT(!oauth_query_applies(&q));
	q.n_attrs = 0;
	CU_ASSERT(!oauth_query_applies(&q));
	CU_ASSERT(!oauth_query_applies(NULL));
}

static void test_items(void)
{
	const struct cobocred_host *h = host_with("base_url = https://api.dev.cobo.com/v2/\n");
	struct oauth_token t = { 0 };
	struct cobocred_item *items = NULL, *at;
	struct oauth_conf c;
	static const char *const names[] = { "base_url", "client_id", "org_id", "kind" };
	size_t i;

	CU_ASSERT_FATAL(oauth_conf_load(h, "p", &c, err, sizeof(err)) == COBOCRED_SUCCESS);
	t.access_token = cobocred_secret_dup("AT_1", 4);
	t.access_len = 4;
	t.refresh_token = cobocred_secret_dup("RT_2", 4);
	t.refresh_len = 4;
	t.expires_in = 3600;
	CU_ASSERT_FATAL(oauth_items_build(h, &c, &t, 1000, &items) == 0);
	oauth_token_clear(&t);
	CU_ASSERT_FATAL(items != NULL && items->next != NULL && items->next->next == NULL);
	at = items->next;
	CU_ASSERT_STRING_EQUAL(items->schema, COBOCRED_SCHEMA_COBO);
	CU_ASSERT_STRING_EQUAL(items->label, "Cobo Org Refresh Token (org-1 on api.dev.cobo.com)");
	CU_ASSERT_STRING_EQUAL(at->label, "Cobo Org Access Token (org-1 on api.dev.cobo.com)");
	CU_ASSERT_STRING_EQUAL((const char *)items->secret, "RT_2");
	CU_ASSERT_STRING_EQUAL((const char *)at->secret, "AT_1");
	CU_ASSERT(items->created_at == 1000 && items->expires_at == 1000 + 30 * 86400);
	CU_ASSERT(at->created_at == 1000 && at->expires_at == 4600);
	h->item_free(items);
	/* dated by Cobo's signature: the refresh token; the access token keeps the local clock */
	t.access_token = cobocred_secret_dup("AT_1", 4);
	t.access_len = 4;
	t.refresh_token = cobocred_secret_dup("RT_2", 4);
	t.refresh_len = 4;
	t.expires_in = 3600;
	t.signed_ms = 1700000000999LL;
	CU_ASSERT_FATAL(oauth_items_build(h, &c, &t, 1000, &items) == 0);
	oauth_token_clear(&t);
	at = items->next;
	CU_ASSERT(items->created_at == 1700000000 && items->expires_at == 1700000000 + 30 * 86400);
	CU_ASSERT(at->created_at == 1000 && at->expires_at == 4600);
	CU_ASSERT(items->n_attrs == 4 && at->n_attrs == 4);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_STRING_EQUAL(items->attrs[i].name, names[i]);
		CU_ASSERT_STRING_EQUAL(at->attrs[i].name, names[i]);
	}
	/* base_url exactly as configured: it is what the core's queries carry. */
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(at, "base_url"), "https://api.dev.cobo.com/v2/");
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(items, "kind"), "refresh");
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(at, "kind"), "access");
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(at, "org_id"), "org-1");
	h->item_free(items);
}

static const struct cutest_case conf_cases[] = {
	{ "base_url parsing", test_url },
	{ "loopback hosts", test_loopback },
	{ "built-in environments match the vectors", test_environments_match_vectors },
	{ "server_key values", test_server_key },
	{ "profile defaults", test_conf_defaults },
	{ "profile settings", test_conf_settings },
	{ "settings that fail closed", test_conf_refusals },
	{ "max_clock_skew", test_conf_clock_skew },
	{ "pin_sha256 values and what libcurl gets", test_pins_good },
	{ "pin_sha256 refusals, generated", test_pins_bad },
	{ "pin_sha256 refused with FILE:LINE", test_pins_file_line },
	{ NULL, NULL },
};

#define NONCE_REFUSED                                                         \
	"{\"error_code\":2022,\"error_message\":\"Biz-Api-Nonce outside the " \
	"allowed time window\",\"error_id\":\"e1\"}"
#define NOT_INSTALLED \
	"{\"error_code\":2030,\"error_message\":\"app is not installed\",\"error_id\":\"e2\"}"

/* A signed error answer dates Cobo's clock: beyond the window, or a refused nonce, names it. */
static void test_judge_clock(void)
{
	struct oauth_http_resp r;
	int fb, rt, refresh;

	judge_setup();
	judge_nonce = judge_newest = 0;
	judge_cached = NULL;
	for (refresh = 0; refresh <= 1; refresh++) {
		judge_now = JUDGE_MS + 600000; /* this machine 600 s ahead */
		answer(&r, 401, NONCE_REFUSED, 1);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_TRYAGAIN && fb == 0 &&
			  rt == 0);
		expect_err("this machine's clock is 600 s ahead of Cobo's (local "
			   "2023-11-14T22:23:20Z, Cobo 2023-11-14T22:13:20Z): set the time (NTP) "
			   "and retry");
		CU_ASSERT(strstr(err, "app_secret") == NULL);
		judge_now = JUDGE_MS - 400000; /* 400 s behind, whatever the error says */
		answer(&r, 403, NOT_INSTALLED, 1);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_TRYAGAIN && fb == 0);
		expect_err("this machine's clock is 400 s behind Cobo's");
		judge_now = JUDGE_MS - 300000; /* at the window: Cobo's own answer stands */
		answer(&r, 403, NOT_INSTALLED, 1);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_DENIED);
		expect_err("check org_id");
		judge_now = JUDGE_MS +
			    20000; /* refused nonce, clock within our guess of the window */
		answer(&r, 401, NONCE_REFUSED, 1);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_TRYAGAIN);
		expect_err("this machine's clock is 20 s ahead of Cobo's");
		judge_now = JUDGE_MS + 600000; /* unsigned: its time is nobody's word */
		answer(&r, 401, NONCE_REFUSED, 0);
		CU_ASSERT(judge(&r, refresh, 1, &fb, &rt) == COBOCRED_DENIED);
		CU_ASSERT(strstr(err, "clock") == NULL);
	}
	judge_now = JUDGE_MS;
}

/* One exchange whose verdict is kept in *t (the caller clears it). */
static int judge_keep(struct oauth_http_resp *r, int refresh, struct oauth_token *t)
{
	struct oauth_sent sent = { .refresh = refresh ? judge_sent : NULL,
				   .refresh_len = refresh ? strlen(judge_sent) : 0,
				   .now_ms = judge_now,
				   .nonce_ms = judge_nonce,
				   .newest_ms = judge_newest,
				   .ahead_ms = judge_ahead,
				   .confirm_ms = judge_confirm };
	int fb, rt, st;

	err[0] = '\0';
	st = oauth_judge(&jc, &sent, 1, r, t, &fb, &rt, err, sizeof(err));
	CU_ASSERT(fb == 0 && rt == 0 && strchr(err, '\n') == NULL);
	oauth_http_resp_clear(r);
	return st;
}

/*
 * max_clock_skew 60, clocks 120 s apart: the refresh answer is refused, but
 * Cobo has spent the refresh token sent, so its successor is handed on
 * (rotated_refused) when the answer is bound to the request like any
 * accepted one; never for a mint, a replay or an answer beyond the window.
 */
static void test_judge_skew_rotated(void)
{
	struct oauth_http_resp r;
	struct oauth_token t;

	judge_setup();
	jc.max_clock_skew = 60;
	judge_cached = NULL;
	judge_newest = 0;
	judge_now = JUDGE_MS - 120000; /* this machine 120 s behind */
	judge_nonce = judge_now - 50;
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_ERROR);
	CU_ASSERT(t.rotated_refused == 1 && t.refresh_token != NULL &&
		  strcmp(t.refresh_token, "RT_y") == 0 && t.signed_ms == JUDGE_MS);
	expect_err("refusing the access token from cobo.test:8443");
	expect_err("120.000 s in the future, more than the 60 s allowed");
	expect_err("Cobo rotated the refresh token all the same, so its new one is kept");
	oauth_token_clear(&t);
	answer(&r, 200, TOKEN_BODY, 1); /* a mint spends nothing: nothing handed on */
	CU_ASSERT(judge_keep(&r, 0, &t) == COBOCRED_ERROR);
	CU_ASSERT(t.rotated_refused == 0 && t.refresh_token == NULL);
	expect_err("nothing was stored");
	/* 120 s ahead: signed "before it was sent" too, unbound: nothing handed on (a
	 * capture up to the window old could carry another org's refresh token). */
	judge_now = JUDGE_MS + 120000;
	judge_nonce = judge_now - 50;
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_ERROR);
	CU_ASSERT(t.rotated_refused == 0 && t.order_refused == 0 && t.refresh_token == NULL);
	expect_err("120.000 s in the past, more than the 60 s allowed; fix the clock");
	judge_now = JUDGE_MS - 301000; /* beyond the request window */
	judge_nonce = judge_now - 50;
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_ERROR);
	CU_ASSERT(t.rotated_refused == 0 && t.refresh_token == NULL);
	judge_now = JUDGE_MS - 120000;
	judge_nonce = judge_now - 50;
	judge_newest = JUDGE_MS + 1; /* older than the newest accepted */
	answer(&r, 201, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_ERROR);
	CU_ASSERT(t.rotated_refused == 0 && t.refresh_token == NULL);
	judge_newest = 0;
	answer(&r, 201,
	       "{\"access_token\":\"AT_x\",\"token_type\":\"Bearer\",\"expires_in\":60,"
	       "\"refresh_token\":\"RT_sent\"}",
	       1); /* hands back the one sent */
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_ERROR);
	CU_ASSERT(t.rotated_refused == 0 && t.refresh_token == NULL);
	expect_err("instead of a new one");
	judge_now = JUDGE_MS;
	judge_nonce = 0;
}

/*
 * A clock 60 s ahead of Cobo's (issue 30): the answer is signed 60 s
 * "before" the request went out.  With nothing learned it is refused, but
 * as a candidate (order_refused, the access token dropped, a refresh's
 * successor handed on); with the allowance learned it passes, to the
 * millisecond.  Never a candidate: beyond the window, older than the
 * newest, a replayed refresh token, an unsigned answer.
 */
static void test_judge_learn(void)
{
	struct oauth_http_resp r;
	struct oauth_token t;
	int refresh;

	judge_setup();
	judge_cached = NULL;
	for (refresh = 0; refresh < 2; refresh++) {
		judge_newest = judge_ahead = 0;
		judge_now = JUDGE_MS + 60000;
		judge_nonce = judge_now - 50;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_ERROR);
		CU_ASSERT(t.order_refused == (refresh ? OAUTH_EARLY_REFRESH : OAUTH_EARLY_MINT) &&
			  t.rotated_refused == 0 && t.access_token == NULL &&
			  t.signed_ms == JUDGE_MS && t.arrived_ms == judge_now);
		CU_ASSERT(t.refresh_token != NULL && strcmp(t.refresh_token, "RT_y") == 0);
		expect_err(
			"as replayed: it was signed at 2023-11-14 22:13:20.123 UTC (Biz-Timestamp), "
			"59.950 s before this request");
		expect_err("this machine's clock is 60 s ahead of Cobo's (local "
			   "2023-11-14T22:14:20Z, Cobo 2023-11-14T22:13:20Z)");
		expect_err("set the time (NTP) and retry; nothing was stored");
		oauth_token_clear(&t);
		/* The allowance to the millisecond: nonce - ahead - 5 s == ts passes. */
		judge_ahead = 54950;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_SUCCESS);
		CU_ASSERT(t.access_token != NULL && t.order_refused == 0 &&
			  t.rotated_refused == 0 && t.arrived_ms - t.signed_ms == 60000);
		oauth_token_clear(&t);
		judge_ahead = 54949;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_ERROR && t.order_refused != 0);
		expect_err("more than the 59.949 s allowed");
		oauth_token_clear(&t);
		judge_ahead = 0;
		/* Older than the newest accepted: a replay, nothing to learn or keep. */
		judge_newest = JUDGE_MS + 1;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_ERROR);
		CU_ASSERT(t.order_refused == 0 && t.rotated_refused == 0 &&
			  t.refresh_token == NULL);
		judge_newest = 0;
		/* Beyond the window (300 s): max_clock_skew refuses it too, nothing kept. */
		judge_now = JUDGE_MS + 300001;
		judge_nonce = judge_now - 50;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_ERROR);
		CU_ASSERT(t.order_refused == 0 && t.rotated_refused == 0 &&
			  t.refresh_token == NULL);
		/* At the window, to the millisecond: still a candidate. */
		judge_now = JUDGE_MS + 300000;
		judge_nonce = judge_now - 50;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_ERROR && t.order_refused != 0);
		oauth_token_clear(&t);
		/* The allowance is capped at the window: 301 s learned allows 300 s + 5 s. */
		judge_ahead = 301000;
		judge_nonce = JUDGE_MS + 305001;
		judge_now = judge_nonce;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_ERROR);
		oauth_token_clear(&t);
		judge_nonce = JUDGE_MS + 305000;
		judge_now = JUDGE_MS + 300000;
		answer(&r, 200, TOKEN_BODY, 1);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_SUCCESS);
		oauth_token_clear(&t);
		judge_ahead = 0;
		/* An unsigned answer or one handing back the token sent: never a candidate. */
		judge_now = JUDGE_MS + 60000;
		judge_nonce = judge_now - 50;
		answer(&r, 200, TOKEN_BODY, 0);
		CU_ASSERT(judge_keep(&r, refresh, &t) == COBOCRED_ERROR);
		CU_ASSERT(t.order_refused == 0 && t.refresh_token == NULL);
		answer(&r, 200,
		       "{\"access_token\":\"AT_x\",\"token_type\":\"Bearer\",\"expires_in\":60,"
		       "\"refresh_token\":\"RT_sent\"}",
		       1);
		CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_ERROR);
		CU_ASSERT(t.order_refused == 0 && t.refresh_token == NULL);
	}
	/*
	 * The retry (confirm_ms set): the allowance is the first sample, and its own
	 * sample must confirm it within 5 s; never a second candidate.
	 */
	judge_confirm = 60000;
	judge_ahead = 60000;
	judge_now = JUDGE_MS + 60000; /* the same clock: sample 60 s */
	judge_nonce = judge_now - 50;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_SUCCESS && t.access_token != NULL);
	oauth_token_clear(&t);
	judge_now = JUDGE_MS + 55000; /* sample 55 s: at the edge, confirmed */
	judge_nonce = judge_now - 50;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_SUCCESS);
	oauth_token_clear(&t);
	judge_now = JUDGE_MS + 54999; /* 1 ms less: the first answer was older than the clock */
	judge_nonce = judge_now - 50;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_ERROR);
	CU_ASSERT(t.order_refused == 0 && t.rotated_refused == 0 && t.refresh_token == NULL);
	expect_err("so the two do not show one clock running ahead; nothing was stored");
	judge_now = JUDGE_MS + 1000; /* a genuine answer after a capture 60 s old */
	judge_nonce = judge_now - 50;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 0, &t) == COBOCRED_ERROR && t.order_refused == 0);
	judge_now = JUDGE_MS + 70000; /* refused by the order bound again: no second candidate */
	judge_nonce = judge_now - 50;
	judge_ahead = 60000;
	answer(&r, 200, TOKEN_BODY, 1);
	CU_ASSERT(judge_keep(&r, 1, &t) == COBOCRED_ERROR);
	CU_ASSERT(t.order_refused == 0 && t.rotated_refused == 0 && t.refresh_token == NULL);
	judge_confirm = 0;
	judge_now = JUDGE_MS;
	judge_nonce = judge_newest = judge_ahead = 0;
}

/* ---- the learned allowance's file (offset.h) ---- */

#define HP "cobo.test:8443"

static int parse_text(const char *text, size_t len, int64_t *v)
{
	char why[256] = "";
	int r = oauth_offset_parse(text, len, HP, v, why, sizeof(why));

	CU_ASSERT(r == 0 ? *v >= 0 : (why[0] != '\0' && *v == 0));
	return r;
}

static void test_offset_parse(void)
{
	static const char *bad[] = {
		"",
		"cobo-clock 1 cobo.test:8443 60000",	 /* no newline */
		"cobo-clock 1 cobo.test:8443 60000\n\n", /* two lines */
		"cobo-clock 1 cobo.test:8443 060000\n",	 /* leading zero */
		"cobo-clock 1 cobo.test:8443 +60000\n",
		"cobo-clock 1 cobo.test:8443 -1\n",
		"cobo-clock 1 cobo.test:8443 300001\n", /* beyond the window */
		"cobo-clock 1 cobo.test:8443 1000000\n",
		"cobo-clock 1 cobo.test:8443 99999999999999999999\n",
		"cobo-clock 1 cobo.test:8443  60000\n",
		"cobo-clock 1 cobo.test:8443 60000 \n",
		"cobo-clock 1 cobo.test:8443 60000\r\n",
		"cobo-clock 1 cobo.test:8443 6e4\n",
		"cobo-clock 1 cobo.test:8443 \n",
		"cobo-clock 1 cobo.test:8443\n",
		"cobo-clock 1 cobo.test:84430 60000\n", /* another server */
		"cobo-clock 1 cobo.test:844 60000\n",
		"cobo-clock 1 COBO.test:8443 60000\n",
		"cobo-clock 2 cobo.test:8443 60000\n", /* another format */
		"cobo-clock 1  cobo.test:8443 60000\n",
		" cobo-clock 1 cobo.test:8443 60000\n",
	};
	char buf[OAUTH_OFFSET_FILE_MAX + 8];
	int64_t v;
	size_t i;

	CU_ASSERT(parse_text("cobo-clock 1 cobo.test:8443 60000\n", 34, &v) == 0 && v == 60000);
	CU_ASSERT(parse_text("cobo-clock 1 cobo.test:8443 0\n", 30, &v) == 0 && v == 0);
	CU_ASSERT(parse_text("cobo-clock 1 cobo.test:8443 300000\n", 35, &v) == 0 && v == 300000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 1;
		if (parse_text(bad[i], strlen(bad[i]), &v) != -1)
			fprintf(stderr, "\n  accepted: '%s'\n", bad[i]);
	}
	/* NUL inside, and every byte after the number. */
	CU_ASSERT(parse_text("cobo-clock 1 cobo.test:8443 60\0000\n", 34, &v) == -1);
	for (i = 1; i < 256; i++) {
		int n = snprintf(buf, sizeof(buf), "cobo-clock 1 cobo.test:8443 60000%c\n", (int)i);

		CU_ASSERT(parse_text(buf, (size_t)n, &v) == -1);
	}
	/* Too long, even with a good line in front. */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "cobo-clock 1 cobo.test:8443 60000\n", 34);
	CU_ASSERT(parse_text(buf, OAUTH_OFFSET_FILE_MAX + 1, &v) == -1);
}

static int read_at(const char *path, int64_t *v, char *why, size_t n)
{
	why[0] = '\0';
	return oauth_offset_read(path, HP, v, why, n);
}

static void test_offset_file(void)
{
	char dir[512], path[600], other[600], why[1024], big[OAUTH_OFFSET_FILE_MAX + 2];
	struct stat st;
	int64_t v;

	snprintf(dir, sizeof(dir), "%s/offset", cutest_tmpdir());
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0 || errno == EEXIST);
	CU_ASSERT_FATAL(oauth_offset_path(dir, HP, path, sizeof(path)) == 0);
	CU_ASSERT(oauth_offset_path(dir, "cobo.test:8444", other, sizeof(other)) == 0 &&
		  strcmp(path, other) != 0);
	CU_ASSERT(oauth_offset_path(NULL, HP, other, sizeof(other)) == -1);
	CU_ASSERT(oauth_offset_path(dir, HP, other, 20) == -1);
	unlink(path);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == 0 && v == 0);
	/* Written 0600, read back; values clamped to 0..window. */
	CU_ASSERT(oauth_offset_write(path, HP, 61234, why, sizeof(why)) == 0);
	CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CU_ASSERT(strcmp(cutest_read_file(path), "cobo-clock 1 cobo.test:8443 61234\n") == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == 1 && v == 61234);
	CU_ASSERT(oauth_offset_write(path, HP, -5, why, sizeof(why)) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == 1 && v == 0);
	CU_ASSERT(oauth_offset_write(path, HP, INT64_MAX, why, sizeof(why)) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == 1 && v == 300000);
	/* Another server's file under this name: refused. */
	CU_ASSERT(oauth_offset_write(path, "cobo.test:8444", 1000, why, sizeof(why)) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == -1 && v == 0);
	CU_ASSERT(strstr(why, "not for the server cobo.test:8443") != NULL);
	CU_ASSERT(oauth_offset_write(path, "a b", 1000, why, sizeof(why)) == -1);
	/* Mode: anything but 0600 is refused, naming the mode. */
	CU_ASSERT(oauth_offset_write(path, HP, 1000, why, sizeof(why)) == 0);
	CU_ASSERT(chmod(path, 0644) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == -1 && v == 0);
	CU_ASSERT(strstr(why, "mode 0644, not 0600") != NULL);
	CU_ASSERT(chmod(path, 0400) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == -1);
	CU_ASSERT(chmod(path, 0600) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == 1 && v == 1000);
	/* Not ours: another owner (as root, a file given to nobody; else a root file). */
	if (geteuid() == 0) {
		CU_ASSERT(chown(path, 65534, 65534) == 0);
		CU_ASSERT(read_at(path, &v, why, sizeof(why)) == -1 && v == 0);
		CU_ASSERT(strstr(why, "owned by uid 65534, not by you") != NULL);
		CU_ASSERT(chown(path, 0, 0) == 0);
	} else {
		CU_ASSERT(read_at("/etc/passwd", &v, why, sizeof(why)) == -1);
		CU_ASSERT(strstr(why, "owned by uid 0, not by you") != NULL);
	}
	/* A symlink to a good file, a directory, a file too long. */
	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	CU_ASSERT(rename(path, other) == 0 && symlink(other, path) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == -1);
	CU_ASSERT(unlink(path) == 0 && mkdir(path, 0700) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == -1 &&
		  strstr(why, "not a regular") != NULL);
	CU_ASSERT(rmdir(path) == 0);
	memset(big, '7', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cutest_write(path, big, 0600);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == -1 && strstr(why, "longer than") != NULL);
	CU_ASSERT(oauth_offset_get_at(path, HP) == 0);
	CU_ASSERT(oauth_offset_lower_at(path, HP, 1, why, sizeof(why)) == 0);
	CU_ASSERT(strcmp(cutest_read_file(path), big) == 0); /* never lowered into */
	/* A refused file is replaced whole by the next write. */
	CU_ASSERT(oauth_offset_write(path, HP, 42, why, sizeof(why)) == 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == 1 && v == 42);
	/* Without the host (api_send.c): read, lowered only downwards. */
	CU_ASSERT(oauth_offset_get_at(path, HP) == 42);
	CU_ASSERT(oauth_offset_lower_at(path, HP, 43, why, sizeof(why)) == 0);
	CU_ASSERT(oauth_offset_get_at(path, HP) == 42);
	CU_ASSERT(oauth_offset_lower_at(path, HP, 41, why, sizeof(why)) == 0);
	CU_ASSERT(oauth_offset_get_at(path, HP) == 41);
	CU_ASSERT(oauth_offset_get_at(path, "cobo.test:8444") == 0);
	unlink(path);
	unlink(other);
}

/*
 * Concurrent writers (forked, each its own value, many times) beside a
 * reader: every read sees one writer's whole line, never a mix or nothing,
 * and no temporary file is left behind.
 */
static void test_offset_writers(void)
{
	enum { WRITERS = 4, ROUNDS = 200 };
	char dir[512], path[600], why[1024];
	pid_t pid[WRITERS];
	int i, status, bad = 0, reads = 0, live = WRITERS, entries = 0;
	int64_t v;
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/offset-w", cutest_tmpdir());
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0 || errno == EEXIST);
	CU_ASSERT_FATAL(oauth_offset_path(dir, HP, path, sizeof(path)) == 0);
	CU_ASSERT_FATAL(oauth_offset_write(path, HP, 1, why, sizeof(why)) == 0);
	for (i = 0; i < WRITERS; i++) {
		pid[i] = fork();
		CU_ASSERT_FATAL(pid[i] >= 0);
		if (pid[i] == 0) {
			int k, fails = 0;

			for (k = 0; k < ROUNDS; k++)
				fails += oauth_offset_write(path, HP, 100000 + 11111 * i, why,
							    sizeof(why)) != 0;
			_exit(fails != 0);
		}
	}
	while (live > 0) {
		int r = read_at(path, &v, why, sizeof(why));

		reads++;
		if (r != 1 || (v != 1 && (v < 100000 || (v - 100000) % 11111 != 0 ||
					  (v - 100000) / 11111 >= WRITERS)))
			bad++;
		for (i = 0; i < WRITERS; i++)
			if (pid[i] > 0 && waitpid(pid[i], &status, WNOHANG) == pid[i]) {
				CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
				pid[i] = 0;
				live--;
			}
	}
	CU_ASSERT(bad == 0 && reads > 0);
	CU_ASSERT(read_at(path, &v, why, sizeof(why)) == 1 && v >= 100000);
	d = opendir(dir);
	CU_ASSERT_FATAL(d != NULL);
	while ((e = readdir(d)) != NULL)
		entries += e->d_name[0] != '.';
	closedir(d);
	CU_ASSERT(entries == 1);
}

/* Through a host: nothing learned reads 0; a raise writes; samples only lower it. */
static void test_offset_host(void)
{
	const struct cobocred_host *h = host_with("base_url = https://api.dev.cobo.com/v2\n");
	char path[4096];

	CU_ASSERT_FATAL(oauth_offset_path(h->state_dir(h->ctx), HP, path, sizeof(path)) == 0);
	unlink(path);
	CU_ASSERT(oauth_offset_get(h, HP) == 0);
	oauth_offset_lower(h, HP, 50);
	CU_ASSERT(access(path, F_OK) != 0); /* nothing to lower: no file */
	oauth_offset_raise(h, HP, 60500);
	CU_ASSERT(oauth_offset_get(h, HP) == 60500);
	oauth_offset_lower(h, HP, 70000); /* a larger sample never raises it */
	CU_ASSERT(oauth_offset_get(h, HP) == 60500);
	oauth_offset_lower(h, HP, 60123);
	CU_ASSERT(oauth_offset_get(h, HP) == 60123);
	oauth_offset_lower(h, HP, -30000); /* a clock now behind: no allowance */
	CU_ASSERT(oauth_offset_get(h, HP) == 0);
	CU_ASSERT(oauth_offset_get(h, "cobo.test:8444") == 0);
	CU_ASSERT(chmod(path, 0640) == 0); /* refused: taken as 0, and never lowered into */
	oauth_offset_raise(h, HP, 9000);
	CU_ASSERT(oauth_offset_get(h, HP) == 9000);
	CU_ASSERT(chmod(path, 0640) == 0);
	CU_ASSERT(oauth_offset_get(h, HP) == 0);
	unlink(path);
}

static const struct cutest_case offset_cases[] = {
	{ "the file's line, parsed strictly", test_offset_parse },
	{ "the file's owner, mode, type and size", test_offset_file },
	{ "concurrent writers never tear it", test_offset_writers },
	{ "raised by a raise, lowered by samples", test_offset_host },
	{ NULL, NULL },
};

static const struct cutest_case flow_cases[] = {
	{ "2xx answers", test_judge_success },
	{ "Biz-Timestamp within max_clock_skew", test_judge_fresh },
	{ "Biz-Timestamp that is not unix ms", test_judge_timestamp_garbage },
	{ "signed after the request, not before the newest", test_judge_order },
	{ "a refresh answer rotates the refresh token", test_judge_rotation },
	{ "error answers", test_judge_errors },
	{ "a signed error answer names a wrong clock", test_judge_clock },
	{ "max_clock_skew: a refused refresh hands on the rotated token", test_judge_skew_rotated },
	{ "a clock ahead of Cobo's: a candidate, then the allowance", test_judge_learn },
	{ "transport failures", test_judge_transport },
	{ "which queries mint", test_query_applies },
	{ "items for the core", test_items },
	{ NULL, NULL },
};

static const struct cutest_suite suites[] = {
	{ "oauth-conf", conf_cases },
	{ "oauth-flow", flow_cases },
	{ "oauth-offset", offset_cases },
	{ NULL, NULL },
};

int main(void)
{
	int r = cutest_run(suites);

	cobocred_ctx_free(ctx);
	return r;
}
