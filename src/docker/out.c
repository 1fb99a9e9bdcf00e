/*
 * out.c - stdin and stdout for docker-credential-cobo.  Plain read(2) and
 * write(2): a secret passes through no stdio buffer we cannot wipe.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "helper.h"
#include "secret.h"

#define READ_CHUNK ((size_t)64 * 1024)

/* Grows the secret buffer *buf (holding len bytes) to cap; 0 or -1. */
static int grow(char **buf, size_t len, size_t cap)
{
	char *p = cobocred_secret_alloc(cap);

	if (p == NULL)
		return -1;
	if (len > 0)
		memcpy(p, *buf, len);
	cobocred_secret_free(*buf);
	*buf = p;
	return 0;
}

int docker_read_stdin(char **buf, size_t *len)
{
	size_t cap = 0, n = 0, limit = DOCKER_INPUT_MAX + 1;
	char *p = NULL;
	int r = -1;

	*buf = NULL;
	*len = 0;
	for (;;) {
		ssize_t got;

		if (n == cap) {
			size_t want = cap == 0 ? READ_CHUNK : cap * 2;

			if (cap == limit)
				break; /* one byte over the limit: enough to refuse */
			if (grow(&p, n, want < limit ? want : limit) != 0) {
				docker_fail("out of memory reading the request");
				goto out;
			}
			cap = want < limit ? want : limit;
		}
		got = read(STDIN_FILENO, p + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			docker_fail("cannot read the request from stdin: %s", strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*buf = p;
	*len = n;
	p = NULL;
	r = 0;
out:
	cobocred_secret_free(p);
	return r;
}

int docker_reply(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int docker_fail(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t n, i;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	for (i = 0; i < n; i++) /* one line, whatever went into it */
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	line[n++] = '\n';
	(void)docker_reply(line, n);
	return 1;
}
