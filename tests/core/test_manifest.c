/*
 * test_manifest.c - module manifests (src/engine/manifest.h): the parser over
 * generated variants, and the loader with the scripted fixture modules
 * copied into a module directory of the test's own, each with or without a
 * manifest: a module passed over by its manifest is never opened, a
 * mismatch and an untrusted manifest are refused with FILE:LINE, a module
 * without one is loaded as before.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cobocred.h"
#include "cutest.h"
#include "manifest.h"
#include "test_core_fixture.h"

#define GOOD                                 \
	"# a comment\n"                      \
	"\n"                                 \
	"name = scripted\n"                  \
	"abi = 1\n"                          \
	"schemas = org.git.Password, test\n" \
	"capabilities = get store erase list\n"

static struct cobocred_manifest man;
static char err[2048];

static int parse(const char *text)
{
	err[0] = '\0';
	return cobocred_manifest_parse("/m/x.module", text, strlen(text), &man, err, sizeof(err));
}

/* err starts with want (a "PATH:LINE: " prefix) and holds what. */
static void refused(const char *text, const char *want, const char *what)
{
	int r = parse(text);

	CU_ASSERT_EQUAL(r, -1);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, what));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (r != -1 || strncmp(err, want, strlen(want)) != 0 || strstr(err, what) == NULL)
		fprintf(stderr, "manifest %s\n  -> %d '%s' (want '%s' ... '%s')\n", text, r, err,
			want, what);
}

static void test_parse_good(void)
{
	CU_ASSERT_EQUAL_FATAL(parse(GOOD), 0);
	CU_ASSERT_STRING_EQUAL(man.name, "scripted");
	CU_ASSERT_EQUAL(man.abi_major, COBOCRED_ABI_MAJOR);
	CU_ASSERT_EQUAL(man.n_schemas, 2);
	CU_ASSERT_TRUE(cobocred_manifest_names(&man, "test"));
	CU_ASSERT_TRUE(cobocred_manifest_names(&man, COBOCRED_SCHEMA_GIT));
	CU_ASSERT_FALSE(cobocred_manifest_names(&man, COBOCRED_SCHEMA_DOCKER));
	CU_ASSERT_EQUAL(man.caps, COBOCRED_CAP_GET | COBOCRED_CAP_STORE | COBOCRED_CAP_ERASE |
					  COBOCRED_CAP_LIST);
	CU_ASSERT_EQUAL(man.schemas_line, 5);
	/* No trailing newline, tabs around the '=', `*`. */
	CU_ASSERT_EQUAL_FATAL(parse("name\t=\tm\nabi=1\nschemas = *\ncapabilities = get,mint"), 0);
	CU_ASSERT_TRUE(man.any_schema);
	CU_ASSERT_FALSE(cobocred_manifest_names(&man, "test"));
	CU_ASSERT_EQUAL(man.caps, COBOCRED_CAP_GET | COBOCRED_CAP_MINT);
}

/* Keys and capability words of a newer host are ignored; the known ones still count. */
static void test_parse_forward(void)
{
	CU_ASSERT_EQUAL_FATAL(parse(GOOD "requests = sign\nfuture-key = x y z\n"), 0);
	CU_ASSERT_EQUAL_FATAL(
		parse("name = m\nabi = 1\nschemas = *\ncapabilities = get sign teleport\n"), 0);
	CU_ASSERT_EQUAL(man.caps, COBOCRED_CAP_GET);
}

/* Each required key left out, each given twice, on every line it can be. */
static void test_parse_keys(void)
{
	static const char *const lines[] = { "name = m\n", "abi = 1\n", "schemas = *\n",
					     "capabilities = get\n" };
	static const char *const keys[] = { "name", "abi", "schemas", "capabilities" };
	char text[512], want[64], what[64];
	size_t i, j;

	for (i = 0; i < 4; i++) {
		text[0] = '\0';
		for (j = 0; j < 4; j++)
			if (j != i)
				strncat(text, lines[j], sizeof(text) - strlen(text) - 1);
		snprintf(what, sizeof(what), "no '%s = ...' line", keys[i]);
		refused(text, "/m/x.module: ", what);
		/* Twice: the second is refused at its line, naming the first. */
		text[0] = '\0';
		for (j = 0; j < 4; j++)
			strncat(text, lines[j], sizeof(text) - strlen(text) - 1);
		strncat(text, lines[i], sizeof(text) - strlen(text) - 1);
		snprintf(want, sizeof(want), "/m/x.module:5: ");
		snprintf(what, sizeof(what), "%s given twice (first on line %zu)", keys[i], i + 1);
		refused(text, want, what);
	}
}

