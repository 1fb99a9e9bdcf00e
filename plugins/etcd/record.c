/*
 * record.c - what a sealed record holds, and where it lives.
 *
 * Plaintext (host secret memory only; etcd sees it sealed):
 *     cobo-credential record 2\n
 *     generation=N\n
 *     schema=S\n  [label=L\n]  created=N\n  expires=N\n
 *     attr=NAME<TAB>VALUE\n ...   [refresh=TOKEN\n]
 *     secret=LEN\n<LEN bytes>
 * Every text field is refused on store if it holds a newline (a TAB in an
 * attribute name), so a value can never forge the next line.  The reader
 * is bounded by the record's length and refuses anything else.
 *
 * The generation (1 and up) grows with every write of the record; being
 * sealed with it, it cannot be changed without the fleet key, so a reader
 * tells an older copy put back from the newest it has seen (ops.c, gen.c).
 *
 * The etcd key is prefix + "tok/" + hex HMAC-SHA-256, under a naming key
 * derived from the fleet key, over the schema and the attributes sorted by
 * name: stable across the machines of a fleet, and it names no org, not
 * even to someone who guesses org ids and hashes them (a plain hash of
 * public values would confirm each guess offline).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.h"
#include "hostmem.h"
#include "strutil.h"

#define HEADER "cobo-credential record 2\n"
#define MAX_ATTRS 32

static int bad_text(const char *s, int tab)
{
	return s == NULL || strchr(s, '\n') != NULL || (tab && strchr(s, '\t') != NULL);
}

/* Appends to a buffer sized in a first pass (buf NULL: only counts). */
struct out {
	unsigned char *buf;
	size_t len;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->buf != NULL)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_line(struct out *o, const char *key, const char *v)
{
	puts_(o, key);
	puts_(o, v);
	puts_(o, "\n");
}

static void emit(struct out *o, const struct cobocred_item *it, int64_t gen)
{
	char num[32];
	size_t i;

	puts_(o, HEADER);
	snprintf(num, sizeof(num), "%lld", (long long)gen);
	put_line(o, "generation=", num);
	put_line(o, "schema=", it->schema);
	if (it->label != NULL)
		put_line(o, "label=", it->label);
	snprintf(num, sizeof(num), "%lld", (long long)it->created_at);
	put_line(o, "created=", num);
	snprintf(num, sizeof(num), "%lld", (long long)it->expires_at);
	put_line(o, "expires=", num);
	for (i = 0; i < it->n_attrs; i++) {
		puts_(o, "attr=");
		puts_(o, it->attrs[i].name);
		puts_(o, "\t");
		put_line(o, "", it->attrs[i].value);
	}
	if (it->oauth_refresh_token != NULL)
		put_line(o, "refresh=", it->oauth_refresh_token);
	snprintf(num, sizeof(num), "%zu", it->secret_len);
	put_line(o, "secret=", num);
	put(o, it->secret, it->secret_len);
}

int etcd_record_encode(const struct cobocred_item *it, int64_t gen, unsigned char **out, size_t *n)
{
	struct out o = { 0 };
	size_t i;

	*out = NULL;
	if (bad_text(it->schema, 0) || (it->label != NULL && bad_text(it->label, 0)) ||
	    (it->oauth_refresh_token != NULL && bad_text(it->oauth_refresh_token, 0)) ||
	    it->n_attrs > MAX_ATTRS || (it->secret == NULL && it->secret_len != 0) || gen < 1)
		return -1;
	for (i = 0; i < it->n_attrs; i++)
		if (bad_text(it->attrs[i].name, 1) || bad_text(it->attrs[i].value, 0))
			return -1;
	emit(&o, it, gen);
	o.buf = cobocred_hostmem_alloc(o.len + 1);
	if (o.buf == NULL)
		return -1;
	*n = o.len;
	o.len = 0;
	emit(&o, it, gen);
	*out = o.buf;
	return 0;
}

/* One "key=value\n" line at *p; value NUL-terminated in place of the newline. */
static char *next_line(char **p, char *end, const char *key)
{
	size_t k = strlen(key);
	char *nl, *v;

	if ((size_t)(end - *p) < k || memcmp(*p, key, k) != 0)
		return NULL;
	nl = memchr(*p + k, '\n', (size_t)(end - *p - (ptrdiff_t)k));
	if (nl == NULL)
		return NULL;
	*nl = '\0';
	v = *p + k;
	*p = nl + 1;
	return v;
}

static int decode_attrs(const struct cobocred_host *h, struct cobocred_item *it, char **p,
			char *end)
{
	char *v, *tab;
	int n = 0;

	while ((v = next_line(p, end, "attr=")) != NULL) {
		tab = strchr(v, '\t');
		if (tab == NULL || ++n > MAX_ATTRS)
			return -1;
		*tab = '\0';
		if (h->item_add_attr(it, v, tab + 1) != 0)
			return -1;
	}
	return 0;
}

