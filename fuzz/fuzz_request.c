/*
 * fuzz_request.c - libFuzzer target: the canonicaliser of signed requests,
 * from the user's target to the bytes signed.  Input: "PROFILE\nTARGET\n"
 * then the body (any bytes): PROFILE is one digit picking one of three
 * profiles (base path /v2, none, a nested /api/v2), TARGET a PATH or URL.
 * cobocred_request_target (src/cobo/target.c) splits TARGET; each accepted
 * split is signed in canonical form by oauth_str_to_sign
 * (plugins/cobo-oauth/sign.c), the one string-to-sign.
 *
 * Invariants beyond "no crash":
 *  - a refusal hands nothing back and is one line with no raw control byte;
 *  - an accepted path starts with the profile's base path and then '/' or
 *    ends there, is printable ASCII without '?', '#', '\', has no empty,
 *    "." or ".." segment (also %2e-spelled) and no %2f, %5c or %00;
 *  - the query is the caller's bytes after the first '?', unchanged;
 *  - a URL target was on the profile's origin: its host and port, parsed,
 *    are the base_url's, and it named no user;
 *  - the string to sign is exactly METHOD|PATH|NONCE|QUERY|BODY, so the
 *    signed PATH and QUERY are the sent ones byte for byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cobocred.h"
#include "origin.h"
#include "sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

static struct cobocred_ctx *ctx;
static const char *const profiles[] = { "dev", "root", "nested" };
static const char *const bases[] = { "/v2", "", "/api/v2" };

static void setup(void)
{
	static const char conf[] = "/tmp/cobo-fuzz-request.conf";
	FILE *f = fopen(conf, "w");

	if (f == NULL)
		abort();
	fputs("[stack]\nget = none\n"
	      "[profile dev]\nbase_url = https://api.dev.cobo.com/v2\nclient_id = c\norg_id = o\n"
	      "[profile root]\nbase_url = https://127.0.0.1:8443/\nclient_id = c\norg_id = o\n"
	      "[profile nested]\nbase_url = https://[::1]:8443/api/v2\nclient_id = c\norg_id = o\n",
	      f);
	fclose(f);
	if (cobocred_ctx_new(conf, &ctx) != COBOCRED_SUCCESS)
		abort();
}

static int dot_segment(const char *s, size_t n)
{
	size_t dots = 0, i = 0;

	while (i < n) {
		if (s[i] == '.')
			i++;
		else if (n - i >= 3 && strncasecmp(s + i, "%2e", 3) == 0)
			i += 3;
		else
			return 0;
		dots++;
	}
	return dots == 1 || dots == 2;
}

static void check_path(const char *p, const char *base)
{
	size_t bn = strlen(base), i = 0, w, n = strlen(p);

	CHECK(strncmp(p, base, bn) == 0 && (p[bn] == '/' || p[bn] == '\0'));
	CHECK(p[0] == '/');
	for (i = 0; i < n; i++)
		CHECK(p[i] > 0x20 && p[i] < 0x7f && p[i] != '?' && p[i] != '#' && p[i] != '\\');
	for (i = 0; i < n;) {
		i++;
		for (w = 0; i + w < n && p[i + w] != '/'; w++)
			;
		CHECK(w > 0 || i + w == n);
		CHECK(!dot_segment(p + i, w));
		i += w;
	}
	for (i = 0; i + 2 < n; i++)
		CHECK(p[i] != '%' ||
		      (strncasecmp(p + i, "%2f", 3) != 0 && strncasecmp(p + i, "%5c", 3) != 0 &&
		       strncmp(p + i, "%00", 3) != 0));
}

static const char *const base_urls[] = { "https://api.dev.cobo.com/v2", "https://127.0.0.1:8443/",
					 "https://[::1]:8443/api/v2" };

/* A URL target's scheme, host and port are base_url's (parsed, compared as values). */
static void check_origin(const char *target, int k)
{
	struct cobocred_origin want, got;
	const char *auth;
	size_t n;

	if (target[0] == '/')
		return;
	CHECK(strncmp(target, "https://", 8) == 0);
	auth = target + 8;
	n = strcspn(auth, "/?");
	CHECK(memchr(auth, '@', n) == NULL);
	CHECK(cobocred_parse_base_url(base_urls[k], &want, NULL) == 0);
	memset(&got, 0, sizeof(got));
	memcpy(got.scheme, "https", 6);
	CHECK(cobocred_parse_hostport(auth, n, &got, NULL) == 0);
	CHECK(cobocred_origin_same(&want, &got));
}

static void check_signed(const char *path, const char *query, const uint8_t *body, size_t len)
{
	char *s = NULL, want[20000];
	size_t n = 0;
	int w;

	if (oauth_str_to_sign("POST", path, "1733500000000", query, (const char *)body, len, &s,
			      &n) != 0)
		return; /* out of memory */
	w = snprintf(want, sizeof(want), "POST|%s|1733500000000|%s|", path, query);
	CHECK(w > 0 && (size_t)w < sizeof(want));
	CHECK(n == (size_t)w + len && memcmp(s, want, (size_t)w) == 0);
	CHECK(len == 0 || memcmp(s + w, body, len) == 0);
	CHECK(s[n] == '\0');
	oauth_free_wiped(s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl, *end;
	char target[COBOCRED_REQUEST_TARGET_MAX + 2], *path = (char *)1, *query = (char *)1;
	const char *q;
	size_t tn;
	int k, st;

	if (ctx == NULL)
		setup();
	if (size < 2 || data[1] != '\n')
		return 0;
	k = (data[0] - '0') % 3;
	k = k < 0 ? -k : k;
	nl = memchr(data + 2, '\n', size - 2);
	end = nl != NULL ? nl : data + size;
	tn = (size_t)(end - (data + 2));
	if (tn >= sizeof(target) || memchr(data + 2, '\0', tn) != NULL)
		return 0;
	memcpy(target, data + 2, tn);
	target[tn] = '\0';
	st = cobocred_request_target(ctx, profiles[k], target, &path, &query);
	if (st != COBOCRED_SUCCESS) {
		CHECK(st == COBOCRED_ERROR && path == NULL && query == NULL);
		CHECK(strpbrk(cobocred_error(ctx), "\r\n\x1b") == NULL);
		return 0;
	}
	check_path(path, bases[k]);
	q = strchr(target, '?');
	CHECK(strcmp(query, q != NULL ? q + 1 : "") == 0);
	check_origin(target, k);
	if (nl != NULL)
		check_signed(path, query, nl + 1, size - (size_t)(nl + 1 - data));
	else
		check_signed(path, query, NULL, 0);
	free(path);
	free(query);
	return 0;
}