/* A bad line put in at every position of a good manifest is refused at that line. */
static void test_parse_bad_lines(void)
{
	static const struct {
		const char *line, *what;
	} bad[] = {
		{ "just words", "not 'key = value'" },
		{ "= value", "not 'key = value'" },
		{ "name = m\r", "a control character (0x0d)" },
		{ "x = \x01", "a control character (0x01)" },
		{ "x = \x7f", "a control character (0x7f)" },
	};
	static const char *const good[] = { "name = scripted", "abi = 1", "schemas = test",
					    "capabilities = get" };
	char text[512], want[64];
	size_t b, pos, j;

	for (b = 0; b < sizeof(bad) / sizeof(bad[0]); b++)
		for (pos = 0; pos <= 4; pos++) {
			text[0] = '\0';
			for (j = 0; j <= 4; j++) {
				const char *l = j == pos ? bad[b].line : good[j < pos ? j : j - 1];

				/* The "name = m\r" variant stands in for the name line. */
				if (j != pos && strncmp(bad[b].line, "name", 4) == 0 &&
				    strncmp(l, "name", 4) == 0)
					l = "# no name here";
				strncat(text, l, sizeof(text) - strlen(text) - 2);
				strncat(text, "\n", sizeof(text) - strlen(text) - 1);
			}
			snprintf(want, sizeof(want), "/m/x.module:%zu: ", pos + 1);
			refused(text, want, bad[b].what);
		}
}

static void test_parse_values(void)
{
	static const struct {
		const char *key, *value, *what;
	} bad[] = {
		{ "name", "no spaces", "is not a module name" },
		{ "name", "", "is not a module name" },
		{ "name", "../x", "is not a module name" },
		{ "abi", "2", "this cobo-credential speaks ABI 1" },
		{ "abi", "0", "this cobo-credential speaks ABI 1" },
		{ "abi", "1.4", "not an ABI major version; write 'abi = 1'" },
		{ "abi", "", "not an ABI major version" },
		{ "abi", "-1", "not an ABI major version" },
		{ "abi", "999999", "not an ABI major version" },
		{ "schemas", "", "schemas is empty" },
		{ "schemas", " , ", "schemas is empty" },
		{ "schemas", "* test", "'*' (any schema) stands alone" },
		{ "schemas", "test *", "'*' (any schema) stands alone" },
		{ "schemas", "a\xc3\xa9", "is not a schema name" },
		{ "capabilities", "", "capabilities is empty" },
		{ "capabilities", ",", "capabilities is empty" },
	};
	char text[512], want[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s = %s\n%s", bad[i].key, bad[i].value, GOOD);
		snprintf(want, sizeof(want), "/m/x.module:1: ");
		refused(text, want, bad[i].what);
	}
}

