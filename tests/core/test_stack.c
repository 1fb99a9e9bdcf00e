/*
 * test_stack.c - the stack engine and the loader, driven through the
 * public core API with the scripted fixture modules (tests/modules).
 *
 * Every module call is appended to a log file, so each test can assert
 * which modules ran, in what order, and which were never loaded.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cobocred.h"
#include "core.h" /* the lock service, to replace it */
#include "cutest.h"
#include "secret.h"
#include "test_core_fixture.h"

/* A module section for instance NAME using so, with extra options. */
#define MOD(name, so, opts) \
	"[module " name "]\nmodule = " so "\nname = " name "\nlog = %s\n" opts "\n"

static const struct cobocred_attr test_attrs[] = { { "host", "example.com" } };
static const struct cobocred_query test_q = {
	.struct_size = sizeof(test_q),
	.schema = "test",
	.n_attrs = 1,
	.attrs = test_attrs,
};

/* Every status x action on the first of two modules. */
static void test_status_action_table(void)
{
	int s, act;

	for (s = 0; s < COBOCRED_STATUS_COUNT; s++)
		for (act = 0; act < 2; act++) {
			const char *action = act ? "return" : "continue";
			struct cobocred_ctx *ctx = fixture_ctx(
				"[stack]\nget = a [%s=%s] b\n" MOD("a", "scripted", "get = %s")
					MOD("b", "scripted", "get = SUCCESS"),
				cobocred_status_name(s), action, fixture_log(),
				cobocred_status_name(s), fixture_log());
			struct cobocred_item *out = NULL;
			int st = cobocred_get(ctx, &test_q, &out);
			int b_ran = strstr(fixture_calls(), "b get") != NULL;

			if (act) { /* return: the stack stops with a's status */
				CU_ASSERT_EQUAL(st, s);
				CU_ASSERT_FALSE(b_ran);
				CU_ASSERT_PTR_NULL(
					strstr(fixture_calls(), "b open")); /* never loaded */
			} else {
				CU_ASSERT_EQUAL(st, COBOCRED_SUCCESS);
				CU_ASSERT_TRUE(b_ran);
				if (!b_ran)
					fprintf(stderr, "status %s continue: b did not run\n",
						cobocred_status_name(s));
			}
			CU_ASSERT_EQUAL(out != NULL, st == COBOCRED_SUCCESS);
			if (st > COBOCRED_NOTFOUND)
				CU_ASSERT_PTR_NOT_NULL(
					strstr(cobocred_error(ctx), "a: get told to fail"));
			cobocred_item_free(out);
			cobocred_ctx_free(ctx);
		}
}

/* With default actions and no success, the most telling status wins. */
static void test_severity(void)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "UNAVAIL", "NOTFOUND", COBOCRED_NOTFOUND },
		{ "NOTFOUND", "UNAVAIL", COBOCRED_NOTFOUND },
		{ "TRYAGAIN", "NOTFOUND", COBOCRED_TRYAGAIN },
		{ "NOTFOUND", "DENIED", COBOCRED_DENIED },
		{ "ERROR", "TRYAGAIN", COBOCRED_ERROR },
		{ "UNAVAIL", "UNAVAIL", COBOCRED_UNAVAIL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = a b\n" MOD("a", "scripted",
										  "get = %s")
							       MOD("b", "scripted", "get = %s"),
						       fixture_log(), cases[i].a, fixture_log(),
						       cases[i].b);
		struct cobocred_item *out = NULL;

		CU_ASSERT_EQUAL(cobocred_get(ctx, &test_q, &out), cases[i].want);
		cobocred_ctx_free(ctx);
	}
}

static void test_invalid_status_is_error(void)
{
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = a\n" MOD("a", "scripted",
									"get = BOGUS"),
					       fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_get(ctx, &test_q, &out), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "invalid status 99"));
	cobocred_ctx_free(ctx);
}

static void test_broadcast_store_and_erase(void)
{
	struct cobocred_ctx *ctx = fixture_ctx(
		"[stack]\nstore = a [SUCCESS=continue] b\nerase = a [SUCCESS=continue] b\n" MOD(
			"a", "scripted", "store = UNAVAIL\nerase = SUCCESS")
			MOD("b", "scripted", "store = SUCCESS\nerase = NOTFOUND"),
		fixture_log(), fixture_log());
	struct cobocred_item *it = cobocred_item_new("test");

	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	cobocred_item_add_attr(it, "host", "example.com");
	CU_ASSERT_EQUAL(cobocred_store(ctx, it, &test_q), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(cobocred_erase(ctx, &test_q), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(),
				      "a open\na store -\nb open\nb store -\na erase\nb erase\n"));
	cobocred_item_free(it);
	cobocred_ctx_free(ctx);
}

