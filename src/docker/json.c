/*
 * json.c - reading JSON as Go's encoding/json does (see json.h).
 *
 * Everything here is iterative and bounded: no recursion, at most
 * DJSON_MAX_DEPTH open containers tracked in a bit stack.
 */
#include "config.h"

#include <string.h>

#include "json.h"
#include "strutil.h"

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void djson_skip_ws(struct djson_reader *r)
{
	while (r->i < r->n && is_ws(r->s[r->i]))
		r->i++;
}

/* The 4 hex digits at s[0..4) as a value, or -1. */
static long hex4(const unsigned char *s, size_t avail)
{
	long v = 0;
	size_t k;

	if (avail < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		int h = cobocred_hex_digit(s[k]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

int djson_scan_string(struct djson_reader *r, size_t *start, size_t *end)
{
	size_t i = r->i + 1;

	*start = i;
	while (i < r->n) {
		unsigned char c = r->s[i];

		if (c == '"') {
			*end = i;
			r->i = i + 1;
			return 0;
		}
		if (c < 0x20)
			break;
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= r->n)
			break;
		c = r->s[i + 1];
		if (c == 'u') {
			if (hex4(r->s + i + 2, r->n - (i + 2)) < 0) {
				i += 2;
				break;
			}
			i += 6;
		} else if (strchr("\"\\/bfnrt", c) != NULL && c != '\0') {
			i += 2;
		} else {
			i++;
			break;
		}
	}
	r->i = i < r->n ? i : r->n;
	return DJSON_E_SYNTAX;
}

static int is_digit(const struct djson_reader *r)
{
	return r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9';
}

static void skip_digits(struct djson_reader *r)
{
	while (is_digit(r))
		r->i++;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number(struct djson_reader *r)
{
	if (r->s[r->i] == '-')
		r->i++;
	if (!is_digit(r))
		return DJSON_E_SYNTAX;
	if (r->s[r->i++] != '0')
		skip_digits(r);
	if (r->i < r->n && r->s[r->i] == '.') {
		r->i++;
		if (!is_digit(r))
			return DJSON_E_SYNTAX;
		skip_digits(r);
	}
	if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
		r->i++;
		if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
			r->i++;
		if (!is_digit(r))
			return DJSON_E_SYNTAX;
		skip_digits(r);
	}
	return 0;
}

static int scan_literal(struct djson_reader *r, const char *word)
{
	size_t k;

	for (k = 0; word[k] != '\0'; k++, r->i++)
		if (r->i >= r->n || r->s[r->i] != (unsigned char)word[k])
			return DJSON_E_SYNTAX;
	return 0;
}

/* A scalar at r->i (a string, number or literal). */
static int scan_scalar(struct djson_reader *r, enum djson_kind *kind)
{
	size_t a, b;

	switch (r->s[r->i]) {
	case '"':
		*kind = DJSON_STRING;
		return djson_scan_string(r, &a, &b);
	case 't':
		*kind = DJSON_BOOL;
		return scan_literal(r, "true");
	case 'f':
		*kind = DJSON_BOOL;
		return scan_literal(r, "false");
	case 'n':
		*kind = DJSON_NULL;
		return scan_literal(r, "null");
	default:
		*kind = DJSON_NUMBER;
		return scan_number(r);
	}
}

/* Open containers of one skip: a bit per level, 1 = object. */
struct nest {
	unsigned char bits[DJSON_MAX_DEPTH / 8 + 1];
	int top;
};

static int nest_is_object(const struct nest *st)
{
	int k = st->top - 1;

	return (st->bits[k / 8] >> (k % 8)) & 1;
}

static void nest_push(struct nest *st, int object)
{
	int k = st->top++;

	if (object)
		st->bits[k / 8] |= (unsigned char)(1u << (k % 8));
	else
		st->bits[k / 8] &= (unsigned char)~(1u << (k % 8));
}

/* "key" : — the start of an object member; leaves r->i at the value. */
static int member_key(struct djson_reader *r)
{
	size_t a, b;
	int e;

	djson_skip_ws(r);
	if (r->i >= r->n || r->s[r->i] != '"')
		return DJSON_E_SYNTAX;
	if ((e = djson_scan_string(r, &a, &b)) != 0)
		return e;
	djson_skip_ws(r);
	if (r->i >= r->n || r->s[r->i] != ':')
		return DJSON_E_SYNTAX;
	r->i++;
	return 0;
}

/*
 * Opens a container at r->i.  *closed is set when it is empty ({} or []),
 * which then counts as a finished value.
 */
static int open_container(struct djson_reader *r, struct nest *st, int depth, int *closed)
{
	int object = r->s[r->i] == '{';

	if (depth + st->top + 1 > DJSON_MAX_DEPTH)
		return DJSON_E_DEPTH;
	r->i++;
	djson_skip_ws(r);
	if (r->i < r->n && r->s[r->i] == (object ? '}' : ']')) {
		r->i++;
		*closed = 1;
		return 0;
	}
	*closed = 0;
	nest_push(st, object);
	return object ? member_key(r) : 0;
}

/*
 * After a value inside the open containers: a comma (then the next value),
 * or closing brackets.  *done is set when the outermost one closed.
 */
static int after_value(struct djson_reader *r, struct nest *st, int *done)
{
	for (;;) {
		if (st->top == 0) {
			*done = 1;
			return 0;
		}
		djson_skip_ws(r);
		if (r->i >= r->n)
			return DJSON_E_SYNTAX;
		if (r->s[r->i] == ',') {
			r->i++;
			*done = 0;
			return nest_is_object(st) ? member_key(r) : 0;
		}
		if (r->s[r->i] != (nest_is_object(st) ? '}' : ']'))
			return DJSON_E_SYNTAX;
		r->i++;
		st->top--;
	}
}

int djson_skip_value(struct djson_reader *r, int depth, enum djson_kind *kind)
{
	struct nest st;
	enum djson_kind k = DJSON_NULL, first = DJSON_NULL;
	int e, done = 0, closed, n = 0;

	st.top = 0;
	while (!done) {
		djson_skip_ws(r);
		if (r->i >= r->n)
			return DJSON_E_SYNTAX;
		if (r->s[r->i] == '{' || r->s[r->i] == '[') {
			k = r->s[r->i] == '{' ? DJSON_OBJECT : DJSON_ARRAY;
			e = open_container(r, &st, depth, &closed);
		} else {
			closed = 1;
			e = scan_scalar(r, &k);
		}
		if (n++ == 0)
			first = k;
		if (e == 0 && closed)
			e = after_value(r, &st, &done);
		if (e != 0)
			return e;
	}
	if (kind != NULL)
		*kind = first;
	return 0;
}

static uint32_t escape_rune(const unsigned char *s, size_t end, size_t *pos)
{
	size_t p = *pos;
	long u = hex4(s + p + 2, end - (p + 2)), u2;

	*pos = p + 6;
	if (u < 0xD800 || u >= 0xE000)
		return (uint32_t)u;
	/* A high surrogate pairs only with an escaped low one that follows. */
	if (u < 0xDC00 && p + 12 <= end && s[p + 6] == '\\' && s[p + 7] == 'u') {
		u2 = hex4(s + p + 8, end - (p + 8));
		if (u2 >= 0xDC00 && u2 < 0xE000) {
			*pos = p + 12;
			return 0x10000u + (((uint32_t)u - 0xD800u) << 10) +
			       ((uint32_t)u2 - 0xDC00u);
		}
	}
	return DJSON_RUNE_ERROR;
}

uint32_t djson_next_rune(const unsigned char *s, size_t end, size_t *pos)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t p = *pos, len;
	uint32_t cp;

	if (s[p] != '\\') {
		cp = djson_utf8_decode(s + p, end - p, &len);
		*pos = p + len;
		return cp;
	}
	if (s[p + 1] == 'u')
		return escape_rune(s, end, pos);
	*pos = p + 2;
	return (unsigned char)to[strchr(from, s[p + 1]) - from];
}

size_t djson_unquote(const unsigned char *s, size_t len, unsigned char *out)
{
	size_t pos = 0, w = 0;

	while (pos < len) {
		size_t before = pos;
		uint32_t cp = djson_next_rune(s, len, &pos);

		/* Plain valid bytes are copied as they are (the common case). */
		if (s[before] != '\\' && !(cp == DJSON_RUNE_ERROR && pos - before == 1)) {
			if (out != NULL)
				memcpy(out + w, s + before, pos - before);
			w += pos - before;
		} else {
			w += djson_utf8_encode(cp, out != NULL ? out + w : NULL);
		}
	}
	return w;
}

static uint32_t fold(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return cp - ('a' - 'A');
	if (cp == 0x17F) /* LATIN SMALL LETTER LONG S */
		return 'S';
	if (cp == 0x212A) /* KELVIN SIGN */
		return 'K';
	return cp;
}

int djson_key_matches(const unsigned char *s, size_t len, const char *field)
{
	size_t pos = 0, k = 0;

	while (pos < len) {
		uint32_t cp = fold(djson_next_rune(s, len, &pos));

		if (field[k] == '\0' || cp != fold((unsigned char)field[k]))
			return 0;
		k++;
	}
	return field[k] == '\0';
}
