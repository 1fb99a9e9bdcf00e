/*
 * oauth_module.c - the cobo-oauth module's ABI glue: the one exported symbol.
 * Everything else lives in libcobo-oauth.la, which the unit tests link.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>

#include "api.h"
#include "cobocred/module.h"
#include "conf.h"
#include "hostmem.h"
#include "http.h"
#include "key.h"
#include "p11.h"
#include "mint.h"

struct state {
	const struct cobocred_host *host;
	struct oauth_api *api; /* signed API requests (ABI 1.5); owned */
};

static int oauth_open(const struct cobocred_host *host, int argc, const char *const *argv,
		      void **out)
{
	struct state *s;

	*out = NULL;
	/* Every setting is per profile; an option here would be silently lost. */
	if (argc > 0) {
		host->set_error(host->ctx,
				"cobo-oauth takes no module options (got '%.40s'); set it "
				"per profile instead, e.g. [profile NAME] timeout = 30",
				argv[0]);
		return COBOCRED_ERROR;
	}
	if (host->struct_size <
	    offsetof(struct cobocred_host, stack_store) + sizeof(host->stack_store)) {
		host->set_error(host->ctx, "cobo-oauth needs a newer cobo-credential host");
		return COBOCRED_ERROR;
	}
	/* Secrets only in host memory, where the trace writer can redact them. */
	cobocred_hostmem_bind(host->secret_alloc, host->secret_free);
	if (oauth_http_global_init() != 0) {
		host->set_error(host->ctx, "cobo-oauth: libcurl failed to initialise");
		return COBOCRED_UNAVAIL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->api = oauth_api_new(host)) == NULL) {
		free(s);
		oauth_http_global_cleanup();
		host->set_error(host->ctx, "out of memory");
		return COBOCRED_ERROR;
	}
	s->host = host;
	oauth_p11_init(); /* loads nothing: a token is reached on its first use */
	*out = s;
	return COBOCRED_SUCCESS;
}

static void oauth_close(void *state)
{
	if (state == NULL)
		return;
	oauth_api_free(((struct state *)state)->api); /* wipes the cached seeds */
	free(state);
	oauth_p11_cleanup(); /* the last instance logs out of its tokens */
	oauth_http_global_cleanup();
}

static int oauth_get(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct state *s = state;

	return oauth_get_token(s->host, q, out);
}

/* Tokens are kept by the store modules; there is nothing here to erase. */
static int oauth_erase(void *state, const struct cobocred_query *q)
{
	(void)state;
	(void)q;
	return COBOCRED_NOTFOUND;
}

/* Key administration for the host (ABI 1.2): this module owns the app key. */
static int oauth_keys_generate(void *state, char **secret, size_t *secret_len, char *pub,
			       size_t publen)
{
	struct state *s = state;

	return oauth_key_generate(s->host, secret, secret_len, pub, publen);
}

static int oauth_keys_import(void *state, const char *text, size_t len, char **secret,
			     size_t *secret_len, char *pub, size_t publen)
{
	struct state *s = state;

	return oauth_key_import(s->host, text, len, secret, secret_len, pub, publen);
}

static int oauth_keys_public(void *state, const char *profile, char *pub, size_t publen)
{
	struct state *s = state;

	return oauth_key_public(s->host, profile, pub, publen);
}

static int oauth_keys_generate_token(void *state, const char *uri, char *pub, size_t publen)
{
	struct state *s = state;

	return oauth_key_generate_token(s->host, uri, pub, publen);
}

static const struct cobocred_key_ops oauth_keys = {
	.struct_size = sizeof(struct cobocred_key_ops),
	.generate = oauth_keys_generate,
	.import = oauth_keys_import,
	.public_key = oauth_keys_public,
	.generate_token = oauth_keys_generate_token,
};
/* Signed API requests for the host (ABI 1.5): the app secret stays in this module. */
static int oauth_req_sign(void *state, const char *profile, const struct cobocred_http_request *req,
			  struct cobocred_signature *out)
{
	return oauth_api_sign(((struct state *)state)->api, profile, req, out);
}

static int oauth_req_send(void *state, const char *profile, const struct cobocred_http_request *req,
			  const char *const *headers, struct cobocred_http_reply **out)
{
	return oauth_api_send(((struct state *)state)->api, profile, req, headers, out);
}

static void oauth_req_reply_free(void *state, struct cobocred_http_reply *reply)
{
	(void)state;
	oauth_api_reply_free(reply);
}

static int oauth_req_prepare(void *state, const char *profile)
{
	return oauth_api_prepare(((struct state *)state)->api, profile);
}

static const struct cobocred_request_ops oauth_requests = {
	.struct_size = sizeof(struct cobocred_request_ops),
	.sign = oauth_req_sign,
	.send = oauth_req_send,
	.reply_free = oauth_req_reply_free,
	.prepare = oauth_req_prepare,
};
/* Its own schema only: no `schemas =` line needed in the config (ABI 1.2). */
static const char *const oauth_schemas[] = { COBOCRED_SCHEMA_COBO, NULL };

COBOCRED_MODULE_DEFINE(oauth_module, "cobo-oauth",
		       .caps = COBOCRED_CAP_GET | COBOCRED_CAP_MINT | COBOCRED_CAP_ERASE,
		       .open = oauth_open, .close = oauth_close, .get = oauth_get,
		       .erase = oauth_erase, .schemas = oauth_schemas, .settings = oauth_settings,
		       .keys = &oauth_keys, .requests = &oauth_requests)
