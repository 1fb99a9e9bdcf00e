/*
 * test_keyring_map.c - the keyring module's pure mapping: our items as
 * Secret Service items (git's, docker's and our own layouts), payloads,
 * search attributes and match rules.  No daemon needed.
 */
#include "config.h"

#include <string.h>

#include "cobocred.h"
#include "cutest.h"
#include "secret.h"
#include "../../plugins/keyring/map.h"

static struct cobocred_ctx *ctx;
static const struct cobocred_host *H;

static void setup(void)
{
	if (ctx == NULL) {
		cutest_tmpdir(); /* private HOME: no config file, the built-in default */
		cobocred_ctx_new(NULL, &ctx);
		H = cobocred_ctx_host(ctx);
	}
}

static struct cobocred_item *mk(const char *schema, const char *const *kv, const char *secret)
{
	struct cobocred_item *it = cobocred_item_new(schema);

	for (; kv != NULL && kv[0] != NULL; kv += 2)
		CU_ASSERT_EQUAL_FATAL(cobocred_item_add_attr(it, kv[0], kv[1]), 0);
	if (secret != NULL)
		cobocred_item_set_secret(it, secret, strlen(secret));
	return it;
}

static const char *nz(const char *s)
{
	return s != NULL ? s : "(none)";
}

static const char *get(const struct kr_attrs *a, const char *name)
{
	return kr_attrs_get(a, name);
}

static void test_split_host(void)
{
	static const struct {
		const char *host;
		size_t server;
		const char *port;
	} v[] = {
		{ "example.com:8443", 11, "8443" },
		{ "example.com", 11, NULL },
		{ "[::1]", 5, NULL },
		{ "[::1]:443", 5, "443" },
		{ "h:0", 3, NULL },
		{ "h:65536", 7, NULL },
		{ "h:65535", 1, "65535" },
		{ "h:08", 4, NULL },
		{ ":80", 3, NULL },
		{ "h:", 2, NULL },
		{ "h:8x", 4, NULL },
	};
	size_t i, n;
	const char *port;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		kr_split_host(v[i].host, &n, &port);
		CU_ASSERT_EQUAL(n, v[i].server);
		CU_ASSERT_STRING_EQUAL(nz(port), nz(v[i].port));
	}
}

static void test_git_to_ss(void)
{
	static const char *const kv[] = { "protocol",	      "https", "host",
					  "example.com:8443", "path",  "a/b",
					  "username",	      "alice", NULL };
	struct cobocred_item *it;
	struct kr_attrs ss;
	char label[256], err[256];

	setup();
	it = mk(COBOCRED_SCHEMA_GIT, kv, "pw");
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, it, &ss, label, sizeof(label), err,
				      sizeof(err)),
			0);
	CU_ASSERT_EQUAL(ss.n, 6);
	CU_ASSERT_STRING_EQUAL(get(&ss, KR_XDG_SCHEMA), KR_SS_GIT_LEGACY);
	CU_ASSERT_STRING_EQUAL(get(&ss, "protocol"), "https");
	CU_ASSERT_STRING_EQUAL(get(&ss, "server"), "example.com");
	CU_ASSERT_STRING_EQUAL(get(&ss, "port"), "8443");
	CU_ASSERT_STRING_EQUAL(get(&ss, "object"), "a/b");
	CU_ASSERT_STRING_EQUAL(get(&ss, "user"), "alice");
	CU_ASSERT_STRING_EQUAL(label, "Git: https://example.com:8443/a/b");
	CU_ASSERT_EQUAL(kr_item_to_ss(COBOCRED_SCHEMA_GIT, it, &ss, label, sizeof(label), err,
				      sizeof(err)),
			0);
	CU_ASSERT_STRING_EQUAL(get(&ss, KR_XDG_SCHEMA), COBOCRED_SCHEMA_GIT);
	cobocred_item_free(it);
}

static void test_git_username_and_path(void)
{
	static const char *const empty_user[] = { "protocol", "https", "host", "h",
						  "username", "",      NULL };
	static const char *const no_user[] = { "protocol", "https", "host", "h", NULL };
	struct cobocred_item *a = mk(COBOCRED_SCHEMA_GIT, empty_user, "p");
	struct cobocred_item *b = mk(COBOCRED_SCHEMA_GIT, no_user, "p");
	struct kr_attrs ss;
	char label[256], err[256];

	/* git stores an explicitly empty username as user="", a missing one not at all */
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, a, &ss, label, sizeof(label), err,
				      sizeof(err)),
			0);
	CU_ASSERT_PTR_NOT_NULL(get(&ss, "user"));
	CU_ASSERT_STRING_EQUAL(get(&ss, "user") ? get(&ss, "user") : "x", "");
	CU_ASSERT_PTR_NULL(get(&ss, "object"));
	CU_ASSERT_PTR_NULL(get(&ss, "port"));
	CU_ASSERT_STRING_EQUAL(label, "Git: https://h/");
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, b, &ss, label, sizeof(label), err,
				      sizeof(err)),
			0);
	CU_ASSERT_PTR_NULL(get(&ss, "user"));
	cobocred_item_free(a);
	cobocred_item_free(b);
}

