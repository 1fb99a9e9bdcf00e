/*
 * token.c - the token lifecycle entry points (DESIGN.md "The token
 * lifecycle"); the single-flight machinery itself is in stack.c.
 */
#include "config.h"

#include <string.h>

#include "core.h"

/* attrs must have room for 4. */
static int token_query(struct cobocred_ctx *ctx, const char *profile, const char *kind,
		       struct cobocred_attr *attrs, struct cobocred_query *q)
{
	static const char *const keys[] = { "base_url", "client_id", "org_id" };
	size_t i;

	memset(q, 0, sizeof(*q));
	if (cobocred_config_profile(ctx->cfg, profile) == NULL) {
		cobocred_set_error(ctx, "no profile '%s' in %s; run 'cobo-credential profile list'",
				   profile, ctx->cfg->path);
		return COBOCRED_NOTFOUND;
	}
	for (i = 0; i < 3; i++) {
		attrs[i].name = keys[i];
		attrs[i].value = cobocred_profile_get(ctx, profile, keys[i]);
	}
	attrs[3].name = "kind";
	attrs[3].value = kind;
	q->struct_size = sizeof(*q);
	q->schema = COBOCRED_SCHEMA_COBO;
	q->n_attrs = 4;
	q->attrs = attrs;
	q->profile = profile;
	return COBOCRED_SUCCESS;
}

int cobocred_token_get(struct cobocred_ctx *ctx, const char *profile, int64_t min_valid,
		       struct cobocred_item **out)
{
	struct cobocred_attr attrs[4];
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
	struct cobocred_attr attrs[4];
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
