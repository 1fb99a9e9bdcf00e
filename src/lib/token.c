/*
 * token.c - the token lifecycle entry points (DESIGN.md "The token
 * lifecycle"); the single-flight machinery itself is in stack.c.
 */
#include "config.h"

#include <string.h>

#include "core.h"

/* attrs must have room for COBOCRED_COBO_QUERY_ATTRS: the one identity rule (cobo_identity.c). */
static int token_query(struct cobocred_ctx *ctx, const char *profile, const char *kind,
		       struct cobocred_attr *attrs, struct cobocred_query *q)
{
	return cobocred_cobo_query(ctx, profile, kind, attrs, q);
}

int cobocred_token_get(struct cobocred_ctx *ctx, const char *profile, int64_t min_valid,
		       struct cobocred_item **out)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	struct cobocred_item *stale = NULL;
	struct run_opts opts = { .lifecycle = 1, .min_valid = min_valid, .stale = &stale };
	int st;

	*out = NULL;
	if (ctx->cfg == NULL)
		return COBOCRED_ERROR;
	st = token_query(ctx, profile, "access", attrs, &q);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = cobocred_stack_run(ctx, COBOCRED_OP_GET, &q, NULL, out, &opts);
	if (st != COBOCRED_SUCCESS && stale != NULL && stale->expires_at > cobocred_now(ctx)) {
		/* A failed refresh never costs a token that still works. */
		cobocred_trace(ctx, "refresh did not succeed (%s: %s); answering the cached token, "
			       "valid %lld s more", cobocred_status_name(st), cobocred_error(ctx),
			       (long long)(stale->expires_at - cobocred_now(ctx)));
		*out = stale;
		stale = NULL;
		st = COBOCRED_SUCCESS;
	}
	cobocred_item_free(stale);
	return st;
}

int cobocred_token_erase(struct cobocred_ctx *ctx, const char *profile, const char *token)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	int st;

	if (ctx->cfg == NULL)
		return COBOCRED_ERROR;
	st = token_query(ctx, profile, "access", attrs, &q);
	if (st != COBOCRED_SUCCESS)
		return st;
	if (token != NULL) {
		q.secret = (const unsigned char *)token;
		q.secret_len = strlen(token);
	}
	return cobocred_erase(ctx, &q);
}