static void test_git_refuses(void)
{
	static const char *const extra[] = { "protocol", "https", "host", "h", "realm", "x", NULL };
	static const char *const nl[] = { "protocol", "https", "host", "h\nx", NULL };
	struct cobocred_item *a = mk(COBOCRED_SCHEMA_GIT, extra, "p");
	struct cobocred_item *b = mk(COBOCRED_SCHEMA_GIT, nl, "p");
	struct kr_attrs ss;
	char label[256], err[256] = "";

	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, a, &ss, label, sizeof(label), err,
				      sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "realm"));
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, b, &ss, label, sizeof(label), err,
				      sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "newline"));
	cobocred_item_free(a);
	cobocred_item_free(b);
}

static void test_docker_to_ss(void)
{
	static const char *const kv[] = { "server", "https://index.docker.io/v1/", "username",
					  "bob", NULL };
	static const char *const nouser[] = { "server", "r.example", NULL };
	static const char *const extra[] = { "server", "r", "username", "u", "x", "y", NULL };
	struct cobocred_item *it = mk(COBOCRED_SCHEMA_DOCKER, kv, "s");
	struct cobocred_item *b = mk(COBOCRED_SCHEMA_DOCKER, nouser, "s");
	struct cobocred_item *c = mk(COBOCRED_SCHEMA_DOCKER, extra, "s");
	struct kr_attrs ss;
	char label[256], err[256];

	cobocred_item_set_label(it, "ignored: docker lists items by label = URL");
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, it, &ss, label, sizeof(label), err,
				      sizeof(err)),
			0);
	CU_ASSERT_EQUAL(ss.n, 5);
	CU_ASSERT_STRING_EQUAL(get(&ss, KR_XDG_SCHEMA), "io.docker.Credentials");
	CU_ASSERT_STRING_EQUAL(get(&ss, "label"), "Docker Credentials");
	CU_ASSERT_STRING_EQUAL(get(&ss, "server"), "https://index.docker.io/v1/");
	CU_ASSERT_STRING_EQUAL(get(&ss, "username"), "bob");
	CU_ASSERT_STRING_EQUAL(get(&ss, "docker_cli"), "1");
	CU_ASSERT_STRING_EQUAL(label, "https://index.docker.io/v1/");
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, b, &ss, label, sizeof(label), err,
				      sizeof(err)),
			-1);
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, c, &ss, label, sizeof(label), err,
				      sizeof(err)),
			-1);
	cobocred_item_free(it);
	cobocred_item_free(b);
	cobocred_item_free(c);
}

static const char *const cobo_kv[] = { "base_url",  "https://api.dev.cobo.com/v2",
				       "client_id", "cid",
				       "org_id",    "org1",
				       "kind",	    "access",
				       NULL };

static void test_cobo_to_ss(void)
{
	static const char *const reserved[] = { "kind", "access", "expires_at", "1", NULL };
	struct cobocred_item *it = mk(COBOCRED_SCHEMA_COBO, cobo_kv, "tok");
	struct cobocred_item *bad = mk(COBOCRED_SCHEMA_COBO, reserved, "tok");
	struct kr_attrs ss;
	char label[256], err[256];

	cobocred_item_set_times(it, 1700000000, 1700000900);
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, it, &ss, label, sizeof(label), err,
				      sizeof(err)),
			0);
	CU_ASSERT_EQUAL(ss.n, 7);
	CU_ASSERT_STRING_EQUAL(get(&ss, KR_XDG_SCHEMA), COBOCRED_SCHEMA_COBO);
	CU_ASSERT_STRING_EQUAL(get(&ss, "kind"), "access");
	CU_ASSERT_STRING_EQUAL(get(&ss, "expires_at"), "1700000900");
	CU_ASSERT_STRING_EQUAL(get(&ss, "created_at"), "1700000000");
	CU_ASSERT_STRING_EQUAL(label,
			       "Cobo Org Access Token (org1 on https://api.dev.cobo.com/v2)");
	cobocred_item_set_label(it, "Cobo Org Access Token (org1 on api.dev.cobo.com)");
	kr_item_to_ss(KR_SS_GIT_LEGACY, it, &ss, label, sizeof(label), err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(label, "Cobo Org Access Token (org1 on api.dev.cobo.com)");
	CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, bad, &ss, label, sizeof(label), err,
				      sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "reserved"));
	cobocred_item_free(it);
	cobocred_item_free(bad);
}

