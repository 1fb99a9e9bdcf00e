/*
 * test_orgs.c - one app, many orgs: a token of org A never serves org B,
 * and an org a profile does not name is never minted.  The org id rule
 * (src/util/orgset.h) is the boundary: an org id goes into the mint URL's
 * query, every store's lookup attributes and a lock name.  Variants are
 * generated: every byte in front, inside and behind an org id, every
 * length, case flips, prefixes, suffixes, joined lists, blanks and
 * commas; each is put to the setting parser (FILE:LINE refusals), the
 * membership test, the core's org choice and query builder, the routing
 * by git user name, and the cobo-oauth module's own refusal.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobo_config.h"
#include "conf.h"
#include "cutest.h"
#include "../core/test_core_fixture.h"
#include "orgset.h"
#include "route.h"

#define UUID "e3986401-4aec-480a-973d-e775a4518413"

static const char *const members[] = { UUID, "org-a", "B_2" };
#define N_MEMBERS 3
#define LIST_SETTING UUID ", org-a B_2"

static size_t n_checked;
static struct cobocred_ctx *ctx;

static int is_member(const char *s)
{
	size_t i;

	for (i = 0; i < N_MEMBERS; i++)
		if (strcmp(s, members[i]) == 0)
			return 1;
	return 0;
}

/* --- the org id rule ------------------------------------------------------------------ */

static int byte_ok(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (!first && (c == '-' || c == '_'));
}

static void test_org_id_bytes(void)
{
	char s[8];
	int c, pos;

	for (c = 1; c < 256; c++)
		for (pos = 0; pos < 3; pos++) {
			memcpy(s, "abc", 4);
			s[pos] = (char)c;
			CU_ASSERT_EQUAL(cobocred_org_id_ok(s), byte_ok(c, pos == 0));
			n_checked++;
		}
	/* NUL inside: the string ends there, the n-byte form refuses it */
	CU_ASSERT_FALSE(cobocred_org_id_okn("a\0b", 3));
	CU_ASSERT_FALSE(cobocred_org_id_ok(NULL));
}

static void test_org_id_lengths(void)
{
	char s[80];
	size_t n;

	for (n = 0; n < sizeof(s) - 1; n++) {
		memset(s, 'x', n);
		s[n] = '\0';
		CU_ASSERT_EQUAL(cobocred_org_id_ok(s), n >= 1 && n <= COBOCRED_ORG_MAX);
		n_checked++;
	}
}

/* --- near misses: never a member, never chosen, never minted --------------------------- */

static struct cobocred_ctx *open_ctx(void)
{
	if (ctx == NULL)
		ctx = fixture_ctx_ok(
			"[stack]\nget = none\n"
			"[profile list]\nbase_url = https://api.dev.cobo.com/v2\nclient_id = c\n"
			"org_id = " LIST_SETTING "\n"
			"[profile any]\nbase_url = https://api.sandbox.cobo.com/v2\nclient_id = c\n"
			"org_id = *\n"
			"[profile one]\nbase_url = https://api.cobo.com/v2\nclient_id = c\n"
			"org_id = " UUID "\n"
			"[profile anyone]\nbase_url = https://api.cobo.com:8443/v2\nclient_id = c\n"
			"org_id = *\n"
			"[profile listed]\nbase_url = https://api.cobo.com:8443/v2\nclient_id = d\n"
			"org_id = org-a,B_2\n");
	return ctx;
}

/* The resolved target's profile name and org, NULL unless st is SUCCESS. */
static struct cobocred_resolved rt;
static int resolved(int st, const char **name, const char **org)
{
	*name = st == COBOCRED_SUCCESS ? rt.profile->name : NULL;
	*org = st == COBOCRED_SUCCESS ? rt.org : NULL;
	return st;
}

static int route(const char *hostport, const char *user, const char **name, const char **org)
{
	struct cobocred_origin o;
	const char *why;

	CU_ASSERT_EQUAL_FATAL(cobocred_parse_hostport(hostport, strlen(hostport), &o, &why), 0);
	snprintf(o.scheme, sizeof(o.scheme), "https");
	return resolved(cobocred_profile_org_by_origin(ctx, &o, user, "(how)", &rt), name, org);
}

