/*
 * storeitem.h - an item of the app-secret schema read from the store
 * stack (module.h stack_get): the app key by its client_id (key.c), a
 * PKCS#11 token's user PIN by its token label (p11pin.c).  The one query
 * of the user's stores for a secret this module keeps there.
 */
#ifndef COBO_OAUTH_STOREITEM_H
#define COBO_OAUTH_STOREITEM_H

#include "cobocred/module.h"

/*
 * The store stack's COBOCRED_SCHEMA_APP_SECRET item whose attribute name
 * is value, for profile (NULL: none).  Returns COBOCRED_SUCCESS with *it
 * set (the caller's, to free with host->item_free); COBOCRED_NOTFOUND when
 * no store holds one, the caller then says what to store where; else the
 * stack's status, its own message already set.  *it is NULL unless
 * COBOCRED_SUCCESS.
 */
int oauth_store_item_get(const struct cobocred_host *host, const char *profile, const char *name,
			 const char *value, struct cobocred_item **it);

#endif