static void test_parse_bounds(void)
{
	char text[COBOCRED_MANIFEST_MAX + 64], *p;
	size_t i;

	/* 17 schemas: one more than a manifest holds. */
	p = text + snprintf(text, sizeof(text), "schemas =");
	for (i = 0; i <= COBOCRED_MANIFEST_SCHEMAS; i++)
		p += snprintf(p, 16, " s%zu", i);
	snprintf(p, sizeof(text) - (size_t)(p - text), "\n%s", "name = m\n");
	refused(text, "/m/x.module:1: ", "more than 16 schemas");
	/* A schema name of 128 characters. */
	memset(text, 'a', sizeof(text));
	memcpy(text, "schemas = ", 10);
	text[10 + COBOCRED_MANIFEST_SCHEMA_LEN] = '\0';
	refused(text, "/m/x.module:1: ", "is not a schema name");
	/* A line of 1024 bytes; a file over the bound; a NUL inside. */
	memset(text, '#', 1024);
	text[1024] = '\0';
	refused(text, "/m/x.module:1: ", "line longer than 1023 bytes");
	memset(text, '#', sizeof(text));
	text[COBOCRED_MANIFEST_MAX + 1] = '\0';
	refused(text, "/m/x.module: ", "larger than 4096 bytes");
	CU_ASSERT_EQUAL(cobocred_manifest_parse("/m/x.module", GOOD "x\0y\n",
						sizeof(GOOD "x\0y\n") - 1, &man, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/m/x.module:7: a NUL byte"));
}

/* ---- the loader ---------------------------------------------------------- */

static char mods[600];

/* A fresh module directory with copies of three fixture modules, on the module path. */
static void module_dir(const char *tag)
{
	static const char *const sos[] = { "scripted", "gitonly", "minter" };
	const char *top = getenv("top_builddir");
	char cmd[2048];
	size_t i;

	snprintf(mods, sizeof(mods), "%s/mods-%s", cutest_tmpdir(), tag);
	CU_ASSERT_EQUAL_FATAL(mkdir(mods, 0755), 0);
	for (i = 0; i < sizeof(sos) / sizeof(sos[0]); i++) {
		snprintf(cmd, sizeof(cmd),
			 "cp '%s/tests/modules/.libs/%s.so' '%s/' && chmod 755 '%s/%s.so'",
			 top ? top : ".", sos[i], mods, mods, sos[i]);
		CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	}
	setenv("COBO_CREDENTIAL_MODULE_PATH", mods, 1);
}

static void manifest(const char *so, const char *text)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s.module", mods, so);
	cutest_write(path, text, 0644);
}

#define MOD(name, so) \
	"[module " name "]\nmodule = " so "\nname = " name "\nlog = %s\nget = SUCCESS\n"

static const struct cobocred_attr attrs[] = { { "host", "example.com" } };

static int get(struct cobocred_ctx *ctx, const char *schema)
{
	struct cobocred_query q = {
		.struct_size = sizeof(q),
		.schema = schema,
		.n_attrs = 1,
		.attrs = attrs,
	};
	struct cobocred_item *out = NULL;
	int st = cobocred_get(ctx, &q, &out);

	cobocred_item_free(out);
	return st;
}

/* gitonly serves org.git.Password only: with its manifest, nothing else loads it. */
static void test_lazy_third_party(void)
{
	struct cobocred_ctx *ctx;
	int with;

	for (with = 0; with < 2; with++) {
		module_dir(with ? "lazy" : "eager");
		if (with)
			manifest("gitonly", "name = scripted\nabi = 1\nschemas = org.git.Password\n"
					    "capabilities = get store erase list\n");
		ctx = fixture_ctx("[stack]\nget = g s\n" MOD("g", "gitonly") MOD("s", "scripted"),
				  fixture_log(), fixture_log());
		CU_ASSERT_EQUAL(get(ctx, COBOCRED_SCHEMA_DOCKER), COBOCRED_SUCCESS);
		CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(), "s get"));
		/* Without a manifest it is loaded to learn what it serves (and passed over). */
		CU_ASSERT_EQUAL(strstr(fixture_calls(), "g open") != NULL, !with);
		CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "g get"));
		/* Its own schema loads it, manifest or not. */
		CU_ASSERT_EQUAL(get(ctx, COBOCRED_SCHEMA_GIT), COBOCRED_SUCCESS);
		CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(), "g open"));
		CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(), "g get"));
		cobocred_ctx_free(ctx);
	}
}

/* err of a get through instance a of so: refused, never opened, FILE:LINE of both files. */
static void refused_load(const char *so, const char *schema, int line, const char *what)
{
	struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = a\n" MOD("a", "%s"), so,
					       fixture_log());
	char want[800];

	CU_ASSERT_EQUAL(get(ctx, schema), COBOCRED_ERROR);
	snprintf(want, sizeof(want), "%s:2: module 'a': %s/%s.module:%d: %s", fixture_conf(), mods,
		 so, line, what);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), want));
	if (strstr(cobocred_error(ctx), want) == NULL)
		fprintf(stderr, "got  %s\nwant %s\n", cobocred_error(ctx), want);
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "a open"));
	cobocred_ctx_free(ctx);
}