/* s, a string that is not a member of LIST_SETTING, reaches no token of any org. */
static void never_served(const char *s)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	struct oauth_conf c = { .profile = "list", .orgs = LIST_SETTING };
	const char *out = NULL, *name, *org;
	char err[256];
	int st;

	CU_ASSERT_FALSE(cobocred_orgs_has(LIST_SETTING, s));
	CU_ASSERT_FALSE(cobocred_orgs_lists(LIST_SETTING, s));
	CU_ASSERT_NOT_EQUAL(cobocred_profile_org(ctx, "list", s, &out), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_NOT_EQUAL(cobocred_cobo_query_org(ctx, "list", s, "access", attrs, &q),
			    COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(q.n_attrs, 0);
	/* the module refuses it too, whatever the host asks */
	CU_ASSERT_EQUAL(oauth_conf_org(&c, s, err, sizeof(err)), COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(c.org_id);
	/* as a git user name: the list profile never answers for it */
	st = route("api.dev.cobo.com", s, &name, &org);
	CU_ASSERT(st != COBOCRED_SUCCESS || strcmp(s, "list") == 0);
	/* the one-org profile: only its own org, never its name */
	st = route("api.cobo.com", s, &name, &org);
	if (st == COBOCRED_SUCCESS)
		CU_ASSERT_STRING_EQUAL(org, UUID);
	n_checked++;
}

/* s is a member: chosen as itself, everywhere. */
static void served(const char *s)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	struct oauth_conf c = { .profile = "list", .orgs = LIST_SETTING };
	const char *out = NULL, *name, *org;
	char err[256];

	CU_ASSERT_TRUE(cobocred_orgs_has(LIST_SETTING, s));
	CU_ASSERT_EQUAL(cobocred_profile_org(ctx, "list", s, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(cobocred_cobo_query_org(ctx, "list", s, "access", attrs, &q),
			COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(attrs[2].value, s);
	CU_ASSERT_EQUAL(oauth_conf_org(&c, s, err, sizeof(err)), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_EQUAL(c.org_id, s);
	CU_ASSERT_EQUAL(route("api.dev.cobo.com", s, &name, &org), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(org, s);
	n_checked++;
}

static void check(const char *s)
{
	if (is_member(s))
		served(s);
	else
		never_served(s);
}

static void test_near_misses(void)
{
	char s[160];
	size_t i, k, n;
	int c;

	open_ctx();
	for (i = 0; i < N_MEMBERS; i++) {
		const char *m = members[i];

		n = strlen(m);
		check(m);
		for (k = 0; k < n; k++) { /* each character's case flipped, dropped */
			snprintf(s, sizeof(s), "%s", m);
			s[k] = (char)(s[k] ^ 0x20);
			check(s);
			snprintf(s, sizeof(s), "%.*s%s", (int)k, m, m + k + 1);
			check(s);
		}
		for (k = 0; k <= n; k++) { /* every prefix */
			snprintf(s, sizeof(s), "%.*s", (int)k, m);
			check(s);
		}
		for (c = 1; c < 256; c++) { /* every byte in front and behind */
			snprintf(s, sizeof(s), "%c%s", c, m);
			check(s);
			snprintf(s, sizeof(s), "%s%c", m, c);
			check(s);
		}
		/* two members joined as one "org", and the setting itself */
		snprintf(s, sizeof(s), "%s,%s", m, members[(i + 1) % N_MEMBERS]);
		check(s);
		snprintf(s, sizeof(s), "%s %s", m, members[(i + 1) % N_MEMBERS]);
		check(s);
		snprintf(s, sizeof(s), "%s%%2C%s", m, members[(i + 1) % N_MEMBERS]);
		check(s);
	}
	check(LIST_SETTING);
	check("*");
	check("");
}

/* --- no org named: a clear error; a listed org beats '*' -------------------------------- */

static void test_choice(void)
{
	const char *out, *name, *org;

	open_ctx();
	CU_ASSERT_EQUAL(cobocred_profile_org(ctx, "list", NULL, &out), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "serves orgs " UUID ", org-a, B_2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "--org ORG"));
	CU_ASSERT_EQUAL(cobocred_profile_org(ctx, "any", NULL, &out), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "serves any org"));
	CU_ASSERT_EQUAL(cobocred_profile_org(ctx, "one", NULL, &out), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(out, UUID);
	CU_ASSERT_EQUAL(cobocred_profile_org(ctx, "any", "zz-9", &out), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(out, "zz-9");
	/* routing without a user name */
	CU_ASSERT_EQUAL(route("api.dev.cobo.com", NULL, &name, &org), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "name the org: (how)"));
	CU_ASSERT_EQUAL(route("api.sandbox.cobo.com", NULL, &name, &org), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(route("api.sandbox.cobo.com", "", &name, &org), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(route("api.cobo.com:8443", NULL, &name, &org), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "matches profiles anyone, listed"));
	/* a listed org beats '*'; any other org id goes to '*'; a non-id nowhere */
	CU_ASSERT_EQUAL(route("api.cobo.com:8443", "org-a", &name, &org), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(name, "listed");
	CU_ASSERT_EQUAL(route("api.cobo.com:8443", "org-z", &name, &org), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(name, "anyone");
	CU_ASSERT_STRING_EQUAL(org, "org-z");
	CU_ASSERT_EQUAL(route("api.cobo.com:8443", "org z", &name, &org), COBOCRED_NOTFOUND);
	/*
	 * The user name is an org, never a profile by name (issue 27): a
	 * profile's name is an org id like any other, so '*' serves it, and
	 * a one-org profile asked by its name answers nothing.
	 */
	CU_ASSERT_EQUAL(route("api.sandbox.cobo.com", "any", &name, &org), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(org, "any");
	CU_ASSERT_EQUAL(route("api.cobo.com:8443", "listed", &name, &org), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(name, "anyone");
	CU_ASSERT_STRING_EQUAL(org, "listed");
	CU_ASSERT_EQUAL(route("api.cobo.com", "one", &name, &org), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(resolved(cobocred_profile_org_by_name(ctx, "one", "one", "(how)", &rt),
				 &name, &org),
			COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "does not serve org 'one'"));
	CU_ASSERT_EQUAL(resolved(cobocred_profile_org_by_name(ctx, "listed", "B_2", "(how)", &rt),
				 &name, &org),
			COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(org, "B_2");
	CU_ASSERT_EQUAL(route("api.sandbox.cobo.com", "a/../b", &name, &org), COBOCRED_NOTFOUND);
	/* the app query drops the org, for listing */
	{
		struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
		struct cobocred_query q;
		size_t i;

		CU_ASSERT_EQUAL(cobocred_cobo_query_app(ctx, "any", "refresh", attrs, &q),
				COBOCRED_SUCCESS);
		CU_ASSERT_EQUAL(q.n_attrs, 3);
		for (i = 0; i < q.n_attrs; i++)
			CU_ASSERT_STRING_NOT_EQUAL(q.attrs[i].name, "org_id");
	}
}

/* --- the setting: refused at parse time with FILE:LINE ------------------------------------ */

static int parse_setting(const char *setting, char *err, size_t errlen)
{
	struct cobocred_config *cfg = NULL;
	char text[512];
	int st;

	snprintf(text, sizeof(text),
		 "[profile p]\nbase_url = https://a.example/v2\nclient_id = c\norg_id = %s\n",
		 setting);
	st = cobocred_config_parse("orgs.conf", text, strlen(text), &cfg, err, errlen);
	cobocred_config_free(cfg);
	return st;
}

static void expect_setting(const char *setting, int ok)
{
	char err[512] = "";
	int st = parse_setting(setting, err, sizeof(err));

	if ((st == COBOCRED_SUCCESS) != ok)
		fprintf(stderr, "org_id = '%s': %s (%s)\n", setting, ok ? "refused" : "accepted",
			err);
	CU_ASSERT_EQUAL(st == COBOCRED_SUCCESS, ok);
	if (!ok)
		CU_ASSERT_EQUAL(strncmp(err, "orgs.conf:4: [profile p] org_id", 31), 0);
	n_checked++;
}

static void test_settings(void)
{
	static const char *const good[] = { "a",   "*",	   "a,b",      "a, b",	   "a ,b",
					    "a b", "a\tb", "a , b ,c", UUID ", b", "A,a" };
	static const char *const bad[] = { ",a",  "a,",	 "a,,b", "a, ,b", ", a",   "a ,", "*,a",
					   "a,*", "* a", "**",	 "a,a",	  "a b a", "-a",  "_a",
					   "a/b", "a;b", "a.b",	 "a:b",	  "a=b" };
	char s[160];
	size_t i;
	int c;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		expect_setting(good[i], 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_setting(bad[i], 0);
	for (c = 1; c < 256; c++) { /* every byte inside a two-org list (blanks, ',' separate) */
		if (c == '\n' || c == '\r' || c == '#' || c == ';')
			continue; /* the INI reader's own: a line end or a comment */
		snprintf(s, sizeof(s), "org-a, o%cb", c);
		expect_setting(s, byte_ok(c, 0) || c == ' ' || c == '\t' || c == ',');
	}
	memset(s, 'x', 65);
	s[65] = '\0';
	expect_setting(s, 0);
	s[64] = '\0';
	expect_setting(s, 1);
	/* the whole list is refused, never read in part: one bad element serves no org */
	CU_ASSERT_FALSE(cobocred_orgs_has("org-a, b/c", "org-a"));
	CU_ASSERT_EQUAL(cobocred_orgs_count("org-a, b/c"), 0);
	CU_ASSERT_FALSE(cobocred_orgs_has("*, a", "zz"));
	CU_ASSERT_FALSE(cobocred_orgs_has(NULL, "a"));
}

static void test_count(void)
{
	printf("\n  %zu org variants checked\n", n_checked);
	CU_ASSERT(n_checked > 1500);
	cobocred_ctx_free(ctx);
	ctx = NULL;
}

static const struct cutest_case cases[] = {
	{ "org id: every byte in three places", test_org_id_bytes },
	{ "org id: lengths 0-78", test_org_id_lengths },
	{ "near misses are never served", test_near_misses },
	{ "no org named, listed beats '*'", test_choice },
	{ "org_id settings at parse time", test_settings },
	{ "variant count", test_count },
	{ NULL, NULL },
};

static const struct cutest_suite suites[] = {
	{ "one app, many orgs", cases },
	{ NULL, NULL },
};

int main(void)
{
	return cutest_run(suites);
}
