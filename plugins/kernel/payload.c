/*
 * payload.c - the kernel key payload and description (see payload.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

#define HDR_BYTES (4 + 1 + 1 + 8 + 8 + 1)
#define FLAG_LABEL 0x1u
#define FLAG_REFRESH 0x2u
#define FLAGS_KNOWN (FLAG_LABEL | FLAG_REFRESH)

/* --- parsing ---------------------------------------------------------------------- */

struct reader {
	const unsigned char *p;
	size_t left;
};

static int take(struct reader *r, size_t n, const unsigned char **out)
{
	if (r->left < n)
		return -1;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

static int64_t le64(const unsigned char *b)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return (int64_t)v;
}

/* A u16-prefixed field; text fields may not hold NUL. */
static int take_str(struct reader *r, int text, struct kp_str *s)
{
	const unsigned char *b;
	size_t n;

	if (take(r, 2, &b) != 0)
		return -1;
	n = (size_t)b[0] | (size_t)b[1] << 8;
	if (take(r, n, &b) != 0)
		return -1;
	if (text && memchr(b, '\0', n) != NULL)
		return -1;
	s->p = (const char *)b;
	s->n = n;
	return 0;
}

static int str_eq(const struct kp_str *a, const struct kp_str *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

static int take_attrs(struct reader *r, struct kp_view *v, const char **why)
{
	size_t i, j;

	for (i = 0; i < v->n_attrs; i++) {
		if (take_str(r, 1, &v->names[i]) != 0 || take_str(r, 1, &v->values[i]) != 0) {
			*why = "an attribute is truncated or holds a NUL";
			return -1;
		}
		if (v->names[i].n == 0) {
			*why = "an attribute has an empty name";
			return -1;
		}
		for (j = 0; j < i; j++)
			if (str_eq(&v->names[i], &v->names[j])) {
				*why = "an attribute name is repeated";
				return -1;
			}
	}
	return 0;
}

static int parse_header(struct reader *r, struct kp_view *v, unsigned *flags, const char **why)
{
	const unsigned char *h;

	if (take(r, HDR_BYTES, &h) != 0 || memcmp(h, KP_MAGIC, 4) != 0) {
		*why = "not a cobo-credential key payload";
		return -1;
	}
	if (h[4] != KP_VERSION) {
		*why = "payload version not read by this build";
		return -1;
	}
	*flags = h[5];
	if (*flags & ~FLAGS_KNOWN) {
		*why = "unknown payload flags";
		return -1;
	}
	v->created_at = le64(h + 6);
	v->expires_at = le64(h + 14);
	v->n_attrs = h[22];
	if (v->n_attrs > KP_MAX_ATTRS) {
		*why = "too many attributes";
		return -1;
	}
	return 0;
}

int kp_parse(const unsigned char *buf, size_t len, struct kp_view *v, char *err, size_t errlen)
{
	struct reader r = { buf, len };
	const char *why = NULL;
	unsigned flags = 0;

	memset(v, 0, sizeof(*v));
	if (len > KP_MAX_BYTES)
		why = "payload larger than a kernel key holds";
	else if (parse_header(&r, v, &flags, &why) != 0)
		; /* why set */
	else if (take_str(&r, 1, &v->schema) != 0 || v->schema.n == 0)
		why = "schema missing, empty or holding a NUL";
	else if ((flags & FLAG_LABEL) && take_str(&r, 1, &v->label) != 0)
		why = "label truncated or holding a NUL";
	else if (take_attrs(&r, v, &why) != 0)
		; /* why set */
	else if (take_str(&r, 0, &v->secret) != 0)
		why = "secret truncated";
	else if ((flags & FLAG_REFRESH) && (take_str(&r, 1, &v->refresh) != 0 || v->refresh.n == 0))
		why = "refresh token truncated, empty or holding a NUL";
	else if (r.left != 0)
		why = "trailing bytes after the payload";
	if (why == NULL)
		return 0;
	snprintf(err, errlen, "%s", why);
	memset(v, 0, sizeof(*v));
	return -1;
}

/* --- encoding --------------------------------------------------------------------- */

struct writer {
	unsigned char *p;
	size_t n, cap;
	int bad;
};

static void put(struct writer *w, const void *b, size_t n)
{
	if (w->bad || w->cap - w->n < n) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->n, b, n);
	w->n += n;
}

