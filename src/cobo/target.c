/*
 * target.c - what a signed request may be sent to: a PATH under the
 * profile's base_url, or a full URL of its origin and under its base path
 * (cobocred_request_target, cobocred.h).
 *
 * Why so strict: the token and a signature by the app key go with the
 * request, so the target must name exactly one resource of exactly one
 * server, the one the profile names.  Every spelling a server or a proxy
 * on the way could read two ways is refused, never normalised: dot
 * segments (also percent-encoded: "%2e%2e" is ".." to many servers), an
 * encoded '/' or '\', empty segments ("//host" is an authority to some
 * parsers), a fragment, userinfo, controls, spaces, non-ASCII.  The URL is
 * split once and its parts compared with the parsed base_url (origin.c);
 * nothing is assembled to be parsed again.  The query is the caller's,
 * byte for byte: it is signed as sent.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cobocred.h"
#include "core.h"
#include "origin.h"

/* The base path of base_url: "/v2" for https://host/v2/ ("" for none); 0 or -1. */
static int base_path(const char *base_url, const char **p, size_t *n)
{
	const char *rest = strstr(base_url, "://");

	if (rest == NULL)
		return -1;
	rest += 3;
	*p = rest + strcspn(rest, "/");
	*n = strlen(*p);
	while (*n > 0 && (*p)[*n - 1] == '/')
		(*n)--;
	return 0;
}

/* The bytes no part of a target may hold. */
static int bad_byte(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '\\' || c == '#';
}

/* 1 if s[0, n) is "." or "..", spelled with '.' or "%2e" in any case. */
static int dot_segment(const char *s, size_t n)
{
	size_t dots = 0, i = 0;

	while (i < n) {
		if (s[i] == '.') {
			i++;
		} else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' &&
			   (s[i + 2] == 'e' || s[i + 2] == 'E')) {
			i += 3;
		} else {
			return 0;
		}
		dots++;
	}
	return dots == 1 || dots == 2;
}

/* A path as sent: '/' then segments, none empty, none a dot segment, no encoded '/' or '\'. */
static const char *path_refusal(const char *p, size_t n)
{
	size_t i = 0, w;

	if (n == 0 || p[0] != '/')
		return "the path does not start with '/'";
	while (i < n) {
		i++; /* the '/' */
		w = 0;
		while (i + w < n && p[i + w] != '/')
			w++;
		if (w == 0 && i + w < n)
			return "the path has an empty segment ('//')";
		if (dot_segment(p + i, w))
			return "the path has a '.' or '..' segment";
		i += w;
	}
	for (i = 0; i + 2 < n; i++)
		if (p[i] == '%' &&
		    (strncasecmp(p + i, "%2f", 3) == 0 || strncasecmp(p + i, "%5c", 3) == 0 ||
		     strncmp(p + i, "%00", 3) == 0))
			return "the path has an encoded '/', '\\' or NUL";
	return NULL;
}

/* The origin and the path of a full URL; rest points past the authority. */
static const char *url_split(const char *url, struct cobocred_origin *o, const char **rest)
{
	const char *auth, *why = NULL;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (strncmp(url, "https://", 8) == 0) {
		memcpy(o->scheme, "https", 6);
		auth = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		memcpy(o->scheme, "http", 5);
		auth = url + 7;
	} else {
		return "a URL starts with https:// (or http:// for a profile on http)";
	}
	n = strcspn(auth, "/?");
	if (memchr(auth, '@', n) != NULL)
		return "the URL has a user name or password before the host";
	if (cobocred_parse_hostport(auth, n, o, &why) != 0)
		return why;
	if (o->port == 0)
		o->port = cobocred_default_port(o->scheme);
	*rest = auth + n;
	return NULL;
}

struct target {
	const char *base; /* the base path, not NUL-ended */
	size_t base_n;
	const char *rel; /* the caller's path and query, after the base path */
};

/* Fills t from a full URL of base_url's origin; NULL or why not. */
static const char *from_url(const char *base_url, const char *url, struct target *t)
{
	struct cobocred_origin want, got;
	const char *why = NULL, *rest = NULL;
	size_t pn;

	if (cobocred_parse_base_url(base_url, &want, &why) != 0)
		return "the profile's base_url does not parse";
	why = url_split(url, &got, &rest);
	if (why != NULL)
		return why;
	if (!cobocred_origin_same(&want, &got))
		return "the URL is not on the profile's origin (scheme, host and port of its "
		       "base_url)";
	pn = strcspn(rest, "?");
	if (pn < t->base_n || memcmp(rest, t->base, t->base_n) != 0 ||
	    (pn > t->base_n && rest[t->base_n] != '/'))
		return "the URL is not under the profile's base path";
	t->rel = rest + t->base_n;
	return NULL;
}

/* *path = base + the path part of rel, *query = the rest after '?'; NULL or why not. */
static const char *split(const struct target *t, char **path, char **query)
{
	const char *q = strchr(t->rel, '?');
	size_t rn = q != NULL ? (size_t)(q - t->rel) : strlen(t->rel);
	size_t pn = t->base_n + rn;
	const char *why;

	*path = malloc(pn + 2);
	*query = strdup(q != NULL ? q + 1 : "");
	if (*path == NULL || *query == NULL)
		return "out of memory";
	memcpy(*path, t->base, t->base_n);
	memcpy(*path + t->base_n, t->rel, rn);
	if (pn == 0) /* https://host with no base path: the root */
		(*path)[pn++] = '/';
	(*path)[pn] = '\0';
	why = path_refusal(*path, pn);
	return why;
}

static int refuse(struct cobocred_ctx *ctx, const char *target, const char *why)
{
	char shown[128];

	cobocred_set_error(ctx, "refusing '%s': %s", cobocred_show(target, shown, sizeof(shown)),
			   why);
	return COBOCRED_ERROR;
}

int cobocred_request_target(struct cobocred_ctx *ctx, const char *profile, const char *target,
			    char **path, char **query)
{
	const char *base_url = cobocred_profile_get(ctx, profile, "base_url"), *why = NULL;
	struct target t = { 0 };
	size_t i, n;

	*path = *query = NULL;
	if (base_url == NULL) {
		cobocred_set_error(ctx, "no Cobo profile '%s' with a base_url", profile);
		return COBOCRED_NOTFOUND;
	}
	n = strnlen(target, COBOCRED_REQUEST_TARGET_MAX + 1);
	if (n > COBOCRED_REQUEST_TARGET_MAX)
		return refuse(ctx, target, "longer than 8192 bytes");
	for (i = 0; i < n && why == NULL; i++)
		if (bad_byte((unsigned char)target[i]))
			why = target[i] == '#' ? "a fragment ('#') is never sent"
					       : "a space, control, '\\' or non-ASCII byte";
	if (why == NULL && base_path(base_url, &t.base, &t.base_n) != 0)
		why = "the profile's base_url does not parse";
	if (why == NULL && target[0] == '/')
		t.rel = target;
	else if (why == NULL)
		why = from_url(base_url, target, &t);
	if (why == NULL)
		why = split(&t, path, query);
	if (why == NULL)
		return COBOCRED_SUCCESS;
	free(*path);
	free(*query);
	*path = *query = NULL;
	return refuse(ctx, target, why);
}
