/*
 * cobo_identity.c - the one place that says which cached items are a Cobo
 * profile's tokens: schema COBOCRED_SCHEMA_COBO, base_url, client_id and
 * org_id from the profile, and the kind.  The lifecycle and the command
 * line (status, logout, doctor) build their queries here, so a change to
 * the identity rule cannot leave one of them looking for other items.
 */
#include "config.h"

#include <string.h>

#include "core.h"

/* The profile settings that identify its tokens; the core requires them at parse time. */
const char *const cobocred_cobo_identity_keys[] = { "base_url", "client_id", "org_id", NULL };

int cobocred_cobo_query(struct cobocred_ctx *ctx, const char *profile, const char *kind,
			struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			struct cobocred_query *q)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	if (ctx->cfg == NULL || profile == NULL ||
	    cobocred_config_profile(ctx->cfg, profile) == NULL) {
		cobocred_set_error(ctx, "no profile '%s' in %s; run 'cobo-credential profile list'",
				   profile ? profile : "(none)",
				   ctx->cfg ? ctx->cfg->path : "the configuration");
		return COBOCRED_NOTFOUND;
	}
	for (i = 0; cobocred_cobo_identity_keys[i] != NULL; i++) {
		attrs[i].name = cobocred_cobo_identity_keys[i];
		attrs[i].value = cobocred_profile_get(ctx, profile, attrs[i].name);
	}
	attrs[i].name = "kind";
	attrs[i].value = kind;
	q->struct_size = sizeof(*q);
	q->schema = COBOCRED_SCHEMA_COBO;
	q->n_attrs = i + 1;
	q->attrs = attrs;
	q->profile = profile;
	return COBOCRED_SUCCESS;
}
