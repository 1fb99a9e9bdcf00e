/*
 * reply.c - what the core reads of a Cobo answer: its error_code and
 * error_message, and whether a 401 is about the token.
 *
 * A small bounded scanner over the top-level members of one JSON object,
 * not a JSON library: the front-ends that use it (the CLI) link no JSON
 * parser, and two scalar members are all that is needed.  Nesting is
 * skipped to a fixed depth; anything malformed is "no Cobo error".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"

#define DEPTH_MAX 32

struct scan {
	const char *p, *end;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* A string starting at '"': its raw bytes (escapes kept) in [*v, *v + *n).  0 or -1. */
static int string(struct scan *s, const char **v, size_t *n)
{
	const char *q;

	if (s->p >= s->end || *s->p != '"')
		return -1;
	for (q = s->p + 1; q < s->end && *q != '"'; q++)
		if (*q == '\\' && ++q >= s->end)
			return -1;
	if (q >= s->end)
		return -1;
	*v = s->p + 1;
	*n = (size_t)(q - *v);
	s->p = q + 1;
	return 0;
}

/* Skips one value of any kind; a scalar's bytes in [*v, *v + *n).  0 or -1. */
static int value(struct scan *s, int depth, const char **v, size_t *n)
{
	const char *start;
	size_t dummy;

	ws(s);
	if (s->p >= s->end || depth > DEPTH_MAX)
		return -1;
	if (*s->p == '"')
		return string(s, v, n);
	if (*s->p == '{' || *s->p == '[') {
		char close = *s->p == '{' ? '}' : ']';

		s->p++;
		ws(s);
		if (s->p < s->end && *s->p == close) {
			s->p++;
			*v = NULL;
			return 0;
		}
		for (;;) {
			if (close == '}' && (string(s, v, &dummy) != 0 || (ws(s), s->p >= s->end) ||
					     *s->p++ != ':'))
				return -1;
			if (value(s, depth + 1, v, &dummy) != 0)
				return -1;
			ws(s);
			if (s->p >= s->end)
				return -1;
			if (*s->p == close)
				break;
			if (*s->p++ != ',')
				return -1;
			ws(s);
		}
		s->p++;
		*v = NULL;
		return 0;
	}
	start = s->p;
	while (s->p < s->end && strchr(",}] \t\r\n", *s->p) == NULL)
		s->p++;
	*v = start;
	*n = (size_t)(s->p - start);
	return *n > 0 ? 0 : -1;
}

/* Copies a raw member value for a one-line message: common escapes undone, controls as '?'. */
static void show(const char *v, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\\' && i + 1 < n) {
			c = (unsigned char)v[++i];
			if (c == 'u' || c == 'n' || c == 't' || c == 'r' || c == 'b' || c == 'f')
				c = '?';
		}
		out[o++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	out[o] = '\0';
}

int cobocred_reply_error(const struct cobocred_http_reply *reply, char *code, size_t codelen,
			 char *message, size_t messagelen)
{
	struct scan s;
	const char *k, *v;
	size_t kn, vn;
	int found = 0;

	code[0] = message[0] = '\0';
	if (reply == NULL || reply->body == NULL)
		return -1;
	s.p = (const char *)reply->body;
	s.end = s.p + reply->body_len;
	ws(&s);
	if (s.p >= s.end || *s.p++ != '{')
		return -1;
	for (ws(&s); s.p < s.end && *s.p != '}';) {
		if (string(&s, &k, &kn) != 0 || (ws(&s), s.p >= s.end) || *s.p++ != ':' ||
		    value(&s, 1, &v, &vn) != 0)
			return -1;
		if (v != NULL && kn == 10 && memcmp(k, "error_code", 10) == 0) {
			show(v, vn, code, codelen);
			found = 1;
		} else if (v != NULL && kn == 13 && memcmp(k, "error_message", 13) == 0) {
			show(v, vn, message, messagelen);
			found = 1;
		}
		ws(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++, ws(&s);
	}
	return found ? 0 : -1;
}

/*
 * The error codes Cobo puts on the request itself rather than on the
 * token: missing or bad signature headers, nonce, API key, permissions.
 * A fresh token cannot cure them, so they are never retried.
 */
static const char *const not_token[] = { "2021", "2022", "2023", "2024", "2025", NULL };

int cobocred_reply_token_rejected(const struct cobocred_http_reply *reply)
{
	char code[32], message[8];
	size_t i;

	if (reply == NULL || reply->status != 401 || !reply->verified)
		return 0;
	if (cobocred_reply_error(reply, code, sizeof(code), message, sizeof(message)) != 0)
		return 1; /* a verified 401 with no code: Cobo refused the bearer */
	for (i = 0; not_token[i] != NULL; i++)
		if (strcmp(code, not_token[i]) == 0)
			return 0;
	return 1;
}