static void test_empty_erase_refused(void)
{
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nerase = a\n" MOD("a", "scripted",
									  "erase = SUCCESS"),
					       fixture_log());
	struct cobocred_query q = { .struct_size = sizeof(q), .schema = "test" };

	CU_ASSERT_EQUAL(cobocred_erase(ctx, &q), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "empty pattern"));
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "a erase"));
	cobocred_ctx_free(ctx);
}

static void test_list_merges(void)
{
	struct cobocred_ctx *ctx = fixture_ctx(
		"[stack]\nlist = a [SUCCESS=continue] b\n" MOD("a", "scripted", "list = SUCCESS")
			MOD("b", "scripted", "list = SUCCESS"),
		fixture_log(), fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_list(ctx, &test_q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out->next);
	CU_ASSERT_STRING_EQUAL((const char *)out->secret, "secret-of-a");
	CU_ASSERT_STRING_EQUAL((const char *)out->next->secret, "secret-of-b");
	cobocred_item_free(out);
	cobocred_ctx_free(ctx);
}

static void test_expired_items_dropped(void)
{
	struct cobocred_ctx *ctx = fixture_ctx(
		"[stack]\nget = a b\n" MOD("a", "scripted", "get = SUCCESS\nexpires_in = -5")
			MOD("b", "scripted", "get = SUCCESS"),
		fixture_log(), fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_get(ctx, &test_q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL((const char *)out->secret, "secret-of-b");
	cobocred_item_free(out);
	cobocred_ctx_free(ctx);
}

/*
 * Stores never downgrade: with the store line's default actions only
 * UNAVAIL and NOTFOUND reach the next tier; a present but locked or
 * failing tier ends the store with its status and message.
 */
static void test_store_never_downgrades(void)
{
	int s;

	for (s = 0; s < COBOCRED_STATUS_COUNT; s++) {
		struct cobocred_ctx *ctx = fixture_ctx("[stack]\nstore = a b\n" MOD("a", "scripted",
										    "store = %s")
							       MOD("b", "scripted",
								   "store = SUCCESS"),
						       fixture_log(), cobocred_status_name(s),
						       fixture_log());
		struct cobocred_item *it = cobocred_item_new("test");
		int falls = s == COBOCRED_NOTFOUND || s == COBOCRED_UNAVAIL;
		int st;

		CU_ASSERT_PTR_NOT_NULL_FATAL(it);
		cobocred_item_add_attr(it, "host", "example.com");
		st = cobocred_store(ctx, it, &test_q);
		CU_ASSERT_EQUAL(st, falls ? COBOCRED_SUCCESS : s);
		CU_ASSERT_EQUAL(strstr(fixture_calls(), "b store") != NULL, falls);
		if (s > COBOCRED_UNAVAIL)
			CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "module 'a'"));
		if ((strstr(fixture_calls(), "b store") != NULL) != falls)
			fprintf(stderr, "store: a %s: b store %s\n", cobocred_status_name(s),
				falls ? "missing" : "ran");
		cobocred_item_free(it);
		cobocred_ctx_free(ctx);
	}
}

/* Written on purpose, [STATUS=continue] still falls through; erase reaches every tier. */
static void test_store_continue_on_purpose(void)
{
	static const char *const failing[] = { "TRYAGAIN", "DENIED" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct cobocred_ctx *ctx = fixture_ctx(
			"[stack]\nstore = a [%s=continue] b\nerase = a [SUCCESS=continue] b\n" MOD(
				"a", "scripted", "store = %s\nerase = %s")
				MOD("b", "scripted", "store = SUCCESS\nerase = SUCCESS"),
			failing[i], fixture_log(), failing[i], failing[i], fixture_log());
		struct cobocred_item *it = cobocred_item_new("test");

		CU_ASSERT_PTR_NOT_NULL_FATAL(it);
		cobocred_item_add_attr(it, "host", "example.com");
		CU_ASSERT_EQUAL(cobocred_store(ctx, it, &test_q), COBOCRED_SUCCESS);
		CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(), "b store"));
		CU_ASSERT_EQUAL(cobocred_erase(ctx, &test_q), COBOCRED_SUCCESS);
		CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(), "b erase"));
		cobocred_item_free(it);
		cobocred_ctx_free(ctx);
	}
}

