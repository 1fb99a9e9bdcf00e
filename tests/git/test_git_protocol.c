/*
 * test_git_protocol.c - git-credential-cobo's parser, URL splitter, output
 * writer, and the core's plain git identity (query and item building,
 * src/cobo/request.c) for parsed requests, rule by rule (issue 5).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "cutest.h"
#include "helper.h"
#include "output.h"
#include "protocol.h"
#include "route.h"
#include "secret.h"

/* The git request as the core sees it (src/git/helper.c), and its plain identity. */
#define GIT_QUERY_EXACT COBOCRED_PLAIN_EXACT
#define GIT_QUERY_PASSWORD COBOCRED_PLAIN_SECRET
#define git_query cobocred_plain_query

static struct cobocred_request core_req(const struct git_req *r, int64_t timeout)
{
	struct git_opts o = { .timeout = timeout };
	struct cobocred_request cr;

	git_request(r, &o, &cr);
	return cr;
}

static void git_query_build(const struct git_req *r, unsigned flags, struct git_query *gq)
{
	struct cobocred_request cr = core_req(r, 0);

	cobocred_plain_query(&cr, flags, gq);
}

static int git_req_can_get(const struct git_req *r)
{
	struct cobocred_request cr = core_req(r, 0);

	return cobocred_git_can_get(&cr);
}

static int git_req_can_store(const struct git_req *r)
{
	struct cobocred_request cr = core_req(r, 0);

	return cobocred_git_can_store(&cr);
}

static int git_req_can_erase(const struct git_req *r)
{
	struct cobocred_request cr = core_req(r, 0);

	return cobocred_git_can_erase(&cr);
}

static int git_item_build(const struct git_req *r, int64_t now, int64_t timeout,
			  struct cobocred_item **out)
{
	struct cobocred_request cr = core_req(r, timeout);

	*out = cobocred_plain_item(&cr, now);
	return *out != NULL ? 0 : -1;
}

static struct git_req req;
static char err[256];

/* Parses a C string; returns the parser's result. */
static int parse(const char *s)
{
	git_req_clear(&req);
	err[0] = '\0';
	return git_req_parse(s, strlen(s), &req, NULL, err, sizeof(err));
}

static int parse_n(const char *s, size_t n, size_t *consumed)
{
	git_req_clear(&req);
	err[0] = '\0';
	return git_req_parse(s, n, &req, consumed, err, sizeof(err));
}

#define STR_EQ(a, b) CU_ASSERT((a) != NULL && strcmp((a), (b)) == 0)

static void test_every_key(void)
{
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=example.com\npath=a/b.git\nusername=bob\n"
			      "password=s3cret\npassword_expiry_utc=2000000000\n"
			      "oauth_refresh_token=rt\nephemeral=1\ncapability[]=authtype\n"
			      "capability[]=state\n"),
			0);
	STR_EQ(req.protocol, "https");
	STR_EQ(req.host, "example.com");
	STR_EQ(req.path, "a/b.git");
	STR_EQ(req.username, "bob");
	STR_EQ(req.password, "s3cret");
	STR_EQ(req.oauth_refresh_token, "rt");
	CU_ASSERT_EQUAL(req.password_expiry_utc, 2000000000);
	CU_ASSERT_EQUAL(req.ephemeral, 1);
	CU_ASSERT_EQUAL(req.capabilities, GIT_CAPA_AUTHTYPE | GIT_CAPA_STATE);
}

static void test_absent_and_empty(void)
{
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\nusername=\npassword=\n"), 0);
	CU_ASSERT_PTR_NULL(req.path);
	STR_EQ(req.username, "");
	STR_EQ(req.password, "");
	CU_ASSERT_PTR_NULL(req.oauth_refresh_token);
	CU_ASSERT_EQUAL(req.password_expiry_utc, 0);
	CU_ASSERT_EQUAL(req.ephemeral, 0);
	CU_ASSERT_EQUAL(parse(""), 0);
	CU_ASSERT_PTR_NULL(req.protocol);
	CU_ASSERT_PTR_NULL(req.host);
}

