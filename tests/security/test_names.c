/*
 * test_names.c - module names are names: [A-Za-z0-9_-]{1,64} in the three
 * places a config file names a module (a [stack] entry, a [module NAME]
 * header, a module = value), refused at parse time with FILE:LINE.  The
 * loader turns a name into NAME.so inside the module directories, so a
 * name that could be a path ("../../../x/evil", "/abs/path") must never
 * get that far.  Variants are generated: every ASCII byte that is not a
 * name character, in front, inside and behind a name; dots, slashes,
 * blanks, control bytes, UTF-8 look-alikes, "NUL-ish" spellings, lengths.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobo_config.h"
#include "cutest.h"

/* Where a name sits in the generated config, and the line it lands on. */
enum place { IN_STACK, IN_HEADER, IN_MODULE_KEY, PLACE_COUNT };

static const int place_line[PLACE_COUNT] = { 2, 3, 4 };
static const char *const place_what[PLACE_COUNT] = { "[stack]", "[module NAME]", "'module ='" };

static size_t n_checked;

/* Builds a three-line config with name at place; the others are "ok". */
static void make_config(char *buf, size_t len, enum place at, const char *name)
{
	snprintf(buf, len,
		 "[stack]\n"
		 "get = %s\n"
		 "[module %s]\n"
		 "module = %s\n",
		 at == IN_STACK ? name : "ok", at == IN_HEADER ? name : "ok",
		 at == IN_MODULE_KEY ? name : "ok");
}

static int parse(const char *text, char *err, size_t errlen)
{
	struct cobocred_config *cfg = NULL;
	int st = cobocred_config_parse("names.conf", text, strlen(text), &cfg, err, errlen);

	cobocred_config_free(cfg);
	return st;
}

/*
 * name at place must be refused.  strict: the message must be the module
 * name message (not merely some parse error: a '[' or '#' changes how the
 * line is read, and those only need to fail at the right line).
 */
static void expect_refused(enum place at, const char *name, int strict)
{
	char text[1024], err[1024] = "", where[64];
	int st;

	make_config(text, sizeof(text), at, name);
	st = parse(text, err, sizeof(err));
	snprintf(where, sizeof(where), "names.conf:%d: ", place_line[at]);
	n_checked++;
	if (st != COBOCRED_ERROR || strncmp(err, where, strlen(where)) != 0 ||
	    (strict &&
	     (strstr(err, "bad module name") == NULL || strstr(err, place_what[at]) == NULL))) {
		fprintf(stderr, "\n  not refused as expected at %s: name '%s' -> %d '%s'\n",
			place_what[at], name, st, err);
		CU_FAIL("module name not refused with FILE:LINE");
	}
}

static void expect_accepted(enum place at, const char *name)
{
	char text[1024], err[1024] = "";
	int st;

	make_config(text, sizeof(text), at, name);
	st = parse(text, err, sizeof(err));
	if (st != COBOCRED_SUCCESS) {
		fprintf(stderr, "\n  refused at %s: name '%s' -> '%s'\n", place_what[at], name,
			err);
		CU_FAIL("a good module name was refused");
	}
}

static int blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* Bytes that change how a line is read, per place (not the name check). */
static int reshapes_line(enum place at, unsigned char c)
{
	if (blank(c) || c == '#')
		return 1; /* splits a stack line, is trimmed, or starts a comment */
	if (at == IN_STACK && (c == '[' || c == ';'))
		return 1;
	return at == IN_HEADER && (c == ']' || c == ';');
}

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Every non-name ASCII byte (controls too, bar NUL and the line ends)
 * before, inside and after a name, in every place. */
static void test_every_separator(void)
{
	unsigned c;
	int at;

	for (c = 1; c < 0x80; c++) {
		char v[3][16];
		int k;

		if (name_char((unsigned char)c) || c == '\n' || c == '\r')
			continue;
		snprintf(v[0], sizeof(v[0]), "%cevil", c);
		snprintf(v[1], sizeof(v[1]), "ev%cil", c);
		snprintf(v[2], sizeof(v[2]), "evil%c", c);
		for (at = 0; at < PLACE_COUNT; at++)
			for (k = 0; k < 3; k++) {
				/* A trailing blank or comment is trimmed: "evil " is "evil". */
				if (k == 2 && reshapes_line((enum place)at, (unsigned char)c) &&
				    c != '[' && c != ']')
					continue;
				/* " evil" is trimmed to "evil"; "ev il" on a stack
				 * line is two good names. */
				if (blank((unsigned char)c) &&
				    (k == 0 || (k == 1 && at == IN_STACK)))
					continue;
				expect_refused((enum place)at, v[k],
					       !reshapes_line((enum place)at, (unsigned char)c));
			}
	}
}

static const char *const paths_and_dots[] = {
	"../../../x/evil",
	"../evil",
	"./file",
	"/abs/path",
	"/usr/lib/x86_64-linux-gnu/evil",
	"a/b",
	"a.b",
	"file.so",
	".",
	"..",
	"...",
	".hidden",
	"evil.",
	"a..b",
	"~/evil",
	"C:\\evil",
	"a\\b",
	"\\\\host\\share\\evil",
	"file:evil",
	"$HOME",
	"`id`",
	"$(id)",
	"a*",
	"a?",
	"a=b",
	"%2e%2e%2fevil",
	"%00",
	"file%00",
	"evil\\0",
	"\\x00",
	"file\\u0000",
	"a,b",
	"a+b",
	"a@b",
	"a:b",
};

