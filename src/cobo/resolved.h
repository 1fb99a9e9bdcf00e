/*
 * resolved.h - the resolved target: what the Cobo router (profile.c,
 * request.c) hands every later step of a call.  The profile's section,
 * the one org (checked once, by the router), the origin its tokens may go
 * to and the identity of its tokens, so no later step looks the profile up
 * again by name or checks the org again.  Wing-private.
 */
#ifndef COBOCRED_RESOLVED_H
#define COBOCRED_RESOLVED_H

#include "cobocred.h"
#include "cfg.h"
#include "origin.h"

struct cobocred_resolved {
	const struct cobocred_section *profile; /* ctx's [profile] section */
	const char *org;	       /* the org, checked; ctx's or the request's string */
	struct cobocred_origin origin; /* base_url's scheme, host and port */
	/* base_url, client_id, org_id (= org): the identity of the profile's tokens */
	struct cobocred_attr identity[COBOCRED_COBO_QUERY_ATTRS - 1];
};

/*
 * Fills rt from profile section s and org, which the caller has checked
 * against s's org_id.  0, or -1 when s's base_url does not parse (the
 * router never picks such a profile).
 */
int cobocred_resolved_set(struct cobocred_resolved *rt, const struct cobocred_section *s,
			  const char *org);

/*
 * The query of rt's tokens of kind (COBOCRED_KIND_*): schema
 * COBOCRED_SCHEMA_COBO, the identity and kind.  q points into attrs, rt
 * and the context's strings; nothing is looked up.
 */
void cobocred_resolved_query(const struct cobocred_resolved *rt, const char *kind,
			     struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			     struct cobocred_query *q);

/*
 * lifecycle.c: cobocred_token_get_org and cobocred_token_erase_org
 * (cobocred.h) for a resolved target, nothing looked up or checked again.
 */
int cobocred_token_get_resolved(struct cobocred_ctx *ctx, const struct cobocred_resolved *rt,
				int64_t min_valid, struct cobocred_item **out);
int cobocred_token_erase_resolved(struct cobocred_ctx *ctx, const struct cobocred_resolved *rt,
				  const char *token);

#endif