/* ABI 1.2: a module's own schemas pass it over for others; a `schemas =` option wins. */
static void test_module_default_schemas(void)
{
	static const struct cobocred_attr git_attrs[] = { { "host", "example.com" } };
	const struct cobocred_query git_q = { .struct_size = sizeof(git_q),
					      .schema = COBOCRED_SCHEMA_GIT,
					      .n_attrs = 1,
					      .attrs = git_attrs };
	const struct cobocred_query docker_q = { .struct_size = sizeof(docker_q),
						 .schema = COBOCRED_SCHEMA_DOCKER,
						 .n_attrs = 1,
						 .attrs = git_attrs };
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = g b\n" MOD("g", "gitonly",
									  "get = SUCCESS")
						       MOD("b", "scripted", "get = SUCCESS"),
					       fixture_log(), fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_get(ctx, &docker_q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL((const char *)out->secret, "secret-of-b");
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "g get"));
	cobocred_item_free(out);
	CU_ASSERT_EQUAL(cobocred_get(ctx, &git_q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL((const char *)out->secret, "secret-of-g");
	cobocred_item_free(out);
	cobocred_ctx_free(ctx);
	ctx = fixture_ctx("[stack]\nget = g b\n" MOD(
				  "g", "gitonly", "get = SUCCESS\nschemas = io.docker.Credentials")
				  MOD("b", "scripted", "get = SUCCESS"),
			  fixture_log(), fixture_log());
	CU_ASSERT_EQUAL(cobocred_get(ctx, &docker_q, &out), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL((const char *)out->secret, "secret-of-g");
	cobocred_item_free(out);
	cobocred_ctx_free(ctx);
}

/* A [stack] that names nothing is refused, naming the file. */
static void test_empty_stack_refused(void)
{
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\n# nothing\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), fixture_conf()));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "names no module"));
	cobocred_ctx_free(ctx);
}

static void test_schema_filter_never_loads(void)
{
	struct cobocred_ctx *ctx = fixture_ctx(
		"[stack]\nget = a b\n" MOD("a", "scripted", "get = NOTFOUND")
			MOD("b", "scripted", "get = SUCCESS\nschemas = io.docker.Credentials"),
		fixture_log(), fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_get(ctx, &test_q, &out), COBOCRED_NOTFOUND);
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "b open"));
	cobocred_ctx_free(ctx);
}

static void test_loader_errors(void)
{
	static const struct {
		const char *line;
		int want;
		const char *msg;
	} cases[] = {
		{ "get = -absent a", COBOCRED_SUCCESS, NULL },
		{ "get = absent a", COBOCRED_ERROR,
		  "test.conf:3: module 'absent': no absent.so in" },
		{ "get = badabi", COBOCRED_ERROR, "test.conf:3: module 'badabi' has ABI 2.0" },
		{ "get = nosym", COBOCRED_ERROR, "exports no cobocred_module_init" },
		{ "get = failopen", COBOCRED_DENIED, "failopen: open told to fail" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cobocred_ctx *ctx = fixture_ctx("\n[stack]\n%s\n" MOD("a", "scripted",
									     "get = SUCCESS")
							       MOD("failopen", "scripted",
								   "open = DENIED"),
						       cases[i].line, fixture_log(), fixture_log());
		struct cobocred_item *out = NULL;

		CU_ASSERT_EQUAL(cobocred_get(ctx, &test_q, &out), cases[i].want);
		if (cases[i].msg != NULL && strstr(cobocred_error(ctx), cases[i].msg) == NULL) {
			fprintf(stderr, "case %zu: wanted \"%s\" in \"%s\"\n", i, cases[i].msg,
				cobocred_error(ctx));
			CU_FAIL("loader message");
		}
		cobocred_item_free(out);
		cobocred_ctx_free(ctx);
	}
}

/* An older module (smaller struct) loads; the missing op reads as UNAVAIL. */
static void test_older_module(void)
{
	struct cobocred_ctx *ctx =
		fixture_ctx("[stack]\nget = old\nlist = old\n" MOD("old", "oldabi",
								   "get = SUCCESS\nlist = SUCCESS"),
			    fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_get(ctx, &test_q, &out), COBOCRED_SUCCESS);
	cobocred_item_free(out);
	CU_ASSERT_EQUAL(cobocred_list(ctx, &test_q, &out), COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "old list"));
	cobocred_ctx_free(ctx);
}

