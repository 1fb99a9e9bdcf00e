/*
 * test_secretref.c - the one parser of secret references (src/util/
 * secretref.h) over generated spellings: every source, every case and
 * blank and control character around it, variable names, the path rule
 * (relative to the config file's directory, ~/ under HOME, ~user refused),
 * pkcs11: only where the reader offers it; and no message ever echoes a value that may
 * be a secret.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutest.h"
#include "secretref.h"

#define CONF "/etc/cobo/config"
#define BOTH COBOCRED_REF_ALLOW_KEYRING

static struct cobocred_secret_ref ref;
static char err[8192];

static void accepted(const char *v, unsigned allow, const char *conf, int kind, const char *what)
{
	int r = cobocred_secret_ref_parse(v, allow, conf, &ref, err, sizeof(err));

	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(ref.kind, kind);
	if (kind == COBOCRED_REF_FILE)
		CU_ASSERT_STRING_EQUAL(ref.path, what);
	if (kind == COBOCRED_REF_ENV)
		CU_ASSERT_STRING_EQUAL(ref.var, what);
	if (r != 0 || ref.kind != kind)
		fprintf(stderr, "'%s' refused: %s\n", v, err);
}

/* Refused with one line holding what; secret: the value must not appear in it. */
static void refused(const char *v, unsigned allow, const char *conf, const char *what, int secret)
{
	int r = cobocred_secret_ref_parse(v, allow, conf, &ref, err, sizeof(err));

	CU_ASSERT_EQUAL(r, -1);
	CU_ASSERT_EQUAL(ref.kind, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, what));
	CU_ASSERT_PTR_NULL(strpbrk(err, "\r\n"));
	if (secret && strlen(v) > 6)
		CU_ASSERT_PTR_NULL(strstr(err, v));
	if (r != -1 || strstr(err, what) == NULL)
		fprintf(stderr, "'%s': %d '%s' (want '%s')\n", v, r, err, what);
}

static void test_sources(void)
{
	accepted("keyring", BOTH, CONF, COBOCRED_REF_KEYRING, NULL);
	refused("keyring", 0, CONF, "keyring is no source here; write file:PATH or env:VAR", 0);
	accepted("env:APP_SECRET", 0, CONF, COBOCRED_REF_ENV, "APP_SECRET");
	accepted("file:/k/app.key", 0, NULL, COBOCRED_REF_FILE, "/k/app.key");
	refused("pkcs11:token=cobo;object=app", BOTH, CONF,
		"a PKCS#11 token is no source here; write keyring, file:PATH or env:VAR", 0);
	refused("pkcs11:token=cobo", 0, CONF,
		"a PKCS#11 token is no source here; write file:PATH or env:VAR", 0);
	accepted("pkcs11:token=cobo;object=app", BOTH | COBOCRED_REF_ALLOW_PKCS11, CONF,
		 COBOCRED_REF_PKCS11, NULL);
	CU_ASSERT_STRING_EQUAL(ref.uri, "pkcs11:token=cobo;object=app");
	refused("", BOTH | COBOCRED_REF_ALLOW_PKCS11, CONF,
		"empty; write keyring, file:PATH, env:VAR or pkcs11:URI", 0);
	refused("PKCS11:token=cobo", BOTH | COBOCRED_REF_ALLOW_PKCS11, CONF,
		"write 'pkcs11:' in lower case", 0);
	refused("", BOTH, CONF, "empty; write keyring, file:PATH or env:VAR", 0);
	refused("", 0, CONF, "empty; write file:PATH or env:VAR", 0);
	refused("file:", BOTH, CONF, "file: names no file; write file:PATH", 0);
	refused("env:", BOTH, CONF, "env: names no variable; write env:VAR", 0);
	/* Truncated at a NUL byte, the value is what comes before it. */
	refused("file:\0/etc/shadow", BOTH, CONF, "file: names no file", 0);
}

/* The path rule: cobocred_path_resolve's, the same for every reader. */
static void test_paths(void)
{
	char want[4200];

	accepted("file:app.key", 0, CONF, COBOCRED_REF_FILE, "/etc/cobo/app.key");
	accepted("file:keys/app.key", BOTH, CONF, COBOCRED_REF_FILE, "/etc/cobo/keys/app.key");
	accepted("file:../app.key", BOTH, CONF, COBOCRED_REF_FILE, "/etc/cobo/../app.key");
	accepted("file:/abs/app.key", BOTH, NULL, COBOCRED_REF_FILE, "/abs/app.key");
	snprintf(want, sizeof(want), "%s/k/app.key", getenv("HOME"));
	accepted("file:~/k/app.key", BOTH, NULL, COBOCRED_REF_FILE, want);
	refused("file:app.key", BOTH, NULL, "no configuration file to resolve it against", 0);
	refused("file:./app.key", 0, NULL, "no configuration file to resolve it against", 0);
	refused("file:~root/app.key", BOTH, CONF, "only ~/ (your own home) is expanded", 0);
	refused("file:~", BOTH, CONF, "only ~/ (your own home) is expanded", 0);
	refused("file:~bob", BOTH, NULL, "only ~/ (your own home) is expanded", 0);
}

