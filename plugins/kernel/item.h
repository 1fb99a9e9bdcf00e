/*
 * item.h - payload views to host items, and the module's keeping policy.
 */
#ifndef KERNEL_ITEM_H
#define KERNEL_ITEM_H

#include "payload.h"
#include "state.h"

/* A host item from a parsed payload (the secret only with with_secret); NULL on OOM. */
struct cobocred_item *kn_item_from_view(const struct cobocred_host *h, const struct kp_view *v,
					int with_secret);

/*
 * 1 when the module keeps credentials of schema: Cobo tokens always,
 * plain git/docker ones only with a lifetime (NULL: any schema).
 */
int kn_takes_schema(const struct kernel_state *s, const char *schema);

/*
 * The key timeout for item stored at now: the token's expiry, or for a
 * plain credential the lifetime (its expiry if sooner); 0 for none.
 * -1 when the module does not keep the item (refresh tokens unless
 * refresh_tokens=yes, plain credentials without a lifetime, expired ones).
 */
int kn_timeout(const struct kernel_state *s, const struct cobocred_item *it, int64_t now,
	       unsigned *timeout);

#endif
