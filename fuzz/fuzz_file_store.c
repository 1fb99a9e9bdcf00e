/*
 * fuzz_file_store.c - libFuzzer target: the file module's store format
 * (plugins/file/format.h).
 *
 * Two checks per input:
 *  - as a store file: parse; if accepted, every item passes
 *    file_item_check, and parse -> serialize -> parse gives the same items
 *    and serialize of that gives the same bytes; if refused, the reason
 *    is "line N: ..." on one line and nothing is left allocated;
 *  - as items: the bytes are cut into the fields of a few items (any byte
 *    values, secrets with NUL and newlines included); serialize -> parse
 *    must give them back exactly.
 * No secret memory may outlive either.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred/module.h"
#include "format.h"
#include "io.h" /* FILE_DEFAULT_MAX_BYTES */
#include "secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

static int str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_item_eq(const struct file_item *a, const struct file_item *b)
{
	size_t i;

	CHECK(str_eq(a->schema, b->schema) && str_eq(a->label, b->label));
	CHECK(str_eq(a->refresh, b->refresh));
	CHECK(a->secret_len == b->secret_len && memcmp(a->secret, b->secret, a->secret_len) == 0);
	CHECK(b->secret[b->secret_len] == '\0');
	CHECK(a->created_at == b->created_at && a->expires_at == b->expires_at);
	CHECK(a->n_attrs == b->n_attrs);
	for (i = 0; i < a->n_attrs; i++)
		CHECK(str_eq(a->attrs[i].name, b->attrs[i].name) &&
		      str_eq(a->attrs[i].value, b->attrs[i].value));
}

static void check_store_eq(const struct file_store *a, const struct file_store *b)
{
	size_t i;

	CHECK(a->n == b->n);
	for (i = 0; i < a->n; i++)
		check_item_eq(&a->items[i], &b->items[i]);
}

/* serialize(s) parses back to s; returns the bytes (secret memory). */
static char *reparse(const struct file_store *s, size_t *outlen)
{
	struct file_store again;
	char err[256], *out = NULL;

	CHECK(file_store_serialize(s, FILE_DEFAULT_MAX_BYTES, &out, outlen) == 0);
	CHECK(out[*outlen] == '\0' && strlen(out) == *outlen); /* plain ASCII, no NUL */
	CHECK(file_store_parse(out, *outlen, &again, err, sizeof(err)) == COBOCRED_SUCCESS);
	check_store_eq(s, &again);
	file_store_clear(&again);
	return out;
}

static void check_err(const char *err, size_t cap)
{
	size_t i, n = strnlen(err, cap);

	CHECK(n < cap && strncmp(err, "line ", 5) == 0);
	for (i = 0; i < n; i++)
		CHECK(err[i] >= 0x20 && err[i] < 0x7f);
}

static void as_file(const char *buf, size_t len)
{
	struct file_store s, t;
	char err[256], *a, *b;
	size_t alen, blen, i;

	err[0] = '\0';
	if (file_store_parse(buf, len, &s, err, sizeof(err)) != COBOCRED_SUCCESS) {
		check_err(err, sizeof(err));
		CHECK(s.n == 0 && s.items == NULL);
		return;
	}
	for (i = 0; i < s.n; i++)
		CHECK(file_item_check(&s.items[i], err, sizeof(err)) == 0);
	a = reparse(&s, &alen);
	CHECK(file_store_parse(a, alen, &t, err, sizeof(err)) == COBOCRED_SUCCESS);
	b = reparse(&t, &blen);
	CHECK(alen == blen && memcmp(a, b, alen) == 0);
	cobocred_secret_free(a);
	cobocred_secret_free(b);
	file_store_clear(&t);
	file_store_clear(&s);
}

/* A cursor cutting the input into fields: a length byte, then that many bytes. */
struct cut {
	const uint8_t *p;
	size_t n;
};

static size_t take(struct cut *c, const uint8_t **out)
{
	size_t want;

	*out = c->p;
	if (c->n == 0)
		return 0;
	want = c->p[0];
	c->p++;
	c->n--;
	if (want > c->n)
		want = c->n;
	*out = c->p;
	c->p += want;
	c->n -= want;
	return want;
}

/* A text field: NULs become '?' (text fields may not hold NUL). */
static char *take_text(struct cut *c, int allow_empty)
{
	const uint8_t *s;
	size_t n = take(c, &s), i;
	char *d;

	if (n == 0 && !allow_empty)
		return strdup("x");
	d = malloc(n + 1);
	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = s[i] == 0 ? '?' : (char)s[i];
	d[n] = '\0';
	return d;
}

static int64_t take_time(struct cut *c)
{
	const uint8_t *s;
	size_t n = take(c, &s), i;
	uint64_t v = 0;

	for (i = 0; i < n && i < 8; i++)
		v = v << 8 | s[i];
	return (int64_t)(v & INT64_MAX);
}

static int build_item(struct cut *c, struct file_item *it, size_t idx)
{
	const uint8_t *s;
	size_t n, i, na;
	char *tmp;

	memset(it, 0, sizeof(*it));
	it->schema = take_text(c, 0);
	if (c->n > 0 && (c->p[0] & 1))
		it->label = take_text(c, 1);
	na = c->n > 0 ? c->p[0] % 4 : 0;
	it->attrs = calloc(na + 1, sizeof(*it->attrs));
	if (it->schema == NULL || it->attrs == NULL)
		return -1;
	for (i = 0; i < na; i++, it->n_attrs++) {
		tmp = take_text(c, 0);
		/* names unique within an item: prefix the index */
		it->attrs[i].name = tmp != NULL ? malloc(strlen(tmp) + 3) : NULL;
		if (it->attrs[i].name == NULL) {
			free(tmp);
			return -1;
		}
		it->attrs[i].name[0] = (char)('a' + i);
		it->attrs[i].name[1] = (char)('0' + idx % 10);
		memcpy(it->attrs[i].name + 2, tmp, strlen(tmp) + 1);
		free(tmp);
		if ((it->attrs[i].value = take_text(c, 1)) == NULL)
			return -1;
	}
	n = take(c, &s);
	if ((it->secret = cobocred_secret_alloc(n)) == NULL)
		return -1;
	memcpy(it->secret, s, n);
	it->secret_len = n;
	if (c->n > 0 && (c->p[0] & 2)) {
		tmp = take_text(c, 1);
		it->refresh = tmp != NULL ? cobocred_secret_dup(tmp, strlen(tmp)) : NULL;
		free(tmp);
		if (it->refresh == NULL)
			return -1;
	}
	it->created_at = take_time(c);
	it->expires_at = take_time(c);
	return 0;
}

static void as_items(const uint8_t *data, size_t size)
{
	struct cut c = { data, size };
	struct file_store s;
	struct file_item it;
	char err[256], *out;
	size_t k, outlen;

	file_store_init(&s);
	for (k = 0; k < 4 && c.n > 0; k++) {
		if (build_item(&c, &it, k) != 0) {
			file_item_clear(&it);
			break;
		}
		CHECK(file_item_check(&it, err, sizeof(err)) == 0);
		CHECK(file_store_append(&s, &it) == 0);
	}
	out = reparse(&s, &outlen);
	cobocred_secret_free(out);
	file_store_clear(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t live = cobocred_secret_live();

	as_file((const char *)data, size);
	as_items(data, size);
	CHECK(cobocred_secret_live() == live);
	return 0;
}
