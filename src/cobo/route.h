/*
 * route.h - the request calls' insides: from a parsed request origin to a
 * Cobo profile (profile.c), and the plain credentials' identities
 * (request.c).  Core-private; the unit tests use it.
 */
#ifndef COBOCRED_ROUTE_H
#define COBOCRED_ROUTE_H

#include "cobocred.h"
#include "core.h"
#include "origin.h"
#include "resolved.h"

/*
 * The profile and org a request names (ARCHITECTURE.md, "A cached git get", step 2):
 * the profile whose base_url origin equals o (origin.h's rule; an http://
 * base_url counts only with allow_http on a loopback host), and when a
 * username is given, whose org_id list holds it, or whose org_id is '*'
 * and the username an org id (orgset.h); a listed match beats a '*' one.
 * The username is an org id only, never a profile's name (README.md,
 * "Departures from the design", says why).  The org is the username when given, else the
 * profile's only org.  SUCCESS with *rt (its strings owned by ctx or the request),
 * NOTFOUND, or ERROR when several profiles match (message lists them) or
 * the one that matches serves several orgs and none was named (message
 * lists them and ends with how, the client's way to name one).  On
 * SUCCESS *rt is the resolved target (resolved.h): the org is checked
 * here, once, and no later step looks the profile up again.
 */
int cobocred_profile_org_by_origin(struct cobocred_ctx *ctx, const struct cobocred_origin *o,
				   const char *username, const char *how,
				   struct cobocred_resolved *rt);
/* cobocred_profile_org_by_origin without the org. */
int cobocred_profile_by_origin(struct cobocred_ctx *ctx, const struct cobocred_origin *o,
			       const char *username, const char **name);
/*
 * The first profile whose base_url host equals o's host while its origin
 * differs (another scheme or port): the request is not for it, and a
 * message can say why.  NULL if there is none; *have gets its origin.
 */
const char *cobocred_profile_near_miss(struct cobocred_ctx *ctx, const struct cobocred_origin *o,
				       struct cobocred_origin *have);
/* "scheme://host[:port]" of o for messages, the port only when not the default. */
const char *cobocred_origin_show(const struct cobocred_origin *o, char *out, size_t outlen);
/* The profile named by cobo://NAME: SUCCESS with *name, or ERROR (message). */
int cobocred_profile_by_name(struct cobocred_ctx *ctx, const char *want, const char **name);
/*
 * The same with the org: username (NULL or "": none) is an org the
 * profile serves, as for cobocred_profile_org_by_origin; a profile
 * serving several orgs needs one.  SUCCESS, or ERROR (message).
 */
int cobocred_profile_org_by_name(struct cobocred_ctx *ctx, const char *want, const char *username,
				 const char *how, struct cobocred_resolved *rt);

/* Plain credentials (request.c). */

/* A query and the attributes it points into (do not copy: q.attrs points into it). */
struct cobocred_plain_query {
	struct cobocred_attr attrs[4];
	struct cobocred_query q;
};

#define COBOCRED_PLAIN_EXACT 0x1u  /* store's replace pattern: exactly these fields */
#define COBOCRED_PLAIN_SECRET 0x2u /* git erase: only the credential with r's secret */

/*
 * git-credential-libsecret's identity (protocol, host, path, username: a
 * field present must equal the stored one, an absent one matches
 * anything), or Docker's (the server string alone, as spelled).
 */
void cobocred_plain_query(const struct cobocred_request *r, unsigned flags,
			  struct cobocred_plain_query *pq);
/* The item approve stores for r at time now; NULL when out of memory. */
struct cobocred_item *cobocred_plain_item(const struct cobocred_request *r, int64_t now);
/* git: a place to look up (protocol, and host or path). */
int cobocred_git_can_get(const struct cobocred_request *r);
/* git-credential-store's rule: a place and a credential (empty ones count), not ephemeral. */
int cobocred_git_can_store(const struct cobocred_request *r);
/* A pattern to erase by: never "erase everything". */
int cobocred_git_can_erase(const struct cobocred_request *r);

#endif
