/*
 * transport.c - the owner module's ABI 1.5 request operations, and the
 * transport: its send op bound to one profile, for callers that send from
 * several threads (the proxy).
 *
 * Why a separate object: a context is single-threaded (its error buffer,
 * the stack, the lifecycle), but a module's send is not tied to it (no
 * host calls, module.h).  The transport holds only what send needs (the
 * op table, the module state, the profile name), all fixed while ctx
 * lives, so threads share it without the context's lock.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "core.h"
#include "reqops.h"

struct cobocred_transport {
	const struct cobocred_request_ops *ops; /* the module's, static */
	void *state;				/* the module instance's; ctx owns it */
	char *profile;				/* owned */
};

#define NEED(field) (offsetof(struct cobocred_request_ops, field) + sizeof(void (*)(void)))

const struct cobocred_request_ops *cobocred_request_ops(struct cobocred_ctx *ctx, void **state,
							int *status)
{
	struct instance *in = cobocred_schema_owner(ctx, COBOCRED_SCHEMA_COBO, status);
	const struct cobocred_request_ops *ops = in != NULL ? in->mod.requests : NULL;

	*state = NULL;
	if (in == NULL)
		return NULL;
	if (ops == NULL || ops->struct_size < NEED(reply_free) || ops->sign == NULL ||
	    ops->send == NULL || ops->reply_free == NULL) {
		cobocred_set_error(ctx,
				   "module '%s' cannot sign Cobo API requests (it predates ABI "
				   "1.5); upgrade it",
				   in->name);
		*status = COBOCRED_UNAVAIL;
		return NULL;
	}
	*state = in->mstate;
	*status = COBOCRED_SUCCESS;
	return ops;
}

int cobocred_request_prepare(struct cobocred_ctx *ctx, const struct cobocred_request_ops *ops,
			     void *state, const char *profile)
{
	int st;

	if (ops->struct_size < NEED(prepare) || ops->prepare == NULL)
		return COBOCRED_SUCCESS; /* sign caches what send needs */
	ctx->error[0] = '\0';
	st = ops->prepare(state, profile);
	if (st < 0 || st >= COBOCRED_STATUS_COUNT) {
		cobocred_set_error(ctx, "prepare returned invalid status %d; report this bug", st);
		return COBOCRED_ERROR;
	}
	if (st != COBOCRED_SUCCESS && ctx->error[0] == '\0')
		cobocred_set_error(ctx, "cannot prepare [profile %s] for API requests (%s)",
				   profile, cobocred_status_name(st));
	return st;
}

int cobocred_request_transport(struct cobocred_ctx *ctx, const char *profile,
			       struct cobocred_transport **out)
{
	struct cobocred_transport *t = NULL;
	const struct cobocred_request_ops *ops;
	void *state;
	int st;

	*out = NULL;
	if (cobocred_profile_get(ctx, profile, "base_url") == NULL) {
		cobocred_set_error(ctx, "no Cobo profile '%s' with a base_url", profile);
		return COBOCRED_NOTFOUND;
	}
	ops = cobocred_request_ops(ctx, &state, &st);
	if (ops == NULL)
		return st;
	st = cobocred_request_prepare(ctx, ops, state, profile);
	if (st != COBOCRED_SUCCESS)
		return st;
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->profile = strdup(profile)) == NULL) {
		free(t);
		cobocred_set_error(ctx, "out of memory");
		return COBOCRED_ERROR;
	}
	t->ops = ops;
	t->state = state;
	*out = t;
	return COBOCRED_SUCCESS;
}

/* A reply that says why nothing was sent, when the module could not be asked. */
static struct cobocred_http_reply *local_failure(const char *why)
{
	struct cobocred_http_reply *r = calloc(1, sizeof(*r));

	if (r != NULL) {
		r->struct_size = sizeof(*r);
		snprintf(r->error, sizeof(r->error), "%s", why);
	}
	return r;
}

int cobocred_transport_send(const struct cobocred_transport *t,
			    const struct cobocred_http_request *req, const char *const *headers,
			    struct cobocred_http_reply **out)
{
	int st;

	*out = NULL;
	st = t->ops->send(t->state, t->profile, req, headers, out);
	if (st < 0 || st >= COBOCRED_STATUS_COUNT)
		st = COBOCRED_ERROR;
	if (*out == NULL) {
		/* Ours, not the module's: marked by struct_size 0 for reply_free. */
		*out = local_failure("the module answered no reply (out of memory?)");
		if (*out != NULL)
			(*out)->struct_size = 0;
		return COBOCRED_ERROR;
	}
	if (st == COBOCRED_SUCCESS && !(*out)->verified) {
		snprintf((*out)->error, sizeof((*out)->error), "%s",
			 "the module passed on an answer it did not verify; report this bug");
		st = COBOCRED_ERROR;
	}
	return st;
}

void cobocred_transport_reply_free(const struct cobocred_transport *t,
				   struct cobocred_http_reply *reply)
{
	if (reply == NULL)
		return;
	if (reply->struct_size == 0)
		free(reply);
	else
		t->ops->reply_free(t->state, reply);
}

void cobocred_transport_free(struct cobocred_transport *t)
{
	if (t == NULL)
		return;
	free(t->profile);
	free(t);
}
