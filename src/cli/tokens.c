/*
 * tokens.c - listing and erasing a profile's cached Cobo tokens.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tokens.h"

/* 1 if the ", "-separated list holds name. */
static int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (*list) {
		size_t w = strcspn(list, ",");

		if (w == n && strncmp(list, name, n) == 0)
			return 1;
		list += w;
		list += strspn(list, ", ");
	}
	return 0;
}

static void add_module(struct cli_cached *c, const char *origin)
{
	size_t n = strlen(c->modules);
	const char *name = origin[0] ? origin : "?";

	/* Each module once, in the order the stack answered. */
	if (!list_has(c->modules, name))
		snprintf(c->modules + n, sizeof(c->modules) - n, "%s%s", n ? ", " : "", name);
}

void cli_cached_lookup(struct cli *cli, const char *profile, const char *kind, struct cli_cached *c)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	struct cobocred_item *list = NULL, *it;

	memset(c, 0, sizeof(*c));
	/* The identity rule is the core's, shared with the lifecycle (cobo_identity.c). */
	c->status = cobocred_cobo_query(cli->ctx, profile, kind, attrs, &q);
	q.flags = COBOCRED_QUERY_ATTRS_ONLY; /* status shows dates, never a secret */
	if (c->status == COBOCRED_SUCCESS)
		c->status = cobocred_list(cli->ctx, &q, &list);
	if (c->status != COBOCRED_SUCCESS && c->status != COBOCRED_NOTFOUND)
		snprintf(c->error, sizeof(c->error), "%s", cobocred_error(cli->ctx));
	for (it = list; it != NULL; it = it->next) {
		/* The longest-lived copy is the one the lifecycle would use. */
		if (c->found == 0 || (it->expires_at == 0 && c->expires_at != 0) ||
		    (c->expires_at != 0 && it->expires_at > c->expires_at)) {
			c->expires_at = it->expires_at;
			c->created_at = it->created_at;
		}
		c->found++;
		add_module(c, cobocred_item_origin(it));
	}
	cobocred_item_free(list);
}

int cli_cached_erase(struct cli *cli, const char *profile, const char *kind)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	int st = cobocred_cobo_query(cli->ctx, profile, kind, attrs, &q);

	return st == COBOCRED_SUCCESS ? cobocred_erase(cli->ctx, &q) : st;
}
