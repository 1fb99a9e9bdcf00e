/*
 * parse.c - strict parser for format 1 (see format.h).
 *
 * Everything is bounded (line length, decoded field sizes, attributes per
 * item, items per file) and anything unexpected is an error naming the
 * line: a damaged store is reported, never half-read.  Messages never
 * quote file content, which may be secret.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred/module.h"
#include "format.h"
#include "hostmem.h"
#include "strutil.h"

/* Keys of an item, as bits of parser.seen. */
enum { K_SCHEMA = 1, K_LABEL = 2, K_SECRET = 4, K_REFRESH = 8, K_CREATED = 16, K_EXPIRES = 32 };

struct parser {
	const char *buf;
	size_t len, pos;
	size_t line; /* number of the line last read, from 1 */
	char *err;
	size_t errlen;
	struct file_item cur; /* the item being read */
	int in_item;
	unsigned seen;
};

static int perr(struct parser *p, const char *fmt, ...) COBOCRED_PRINTF(2, 3);
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "line %zu: ", p->line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The next line without its '\n': 1, 0 at the end, -1 on error. */
static int next_line(struct parser *p, const char **s, size_t *n)
{
	size_t left = p->len - p->pos, scan = left < FILE_LINE_MAX + 1 ? left : FILE_LINE_MAX + 1;
	const char *start = p->buf + p->pos, *nl;
	size_t i;

	if (left == 0)
		return 0;
	p->line++;
	nl = memchr(start, '\n', scan);
	if (nl == NULL && left > FILE_LINE_MAX)
		return perr(p, "line longer than %u bytes", FILE_LINE_MAX);
	if (nl == NULL)
		return perr(p, "last line has no newline; the file is truncated");
	*s = start;
	*n = (size_t)(nl - start);
	if (*n > FILE_LINE_MAX)
		return perr(p, "line longer than %u bytes", FILE_LINE_MAX);
	p->pos += *n + 1;
	for (i = 0; i < *n; i++)
		if ((unsigned char)start[i] < 0x20 || (unsigned char)start[i] > 0x7e)
			return perr(p,
				    "raw control or non-ASCII byte at column %zu; "
				    "every such byte must be written as %%XX",
				    i + 1);
	return 1;
}

/* Checks the escapes of s[0..n) and returns the decoded length, or -1. */
static int decoded_len(struct parser *p, const char *s, size_t n, size_t *dl)
{
	size_t i, escapes = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			return perr(p, "unexpected space in a value; spaces are written as %%20");
		if (s[i] != '%')
			continue;
		if (n - i < 3 || cobocred_hex_digit(s[i + 1]) < 0 ||
		    cobocred_hex_digit(s[i + 2]) < 0)
			return perr(p, "bad escape: '%%' not followed by two hex digits");
		escapes++;
		i += 2;
	}
	*dl = n - 2 * escapes;
	return 0;
}

/*
 * Decodes s[0..n) into a new NUL-terminated buffer: secret memory if
 * secret, else malloc.  Text fields (text != 0) may not hold NUL.
 */
static int decode(struct parser *p, const char *s, size_t n, int secret, int text, size_t max,
		  char **out, size_t *outlen)
{
	size_t dl = 0, i, j;
	char *d;

	*out = NULL;
	if (decoded_len(p, s, n, &dl) != 0)
		return -1;
	if (dl > max)
		return perr(p, "value longer than %zu bytes", max);
	d = secret ? cobocred_hostmem_alloc(dl) : calloc(1, dl + 1);
	if (d == NULL)
		return perr(p, "out of memory");
	for (i = 0, j = 0; i < n; j++) {
		if (s[i] == '%') {
			d[j] = (char)(cobocred_hex_digit(s[i + 1]) << 4 |
				      cobocred_hex_digit(s[i + 2]));
			i += 3;
		} else {
			d[j] = s[i++];
		}
		if (text && d[j] == '\0') {
			if (secret)
				cobocred_hostmem_free(d);
			else
				free(d);
			return perr(p, "NUL byte (%%00) in a text field");
		}
	}
	*out = d;
	if (outlen != NULL)
		*outlen = dl;
	return 0;
}

static int parse_time(struct parser *p, const char *s, size_t n, int64_t *t)
{
	char num[24];
	size_t i;

	if (n == 0 || n >= sizeof(num))
		return perr(p, "bad time; expected unix seconds");
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return perr(p, "bad time; expected unix seconds");
	memcpy(num, s, n);
	num[n] = '\0';
	if (cobocred_parse_i64(num, 0, INT64_MAX, t) != 0)
		return perr(p, "time out of range");
	return 0;
}

static int add_attr(struct parser *p, const char *s, size_t n)
{
	struct file_item *it = &p->cur;
	const char *sp = memchr(s, ' ', n);
	struct file_attr *v, a = { 0 };

	if (sp == NULL)
		return perr(p, "attribute without a value; expected 'attr NAME VALUE'");
	if (it->n_attrs >= FILE_MAX_ATTRS)
		return perr(p, "more than %d attributes in one item", FILE_MAX_ATTRS);
	if (decode(p, s, (size_t)(sp - s), 0, 1, FILE_FIELD_MAX, &a.name, NULL) != 0 ||
	    decode(p, sp + 1, n - (size_t)(sp - s) - 1, 0, 1, FILE_FIELD_MAX, &a.value, NULL) != 0)
		goto fail;
	v = realloc(it->attrs, (it->n_attrs + 1) * sizeof(*v));
	if (v == NULL) {
		perr(p, "out of memory");
		goto fail;
	}
	it->attrs = v;
	it->attrs[it->n_attrs++] = a;
	return 0;
fail:
	free(a.name);
	free(a.value);
	return -1;
}

