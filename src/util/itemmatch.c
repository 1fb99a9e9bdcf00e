/*
 * itemmatch.c - the query matching rules every store shares: schema equal,
 * each query attribute equal (a NULL value: must be absent), no extra
 * attributes under COBOCRED_QUERY_EXACT, the secret equal if the query
 * names one (compared in constant time).  In the util library so modules
 * that work on struct cobocred_item apply the very same rules as the core.
 */
#include "config.h"

#include <string.h>

#include "itemmatch.h"
#include "strutil.h"

const char *cobocred_item_attr(const struct cobocred_item *item, const char *name)
{
	size_t i;

	for (i = 0; i < item->n_attrs; i++)
		if (strcmp(item->attrs[i].name, name) == 0)
			return item->attrs[i].value;
	return NULL;
}

/* q's attribute called name, or NULL when q does not name it. */
static const struct cobocred_attr *query_attr(const struct cobocred_query *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->n_attrs; i++)
		if (strcmp(q->attrs[i].name, name) == 0)
			return &q->attrs[i];
	return NULL;
}

/* 1 if every attribute of a is in b with the same value (NULL: must be absent). */
static int attrs_within(const struct cobocred_query *a, const struct cobocred_query *b)
{
	size_t i;

	for (i = 0; i < a->n_attrs; i++) {
		const struct cobocred_attr *o = query_attr(b, a->attrs[i].name);
		const char *v = a->attrs[i].value;

		if (o == NULL || (v == NULL) != (o->value == NULL) ||
		    (v != NULL && strcmp(v, o->value) != 0))
			return 0;
	}
	return 1;
}

int cobocred_query_same(const struct cobocred_query *a, const struct cobocred_query *b)
{
	if (a->flags != b->flags || a->secret != NULL || b->secret != NULL ||
	    (a->schema == NULL) != (b->schema == NULL) ||
	    (a->schema != NULL && strcmp(a->schema, b->schema) != 0))
		return 0;
	return attrs_within(a, b) && attrs_within(b, a);
}

int cobocred_item_matches(const struct cobocred_item *item, const struct cobocred_query *q)
{
	size_t i;

	if (q->schema != NULL && strcmp(item->schema, q->schema) != 0)
		return 0;
	for (i = 0; i < q->n_attrs; i++) {
		const char *v = cobocred_item_attr(item, q->attrs[i].name);

		if (q->attrs[i].value == NULL ? v != NULL
					      : v == NULL || strcmp(v, q->attrs[i].value) != 0)
			return 0;
	}
	if (q->flags & COBOCRED_QUERY_EXACT)
		for (i = 0; i < item->n_attrs; i++)
			if (query_attr(q, item->attrs[i].name) == NULL)
				return 0;
	if (q->secret != NULL && (item->secret == NULL || item->secret_len != q->secret_len ||
				  !cobocred_consttime_eq(item->secret, q->secret, q->secret_len)))
		return 0;
	return 1;
}
