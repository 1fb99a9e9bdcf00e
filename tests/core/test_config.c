/*
 * test_config.c - the config parser: the format, the built-in default,
 * every error path and its "FILE:LINE: what; how to fix" message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cobo_config.h"
#include "cutest.h"

static struct cobocred_config *parse_ok(const char *text)
{
	struct cobocred_config *cfg = NULL;
	char err[1024] = "";

	if (cobocred_config_parse("t.conf", text, strlen(text), &cfg, err, sizeof(err)) != 0)
		fprintf(stderr, "unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	return cfg;
}

static void test_full_example(void)
{
	struct cobocred_config *cfg = parse_ok(
		"# comment\n"
		"; another\n"
		"[stack]\n"
		"get   = -kernel keyring [UNAVAIL=continue TRYAGAIN=return] cobo-oauth\n"
		"store = -kernel -keyring [optional] file\n"
		"\n"
		"[module fast]\n"
		"module = file\n"
		"path = /tmp/x#notacomment   # but this is\n"
		"[profile acme-dev]\n"
		"base_url   = https://api.dev.cobo.com/v2\n"
		"client_id  = pvSwS8iFrfK0oZrB0ugG54XPDOLEv0Ij\n"
		"org_id     = e3986401-4aec-480a-973d-e775a4518413\n"
		"app_secret = keyring            # keyring | file:PATH | env:VAR\n");
	const struct cobocred_stack_line *get = &cfg->ops[COBOCRED_OP_GET];

	CU_ASSERT_EQUAL(get->n, 3);
	CU_ASSERT_STRING_EQUAL(get->v[0].instance, "kernel");
	CU_ASSERT_TRUE(get->v[0].optional);
	CU_ASSERT_FALSE(get->v[1].optional);
	CU_ASSERT_EQUAL(get->v[1].action[COBOCRED_UNAVAIL], COBOCRED_ACT_CONTINUE);
	CU_ASSERT_EQUAL(get->v[1].action[COBOCRED_TRYAGAIN], COBOCRED_ACT_RETURN);
	CU_ASSERT_EQUAL(get->v[1].action[COBOCRED_SUCCESS], COBOCRED_ACT_RETURN);
	CU_ASSERT_EQUAL(get->v[1].line, 4);
	CU_ASSERT_EQUAL(cfg->ops[COBOCRED_OP_STORE].v[1].action[COBOCRED_SUCCESS],
			COBOCRED_ACT_CONTINUE);
	CU_ASSERT_EQUAL(cfg->ops[COBOCRED_OP_ERASE].n, 0);
	CU_ASSERT_STRING_EQUAL(cobocred_section_get(cobocred_config_module(cfg, "fast"), "path"),
			       "/tmp/x#notacomment");
	CU_ASSERT_STRING_EQUAL(cobocred_section_get(cobocred_config_profile(cfg, "acme-dev"),
						    "app_secret"),
			       "keyring");
	CU_ASSERT_PTR_NULL(cobocred_config_profile(cfg, "nope"));
	cobocred_config_free(cfg);
}

static void test_default_actions_and_presets(void)
{
	struct cobocred_config *cfg = parse_ok(
		"[stack]\nget = a b [requisite] c [fallback] d [SUCCESS=continue] e [notfound=RETURN]\n");
	const struct cobocred_stack_entry *v = cfg->ops[COBOCRED_OP_GET].v;
	int s;

	for (s = 0; s < COBOCRED_STATUS_COUNT; s++) {
		CU_ASSERT_EQUAL(v[0].action[s], (s == COBOCRED_SUCCESS || s == COBOCRED_ERROR)
							? COBOCRED_ACT_RETURN
							: COBOCRED_ACT_CONTINUE);
		CU_ASSERT_EQUAL(v[1].action[s], COBOCRED_ACT_RETURN);
		CU_ASSERT_EQUAL(v[2].action[s], (s == COBOCRED_NOTFOUND || s == COBOCRED_UNAVAIL)
							? COBOCRED_ACT_CONTINUE
							: COBOCRED_ACT_RETURN);
	}
	CU_ASSERT_EQUAL(v[3].action[COBOCRED_SUCCESS], COBOCRED_ACT_CONTINUE);
	CU_ASSERT_EQUAL(v[4].action[COBOCRED_NOTFOUND], COBOCRED_ACT_RETURN);
	cobocred_config_free(cfg);
}

static void test_builtin_default(void)
{
	struct cobocred_config *cfg = parse_ok(cobocred_config_default);
	int op;

	for (op = 0; op < COBOCRED_OP_COUNT; op++)
		CU_ASSERT_TRUE(cfg->ops[op].n >= 2);
	/* desktop: the kernel tier in front of the keyring; headless: no keyring at all */
	CU_ASSERT_STRING_EQUAL(cfg->ops[COBOCRED_OP_GET].v[0].instance, "kernel");
	CU_ASSERT_STRING_EQUAL(cfg->ops[COBOCRED_OP_GET].v[1].instance, "keyring");
	CU_ASSERT_EQUAL(cfg->n_profiles, 0);
	cobocred_config_free(cfg);
	cfg = parse_ok(cobocred_config_headless);
	CU_ASSERT_EQUAL_FATAL(cfg->ops[COBOCRED_OP_GET].n, 4);
	CU_ASSERT_STRING_EQUAL(cfg->ops[COBOCRED_OP_GET].v[0].instance, "kernel");
	CU_ASSERT_STRING_EQUAL(cfg->ops[COBOCRED_OP_GET].v[2].instance, "file");
	/* the access token the kernel tier took stays off the disk */
	CU_ASSERT_EQUAL(cfg->ops[COBOCRED_OP_STORE].v[0].action[COBOCRED_SUCCESS],
			COBOCRED_ACT_RETURN);
	cobocred_config_free(cfg);
}

