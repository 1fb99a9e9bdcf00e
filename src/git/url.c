/*
 * url.c - "url=" in a request: split the way git's credential_from_url
 * does, so `git credential fill` with url= and a request with the parts
 * spelled out find the same credential.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "secret.h"
#include "strutil.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Copies s[0..n) into a new string (secret memory if secret), percent-
 * decoding it if pct; like git, a '%' not followed by two hex digits stays
 * as it is.  A result holding CR, LF or NUL is refused: it could never be
 * sent back safely.
 */
static int copy_part(const char *s, size_t n, char **out, int secret, int pct, const char *what,
		     char *err, size_t errlen)
{
	char *d = secret ? cobocred_secret_alloc(n + 1) : calloc(1, n + 1);
	size_t i, j = 0;

	*out = NULL;
	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		int hi = -1, lo = -1;

		if (pct && s[i] == '%' && i + 2 < n) {
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	if (cobocred_has_ctl_newline(d, j)) {
		snprintf(err, errlen, "url= has a line break or NUL in its %s; refusing it", what);
		if (secret)
			cobocred_secret_free(d);
		else
			free(d);
		return -1;
	}
	*out = d;
	return 0;
}

static int decode(const char *s, size_t n, char **out, int secret, const char *what, char *err,
		  size_t errlen)
{
	return copy_part(s, n, out, secret, 1, what, err, errlen);
}

static const char *find(const char *s, const char *end, int c)
{
	return memchr(s, c, (size_t)(end - s));
}

/* The host ends at the first '/', '?' or '#' (a query or fragment ends it too). */
static const char *host_end(const char *s, const char *end)
{
	for (; s < end; s++)
		if (*s == '/' || *s == '?' || *s == '#')
			break;
	return s;
}

/* Path: leading slashes dropped, then trailing ones; absent when nothing is left. */
static int split_path(const char *p, const char *end, struct git_req *r, char *err, size_t errlen)
{
	size_t n;

	while (p < end && *p == '/')
		p++;
	if (p == end)
		return 0;
	if (decode(p, (size_t)(end - p), &r->path, 0, "path", err, errlen) != 0)
		return -1;
	n = strlen(r->path);
	while (n > 1 && r->path[n - 1] == '/')
		r->path[--n] = '\0';
	return 0;
}

int git_url_split(const char *url, size_t len, struct git_req *r, char *err, size_t errlen)
{
	const char *end = url + len, *cp, *at, *colon, *slash, *host;
	const char *proto_end = memmem(url, len, "://", 3);

	git_req_clear(r);
	if (proto_end == NULL || proto_end == url) {
		snprintf(err, errlen, "url= has no scheme (expected PROTOCOL://HOST/...)");
		return -1;
	}
	cp = proto_end + 3;
	at = find(cp, end, '@');
	colon = find(cp, end, ':');
	slash = host_end(cp, end);
	host = cp;
	if (at != NULL && at < slash) {
		int has_pass = colon != NULL && colon < at;

		if (decode(cp, (size_t)((has_pass ? colon : at) - cp), &r->username, 0, "username",
			   err, errlen) != 0)
			return -1;
		if (has_pass && decode(colon + 1, (size_t)(at - colon - 1), &r->password, 1,
				       "password", err, errlen) != 0)
			return -1;
		host = at + 1;
	}
	/* git takes the scheme as written, without decoding it. */
	if (copy_part(url, (size_t)(proto_end - url), &r->protocol, 0, 0, "protocol", err,
		      errlen) != 0 ||
	    decode(host, (size_t)(slash - host), &r->host, 0, "host", err, errlen) != 0)
		return -1;
	return split_path(slash, end, r, err, errlen);
}