static void test_writable_module_refused(void)
{
	char dir[600], cmd[2048];
	const char *top = getenv("top_builddir");
	struct cobocred_ctx *ctx;
	struct cobocred_item *out = NULL;
	char *saved = strdup(getenv("COBO_CREDENTIAL_MODULE_PATH"));

	snprintf(dir, sizeof(dir), "%s/mods", cutest_tmpdir());
	mkdir(dir, 0755);
	snprintf(cmd, sizeof(cmd),
		 "cp '%s/tests/modules/.libs/scripted.so' '%s/' && chmod 666 '%s/scripted.so'",
		 top ? top : ".", dir, dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	setenv("COBO_CREDENTIAL_MODULE_PATH", dir, 1);
	ctx = fixture_ctx("[stack]\nget = a\n" MOD("a", "scripted", "get = SUCCESS"),
			  fixture_log());
	CU_ASSERT_EQUAL(cobocred_get(ctx, &test_q, &out), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "writable by group or others"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "chmod go-w"));
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "a open"));
	cobocred_ctx_free(ctx);
	setenv("COBO_CREDENTIAL_MODULE_PATH", saved, 1);
	free(saved);
}

#define PROFILE "[profile p]\nbase_url = https://api.example.com/v2\nclient_id = c\norg_id = o\n"

/* A fresh cache answers without ever loading the minting module. */
static void test_lifecycle_cache_hit(void)
{
	struct cobocred_ctx *ctx = fixture_ctx(
		"[stack]\nget = cache mint\nstore = cache\n" MOD("cache", "scripted",
								 "get = SUCCESS\nexpires_in = 3600")
			MOD("mint", "minter", "get = SUCCESS") PROFILE,
		fixture_log(), fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_token_get(ctx, "p", 0, &out), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL((const char *)out->secret, "secret-of-cache");
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "mint open"));
	cobocred_item_free(out);
	cobocred_ctx_free(ctx);
}

/* Stale: lock, re-read, refresh with the cached refresh token, store refresh then access. */
static void test_lifecycle_refresh_order(void)
{
	struct cobocred_ctx *ctx = fixture_ctx(
		"[stack]\nget = cache mint\nstore = cache\n" MOD(
			"cache", "scripted", "get = SUCCESS\nexpires_in = 30\nstore = SUCCESS")
			MOD("mint", "minter",
			    "get = SUCCESS\nexpires_in = 43200\nsecret = fresh-access") PROFILE,
		fixture_log(), fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_token_get(ctx, "p", 0, &out), COBOCRED_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL((const char *)out->secret, "fresh-access");
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(out, "kind"), "access");
	/* get (stale), re-read under lock (stale), refresh token lookup, mint, then stores. */
	CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(),
				      "cache get\nmint open\ncache get\ncache get\n"
				      "mint get secret=secret-of-cache\n"
				      "cache store refresh\ncache store access\n"));
	cobocred_item_free(out);
	cobocred_ctx_free(ctx);
}

/* The minting module fails: a stale but still valid token is answered. */
static void test_lifecycle_failure_keeps_valid_token(void)
{
	static const char *const fails[] = { "TRYAGAIN", "DENIED", "ERROR" };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct cobocred_ctx *ctx =
			fixture_ctx("[stack]\nget = cache mint\nstore = cache\n" MOD(
					    "cache", "scripted",
					    "get = SUCCESS\nexpires_in = 30\nstore = SUCCESS")
					    MOD("mint", "minter", "get = %s") PROFILE,
				    fixture_log(), fixture_log(), fails[i]);
		struct cobocred_item *out = NULL;

		CU_ASSERT_EQUAL(cobocred_token_get(ctx, "p", 0, &out), COBOCRED_SUCCESS);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		CU_ASSERT_STRING_EQUAL((const char *)out->secret, "secret-of-cache");
		CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "cache store"));
		cobocred_item_free(out);
		cobocred_ctx_free(ctx);
	}
}