/* A file without [stack] (only a profile) gets the built-in stack; a module needs no schemas line. */
static void test_profile_only_gets_default_stack(void)
{
	struct cobocred_config *cfg = parse_ok(
		"[profile p]\nbase_url = https://x/v2\nclient_id = c\norg_id = o\n");
	const struct cobocred_stack_line *get = &cfg->ops[COBOCRED_OP_GET];
	int op;

	CU_ASSERT_TRUE(cfg->default_stack);
	for (op = 0; op < COBOCRED_OP_COUNT; op++)
		CU_ASSERT_TRUE(cfg->ops[op].n >= 2);
	CU_ASSERT_EQUAL_FATAL(get->n, 4);
	CU_ASSERT_STRING_EQUAL(get->v[get->n - 1].instance, "cobo-oauth");
	CU_ASSERT_EQUAL(get->v[0].line, 0);
	CU_ASSERT_EQUAL(cfg->n_modules, 0);
	CU_ASSERT_STRING_EQUAL(cfg->path, "t.conf");
	cobocred_config_free(cfg);
	cfg = parse_ok("[stack]\nget = a\n");
	CU_ASSERT_FALSE(cfg->default_stack);
	CU_ASSERT_EQUAL(cfg->ops[COBOCRED_OP_STORE].n, 0); /* a [stack] says what it means */
	cobocred_config_free(cfg);
}

/* Stores never downgrade: the store line's defaults go on only for UNAVAIL and NOTFOUND. */
static void test_store_line_default_actions(void)
{
	struct cobocred_config *cfg = parse_ok(
		"[stack]\nget = a\nstore = a [TRYAGAIN=continue] b\nerase = a b\n");
	const struct cobocred_stack_entry *st = cfg->ops[COBOCRED_OP_STORE].v;
	const struct cobocred_stack_entry *er = cfg->ops[COBOCRED_OP_ERASE].v;
	int s;

	for (s = 0; s < COBOCRED_STATUS_COUNT; s++) {
		int on = s == COBOCRED_NOTFOUND || s == COBOCRED_UNAVAIL;

		CU_ASSERT_EQUAL(st[1].action[s], on ? COBOCRED_ACT_CONTINUE : COBOCRED_ACT_RETURN);
		CU_ASSERT_EQUAL(st[0].action[s], on || s == COBOCRED_TRYAGAIN
							 ? COBOCRED_ACT_CONTINUE
							 : COBOCRED_ACT_RETURN);
		/* erase reaches every tier: failing tiers go on, as before */
		CU_ASSERT_EQUAL(er[0].action[s], s == COBOCRED_SUCCESS || s == COBOCRED_ERROR
							 ? COBOCRED_ACT_RETURN
							 : COBOCRED_ACT_CONTINUE);
	}
	cobocred_config_free(cfg);
	/* desktop: a locked keyring (v[1]) stops the store; the kernel cache (v[0]) never does */
	cfg = parse_ok(cobocred_config_default);
	CU_ASSERT_EQUAL(cfg->ops[COBOCRED_OP_STORE].v[1].action[COBOCRED_TRYAGAIN],
			COBOCRED_ACT_RETURN);
	CU_ASSERT_EQUAL(cfg->ops[COBOCRED_OP_STORE].v[1].action[COBOCRED_UNAVAIL],
			COBOCRED_ACT_CONTINUE);
	for (s = 0; s < COBOCRED_STATUS_COUNT; s++)
		CU_ASSERT_EQUAL(cfg->ops[COBOCRED_OP_STORE].v[0].action[s], COBOCRED_ACT_CONTINUE);
	cobocred_config_free(cfg);
}

