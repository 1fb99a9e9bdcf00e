/*
 * tokens.c - the in-process token cache (tokens.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tokens.h"

struct proxy_token {
	char *org;		   /* owned */
	struct cobocred_item *tok; /* owned (host secret memory); NULL once rejected */
	struct proxy_token *next;
};

/* The lifecycle's rule: fresh while more than max(60 s, a tenth of its life) is left. */
static int fresh(struct cobocred_ctx *ctx, const struct cobocred_item *it)
{
	int64_t window = 60;

	if (it == NULL)
		return 0;
	if (it->expires_at == 0)
		return 1;
	if (it->created_at > 0 && (it->expires_at - it->created_at) / 10 > window)
		window = (it->expires_at - it->created_at) / 10;
	return it->expires_at - cobocred_now(ctx) > window;
}

static struct proxy_token *entry(struct proxy_core *c, const char *org, int make)
{
	struct proxy_token *e;

	for (e = c->tokens; e != NULL; e = e->next)
		if (strcmp(e->org, org) == 0)
			return e;
	if (!make)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->org = strdup(org)) == NULL) {
		free(e);
		return NULL;
	}
	e->next = c->tokens;
	c->tokens = e;
	return e;
}

int proxy_token_get(struct proxy_core *c, const char *org, const struct cobocred_item **out)
{
	struct proxy_token *e = entry(c, org, 1);
	struct cobocred_item *it = NULL;
	int st;

	*out = NULL;
	if (e == NULL) {
		cobocred_set_error(c->ctx, "out of memory");
		return COBOCRED_ERROR;
	}
	if (!fresh(c->ctx, e->tok)) {
		st = cobocred_token_get_org(c->ctx, c->profile, org, 0, &it);
		if (st != COBOCRED_SUCCESS)
			return st;
		cobocred_item_free(e->tok);
		e->tok = it;
	}
	*out = e->tok;
	return COBOCRED_SUCCESS;
}

void proxy_token_rejected(struct proxy_core *c, const char *org, const char *token)
{
	struct proxy_token *e = entry(c, org, 0);

	if (e != NULL && e->tok != NULL && strcmp((const char *)e->tok->secret, token) == 0) {
		cobocred_item_free(e->tok);
		e->tok = NULL;
	}
	/* by value: a no-op when the stores already hold a newer token */
	(void)cobocred_token_erase_org(c->ctx, c->profile, org, token);
}

void proxy_tokens_free(struct proxy_token *list)
{
	while (list != NULL) {
		struct proxy_token *next = list->next;

		cobocred_item_free(list->tok);
		free(list->org);
		free(list);
		list = next;
	}
}