/* Nothing cached and the minting module fails: its status and message come out. */
static void test_lifecycle_failure_without_cache(void)
{
	struct cobocred_ctx *ctx =
		fixture_ctx("[stack]\nget = cache mint\nstore = cache\n" MOD("cache", "scripted",
									     "get = NOTFOUND")
				    MOD("mint", "minter", "get = DENIED") PROFILE,
			    fixture_log(), fixture_log());
	struct cobocred_item *out = NULL;

	CU_ASSERT_EQUAL(cobocred_token_get(ctx, "p", 0, &out), COBOCRED_DENIED);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "mint: get told to fail"));
	CU_ASSERT_EQUAL(cobocred_token_get(ctx, "nope", 0, &out), COBOCRED_NOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "no profile 'nope'"));
	cobocred_ctx_free(ctx);
}

/* A locked store tier: the minted token is answered with the warning, and not written past it. */
static void test_lifecycle_locked_store_keeps_nothing(void)
{
	static const char *const failing[] = { "TRYAGAIN", "DENIED", "ERROR" };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct cobocred_ctx *ctx = fixture_ctx(
			"[stack]\nget = cache mint\nstore = locked plain\n" MOD(
				"cache", "scripted",
				"get = NOTFOUND") MOD("locked", "scripted",
						      "store = %s") MOD("plain", "scripted",
									"store = SUCCESS")
				MOD("mint", "minter",
				    "get = SUCCESS\nexpires_in = 43200\nsecret = fresh-access")
					PROFILE,
			fixture_log(), fixture_log(), failing[i], fixture_log(), fixture_log());
		struct cobocred_item *out = NULL;

		CU_ASSERT_EQUAL(cobocred_token_get(ctx, "p", 0, &out), COBOCRED_SUCCESS);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		CU_ASSERT_STRING_EQUAL((const char *)out->secret, "fresh-access");
		CU_ASSERT_PTR_NOT_NULL(
			strstr(fixture_calls(), "locked store refresh\nlocked store access\n"));
		CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "plain store"));
		CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_warning(ctx),
					      "the new refresh token could not "
					      "be cached"));
		CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_warning(ctx), "module 'locked'"));
		cobocred_item_free(out);
		cobocred_ctx_free(ctx);
	}
}

/* A lock service that counts, and can refuse or report a recent failure. */
static struct {
	int locks, unlocks, marks, marked_failed, refuse, recent;
} svc;

static int svc_lock(struct cobocred_ctx *ctx, const char *name, int timeout_ms, int *handle)
{
	(void)ctx;
	(void)name;
	(void)timeout_ms;
	svc.locks++;
	*handle = svc.refuse ? -1 : 42;
	return svc.refuse ? COBOCRED_TRYAGAIN : COBOCRED_SUCCESS;
}

static void svc_unlock(struct cobocred_ctx *ctx, int handle)
{
	(void)ctx;
	svc.unlocks += handle == 42;
}

static void svc_mark(struct cobocred_ctx *ctx, const char *name, int failed)
{
	(void)ctx;
	(void)name;
	svc.marks++;
	svc.marked_failed = failed;
}

static int svc_recent(struct cobocred_ctx *ctx, const char *name, int seconds)
{
	(void)ctx;
	(void)name;
	(void)seconds;
	return svc.recent;
}

static const struct cobocred_lock_service counting = {
	.name = "counting",
	.lock = svc_lock,
	.unlock = svc_unlock,
	.mark_failure = svc_mark,
	.failed_recently = svc_recent,
};

#define LOCK_CONF                                                                            \
	"[stack]\nget = cache mint\nstore = cache\n" MOD(                                    \
		"cache", "scripted", "get = SUCCESS\nexpires_in = 30\nstore = SUCCESS")      \
		MOD("mint", "minter", "get = %s\nexpires_in = 43200\nsecret = fresh-access") \
			PROFILE