static void test_known_schemas_accepted(void)
{
	struct cobocred_config *cfg = parse_ok(
		"[module k]\nschemas = org.git.Password, io.docker.Credentials "
		"com.cobo.credential.Token,com.cobo.credential.AppSecret\n");

	cobocred_config_free(cfg);
}

struct bad {
	const char *text;
	const char *want; /* substring of the message, after "t.conf:" */
};

static const struct bad bad_cases[] = {
	{ "key = v\n", "t.conf:1: 'key' outside any section" },
	{ "[stack]\nfetch = a\n", "t.conf:2: unknown operation 'fetch'" },
	{ "[stack]\nget = a\nget = b\n", "t.conf:3: 'get' set twice in [stack] (first on line 2)" },
	{ "[stack]\nget =\n", "t.conf:2: empty stack line" },
	{ "[stack]\nget = [SUCCESS=return] a\n", "t.conf:2: action block before any module" },
	{ "[stack]\nget = a [SUCCESS=return\n", "t.conf:2: '[' without ']'" },
	{ "[stack]\nget = a [FOUND=return]\n", "t.conf:2: unknown status in 'FOUND=return'" },
	{ "[stack]\nget = a [SUCCESS=maybe]\n", "t.conf:2: unknown action 'maybe'" },
	{ "[stack]\nget = a [sometimes]\n", "t.conf:2: unknown action 'sometimes'" },
	{ "[stack]\nget = a/b\n", "t.conf:2: bad module name 'a/b'" },
	{ "[stack]\nget = -\n", "t.conf:2: bad module name ''" },
	{ "[stacks]\n", "t.conf:1: unknown section [stacks]" },
	{ "[module]\n", "t.conf:1: unknown section [module]" },
	{ "[module a b]\n", "t.conf:1: bad module name 'a b'" },
	{ "[module x]\n[module x]\n", "t.conf:2: [module x] defined twice (first on line 1)" },
	{ "[stack] junk\n", "t.conf:1: bad section header" },
	{ "[stack\n", "t.conf:1: bad section header" },
	{ "[module m]\njust words\n", "t.conf:2: expected 'key = value'" },
	{ "[module m]\nk = 1\nk = 2\n", "t.conf:3: 'k' set twice in [m] (first on line 2)" },
	{ "[module m]\nbad key = 1\n", "t.conf:2: bad key 'bad key'" },
	/* Unknown profile keys: judged by the module that reads them (test_domain.c). */
	{ "\n[profile p]\nbase_url = https://x/v2\nclient_id = c\n",
	  "t.conf:2: [profile p] lacks org_id; add 'org_id = ...'" },
	{ "[profile p]\nclient_id = c\norg_id = o\n", "t.conf:1: [profile p] lacks base_url" },
	{ "[module keyring]\nschemas = org.git.Pasword\n",
	  "t.conf:2: unknown schema 'org.git.Pasword' in schemas of [module keyring]" },
	{ "\n[module k]\nschemas = org.git.Password io.docker.Credential\n",
	  "t.conf:3: unknown schema 'io.docker.Credential'" },
	{ "[module k]\nschemas = com.cobo.credential.token\n", "t.conf:2: unknown schema" },
	{ "[module k]\nschemas = ,\n", "t.conf:2: empty schemas in [module k]" },
	{ "# a\n[stack]\n# nothing\n[profile p]\nbase_url = b\nclient_id = c\norg_id = o\n",
	  "t.conf:2: [stack] names no module" },
};

static void test_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct cobocred_config *cfg = (void *)1;
		char err[1024] = "";
		int st = cobocred_config_parse("t.conf", bad_cases[i].text,
					       strlen(bad_cases[i].text), &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(st, COBOCRED_ERROR);
		CU_ASSERT_PTR_NULL(cfg);
		if (strstr(err, bad_cases[i].want) == NULL) {
			fprintf(stderr, "case %zu: wanted \"%s\" in \"%s\"\n", i, bad_cases[i].want,
				err);
			CU_FAIL("error message");
		}
	}
}

