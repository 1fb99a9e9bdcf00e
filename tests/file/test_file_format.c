/*
 * test_file_format.c - the file store's format (parser, serializer) and
 * matcher, as pure functions: round trips of any byte, and every way a
 * damaged file is refused with a message naming the line.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "io.h" /* FILE_DEFAULT_MAX_BYTES */
#include "match.h"
#include "cutest.h"
#include "secret.h"
#include "test_file_helpers.h"

#define HEAD "cobo-credential-store 1\n"

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

/* A file_item with the given fields; attrs are name/value pairs ending in NULL. */
static void make_item(struct file_item *it, const char *schema, const void *secret, size_t len, ...)
{
	const char *name;
	va_list ap;

	memset(it, 0, sizeof(*it));
	it->schema = xstrdup(schema);
	it->secret = (unsigned char *)cobocred_secret_dup(secret, len);
	it->secret_len = len;
	it->attrs = calloc(FILE_MAX_ATTRS + 1, sizeof(*it->attrs));
	if (it->secret == NULL || it->attrs == NULL)
		abort();
	va_start(ap, len);
	while ((name = va_arg(ap, const char *)) != NULL) {
		it->attrs[it->n_attrs].name = xstrdup(name);
		it->attrs[it->n_attrs].value = xstrdup(va_arg(ap, const char *));
		it->n_attrs++;
	}
	va_end(ap);
}

static void assert_items_equal(const struct file_item *a, const struct file_item *b)
{
	size_t i;

	CU_ASSERT_STRING_EQUAL(a->schema, b->schema);
	CU_ASSERT((a->label == NULL) == (b->label == NULL));
	if (a->label != NULL && b->label != NULL)
		CU_ASSERT_STRING_EQUAL(a->label, b->label);
	CU_ASSERT_EQUAL_FATAL(a->secret_len, b->secret_len);
	CU_ASSERT(memcmp(a->secret, b->secret, a->secret_len) == 0);
	CU_ASSERT_EQUAL(b->secret[b->secret_len], '\0');
	CU_ASSERT((a->refresh == NULL) == (b->refresh == NULL));
	if (a->refresh != NULL && b->refresh != NULL)
		CU_ASSERT_STRING_EQUAL(a->refresh, b->refresh);
	CU_ASSERT_EQUAL(a->created_at, b->created_at);
	CU_ASSERT_EQUAL(a->expires_at, b->expires_at);
	CU_ASSERT_EQUAL_FATAL(a->n_attrs, b->n_attrs);
	for (i = 0; i < a->n_attrs; i++) {
		CU_ASSERT_STRING_EQUAL(a->attrs[i].name, b->attrs[i].name);
		CU_ASSERT_STRING_EQUAL(a->attrs[i].value, b->attrs[i].value);
	}
}