/* The lifecycle reaches locks only through the service, one row a case. */
static void test_lifecycle_lock_service(void)
{
	static const struct {
		const char *mint;   /* the minting module's answer */
		int recent, refuse; /* the service reports a recent failure / refuses the lock */
		const char *secret; /* the token answered */
		int locks, unlocks, marks, marked_failed, minted;
	} cases[] = {
		/* A refresh: one lock, released, marked a success. */
		{ "SUCCESS", 0, 0, "fresh-access", 1, 1, 1, 0, 1 },
		/* A failed refresh with a valid token: marked failed; the valid token answered. */
		{ "TRYAGAIN", 0, 0, "secret-of-cache", 1, 1, 1, 1, 1 },
		/* Backoff: a recent failure and a valid token: the server is not asked. */
		{ "SUCCESS", 1, 0, "secret-of-cache", 1, 1, 0, 0, 0 },
		/* The lock times out: the valid token is answered, nothing minted. */
		{ "SUCCESS", 0, 1, "secret-of-cache", 1, 0, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned failures = CU_get_number_of_failures();
		struct cobocred_ctx *ctx;
		struct cobocred_item *out = NULL;

		memset(&svc, 0, sizeof(svc));
		svc.recent = cases[i].recent;
		svc.refuse = cases[i].refuse;
		ctx = fixture_ctx(LOCK_CONF, fixture_log(), fixture_log(), cases[i].mint);
		cobocred_set_lock_service(ctx, &counting);
		CU_ASSERT_EQUAL(cobocred_token_get(ctx, "p", 0, &out), COBOCRED_SUCCESS);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		CU_ASSERT_STRING_EQUAL((const char *)out->secret, cases[i].secret);
		CU_ASSERT_EQUAL(svc.locks, cases[i].locks);
		CU_ASSERT_EQUAL(svc.unlocks, cases[i].unlocks);
		CU_ASSERT_EQUAL(svc.marks, cases[i].marks);
		CU_ASSERT_EQUAL(svc.marked_failed, cases[i].marked_failed);
		CU_ASSERT_EQUAL(strstr(fixture_calls(), "mint get") != NULL, cases[i].minted);
		if (CU_get_number_of_failures() > failures)
			fprintf(stderr, "lock service case %zu\n", i);
		cobocred_item_free(out);
		cobocred_ctx_free(ctx);
	}
}

static void test_secrets_all_freed(void)
{
	CU_ASSERT_EQUAL(cobocred_secret_live(), 0);
}

static const struct cutest_case engine_cases[] = {
	{ "status x action table", test_status_action_table },
	{ "severity when nothing succeeds", test_severity },
	{ "invalid status is ERROR", test_invalid_status_is_error },
	{ "store and erase broadcast", test_broadcast_store_and_erase },
	{ "empty erase refused", test_empty_erase_refused },
	{ "list merges", test_list_merges },
	{ "expired items dropped", test_expired_items_dropped },
	{ "schema filter never loads", test_schema_filter_never_loads },
	{ "stores never downgrade", test_store_never_downgrades },
	{ "store [STATUS=continue] on purpose; erase reaches every tier",
	  test_store_continue_on_purpose },
	{ "a module's own default schemas", test_module_default_schemas },
	{ "an empty [stack] is refused", test_empty_stack_refused },
	{ NULL, NULL },
};

static const struct cutest_case loader_cases[] = {
	{ "missing, optional, bad ABI, no symbol, open failure", test_loader_errors },
	{ "older module struct", test_older_module },
	{ "group/world-writable module refused", test_writable_module_refused },
	{ NULL, NULL },
};

static const struct cutest_case lifecycle_cases[] = {
	{ "cache hit loads no minting module", test_lifecycle_cache_hit },
	{ "refresh order", test_lifecycle_refresh_order },
	{ "failure keeps a valid token", test_lifecycle_failure_keeps_valid_token },
	{ "failure without cache", test_lifecycle_failure_without_cache },
	{ "locked store tier keeps nothing", test_lifecycle_locked_store_keeps_nothing },
	{ "the lock is a replaceable service", test_lifecycle_lock_service },
	{ "every secret freed", test_secrets_all_freed },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "engine", engine_cases },
		{ "loader", loader_cases },
		{ "lifecycle", lifecycle_cases },
		{ NULL, NULL },
	};
	char path[1024];
	const char *top = getenv("top_builddir");

	/* Load the fixture modules from the build tree. */
	snprintf(path, sizeof(path), "%s/tests/modules/.libs", top ? top : ".");
	setenv("COBO_CREDENTIAL_MODULE_PATH", path, 1);
	return cutest_run(suites);
}
