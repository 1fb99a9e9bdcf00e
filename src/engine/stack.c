/*
 * stack.c - the stack engine: runs one [stack] line over its modules with
 * NSS semantics.  It knows statuses and actions, never what a credential
 * is: the token lifecycle (lifecycle.c) takes part through a stack_client.
 *
 * Per entry, the module's status selects an action (return or continue).
 * A stack that runs out of entries returns SUCCESS if any module succeeded
 * (store/erase/list broadcast), else the most telling status seen:
 * ERROR > DENIED > TRYAGAIN > NOTFOUND > UNAVAIL, with that module's message.
 *
 * A get answered by an entry fills the entries above it that missed
 * (NOTFOUND) and can store (ARCHITECTURE.md: "a hit below fills the tiers above
 * it"), so the next get is answered by the fastest tier.  A module that
 * does not keep such a credential says NOTFOUND to the fill; a fill that
 * fails is traced and never changes the answer.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define MAX_DEPTH 4

const char *cobocred_instance_name(const struct instance *in)
{
	return in->name;
}

static int severity(int st)
{
	static const int rank[COBOCRED_STATUS_COUNT] = { 5, 1, 0, 2, 3, 4 };

	return rank[st];
}

/* The outcome so far of one stack run. */
struct outcome {
	int status;
	int seen;
	int any_success;
	char error[sizeof(((struct cobocred_ctx *)0)->error)];
	const struct instance *refused; /* a store: the first entry that failed (not NOTFOUND) */
	char refused_error[sizeof(((struct cobocred_ctx *)0)->error)];
};

static void outcome_note(struct outcome *o, struct cobocred_ctx *ctx, int st)
{
	if (st == COBOCRED_SUCCESS)
		o->any_success = 1;
	if (o->seen && severity(st) <= severity(o->status))
		return;
	o->seen = 1;
	o->status = st;
	memcpy(o->error, ctx->error, sizeof(o->error));
}

static void note_refusal(struct outcome *o, struct cobocred_ctx *ctx, enum cobocred_op op,
			 const struct instance *in, int st)
{
	if (op != COBOCRED_OP_STORE || in == NULL || st == COBOCRED_SUCCESS ||
	    st == COBOCRED_NOTFOUND || o->refused != NULL)
		return;
	o->refused = in;
	memcpy(o->refused_error, ctx->error, sizeof(o->refused_error));
}

/*
 * A store some entries took and another refused answers SUCCESS (the
 * credential is kept), and the trace says where it is not: a fleet's
 * machine cut off from the shared store keeps a new token only locally,
 * and the other machines will not see it.
 */
static void trace_partial(struct cobocred_ctx *ctx, const struct outcome *o)
{
	if (o->refused != NULL && o->any_success)
		cobocred_trace(ctx, "store: kept, but not by module '%s': %s", o->refused->name,
			       o->refused_error);
}

/* 1 if the space/comma separated list names schema. */
static int list_names(const char *list, const char *schema)
{
	size_t n = strlen(schema);

	while (*list) {
		size_t w;

		list += strspn(list, " ,\t");
		w = strcspn(list, " ,\t");
		if (w == n && strncmp(list, schema, n) == 0)
			return 1;
		list += w;
	}
	return 0;
}

/* The instance's `schemas =` option, or NULL when the config leaves it to the module. */
static const char *config_schemas(const struct cobocred_ctx *ctx, const char *instance)
{
	return cobocred_section_get(cobocred_config_module(ctx->cfg, instance), "schemas");
}

/* The module's own default (ABI 1.2 `schemas`; NULL, as in older modules, serves all). */
static int module_serves(const struct instance *in, const char *schema)
{
	const char *const *s;

	if (in->mod.struct_size == 0 || in->mod.schemas == NULL)
		return 1;
	for (s = in->mod.schemas; *s != NULL; s++)
		if (strcmp(*s, schema) == 0)
			return 1;
	return 0;
}

/* Drops expired items from a chain. */
static struct cobocred_item *drop_expired(struct cobocred_ctx *ctx, struct cobocred_item *list)
{
	struct cobocred_item **pp = &list;
	int64_t now = cobocred_now(ctx);

	while (*pp != NULL) {
		struct cobocred_item *it = *pp;

		if (it->expires_at != 0 && it->expires_at <= now) {
			*pp = it->next;
			it->next = NULL;
			cobocred_item_free(it);
		} else {
			pp = &it->next;
		}
	}
	return list;
}