/* Serialises s, parses it back, compares, and checks the bytes are canonical. */
static void round_trip(const struct file_store *s)
{
	struct file_store back;
	char *text = NULL, *again = NULL, err[256] = "";
	size_t len = 0, len2 = 0, i;

	CU_ASSERT_FATAL(file_store_serialize(s, FILE_DEFAULT_MAX_BYTES, &text, &len) == 0);
	CU_ASSERT(strncmp(text, HEAD, strlen(HEAD)) == 0);
	for (i = 0; i < len; i++)
		if (text[i] != '\n' && (text[i] < 0x20 || text[i] > 0x7e))
			break;
	CU_ASSERT_EQUAL(i, len); /* plain printable ASCII lines */
	CU_ASSERT_EQUAL_FATAL(file_store_parse(text, len, &back, err, sizeof(err)),
			      COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(back.n, s->n);
	for (i = 0; i < s->n; i++)
		assert_items_equal(&s->items[i], &back.items[i]);
	CU_ASSERT(file_store_serialize(&back, FILE_DEFAULT_MAX_BYTES, &again, &len2) == 0);
	CU_ASSERT(len == len2 && memcmp(text, again, len) == 0);
	cobocred_secret_free(again);
	/* The bound is the output's size: one byte less is refused, nothing handed out. */
	CU_ASSERT_EQUAL(file_store_serialize(s, len - 1, &again, &len2), 1);
	CU_ASSERT_PTR_NULL(again);
	CU_ASSERT_EQUAL(file_store_serialize(s, len, &again, &len2), 0);
	CU_ASSERT_EQUAL(len2, len);
	cobocred_secret_free(text);
	cobocred_secret_free(again);
	file_store_clear(&back);
}

static void test_round_trip_any_byte(void)
{
	unsigned char all[256];
	struct file_store s;
	struct file_item it;
	size_t i;

	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	file_store_init(&s);
	make_item(&it, "org.git.Password", all, sizeof(all), "host", "example.com:8443", "path",
		  "a b/%20 c\n", "username", "ünïcødé 🔑", NULL);
	it.label = xstrdup("Git: 100% ünïcødé\tlabel ");
	it.refresh = cobocred_secret_dup("rt %00 with spaces", 18);
	it.created_at = 1700000000;
	it.expires_at = INT64_MAX;
	CU_ASSERT_FATAL(file_store_append(&s, &it) == 0);
	make_item(&it, "x", "", 0, NULL); /* empty secret, no attrs, no label */
	CU_ASSERT_FATAL(file_store_append(&s, &it) == 0);
	make_item(&it, "x", "\0\n\r\0", 4, "k", "", NULL); /* NUL and newline, empty value */
	CU_ASSERT_FATAL(file_store_append(&s, &it) == 0);
	round_trip(&s);
	file_store_clear(&s);
	file_store_init(&s);
	round_trip(&s); /* an empty store is just the header */
}

static void test_round_trip_big_secret(void)
{
	size_t n = FILE_SECRET_MAX, i;
	unsigned char *big = malloc(n);
	struct file_store s;
	struct file_item it;
	char err[128];

	CU_ASSERT_FATAL(big != NULL);
	for (i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 9));
	file_store_init(&s);
	make_item(&it, "big", big, 1u << 20, NULL); /* 1 MiB */
	CU_ASSERT_FATAL(file_store_append(&s, &it) == 0);
	make_item(&it, "big", big, n, NULL); /* the largest allowed */
	CU_ASSERT(file_item_check(&it, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL(file_store_append(&s, &it) == 0);
	round_trip(&s);
	file_store_clear(&s);
	make_item(&it, "big", big, n, NULL);
	it.secret_len = n + 1; /* one byte too many (the terminator is there) */
	CU_ASSERT(file_item_check(&it, err, sizeof(err)) != 0);
	CU_ASSERT(strstr(err, "secret is larger") != NULL);
	it.secret_len = n;
	file_item_clear(&it);
	free(big);
}

/* Asserts text is refused and the message contains want. */
static void reject(const char *text, size_t len, const char *want)
{
	struct file_store s;
	char err[512] = "";
	int st = file_store_parse(text, len, &s, err, sizeof(err));

	CU_ASSERT_EQUAL(st, COBOCRED_ERROR);
	CU_ASSERT_EQUAL(s.n, 0);
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "\n  wanted '%s' in '%s'\n", want, err);
		CU_FAIL("wrong message");
	}
	CU_ASSERT(strstr(err, "SUPERSECRET") == NULL); /* never quotes content */
}

#define REJECT(text, want) reject(text, sizeof(text) - 1, want)
#define ITEM_START HEAD "item\nschema s\n"
#define ITEM_END "secret SUPERSECRET\ncreated 0\nexpires 0\nend\n"

static void test_reject_header(void)
{
	REJECT("", "line 1: empty file");
	REJECT("hello\n", "line 1: not a cobo-credential store");
	REJECT("cobo-credential-store\n", "line 1: not a cobo-credential store");
	REJECT("cobo-credential-store 2\n", "line 1: format version 2 is newer");
	REJECT("cobo-credential-store 01\n", "line 1: unsupported format version");
	REJECT("cobo-credential-store 0\n", "line 1: unsupported format version");
	REJECT("cobo-credential-store 1x\n", "line 1: bad format version");
	REJECT("cobo-credential-store 1", "line 1: last line has no newline");
	REJECT("cobo-credential-store 1\r\n", "line 1: ");
}

