/*
 * query.h - from a git request to the core's queries and items
 * (schema org.git.Password; attributes protocol, host, path, username).
 *
 * Matching follows git's own helpers: a field present in the request must
 * equal the stored one, an absent field matches anything.  An empty
 * username is present ("username=" matches only items stored with an empty
 * username).
 */
#ifndef COBOCRED_GIT_QUERY_H
#define COBOCRED_GIT_QUERY_H

#include <stdint.h>

#include "cobocred.h"
#include "protocol.h"

/* Store's replace pattern: exactly this protocol/host/path/username, no more. */
#define GIT_QUERY_EXACT 0x1u
/* Match the request's password too (erase removes only the rejected one). */
#define GIT_QUERY_PASSWORD 0x2u

/*
 * A query and the attribute array it points into.  It borrows the
 * request's strings: keep the request alive, and do not copy the struct
 * (q.attrs points into it).
 */
struct git_query {
	struct cobocred_attr attrs[4];
	struct cobocred_query q;
};

void git_query_build(const struct git_req *r, unsigned flags, struct git_query *gq);

/* 1 if the request names a place to look up (protocol and host or path). */
int git_req_can_get(const struct git_req *r);
/* 1 if the request is a credential to keep (git-credential-store's rule). */
int git_req_can_store(const struct git_req *r);
/* 1 if the request has a pattern to erase by (never "erase everything"). */
int git_req_can_erase(const struct git_req *r);

/*
 * The item store writes for r.  Expiry: password_expiry_utc, or now +
 * timeout when timeout > 0, whichever comes first.  *out is NULL on entry
 * and on failure; the caller frees it with cobocred_item_free.  0 or -1 (OOM).
 */
int git_item_build(const struct git_req *r, int64_t now, int64_t timeout,
		   struct cobocred_item **out);

#endif