static int dispatch(struct instance *in, enum cobocred_op op, const struct cobocred_query *q,
		    const struct cobocred_item *item, struct cobocred_item **got)
{
	switch (op) {
	case COBOCRED_OP_GET:
		return in->mod.get ? in->mod.get(in->mstate, q, got) : COBOCRED_UNAVAIL;
	case COBOCRED_OP_LIST:
		return in->mod.list ? in->mod.list(in->mstate, q, got) : COBOCRED_UNAVAIL;
	case COBOCRED_OP_STORE:
		return in->mod.store ? in->mod.store(in->mstate, item, q) : COBOCRED_UNAVAIL;
	default:
		return in->mod.erase ? in->mod.erase(in->mstate, q) : COBOCRED_UNAVAIL;
	}
}

int cobocred_stack_call(struct cobocred_ctx *ctx, struct instance *in, enum cobocred_op op,
			const struct cobocred_query *q, const struct cobocred_item *item,
			struct cobocred_item **out)
{
	struct cobocred_item *got = NULL;
	int st;

	ctx->error[0] = '\0';
	if (in->state != INST_READY) {
		cobocred_set_error(ctx, "%s", in->error);
		return in->status;
	}
	st = dispatch(in, op, q, item, &got);
	if (st < 0 || st >= COBOCRED_STATUS_COUNT) {
		cobocred_set_error(ctx, "module '%s' returned invalid status %d; report this bug",
				   in->name, st);
		st = COBOCRED_ERROR;
	}
	if (st == COBOCRED_SUCCESS && out != NULL) {
		got = drop_expired(ctx, got);
		cobocred_item_set_origin(got, in->name);
		if (got == NULL && op == COBOCRED_OP_GET)
			st = COBOCRED_NOTFOUND;
	}
	if (st != COBOCRED_SUCCESS || out == NULL) {
		cobocred_item_free(got);
		got = NULL;
	}
	if (out != NULL)
		*out = got;
	if (st == COBOCRED_NOTFOUND && ctx->error[0] == '\0')
		snprintf(ctx->error, sizeof(ctx->error), "no matching credential in module '%s'",
			 in->name);
	if (st > COBOCRED_NOTFOUND && ctx->error[0] == '\0')
		cobocred_set_error(ctx, "module '%s': %s", in->name, cobocred_status_name(st));
	cobocred_trace(ctx, "%s %s: %s", cobocred_op_name(op), in->name, cobocred_status_name(st));
	return st;
}

/* Runs one get/list entry, appending its answer to *acc; returns the status for the action. */
static int run_get(struct cobocred_ctx *ctx, struct instance *in, size_t idx, enum cobocred_op op,
		   const struct cobocred_query *q, const struct stack_client *c,
		   struct cobocred_item **acc, int mint)
{
	struct cobocred_item *got = NULL, **tail;
	int st;

	if (mint)
		st = c->mint(ctx, in, idx, q, &got, c->arg);
	else
		st = cobocred_stack_call(ctx, in, op, q, NULL, &got);
	if (st == COBOCRED_SUCCESS && op == COBOCRED_OP_GET && c != NULL && c->judge != NULL) {
		st = c->judge(ctx, &got, c->arg);
		if (st != COBOCRED_SUCCESS)
			return st; /* the judge owns what it passed over */
	}
	for (tail = acc; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = got;
	return st;
}

/* 1 if entry e takes no part in this run (schema it does not serve, absent, a minter). */
static int passed_over(const struct instance *in, const char *schemas,
		       const struct cobocred_query *q, const struct stack_client *c)
{
	if (in->state == INST_ABSENT)
		return 1;
	if (schemas == NULL && q != NULL && q->schema != NULL && !module_serves(in, q->schema))
		return 1;
	return (in->mod.caps & COBOCRED_CAP_MINT) && (c == NULL || c->mint == NULL);
}

#define FILL_MAX 16

/* The entries of one get run that missed, to fill on a hit below them. */
struct fill {
	struct instance *missed[FILL_MAX];
	size_t n;
	struct instance *hit; /* the entry that answered */
};

static void fill_note(struct fill *f, struct instance *in, int st)
{
	if (in == NULL)
		return;
	if (st == COBOCRED_NOTFOUND && f->n < FILL_MAX && in->state == INST_READY &&
	    (in->mod.caps & COBOCRED_CAP_STORE) && !(in->mod.caps & COBOCRED_CAP_MINT))
		f->missed[f->n++] = in;
	else if (st == COBOCRED_SUCCESS)
		f->hit = in;
}

/* Stores the answer in each entry above the hit that missed; never changes the answer. */
static void fill_above(struct cobocred_ctx *ctx, const struct fill *f,
		       const struct cobocred_query *q, const struct cobocred_item *answer)
{
	char error[sizeof(ctx->error)];
	size_t i;

	if (answer == NULL || f->hit == NULL || f->n == 0 || (f->hit->mod.caps & COBOCRED_CAP_MINT))
		return;
	memcpy(error, ctx->error, sizeof(error));
	for (i = 0; i < f->n; i++) {
		struct cobocred_query replace = {
			.struct_size = sizeof(replace),
			.schema = answer->schema,
			.n_attrs = answer->n_attrs,
			.attrs = answer->attrs,
			.profile = q != NULL ? q->profile : NULL,
			.flags = COBOCRED_QUERY_EXACT,
		};
		int st;

		cobocred_trace(ctx, "fill %s from %s", f->missed[i]->name, f->hit->name);
		st = cobocred_stack_call(ctx, f->missed[i], COBOCRED_OP_STORE, &replace, answer,
					 NULL);
		if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND)
			cobocred_trace(ctx, "fill %s: %s", f->missed[i]->name, ctx->error);
	}
	memcpy(ctx->error, error, sizeof(error));
}

