/*
 * cobo_identity.c - the one place that says which cached items are a Cobo
 * profile's tokens: schema COBOCRED_SCHEMA_COBO, base_url, client_id and
 * org_id from the profile, and the kind.  The lifecycle and the command
 * line (status, logout, doctor) build their queries here, so a change to
 * the identity rule cannot leave one of them looking for other items.
 *
 * A profile may serve several orgs (org_id = a list, or '*'): the org is
 * then named by the caller, and checked here against the profile's
 * setting (src/util/orgset.h) before any query exists, so no path of the
 * core can look up, mint or erase a token of an org the profile does not
 * serve.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cobocred.h"
#include "core.h"
#include "orgset.h"
#include "origin.h"

/* The profile settings that identify its tokens; the core requires them at parse time. */
const char *const cobocred_cobo_identity_keys[] = { "base_url", "client_id", "org_id", NULL };
#define ORG_ATTR 2 /* the index of org_id above */

static int no_profile(struct cobocred_ctx *ctx, const char *profile)
{
	cobocred_set_error(ctx, "no profile '%s' in %s; run 'cobo-credential profile list'",
			   profile ? profile : "(none)",
			   ctx->cfg ? ctx->cfg->path : "the configuration");
	return COBOCRED_NOTFOUND;
}

int cobocred_profile_org(struct cobocred_ctx *ctx, const char *profile, const char *org,
			 const char **out)
{
	const char *setting = cobocred_profile_get(ctx, profile, "org_id");
	char shown[128], orgs[512];

	*out = NULL;
	if (ctx->cfg == NULL || profile == NULL ||
	    cobocred_config_profile(ctx->cfg, profile) == NULL)
		return no_profile(ctx, profile);
	if (org == NULL && cobocred_orgs_count(setting) == 1) {
		*out = setting; /* a one-org setting is that org id, nothing else */
		return COBOCRED_SUCCESS;
	}
	if (org == NULL) {
		cobocred_set_error(ctx,
				   "profile '%s' serves %s; name the org: --org ORG, git "
				   "https://ORG@HOST/..., docker cobo://%s/ORG",
				   profile, cobocred_orgs_show(setting, orgs, sizeof(orgs)),
				   profile);
		return COBOCRED_ERROR;
	}
	if (!cobocred_org_id_ok(org)) {
		cobocred_set_error(ctx,
				   "'%s' is not an org id (1-64 letters, digits, '-' or '_', a "
				   "letter or digit first)",
				   cobocred_show(org, shown, sizeof(shown)));
		return COBOCRED_ERROR;
	}
	if (!cobocred_orgs_has(setting, org)) {
		cobocred_set_error(ctx,
				   "profile '%s' does not serve org '%s' (it serves %s); add it "
				   "to its org_id or use another profile",
				   profile, org, cobocred_orgs_show(setting, orgs, sizeof(orgs)));
		return COBOCRED_NOTFOUND;
	}
	*out = org;
	return COBOCRED_SUCCESS;
}

/* The query of profile's tokens of kind, org_id still the setting's text. */
static int app_query(struct cobocred_ctx *ctx, const char *profile, const char *kind,
		     struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
		     struct cobocred_query *q)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	if (ctx->cfg == NULL || profile == NULL ||
	    cobocred_config_profile(ctx->cfg, profile) == NULL)
		return no_profile(ctx, profile);
	for (i = 0; cobocred_cobo_identity_keys[i] != NULL; i++) {
		attrs[i].name = cobocred_cobo_identity_keys[i];
		attrs[i].value = cobocred_profile_get(ctx, profile, attrs[i].name);
	}
	attrs[i].name = COBOCRED_ATTR_KIND;
	attrs[i].value = kind;
	q->struct_size = sizeof(*q);
	q->schema = COBOCRED_SCHEMA_COBO;
	q->n_attrs = i + 1;
	q->attrs = attrs;
	q->profile = profile;
	return COBOCRED_SUCCESS;
}

int cobocred_cobo_query_org(struct cobocred_ctx *ctx, const char *profile, const char *org,
			    const char *kind, struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			    struct cobocred_query *q)
{
	const char *chosen;
	int st = app_query(ctx, profile, kind, attrs, q);

	if (st == COBOCRED_SUCCESS)
		st = cobocred_profile_org(ctx, profile, org, &chosen);
	if (st != COBOCRED_SUCCESS) {
		memset(q, 0, sizeof(*q));
		return st;
	}
	attrs[ORG_ATTR].value = chosen; /* org_id: the one org this query is for */
	return COBOCRED_SUCCESS;
}

int cobocred_cobo_query(struct cobocred_ctx *ctx, const char *profile, const char *kind,
			struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			struct cobocred_query *q)
{
	return cobocred_cobo_query_org(ctx, profile, NULL, kind, attrs, q);
}

int cobocred_cobo_query_app(struct cobocred_ctx *ctx, const char *profile, const char *kind,
			    struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			    struct cobocred_query *q)
{
	int st = app_query(ctx, profile, kind, attrs, q);

	if (st == COBOCRED_SUCCESS) {
		attrs[ORG_ATTR] = attrs[ORG_ATTR + 1]; /* drop org_id: every org of the app */
		q->n_attrs--;
	}
	return st;
}
