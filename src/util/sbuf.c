/*
 * sbuf.c - the bounded secret buffer and the bounded reader (sbuf.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostmem.h"
#include "sbuf.h"

#define READ_CHUNK ((size_t)64 * 1024)

static size_t bound(const struct cobocred_sbuf *b)
{
	return b->max != 0 ? b->max : COBOCRED_SBUF_DEFAULT_MAX;
}

void cobocred_sbuf_init(struct cobocred_sbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

/* Room for n more bytes and a NUL; the old block is wiped as it is freed. */
static int reserve(struct cobocred_sbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256, max = bound(b);
	char *p;

	if (!b->failed && n > max - b->len)
		b->failed = COBOCRED_SBUF_FULL;
	if (b->failed)
		return -1;
	if (b->len + n < b->cap)
		return 0;
	while (cap <= b->len + n)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (max < SIZE_MAX && cap > max + 1)
		cap = max + 1;
	if ((p = cobocred_hostmem_alloc(cap)) == NULL) {
		b->failed = COBOCRED_SBUF_NOMEM;
		return -1;
	}
	if (b->p != NULL)
		memcpy(p, b->p, b->len + 1);
	cobocred_hostmem_free(b->p);
	b->p = p;
	b->cap = cap;
	return 0;
}

int cobocred_sbuf_add(struct cobocred_sbuf *b, const void *s, size_t n)
{
	if (reserve(b, n) != 0)
		return -1;
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int cobocred_sbuf_adds(struct cobocred_sbuf *b, const char *s)
{
	return cobocred_sbuf_add(b, s, strlen(s));
}

int cobocred_sbuf_addf(struct cobocred_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 && !b->failed)
		b->failed = COBOCRED_SBUF_NOMEM;
	if (n < 0 || reserve(b, (size_t)n) != 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *cobocred_sbuf_str(const struct cobocred_sbuf *b)
{
	return b->p != NULL ? b->p : "";
}

int cobocred_sbuf_write(const struct cobocred_sbuf *b, int fd)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(fd, b->p + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

void cobocred_sbuf_free(struct cobocred_sbuf *b)
{
	size_t max = b->max;

	cobocred_hostmem_free(b->p);
	memset(b, 0, sizeof(*b));
	b->max = max;
}

char *cobocred_sbuf_take(struct cobocred_sbuf *b, size_t *len)
{
	char *p = b->p;

	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	cobocred_sbuf_free(b);
	return p;
}

int cobocred_sbuf_read(struct cobocred_sbuf *b, int fd, size_t limit,
		       int (*done)(const char *buf, size_t len, void *arg), void *arg)
{
	cobocred_sbuf_init(b, limit + 1);
	for (;;) {
		size_t want = READ_CHUNK;
		ssize_t n;

		if (b->len > limit)
			break; /* one byte over the limit: enough to refuse */
		if (want > limit + 1 - b->len)
			want = limit + 1 - b->len;
		if (reserve(b, want) != 0) {
			cobocred_sbuf_free(b);
			errno = ENOMEM;
			return -1;
		}
		n = read(fd, b->p + b->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			cobocred_sbuf_free(b);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->p[b->len] = '\0';
		if (done != NULL && done(b->p, b->len, arg))
			break;
	}
	return 0;
}
