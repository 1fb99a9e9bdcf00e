/*
 * stack.h - the stack engine's options (internal to the core).
 */
#ifndef COBOCRED_STACK_H
#define COBOCRED_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "cobocred/module.h"

struct cobocred_ctx;

struct run_opts {
	int no_mint;	 /* skip minting modules (host->stack_get, cache re-reads) */
	int lifecycle;	 /* get: a stale item counts as NOTFOUND and is kept in *stale;
			  * a minting module runs single-flight under a lock */
	int64_t min_valid;			/* lifecycle: required seconds of validity */
	int limited;				/* run only entries [0, limit) */
	size_t limit;
	struct cobocred_item **stale;		/* lifecycle: the best stale item; caller frees */
};

int cobocred_stack_run(struct cobocred_ctx *ctx, enum cobocred_op op,
		       const struct cobocred_query *q, const struct cobocred_item *item,
		       struct cobocred_item **out, const struct run_opts *opts);

#endif