static int decode_body(const struct cobocred_host *h, struct cobocred_item *it, char *p, char *end)
{
	int64_t created, expires, len;
	char *v, *label = NULL;

	if ((size_t)(end - p) >= 6 && memcmp(p, "label=", 6) == 0 &&
	    ((label = next_line(&p, end, "label=")) == NULL || h->item_set_label(it, label) != 0))
		return -1;
	if ((v = next_line(&p, end, "created=")) == NULL ||
	    cobocred_parse_i64(v, 0, INT64_MAX, &created) != 0 ||
	    (v = next_line(&p, end, "expires=")) == NULL ||
	    cobocred_parse_i64(v, 0, INT64_MAX, &expires) != 0 || decode_attrs(h, it, &p, end) != 0)
		return -1;
	h->item_set_times(it, created, expires);
	if ((size_t)(end - p) >= 8 && memcmp(p, "refresh=", 8) == 0 &&
	    ((v = next_line(&p, end, "refresh=")) == NULL || h->item_set_refresh(it, v) != 0))
		return -1;
	if ((v = next_line(&p, end, "secret=")) == NULL ||
	    cobocred_parse_i64(v, 0, end - p, &len) != 0 || len != end - p)
		return -1;
	return h->item_set_secret(it, p, (size_t)len);
}

int etcd_record_decode(const struct cobocred_host *host, const unsigned char *plain, size_t n,
		       struct cobocred_item **out, int64_t *gen)
{
	char *p = (char *)plain, *end = p + n, *schema, *v;
	struct cobocred_item *it = NULL;

	*out = NULL;
	*gen = 0;
	if (n < strlen(HEADER) || memcmp(p, HEADER, strlen(HEADER)) != 0)
		return -1;
	p += strlen(HEADER);
	if ((v = next_line(&p, end, "generation=")) == NULL ||
	    cobocred_parse_i64(v, 1, INT64_MAX, gen) != 0)
		return -1;
	schema = next_line(&p, end, "schema=");
	if (schema == NULL || (it = host->item_new(schema)) == NULL ||
	    decode_body(host, it, p, end) != 0) {
		if (it != NULL)
			host->item_free(it);
		return -1;
	}
	*out = it;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct cobocred_attr *x = *(const struct cobocred_attr *const *)a;
	const struct cobocred_attr *y = *(const struct cobocred_attr *const *)b;

	return strcmp(x->name, y->name);
}

int etcd_record_key(const struct etcd_state *s, const struct etcd_fleet_key *k, const char *schema,
		    size_t n_attrs, const struct cobocred_attr *attrs, char *buf, size_t len)
{
	const struct cobocred_attr *sorted[MAX_ATTRS];
	const char *parts[1 + 2 * MAX_ATTRS];
	char hex[65];
	size_t i;
	int w;

	if (n_attrs > MAX_ATTRS || schema == NULL || !k->set)
		return -1;
	for (i = 0; i < n_attrs; i++) {
		if (attrs[i].name == NULL || attrs[i].value == NULL)
			return -1;
		sorted[i] = &attrs[i];
	}
	qsort(sorted, n_attrs, sizeof(sorted[0]), by_name);
	parts[0] = schema;
	for (i = 0; i < n_attrs; i++) {
		parts[1 + 2 * i] = sorted[i]->name;
		parts[2 + 2 * i] = sorted[i]->value;
	}
	if (etcd_name(k, parts, 1 + 2 * n_attrs, hex) != 0)
		return -1;
	w = snprintf(buf, len, "%stok/%s", s->conf.prefix, hex);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

int etcd_record_key_ok(const struct etcd_state *s, const char *key, size_t len)
{
	size_t plen = strlen(s->conf.prefix), i;

	if (len != plen + 4 + 64 || memcmp(key, s->conf.prefix, plen) != 0 ||
	    memcmp(key + plen, "tok/", 4) != 0)
		return 0;
	for (i = plen + 4; i < len; i++)
		if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f')))
			return 0;
	return 1;
}

struct etcd_rev *etcd_rev_find(struct etcd_state *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n_revs; i++)
		if (strcmp(s->revs[i].key, key) == 0)
			return &s->revs[i];
	return NULL;
}

void etcd_rev_note(struct etcd_state *s, const char *key, int64_t mod_revision, int64_t lease)
{
	struct etcd_rev *r = etcd_rev_find(s, key);

	if (r == NULL && strlen(key) < sizeof(r->key)) {
		/* full: the oldest goes (a store without a known revision is unconditional) */
		if (s->n_revs == ETCD_MAX_REVS) {
			memmove(&s->revs[0], &s->revs[1], sizeof(s->revs[0]) * (ETCD_MAX_REVS - 1));
			s->n_revs--;
		}
		r = &s->revs[s->n_revs++];
		snprintf(r->key, sizeof(r->key), "%s", key);
	}
	if (r != NULL) {
		r->mod_revision = mod_revision;
		r->lease = lease;
		r->gen = 0; /* until the record is opened */
	}
}
