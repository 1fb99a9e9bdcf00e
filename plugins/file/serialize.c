/*
 * serialize.c - writes a store in format 1 (see format.h).
 *
 * Into util's bounded buffer (sbuf.h): host secret memory, since the
 * output holds every secret, wiped as it grows; never past the caller's
 * bound.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "sbuf.h"

/* Adds to the buffer; a refusal sticks in w->failed (checked once, at the end). */
static void put(struct cobocred_sbuf *w, const void *p, size_t n)
{
	(void)cobocred_sbuf_add(w, p, n);
}

static void put_str(struct cobocred_sbuf *w, const char *s)
{
	put(w, s, strlen(s));
}

static int needs_escape(unsigned char c)
{
	return c < 0x21 || c > 0x7e || c == '%';
}

static void put_esc(struct cobocred_sbuf *w, const void *p, size_t n)
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
static void put_field(struct cobocred_sbuf *w, const char *key, const void *p, size_t n)
{
	put_str(w, key);
	put(w, " ", 1);
	put_esc(w, p, n);
	put(w, "\n", 1);
}

static void put_time(struct cobocred_sbuf *w, const char *key, int64_t t)
{
	char num[32];

	snprintf(num, sizeof(num), "%s %" PRId64 "\n", key, t);
	put_str(w, num);
}

static void put_item(struct cobocred_sbuf *w, const struct file_item *it)
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

static void put_store(struct cobocred_sbuf *w, const struct file_store *s)
{
	char head[64];
	size_t i;

	snprintf(head, sizeof(head), "%s %d\n", FILE_FORMAT_MAGIC, FILE_FORMAT_VERSION);
	put_str(w, head);
	for (i = 0; i < s->n; i++)
		put_item(w, &s->items[i]);
}

int file_store_serialize(const struct file_store *s, size_t max, char **out, size_t *outlen)
{
	struct cobocred_sbuf w;

	*out = NULL;
	*outlen = 0;
	cobocred_sbuf_init(&w, max);
	put_store(&w, s);
	if (w.failed) {
		int full = w.failed == COBOCRED_SBUF_FULL;

		cobocred_sbuf_free(&w);
		return full ? 1 : -1;
	}
	*out = cobocred_sbuf_take(&w, outlen);
	return 0;
}