static void test_paths_and_dots(void)
{
	size_t i;
	int at;

	for (i = 0; i < sizeof(paths_and_dots) / sizeof(paths_and_dots[0]); i++)
		for (at = 0; at < PLACE_COUNT; at++)
			expect_refused((enum place)at, paths_and_dots[i],
				       !(at == IN_HEADER &&
					 strchr(paths_and_dots[i], ']') != NULL));
}

/* UTF-8: letters that are not ASCII letters, look-alikes, invisible and
 * direction-changing characters. */
static const char *const unicode[] = {
	"\xc3\xa9vil",		      /* é */
	"fil\xc3\xa9",		      /* é at the end */
	"\xef\xbd\x86\xef\xbd\x89le", /* fullwidth ｆｉ */
	"\xef\xac\x81le",	      /* the ﬁ ligature */
	"file\xe2\x80\x8b",	      /* zero-width space */
	"\xe2\x80\xae"
	"elif",		       /* right-to-left override */
	"\xd0\xb0pp",	       /* Cyrillic а */
	"key\xe2\x80\x90ring", /* Unicode hyphen */
	"\xe2\x88\x95"
	"evil", /* division slash */
	"\xef\xbc\x8e\xef\xbc\x8e\xe2\x88\x95"
	"evil", /* fullwidth dots + division slash */
	"\xc0\xae\xc0\xae\xc0\xaf"
	"evil",	    /* overlong "../" */
	"\xff\xfe", /* not UTF-8 at all */
	"\xc2\xa0"
	"file", /* no-break space */
};

static void test_unicode(void)
{
	size_t i;
	int at;

	for (i = 0; i < sizeof(unicode) / sizeof(unicode[0]); i++)
		for (at = 0; at < PLACE_COUNT; at++)
			expect_refused((enum place)at, unicode[i], 1);
}

static void test_lengths(void)
{
	char name[COBOCRED_MODULE_NAME_MAX + 8];
	int at;

	memset(name, 'a', sizeof(name));
	name[COBOCRED_MODULE_NAME_MAX] = '\0';
	for (at = 0; at < PLACE_COUNT; at++)
		expect_accepted((enum place)at, name);
	name[COBOCRED_MODULE_NAME_MAX] = 'a';
	name[COBOCRED_MODULE_NAME_MAX + 1] = '\0';
	for (at = 0; at < PLACE_COUNT; at++)
		expect_refused((enum place)at, name, 1);
	/* Empty: "module =" with nothing, "[module ]" is a header error. */
	expect_refused(IN_MODULE_KEY, "", 1);
	expect_refused(IN_HEADER, "", 0);
}

static void test_good_names(void)
{
	static const char *const good[] = { "file",   "keyring", "cobo-oauth", "my_store",
					    "A-Z_09", "x",	 "_",	       "0" };
	size_t i;
	int at;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		for (at = 0; at < PLACE_COUNT; at++)
			expect_accepted((enum place)at, good[i]);
	/* '-' in front of a stack entry marks it optional; the name is the rest. */
	expect_accepted(IN_STACK, "-file");
	expect_refused(IN_STACK, "-../evil", 1);
}

/* The message shows an untrusted name without control or non-ASCII bytes. */
static void test_message_is_printable(void)
{
	char text[256], err[1024] = "";
	size_t i;

	make_config(text, sizeof(text), IN_MODULE_KEY, "ev\x1b[31mil\xc3\xa9");
	CU_ASSERT_EQUAL(parse(text, err, sizeof(err)), COBOCRED_ERROR);
	for (i = 0; err[i] != '\0'; i++)
		if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] >= 0x7f) {
			CU_FAIL("control or non-ASCII byte in the message");
			break;
		}
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "looked up only in the module directories"));
}

static void test_name_ok(void)
{
	CU_ASSERT_TRUE(cobocred_module_name_ok("cobo-oauth"));
	CU_ASSERT_FALSE(cobocred_module_name_ok(""));
	CU_ASSERT_FALSE(cobocred_module_name_ok("../x"));
	CU_ASSERT_FALSE(cobocred_module_name_ok("a.b"));
	CU_ASSERT_FALSE(cobocred_module_name_ok("a b"));
	CU_ASSERT_FALSE(cobocred_module_name_ok("\xc3\xa9"));
}

static void test_count(void)
{
	/* The generators above really ran: hundreds of refusals. */
	CU_ASSERT_TRUE(n_checked > 500);
}

static const struct cutest_case cases[] = {
	{ "every separator byte", test_every_separator },
	{ "paths, dots, NUL-ish", test_paths_and_dots },
	{ "unicode", test_unicode },
	{ "lengths and empty", test_lengths },
	{ "good names", test_good_names },
	{ "printable message", test_message_is_printable },
	{ "cobocred_module_name_ok", test_name_ok },
	{ "variant count", test_count },
	{ NULL, NULL },
};

static const struct cutest_suite suites[] = {
	{ "module names", cases },
	{ NULL, NULL },
};

int main(void)
{
	return cutest_run(suites);
}
