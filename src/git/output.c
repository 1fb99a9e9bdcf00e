/*
 * output.c - key=value answer lines (see output.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "secret.h"
#include "strutil.h"

/* Makes room for n more bytes; the buffer moves through wiped memory. */
static int reserve(struct git_out *o, size_t n)
{
	size_t cap = o->cap ? o->cap : 256;
	char *nb;

	if (n > SIZE_MAX / 2 - o->len)
		return -1;
	if (o->len + n <= o->cap)
		return 0;
	while (cap < o->len + n)
		cap *= 2;
	nb = cobocred_secret_alloc(cap);
	if (nb == NULL)
		return -1;
	if (o->len > 0)
		memcpy(nb, o->buf, o->len);
	cobocred_secret_free(o->buf);
	o->buf = nb;
	o->cap = cap;
	return 0;
}

int git_out_add(struct git_out *o, const char *key, const char *value, size_t vlen)
{
	size_t kn = strlen(key);

	if (kn == 0 || memchr(key, '=', kn) != NULL || cobocred_has_ctl_newline(key, kn) ||
	    cobocred_has_ctl_newline(value, vlen))
		return -1;
	if (reserve(o, kn + vlen + 2) != 0)
		return -1;
	memcpy(o->buf + o->len, key, kn);
	o->buf[o->len + kn] = '=';
	memcpy(o->buf + o->len + kn + 1, value, vlen);
	o->buf[o->len + kn + 1 + vlen] = '\n';
	o->len += kn + vlen + 2;
	return 0;
}

int git_out_add_str(struct git_out *o, const char *key, const char *value)
{
	return git_out_add(o, key, value, strlen(value));
}

int git_out_add_i64(struct git_out *o, const char *key, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return git_out_add_str(o, key, num);
}

int git_out_write(const struct git_out *o, int fd)
{
	size_t off = 0;

	while (off < o->len) {
		ssize_t n = write(fd, o->buf + off, o->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

void git_out_clear(struct git_out *o)
{
	cobocred_secret_free(o->buf);
	o->buf = NULL;
	o->len = 0;
	o->cap = 0;
}