static void test_payload_build(void)
{
	static const char *const kv[] = { "protocol", "https", "host", "h", NULL };
	struct cobocred_item *it = mk(COBOCRED_SCHEMA_GIT, kv, "pw");
	struct cobocred_item *d = cobocred_item_new(COBOCRED_SCHEMA_DOCKER);
	char *p = NULL, err[256];
	size_t n = 0;

	CU_ASSERT_EQUAL(kr_payload_build(H, it, &p, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(memcmp(p, "pw", 2), 0);
	H->secret_free(p);
	cobocred_item_set_times(it, 0, 1684189401);
	cobocred_item_set_refresh(it, "xyzzy");
	CU_ASSERT_EQUAL(kr_payload_build(H, it, &p, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, strlen("pw\npassword_expiry_utc=1684189401\noauth_refresh_token=xyzzy"));
	CU_ASSERT_EQUAL(memcmp(p, "pw\npassword_expiry_utc=1684189401\noauth_refresh_token=xyzzy",
			       n),
			0);
	H->secret_free(p);
	cobocred_item_set_secret(it, "a\nb", 3);
	CU_ASSERT_EQUAL(kr_payload_build(H, it, &p, &n, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NULL(p);
	/* other schemas: the exact bytes, NULs included */
	cobocred_item_set_secret(d, "x\0y\n", 4);
	CU_ASSERT_EQUAL(kr_payload_build(H, d, &p, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(memcmp(p, "x\0y\n", 4), 0);
	H->secret_free(p);
	cobocred_item_free(it);
	cobocred_item_free(d);
}

static void test_git_payload_parse(void)
{
	static const char full[] = "hunter2\npassword_expiry_utc=1684189401\n"
				   "oauth_refresh_token=xyzzy\nfuture_key=ignored";
	struct cobocred_item *it = cobocred_item_new(COBOCRED_SCHEMA_GIT);

	/* git 2.39: the bare password */
	CU_ASSERT_EQUAL(kr_git_payload_parse(H, it, "hunter2", 7), 0);
	CU_ASSERT_EQUAL(it->secret_len, 7);
	CU_ASSERT_EQUAL(memcmp(it->secret, "hunter2", 7), 0);
	CU_ASSERT_EQUAL(it->expires_at, 0);
	CU_ASSERT_PTR_NULL(it->oauth_refresh_token);
	cobocred_item_free(it);
	/* newer git: password plus metadata lines */
	it = cobocred_item_new(COBOCRED_SCHEMA_GIT);
	CU_ASSERT_EQUAL(kr_git_payload_parse(H, it, full, strlen(full)), 0);
	CU_ASSERT_EQUAL(it->secret_len, 7);
	CU_ASSERT_EQUAL(it->expires_at, 1684189401);
	CU_ASSERT_STRING_EQUAL(it->oauth_refresh_token ? it->oauth_refresh_token : "", "xyzzy");
	cobocred_item_free(it);
	/* empty password, bad expiry (git: does not expire) */
	it = cobocred_item_new(COBOCRED_SCHEMA_GIT);
	CU_ASSERT_EQUAL(kr_git_payload_parse(H, it, "\npassword_expiry_utc=soon\n", 26), 0);
	CU_ASSERT_PTR_NOT_NULL(it->secret);
	CU_ASSERT_EQUAL(it->secret_len, 0);
	CU_ASSERT_EQUAL(it->expires_at, 0);
	cobocred_item_free(it);
	it = cobocred_item_new(COBOCRED_SCHEMA_GIT);
	CU_ASSERT_EQUAL(kr_git_payload_parse(H, it, "", 0), 0);
	CU_ASSERT_EQUAL(it->secret_len, 0);
	cobocred_item_free(it);
}

static void ss_add(struct kr_attrs *a, const char *const *kv)
{
	kr_attrs_init(a);
	for (; kv[0] != NULL; kv += 2)
		CU_ASSERT_EQUAL_FATAL(kr_attrs_add(a, kv[0], kv[1]), 0);
}

static void test_git_from_ss(void)
{
	static const char *const legacy[] = { KR_XDG_SCHEMA, KR_SS_GIT_LEGACY, "user",	 "alice",
					      "server",	     "example.com",    "port",	 "8443",
					      "protocol",    "https",	       "object", "a/b",
					      NULL };
	static const char *const newer[] = { KR_XDG_SCHEMA, "org.git.Password", "server",
					     "h",	    "protocol",		"https",
					     NULL };
	static const char *const gvfs[] = { KR_XDG_SCHEMA, KR_SS_GIT_LEGACY, "server",
					    "h",	   "protocol",	     "smb",
					    "domain",	   "WORK",	     NULL };
	static const char *const other[] = { KR_XDG_SCHEMA, "org.example.Other", "server", "h",
					     NULL };
	struct cobocred_item *it = NULL;
	struct kr_attrs a;

	ss_add(&a, legacy);
	CU_ASSERT_EQUAL_FATAL(kr_item_from_ss(H, COBOCRED_SCHEMA_GIT, &a, "Git: x", 1700, &it), 0);
	CU_ASSERT_STRING_EQUAL(it->schema, COBOCRED_SCHEMA_GIT);
	CU_ASSERT_EQUAL(it->n_attrs, 4);
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(it, "protocol"), "https");
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(it, "host"), "example.com:8443");
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(it, "path"), "a/b");
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(it, "username"), "alice");
	CU_ASSERT_STRING_EQUAL(it->label, "Git: x");
	CU_ASSERT_EQUAL(it->created_at, 1700);
	CU_ASSERT_PTR_NULL(it->secret);
	CU_ASSERT_EQUAL(kr_item_set_payload(H, it, "pw\npassword_expiry_utc=9", 24), 0);
	CU_ASSERT_EQUAL(it->secret_len, 2);
	CU_ASSERT_EQUAL(it->expires_at, 9);
	cobocred_item_free(it);
	ss_add(&a, newer);
	CU_ASSERT_EQUAL(kr_item_from_ss(H, COBOCRED_SCHEMA_GIT, &a, NULL, 0, &it), 0);
	CU_ASSERT_EQUAL(it->n_attrs, 2);
	CU_ASSERT_PTR_NULL(cobocred_item_attr(it, "username"));
	cobocred_item_free(it);
	ss_add(&a, gvfs);
	CU_ASSERT_EQUAL(kr_item_from_ss(H, COBOCRED_SCHEMA_GIT, &a, NULL, 0, &it), KR_SKIP);
	CU_ASSERT_PTR_NULL(it);
	ss_add(&a, other);
	CU_ASSERT_EQUAL(kr_item_from_ss(H, COBOCRED_SCHEMA_GIT, &a, NULL, 0, &it), KR_SKIP);
}

static void test_docker_from_ss(void)
{
	static const char *const kv[] = { KR_XDG_SCHEMA, "io.docker.Credentials",
					  "label",	 "Docker Credentials",
					  "server",	 "r.example:5000",
					  "username",	 "<token>",
					  "docker_cli",	 "1",
					  NULL };
	static const char *const wrong[] = { KR_XDG_SCHEMA, "org.example", "server", "r", NULL };
	struct cobocred_item *it = NULL;
	struct kr_attrs a;

	ss_add(&a, kv);
	CU_ASSERT_EQUAL_FATAL(kr_item_from_ss(H, COBOCRED_SCHEMA_DOCKER, &a, "r.example:5000", 5,
					      &it),
			      0);
	CU_ASSERT_EQUAL(it->n_attrs, 2);
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(it, "server"), "r.example:5000");
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(it, "username"), "<token>");
	CU_ASSERT_EQUAL(kr_item_set_payload(H, it, "a\nb", 3), 0);
	CU_ASSERT_EQUAL(it->secret_len, 3);
	cobocred_item_free(it);
	ss_add(&a, wrong);
	CU_ASSERT_EQUAL(kr_item_from_ss(H, COBOCRED_SCHEMA_DOCKER, &a, NULL, 0, &it), KR_SKIP);
}

static void test_generic_from_ss(void)
{
	static const char *const kv[] = { KR_XDG_SCHEMA, COBOCRED_SCHEMA_COBO,
					  "org_id",	 "o",
					  "kind",	 "refresh",
					  "expires_at",	 "200",
					  "base_url",	 "u",
					  "client_id",	 "c",
					  NULL };
	static const char *const nots[] = { KR_XDG_SCHEMA, COBOCRED_SCHEMA_COBO, "kind",
					    "access",	   "expires_at",	 "junk",
					    NULL };
	struct cobocred_item *it = NULL;
	struct kr_attrs a;

	ss_add(&a, kv);
	CU_ASSERT_EQUAL_FATAL(kr_item_from_ss(H, COBOCRED_SCHEMA_COBO, &a, "L", 77, &it), 0);
	CU_ASSERT_EQUAL(it->n_attrs, 4);
	/* sorted by name */
	CU_ASSERT_STRING_EQUAL(it->attrs[0].name, "base_url");
	CU_ASSERT_STRING_EQUAL(it->attrs[1].name, "client_id");
	CU_ASSERT_STRING_EQUAL(it->attrs[2].name, "kind");
	CU_ASSERT_STRING_EQUAL(it->attrs[3].name, "org_id");
	CU_ASSERT_EQUAL(it->expires_at, 200);
	CU_ASSERT_EQUAL(it->created_at, 77); /* no created_at attribute: the keyring's time */
	cobocred_item_free(it);
	ss_add(&a, nots);
	CU_ASSERT_EQUAL_FATAL(kr_item_from_ss(H, COBOCRED_SCHEMA_COBO, &a, NULL, 0, &it), 0);
	CU_ASSERT_EQUAL(it->expires_at, 0);
	cobocred_item_free(it);
	CU_ASSERT_EQUAL(kr_item_from_ss(H, COBOCRED_SCHEMA_APP_SECRET, &a, NULL, 0, &it), KR_SKIP);
}

/* item -> Secret Service -> item gives back the same item. */
static void roundtrip(struct cobocred_item *it)
{
	struct cobocred_item *back = NULL;
	struct kr_attrs ss;
	char label[512], err[256], *p = NULL;
	size_t n = 0, i;

	CU_ASSERT_EQUAL_FATAL(kr_item_to_ss(KR_SS_GIT_LEGACY, it, &ss, label, sizeof(label), err,
					    sizeof(err)),
			      0);
	CU_ASSERT_EQUAL_FATAL(kr_payload_build(H, it, &p, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(kr_item_from_ss(H, it->schema, &ss, label, 0, &back), 0);
	CU_ASSERT_EQUAL(kr_item_set_payload(H, back, p, n), 0);
	H->secret_free(p);
	CU_ASSERT_EQUAL(back->n_attrs, it->n_attrs);
	for (i = 0; i < it->n_attrs; i++)
		CU_ASSERT_STRING_EQUAL(nz(cobocred_item_attr(back, it->attrs[i].name)),
				       it->attrs[i].value);
	CU_ASSERT_EQUAL(back->secret_len, it->secret_len);
	CU_ASSERT_EQUAL(memcmp(back->secret, it->secret, it->secret_len), 0);
	CU_ASSERT_EQUAL(back->expires_at, it->expires_at);
	CU_ASSERT_STRING_EQUAL(nz(back->oauth_refresh_token), nz(it->oauth_refresh_token));
	cobocred_item_free(back);
}

static void test_roundtrips(void)
{
	static const char *const git[] = { "protocol", "https",	   "host", "[::1]:8443", "path",
					   "r.git",    "username", "",	   NULL };
	static const char *const docker[] = { "server", "https://index.docker.io/v1/", "username",
					      "<token>", NULL };
	static const char *const app[] = { "profile", "acme", "client_id", "cid", NULL };
	struct cobocred_item *it;
	size_t live = cobocred_secret_live();

	it = mk(COBOCRED_SCHEMA_GIT, git, "");
	cobocred_item_set_times(it, 0, 2000000000);
	cobocred_item_set_refresh(it, "rt");
	roundtrip(it);
	cobocred_item_free(it);
	it = mk(COBOCRED_SCHEMA_DOCKER, docker, "identity\ntoken");
	roundtrip(it);
	cobocred_item_free(it);
	it = mk(COBOCRED_SCHEMA_COBO, cobo_kv, "tok");
	cobocred_item_set_times(it, 1, 2);
	roundtrip(it);
	cobocred_item_free(it);
	it = mk(COBOCRED_SCHEMA_APP_SECRET, app, "-----BEGIN KEY-----\nabc\n");
	roundtrip(it);
	cobocred_item_free(it);
	it = mk("org.example.Custom", app, "s");
	roundtrip(it);
	cobocred_item_free(it);
	/* every secret copy made on the way was freed (and so wiped) */
	CU_ASSERT_EQUAL(cobocred_secret_live(), live);
}

static void test_query_to_search(void)
{
	struct cobocred_attr g[] = { { "protocol", "https" },
				     { "host", "h:8080" },
				     { "username", NULL } };
	struct cobocred_attr bad[] = { { "realm", "x" } };
	struct cobocred_attr d[] = { { "server", "r" } };
	struct cobocred_attr meta[] = { { "expires_at", "1" } };
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = COBOCRED_SCHEMA_GIT,
				    .n_attrs = 3,
				    .attrs = g };
	struct kr_attrs s;

	CU_ASSERT_EQUAL(kr_query_to_search(&q, COBOCRED_SCHEMA_GIT, &s), 0);
	CU_ASSERT_EQUAL(s.n, 3); /* no xdg:schema: both git schema names are read */
	CU_ASSERT_STRING_EQUAL(get(&s, "server"), "h");
	CU_ASSERT_STRING_EQUAL(get(&s, "port"), "8080");
	CU_ASSERT_PTR_NULL(get(&s, "user")); /* "must be absent" is filtered in C */
	CU_ASSERT_EQUAL(kr_query_to_search(&q, COBOCRED_SCHEMA_DOCKER, &s), KR_NOMATCH);
	q.attrs = bad;
	q.n_attrs = 1;
	CU_ASSERT_EQUAL(kr_query_to_search(&q, COBOCRED_SCHEMA_GIT, &s), KR_NOMATCH);
	q.schema = COBOCRED_SCHEMA_DOCKER;
	q.attrs = d;
	CU_ASSERT_EQUAL(kr_query_to_search(&q, COBOCRED_SCHEMA_DOCKER, &s), 0);
	CU_ASSERT_EQUAL(s.n, 3);
	CU_ASSERT_STRING_EQUAL(get(&s, "docker_cli"), "1");
	CU_ASSERT_STRING_EQUAL(get(&s, KR_XDG_SCHEMA), COBOCRED_SCHEMA_DOCKER);
	q.schema = NULL; /* any schema: the caller loops over the built-in ones */
	q.attrs = meta;
	CU_ASSERT_EQUAL(kr_query_to_search(&q, COBOCRED_SCHEMA_COBO, &s), KR_NOMATCH);
	q.n_attrs = 0;
	CU_ASSERT_EQUAL(kr_query_to_search(&q, COBOCRED_SCHEMA_COBO, &s), 0);
	CU_ASSERT_EQUAL(s.n, 1);
}

static void test_identity_and_match(void)
{
	static const char *const docker[] = { "server", "r", "username", "u", NULL };
	static const char *const git[] = { "protocol", "https", "host", "h", NULL };
	struct cobocred_item *d = mk(COBOCRED_SCHEMA_DOCKER, docker, "s");
	struct cobocred_item *g = mk(COBOCRED_SCHEMA_GIT, git, "pw");
	struct cobocred_item *g2 = mk(COBOCRED_SCHEMA_GIT, git, "pw");
	struct cobocred_attr attrs[KR_MAX_ATTRS];
	struct cobocred_attr absent[] = { { "username", NULL } };
	struct cobocred_query q;

	kr_identity_query(d, &q, attrs);
	CU_ASSERT_EQUAL(q.n_attrs, 1);
	CU_ASSERT_STRING_EQUAL(q.attrs[0].name, "server");
	CU_ASSERT_EQUAL(q.flags, 0);
	kr_identity_query(g, &q, attrs);
	CU_ASSERT_EQUAL(q.n_attrs, 2);
	CU_ASSERT_EQUAL(q.flags, COBOCRED_QUERY_EXACT);
	CU_ASSERT_TRUE(kr_item_matches(g, &q));
	cobocred_item_add_attr(g2, "path", "p");
	CU_ASSERT_FALSE(kr_item_matches(g2, &q)); /* EXACT: an extra path is another item */
	CU_ASSERT_FALSE(kr_item_matches(d, &q));  /* another schema */
	q.flags = 0;
	CU_ASSERT_TRUE(kr_item_matches(g2, &q));
	q.secret = (const unsigned char *)"pw";
	q.secret_len = 2;
	CU_ASSERT_TRUE(kr_item_matches(g2, &q));
	q.secret = (const unsigned char *)"other";
	q.secret_len = 5;
	CU_ASSERT_FALSE(kr_item_matches(g2, &q));
	q.secret = NULL;
	q.attrs = absent;
	q.n_attrs = 1;
	CU_ASSERT_TRUE(kr_item_matches(g, &q));
	cobocred_item_add_attr(g, "username", "");
	CU_ASSERT_FALSE(kr_item_matches(g, &q)); /* empty is present, not absent */
	cobocred_item_free(d);
	cobocred_item_free(g);
	cobocred_item_free(g2);
}

static void test_attrs_bounded(void)
{
	static struct kr_attrs a;
	char big[KR_ARENA];
	int i, r = 0;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kr_attrs_init(&a);
	CU_ASSERT_EQUAL(kr_attrs_add(&a, "n", big), -1);
	CU_ASSERT_EQUAL(a.n, 0);
	CU_ASSERT_EQUAL(a.used, 0);
	for (i = 0; i < KR_MAX_ATTRS && r == 0; i++)
		r = kr_attrs_add(&a, "n", "v");
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(kr_attrs_add(&a, "n", "v"), -1);
}

/* A store searches once when its replace query is the item's identity. */
static void test_query_same(void)
{
	static const struct cobocred_attr ab[] = { { "host", "h" }, { "user", "u" } };
	static const struct cobocred_attr ba[] = { { "user", "u" }, { "host", "h" } };
	static const struct cobocred_attr empty[] = { { "host", "h" }, { "user", "" } };
	static const struct cobocred_attr absent[] = { { "host", "h" }, { "user", NULL } };
	static const struct cobocred_attr twice[] = { { "host", "h" }, { "host", "h" } };
	struct cobocred_query a = { .struct_size = sizeof(a),
				    .schema = COBOCRED_SCHEMA_GIT,
				    .n_attrs = 2,
				    .attrs = ab,
				    .flags = COBOCRED_QUERY_EXACT };
	struct cobocred_query b = a;

	b.attrs = ba;
	CU_ASSERT_TRUE(cobocred_query_same(&a, &b)); /* order does not matter */
	b.flags = 0;
	CU_ASSERT_FALSE(cobocred_query_same(&a, &b));
	b.flags = a.flags;
	b.schema = COBOCRED_SCHEMA_DOCKER;
	CU_ASSERT_FALSE(cobocred_query_same(&a, &b));
	b.schema = a.schema;
	b.secret = (const unsigned char *)"pw";
	b.secret_len = 2;
	CU_ASSERT_FALSE(cobocred_query_same(&a, &b)); /* a secret narrows the match */
	b.secret = NULL;
	b.secret_len = 0;
	b.attrs = empty;
	CU_ASSERT_FALSE(cobocred_query_same(&a, &b));
	a.attrs = absent;
	CU_ASSERT_FALSE(cobocred_query_same(&a, &b)); /* absent is not empty */
	b.attrs = absent;
	CU_ASSERT_TRUE(cobocred_query_same(&a, &b));
	b.attrs = twice;
	CU_ASSERT_FALSE(cobocred_query_same(&a, &b));
	CU_ASSERT_FALSE(cobocred_query_same(&b, &a));
}

/*
 * Provider attributes (issue 15): KeePassXC adds Title, UserName, URL,
 * Notes, Uuid and Path to every item.  For every schema and every subset
 * of them (with values that collide with ours), an item reads back as the
 * item we stored, and still matches its own EXACT identity.  Any other
 * extra attribute - a near-miss spelling included - still makes a git item
 * somebody else's and breaks an EXACT match.
 */
static const char *const provider_names[] = { "Title", "UserName", "URL", "Notes", "Uuid", "Path" };
#define N_PROVIDER 6

static void add_provider_attrs(struct kr_attrs *ss, unsigned mask, unsigned salt)
{
	static const char *const values[] = {
		"",	 "alice", "https://example.com", "/a/b", "0123456789abcdef0123456789abcdef",
		"Git: x"
	};
	unsigned i;

	for (i = 0; i < N_PROVIDER; i++)
		if (mask & (1u << i))
			CU_ASSERT_EQUAL(kr_attrs_add(ss, provider_names[i], values[(i + salt) % 6]),
					0);
}

/* The Secret Service form of it, as a provider answers it back. */
static void to_ss(const struct cobocred_item *it, struct kr_attrs *ss)
{
	char label[256], err[256];

	CU_ASSERT_EQUAL_FATAL(kr_item_to_ss(KR_SS_GIT_LEGACY, it, ss, label, sizeof(label), err,
					    sizeof(err)),
			      0);
}

static void same_attrs(const struct cobocred_item *a, const struct cobocred_item *b)
{
	size_t i;

	CU_ASSERT_EQUAL_FATAL(a->n_attrs, b->n_attrs);
	for (i = 0; i < a->n_attrs; i++)
		CU_ASSERT_STRING_EQUAL(cobocred_item_attr(b, a->attrs[i].name), a->attrs[i].value);
}

static void test_provider_attrs(void)
{
	static const char *const git[] = { "protocol",	       "https", "host",
					   "example.com:8443", "path",	"a/b",
					   "username",	       "alice", NULL };
	static const char *const docker[] = { "server", "https://r.example/", "username", "u",
					      NULL };
	static const char *const cobo[] = { "base_url",	 "https://api.dev.cobo.com/v2",
					    "client_id", "cid",
					    "org_id",	 "o1",
					    "kind",	 "access",
					    NULL };
	static const char *const app[] = { "profile", "acme", "client_id", "cid", NULL };
	static const char *const custom[] = { "k", "v", NULL };
	static const struct {
		const char *schema;
		const char *const *kv;
	} v[] = {
		{ COBOCRED_SCHEMA_GIT, git },	  { COBOCRED_SCHEMA_DOCKER, docker },
		{ COBOCRED_SCHEMA_COBO, cobo },	  { COBOCRED_SCHEMA_APP_SECRET, app },
		{ "org.example.Custom", custom },
	};
	struct cobocred_attr idattrs[KR_MAX_ATTRS];
	struct cobocred_query id;
	size_t k;
	unsigned mask, salt, n = 0;

	for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		struct cobocred_item *it = mk(v[k].schema, v[k].kv, NULL);

		kr_identity_query(it, &id, idattrs);
		for (mask = 0; mask < (1u << N_PROVIDER); mask++) {
			for (salt = 0; salt < 3; salt++) {
				struct cobocred_item *back = NULL;
				struct kr_attrs ss;

				to_ss(it, &ss);
				add_provider_attrs(&ss, mask, salt);
				CU_ASSERT_EQUAL_FATAL(kr_item_from_ss(H, v[k].schema, &ss, "Title",
								      5, &back),
						      0);
				same_attrs(it, back);
				CU_ASSERT_TRUE(kr_item_matches(back, &id));
				cobocred_item_free(back);
				n++;
			}
		}
		cobocred_item_free(it);
	}
	CU_ASSERT_EQUAL(n, 5 * 64 * 3);
}

static void test_foreign_attrs(void)
{
	/* near misses of the provider's names are not the provider's */
	static const char *const foreign[] = { "domain",    "authtype", "title", "TITLE",
					       "username2", "uuid",	"path",	 "Url",
					       "Notes ",    "Title\n",	NULL };
	static const char *const git[] = {
		"protocol", "https", "host", "h", "username", "u", NULL
	};
	static const char *const cobo[] = { "base_url", "u",	"client_id", "c", "org_id",
					    "o",	"kind", "refresh",   NULL };
	struct cobocred_attr idattrs[KR_MAX_ATTRS];
	struct cobocred_query id;
	const char *const *f;
	unsigned mask;

	for (f = foreign; *f != NULL; f++) {
		for (mask = 0; mask < (1u << N_PROVIDER); mask += 7) {
			struct cobocred_item *g = mk(COBOCRED_SCHEMA_GIT, git, NULL);
			struct cobocred_item *c = mk(COBOCRED_SCHEMA_COBO, cobo, NULL);
			struct cobocred_item *back = NULL;
			struct kr_attrs ss;

			to_ss(g, &ss);
			add_provider_attrs(&ss, mask, 1);
			CU_ASSERT_EQUAL(kr_attrs_add(&ss, *f, "x"), 0);
			CU_ASSERT_EQUAL(kr_item_from_ss(H, COBOCRED_SCHEMA_GIT, &ss, NULL, 0,
							&back),
					KR_SKIP);
			CU_ASSERT_PTR_NULL(back);
			to_ss(c, &ss);
			add_provider_attrs(&ss, mask, 2);
			CU_ASSERT_EQUAL(kr_attrs_add(&ss, *f, "x"), 0);
			kr_identity_query(c, &id, idattrs);
			CU_ASSERT_EQUAL_FATAL(kr_item_from_ss(H, COBOCRED_SCHEMA_COBO, &ss, NULL, 0,
							      &back),
					      0);
			CU_ASSERT_FALSE(kr_item_matches(back, &id)); /* EXACT: one more attribute */
			CU_ASSERT_STRING_EQUAL(cobocred_item_attr(back, *f), "x");
			cobocred_item_free(back);
			cobocred_item_free(g);
			cobocred_item_free(c);
		}
	}
}

/* Ours never carry the provider's names, so ignoring them on read loses nothing. */
static void test_provider_names_reserved(void)
{
	struct cobocred_attr q1[] = { { "Title", "x" } };
	struct cobocred_query q = { .struct_size = sizeof(q), .schema = COBOCRED_SCHEMA_COBO };
	struct kr_attrs ss;
	char label[64], err[256];
	size_t i;

	for (i = 0; i < N_PROVIDER; i++) {
		const char *kv[] = { "org_id", "o", provider_names[i], "v", NULL };
		struct cobocred_item *it = mk(COBOCRED_SCHEMA_COBO, kv, NULL);

		CU_ASSERT_EQUAL(kr_item_to_ss(KR_SS_GIT_LEGACY, it, &ss, label, sizeof(label), err,
					      sizeof(err)),
				-1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "reserved"));
		cobocred_item_free(it);
		q1[0].name = provider_names[i];
		q.attrs = q1;
		q.n_attrs = 1;
		CU_ASSERT_EQUAL(kr_query_to_search(&q, COBOCRED_SCHEMA_COBO, &ss), KR_NOMATCH);
	}
}

