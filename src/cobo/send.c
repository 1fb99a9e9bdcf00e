/*
 * send.c - cobocred_request_send: sign, send through the owner module,
 * and recover once from a token the server no longer takes.
 *
 * Why exactly one retry: a 401 for the token means the server did not act
 * on the request (it stopped at authentication), so sending it again with
 * a fresh token is safe even for a POST; a second 401 means the fresh
 * token is refused too, and asking again would only spend tokens.  The
 * stale token is erased only if it is still the cached one (erase by
 * value), so a token another process refreshed meanwhile survives, and
 * the lifecycle's single flight makes one refresh serve every process.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "core.h"
#include "reqops.h"

/* Sends req with s's headers through ops. */
static int send_once(struct cobocred_ctx *ctx, const struct cobocred_request_ops *ops, void *state,
		     const char *profile, const struct cobocred_http_request *req,
		     const struct cobocred_signed *s, struct cobocred_http_reply **out)
{
	struct cobocred_http_request r = *req;
	int st;

	r.struct_size = sizeof(r);
	r.query = req->query != NULL ? req->query : "";
	r.nonce = s->nonce;
	*out = NULL;
	st = ops->send(state, profile, &r, (const char *const *)s->headers, out);
	if (st < 0 || st >= COBOCRED_STATUS_COUNT)
		st = COBOCRED_ERROR;
	if (*out == NULL) {
		cobocred_set_error(ctx, "out of memory sending the request");
		return COBOCRED_ERROR;
	}
	if (st == COBOCRED_SUCCESS && !(*out)->verified)
		st = COBOCRED_ERROR; /* a module bug: fail closed */
	if (st != COBOCRED_SUCCESS)
		cobocred_set_error(ctx, "%s",
				   (*out)->error[0] ? (*out)->error
						    : "the request failed; no reason given");
	return st;
}

int cobocred_request_send(struct cobocred_ctx *ctx, const char *profile, const char *org,
			  const struct cobocred_http_request *req, struct cobocred_http_reply **out)
{
	const struct cobocred_request_ops *ops;
	struct cobocred_signed *s = NULL;
	void *state = NULL;
	int st, attempt;

	*out = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		st = cobocred_request_sign(ctx, profile, org, req, &s);
		if (st != COBOCRED_SUCCESS)
			break;
		ops = cobocred_request_ops(ctx, &state, &st); /* loaded by sign: no new work */
		if (ops != NULL)
			st = send_once(ctx, ops, state, profile, req, s, out);
		if (st != COBOCRED_SUCCESS || attempt > 0 || !cobocred_reply_token_rejected(*out))
			break;
		cobocred_trace(ctx, "signed request: HTTP 401 for the token; "
				    "dropping it and retrying once with a fresh one");
		/* The cache's copy, only if still that token; failure to erase is harmless:
		 * the lifecycle hands out the same token, which fails again. */
		(void)cobocred_token_erase_org(ctx, profile, s->org, s->token);
		ops->reply_free(state, *out);
		*out = NULL;
		cobocred_signed_free(s);
		s = NULL;
	}
	cobocred_signed_free(s);
	return st;
}

void cobocred_reply_free(struct cobocred_ctx *ctx, struct cobocred_http_reply *reply)
{
	const struct cobocred_request_ops *ops;
	void *state = NULL;
	int st;

	if (reply == NULL)
		return;
	ops = cobocred_request_ops(ctx, &state, &st);
	if (ops != NULL)
		ops->reply_free(state, reply);
}
