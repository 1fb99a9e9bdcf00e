/*
 * stack.h - the stack engine (internal to the core): one [stack] line run
 * over its modules, NSS style.  It knows statuses and actions, nothing of
 * tokens; the token lifecycle (lifecycle.c) takes part through a client.
 */
#ifndef COBOCRED_STACK_H
#define COBOCRED_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "cobocred/module.h"

struct cobocred_ctx;
struct instance;

/*
 * How a caller takes part in one run.  A NULL client is plain dispatch:
 * every entry, minting modules skipped (they make credentials only for a
 * client that stores them).
 */
struct stack_client {
	int limited; /* run only entries [0, limit): the caches before a minter */
	size_t limit;
	/*
	 * Called instead of a minting module's get (entry idx); NULL skips
	 * minting modules.  Returns the status that selects the action.  IN
	 * may not be loaded yet (one of the host's own minters): call
	 * cobocred_stack_ready before asking it anything.
	 */
	int (*mint)(struct cobocred_ctx *ctx, struct instance *in, size_t idx,
		    const struct cobocred_query *q, struct cobocred_item **out, void *arg);
	/*
	 * Called on each get answer (SUCCESS, *got non-NULL).  Return SUCCESS
	 * to keep *got, or another status to pass the entry over; the judge
	 * then owns *got and sets it to NULL.
	 */
	int (*judge)(struct cobocred_ctx *ctx, struct cobocred_item **got, void *arg);
	void *arg;
};

int cobocred_stack_run(struct cobocred_ctx *ctx, enum cobocred_op op,
		       const struct cobocred_query *q, const struct cobocred_item *item,
		       struct cobocred_item **out, const struct stack_client *client);

/* One module call with the engine's checks (status range, expiry, origin, trace). */
int cobocred_stack_call(struct cobocred_ctx *ctx, struct instance *in, enum cobocred_op op,
			const struct cobocred_query *q, const struct cobocred_item *item,
			struct cobocred_item **out);

/*
 * Loads IN, the minter of get entry idx handed to a mint hook, if it is
 * not loaded yet.  SUCCESS when it is ready; otherwise its status (the
 * load's message in the context's error), which the hook returns.
 */
int cobocred_stack_ready(struct cobocred_ctx *ctx, struct instance *in, size_t idx);

/* The instance's name, for a client's messages. */
const char *cobocred_instance_name(const struct instance *in);

#endif