static void put_le64(struct writer *w, int64_t v)
{
	unsigned char b[8];
	uint64_t u = (uint64_t)v;
	int i;

	for (i = 0; i < 8; i++, u >>= 8)
		b[i] = (unsigned char)(u & 0xff);
	put(w, b, 8);
}

static void put_str(struct writer *w, const void *s, size_t n)
{
	unsigned char b[2] = { (unsigned char)(n & 0xff), (unsigned char)(n >> 8) };

	if (n > 0xffff) {
		w->bad = 1;
		return;
	}
	put(w, b, 2);
	put(w, s, n);
}

static size_t text_len(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

int kp_encode(const struct cobocred_item *item, unsigned char *out, size_t cap, size_t *outlen,
	      char *err, size_t errlen)
{
	struct writer w = { out, 0, cap > KP_MAX_BYTES ? KP_MAX_BYTES : cap, 0 };
	unsigned char hdr[6] = { 'C', 'C', 'K', 'P', KP_VERSION, 0 };
	size_t i;

	*outlen = 0;
	if (item->schema == NULL || item->schema[0] == '\0' || item->n_attrs > KP_MAX_ATTRS ||
	    item->n_attrs > 255) {
		snprintf(err, errlen, "the item has no schema or more than %d attributes",
			 KP_MAX_ATTRS);
		return -1;
	}
	hdr[5] = (unsigned char)((item->label != NULL ? FLAG_LABEL : 0) |
				 (item->oauth_refresh_token != NULL ? FLAG_REFRESH : 0));
	put(&w, hdr, sizeof(hdr));
	put_le64(&w, item->created_at);
	put_le64(&w, item->expires_at);
	put(&w, (unsigned char[]){ (unsigned char)item->n_attrs }, 1);
	put_str(&w, item->schema, text_len(item->schema));
	if (item->label != NULL)
		put_str(&w, item->label, text_len(item->label));
	for (i = 0; i < item->n_attrs; i++) {
		if (item->attrs[i].name == NULL || item->attrs[i].value == NULL)
			w.bad = 1;
		else {
			put_str(&w, item->attrs[i].name, text_len(item->attrs[i].name));
			put_str(&w, item->attrs[i].value, text_len(item->attrs[i].value));
		}
	}
	put_str(&w, item->secret, item->secret != NULL ? item->secret_len : 0);
	if (item->oauth_refresh_token != NULL)
		put_str(&w, item->oauth_refresh_token, text_len(item->oauth_refresh_token));
	if (w.bad) {
		snprintf(err, errlen, "the credential is larger than a kernel key holds (%d bytes)",
			 KP_MAX_BYTES);
		return -1;
	}
	*outlen = w.n;
	return 0;
}

/* --- descriptions ----------------------------------------------------------------- */

static int plain_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '%' && c != ';' && c != '=' && c != ':';
}

/* Appends s[0..n) escaped; -1 when it does not fit. */
static int esc(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (plain_byte(c)) {
			if (*pos + 1 >= cap)
				return -1;
			out[(*pos)++] = (char)c;
		} else {
			if (*pos + 3 >= cap)
				return -1;
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 0xf];
		}
	}
	out[*pos] = '\0';
	return 0;
}

static int lit(char *out, size_t cap, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n >= cap)
		return -1;
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return 0;
}

/* Name/value pairs with lengths, for sorting either source the same way. */
struct pair {
	struct kp_str name, value;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	size_t n = x->name.n < y->name.n ? x->name.n : y->name.n;
	int c = memcmp(x->name.p, y->name.p, n);

	return c != 0 ? c : (x->name.n > y->name.n) - (x->name.n < y->name.n);
}

static int describe_pairs(const struct kp_str *schema, struct pair *v, size_t n, char *out,
			  size_t cap)
{
	size_t pos = 0, i, lim = cap < KP_DESC_MAX + 1 ? cap : KP_DESC_MAX + 1;

	if (lim == 0)
		return -1;
	qsort(v, n, sizeof(*v), pair_cmp);
	for (i = 1; i < n; i++)
		if (pair_cmp(&v[i - 1], &v[i]) == 0)
			return -1;
	if (lit(out, lim, &pos, KP_DESC_PREFIX) != 0 ||
	    esc(out, lim, &pos, schema->p, schema->n) != 0 || lit(out, lim, &pos, ":") != 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i > 0 && lit(out, lim, &pos, ";") != 0) ||
		    esc(out, lim, &pos, v[i].name.p, v[i].name.n) != 0 ||
		    lit(out, lim, &pos, "=") != 0 ||
		    esc(out, lim, &pos, v[i].value.p, v[i].value.n) != 0)
			return -1;
	return 0;
}

