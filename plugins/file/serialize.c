/*
 * serialize.c - writes a store in format 1 (see format.h).
 *
 * Two passes over the same code: the first only counts, so the output is
 * allocated once, exactly, in secret memory (it holds every secret).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "hostmem.h"

struct writer {
	char *buf; /* NULL while counting */
	size_t len;
	int overflow;
};

static void put(struct writer *w, const void *p, size_t n)
{
	if (w->len + n < w->len) {
		w->overflow = 1;
		return;
	}
	if (w->buf != NULL)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_str(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static int needs_escape(unsigned char c)
{
	return c < 0x21 || c > 0x7e || c == '%';
}

static void put_esc(struct writer *w, const void *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (needs_escape(s[i])) {
			char e[3] = { '%', digits[s[i] >> 4], digits[s[i] & 15] };

			put(w, e, sizeof(e));
		} else {
			put(w, &s[i], 1);
		}
	}
}

/* "key VALUE\n" with VALUE escaped. */
static void put_field(struct writer *w, const char *key, const void *p, size_t n)
{
	put_str(w, key);
	put(w, " ", 1);
	put_esc(w, p, n);
	put(w, "\n", 1);
}

static void put_time(struct writer *w, const char *key, int64_t t)
{
	char num[32];

	snprintf(num, sizeof(num), "%s %" PRId64 "\n", key, t);
	put_str(w, num);
}

static void put_item(struct writer *w, const struct file_item *it)
{
	size_t i;

	put_str(w, "item\n");
	put_field(w, "schema", it->schema, strlen(it->schema));
	if (it->label != NULL)
		put_field(w, "label", it->label, strlen(it->label));
	for (i = 0; i < it->n_attrs; i++) {
		put_str(w, "attr ");
		put_esc(w, it->attrs[i].name, strlen(it->attrs[i].name));
		put(w, " ", 1);
		put_esc(w, it->attrs[i].value, strlen(it->attrs[i].value));
		put(w, "\n", 1);
	}
	put_field(w, "secret", it->secret, it->secret_len);
	if (it->refresh != NULL)
		put_field(w, "refresh", it->refresh, strlen(it->refresh));
	put_time(w, "created", it->created_at);
	put_time(w, "expires", it->expires_at);
	put_str(w, "end\n");
}

static void put_store(struct writer *w, const struct file_store *s)
{
	char head[64];
	size_t i;

	snprintf(head, sizeof(head), "%s %d\n", FILE_FORMAT_MAGIC, FILE_FORMAT_VERSION);
	put_str(w, head);
	for (i = 0; i < s->n; i++)
		put_item(w, &s->items[i]);
}

int file_store_serialize(const struct file_store *s, char **out, size_t *outlen)
{
	struct writer w = { 0 };

	*out = NULL;
	*outlen = 0;
	put_store(&w, s);
	if (w.overflow)
		return -1;
	w.buf = cobocred_hostmem_alloc(w.len);
	if (w.buf == NULL)
		return -1;
	w.len = 0;
	put_store(&w, s);
	*out = w.buf;
	*outlen = w.len;
	return 0;
}