/* 1 if entry e's manifest says it mints (loader.c), not loaded yet, on a minting get. */
static int lazy_minter(struct cobocred_ctx *ctx, const struct cobocred_stack_entry *e,
		       enum cobocred_op op, const struct stack_client *c)
{
	size_t i;

	if (op != COBOCRED_OP_GET || c == NULL || c->mint == NULL ||
	    !cobocred_instance_known_to_mint(ctx, e->instance))
		return 0;
	for (i = 0; i < ctx->n_inst; i++)
		if (strcmp(ctx->inst[i]->name, e->instance) == 0)
			return ctx->inst[i]->state == INST_NEW;
	return 1;
}

/*
 * A minting get reaching a minter (by its manifest) not loaded yet: the mint
 * hook gets it unloaded and loads it (cobocred_stack_ready) only when it
 * must mint.  Loading cobo-oauth maps libcurl, OpenSSL and json-c; in a
 * storm of helpers on one stale token, all but the refresher find the new
 * token under the lock and never need it.  What run_entry decides on
 * loading is decided here after the hook: a module that cannot load stops
 * the run, an absent one takes no part.
 */
static int run_lazy(struct cobocred_ctx *ctx, const struct cobocred_stack_entry *e, size_t i,
		    const struct cobocred_query *q, const struct stack_client *c,
		    struct cobocred_item **acc, int *fatal, struct instance **used)
{
	struct instance *in = cobocred_instance_slot(ctx, e->instance);
	int st;

	if (in == NULL) {
		cobocred_set_error(ctx, "out of memory loading module '%s'", e->instance);
		return COBOCRED_ERROR;
	}
	st = run_get(ctx, in, i, COBOCRED_OP_GET, q, c, acc, 1);
	if (in->state == INST_FAILED && in->status == COBOCRED_ERROR) {
		cobocred_set_error(ctx, "%s", in->error);
		*fatal = 1;
		return COBOCRED_ERROR;
	}
	if (in->state == INST_ABSENT)
		return -1;
	/* Unloaded, it is no fill source; loaded, it is a minter: fill_above skips both. */
	*used = in->state == INST_READY ? in : NULL;
	return st;
}

int cobocred_stack_ready(struct cobocred_ctx *ctx, struct instance *in, size_t idx)
{
	const struct cobocred_stack_line *line = &ctx->cfg->ops[COBOCRED_OP_GET];

	if (in->state == INST_NEW && idx < line->n)
		(void)cobocred_instance(ctx, in->name, &line->v[idx]);
	if (in->state == INST_READY)
		return COBOCRED_SUCCESS;
	cobocred_set_error(ctx, "%s", in->error);
	return in->state == INST_NEW ? COBOCRED_ERROR : in->status;
}

/*
 * Runs entry i of the line; returns its status, or -1 when the entry takes
 * no part.  *fatal: the run stops whatever the actions say.  *used: the
 * instance that ran (NULL when none did).
 */
static int run_entry(struct cobocred_ctx *ctx, const struct cobocred_stack_entry *e, size_t i,
		     enum cobocred_op op, const struct cobocred_query *q,
		     const struct cobocred_item *item, const struct stack_client *c,
		     struct cobocred_item **acc, int *fatal, struct instance **used)
{
	const char *schemas = config_schemas(ctx, e->instance);
	struct instance *in;

	*used = NULL;

