/*
 * json.h - the subset of JSON the Docker protocol needs, read and written
 * exactly as Go's encoding/json does (the reference helpers and every
 * Docker client are Go programs):
 *   - strings decode with invalid UTF-8 and unpaired surrogates turned into
 *     U+FFFD; numbers and literals follow RFC 8259 strictly;
 *   - nesting deeper than 10000 levels is refused (Go's scanner limit);
 *   - strings encode with <, >, &, U+2028, U+2029 escaped as \uXXXX and
 *     invalid UTF-8 as \ufffd.
 * Internal to src/docker; codec.h is the public face.
 */
#ifndef DOCKER_JSON_H
#define DOCKER_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "utf8.h"

#define DJSON_MAX_DEPTH 10000

/* A cursor over untrusted bytes.  i never exceeds n. */
struct djson_reader {
	const unsigned char *s;
	size_t n;
	size_t i;
};

/* Value kinds, for messages ("got a number"). */
enum djson_kind {
	DJSON_OBJECT,
	DJSON_ARRAY,
	DJSON_STRING,
	DJSON_NUMBER,
	DJSON_BOOL,
	DJSON_NULL,
};

/* Statuses: 0, or one of these (r->i is then where the problem is). */
#define DJSON_E_SYNTAX (-1)
#define DJSON_E_DEPTH (-2)

void djson_skip_ws(struct djson_reader *r);

/*
 * Scans the string starting at r->s[r->i] == '"'.  On success the raw body
 * (between the quotes, escapes still in) is s[*start, *end) and r->i is
 * past the closing quote.
 */
int djson_scan_string(struct djson_reader *r, size_t *start, size_t *end);

/*
 * Skips one value at r->i (whitespace already skipped), validating it.
 * depth: containers already open around it.  *kind (may be NULL) gets
 * the value's kind.
 */
int djson_skip_value(struct djson_reader *r, int depth, enum djson_kind *kind);

/*
 * The next code point of a scanned string body s[*pos, end), as Go's
 * unquote yields it; advances *pos.
 */
uint32_t djson_next_rune(const unsigned char *s, size_t end, size_t *pos);

/* Decodes a scanned string body into out (NULL: only count); returns the length. */
size_t djson_unquote(const unsigned char *s, size_t len, unsigned char *out);

/*
 * 1 if the scanned key body s[0, len) names field (an ASCII letters-only
 * name) under Go's case-insensitive match: ASCII case, and U+017F 'ſ' for
 * 's', U+212A KELVIN SIGN for 'k', which Unicode folds onto ASCII.
 */
int djson_key_matches(const unsigned char *s, size_t len, const char *field);

/* Output goes into the core's bounded secret buffer; a full buffer marks it failed. */
struct cobocred_sbuf;

void djson_put(struct cobocred_sbuf *w, const char *s, size_t n);
/* s[0, n) as a quoted JSON string, escaped as Go's encoder does. */
void djson_put_string(struct cobocred_sbuf *w, const unsigned char *s, size_t n);

#endif
