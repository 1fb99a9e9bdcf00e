/*
 * api.h - signed Cobo API requests (module.h ABI 1.5 request ops): the
 * module signs a resource request with the app key and sends it with the
 * profile's TLS settings, verifying Cobo's response signature.
 *
 * The app secret never leaves this module.  Per profile, prepare (or the
 * first sign) reads the settings and the seed once, through the host, and
 * keeps them until close: the seed in host secret memory, wiped on close.
 * send makes no host call and shares only the mutex-guarded profile list
 * and the libcurl share handle (connection reuse), so the proxy's threads
 * send at once.
 */
#ifndef COBO_OAUTH_API_H
#define COBO_OAUTH_API_H

#include "cobocred/module.h"

#define OAUTH_API_BODY_MAX (16 * 1024 * 1024) /* larger answers are refused */

struct oauth_api;

/* A new instance for host (NULL on OOM). */
struct oauth_api *oauth_api_new(const struct cobocred_host *host);
/* Wipes every cached seed and frees a. NULL is a no-op. */
void oauth_api_free(struct oauth_api *a);

/* The ops, as module.h describes them. */
int oauth_api_prepare(struct oauth_api *a, const char *profile);
int oauth_api_sign(struct oauth_api *a, const char *profile,
		   const struct cobocred_http_request *req, struct cobocred_signature *out);
int oauth_api_send(struct oauth_api *a, const char *profile,
		   const struct cobocred_http_request *req, const char *const *headers,
		   struct cobocred_http_reply **out);
void oauth_api_reply_free(struct cobocred_http_reply *reply);

#endif