static void test_value_with_equals(void)
{
	CU_ASSERT_EQUAL(parse("password=a=b==\nhost==x\n"), 0);
	STR_EQ(req.password, "a=b==");
	STR_EQ(req.host, "=x");
}

static void test_expiry_and_bool_forms(void)
{
	CU_ASSERT_EQUAL(parse("password_expiry_utc=junk\n"), 0);
	CU_ASSERT_EQUAL(req.password_expiry_utc, 0);
	CU_ASSERT_EQUAL(parse("password_expiry_utc=-5\n"), 0);
	CU_ASSERT_EQUAL(req.password_expiry_utc, 0);
	CU_ASSERT_EQUAL(parse("password_expiry_utc=99999999999999999999999\n"), 0);
	CU_ASSERT_EQUAL(req.password_expiry_utc, 0);
	CU_ASSERT_EQUAL(parse("ephemeral=0\n"), 0);
	CU_ASSERT_EQUAL(req.ephemeral, 0);
	CU_ASSERT_EQUAL(parse("ephemeral=false\n"), 0);
	CU_ASSERT_EQUAL(req.ephemeral, 0);
	CU_ASSERT_EQUAL(parse("ephemeral=true\n"), 0);
	CU_ASSERT_EQUAL(req.ephemeral, 1);
	CU_ASSERT_EQUAL(parse("ephemeral=maybe\n"), 0); /* odd spelling: never store */
	CU_ASSERT_EQUAL(req.ephemeral, 1);
	CU_ASSERT_EQUAL(parse("capability[]=future\n"), 0);
	CU_ASSERT_EQUAL(req.capabilities, 0);
}

static void test_later_keys_override(void)
{
	CU_ASSERT_EQUAL(parse("host=a\nhost=b\npassword=1\npassword=2\nusername=x\nusername=\n"),
			0);
	STR_EQ(req.host, "b");
	STR_EQ(req.password, "2");
	STR_EQ(req.username, "");
	/* url= starts afresh, like git's credential_clear + credential_from_url */
	CU_ASSERT_EQUAL(parse("path=old\nusername=u\ncapability[]=authtype\nurl=https://h\n"), 0);
	CU_ASSERT_PTR_NULL(req.path);
	CU_ASSERT_PTR_NULL(req.username);
	STR_EQ(req.host, "h");
	CU_ASSERT_EQUAL(req.capabilities, GIT_CAPA_AUTHTYPE);
	CU_ASSERT_EQUAL(parse("url=https://u@h/p\nhost=other:1\nusername=v\n"), 0);
	STR_EQ(req.host, "other:1");
	STR_EQ(req.username, "v");
	STR_EQ(req.path, "p");
}

static void test_unknown_keys_ignored(void)
{
	size_t n = 60000;
	char *big = malloc(n + 200);
	int i;

	CU_ASSERT_FATAL(big != NULL);
	i = snprintf(big, 200, "protocol=https\nwwwauth[]=Basic realm=\"");
	memset(big + i, 'x', n);
	snprintf(big + i + n, 200,
		 "\"\nfoo=bar\nstate[]=a:b\nauthtype=Bearer\ncredential=c\n"
		 "continue=1\nquit=1\n=empty-key\nhost=h\n");
	CU_ASSERT_EQUAL(parse(big), 0);
	STR_EQ(req.protocol, "https");
	STR_EQ(req.host, "h");
	CU_ASSERT_PTR_NULL(req.password);
	free(big);
}

/* A line of exactly n bytes (key "wwwauth[]" padded), then host=h. */
static char *line_of(size_t n, const char *eol)
{
	char *s = malloc(n + 64);

	memcpy(s, "wwwauth[]=", 10);
	memset(s + 10, 'y', n - 10);
	snprintf(s + n, 64, "%shost=h\n", eol);
	return s;
}

