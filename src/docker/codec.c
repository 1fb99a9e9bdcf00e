/*
 * codec.c - reading Docker credential-helper requests (see codec.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "json.h"
#include "secret.h"

enum { F_URL, F_USER, F_SECRET, F_COUNT };

static const char *const field_names[F_COUNT] = { "ServerURL", "Username", "Secret" };

static const char *const kind_names[] = {
	[DJSON_OBJECT] = "an object", [DJSON_ARRAY] = "an array", [DJSON_STRING] = "a string",
	[DJSON_NUMBER] = "a number",  [DJSON_BOOL] = "a boolean", [DJSON_NULL] = "null",
};

/* One store parse. */
struct store_parse {
	struct djson_reader r;
	struct docker_creds *c;
	struct docker_error *e;
	int has_nul[F_COUNT]; /* of the value each field holds now */
	size_t len[F_COUNT];
};

void docker_creds_clear(struct docker_creds *c)
{
	if (c == NULL)
		return;
	free(c->server_url);
	free(c->username);
	cobocred_secret_free(c->secret);
	memset(c, 0, sizeof(*c));
}

static char **field_slot(struct docker_creds *c, int f)
{
	return f == F_URL ? &c->server_url : f == F_USER ? &c->username : &c->secret;
}

/* Decodes the string body s[0, len) into field f, replacing its value. */
static int set_field(struct store_parse *p, int f, const unsigned char *s, size_t len)
{
	size_t n = djson_unquote(s, len, NULL);
	char **slot = field_slot(p->c, f);
	char *v = f == F_SECRET ? cobocred_secret_alloc(n) : malloc(n + 1);

	if (v == NULL)
		return DOCKER_E_NOMEM;
	djson_unquote(s, len, (unsigned char *)v);
	v[n] = '\0';
	if (f == F_SECRET) {
		cobocred_secret_free(*slot);
		p->c->secret_len = n;
	} else {
		free(*slot);
	}
	*slot = v;
	p->len[f] = n;
	p->has_nul[f] = memchr(v, '\0', n) != NULL;
	return 0;
}

static int syntax(struct store_parse *p, int jerr)
{
	p->e->code = jerr == DJSON_E_DEPTH ? DOCKER_E_DEPTH : DOCKER_E_SYNTAX;
	p->e->offset = p->r.i;
	p->e->field = NULL; /* a type error seen earlier no longer matters */
	p->e->got = NULL;
	return p->e->code;
}

static int match_field(const unsigned char *key, size_t len)
{
	int f;

	for (f = 0; f < F_COUNT; f++)
		if (djson_key_matches(key, len, field_names[f]))
			return f;
	return -1;
}

/* One "key": value member of the top-level object. */
static int parse_member(struct store_parse *p)
{
	struct djson_reader *r = &p->r;
	size_t ks, ke, vs, ve;
	enum djson_kind kind;
	int f, e;

	if (r->i >= r->n || r->s[r->i] != '"')
		return syntax(p, DJSON_E_SYNTAX);
	if ((e = djson_scan_string(r, &ks, &ke)) != 0)
		return syntax(p, e);
	f = match_field(r->s + ks, ke - ks);
	djson_skip_ws(r);
	if (r->i >= r->n || r->s[r->i] != ':')
		return syntax(p, DJSON_E_SYNTAX);
	r->i++;
	djson_skip_ws(r);
	if (f >= 0 && r->i < r->n && r->s[r->i] == '"') {
		if ((e = djson_scan_string(r, &vs, &ve)) != 0)
			return syntax(p, e);
		return set_field(p, f, r->s + vs, ve - vs);
	}
	if ((e = djson_skip_value(r, 1, &kind)) != 0)
		return syntax(p, e);
	/* Like Go, a wrong type is reported only once the whole value parsed. */
	if (f >= 0 && kind != DJSON_NULL && p->e->field == NULL) {
		p->e->field = field_names[f];
		p->e->got = kind_names[kind];
	}
	return 0;
}

/* The top-level object, r->i at '{'. */
static int parse_object(struct store_parse *p)
{
	struct djson_reader *r = &p->r;
	int e;

	r->i++;
	djson_skip_ws(r);
	if (r->i < r->n && r->s[r->i] == '}')
		return 0;
	for (;;) {
		if ((e = parse_member(p)) != 0)
			return e;
		djson_skip_ws(r);
		if (r->i < r->n && r->s[r->i] == '}')
			return 0;
		if (r->i >= r->n || r->s[r->i] != ',')
			return syntax(p, DJSON_E_SYNTAX);
		r->i++;
		djson_skip_ws(r);
	}
}

/* The first JSON value of the input, decoded into p->c. */
static int parse_value(struct store_parse *p)
{
	enum djson_kind kind;
	int e;

	djson_skip_ws(&p->r);
	if (p->r.i >= p->r.n)
		return p->e->code = DOCKER_E_EMPTY;
	if (p->r.s[p->r.i] == '{') {
		if ((e = parse_object(p)) != 0)
			return e;
	} else {
		if ((e = djson_skip_value(&p->r, 0, &kind)) != 0)
			return syntax(p, e);
		if (kind != DJSON_NULL) { /* null decodes into nothing, as in Go */
			p->e->got = kind_names[kind];
			return p->e->code = DOCKER_E_NOT_OBJECT;
		}
	}
	if (p->e->field != NULL)
		return p->e->code = DOCKER_E_TYPE;
	return 0;
}

/* The reference helper's checks, then ours. */
static int validate(struct store_parse *p)
{
	int f;

	if (p->len[F_URL] == 0)
		return p->e->code = DOCKER_E_NO_URL;
	if (p->len[F_USER] == 0)
		return p->e->code = DOCKER_E_NO_USER;
	for (f = 0; f < F_COUNT; f++)
		if (p->has_nul[f]) {
			p->e->field = field_names[f];
			return p->e->code = DOCKER_E_NUL;
		}
	/* Keys of a credential are one line each wherever they are shown or
	 * matched; a line break in them is an injection, not a name. */
	for (f = F_URL; f <= F_USER; f++)
		if (strpbrk(*field_slot(p->c, f), "\r\n") != NULL) {
			p->e->field = field_names[f];
			return p->e->code = DOCKER_E_LINEBREAK;
		}
	if (p->len[F_URL] > DOCKER_URL_MAX)
		return p->e->code = DOCKER_E_URL_LONG;
	/* No Secret field means an empty secret, never a NULL one. */
	if (p->c->secret == NULL && (p->c->secret = cobocred_secret_alloc(0)) == NULL)
		return p->e->code = DOCKER_E_NOMEM;
	return 0;
}

int docker_parse_store(const char *in, size_t len, struct docker_creds *out,
		       struct docker_error *err)
{
	struct docker_error scratch;
	struct store_parse p;
	int r = -1;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.e = err != NULL ? err : &scratch;
	memset(p.e, 0, sizeof(*p.e));
	p.c = out;
	p.r.s = (const unsigned char *)in;
	p.r.n = len;
	if (len > DOCKER_INPUT_MAX) {
		r = p.e->code = DOCKER_E_TOOBIG;
		goto out;
	}
	if ((r = parse_value(&p)) != 0 || (r = validate(&p)) != 0)
		goto out;
	r = 0;
out:
	if (r != 0) {
		docker_creds_clear(out);
		if (p.e->code == 0)
			p.e->code = r;
	}
	return r;
}
