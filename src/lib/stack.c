/*
 * stack.c - the stack engine: runs one [stack] line over its modules with
 * NSS semantics, and the token lifecycle's single-flight minting.
 *
 * Per entry, the module's status selects an action (return or continue).
 * A stack that runs out of entries returns SUCCESS if any module succeeded
 * (store/erase/list broadcast), else the most telling status seen:
 * ERROR > DENIED > TRYAGAIN > NOTFOUND > UNAVAIL, with that module's message.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define MAX_DEPTH 4
#define MINT_LOCK_TIMEOUT_MS 30000
/* With a still-valid token in hand, waiting long for another refresher
 * buys nothing: answer the valid token sooner. */
#define MINT_LOCK_TIMEOUT_VALID_MS 10000
/* After a failed refresh, the holders that follow answer the valid token
 * without asking the server again for this long. */
#define MINT_BACKOFF_S 30

static const char *const status_names[COBOCRED_STATUS_COUNT] = {
	"SUCCESS", "NOTFOUND", "UNAVAIL", "TRYAGAIN", "DENIED", "ERROR",
};

const char *cobocred_status_name(int status)
{
	return status >= 0 && status < COBOCRED_STATUS_COUNT ? status_names[status] : "INVALID";
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

static int schema_allowed(const struct cobocred_ctx *ctx, const char *instance, const char *schema)
{
	const char *list = cobocred_section_get(cobocred_config_module(ctx->cfg, instance), "schemas");
	size_t n;

	if (list == NULL || schema == NULL)
		return 1;
	n = strlen(schema);
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

static int call(struct cobocred_ctx *ctx, struct instance *in, enum cobocred_op op,
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
	switch (op) {
	case COBOCRED_OP_GET:
		st = in->mod.get ? in->mod.get(in->mstate, q, &got) : COBOCRED_UNAVAIL;
		break;
	case COBOCRED_OP_LIST:
		st = in->mod.list ? in->mod.list(in->mstate, q, &got) : COBOCRED_UNAVAIL;
		break;
	case COBOCRED_OP_STORE:
		st = in->mod.store ? in->mod.store(in->mstate, item, q) : COBOCRED_UNAVAIL;
		break;
	default:
		st = in->mod.erase ? in->mod.erase(in->mstate, q) : COBOCRED_UNAVAIL;
		break;
	}
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

/* expires_at - now must exceed max(60 s, 10 % of the lifetime, min_valid). */
static int is_fresh(struct cobocred_ctx *ctx, const struct cobocred_item *it, int64_t min_valid)
{
	int64_t left, window = 60;

	if (it->expires_at == 0)
		return 1;
	left = it->expires_at - cobocred_now(ctx);
	if (it->created_at > 0 && it->expires_at > it->created_at &&
	    (it->expires_at - it->created_at) / 10 > window)
		window = (it->expires_at - it->created_at) / 10;
	if (min_valid > window)
		window = min_valid;
	return left > window;
}

/* 1 if it is a token that still works. */
static int valid(struct cobocred_ctx *ctx, const struct cobocred_item *it)
{
	return it != NULL && (it->expires_at == 0 || it->expires_at > cobocred_now(ctx));
}

/*
 * Keeps the stale item that lives longest; takes ownership of it.  On a
 * tie the later one wins: it was minted after the cached one was read.
 */
static void keep_stale(struct cobocred_item **stale, struct cobocred_item *it)
{
	if (*stale == NULL || it->expires_at >= (*stale)->expires_at) {
		cobocred_item_free(*stale);
		*stale = it;
	} else {
		cobocred_item_free(it);
	}
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h ^ 0xff; /* separator */
}

/* Lock name for one credential: a hash of its schema and attributes. */
static void lock_name(const struct cobocred_query *q, char *buf, size_t len)
{
	uint64_t h = fnv1a(0xcbf29ce484222325ull, q->schema ? q->schema : "");
	size_t i;

	for (i = 0; i < q->n_attrs; i++) {
		h = fnv1a(h, q->attrs[i].name);
		h = fnv1a(h, q->attrs[i].value ? q->attrs[i].value : "");
	}
	snprintf(buf, len, "mint-%016llx", (unsigned long long)h);
}

/* The refresh-token companion of an access-token query (kind=access -> refresh). */
static int companion_query(const struct cobocred_query *q, struct cobocred_query *rq,
			   struct cobocred_attr *attrs, size_t max)
{
	size_t i;
	int found = 0;

	if (q->n_attrs > max)
		return 0;
	*rq = *q;
	rq->attrs = attrs;
	rq->secret = NULL;
	rq->secret_len = 0;
	for (i = 0; i < q->n_attrs; i++) {
		attrs[i] = q->attrs[i];
		if (strcmp(attrs[i].name, "kind") == 0 && attrs[i].value != NULL &&
		    strcmp(attrs[i].value, "access") == 0) {
			attrs[i].value = "refresh";
			found = 1;
		}
	}
	return found;
}

/* What a minted item is, for messages. */
static const char *item_kind(const struct cobocred_item *it)
{
	const char *kind = cobocred_item_attr(it, "kind");

	if (kind != NULL && strcmp(kind, "access") == 0)
		return "access token";
	if (kind != NULL && strcmp(kind, "refresh") == 0)
		return "refresh token";
	return "credential";
}

/*
 * The answer still goes out, but the user hears that the new token (the
 * refresh token first: it is the one a lost write really costs) was kept
 * nowhere.  One warning per call.
 */
static void warn_not_kept(struct cobocred_ctx *ctx, const struct cobocred_item *it, int st)
{
	if (ctx->warning[0] != '\0')
		return;
	if (st == COBOCRED_NOTFOUND)
		cobocred_set_warning(ctx, "the new %s was not cached: no module on the [stack] "
				     "store line takes it, so every call asks the server",
				     item_kind(it));
	else
		cobocred_set_warning(ctx, "the new %s could not be cached (%s), so the next call "
				     "asks the server again", item_kind(it), ctx->error);
}

/* Stores each minted item in the store stack (in order) and returns the one q asked for. */
static struct cobocred_item *write_through(struct cobocred_ctx *ctx,
					   const struct cobocred_query *q,
					   struct cobocred_item *minted)
{
	struct cobocred_item *it, *next, *answer = NULL;
	struct cobocred_query match = *q;

	match.secret = NULL;
	match.secret_len = 0;
	for (it = minted; it != NULL; it = next) {
		struct cobocred_query replace = {
			.struct_size = sizeof(replace), .schema = it->schema,
			.n_attrs = it->n_attrs, .attrs = it->attrs, .profile = q->profile,
			.flags = COBOCRED_QUERY_EXACT,
		};
		int st;

		next = it->next;
		it->next = NULL;
		st = cobocred_stack_run(ctx, COBOCRED_OP_STORE, &replace, it, NULL,
					&(struct run_opts){ .no_mint = 1 });
		if (st != COBOCRED_SUCCESS)
			warn_not_kept(ctx, it, st);
		if (answer == NULL && cobocred_item_matches(it, &match))
			answer = it;
		else
			cobocred_item_free(it);
	}
	return answer;
}

/*
 * Single flight: under a per-credential lock, re-read the caches before the
 * minting module (entries [0, idx)), and mint only if they are still stale.
 */
static int mint_locked(struct cobocred_ctx *ctx, struct instance *in, size_t idx,
		       const struct cobocred_query *q, const struct run_opts *opts,
		       struct cobocred_item **stale, struct cobocred_item **out)
{
	struct run_opts cache = { .no_mint = 1, .lifecycle = 1, .min_valid = opts->min_valid,
				  .limited = 1, .limit = idx, .stale = stale };
	struct cobocred_attr rattrs[16];
	struct cobocred_query rq, mq = *q;
	struct cobocred_item *refresh = NULL, *minted = NULL;
	char name[64];
	int fd = -1, st;

	lock_name(q, name, sizeof(name));
	st = cobocred_lock(ctx, name, valid(ctx, *stale) ? MINT_LOCK_TIMEOUT_VALID_MS
							 : MINT_LOCK_TIMEOUT_MS, &fd);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = cobocred_stack_run(ctx, COBOCRED_OP_GET, q, NULL, out, &cache);
	if (st == COBOCRED_SUCCESS) {
		cobocred_trace(ctx, "another process refreshed it meanwhile");
		goto out;
	}
	if (valid(ctx, *stale) && cobocred_failed_recently(ctx, name, MINT_BACKOFF_S)) {
		cobocred_set_error(ctx, "a refresh failed less than %d s ago; not asking the server "
				   "again yet", MINT_BACKOFF_S);
		st = COBOCRED_TRYAGAIN;
		goto out;
	}
	if (companion_query(q, &rq, rattrs, 16) &&
	    cobocred_stack_run(ctx, COBOCRED_OP_GET, &rq, NULL, &refresh,
			       &(struct run_opts){ .no_mint = 1, .limited = 1, .limit = idx }) ==
		    COBOCRED_SUCCESS) {
		mq.secret = refresh->secret;
		mq.secret_len = refresh->secret_len;
	}
	st = call(ctx, in, COBOCRED_OP_GET, &mq, NULL, &minted);
	cobocred_mark_failure(ctx, name, st != COBOCRED_SUCCESS && valid(ctx, *stale));
	if (st == COBOCRED_SUCCESS) {
		*out = write_through(ctx, q, minted);
		if (*out == NULL) {
			cobocred_set_error(ctx, "module '%s' minted nothing matching the request; "
				   "report this bug", in->name);
			st = COBOCRED_ERROR;
		}
	}
out:
	cobocred_item_free(refresh);
	cobocred_unlock(fd);
	return st;
}

/* Runs one get/list entry; returns the status that selects the action. */
static int run_get(struct cobocred_ctx *ctx, struct instance *in, size_t idx,
		   enum cobocred_op op, const struct cobocred_query *q,
		   const struct run_opts *opts, struct cobocred_item **acc)
{
	struct cobocred_item *got = NULL, **tail;
	int st;

	if ((in->mod.caps & COBOCRED_CAP_MINT) && op == COBOCRED_OP_GET && !opts->lifecycle)
		return COBOCRED_NOTFOUND; /* minting only under the lifecycle, which stores */
	if ((in->mod.caps & COBOCRED_CAP_MINT) && op == COBOCRED_OP_GET)
		st = mint_locked(ctx, in, idx, q, opts, opts->stale, &got);
	else
		st = call(ctx, in, op, q, NULL, &got);
	if (st == COBOCRED_SUCCESS && op == COBOCRED_OP_GET && opts->lifecycle &&
	    !is_fresh(ctx, got, opts->min_valid)) {
		keep_stale(opts->stale, got);
		return COBOCRED_NOTFOUND;
	}
	for (tail = acc; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = got;
	return st;
}

int cobocred_stack_run(struct cobocred_ctx *ctx, enum cobocred_op op,
		       const struct cobocred_query *q, const struct cobocred_item *item,
		       struct cobocred_item **out, const struct run_opts *opts)
{
	const struct cobocred_stack_line *line = &ctx->cfg->ops[op];
	struct outcome o = { .status = COBOCRED_NOTFOUND };
	struct cobocred_item *acc = NULL;
	size_t i, n = opts->limited ? opts->limit : line->n;
	int st = COBOCRED_NOTFOUND, stopped = 0;

	if (out != NULL)
		*out = NULL;
	if (ctx->depth >= MAX_DEPTH) {
		cobocred_set_error(ctx, "module stack re-entered too deeply; check the [stack] lines");
		return COBOCRED_ERROR;
	}
	ctx->depth++;
	snprintf(o.error, sizeof(o.error), "no credential found");
	for (i = 0; i < n && i < line->n && !stopped; i++) {
		const struct cobocred_stack_entry *e = &line->v[i];
		struct instance *in;

		if (!schema_allowed(ctx, e->instance, q ? q->schema : NULL))
			continue;
		in = cobocred_instance(ctx, e->instance, e);
		if (in == NULL) {
			cobocred_set_error(ctx, "out of memory loading module '%s'", e->instance);
			st = COBOCRED_ERROR;
		} else if (in->state == INST_FAILED && in->status == COBOCRED_ERROR) {
			/* A module that cannot load is a configuration error: fail closed. */
			cobocred_set_error(ctx, "%s", in->error);
			st = COBOCRED_ERROR;
			stopped = 1;
			break;
		} else if (in->state == INST_ABSENT ||
			   (opts->no_mint && in->state == INST_READY && (in->mod.caps & COBOCRED_CAP_MINT))) {
			continue;
		} else if (op == COBOCRED_OP_GET || op == COBOCRED_OP_LIST) {
			st = run_get(ctx, in, i, op, q, opts, &acc);
		} else {
			st = call(ctx, in, op, q, item, NULL);
		}
		outcome_note(&o, ctx, st);
		stopped = e->action[st] == COBOCRED_ACT_RETURN;
	}
	ctx->depth--;
	if (stopped && st != COBOCRED_SUCCESS) {
		o.status = st; /* ctx->error still holds that module's message */
	} else if (o.any_success) {
		o.status = COBOCRED_SUCCESS;
	} else {
		memcpy(ctx->error, o.error, sizeof(ctx->error));
	}
	if (o.status != COBOCRED_SUCCESS) {
		cobocred_item_free(acc);
		acc = NULL;
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