static void test_line_limit(void)
{
	char *s = line_of(GIT_LINE_MAX, "\n");

	CU_ASSERT_EQUAL(parse(s), 0);
	STR_EQ(req.host, "h");
	free(s);
	s = line_of(GIT_LINE_MAX, "\r\n");
	CU_ASSERT_EQUAL(parse(s), 0);
	STR_EQ(req.host, "h");
	free(s);
	s = line_of(GIT_LINE_MAX + 1, "\n");
	CU_ASSERT_EQUAL(parse(s), -1);
	CU_ASSERT(strstr(err, "65535") != NULL);
	free(s);
	s = line_of(GIT_LINE_MAX + 1, ""); /* the last line, without a newline */
	CU_ASSERT_EQUAL(parse_n(s, GIT_LINE_MAX + 1, NULL), -1);
	free(s);
}

static void test_input_limit(void)
{
	size_t line = 1024, lines = GIT_INPUT_MAX / line, i;
	char *s = malloc(GIT_INPUT_MAX + line + 1);

	CU_ASSERT_FATAL(s != NULL);
	for (i = 0; i < lines; i++) { /* exactly GIT_INPUT_MAX bytes */
		memset(s + i * line, 'z', line - 1);
		memcpy(s + i * line, "k=", 2);
		s[i * line + line - 1] = '\n';
	}
	CU_ASSERT_EQUAL(parse_n(s, lines * line, NULL), 0);
	memcpy(s + lines * line, "host=h\n", 7);
	CU_ASSERT_EQUAL(parse_n(s, lines * line + 7, NULL), -1);
	CU_ASSERT(strstr(err, "1 MiB") != NULL);
	/* a blank line before the cap ends the request: what follows is not read */
	memcpy(s + 100 * line, "\n", 1);
	CU_ASSERT_EQUAL(parse_n(s, lines * line + 7, NULL), 0);
	free(s);
}

static void test_terminators(void)
{
	size_t used = 0;
	const char *two = "protocol=https\n\nhost=x\n";

	CU_ASSERT_EQUAL(parse("protocol=https\nhost=x"), 0); /* no trailing newline */
	STR_EQ(req.host, "x");
	CU_ASSERT_EQUAL(parse_n(two, strlen(two), &used), 0);
	CU_ASSERT_PTR_NULL(req.host);
	CU_ASSERT_EQUAL(used, 16);
	CU_ASSERT_EQUAL(parse("protocol=https\r\nhost=x\r\n\r\nhost=y\n"), 0);
	STR_EQ(req.protocol, "https");
	STR_EQ(req.host, "x");
	CU_ASSERT_EQUAL(parse("\nhost=x\n"), 0);
	CU_ASSERT_PTR_NULL(req.host);
}

static void test_malformed(void)
{
	static const char nul[] = "protocol=https\nhost=a\0b\n";

	CU_ASSERT_EQUAL(parse_n(nul, sizeof(nul) - 1, NULL), -1);
	CU_ASSERT(strstr(err, "NUL") != NULL);
	CU_ASSERT_EQUAL(parse("protocol=https\nno-equals-sign-secret\n"), -1);
	CU_ASSERT(strstr(err, "secret") == NULL); /* the line is never echoed */
	CU_ASSERT_EQUAL(parse("url=example.com/repo\n"), -1);
	CU_ASSERT_EQUAL(parse("url=://example.com\n"), -1);
	CU_ASSERT_EQUAL(parse("url=https://u%0a@h\n"), -1);
	CU_ASSERT_EQUAL(parse("url=https://u:p%0d@h\n"), -1);
	CU_ASSERT_EQUAL(parse("url=https://h/a%00b\n"), -1);
	CU_ASSERT_EQUAL(parse("url=https://h%0a.example/\n"), -1);
}

