/*
 * resolved.c - the resolved target (resolved.h): filled once by the
 * router, read by the lifecycle and the store queries.
 */
#include "config.h"

#include <string.h>

#include "resolved.h"

int cobocred_resolved_set(struct cobocred_resolved *rt, const struct cobocred_section *s,
			  const char *org)
{
	const char *base = cobocred_section_get(s, "base_url");
	size_t i;

	memset(rt, 0, sizeof(*rt));
	if (base == NULL || cobocred_parse_base_url(base, &rt->origin, NULL) != 0)
		return -1;
	rt->profile = s;
	rt->org = org;
	for (i = 0; i < COBOCRED_COBO_QUERY_ATTRS - 1; i++) {
		rt->identity[i].name = cobocred_cobo_identity_keys[i];
		rt->identity[i].value = cobocred_section_get(s, rt->identity[i].name);
	}
	rt->identity[COBOCRED_COBO_QUERY_ATTRS - 2].value = org; /* org_id: the one org */
	return 0;
}

void cobocred_resolved_query(const struct cobocred_resolved *rt, const char *kind,
			     struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			     struct cobocred_query *q)
{
	size_t n = COBOCRED_COBO_QUERY_ATTRS - 1;

	memcpy(attrs, rt->identity, n * sizeof(*attrs));
	attrs[n].name = COBOCRED_ATTR_KIND;
	attrs[n].value = kind;
	memset(q, 0, sizeof(*q));
	q->struct_size = sizeof(*q);
	q->schema = COBOCRED_SCHEMA_COBO;
	q->n_attrs = n + 1;
	q->attrs = attrs;
	q->profile = rt->profile->name;
}