/* The module's own declaration against its manifest, key by key. */
static void test_mismatch_refused(void)
{
	static const struct {
		const char *so, *text, *schema, *what;
		int line;
	} v[] = {
		{ "scripted",
		  "name = other\nabi = 1\nschemas = *\ncapabilities = get store erase list", "test",
		  "name = other, but ", 1 },
		{ "scripted", "name = scripted\nabi = 1\nschemas = *\ncapabilities = get store",
		  "test", "capabilities = get store, but ", 4 },
		{ "scripted",
		  "name = scripted\nabi = 1\nschemas = test\ncapabilities = get store erase list",
		  "test", "schemas do not match: ", 3 },
		{ "gitonly",
		  "name = scripted\nabi = 1\nschemas = *\ncapabilities = get store erase list",
		  COBOCRED_SCHEMA_GIT, "schemas do not match: ", 3 },
		{ "gitonly",
		  "name = scripted\nabi = 1\nschemas = org.git.Password test\n"
		  "capabilities = get store erase list",
		  COBOCRED_SCHEMA_GIT, "schemas do not match: ", 3 },
		{ "minter", "name = scripted-mint\nabi = 1\nschemas = *\ncapabilities = get",
		  "test", "capabilities = get, but ", 4 },
	};
	size_t i;

	module_dir("mismatch");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		manifest(v[i].so, v[i].text);
		refused_load(v[i].so, v[i].schema, v[i].line, v[i].what);
	}
	/* And the fix the message gives, applied: it loads. */
	manifest("minter", "name = scripted-mint\nabi = 1\nschemas = *\ncapabilities = get mint");
	{
		struct cobocred_ctx *ctx = fixture_ctx("[stack]\nget = a\n" MOD("a", "minter"),
						       fixture_log());

		/* Loaded and opened; a plain get asks a minter nothing (NOTFOUND). */
		CU_ASSERT_EQUAL(get(ctx, "test"), COBOCRED_NOTFOUND);
		CU_ASSERT_PTR_NOT_NULL(strstr(fixture_calls(), "a open"));
		cobocred_ctx_free(ctx);
	}
}

/* A malformed manifest: the module is refused with the manifest's line, not loaded eagerly. */
static void test_malformed_refused(void)
{
	module_dir("malformed");
	manifest("scripted", "name = scripted\nabi = 2\nschemas = *\ncapabilities = get\n");
	refused_load("scripted", "test", 2, "abi = 2, but this cobo-credential speaks ABI 1");
}

static void test_untrusted_refused(void)
{
	struct cobocred_ctx *ctx;
	char path[700], open_dir[700], cmd[4096];

	module_dir("untrusted");
	manifest("scripted", "name = scripted\nabi = 1\nschemas = *\ncapabilities = get store "
			     "erase list\n");
	snprintf(path, sizeof(path), "%s/scripted.module", mods);
	CU_ASSERT_EQUAL_FATAL(chmod(path, 0666), 0);
	ctx = fixture_ctx("[stack]\nget = a\n" MOD("a", "scripted"), fixture_log());
	CU_ASSERT_EQUAL(get(ctx, "test"), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), ":2: module 'a': "));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "writable by group or others"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "chmod go-w"));
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "a open"));
	cobocred_ctx_free(ctx);

	/* A symlink into a directory anyone may write to (no sticky bit). */
	snprintf(open_dir, sizeof(open_dir), "%s/open", cutest_tmpdir());
	CU_ASSERT_EQUAL_FATAL(mkdir(open_dir, 0777), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(open_dir, 0777), 0);
	snprintf(cmd, sizeof(cmd),
		 "chmod 644 '%s' && mv '%s' '%s/' && ln -s '%s/scripted.module' '%s'", path, path,
		 open_dir, open_dir, path);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	ctx = fixture_ctx("[stack]\nget = a\n" MOD("a", "scripted"), fixture_log());
	CU_ASSERT_EQUAL(get(ctx, "test"), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "is not safe to read: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), open_dir));
	CU_ASSERT_PTR_NULL(strstr(fixture_calls(), "a open"));
	cobocred_ctx_free(ctx);
}

static const struct cutest_case parser_cases[] = {
	{ "a good manifest", test_parse_good },
	{ "newer keys and words ignored", test_parse_forward },
	{ "required keys: missing, twice", test_parse_keys },
	{ "bad lines at every position", test_parse_bad_lines },
	{ "bad values", test_parse_values },
	{ "bounds", test_parse_bounds },
	{ NULL, NULL },
};

static const struct cutest_case loader_cases[] = {
	{ "third-party module passed over by its manifest", test_lazy_third_party },
	{ "declaration and manifest differ: refused", test_mismatch_refused },
	{ "malformed manifest: refused", test_malformed_refused },
	{ "untrusted manifest: refused", test_untrusted_refused },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "manifest parser", parser_cases },
		{ "manifest loader", loader_cases },
		{ NULL, NULL },
	};

	return cutest_run(suites);
}