static void test_req_end(void)
{
	const char *s = "a=1\nb=2\n\nc=3\n";
	size_t scan = 0;

	CU_ASSERT_EQUAL(git_req_end(s, 3, &scan), 0);
	CU_ASSERT_EQUAL(git_req_end(s, 8, &scan), 0);
	CU_ASSERT_EQUAL(git_req_end(s, 9, &scan), 9);
	scan = 0;
	CU_ASSERT_EQUAL(git_req_end("x=1\r\n\r\n", 7, &scan), 7);
	scan = 0;
	CU_ASSERT_EQUAL(git_req_end("\n", 1, &scan), 1);
	scan = 0;
	CU_ASSERT_EQUAL(git_req_end("x=1\n", 4, &scan), 0);
}

/* url= splitting, case by case */
static void url(const char *u, const char *proto, const char *host, const char *path,
		const char *user, const char *pass)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "url=%s\n", u);
	CU_ASSERT_EQUAL_FATAL(parse(buf), 0);
#define FIELD(got, want)                         \
	do {                                     \
		if ((want) == NULL) {            \
			CU_ASSERT_PTR_NULL(got); \
		} else {                         \
			STR_EQ(got, want);       \
		}                                \
	} while (0)
	FIELD(req.protocol, proto);
	FIELD(req.host, host);
	FIELD(req.path, path);
	FIELD(req.username, user);
	FIELD(req.password, pass);
#undef FIELD
}

static void test_url_split(void)
{
	url("https://example.com", "https", "example.com", NULL, NULL, NULL);
	url("https://example.com/", "https", "example.com", NULL, NULL, NULL);
	url("http://example.com:8080/repo.git", "http", "example.com:8080", "repo.git", NULL, NULL);
	url("https://bob@example.com/a/b.git", "https", "example.com", "a/b.git", "bob", NULL);
	url("https://bob:pw@example.com:443", "https", "example.com:443", NULL, "bob", "pw");
	url("https://@example.com", "https", "example.com", NULL, "", NULL);
	url("https://:@example.com", "https", "example.com", NULL, "", "");
	url("https://%62ob:p%40ss%3Aw@h/p%20q//", "https", "h", "p q", "bob", "p@ss:w");
	url("https://h/%zz%4", "https", "h", "%zz%4", NULL, NULL);
	url("ht%74p://h", "ht%74p", "h", NULL, NULL, NULL);
	url("http://[::1]:8080/x.git", "http", "[::1]:8080", "x.git", NULL, NULL);
	url("http://u:p@[::1]/", "http", "[::1]", NULL, "u", "p");
	url("https://h///a//b///", "https", "h", "a//b", NULL, NULL);
	url("https://h/p@x:y", "https", "h", "p@x:y", NULL, NULL);
	url("https://h?q=1", "https", "h", "?q=1", NULL, NULL);
	url("https://h#frag", "https", "h", "#frag", NULL, NULL);
	url("https:///path", "https", "", "path", NULL, NULL);
	url("cert:///etc/cert.p12", "cert", "", "etc/cert.p12", NULL, NULL);
	url("cobo://acme-dev", "cobo", "acme-dev", NULL, NULL, NULL);
}

static void test_clear_wipes(void)
{
	size_t before;

	git_req_clear(&req);
	before = cobocred_secret_live();
	CU_ASSERT_EQUAL(parse("password=p\noauth_refresh_token=r\nurl=https://u:x@h\n"), 0);
	CU_ASSERT(cobocred_secret_live() > before);
	git_req_clear(&req);
	CU_ASSERT_EQUAL(cobocred_secret_live(), before);
	CU_ASSERT_PTR_NULL(req.password);
}

