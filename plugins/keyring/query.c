/*
 * query.c - queries against the keyring: what to ask the Secret Service
 * for, and the exact match rules applied to what it returns.
 *
 * The Secret Service can only say "these attributes equal these values".
 * Our queries can also say "this attribute must be absent" (a NULL value)
 * and "no other attributes" (COBOCRED_QUERY_EXACT), so we search with the
 * valued attributes and filter the results in C with the core's rules.
 */
#include "config.h"

#include <string.h>

#include "map.h"
#include "itemmatch.h"
#include "strutil.h"

static int git_search(const struct cobocred_query *q, struct kr_attrs *out)
{
	static const struct cobocred_attr names[] = {
		{ "protocol", "protocol" },
		{ "path", "object" },
		{ "username", "user" },
	};
	const char *port;
	size_t i, j, n;

	for (i = 0; i < q->n_attrs; i++) {
		const char *name = q->attrs[i].name, *value = q->attrs[i].value;

		if (value == NULL)
			continue;
		if (strcmp(name, "host") == 0) {
			kr_split_host(value, &n, &port);
			if (kr_attrs_addn(out, "server", value, n) != 0 ||
			    (port != NULL && kr_attrs_add(out, "port", port) != 0))
				return -1;
			continue;
		}
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (strcmp(name, names[j].name) == 0)
				break;
		if (j == sizeof(names) / sizeof(names[0]))
			return KR_NOMATCH; /* git items have no such attribute */
		if (kr_attrs_add(out, names[j].value, value) != 0)
			return -1;
	}
	/* No xdg:schema: git 2.39 wrote KR_SS_GIT_LEGACY, newer git org.git.Password. */
	return 0;
}

static int docker_search(const struct cobocred_query *q, struct kr_attrs *out)
{
	size_t i;

	for (i = 0; i < q->n_attrs; i++) {
		const char *name = q->attrs[i].name, *value = q->attrs[i].value;

		if (value == NULL)
			continue;
		if (strcmp(name, "server") != 0 && strcmp(name, "username") != 0)
			return KR_NOMATCH;
		if (kr_attrs_add(out, name, value) != 0)
			return -1;
	}
	/* what docker-credential-secretservice's get searches with */
	if (kr_attrs_add(out, "docker_cli", "1") != 0 ||
	    kr_attrs_add(out, KR_XDG_SCHEMA, COBOCRED_SCHEMA_DOCKER) != 0)
		return -1;
	return 0;
}

static int generic_search(const struct cobocred_query *q, const char *schema, struct kr_attrs *out)
{
	size_t i;

	for (i = 0; i < q->n_attrs; i++) {
		const char *name = q->attrs[i].name, *value = q->attrs[i].value;

		if (value == NULL)
			continue;
		/*
		 * metadata and the provider's attributes are never searched: no
		 * item of ours shows them as attributes
		 */
		if (strcmp(name, KR_XDG_SCHEMA) == 0 || strcmp(name, "expires_at") == 0 ||
		    strcmp(name, "created_at") == 0 || kr_provider_attr(name))
			return KR_NOMATCH;
		if (kr_attrs_add(out, name, value) != 0)
			return -1;
	}
	return kr_attrs_add(out, KR_XDG_SCHEMA, schema) != 0 ? -1 : 0;
}

int kr_query_to_search(const struct cobocred_query *q, const char *schema, struct kr_attrs *out)
{
	kr_attrs_init(out);
	if (q->schema != NULL && strcmp(q->schema, schema) != 0)
		return KR_NOMATCH;
	switch (kr_kind_of(schema)) {
	case KR_GIT:
		return git_search(q, out);
	case KR_DOCKER:
		return docker_search(q, out);
	default:
		return generic_search(q, schema, out);
	}
}

void kr_identity_query(const struct cobocred_item *it, struct cobocred_query *q,
		       struct cobocred_attr *attrs)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	q->struct_size = sizeof(*q);
	q->schema = it->schema;
	q->attrs = attrs;
	if (kr_kind_of(it->schema) == KR_DOCKER) {
		/* one entry per ServerURL, whatever the username */
		for (i = 0; i < it->n_attrs; i++)
			if (strcmp(it->attrs[i].name, "server") == 0)
				attrs[q->n_attrs++] = it->attrs[i];
		return;
	}
	for (i = 0; i < it->n_attrs && i < KR_MAX_ATTRS; i++)
		attrs[q->n_attrs++] = it->attrs[i];
	q->flags = COBOCRED_QUERY_EXACT;
}

int kr_item_matches(const struct cobocred_item *it, const struct cobocred_query *q)
{
	return cobocred_item_matches(it, q); /* the core's rules, from the util library */
}