static void test_reject_truncated(void)
{
	static const char full[] = ITEM_START "attr host h\n" ITEM_END "item\nschema t\n" ITEM_END;
	struct file_store s;
	char err[256];
	size_t cut;

	REJECT(ITEM_START "secret SUPER",
	       "line 4: last line has no newline; the file is truncated");
	REJECT(ITEM_START "secret SUPERSECRET\n", "line 4: the file ends inside an item");
	REJECT(ITEM_START, "line 3: the file ends inside an item");
	/* Every cut parses to fewer items or fails: never a changed item. */
	for (cut = 0; cut < sizeof(full) - 1; cut++) {
		int st = file_store_parse(full, cut, &s, err, sizeof(err));

		CU_ASSERT(st == COBOCRED_ERROR || s.n < 2);
		if (st == COBOCRED_SUCCESS)
			CU_ASSERT(cut == strlen(HEAD) ||
				  (cut >= 4 && strncmp(full + cut - 4, "end\n", 4) == 0));
		file_store_clear(&s);
	}
	CU_ASSERT_EQUAL(file_store_parse(full, sizeof(full) - 1, &s, err, sizeof(err)),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(s.n, 2);
	file_store_clear(&s);
}

static void test_reject_escapes(void)
{
	REJECT(ITEM_START "label a%G1\n" ITEM_END, "line 4: bad escape");
	REJECT(ITEM_START "label a%4\n" ITEM_END, "line 4: bad escape");
	REJECT(ITEM_START "label a%\n" ITEM_END, "line 4: bad escape");
	REJECT(ITEM_START "label %%41\n" ITEM_END, "line 4: bad escape");
	REJECT(HEAD "item\nschema s\nsecret a%Z0b\ncreated 0\nexpires 0\nend\n",
	       "line 4: bad escape");
	REJECT(ITEM_START "label a b\n" ITEM_END, "line 4: unexpected space");
	REJECT(ITEM_START "attr a b c\n" ITEM_END, "line 4: unexpected space");
	REJECT(ITEM_START "label caf\xc3\xa9\n" ITEM_END, "line 4: raw control or non-ASCII byte");
	REJECT(ITEM_START "label a\tb\n" ITEM_END, "line 4: raw control");
	REJECT(ITEM_START "label a\rb\n" ITEM_END, "line 4: raw control");
	REJECT(HEAD "item\nschema s%00x\n" ITEM_END, "line 3: NUL byte");
	REJECT(ITEM_START "attr a%00 b\n" ITEM_END, "line 4: NUL byte");
	REJECT(ITEM_START "refresh r%00\n" ITEM_END, "line 4: NUL byte");
	REJECT(ITEM_START "label a\0b\n" ITEM_END, "line 4: raw control");
}

static void test_reject_structure(void)
{
	REJECT(HEAD "schema s\n", "line 2: expected 'item'");
	REJECT(HEAD "\n", "line 2: expected 'item'");
	REJECT(HEAD "item \n", "line 2: expected 'item'");
	REJECT(ITEM_START "schema t\n" ITEM_END, "line 4: key repeated");
	REJECT(ITEM_START "secret x\n" ITEM_END, "line 5: key repeated");
	REJECT(ITEM_START "colour red\n" ITEM_END, "line 4: expected 'KEY VALUE'");
	REJECT(ITEM_START "label\n" ITEM_END, "line 4: expected 'KEY VALUE'");
	REJECT(ITEM_START "item\n" ITEM_END, "line 4: expected 'KEY VALUE'");
	REJECT(ITEM_START "attr a\n" ITEM_END, "line 4: attribute without a value");
	REJECT(ITEM_START "attr  v\n" ITEM_END, "line 8: attribute 1 has an empty name");
	REJECT(ITEM_START "attr a 1\nattr a 2\n" ITEM_END, "line 9: attribute 2 repeats");
	REJECT(HEAD "item\nsecret x\ncreated 0\nexpires 0\nend\n", "line 6: item ends without");
	REJECT(HEAD "item\nschema s\nsecret x\nexpires 0\nend\n", "line 6: item ends without");
	REJECT(HEAD "item\nschema \n" ITEM_END, "line 7: item has no schema");
	REJECT(ITEM_START "end\n", "line 4: item ends without");
	REJECT(ITEM_START "secret x\ncreated -1\nexpires 0\nend\n", "line 5: bad time");
	REJECT(ITEM_START "secret x\ncreated 12a\nexpires 0\nend\n", "line 5: bad time");
	REJECT(ITEM_START "secret x\ncreated \nexpires 0\nend\n", "line 5: bad time");
	REJECT(ITEM_START "secret x\ncreated 9223372036854775808\nexpires 0\nend\n",
	       "line 5: time out of range");
	REJECT(ITEM_START "secret x\ncreated 0\nexpires 0\nend\nend\n", "line 8: expected 'item'");
}

/* A store text with one item of n attributes. */
static char *with_attrs(int n, size_t *len)
{
	size_t cap = 4096 + (size_t)n * 32, off;
	char *t = malloc(cap);
	int i;

	if (t == NULL)
		abort();
	off = (size_t)snprintf(t, cap, ITEM_START);
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(t + off, cap - off, "attr a%d v%d\n", i, i);
	off += (size_t)snprintf(t + off, cap - off, ITEM_END);
	*len = off;
	return t;
}

static void test_reject_bounds(void)
{
	size_t len, n = FILE_LINE_MAX + 1;
	char *t = with_attrs(FILE_MAX_ATTRS, &len);
	struct file_store s;
	char err[256];

	CU_ASSERT_EQUAL(file_store_parse(t, len, &s, err, sizeof(err)), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(s.n == 1 ? s.items[0].n_attrs : 0, FILE_MAX_ATTRS);
	file_store_clear(&s);
	free(t);
	t = with_attrs(FILE_MAX_ATTRS + 1, &len);
	reject(t, len, "line 36: more than 32 attributes");
	free(t);

	/* A line one byte over the limit, then one that is just a value too long. */
	t = malloc(n + 64);
	CU_ASSERT_FATAL(t != NULL);
	len = (size_t)snprintf(t, 64, ITEM_START "label ");
	memset(t + len, 'a', n - 6);
	len += n - 6;
	memcpy(t + len, "\n", 2);
	reject(t, len + 1, "line 4: line longer than");
	reject(t, len, "line 4: line longer than"); /* without the newline too */
	t[len - 1] = '\n';
	reject(t, len, "line 4: value longer than 65535 bytes");
	len = (size_t)snprintf(t, 64, ITEM_START "secret ");
	memset(t + len, 'a', FILE_SECRET_MAX + 1);
	len += FILE_SECRET_MAX + 1;
	memcpy(t + len, "\n", 2);
	reject(t, len + 1, "line 4: value longer than 2097152 bytes");
	free(t);
}

static void test_reject_too_many_items(void)
{
	static const char one[] = "item\nschema s\nsecret x\ncreated 0\nexpires 0\nend\n";
	size_t n = FILE_MAX_ITEMS + 1, len = strlen(HEAD), i;
	char *t = malloc(len + n * (sizeof(one) - 1) + 1), err[256];
	struct file_store s;

	CU_ASSERT_FATAL(t != NULL);
	memcpy(t, HEAD, len);
	for (i = 0; i < n; i++, len += sizeof(one) - 1)
		memcpy(t + len, one, sizeof(one) - 1);
	CU_ASSERT_EQUAL(file_store_parse(t, len - (sizeof(one) - 1), &s, err, sizeof(err)),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(s.n, FILE_MAX_ITEMS);
	file_store_clear(&s);
	reject(t, len, "more than 65536 items");
	free(t);
}

static void test_match(void)
{
	struct file_item it;
	struct cobocred_attr host = { "host", "h" }, user = { "username", "u" };
	struct cobocred_attr no_user = { "username", NULL }, no_port = { "port", NULL };
	struct cobocred_attr both[2] = { { "host", "h" }, { "username", "u" } };
	struct cobocred_query q = { .struct_size = sizeof(q), .schema = "s" };

	make_item(&it, "s", "pw\0x", 4, "host", "h", "username", "u", NULL);
	CU_ASSERT(file_item_matches(&it, NULL));
	CU_ASSERT(file_item_matches(&it, &q));
	q.schema = "t";
	CU_ASSERT(!file_item_matches(&it, &q));
	q.schema = NULL; /* any schema */
	CU_ASSERT(file_item_matches(&it, &q));
	q.schema = "s";
	q.attrs = &host;
	q.n_attrs = 1;
	CU_ASSERT(file_item_matches(&it, &q));
	q.flags = COBOCRED_QUERY_EXACT; /* the item has username too */
	CU_ASSERT(!file_item_matches(&it, &q));
	q.attrs = both;
	q.n_attrs = 2;
	CU_ASSERT(file_item_matches(&it, &q));
	q.flags = 0;
	both[1].value = "v";
	CU_ASSERT(!file_item_matches(&it, &q));
	q.attrs = &no_user; /* NULL value: must be absent */
	q.n_attrs = 1;
	CU_ASSERT(!file_item_matches(&it, &q));
	q.attrs = &no_port;
	CU_ASSERT(file_item_matches(&it, &q));
	q.attrs = &user;
	q.secret = (const unsigned char *)"pw\0x";
	q.secret_len = 4;
	CU_ASSERT(file_item_matches(&it, &q));
	q.secret_len = 3; /* a prefix is not equal */
	CU_ASSERT(!file_item_matches(&it, &q));
	q.secret = (const unsigned char *)"pw\0y";
	q.secret_len = 4;
	CU_ASSERT(!file_item_matches(&it, &q));
	file_item_clear(&it);
}

static const struct cutest_case format_cases[] = {
	{ "round trip of any byte", test_round_trip_any_byte },
	{ "round trip of 1 MiB and the largest secret", test_round_trip_big_secret },
	{ "header and version", test_reject_header },
	{ "truncated files", test_reject_truncated },
	{ "bad escapes and raw bytes", test_reject_escapes },
	{ "structure", test_reject_structure },
	{ "bounds: attributes, line length, values", test_reject_bounds },
	{ "bounds: items", test_reject_too_many_items },
	{ "matching", test_match },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "file format", format_cases },
		{ NULL, NULL },
	};

	return cutest_run(suites);
}