/* A "key value" line inside an item. */
static int item_field(struct parser *p, unsigned bit, const char *v, size_t n)
{
	struct file_item *it = &p->cur;
	char *secret;
	size_t len;

	if (p->seen & bit)
		return perr(p, "key repeated within one item");
	p->seen |= bit;
	switch (bit) {
	case K_SCHEMA:
		return decode(p, v, n, 0, 1, FILE_FIELD_MAX, &it->schema, NULL);
	case K_LABEL:
		return decode(p, v, n, 0, 1, FILE_FIELD_MAX, &it->label, NULL);
	case K_SECRET:
		if (decode(p, v, n, 1, 0, FILE_SECRET_MAX, &secret, &len) != 0)
			return -1;
		it->secret = (unsigned char *)secret;
		it->secret_len = len;
		return 0;
	case K_REFRESH:
		return decode(p, v, n, 1, 1, FILE_FIELD_MAX, &it->refresh, NULL);
	case K_CREATED:
		return parse_time(p, v, n, &it->created_at);
	default:
		return parse_time(p, v, n, &it->expires_at);
	}
}

static int end_item(struct parser *p, struct file_store *out)
{
	const unsigned need = K_SCHEMA | K_SECRET | K_CREATED | K_EXPIRES;
	char why[160];

	if ((p->seen & need) != need)
		return perr(p, "item ends without its schema, secret, created or expires line");
	if (file_item_check(&p->cur, why, sizeof(why)) != 0)
		return perr(p, "%s", why);
	if (file_store_append(out, &p->cur) != 0)
		return perr(p, "more than %d items, or out of memory", FILE_MAX_ITEMS);
	p->in_item = 0;
	return 0;
}

static unsigned key_bit(const char *k, size_t n)
{
	static const struct {
		const char *name;
		unsigned bit;
	} keys[] = {
		{ "schema", K_SCHEMA },	  { "label", K_LABEL },	    { "secret", K_SECRET },
		{ "refresh", K_REFRESH }, { "created", K_CREATED }, { "expires", K_EXPIRES },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].name) == n && memcmp(keys[i].name, k, n) == 0)
			return keys[i].bit;
	return 0;
}

static int is_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static int body_line(struct parser *p, struct file_store *out, const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);
	size_t klen = sp != NULL ? (size_t)(sp - s) : n, vlen = sp != NULL ? n - klen - 1 : 0;
	unsigned bit;

	if (!p->in_item) {
		if (!is_word(s, n, "item"))
			return perr(p, "expected 'item'");
		memset(&p->cur, 0, sizeof(p->cur));
		p->in_item = 1;
		p->seen = 0;
		return 0;
	}
	if (is_word(s, n, "end"))
		return end_item(p, out);
	if (sp != NULL && is_word(s, klen, "attr"))
		return add_attr(p, sp + 1, vlen);
	bit = key_bit(s, klen);
	if (sp == NULL || bit == 0)
		return perr(p, "expected 'KEY VALUE' with KEY one of schema, label, attr, secret, "
			       "refresh, created, expires, or 'end'");
	return item_field(p, bit, sp + 1, vlen);
}

static int header(struct parser *p)
{
	const size_t ml = strlen(FILE_FORMAT_MAGIC);
	const char *s;
	size_t n, i;
	int r = next_line(p, &s, &n);
	unsigned v = 0;

	if (r == 0) {
		p->line = 1;
		return perr(p, "empty file; expected '%s %d'", FILE_FORMAT_MAGIC,
			    FILE_FORMAT_VERSION);
	}
	if (r < 0)
		return -1;
	if (n < ml + 2 || n > ml + 6 || memcmp(s, FILE_FORMAT_MAGIC " ", ml + 1) != 0)
		return perr(p, "not a cobo-credential store (expected '%s %d')", FILE_FORMAT_MAGIC,
			    FILE_FORMAT_VERSION);
	for (i = ml + 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return perr(p, "bad format version");
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > FILE_FORMAT_VERSION)
		return perr(p,
			    "format version %u is newer than this cobo-credential reads (%d); "
			    "upgrade cobo-credential",
			    v, FILE_FORMAT_VERSION);
	if (v != FILE_FORMAT_VERSION || n != ml + 2) /* one canonical spelling: no "01" */
		return perr(p, "unsupported format version");
	return 0;
}

int file_store_parse(const char *buf, size_t len, struct file_store *out, char *err, size_t errlen)
{
	struct parser p = { .buf = buf, .len = len, .err = err, .errlen = errlen };
	const char *s;
	size_t n;
	int r = -1, more;

	file_store_init(out);
	if (header(&p) != 0)
		goto out;
	while ((more = next_line(&p, &s, &n)) > 0)
		if (body_line(&p, out, s, n) != 0)
			goto out;
	if (more < 0)
		goto out;
	if (p.in_item) {
		perr(&p, "the file ends inside an item; it is truncated");
		goto out;
	}
	r = 0;
out:
	file_item_clear(&p.cur);
	if (r != 0)
		file_store_clear(out);
	return r == 0 ? COBOCRED_SUCCESS : COBOCRED_ERROR;
}
