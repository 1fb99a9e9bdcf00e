/*
 * reqops.h - the Cobo wing's way to the module that owns the Cobo schema
 * (schema_owner.c) and to its ABI 1.5 request operations (transport.c),
 * shared by signed.c and send.c.
 */
#ifndef COBOCRED_REQOPS_H
#define COBOCRED_REQOPS_H

#include "cobocred.h"
#include "core.h"

/*
 * schema_owner.c: the module instance that owns schema (loaded), or NULL
 * with *status and the message set.
 */
struct instance *cobocred_schema_owner(struct cobocred_ctx *ctx, const char *schema, int *status);

/*
 * The request ops of the module owning the Cobo schema (loading it), and
 * its state in *state; NULL with *status and the message set when it has
 * none (an older module) or does not load.
 */
const struct cobocred_request_ops *cobocred_request_ops(struct cobocred_ctx *ctx, void **state,
							int *status);
/* ops->prepare for profile when the module offers it.  A COBOCRED_* status, message set. */
int cobocred_request_prepare(struct cobocred_ctx *ctx, const struct cobocred_request_ops *ops,
			     void *state, const char *profile);

/*
 * Checks req before anything is signed: the method an upper-case token of
 * at most 16 letters, the path '/' then printable ASCII, the query
 * printable ASCII, body_len at most COBOCRED_REQUEST_BODY_MAX and a body
 * when body_len > 0.  NULL when fine, else why not (static text).
 */
const char *cobocred_request_refusal(const struct cobocred_http_request *req);

#endif
