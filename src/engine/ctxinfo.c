/*
 * ctxinfo.c - what a context tells: its error and warning, its config
 * file, its clock.  The bottom of the core: the stack, the host table and
 * the lifecycle read these without calling up into ctx.c, which runs them.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "core.h"

const char *cobocred_warning(const struct cobocred_ctx *ctx)
{
	return ctx != NULL ? ctx->warning : "";
}

const char *cobocred_error(const struct cobocred_ctx *ctx)
{
	if (ctx == NULL)
		return "out of memory";
	return ctx->error[0] ? ctx->error : "unknown error";
}

const char *cobocred_config_path(const struct cobocred_ctx *ctx)
{
	if (ctx->cfg == NULL || strcmp(ctx->cfg->path, COBOCRED_CONFIG_DEFAULT_NAME) == 0)
		return NULL;
	return ctx->cfg->path;
}

int64_t cobocred_now(const struct cobocred_ctx *ctx)
{
	return (int64_t)time(NULL) + (ctx != NULL ? ctx->now_offset : 0);
}
