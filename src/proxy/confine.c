/*
 * confine.c - the proxy's confinement rules (confine.h).
 *
 * The path is checked on the bytes the client sent.  A percent-escape
 * that decodes to '.', '/', '\' or '%' is refused rather than decoded:
 * whichever server decodes it later ("%2e%2e", "%252e") would otherwise
 * see a path the check never saw.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "confine.h"
#include "proxy.h"
#include "strutil.h"

static int refuse(struct proxy_refusal *why, int status, const char *error, const char *detail)
{
	why->status = status;
	why->error = error;
	why->detail = detail;
	return -1;
}

int proxy_method_ok(const char *method, struct proxy_refusal *why)
{
	static const char *const ok[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(method, ok[i]) == 0)
			return 0;
	return refuse(why, 405, "method_not_allowed",
		      "only GET, POST, PUT, PATCH and DELETE are forwarded (no CONNECT)");
}

/* RFC 3986 unreserved and sub-delims, plus ':' and '@': a pchar that needs no escape. */
static int plain_pchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

/* The byte a %HH at s decodes to, or -1 when s is no valid escape. */
static int escape_at(const char *s)
{
	int hi, lo;

	if (s[0] != '%')
		return -1;
	hi = cobocred_hex_digit((unsigned char)s[1]);
	lo = hi < 0 ? -1 : cobocred_hex_digit((unsigned char)s[2]);
	return lo < 0 ? -1 : hi * 16 + lo;
}

static int escape_forbidden(int c)
{
	return c < 0x20 || c == 0x7f || c == '.' || c == '/' || c == '\\' || c == '%';
}

/* Checks one segment s[0, n) of the path. */
static int segment_ok(const char *s, size_t n, struct proxy_refusal *why)
{
	size_t i;

	if (n == 0)
		return refuse(why, 404, "bad_path", "empty path segment ('//')");
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return refuse(why, 404, "bad_path", "'.' and '..' segments are not forwarded");
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			c = escape_at(s + i);
			if (c < 0)
				return refuse(why, 400, "bad_path",
					      "bad percent-escape in the path");
			if (escape_forbidden(c))
				return refuse(why, 404, "bad_path",
					      "percent-encoded '.', '/', '\\', '%' or control "
					      "byte in the path");
			i += 2;
		} else if (!plain_pchar(c)) {
			return refuse(why, 400, "bad_path",
				      "a byte outside RFC 3986 path characters");
		}
	}
	return 0;
}

static int query_ok(const char *q, struct proxy_refusal *why)
{
	for (; *q != '\0'; q++) {
		int c = (unsigned char)*q;

		if (c == '%') {
			if (escape_at(q) < 0)
				return refuse(why, 400, "bad_query",
					      "bad percent-escape in the query");
		} else if (!plain_pchar(c) && c != '/' && c != '?') {
			return refuse(why, 400, "bad_query",
				      "a byte outside RFC 3986 query characters");
		}
	}
	return 0;
}

/* path[0, n) is base_path itself or below it, and not its oauth/ subtree. */
static int under_base(const char *path, size_t n, const char *base, struct proxy_refusal *why)
{
	size_t b = strlen(base);
	static const char oauth[] = "/oauth";

	if (n < b || memcmp(path, base, b) != 0 || (n > b && path[b] != '/'))
		return refuse(why, 404, "outside_base_path",
			      "only paths under the profile's base path are forwarded");
	if (n - b >= sizeof(oauth) - 1 && memcmp(path + b, oauth, sizeof(oauth) - 1) == 0 &&
	    (n - b == sizeof(oauth) - 1 || path[b + sizeof(oauth) - 1] == '/'))
		return refuse(why, 403, "token_endpoint",
			      "the token endpoint is the proxy's own; it is never forwarded");
	return 0;
}

int proxy_target_ok(const char *target, const char *base_path, size_t *query_at,
		    struct proxy_refusal *why)
{
	size_t len = strlen(target), n, at;
	const char *q;

	*query_at = len;
	if (len > PROXY_MAX_TARGET)
		return refuse(why, 414, "target_too_long", "the request target is too long");
	if (target[0] != '/')
		return refuse(why, 400, "not_origin_form",
			      "absolute-form, authority-form and '*' targets are refused; "
			      "send the path only (GET /v2/...)");
	q = strchr(target, '?');
	n = q != NULL ? (size_t)(q - target) : len;
	if (under_base(target, n, base_path, why) != 0)
		return -1;
	for (at = 1; at <= n; at++) {
		const char *seg = target + at;
		const char *end = memchr(seg, '/', n - at);
		size_t sn = end != NULL ? (size_t)(end - seg) : n - at;

		if (segment_ok(seg, sn, why) != 0)
			return -1;
		at += sn;
	}
	if (q != NULL && query_ok(q + 1, why) != 0)
		return -1;
	*query_at = n;
	return 0;
}

int proxy_header_class(const char *name)
{
	static const char *const refused[] = { "Authorization", "Proxy-Authorization", "Cookie" };
	size_t i;

	if (strncasecmp(name, "Biz-", 4) == 0)
		return PROXY_HDR_REFUSE;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcasecmp(name, refused[i]) == 0)
			return PROXY_HDR_REFUSE;
	if (strcasecmp(name, "Cobo-Org") == 0)
		return PROXY_HDR_ORG;
	if (strcasecmp(name, "Cobo-Proxy-Key") == 0)
		return PROXY_HDR_KEY;
	return PROXY_HDR_DROP;
}

int proxy_header_value_ok(const char *value)
{
	size_t n = 0;

	for (; *value != '\0'; value++, n++)
		if (n >= 1024 || ((unsigned char)*value < 0x20 && *value != '\t') ||
		    (unsigned char)*value >= 0x7f)
			return 0;
	return 1;
}
