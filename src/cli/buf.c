/*
 * buf.c - the wiping text buffer.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "secret.h"

/* Grows to hold n more bytes and a NUL; the old block is wiped by secret_free. */
static int grow(struct cli_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->failed || n > CLI_BUF_MAX - b->len) {
		b->failed = 1;
		return -1;
	}
	if (b->len + n < b->cap)
		return 0;
	while (cap <= b->len + n)
		cap *= 2;
	p = cobocred_secret_alloc(cap);
	if (p == NULL) {
		b->failed = 1;
		return -1;
	}
	if (b->p != NULL)
		memcpy(p, b->p, b->len + 1);
	cobocred_secret_free(b->p);
	b->p = p;
	b->cap = cap;
	return 0;
}

void cli_buf_add(struct cli_buf *b, const char *s, size_t n)
{
	if (grow(b, n) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void cli_buf_adds(struct cli_buf *b, const char *s)
{
	cli_buf_add(b, s, strlen(s));
}

void cli_buf_addf(struct cli_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) != 0) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *cli_buf_str(const struct cli_buf *b)
{
	return b->p != NULL ? b->p : "";
}

void cli_buf_free(struct cli_buf *b)
{
	cobocred_secret_free(b->p);
	memset(b, 0, sizeof(*b));
}
