/*
 * engine.h - the engine's API: a context (its configuration, its module
 * stack, loaded lazily, its trace sink and last error), the stack
 * operations, items and the host table.  It knows nothing of Cobo: the
 * Cobo wing (src/cobo/cobocred.h, which includes this) opens contexts and
 * builds profiles, tokens and requests on it.  Every call returns a
 * COBOCRED_* status from <cobocred/module.h>; on anything but SUCCESS the
 * one-line reason is in cobocred_error(ctx).
 */
#ifndef COBOCRED_ENGINE_H
#define COBOCRED_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "cobocred/module.h"
#include "itemmatch.h" /* cobocred_item_attr, cobocred_item_matches */
#include "status.h"    /* cobocred_status_name */

struct cobocred_ctx;

void cobocred_ctx_free(struct cobocred_ctx *ctx);

/* The last error: one line, no secrets, never NULL. */
const char *cobocred_error(const struct cobocred_ctx *ctx);
/*
 * A problem that did not stop the call but that the user should hear of,
 * such as a new token that no store could keep: one line, no secrets; ""
 * when there is none.  Front-ends print it on stderr after their answer.
 */
const char *cobocred_warning(const struct cobocred_ctx *ctx);
/* Sets the last error (front-ends use it for their own failures). */
void cobocred_set_error(struct cobocred_ctx *ctx, const char *fmt, ...) COBOCRED_PRINTF(2, 3);
void cobocred_trace(struct cobocred_ctx *ctx, const char *fmt, ...) COBOCRED_PRINTF(2, 3);

/* The path of the config file in use, or NULL for the built-in default. */
const char *cobocred_config_path(const struct cobocred_ctx *ctx);

/* A config file larger than this is refused. */
#define COBOCRED_CONFIG_MAX_BYTES (1024 * 1024)

/* The built-in configuration text (a new config file starts from its stack). */
const char *cobocred_default_config(void);

/* Stack operations (see the [stack] lines). Returned items: free with cobocred_item_free. */
int cobocred_get(struct cobocred_ctx *ctx, const struct cobocred_query *q,
		 struct cobocred_item **out);
int cobocred_store(struct cobocred_ctx *ctx, const struct cobocred_item *item,
		   const struct cobocred_query *replace);
int cobocred_erase(struct cobocred_ctx *ctx, const struct cobocred_query *q);
int cobocred_list(struct cobocred_ctx *ctx, const struct cobocred_query *q,
		  struct cobocred_item **out);

/* Items (the same functions modules reach through the host table). */
struct cobocred_item *cobocred_item_new(const char *schema);
int cobocred_item_set_label(struct cobocred_item *item, const char *label);
int cobocred_item_add_attr(struct cobocred_item *item, const char *name, const char *value);
int cobocred_item_set_secret(struct cobocred_item *item, const void *secret, size_t len);
int cobocred_item_set_refresh(struct cobocred_item *item, const char *oauth_refresh_token);
void cobocred_item_set_times(struct cobocred_item *item, int64_t created_at, int64_t expires_at);
void cobocred_item_free(struct cobocred_item *list);
/* The module instance that returned item ("" for items built here, or NULL). */
const char *cobocred_item_origin(const struct cobocred_item *item);
void cobocred_item_set_origin(struct cobocred_item *list, const char *instance);

/*
 * Loads every module instance named on the [stack] lines (doctor) and
 * reports each once: op is the first line naming it, status SUCCESS when
 * it loaded and opened, else why not (msg).  Returns the worst status.
 */
typedef void (*cobocred_probe_fn)(void *arg, const char *op, const char *instance, int status,
				  const char *msg);
int cobocred_stack_probe(struct cobocred_ctx *ctx, cobocred_probe_fn fn, void *arg);

/*
 * The host services table of ctx, for tests that open a module instance
 * directly (unit tests of a module's convenience library).
 */
const struct cobocred_host *cobocred_ctx_host(struct cobocred_ctx *ctx);

/* Current time as the modules see it (COBO_CREDENTIAL_NOW_OFFSET shifts it in tests). */
int64_t cobocred_now(const struct cobocred_ctx *ctx);

/* Process hardening for the front-ends: no core dumps, no ptrace by peers. */
void cobocred_harden_process(void);

#endif /* COBOCRED_ENGINE_H */
