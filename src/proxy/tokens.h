/*
 * tokens.h - the proxy's in-process token cache: one access token per org,
 * taken from the same lifecycle as every helper (cobocred_token_get_org:
 * the stack's caches, the per-(app, org) lock, one refresh for every
 * helper of the machine or fleet) and asked for again only when it nears
 * expiry (the lifecycle's own window) or the server rejects it.  So a
 * request costs no store read (no file, no D-Bus) while the token is good.
 *
 * The cache belongs to one struct proxy_core (a SIGHUP starts a new one);
 * every call runs with p->lock held, and an item it answers stays valid
 * only while the lock is held.
 */
#ifndef COBOCRED_PROXY_TOKENS_H
#define COBOCRED_PROXY_TOKENS_H

#include "proxy.h"

struct proxy_token; /* one org's entry */

/* org's token (org as cobocred_profile_org answered it) into *out; a COBOCRED_* status. */
int proxy_token_get(struct proxy_core *c, const char *org, const struct cobocred_item **out);
/*
 * The server answered 401 for token (org's): dropped here if it is still
 * the cached one, so the next proxy_token_get goes to the lifecycle, and
 * erased by value from the stores, so the lifecycle refreshes once.  A
 * token another request already replaced is left alone: concurrent 401s
 * for one token cause one refresh.
 */
void proxy_token_rejected(struct proxy_core *c, const char *org, const char *token);
/* Frees the cache, wiping the tokens. */
void proxy_tokens_free(struct proxy_token *list);

#endif
