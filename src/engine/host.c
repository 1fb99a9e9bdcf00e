/*
 * host.c - the services table handed to modules (struct cobocred_host).
 */
#include "config.h"

#include <stdarg.h>

#include "core.h"
#include "secret.h"

static void host_log(void *c, int level, const char *fmt, ...) COBOCRED_PRINTF(3, 4);
static void host_log(void *c, int level, const char *fmt, ...)
{
	struct cobocred_ctx *ctx = c;
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	cobocred_vtrace(ctx, fmt, ap);
	va_end(ap);
}

static void host_set_error(void *c, const char *fmt, ...) COBOCRED_PRINTF(2, 3);
static void host_set_error(void *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cobocred_verror(c, fmt, ap);
	va_end(ap);
}

static int64_t host_now(void *c)
{
	return cobocred_now(c);
}

static int host_lock(void *c, const char *name, int timeout_ms, int *handle)
{
	struct cobocred_ctx *ctx = c;

	return ctx->locks->lock(ctx, name, timeout_ms, handle);
}

static void host_unlock(void *c, int handle)
{
	struct cobocred_ctx *ctx = c;

	ctx->locks->unlock(ctx, handle);
}

/* A [profile] setting as the file wrote it: the engine stores profiles, the wing judges them. */
static const char *host_profile_get(void *c, const char *profile, const char *key)
{
	const struct cobocred_ctx *ctx = c;

	if (ctx->cfg == NULL || profile == NULL)
		return NULL;
	return cobocred_section_get(cobocred_config_profile(ctx->cfg, profile), key);
}

static const char *host_config_file(void *c)
{
	return cobocred_config_path(c);
}

static int host_profile_line(void *c, const char *profile, const char *key)
{
	const struct cobocred_ctx *ctx = c;

	if (ctx->cfg == NULL)
		return 0;
	return cobocred_section_line(cobocred_config_profile(ctx->cfg, profile), key);
}

static const char *host_state_dir(void *c)
{
	return cobocred_runtime_dir(c);
}

static int host_stack_get(void *c, const struct cobocred_query *q, struct cobocred_item **out)
{
	return cobocred_stack_run(c, COBOCRED_OP_GET, q, NULL, out, NULL);
}

static int host_stack_store(void *c, const struct cobocred_item *item,
			    const struct cobocred_query *replace)
{
	return cobocred_stack_run(c, COBOCRED_OP_STORE, replace, item, NULL, NULL);
}

void cobocred_host_init(struct cobocred_ctx *ctx)
{
	struct cobocred_host *h = &ctx->host;

	h->abi_version = COBOCRED_ABI_VERSION;
	h->struct_size = sizeof(*h);
	h->ctx = ctx;
	h->log = host_log;
	h->set_error = host_set_error;
	h->secret_alloc = cobocred_secret_alloc;
	h->secret_free = cobocred_secret_free;
	h->item_new = cobocred_item_new;
	h->item_set_label = cobocred_item_set_label;
	h->item_add_attr = cobocred_item_add_attr;
	h->item_set_secret = cobocred_item_set_secret;
	h->item_set_refresh = cobocred_item_set_refresh;
	h->item_set_times = cobocred_item_set_times;
	h->item_free = cobocred_item_free;
	h->now = host_now;
	h->lock = host_lock;
	h->unlock = host_unlock;
	h->profile_get = host_profile_get;
	h->state_dir = host_state_dir;
	h->stack_get = host_stack_get;
	h->stack_store = host_stack_store;
	h->config_file = host_config_file;
	h->profile_line = host_profile_line;
}

const struct cobocred_host *cobocred_ctx_host(struct cobocred_ctx *ctx)
{
	return &ctx->host;
}