/* Every prefix in every case but its own: refused with the lower-case spelling. */
static void test_case(void)
{
	static const char *const words[] = { "keyring", "file:", "env:", "pkcs11:" };
	char v[64], want[64];
	size_t w, mask, i, n;

	for (w = 0; w < 4; w++) {
		n = strlen(words[w]);
		for (mask = 1; mask < (1u << (n - 1)); mask++) {
			for (i = 0; i < n; i++)
				v[i] = (char)((mask >> i) & 1 ? toupper((unsigned char)words[w][i])
							      : words[w][i]);
			if (memcmp(v, words[w], n) == 0)
				continue; /* digits and ':' have no case */
			snprintf(v + n, sizeof(v) - n, "%s", w == 0 ? "" : "/x/KEY");
			snprintf(want, sizeof(want), "write '%s' in lower case", words[w]);
			refused(v, BOTH, CONF, want, 0);
		}
	}
}

/* Blanks and control characters before, after and inside each good value. */
static void test_blanks_controls(void)
{
	static const char *const good[] = { "keyring", "file:/k", "env:VAR", "file:k" };
	static const char *const junk[] = { " ", "\t", "\r", "\n", "\x01", "\x7f", "\r\n" };
	char v[64];
	size_t g, j, pos;

	for (g = 0; g < 4; g++)
		for (j = 0; j < sizeof(junk) / sizeof(junk[0]); j++)
			for (pos = 0; pos < 3; pos++) {
				const char *what = isspace((unsigned char)junk[j][0]) &&
								   junk[j][0] != '\r' &&
								   junk[j][0] != '\n'
							   ? "blank"
							   : "a control character";
				size_t colon = strcspn(good[g], ":");

				if (pos == 0)
					snprintf(v, sizeof(v), "%s%s", junk[j], good[g]);
				else if (pos == 1)
					snprintf(v, sizeof(v), "%s%s", good[g], junk[j]);
				else if (good[g][colon] == ':')
					snprintf(v, sizeof(v), "%.*s%s%s", (int)colon + 1, good[g],
						 junk[j], good[g] + colon + 1);
				else
					continue;
				/* A blank after env: makes no variable name. */
				if (pos == 2 && strcmp(what, "blank") == 0 && good[g][0] == 'e')
					what = "not a variable name";
				refused(v, BOTH, CONF, what, 0);
			}
}

static void test_env_names(void)
{
	static const char *const bad[] = { "1X",       "9",   "A-B", "A B", "$X",   "X=Y", "A.B",
					   "\xc3\xa9", "A/B", "X:",  "{X}", "a\\b", "*" };
	char v[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(v, sizeof(v), "env:%s", bad[i]);
		refused(v, BOTH, CONF, "the name after env: is not a variable name", 1);
	}
	accepted("env:_", 0, CONF, COBOCRED_REF_ENV, "_");
	accepted("env:a1_B2", 0, CONF, COBOCRED_REF_ENV, "a1_B2");
	memcpy(v, "env:", 4);
	memset(v + 4, 'V', COBOCRED_REF_VAR_MAX - 1);
	v[4 + COBOCRED_REF_VAR_MAX - 1] = '\0';
	accepted(v, 0, CONF, COBOCRED_REF_ENV, v + 4);
	v[4 + COBOCRED_REF_VAR_MAX - 1] = 'V';
	v[4 + COBOCRED_REF_VAR_MAX] = '\0';
	refused(v, 0, CONF, "at most 127", 1);
}

/* A secret pasted where its place belongs is refused and never echoed. */
static void test_no_echo(void)
{
	static const char *const pasted[] = {
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"-----BEGIN PRIVATE KEY-----",
		"hunter2hunter2",
		"keyring2",
		"files:/x",
		"environment:X",
	};
	size_t i;

	for (i = 0; i < sizeof(pasted) / sizeof(pasted[0]); i++) {
		refused(pasted[i], BOTH, CONF,
			"not keyring, file:PATH or env:VAR; a secret is never written in the "
			"config itself",
			1);
		refused(pasted[i], 0, CONF, "not file:PATH or env:VAR", 1);
	}
}

static const struct cutest_case cases[] = {
	{ "the sources", test_sources },
	{ "paths: one rule", test_paths },
	{ "prefixes in lower case only", test_case },
	{ "blanks and control characters", test_blanks_controls },
	{ "variable names", test_env_names },
	{ "never echoes a pasted secret", test_no_echo },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "secret references", cases },
		{ NULL, NULL },
	};

	(void)cutest_tmpdir(); /* HOME into the run's temp dir */
	return cutest_run(suites);
}
