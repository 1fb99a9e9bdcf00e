/*
 * fuzz_oauth_response.c - libFuzzer target: the Cobo token endpoint's
 * answers (plugins/cobo-oauth/response.h): the token answer and both
 * error shapes, and the error's display text.
 *
 * Invariants checked beyond "no crash":
 *  - an accepted token answer has both tokens 1..OAUTH_TOKEN_MAX bytes,
 *    lengths that match, no control characters, expires_in in range;
 *  - a refused one leaves *out zeroed and a one-line reason that never
 *    quotes a token (checked against json-c's own reading of the body);
 *  - a parsed error has NUL-terminated, control-free, valid UTF-8 fields
 *    (a cut never splits a character), and its display text is one line;
 *  - an unrecognised error leaves *out zeroed;
 *  - a Biz-Timestamp is fresh only when it is decimal digits within the
 *    window of the clock; any refusal is one control-free line;
 *  - no secret memory outlives the call.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "response.h"
#include "secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

static int is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void check_text(const char *s, size_t cap)
{
	size_t i, n = strnlen(s, cap);

	CHECK(n < cap);
	for (i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] != 0x7f);
}

/* Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, cp, min, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

static int utf8_ok(const char *s)
{
	return utf8_valid((const unsigned char *)s, strlen(s));
}

static void check_token_ok(const struct oauth_token *t)
{
	CHECK(t->access_token != NULL && t->refresh_token != NULL);
	CHECK(t->access_len >= 1 && t->access_len <= OAUTH_TOKEN_MAX);
	CHECK(t->refresh_len >= 1 && t->refresh_len <= OAUTH_TOKEN_MAX);
	CHECK(strlen(t->access_token) == t->access_len);
	CHECK(strlen(t->refresh_token) == t->refresh_len);
	check_text(t->access_token, t->access_len + 1);
	check_text(t->refresh_token, t->refresh_len + 1);
	CHECK(t->expires_in >= 1 && t->expires_in <= OAUTH_EXPIRES_MAX);
}

/*
 * A token the fixed message texts could not contain by chance: one with a
 * character that no reason (nor json-c's error text) uses.
 */
static int distinctive(const char *s, size_t n)
{
	size_t i;

	if (n < 6)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '\"().,:;_-",
			   s[i]) == NULL)
			return 1;
	return 0;
}

/* The reason for a refusal must not quote a token the body carried. */
static void check_no_token_in(const char *body, size_t len, const char *err)
{
	static const char *const keys[] = { "access_token", "refresh_token" };
	struct json_object *obj, *v;
	size_t i;

	obj = len < 65536 ? json_tokener_parse(body) : NULL;
	if (obj == NULL)
		return;
	for (i = 0; i < 2; i++)
		if (json_object_object_get_ex(obj, keys[i], &v) &&
		    json_object_is_type(v, json_type_string) &&
		    distinctive(json_object_get_string(v), (size_t)json_object_get_string_len(v)))
			CHECK(memmem(err, strlen(err), json_object_get_string(v),
				     (size_t)json_object_get_string_len(v)) == NULL);
	json_object_put(obj);
}

static void check_token(const char *body, size_t len, const char *cbody)
{
	struct oauth_token t;
	char err[256];

	memset(err, 0, sizeof(err));
	if (oauth_parse_token(body, len, &t, err, sizeof(err)) == 0) {
		check_token_ok(&t);
		oauth_token_clear(&t);
		CHECK(is_zero(&t, sizeof(t)));
		return;
	}
	CHECK(is_zero(&t, sizeof(t)));
	CHECK(err[0] != '\0');
	check_text(err, sizeof(err));
	if (cbody != NULL)
		check_no_token_in(cbody, len, err);
}

static void check_error(const char *body, size_t len)
{
	struct oauth_error e;
	char line[512], tiny[8];

	memset(&e, 0x5a, sizeof(e));
	if (oauth_parse_error(body, len, &e) != 0) {
		CHECK(is_zero(&e, sizeof(e)));
		return;
	}
	CHECK(e.oauth == 0 || e.oauth == 1);
	check_text(e.code, sizeof(e.code));
	check_text(e.message, sizeof(e.message));
	check_text(e.id, sizeof(e.id));
	CHECK(utf8_ok(e.code) && utf8_ok(e.message) && utf8_ok(e.id));
	oauth_error_format(&e, line, sizeof(line));
	check_text(line, sizeof(line));
	CHECK(line[0] != '\0');
	if (!e.oauth)
		CHECK(strncmp(line, "error ", 6) == 0);
	oauth_error_format(&e, tiny, sizeof(tiny)); /* truncates, never overflows */
	check_text(tiny, sizeof(tiny));
}

/* The first bytes as a Biz-Timestamp, against a clock and a window taken from the rest. */
static void check_timestamp(const uint8_t *data, size_t size)
{
	char ts[64], err[512];
	size_t n = size < sizeof(ts) - 1 ? size : sizeof(ts) - 1, i;
	int64_t now = 1764645950123LL;
	long skew = 1 + (long)(size % 86400);
	int r, digits = n > 0;

	memcpy(ts, data, n);
	ts[n] = '\0';
	n = strlen(ts);
	for (i = 0; i < n; i++)
		digits = digits && ts[i] >= '0' && ts[i] <= '9';
	memset(err, 0, sizeof(err));
	r = oauth_timestamp_check(ts, now, skew, err, sizeof(err));
	CHECK(r == 0 || r == OAUTH_TS_MALFORMED || r == OAUTH_TS_SKEWED);
	CHECK(r != 0 || (digits && n <= 18 && err[0] == '\0'));
	CHECK(r != OAUTH_TS_SKEWED || (digits && n <= 18));
	if (r != 0) {
		CHECK(err[0] != '\0');
		check_text(err, sizeof(err));
		CHECK(utf8_ok(err));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t live = cobocred_secret_live();
	char *cbody = NULL;

	/* A NUL-terminated copy for json-c's reading in the checks only. */
	if (memchr(data, '\0', size) == NULL && (cbody = malloc(size + 1)) != NULL) {
		memcpy(cbody, data, size);
		cbody[size] = '\0';
	}
	check_token((const char *)data, size, cbody);
	check_error((const char *)data, size);
	check_timestamp(data, size);
	free(cbody);
	CHECK(cobocred_secret_live() == live);
	return 0;
}