	/* A `schemas =` option decides before loading, so a module that cannot
	 * serve the query is never even loaded. */
	if (schemas != NULL && q != NULL && q->schema != NULL && !list_names(schemas, q->schema))
		return -1;
	/* Nor one whose manifest says it serves other schemas (loader.c). */
	if (schemas == NULL && q != NULL && q->schema != NULL &&
	    cobocred_instance_known_not_to_serve(ctx, e->instance, q->schema))
		return -1;
	if (lazy_minter(ctx, e, op, c))
		return run_lazy(ctx, e, i, q, c, acc, fatal, used);
	in = cobocred_instance(ctx, e->instance, e);
	if (in == NULL) {
		cobocred_set_error(ctx, "out of memory loading module '%s'", e->instance);
		return COBOCRED_ERROR;
	}
	if (in->state == INST_FAILED && in->status == COBOCRED_ERROR) {
		/* A module that cannot load is a configuration error: fail closed. */
		cobocred_set_error(ctx, "%s", in->error);
		*fatal = 1;
		return COBOCRED_ERROR;
	}
	if (passed_over(in, schemas, q, c))
		return -1;
	*used = in;
	if (op == COBOCRED_OP_GET || op == COBOCRED_OP_LIST)
		return run_get(ctx, in, i, op, q, c, acc,
			       (in->mod.caps & COBOCRED_CAP_MINT) && op == COBOCRED_OP_GET &&
				       in->state == INST_READY);
	return cobocred_stack_call(ctx, in, op, q, item, NULL);
}

int cobocred_stack_run(struct cobocred_ctx *ctx, enum cobocred_op op,
		       const struct cobocred_query *q, const struct cobocred_item *item,
		       struct cobocred_item **out, const struct stack_client *c)
{
	const struct cobocred_stack_line *line = &ctx->cfg->ops[op];
	struct outcome o = { .status = COBOCRED_NOTFOUND };
	struct cobocred_item *acc = NULL;
	struct fill fill = { .n = 0 };
	size_t i, n = c != NULL && c->limited ? c->limit : line->n;
	int st = COBOCRED_NOTFOUND, stopped = 0, fatal = 0;

	if (out != NULL)
		*out = NULL;
	if (ctx->depth >= MAX_DEPTH) {
		cobocred_set_error(ctx,
				   "module stack re-entered too deeply; check the [stack] lines");
		return COBOCRED_ERROR;
	}
	ctx->depth++;
	snprintf(o.error, sizeof(o.error), "no credential found");
	for (i = 0; i < n && i < line->n && !stopped; i++) {
		const struct cobocred_stack_entry *e = &line->v[i];
		struct instance *used = NULL;
		int r = run_entry(ctx, e, i, op, q, item, c, &acc, &fatal, &used);

		if (r < 0)
			continue;
		if (op == COBOCRED_OP_GET)
			fill_note(&fill, used, r);
		st = r;
		note_refusal(&o, ctx, op, used, st);
		outcome_note(&o, ctx, st);
		stopped = fatal || e->action[st] == COBOCRED_ACT_RETURN;
	}
	ctx->depth--;
	if (stopped && st != COBOCRED_SUCCESS) {
		o.status = st; /* ctx->error still holds that module's message */
	} else if (o.any_success) {
		o.status = COBOCRED_SUCCESS;
		trace_partial(ctx, &o);
	} else {
		memcpy(ctx->error, o.error, sizeof(ctx->error));
	}
	if (o.status != COBOCRED_SUCCESS) {
		cobocred_item_free(acc);
		acc = NULL;
	} else if (op == COBOCRED_OP_GET) {
		fill_above(ctx, &fill, q, acc);
	}
	if (out != NULL)
		*out = acc;
	else
		cobocred_item_free(acc);
	return o.status;
}

int cobocred_stack_probe(struct cobocred_ctx *ctx, cobocred_probe_fn fn, void *arg)
{
	int op, worst = COBOCRED_SUCCESS;
	size_t i, k;

	if (ctx->cfg == NULL)
		return COBOCRED_ERROR;
	for (op = 0; op < COBOCRED_OP_COUNT; op++)
		for (i = 0; i < ctx->cfg->ops[op].n; i++) {
			const struct cobocred_stack_entry *e = &ctx->cfg->ops[op].v[i];
			struct instance *in;
			int seen = 0, st;

			for (k = 0; k < ctx->n_inst; k++)
				seen |= strcmp(ctx->inst[k]->name, e->instance) == 0 &&
					ctx->inst[k]->state != INST_NEW;
			if (seen)
				continue;
			in = cobocred_instance(ctx, e->instance, e);
			if (in == NULL)
				return COBOCRED_ERROR;
			st = in->state == INST_READY ? COBOCRED_SUCCESS : in->status;
			if (in->state != INST_ABSENT && st != COBOCRED_SUCCESS &&
			    (worst == COBOCRED_SUCCESS || severity(st) > severity(worst)))
				worst = st;
			fn(arg, cobocred_op_name(op), e->instance, st,
			   in->state == INST_READY ? "loaded" : in->error);
		}
	return worst;
}