static void test_output(void)
{
	struct cobocred_sbuf o = { 0 };
	size_t len;

	CU_ASSERT_EQUAL(git_out_add_str(&o, "username", "bob"), 0);
	CU_ASSERT_EQUAL(git_out_add(&o, "password", "p=w", 3), 0);
	CU_ASSERT_EQUAL(git_out_add_i64(&o, "password_expiry_utc", 1700000000), 0);
	CU_ASSERT_EQUAL(git_out_add_str(&o, "empty", ""), 0);
	CU_ASSERT_EQUAL(o.len, strlen("username=bob\npassword=p=w\n"
				      "password_expiry_utc=1700000000\nempty=\n"));
	CU_ASSERT(memcmp(o.p, "username=bob\npassword=p=w\npassword_expiry_utc=1700000000\n", 57) ==
		  0);
	len = o.len;
	CU_ASSERT_EQUAL(git_out_add_str(&o, "password", "a\nhost=evil"), -1);
	CU_ASSERT_EQUAL(git_out_add_str(&o, "password", "a\rb"), -1);
	CU_ASSERT_EQUAL(git_out_add(&o, "password", "a\0b", 3), -1);
	CU_ASSERT_EQUAL(git_out_add_str(&o, "pass=word", "x"), -1);
	CU_ASSERT_EQUAL(git_out_add_str(&o, "", "x"), -1);
	CU_ASSERT_EQUAL(git_out_add_str(&o, "a\nb", "x"), -1);
	CU_ASSERT_EQUAL(o.len, len); /* refusals add nothing */
	cobocred_sbuf_free(&o);
	CU_ASSERT_PTR_NULL(o.p);
	CU_ASSERT_EQUAL(o.len, 0);
}

static void test_output_grows(void)
{
	struct cobocred_sbuf o = { 0 };
	char *v = malloc(GIT_LINE_MAX);
	size_t i;

	memset(v, 'v', GIT_LINE_MAX);
	for (i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(git_out_add(&o, "k", v, GIT_LINE_MAX - 2), 0);
	CU_ASSERT_EQUAL(o.len, 20 * (size_t)(GIT_LINE_MAX + 1));
	CU_ASSERT_EQUAL(o.p[o.len - 1], '\n');
	cobocred_sbuf_free(&o);
	free(v);
}

static const char *qattr(const struct cobocred_query *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->n_attrs; i++)
		if (strcmp(q->attrs[i].name, name) == 0)
			return q->attrs[i].value;
	return NULL;
}

static void test_query_build(void)
{
	struct git_query gq;

	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h:8443\nusername=\npassword=pw\n"), 0);
	git_query_build(&req, 0, &gq);
	STR_EQ(gq.q.schema, COBOCRED_SCHEMA_GIT);
	CU_ASSERT_EQUAL(gq.q.n_attrs, 3);
	STR_EQ(qattr(&gq.q, "protocol"), "https");
	STR_EQ(qattr(&gq.q, "host"), "h:8443");
	STR_EQ(qattr(&gq.q, "username"), "");
	CU_ASSERT_PTR_NULL(qattr(&gq.q, "path"));
	CU_ASSERT_PTR_NULL(gq.q.secret);
	CU_ASSERT_EQUAL(gq.q.flags, 0);
	git_query_build(&req, GIT_QUERY_EXACT | GIT_QUERY_PASSWORD, &gq);
	CU_ASSERT_EQUAL(gq.q.flags, COBOCRED_QUERY_EXACT);
	CU_ASSERT_EQUAL(gq.q.secret_len, 2);
	CU_ASSERT(gq.q.secret != NULL && memcmp(gq.q.secret, "pw", 2) == 0);
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\npath=r.git\n"), 0);
	git_query_build(&req, GIT_QUERY_PASSWORD, &gq);
	CU_ASSERT_EQUAL(gq.q.n_attrs, 3);
	STR_EQ(qattr(&gq.q, "path"), "r.git");
	CU_ASSERT_PTR_NULL(gq.q.secret); /* no password in the request: any */
}

