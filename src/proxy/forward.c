/*
 * forward.c - one admitted request to the profile's origin (forward.h).
 *
 * The signature comes from the core under p->lock (the context is not
 * thread-safe), with the token of the in-process cache (tokens.c, filled
 * from the lifecycle, whose caches and lock make one refresh serve every
 * helper of the machine).  The send runs
 * outside the lock through the module's transport, which is thread-safe,
 * keeps connections alive and verifies Cobo's response signature before
 * it answers SUCCESS: nothing unverified is ever passed back.
 *
 * A 401 that Cobo says is for the token: the exact token is dropped from
 * the cache and erased from the stores (by value, so it goes only if it is
 * still the cached one), the request is signed again with whatever the
 * lifecycle then hands out, and sent once more; the second answer is final.  Under the lock, the first request to
 * see the 401 erases the token and refreshes; the others find the token
 * already replaced, erase nothing and sign with the new one: one refresh
 * however many requests saw the 401.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confine.h"
#include "forward.h"
#include "load.h"
#include "tokens.h"

/* The proxy's own error into a (status, static name, detail). */
static void own_error(struct proxy_answer *a, int status, const char *error, const char *detail)
{
	a->status = status;
	a->error = error;
	snprintf(a->detail, sizeof(a->detail), "%s", detail);
}

/* A failed sign: the status says whose fault it is. */
static void sign_error(struct proxy_answer *a, int st, const char *msg)
{
	switch (st) {
	case COBOCRED_NOTFOUND:
		own_error(a, 403, "org_not_served", msg);
		break;
	case COBOCRED_TRYAGAIN:
	case COBOCRED_UNAVAIL:
		own_error(a, 503, "token_unavailable", msg);
		break;
	case COBOCRED_DENIED:
		own_error(a, 502, "token_denied", msg);
		break;
	default:
		own_error(a, 500, "sign_failed", msg);
		break;
	}
}

/* Under p->lock: the current core, its transport made, one more send counted on it. */
static struct proxy_core *core_take(struct proxy *p, struct proxy_answer *a)
{
	struct proxy_core *c = p->core;

	if (c->transport == NULL &&
	    cobocred_request_transport(c->ctx, c->profile, &c->transport) != COBOCRED_SUCCESS) {
		own_error(a, 500, "no_transport", cobocred_error(c->ctx));
		c->transport = NULL;
		return NULL;
	}
	c->refs++;
	return c;
}

/* Under p->lock: one send less on c; a core SIGHUP replaced goes with its last send. */
static void core_drop(struct proxy *p, struct proxy_core *c)
{
	if (--c->refs == 0 && c != p->core)
		proxy_core_free(c);
}

/* Signs req under the lock; SUCCESS with *s and *core taken, else a filled. */
static int sign(struct proxy *p, const struct proxy_fwd *f, struct cobocred_http_request *req,
		struct cobocred_signed **s, struct proxy_core **core, struct proxy_answer *a)
{
	const struct cobocred_item *tok = NULL;
	int st = COBOCRED_ERROR;

	pthread_mutex_lock(&p->lock);
	*core = core_take(p, a);
	if (*core == NULL)
		goto out;
	st = proxy_token_get(*core, f->org, &tok);
	if (st == COBOCRED_SUCCESS)
		st = cobocred_request_sign_with((*core)->ctx, (*core)->profile, f->org, tok, req,
						s);
	if (st != COBOCRED_SUCCESS) {
		sign_error(a, st, cobocred_error((*core)->ctx));
		core_drop(p, *core);
		*core = NULL;
	} else {
		req->nonce = (*s)->nonce;
	}
out:
	pthread_mutex_unlock(&p->lock);
	return st;
}

/* "Content-Type: ..." of the upstream's header block into out ("" when none or unsafe). */
static void reply_content_type(const struct cobocred_http_reply *r, char *out, size_t outlen)
{
	static const char name[] = "content-type:";
	const char *h = r->headers, *end = h != NULL ? h + r->headers_len : NULL;

	out[0] = '\0';
	while (h != NULL && h < end) {
		const char *eol = memchr(h, '\n', (size_t)(end - h));
		size_t n = eol != NULL ? (size_t)(eol - h) : (size_t)(end - h);

		if (n > sizeof(name) - 1 && strncasecmp(h, name, sizeof(name) - 1) == 0) {
			const char *v = h + sizeof(name) - 1;
			size_t vn = n - (sizeof(name) - 1);

			while (vn > 0 && (*v == ' ' || *v == '\t'))
				v++, vn--;
			while (vn > 0 && (v[vn - 1] == '\r' || v[vn - 1] == ' '))
				vn--;
			if (vn < outlen) {
				memcpy(out, v, vn);
				out[vn] = '\0';
				if (!proxy_header_value_ok(out))
					out[0] = '\0';
			}
		}
		h = eol != NULL ? eol + 1 : end;
	}
}

/* The verified answer, or why there is none, into a. */
static void take_reply(int st, const struct cobocred_http_reply *r, struct proxy_answer *a)
{
	if (r == NULL) {
		own_error(a, 500, "internal", "out of memory");
		return;
	}
	if (st != COBOCRED_SUCCESS || !r->verified) {
		own_error(a, 502, r->status > 0 ? "upstream_unverified" : "upstream_unreachable",
			  r->error[0] != '\0' ? r->error : "no verified answer from the origin");
		return;
	}
	a->body = malloc(r->body_len > 0 ? r->body_len : 1);
	if (a->body == NULL) {
		own_error(a, 500, "internal", "out of memory");
		return;
	}
	if (r->body_len > 0)
		memcpy(a->body, r->body, r->body_len);
	a->body_len = r->body_len;
	a->status = (int)r->status;
	reply_content_type(r, a->content_type, sizeof(a->content_type));
}

void proxy_forward(struct proxy *p, const struct proxy_fwd *f, struct proxy_answer *a)
{
	struct cobocred_http_request req = { .struct_size = sizeof(req) };
	struct cobocred_http_reply *reply = NULL;
	struct cobocred_signed *s = NULL;
	struct proxy_core *core = NULL;
	char *path = NULL;
	size_t qa = strcspn(f->target, "?");
	int st, attempt, again;

	memset(a, 0, sizeof(*a));
	path = strndup(f->target, qa);
	if (path == NULL) {
		own_error(a, 500, "internal", "out of memory");
		return;
	}
	req.method = f->method;
	req.path = path;
	req.query = f->target[qa] == '?' ? f->target + qa + 1 : "";
	req.body = f->body;
	req.body_len = f->body_len;
	for (attempt = 0; attempt < 2; attempt++) {
		if (sign(p, f, &req, &s, &core, a) != COBOCRED_SUCCESS)
			break;
		/* only the four signed lines: the transport adds Accept and Content-Type */
		st = cobocred_transport_send(core->transport, &req, (const char *const *)s->headers,
					     &reply);
		again = attempt == 0 && st == COBOCRED_SUCCESS &&
			cobocred_reply_token_rejected(reply);
		if (!again)
			take_reply(st, reply, a);
		cobocred_transport_reply_free(core->transport, reply);
		reply = NULL;
		pthread_mutex_lock(&p->lock);
		if (again)
			proxy_token_rejected(core, s->org, s->token);
		core_drop(p, core);
		pthread_mutex_unlock(&p->lock);
		cobocred_signed_free(s);
		s = NULL;
		if (!again)
			break;
	}
	free(path);
}

void proxy_answer_clear(struct proxy_answer *a)
{
	free(a->body);
	a->body = NULL;
	a->body_len = 0;
}
