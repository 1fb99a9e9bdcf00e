/*
 * lifecycle.c - the token lifecycle (ARCHITECTURE.md, "The stack and the token lifecycle"): a
 * client of the stack engine.  A cached token is answered while fresh; a
 * stale one sends the run to the minting module, single-flight under a
 * per-credential lock from the lock service, after re-reading the caches;
 * what is minted is written through to the store line, refresh token
 * first.  A failed refresh never costs a token that still works.
 *
 * The access/refresh pairing (kind=access has a kind=refresh companion) is
 * the Cobo token schema's rule and lives here, not in the generic engine.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cobocred.h"
#include "core.h"
#include "resolved.h"

#define MINT_LOCK_TIMEOUT_MS 30000
/* With a still-valid token in hand, waiting long for another refresher
 * buys nothing: answer the valid token sooner. */
#define MINT_LOCK_TIMEOUT_VALID_MS 10000
/* After a failed refresh, the holders that follow answer the valid token
 * without asking the server again for this long. */
#define MINT_BACKOFF_S 30
#define MAX_TOKEN_ATTRS 16

/* One token get: what the stack client hooks share. */
struct flight {
	int64_t min_valid;	     /* required seconds of validity */
	struct cobocred_item *stale; /* the best stale item seen; owned */
};

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

/* Stack client judge: a stale answer counts as NOTFOUND and is kept aside. */
static int judge_fresh(struct cobocred_ctx *ctx, struct cobocred_item **got, void *arg)
{
	struct flight *f = arg;

	if (is_fresh(ctx, *got, f->min_valid))
		return COBOCRED_SUCCESS;
	keep_stale(&f->stale, *got);
	*got = NULL;
	return COBOCRED_NOTFOUND;
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
		if (strcmp(attrs[i].name, COBOCRED_ATTR_KIND) == 0 && attrs[i].value != NULL &&
		    strcmp(attrs[i].value, COBOCRED_KIND_ACCESS) == 0) {
			attrs[i].value = COBOCRED_KIND_REFRESH;
			found = 1;
		}
	}
	return found;
}

/* What a minted item is, for messages. */
static const char *item_kind(const struct cobocred_item *it)
{
	const char *kind = cobocred_item_attr(it, COBOCRED_ATTR_KIND);

	if (kind != NULL && strcmp(kind, COBOCRED_KIND_ACCESS) == 0)
		return "access token";
	if (kind != NULL && strcmp(kind, COBOCRED_KIND_REFRESH) == 0)
		return "refresh token";
	return "credential";
}

/*
 * The answer still goes out, but the user hears that the new token (the
 * refresh token first: it is the one a lost write really costs) was kept
 * nowhere.  One warning per call.  A store line that refuses to fall from
 * a locked or failing keyring to a weaker tier ends here too: the token is
 * answered and kept nowhere, never written where the config did not ask.
 */
static void warn_not_kept(struct cobocred_ctx *ctx, const struct cobocred_item *it, int st)
{
	if (ctx->warning[0] != '\0')
		return;
	if (st == COBOCRED_NOTFOUND)
		cobocred_set_warning(ctx,
				     "the new %s was not cached: no module on the [stack] "
				     "store line takes it, so every call asks the server",
				     item_kind(it));
	else
		cobocred_set_warning(ctx,
				     "the new %s could not be cached (%s), so the next call "
				     "asks the server again",
				     item_kind(it), ctx->error);
}

/* Stores each minted item through the store line (in order) and returns the one q asked for. */
static struct cobocred_item *write_through(struct cobocred_ctx *ctx, const struct cobocred_query *q,
					   struct cobocred_item *minted)
{
	struct cobocred_item *it, *next, *answer = NULL;
	struct cobocred_query match = *q;