static void test_bounds(void)
{
	struct cobocred_config *cfg = NULL;
	char err[1024];
	char *big = malloc(COBOCRED_CONFIG_MAX_LINE + 100);
	static const char nul[] = "[stack]\nget = a\0b\n";

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'x', COBOCRED_CONFIG_MAX_LINE + 99);
	big[COBOCRED_CONFIG_MAX_LINE + 99] = '\0';
	CU_ASSERT_EQUAL(cobocred_config_parse("t.conf", big, strlen(big), &cfg, err, sizeof(err)),
			COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.conf:1: line longer than"));
	free(big);
	CU_ASSERT_EQUAL(cobocred_config_parse("t.conf", nul, sizeof(nul) - 1, &cfg, err,
					      sizeof(err)),
			COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.conf:2: NUL byte"));
	CU_ASSERT_EQUAL(cobocred_config_parse("t.conf", "", COBOCRED_CONFIG_MAX_BYTES + 1, &cfg,
					      err, sizeof(err)),
			COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "larger than"));
}

static void test_load_permissions(void)
{
	char path[512], err[1024];
	struct cobocred_config *cfg = NULL;

	snprintf(path, sizeof(path), "%s/perm.conf", cutest_tmpdir());
	cutest_write(path, "[stack]\nget = a\n", 0644);
	CU_ASSERT_EQUAL(cobocred_config_load(path, &cfg, err, sizeof(err)), COBOCRED_SUCCESS);
	cobocred_config_free(cfg);
	chmod(path, 0664);
	CU_ASSERT_EQUAL(cobocred_config_load(path, &cfg, err, sizeof(err)), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "writable by group or others"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "run: chmod go-w"));
	chmod(path, 0600);
	snprintf(path, sizeof(path), "%s/missing.conf", cutest_tmpdir());
	CU_ASSERT_EQUAL(cobocred_config_load(path, &cfg, err, sizeof(err)), COBOCRED_NOTFOUND);
}

/* The one status table (src/util/status.c) names the ABI's values, both ways. */
static void test_status_names(void)
{
	static const struct {
		int st;
		const char *name;
	} abi[] = {
		{ COBOCRED_SUCCESS, "SUCCESS" }, { COBOCRED_NOTFOUND, "NOTFOUND" },
		{ COBOCRED_UNAVAIL, "UNAVAIL" }, { COBOCRED_TRYAGAIN, "TRYAGAIN" },
		{ COBOCRED_DENIED, "DENIED" },	 { COBOCRED_ERROR, "ERROR" },
	};
	size_t i;

	for (i = 0; i < sizeof(abi) / sizeof(abi[0]); i++) {
		CU_ASSERT_STRING_EQUAL(cobocred_status_name(abi[i].st), abi[i].name);
		CU_ASSERT_EQUAL(cobocred_status_from_name(abi[i].name, strlen(abi[i].name)),
				abi[i].st);
	}
	CU_ASSERT_EQUAL(cobocred_status_from_name("tryAgain", 8), COBOCRED_TRYAGAIN);
	CU_ASSERT_EQUAL(cobocred_status_from_name("DENIEDX", 6), COBOCRED_DENIED);
	CU_ASSERT_EQUAL(cobocred_status_from_name("DENIED", 5), -1);
	CU_ASSERT_EQUAL(cobocred_status_from_name("FOUND", 5), -1);
	CU_ASSERT_STRING_EQUAL(cobocred_status_name(-1), "INVALID");
	CU_ASSERT_STRING_EQUAL(cobocred_status_name(COBOCRED_STATUS_COUNT), "INVALID");
}

static const struct cutest_case parse_cases[] = {
	{ "status names", test_status_names },
	{ "full example", test_full_example },
	{ "actions and presets", test_default_actions_and_presets },
	{ "built-in default", test_builtin_default },
	{ "only a [profile]: the built-in stack", test_profile_only_gets_default_stack },
	{ "store line: never downgrade by default", test_store_line_default_actions },
	{ "known schemas accepted", test_known_schemas_accepted },
	{ "every error path", test_errors },
	{ "bounds", test_bounds },
	{ "file permissions", test_load_permissions },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = { { "config", parse_cases }, { NULL, NULL } };

	return cutest_run(suites);
}