static void test_can(void)
{
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\n"), 0);
	CU_ASSERT(git_req_can_get(&req));
	CU_ASSERT(!git_req_can_store(&req));
	CU_ASSERT(git_req_can_erase(&req));
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\nusername=\npassword=\n"), 0);
	CU_ASSERT(git_req_can_store(&req));
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\nusername=u\npassword=p\nephemeral=1\n"), 0);
	CU_ASSERT(!git_req_can_store(&req));
	CU_ASSERT_EQUAL(parse("host=h\nusername=u\npassword=p\n"), 0);
	CU_ASSERT(!git_req_can_get(&req));
	CU_ASSERT(!git_req_can_store(&req));
	CU_ASSERT_EQUAL(parse("protocol=cert\npath=etc/c.p12\nusername=u\npassword=p\n"), 0);
	CU_ASSERT(git_req_can_store(&req));
	CU_ASSERT_EQUAL(parse("password=p\npassword_expiry_utc=5\n"), 0);
	CU_ASSERT(!git_req_can_erase(&req));
	CU_ASSERT_EQUAL(parse(""), 0);
	CU_ASSERT(!git_req_can_get(&req));
	CU_ASSERT(!git_req_can_erase(&req));
}

/* An item as store would build it from request text. */
static struct cobocred_item *stored(const char *text)
{
	struct cobocred_item *it = NULL;

	CU_ASSERT_EQUAL_FATAL(parse(text), 0);
	CU_ASSERT_EQUAL_FATAL(git_item_build(&req, 1000, 0, &it), 0);
	return it;
}

/* Does the request text, as a query with flags, match item? */
static int matches(const struct cobocred_item *it, const char *text, unsigned flags)
{
	struct git_query gq;

	CU_ASSERT_EQUAL_FATAL(parse(text), 0);
	git_query_build(&req, flags, &gq);
	return cobocred_item_matches(it, &gq.q);
}

static void test_matching(void)
{
	struct cobocred_item *plain = stored("protocol=https\nhost=h\nusername=u\npassword=p\n");
	struct cobocred_item *pathed = stored(
		"protocol=https\nhost=h\npath=r.git\nusername=u\npassword=q\n");
	struct cobocred_item *empty = stored("protocol=https\nhost=h\nusername=\npassword=\n");

	CU_ASSERT(matches(plain, "protocol=https\nhost=h\n", 0));
	CU_ASSERT(!matches(plain, "protocol=http\nhost=h\n", 0)); /* http is not https */
	CU_ASSERT(!matches(plain, "protocol=https\nhost=h:443\n", 0));
	CU_ASSERT(!matches(plain, "protocol=https\nhost=h\nusername=v\n", 0));
	CU_ASSERT(!matches(plain, "protocol=https\nhost=h\nusername=\n", 0));
	CU_ASSERT(matches(empty, "protocol=https\nhost=h\nusername=\n", 0));
	/* path only when the request has it */
	CU_ASSERT(matches(pathed, "protocol=https\nhost=h\n", 0));
	CU_ASSERT(matches(pathed, "protocol=https\nhost=h\npath=r.git\n", 0));
	CU_ASSERT(!matches(pathed, "protocol=https\nhost=h\npath=other.git\n", 0));
	CU_ASSERT(!matches(plain, "protocol=https\nhost=h\npath=r.git\n", 0));
	/* store's replace pattern: the same protocol/host/path/username only */
	CU_ASSERT(matches(plain, "protocol=https\nhost=h\nusername=u\npassword=new\n",
			  GIT_QUERY_EXACT));
	CU_ASSERT(!matches(pathed, "protocol=https\nhost=h\nusername=u\npassword=new\n",
			   GIT_QUERY_EXACT));
	CU_ASSERT(!matches(empty, "protocol=https\nhost=h\nusername=u\npassword=new\n",
			   GIT_QUERY_EXACT));
	/* erase with a password removes only entries with that password */
	CU_ASSERT(matches(plain, "protocol=https\nhost=h\npassword=p\n", GIT_QUERY_PASSWORD));
	CU_ASSERT(!matches(plain, "protocol=https\nhost=h\npassword=other\n", GIT_QUERY_PASSWORD));
	CU_ASSERT(matches(empty, "protocol=https\nhost=h\npassword=\n", GIT_QUERY_PASSWORD));
	CU_ASSERT(matches(plain, "protocol=https\nhost=h\n", GIT_QUERY_PASSWORD));
	cobocred_item_free(plain);
	cobocred_item_free(pathed);
	cobocred_item_free(empty);
}

