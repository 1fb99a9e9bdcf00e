/*
 * module_lock.c - a lock service offered by a module (ABI 1.3 `locks`),
 * wrapped as the core's struct cobocred_lock_service.  The first loaded
 * instance that offers one becomes the context's lock service: for a
 * fleet, the etcd module's lease-bound lock replaces the host's flock, so
 * one machine of the fleet refreshes a token, not one per machine.  The
 * backoff marker stays local when the module keeps none.
 */
#include "config.h"

#include <stddef.h>

#include "core.h"

static const struct cobocred_lock_ops *ops(struct cobocred_ctx *ctx)
{
	return ctx->lock_owner->mod.locks;
}

/* 1 if the module's table reaches field end (it was built with it). */
static int has(const struct cobocred_lock_ops *o, size_t end)
{
	return o->struct_size >= end;
}

#define HAS(o, f) \
	(has((o), offsetof(struct cobocred_lock_ops, f) + sizeof((o)->f)) && (o)->f != NULL)

/*
 * A module's lock answer: a valid status, and an error message for every
 * failure (WHAT names the call: "lock", "shared lock").
 */
static int lock_answer(struct cobocred_ctx *ctx, int st, const char *what, const char *name)
{
	if (st < 0 || st >= COBOCRED_STATUS_COUNT) {
		cobocred_set_error(ctx,
				   "module '%s' %s returned invalid status %d; report this bug",
				   ctx->lock_owner->name, what, st);
		st = COBOCRED_ERROR;
	}
	if (st != COBOCRED_SUCCESS && ctx->error[0] == '\0')
		cobocred_set_error(ctx, "module '%s': %s %s: %s", ctx->lock_owner->name, what, name,
				   cobocred_status_name(st));
	return st;
}

static int mod_lock(struct cobocred_ctx *ctx, const char *name, int timeout_ms, int *handle)
{
	int st;

	ctx->error[0] = '\0';
	st = ops(ctx)->lock(ctx->lock_owner->mstate, name, timeout_ms, handle);
	/* A try (timeout 0) that finds the lock held is the lifecycle's
	 * ordinary way to learn it must wait (the module traces the wait):
	 * not an error. */
	if (timeout_ms == 0 && st == COBOCRED_TRYAGAIN && ctx->error[0] == '\0')
		return st;
	return lock_answer(ctx, st, "lock", name);
}

/*
 * The reader's look-first (module.h).  Offered only when the module offers
 * it: otherwise the service leaves lock_shared NULL and the lifecycle's
 * waiters queue for the exclusive lock.  lock() with timeout 0 must try
 * once without waiting (etcd's try_acquire does), and unlock(-1), for a
 * look that held nothing, must do nothing (etcd_unlock ignores it).
 */
static int mod_lock_shared(struct cobocred_ctx *ctx, const char *name, int timeout_ms, int *handle)
{
	ctx->error[0] = '\0';
	*handle = -1;
	return lock_answer(ctx,
			   ops(ctx)->lock_shared(ctx->lock_owner->mstate, name, timeout_ms, handle),
			   "shared lock", name);
}

static void mod_unlock(struct cobocred_ctx *ctx, int handle)
{
	ops(ctx)->unlock(ctx->lock_owner->mstate, handle);
}

static void mod_mark_failure(struct cobocred_ctx *ctx, const char *name, int failed)
{
	if (HAS(ops(ctx), mark_failure))
		ops(ctx)->mark_failure(ctx->lock_owner->mstate, name, failed);
	else
		cobocred_flock_service.mark_failure(ctx, name, failed);
}

static int mod_failed_recently(struct cobocred_ctx *ctx, const char *name, int seconds)
{
	if (HAS(ops(ctx), failed_recently))
		return ops(ctx)->failed_recently(ctx->lock_owner->mstate, name, seconds);
	return cobocred_flock_service.failed_recently(ctx, name, seconds);
}

static const struct cobocred_lock_service module_lock_service = {
	.name = "module",
	.lock = mod_lock,
	.unlock = mod_unlock,
	.mark_failure = mod_mark_failure,
	.failed_recently = mod_failed_recently,
	/* lock_shared: not offered (NULL), so the lifecycle skips its look-first. */
};

/* The same service for a module that offers the look-first too. */
static const struct cobocred_lock_service module_lock_service_shared = {
	.name = "module",
	.lock = mod_lock,
	.unlock = mod_unlock,
	.mark_failure = mod_mark_failure,
	.failed_recently = mod_failed_recently,
	.lock_shared = mod_lock_shared,
};

void cobocred_lock_offer(struct cobocred_ctx *ctx, struct instance *in)
{
	const struct cobocred_lock_ops *o = in->mod.locks;

	if (o == NULL || ctx->lock_owner != NULL || !HAS(o, lock) || !HAS(o, unlock))
		return;
	ctx->lock_owner = in;
	cobocred_set_lock_service(ctx, HAS(o, lock_shared) ? &module_lock_service_shared
							   : &module_lock_service);
	cobocred_trace(ctx, "lock service: module '%s' offers the refresh lock%s", in->name,
		       HAS(o, lock_shared) ? " and the shared look" : "");
}
