/*
 * answer.c - writing Docker credential-helper answers (get, list) and the
 * text of codec errors (see codec.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "json.h"
#include "sbuf.h"

/* An escaped byte takes at most 6 bytes ("\u00XX"); keep 8 x n + slack from overflowing. */
#define FITS(n) ((n) < (SIZE_MAX - 64) / 8)

/* Hands w's bytes (secret memory: cobocred_secret_free) to the caller. */
static int take(struct cobocred_sbuf *w, char **out, size_t *outlen)
{
	if (w->failed) {
		cobocred_sbuf_free(w);
		return DOCKER_E_NOMEM;
	}
	if (w->p == NULL && cobocred_sbuf_add(w, "", 0) != 0)
		return DOCKER_E_NOMEM;
	*out = w->p;
	*outlen = w->len;
	w->p = NULL;
	return 0;
}

static void put_creds(struct cobocred_sbuf *w, const char *url, const char *user,
		      const unsigned char *secret, size_t secret_len)
{
	djson_put(w, "{\"ServerURL\":", 13);
	djson_put_string(w, (const unsigned char *)url, strlen(url));
	djson_put(w, ",\"Username\":", 12);
	djson_put_string(w, (const unsigned char *)user, strlen(user));
	djson_put(w, ",\"Secret\":", 10);
	djson_put_string(w, secret, secret_len);
	djson_put(w, "}\n", 2);
}

int docker_write_creds(const char *server_url, const char *username, const unsigned char *secret,
		       size_t secret_len, char **out, size_t *outlen)
{
	struct cobocred_sbuf w;

	*out = NULL;
	*outlen = 0;
	if (!FITS(strlen(server_url)) || !FITS(strlen(username)) || !FITS(secret_len))
		return DOCKER_E_TOOBIG;
	cobocred_sbuf_init(&w, 8 * (strlen(server_url) + strlen(username) + secret_len) + 64);
	put_creds(&w, server_url, username, secret, secret_len);
	return take(&w, out, outlen);
}

struct ranked {
	struct docker_list_entry e;
	size_t index;
};

/* By server, then by position, so the last of equal servers sorts last. */
static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->e.server, y->e.server);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void put_list(struct cobocred_sbuf *w, const struct ranked *v, size_t n)
{
	size_t i, items = 0;

	djson_put(w, "{", 1);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(v[i].e.server, v[i + 1].e.server) == 0)
			continue; /* a later entry for the same server wins */
		if (items++ > 0)
			djson_put(w, ",", 1);
		djson_put_string(w, (const unsigned char *)v[i].e.server, strlen(v[i].e.server));
		djson_put(w, ":", 1);
		djson_put_string(w, (const unsigned char *)v[i].e.username,
				 strlen(v[i].e.username));
	}
	djson_put(w, "}\n", 2);
}

int docker_write_list(struct docker_list_entry *v, size_t n, char **out, size_t *outlen)
{
	struct cobocred_sbuf w;
	struct ranked *rv = NULL;
	size_t i, total = 0;
	int r = DOCKER_E_NOMEM;

	*out = NULL;
	*outlen = 0;
	if (n > 0 && (rv = calloc(n, sizeof(*rv))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		rv[i].e = v[i];
		rv[i].index = i;
		total += strlen(v[i].server) + strlen(v[i].username) + 2;
		if (!FITS(total)) {
			r = DOCKER_E_TOOBIG;
			goto out;
		}
	}
	if (n > 1)
		qsort(rv, n, sizeof(*rv), cmp_ranked);
	for (i = 0; i < n; i++)
		v[i] = rv[i].e;
	cobocred_sbuf_init(&w, 8 * total + 64);
	put_list(&w, rv, n);
	r = take(&w, out, outlen);
out:
	free(rv);
	return r;
}

const char *docker_strerror(int code)
{
	switch (code) {
	case DOCKER_OK:
		return "success";
	case DOCKER_E_NOMEM:
		return "out of memory";
	case DOCKER_E_TOOBIG:
		return "request larger than 2 MiB; send a smaller secret (up to 1 MiB is fine)";
	case DOCKER_E_EMPTY:
		return "no credentials on stdin; send {\"ServerURL\":...,\"Username\":...,\"Secret\":...}";
	case DOCKER_E_SYNTAX:
		return "invalid JSON; send {\"ServerURL\":...,\"Username\":...,\"Secret\":...}";
	case DOCKER_E_DEPTH:
		return "JSON nested more than 10000 levels deep; send a flat object";
	case DOCKER_E_NOT_OBJECT:
		return "expected a JSON object {\"ServerURL\":...,\"Username\":...,\"Secret\":...}";
	case DOCKER_E_TYPE:
		return "a credentials field is not a JSON string; send strings";
	case DOCKER_E_NO_URL:
		return "no credentials server URL"; /* exactly as the reference helpers say it */
	case DOCKER_E_NO_USER:
		return "no credentials username";
	case DOCKER_E_NUL:
		return "a credentials field contains a NUL character, which credential stores "
		       "cannot keep; remove it";
	case DOCKER_E_URL_LONG:
		return "server URL longer than 65535 bytes; use the registry's address";
	case DOCKER_E_LINEBREAK:
		return "a line break in ServerURL or Username; remove it";
	default:
		return "unknown error";
	}
}

const char *docker_format_error(const struct docker_error *e, char *buf, size_t len)
{
	static const char want[] = "send {\"ServerURL\":...,\"Username\":...,\"Secret\":...}";

	switch (e->code) {
	case DOCKER_E_SYNTAX:
		snprintf(buf, len, "invalid JSON at byte %zu; %s", e->offset, want);
		break;
	case DOCKER_E_DEPTH:
		snprintf(buf, len,
			 "JSON nested more than 10000 levels deep at byte %zu; "
			 "send a flat object",
			 e->offset);
		break;
	case DOCKER_E_NOT_OBJECT:
		snprintf(buf, len, "expected a JSON object, got %s; %s",
			 e->got != NULL ? e->got : "something else", want);
		break;
	case DOCKER_E_TYPE:
		snprintf(buf, len, "%s must be a JSON string, not %s; %s",
			 e->field != NULL ? e->field : "a field", e->got != NULL ? e->got : "that",
			 want);
		break;
	case DOCKER_E_NUL:
		snprintf(buf, len,
			 "%s contains a NUL character, which credential stores cannot "
			 "keep; remove it",
			 e->field != NULL ? e->field : "a field");
		break;
	case DOCKER_E_LINEBREAK:
		snprintf(buf, len, "%s contains a line break; remove it",
			 e->field != NULL ? e->field : "a field");
		break;
	default:
		snprintf(buf, len, "%s", docker_strerror(e->code));
		break;
	}
	return buf;
}
