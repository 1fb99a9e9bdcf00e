/*
 * match.c - query matching (see match.h).
 */
#include "config.h"

#include <string.h>

#include "match.h"
#include "strutil.h"

static const char *item_attr(const struct file_item *it, const char *name)
{
	size_t i;

	for (i = 0; i < it->n_attrs; i++)
		if (strcmp(it->attrs[i].name, name) == 0)
			return it->attrs[i].value;
	return NULL;
}

static int query_has(const struct cobocred_query *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->n_attrs; i++)
		if (q->attrs[i].name != NULL && strcmp(q->attrs[i].name, name) == 0)
			return 1;
	return 0;
}

static int attrs_match(const struct file_item *it, const struct cobocred_query *q)
{
	size_t i;

	for (i = 0; i < q->n_attrs; i++) {
		const char *want = q->attrs[i].value, *v;

		if (q->attrs[i].name == NULL)
			return 0;
		v = item_attr(it, q->attrs[i].name);
		if (want == NULL ? v != NULL : v == NULL || strcmp(v, want) != 0)
			return 0;
	}
	if (q->flags & COBOCRED_QUERY_EXACT)
		for (i = 0; i < it->n_attrs; i++)
			if (!query_has(q, it->attrs[i].name))
				return 0;
	return 1;
}

int file_item_matches(const struct file_item *it, const struct cobocred_query *q)
{
	if (q == NULL)
		return 1;
	if (q->schema != NULL && strcmp(it->schema, q->schema) != 0)
		return 0;
	if (!attrs_match(it, q))
		return 0;
	if (q->secret != NULL && (it->secret == NULL || it->secret_len != q->secret_len ||
				  !cobocred_consttime_eq(it->secret, q->secret, q->secret_len)))
		return 0;
	return 1;
}
