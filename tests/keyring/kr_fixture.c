/*
 * kr_fixture.c - see kr_fixture.h.
 */
#include "config.h"

#include <string.h>

#include "cutest.h"
#include "kr_fixture.h"

struct cobocred_item *krf_token(const struct cobocred_host *h, const char *base_url,
				const char *label, const char *secret, int64_t created,
				int64_t expires)
{
	struct cobocred_item *it = h->item_new(COBOCRED_SCHEMA_COBO);

	CU_ASSERT_FATAL(it != NULL);
	h->item_set_label(it, label);
	h->item_add_attr(it, "base_url", base_url);
	h->item_add_attr(it, "client_id", "c");
	h->item_add_attr(it, "org_id", "o");
	h->item_add_attr(it, "kind", "access");
	h->item_set_secret(it, secret, strlen(secret));
	h->item_set_times(it, created, expires);
	return it;
}

void krf_query(struct cobocred_query *q, struct cobocred_attr a[4], const char *base_url)
{
	static const char *const kv[4][2] = {
		{ "base_url", NULL },
		{ "client_id", "c" },
		{ "org_id", "o" },
		{ "kind", "access" },
	};
	size_t i;

	memset(q, 0, sizeof(*q));
	q->struct_size = sizeof(*q);
	q->schema = COBOCRED_SCHEMA_COBO;
	for (i = 0; i < 4; i++) {
		a[i].name = kv[i][0];
		a[i].value = i == 0 ? base_url : kv[i][1];
	}
	q->attrs = a;
	q->n_attrs = 4;
}