int kp_describe(const char *schema, const struct cobocred_attr *attrs, size_t n_attrs, char *out,
		size_t cap)
{
	struct pair v[KP_MAX_ATTRS];
	struct kp_str s = { schema, schema != NULL ? strlen(schema) : 0 };
	size_t i, n = 0;

	if (schema == NULL)
		return -1;
	for (i = 0; i < n_attrs; i++) {
		if (attrs[i].name == NULL || attrs[i].value == NULL)
			continue;
		if (n == KP_MAX_ATTRS)
			return -1;
		v[n].name = (struct kp_str){ attrs[i].name, strlen(attrs[i].name) };
		v[n].value = (struct kp_str){ attrs[i].value, strlen(attrs[i].value) };
		n++;
	}
	return describe_pairs(&s, v, n, out, cap);
}

int kp_describe_view(const struct kp_view *kv, char *out, size_t cap)
{
	struct pair v[KP_MAX_ATTRS];
	size_t i;

	for (i = 0; i < kv->n_attrs; i++) {
		v[i].name = kv->names[i];
		v[i].value = kv->values[i];
	}
	return describe_pairs(&kv->schema, v, kv->n_attrs, out, cap);
}

/* --- matching a description against a query ---------------------------------------- */

/* The segment "name=value" of the attribute list whose escaped name is ename, or NULL. */
static const char *find_segment(const char *list, const char *ename, size_t *seglen)
{
	size_t en = strlen(ename);

	while (*list) {
		size_t w = strcspn(list, ";");

		if (w > en && list[en] == '=' && memcmp(list, ename, en) == 0) {
			*seglen = w;
			return list;
		}
		list += w;
		list += *list == ';';
	}
	return NULL;
}

static int query_names(const struct cobocred_query *q, const char *seg, size_t w)
{
	char ename[KP_DESC_MAX + 1];
	size_t i, pos;

	for (i = 0; i < q->n_attrs; i++) {
		pos = 0;
		if (q->attrs[i].name == NULL || esc(ename, sizeof(ename), &pos, q->attrs[i].name,
						    strlen(q->attrs[i].name)) != 0)
			continue;
		if (pos < w && seg[pos] == '=' && memcmp(seg, ename, pos) == 0)
			return 1;
	}
	return 0;
}

static int attrs_match(const char *list, const struct cobocred_query *q)
{
	char ename[KP_DESC_MAX + 1], evalue[KP_DESC_MAX + 1];
	size_t i, w, pos, vpos;
	const char *seg;

	for (i = 0; i < q->n_attrs; i++) {
		const struct cobocred_attr *a = &q->attrs[i];

		pos = 0;
		if (a->name == NULL ||
		    esc(ename, sizeof(ename), &pos, a->name, strlen(a->name)) != 0)
			return 0;
		seg = find_segment(list, ename, &w);
		if (a->value == NULL) {
			if (seg != NULL)
				return 0;
			continue;
		}
		vpos = 0;
		if (seg == NULL ||
		    esc(evalue, sizeof(evalue), &vpos, a->value, strlen(a->value)) != 0 ||
		    w - pos - 1 != vpos || memcmp(seg + pos + 1, evalue, vpos) != 0)
			return 0;
	}
	if (q->flags & COBOCRED_QUERY_EXACT)
		for (; *list; list += *list == ';') {
			w = strcspn(list, ";");
			if (!query_names(q, list, w))
				return 0;
			list += w;
		}
	return 1;
}

int kp_desc_matches(const char *desc, const struct cobocred_query *q)
{
	char eschema[KP_DESC_MAX + 1];
	size_t plen = strlen(KP_DESC_PREFIX), pos = 0;
	const char *rest;

	if (strncmp(desc, KP_DESC_PREFIX, plen) != 0)
		return 0;
	rest = desc + plen;
	if (q == NULL)
		return 1;
	if (q->schema != NULL) {
		if (esc(eschema, sizeof(eschema), &pos, q->schema, strlen(q->schema)) != 0 ||
		    strncmp(rest, eschema, pos) != 0 || rest[pos] != ':')
			return 0;
		rest += pos + 1;
	} else {
		rest = strchr(rest, ':');
		if (rest == NULL)
			return 0;
		rest++;
	}
	return attrs_match(rest, q);
}