static const struct cutest_case map_cases[] = {
	{ "split host like git", test_split_host },
	{ "git item -> git-credential-libsecret attributes", test_git_to_ss },
	{ "git empty vs missing username", test_git_username_and_path },
	{ "git refuses foreign attributes and newlines", test_git_refuses },
	{ "docker item -> secretservice attributes", test_docker_to_ss },
	{ "cobo token attributes and label", test_cobo_to_ss },
	{ "payloads", test_payload_build },
	{ "git payload parsing (2.39 and newer)", test_git_payload_parse },
	{ "git items back (legacy/new schema, foreign skipped)", test_git_from_ss },
	{ "docker items back", test_docker_from_ss },
	{ "generic items back", test_generic_from_ss },
	{ "round trips, every secret wiped", test_roundtrips },
	{ "query -> search attributes", test_query_to_search },
	{ "identity and match rules", test_identity_and_match },
	{ "same query: order-free, schema, flags, absent vs empty", test_query_same },
	{ "attribute sets are bounded", test_attrs_bounded },
	{ "provider attributes ignored, every schema and subset", test_provider_attrs },
	{ "foreign attributes still tell items apart", test_foreign_attrs },
	{ "provider attribute names are reserved", test_provider_names_reserved },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "keyring map", map_cases },
		{ NULL, NULL },
	};
	int r;

	setup();
	r = cutest_run(suites);

	cobocred_ctx_free(ctx);
	return r;
}
