/*
 * storeitem.c - the app-secret item of the store stack (storeitem.h).  A
 * stack that answers success without an item has none: NOTFOUND, so the
 * callers' message says what to store.
 */
#include "config.h"

#include "storeitem.h"

int oauth_store_item_get(const struct cobocred_host *host, const char *profile, const char *name,
			 const char *value, struct cobocred_item **it)
{
	struct cobocred_attr attrs[] = { { name, value } };
	struct cobocred_query q = {
		.struct_size = sizeof(q),
		.schema = COBOCRED_SCHEMA_APP_SECRET,
		.n_attrs = 1,
		.attrs = attrs,
		.profile = profile,
	};
	struct cobocred_item *got = NULL; /* ours until handed over in *it */
	int st;

	*it = NULL;
	st = host->stack_get(host->ctx, &q, &got);
	if (st == COBOCRED_SUCCESS && got == NULL)
		st = COBOCRED_NOTFOUND;
	if (st == COBOCRED_SUCCESS) {
		*it = got;
		got = NULL;
	}
	if (got != NULL)
		host->item_free(got);
	return st;
}