	match.secret = NULL;
	match.secret_len = 0;
	for (it = minted; it != NULL; it = next) {
		struct cobocred_query replace = {
			.struct_size = sizeof(replace),
			.schema = it->schema,
			.n_attrs = it->n_attrs,
			.attrs = it->attrs,
			.profile = q->profile,
			.flags = COBOCRED_QUERY_EXACT,
		};
		int st;

		next = it->next;
		it->next = NULL;
		st = cobocred_stack_run(ctx, COBOCRED_OP_STORE, &replace, it, NULL, NULL);
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
 * Refresh-token read judge: every cache is asked, the newest token wins.  A
 * machine's local tier may hold a refresh token that another machine of a
 * fleet has since rotated in the shared store (etcd); spending the old one
 * would cost a mint.  This read is also half of the read-before-write
 * contract of COBOCRED_CAP_MINT (module.h) that etcd's compare-and-swap
 * builds on.  On a tie the faster tier's stays.
 */
static int judge_newest(struct cobocred_ctx *ctx, struct cobocred_item **got, void *arg)
{
	struct cobocred_item **newest = arg;

	(void)ctx;
	if (*newest == NULL || (*got)->created_at > (*newest)->created_at) {
		cobocred_item_free(*newest);
		*newest = *got;
	} else {
		cobocred_item_free(*got);
	}
	*got = NULL;
	return COBOCRED_NOTFOUND;
}

/* Asks the minting module (with the cached refresh token when there is one); stores what it made. */
static int mint_and_store(struct cobocred_ctx *ctx, struct instance *in, size_t idx,
			  const struct cobocred_query *q, struct cobocred_item **out)
{
	struct cobocred_item *refresh = NULL, *minted = NULL;
	struct stack_client caches = { .limited = 1,
				       .limit = idx,
				       .judge = judge_newest,
				       .arg = &refresh };
	struct cobocred_attr rattrs[MAX_TOKEN_ATTRS];
	struct cobocred_query rq, mq = *q;
	int st;

	if (companion_query(q, &rq, rattrs, MAX_TOKEN_ATTRS))
		(void)cobocred_stack_run(ctx, COBOCRED_OP_GET, &rq, NULL, NULL, &caches);
	mq.struct_size = sizeof(mq);
	if (refresh != NULL) {
		mq.secret = refresh->secret;
		mq.secret_len = refresh->secret_len;
		/* A module that dates its answers refuses one older than this. */
		mq.secret_created_at = refresh->created_at;
	}
	st = cobocred_stack_call(ctx, in, COBOCRED_OP_GET, &mq, NULL, &minted);
	cobocred_item_free(refresh);
	if (st != COBOCRED_SUCCESS)
		return st;
	*out = write_through(ctx, q, minted);
	if (*out == NULL) {
		cobocred_set_error(ctx,
				   "module '%s' minted nothing matching the request; "
				   "report this bug",
				   cobocred_instance_name(in));
		st = COBOCRED_ERROR;
	}
	return st;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What is left of a deadline for the next wait (at least 1 ms: 0 would mean "never wait"). */
static int left_ms(int64_t deadline)
{
	int64_t left = deadline - mono_ms();

	return left < 1 ? 1 : left > INT32_MAX ? INT32_MAX : (int)left;
}

/*
 * The look first, for a lock service that offers shared locks.  One try
 * of the exclusive lock, never waiting: whoever gets it is the refresher
 * (*handle set, NOTFOUND: go on).  Everybody else waits for the shared
 * lock, which comes when the refresher lets go, and re-reads the caches
 * under it, all at once: SUCCESS with *out when the token is fresh now.
 * Still stale (the refresh failed, or nobody was refreshing but readers
 * held the lock): NOTFOUND, and the caller queues for the exclusive lock,
 * where it re-reads once more before asking the server, so the upgrade
 * (release shared, take exclusive, re-read) never lets two refreshes in.
 * Other statuses: the shared wait's failure (TRYAGAIN: a stuck holder).
 */
static int look_shared(struct cobocred_ctx *ctx, const char *name, int timeout_ms,
		       const struct cobocred_query *q, const struct stack_client *reread,
		       struct cobocred_item **out, int *handle)
{
	const struct cobocred_lock_service *locks = ctx->locks;
	int shared = -1, st;

	*handle = -1;
	if (locks->lock_shared == NULL)
		return COBOCRED_NOTFOUND;
	if (locks->lock(ctx, name, 0, handle) == COBOCRED_SUCCESS)
		return COBOCRED_NOTFOUND;
	st = locks->lock_shared(ctx, name, timeout_ms, &shared);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = cobocred_stack_run(ctx, COBOCRED_OP_GET, q, NULL, out, reread);
	locks->unlock(ctx, shared);
	if (st != COBOCRED_SUCCESS)
		return COBOCRED_NOTFOUND;
	cobocred_trace(ctx, "another process refreshed it meanwhile (seen under the shared lock)");
	return COBOCRED_SUCCESS;
}

/*
 * Stack client mint hook.  Single flight: under a per-credential lock,
 * re-read the caches before the minting module (entries [0, idx)), and
 * mint only if they are still stale.  Waiters look first under the
 * shared lock (look_shared), so a storm of helpers on one stale token
 * makes one refresh and reads the new token in parallel, not in a queue,
 * and only the refresher loads the minting module.
 */
static int mint_locked(struct cobocred_ctx *ctx, struct instance *in, size_t idx,
		       const struct cobocred_query *q, struct cobocred_item **out, void *arg)
{
	struct flight *f = arg;
	struct stack_client reread = { .limited = 1, .limit = idx, .judge = judge_fresh, .arg = f };
	const struct cobocred_lock_service *locks = ctx->locks;
	char name[64];
	int handle = -1, st, had_valid = valid(ctx, f->stale);
	int timeout = had_valid ? MINT_LOCK_TIMEOUT_VALID_MS : MINT_LOCK_TIMEOUT_MS;
	int64_t deadline = mono_ms() + timeout;

	lock_name(q, name, sizeof(name));
	st = look_shared(ctx, name, timeout, q, &reread, out, &handle);
	if (st != COBOCRED_NOTFOUND)
		return st;
	if (handle < 0) {
		st = locks->lock(ctx, name, left_ms(deadline), &handle);
		if (st != COBOCRED_SUCCESS)
			return st;
	}
	st = cobocred_stack_run(ctx, COBOCRED_OP_GET, q, NULL, out, &reread);
	if (st == COBOCRED_SUCCESS) {
		cobocred_trace(ctx, "another process refreshed it meanwhile");
		goto out;
	}
	had_valid = valid(ctx, f->stale);
	if (had_valid && locks->failed_recently(ctx, name, MINT_BACKOFF_S)) {
		cobocred_set_error(ctx,
				   "a refresh failed less than %d s ago; not asking the server "
				   "again yet",
				   MINT_BACKOFF_S);
		st = COBOCRED_TRYAGAIN;
		goto out;
	}
	/* Only now, with the caches still stale under the lock, is the minter
	 * needed: the stack hands it over unloaded when it can (stack.c). */
	st = cobocred_stack_ready(ctx, in, idx);
	if (st != COBOCRED_SUCCESS)
		goto out;
	st = mint_and_store(ctx, in, idx, q, out);
	locks->mark_failure(ctx, name, st != COBOCRED_SUCCESS && had_valid);
out:
	locks->unlock(ctx, handle);
	return st;
}

/* The access token of q (an access-token query of one profile and org). */
static int token_get(struct cobocred_ctx *ctx, const struct cobocred_query *q, int64_t min_valid,
		     struct cobocred_item **out)
{
	struct flight f = { .min_valid = min_valid };
	struct stack_client client = { .mint = mint_locked, .judge = judge_fresh, .arg = &f };
	int st = cobocred_stack_run(ctx, COBOCRED_OP_GET, q, NULL, out, &client);

	if (st != COBOCRED_SUCCESS && f.stale != NULL && f.stale->expires_at > cobocred_now(ctx)) {
		/* A failed refresh never costs a token that still works. */
		cobocred_trace(ctx,
			       "refresh did not succeed (%s: %s); answering the cached token, "
			       "valid %lld s more",
			       cobocred_status_name(st), cobocred_error(ctx),
			       (long long)(f.stale->expires_at - cobocred_now(ctx)));
		*out = f.stale;
		f.stale = NULL;
		st = COBOCRED_SUCCESS;
	}
	cobocred_item_free(f.stale);
	return st;
}

/* The access-token query of profile and org, looked up by name (cobo_identity.c). */
static int access_query(struct cobocred_ctx *ctx, const char *profile, const char *org,
			struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			struct cobocred_query *q)
{
	if (ctx->cfg == NULL)
		return COBOCRED_ERROR;
	return cobocred_cobo_query_org(ctx, profile, org, COBOCRED_KIND_ACCESS, attrs, q);
}

int cobocred_token_get_org(struct cobocred_ctx *ctx, const char *profile, const char *org,
			   int64_t min_valid, struct cobocred_item **out)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	int st;

	*out = NULL;
	st = access_query(ctx, profile, org, attrs, &q);
	return st == COBOCRED_SUCCESS ? token_get(ctx, &q, min_valid, out) : st;
}

int cobocred_token_get_resolved(struct cobocred_ctx *ctx, const struct cobocred_resolved *rt,
				int64_t min_valid, struct cobocred_item **out)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;

	*out = NULL;
	cobocred_resolved_query(rt, COBOCRED_KIND_ACCESS, attrs, &q);
	return token_get(ctx, &q, min_valid, out);
}

/* Drops q's cached access token if it equals token (NULL: any). */
static int token_erase(struct cobocred_ctx *ctx, struct cobocred_query *q, const char *token)
{
	if (token != NULL) {
		q->secret = (const unsigned char *)token;
		q->secret_len = strlen(token);
	}
	return cobocred_erase(ctx, q);
}

int cobocred_token_erase_org(struct cobocred_ctx *ctx, const char *profile, const char *org,
			     const char *token)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;
	int st = access_query(ctx, profile, org, attrs, &q);

	return st == COBOCRED_SUCCESS ? token_erase(ctx, &q, token) : st;
}

int cobocred_token_erase_resolved(struct cobocred_ctx *ctx, const struct cobocred_resolved *rt,
				  const char *token)
{
	struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS];
	struct cobocred_query q;

	cobocred_resolved_query(rt, COBOCRED_KIND_ACCESS, attrs, &q);
	return token_erase(ctx, &q, token);
}

int cobocred_token_get(struct cobocred_ctx *ctx, const char *profile, int64_t min_valid,
		       struct cobocred_item **out)
{
	return cobocred_token_get_org(ctx, profile, NULL, min_valid, out);
}

int cobocred_token_erase(struct cobocred_ctx *ctx, const char *profile, const char *token)
{
	return cobocred_token_erase_org(ctx, profile, NULL, token);
}