static void test_item_build(void)
{
	struct cobocred_item *it = NULL;

	it = stored("protocol=https\nhost=h:1\npath=p\nusername=u\npassword=pw\n"
		    "oauth_refresh_token=rt\npassword_expiry_utc=5000\n");
	STR_EQ(it->schema, COBOCRED_SCHEMA_GIT);
	STR_EQ(it->label, "Git: https://h:1/p");
	CU_ASSERT_EQUAL(it->n_attrs, 4);
	STR_EQ(cobocred_item_attr(it, "host"), "h:1");
	CU_ASSERT_EQUAL(it->secret_len, 2);
	STR_EQ((const char *)it->secret, "pw");
	STR_EQ(it->oauth_refresh_token, "rt");
	CU_ASSERT_EQUAL(it->expires_at, 5000);
	CU_ASSERT_EQUAL(it->created_at, 1000);
	cobocred_item_free(it);
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\nusername=u\npassword=pw\n"), 0);
	CU_ASSERT_EQUAL(git_item_build(&req, 1000, 60, &it), 0); /* --timeout=60 */
	CU_ASSERT_EQUAL(it->expires_at, 1060);
	CU_ASSERT_PTR_NULL(cobocred_item_attr(it, "path"));
	CU_ASSERT_PTR_NULL(it->oauth_refresh_token);
	cobocred_item_free(it);
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\nusername=u\npassword=pw\n"
			      "password_expiry_utc=1030\n"),
			0);
	CU_ASSERT_EQUAL(git_item_build(&req, 1000, 60, &it), 0); /* the earlier one wins */
	CU_ASSERT_EQUAL(it->expires_at, 1030);
	cobocred_item_free(it);
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\nusername=u\npassword=pw\n"
			      "password_expiry_utc=9000\n"),
			0);
	CU_ASSERT_EQUAL(git_item_build(&req, 1000, 60, &it), 0);
	CU_ASSERT_EQUAL(it->expires_at, 1060);
	cobocred_item_free(it);
	CU_ASSERT_EQUAL(parse("protocol=https\nhost=h\n"), 0);
	CU_ASSERT_EQUAL(git_item_build(&req, 1000, 0, &it), -1);
	CU_ASSERT_PTR_NULL(it);
}

static const struct cutest_case cases[] = {
	{ "every key", test_every_key },
	{ "absent and empty", test_absent_and_empty },
	{ "value with '='", test_value_with_equals },
	{ "expiry and boolean forms", test_expiry_and_bool_forms },
	{ "later keys override", test_later_keys_override },
	{ "unknown keys ignored", test_unknown_keys_ignored },
	{ "line limit 65535", test_line_limit },
	{ "input limit 1 MiB", test_input_limit },
	{ "terminators", test_terminators },
	{ "malformed input", test_malformed },
	{ "blank line detection", test_req_end },
	{ "url splitting", test_url_split },
	{ "clear wipes secrets", test_clear_wipes },
	{ "output refuses CR LF NUL", test_output },
	{ "output grows", test_output_grows },
	{ "query building", test_query_build },
	{ "store/get/erase preconditions", test_can },
	{ "matching rules", test_matching },
	{ "item building", test_item_build },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "git protocol", cases },
		{ NULL, NULL },
	};
	int r = cutest_run(suites);

	git_req_clear(&req);
	return r;
}
