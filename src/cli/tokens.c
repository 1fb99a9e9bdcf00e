/*
 * tokens.c - listing and erasing a profile's cached Cobo tokens.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orgset.h"
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

void cli_cached_lookup(struct cli *cli, const char *profile, const char *org, const char *kind,
		       struct cli_cached *c)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	struct cobocred_item *list = NULL, *it;

	memset(c, 0, sizeof(*c));
	/* The identity rule is the core's, shared with the lifecycle (cobo_identity.c). */
	c->status = cobocred_cobo_query_org(cli->ctx, profile, org, kind, attrs, &q);
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

int cli_cached_erase(struct cli *cli, const char *profile, const char *org, const char *kind)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	int st = cobocred_cobo_query_org(cli->ctx, profile, org, kind, attrs, &q);

	return st == COBOCRED_SUCCESS ? cobocred_erase(cli->ctx, &q) : st;
}

/* Adds a copy of org (n bytes) unless it is there; 0 or -1 (out of memory). */
static int orgs_add(struct cli_orgs *o, const char *org, size_t n)
{
	char **v;
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strlen(o->v[i]) == n && strncmp(o->v[i], org, n) == 0)
			return 0;
	v = realloc(o->v, (o->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	o->v = v;
	if ((o->v[o->n] = strndup(org, n)) == NULL)
		return -1;
	o->n++;
	return 0;
}

/* org_id = *: the orgs whose tokens of kind the stores hold for the app. */
static int orgs_cached(struct cli *cli, const char *profile, const char *kind, struct cli_orgs *o)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	struct cobocred_item *list = NULL, *it;
	const char *setting = cobocred_profile_get(cli->ctx, profile, "org_id");
	int st = cobocred_cobo_query_app(cli->ctx, profile, kind, attrs, &q), r = 0;

	q.flags = COBOCRED_QUERY_ATTRS_ONLY;
	if (st == COBOCRED_SUCCESS)
		st = cobocred_list(cli->ctx, &q, &list);
	if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND && o->status == COBOCRED_SUCCESS) {
		o->status = st;
		snprintf(o->error, sizeof(o->error), "%s", cobocred_error(cli->ctx));
	}
	for (it = list; it != NULL && r == 0; it = it->next) {
		const char *org = cobocred_item_attr(it, "org_id");

		/* Only what this profile would serve: a stored item names any org it likes. */
		if (org != NULL && cobocred_orgs_has(setting, org))
			r = orgs_add(o, org, strlen(org));
	}
	cobocred_item_free(list);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_profile_orgs(struct cli *cli, const char *profile, struct cli_orgs *out)
{
	const char *setting = cobocred_profile_get(cli->ctx, profile, "org_id"), *org;
	size_t i, len;
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; r == 0 && (org = cobocred_orgs_nth(setting, i, &len)) != NULL; i++)
		r = orgs_add(out, org, len);
	if (r == 0 && cobocred_orgs_any(setting)) {
		r = orgs_cached(cli, profile, COBOCRED_KIND_REFRESH, out);
		if (r == 0)
			r = orgs_cached(cli, profile, COBOCRED_KIND_ACCESS, out);
		if (out->n > 1)
			qsort(out->v, out->n, sizeof(*out->v), by_name);
	}
	return r;
}

void cli_orgs_free(struct cli_orgs *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->v[i]);
	free(o->v);
	memset(o, 0, sizeof(*o));
}

int cli_pick_org(struct cli *cli, const char *profile, const char *org, const char **out)
{
	int st = cobocred_profile_org(cli->ctx, profile, org, out);

	if (st == COBOCRED_SUCCESS)
		return CLI_EX_OK;
	cli_err("%s", cobocred_error(cli->ctx));
	return st == COBOCRED_NOTFOUND ? CLI_EX_NOTFOUND : CLI_EX_USAGE;
}

int cli_org_arg(const char *cmd, const char *s)
{
	char shown[48];
	size_t i;

	if (cobocred_org_id_ok(s))
		return CLI_EX_OK;
	for (i = 0; s[i] != '\0' && i + 1 < sizeof(shown); i++)
		shown[i] = s[i];
	shown[i] = '\0';
	return cli_usage_error(cmd,
			       "--org '%s' is not an org id (1-64 letters, digits, '-' or '_', a "
			       "letter or digit first)",
			       shown);
}
