/*
 * ctx.c - the context: configuration search, trace, the public stack
 * operations.  What the context tells (error, clock, config path) is
 * ctxinfo.c's, below the files that run the stack.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "strutil.h"

#define DEFAULT_NAME COBOCRED_CONFIG_DEFAULT_NAME

/* The first config file that exists, in ARCHITECTURE.md's order; NULL for the built-in one. */
static const char *find_config(char *buf, size_t len)
{
	const char *env = getenv("COBO_CREDENTIAL_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	FILE *f;

	if (env != NULL && *env != '\0')
		return env;
	if (xdg != NULL && xdg[0] == '/')
		snprintf(buf, len, "%s/cobo-credential/config", xdg);
	else if (home != NULL && home[0] == '/')
		snprintf(buf, len, "%s/.config/cobo-credential/config", home);
	else
		buf[0] = '\0';
	if (buf[0] != '\0' && (f = fopen(buf, "r")) != NULL) {
		fclose(f);
		return buf;
	}
	snprintf(buf, len, "%s/cobo-credential/config", SYSCONFDIR);
	if ((f = fopen(buf, "r")) != NULL) {
		fclose(f);
		return buf;
	}
	return NULL;
}

static int64_t now_offset(void)
{
	const char *s = getenv("COBO_CREDENTIAL_NOW_OFFSET");
	int64_t v = 0;

	if (s != NULL && cobocred_parse_i64(s, -10LL * 365 * 86400, 10LL * 365 * 86400, &v) != 0)
		v = 0;
	return v;
}

int cobocred_engine_ctx_new(const char *config_path, cobocred_section_rule rule,
			    struct cobocred_ctx **out)
{
	struct cobocred_ctx *ctx;
	char buf[4096];
	const char *path = config_path;
	int st;

	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return COBOCRED_ERROR;
	ctx->locks = &cobocred_flock_service;
	cobocred_trace_open(ctx);
	cobocred_host_init(ctx);
	ctx->now_offset = now_offset();
	*out = ctx;
	if (path == NULL)
		path = find_config(buf, sizeof(buf));
	if (path == NULL) {
		st = cobocred_config_parse_ruled(DEFAULT_NAME, cobocred_config_builtin(),
						 strlen(cobocred_config_builtin()), rule, &ctx->cfg,
						 ctx->error, sizeof(ctx->error));
	} else {
		st = cobocred_config_load_ruled(path, rule, &ctx->cfg, ctx->error,
						sizeof(ctx->error));
		if (st == COBOCRED_NOTFOUND) /* named explicitly, so its absence is an error */
			st = COBOCRED_ERROR;
	}
	if (st != COBOCRED_SUCCESS) {
		cobocred_trace(ctx, "config: %s", ctx->error);
		return st;
	}
	cobocred_trace(ctx, "config: %s", ctx->cfg->path);
	return COBOCRED_SUCCESS;
}

void cobocred_ctx_free(struct cobocred_ctx *ctx)
{
	if (ctx == NULL)
		return;
	cobocred_instances_free(ctx);
	cobocred_config_free(ctx->cfg);
	cobocred_trace_close(ctx);
	free(ctx);
}

/* Refuses to run a stack without a configuration. */
static int ready(struct cobocred_ctx *ctx)
{
	if (ctx->cfg != NULL)
		return 1;
	if (ctx->error[0] == '\0')
		cobocred_set_error(ctx, "no configuration loaded");
	return 0;
}

int cobocred_get(struct cobocred_ctx *ctx, const struct cobocred_query *q,
		 struct cobocred_item **out)
{
	*out = NULL;
	if (!ready(ctx))
		return COBOCRED_ERROR;
	return cobocred_stack_run(ctx, COBOCRED_OP_GET, q, NULL, out, NULL);
}

int cobocred_store(struct cobocred_ctx *ctx, const struct cobocred_item *item,
		   const struct cobocred_query *replace)
{
	if (!ready(ctx))
		return COBOCRED_ERROR;
	return cobocred_stack_run(ctx, COBOCRED_OP_STORE, replace, item, NULL, NULL);
}

int cobocred_erase(struct cobocred_ctx *ctx, const struct cobocred_query *q)
{
	if (!ready(ctx))
		return COBOCRED_ERROR;
	if (q == NULL || q->schema == NULL || q->n_attrs == 0) {
		/* An empty pattern would match everything: never "erase all". */
		cobocred_set_error(ctx, "refusing to erase with an empty pattern");
		return COBOCRED_ERROR;
	}
	return cobocred_stack_run(ctx, COBOCRED_OP_ERASE, q, NULL, NULL, NULL);
}

int cobocred_list(struct cobocred_ctx *ctx, const struct cobocred_query *q,
		  struct cobocred_item **out)
{
	*out = NULL;
	if (!ready(ctx))
		return COBOCRED_ERROR;
	return cobocred_stack_run(ctx, COBOCRED_OP_LIST, q, NULL, out, NULL);
}

const char *cobocred_default_config(void)
{
	return cobocred_config_builtin();
}

int cobocred_engine_ctx_new_builtin(cobocred_section_rule rule, struct cobocred_ctx **out)
{
	struct cobocred_ctx *ctx;
	int st;

	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return COBOCRED_ERROR;
	cobocred_trace_open(ctx);
	cobocred_host_init(ctx);
	ctx->now_offset = now_offset();
	*out = ctx;
	st = cobocred_config_parse_ruled(DEFAULT_NAME, cobocred_config_builtin(),
					 strlen(cobocred_config_builtin()), rule, &ctx->cfg,
					 ctx->error, sizeof(ctx->error));
	cobocred_trace(ctx, "config: %s", st == COBOCRED_SUCCESS ? ctx->cfg->path : ctx->error);
	return st;
}
