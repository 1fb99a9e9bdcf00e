/*
 * url.c - the server URL of a get or erase request, read as the reference
 * helper reads it: bufio.Scanner lines joined without their line ends,
 * then strings.TrimSpace (Unicode white space, not just ASCII).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "utf8.h"

/* Go's unicode.IsSpace. */
static int is_space(uint32_t cp)
{
	switch (cp) {
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case ' ':
	case 0x85:
	case 0xA0:
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202F:
	case 0x205F:
	case 0x3000:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200A;
	}
}

/* Joins the lines of in[0, len) into out, dropping "\n" and a "\r" before it. */
static size_t join_lines(const char *in, size_t len, char *out)
{
	size_t i = 0, w = 0;

	while (i < len) {
		const char *nl = memchr(in + i, '\n', len - i);
		size_t line = nl != NULL ? (size_t)(nl - (in + i)) : len - i, n = line;

		if (n > 0 && in[i + n - 1] == '\r')
			n--;
		memcpy(out + w, in + i, n);
		w += n;
		i += line + (nl != NULL);
	}
	return w;
}

/* Trims Unicode white space from s[0, *n); returns the new start. */
static char *trim(char *s, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = 0, start = *n, end = 0, len;

	while (pos < *n) {
		uint32_t cp = djson_utf8_decode(u + pos, *n - pos, &len);

		if (!is_space(cp)) { /* an invalid byte (U+FFFD) is not space either */
			if (start == *n)
				start = pos;
			end = pos + len;
		}
		pos += len;
	}
	*n = start < end ? end - start : 0;
	return s + (start < end ? start : 0);
}

int docker_parse_url(const char *in, size_t len, char **url)
{
	char *buf, *s;
	size_t n;
	int r = DOCKER_E_NOMEM;

	*url = NULL;
	if (len > DOCKER_INPUT_MAX)
		return DOCKER_E_TOOBIG;
	buf = malloc(len + 1);
	if (buf == NULL)
		return DOCKER_E_NOMEM;
	n = join_lines(in, len, buf);
	s = trim(buf, &n);
	if (n == 0) {
		r = DOCKER_E_NO_URL;
		goto out;
	}
	if (n > DOCKER_URL_MAX) {
		r = DOCKER_E_URL_LONG;
		goto out;
	}
	if (memchr(s, '\0', n) != NULL) {
		r = DOCKER_E_NUL;
		goto out;
	}
	memmove(buf, s, n);
	buf[n] = '\0';
	*url = buf;
	buf = NULL;
	r = 0;
out:
	free(buf);
	return r;
}
