/*
 * token.c - the module's get(): which queries it answers, the profile and
 * app secret it needs, and the two items it hands the core.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "key.h"
#include "mint.h"
#include "offset.h"

static const char *query_attr(const struct cobocred_query *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->n_attrs; i++)
		if (q->attrs[i].name != NULL && strcmp(q->attrs[i].name, name) == 0)
			return q->attrs[i].value;
	return NULL;
}

int oauth_query_applies(const struct cobocred_query *q)
{
	const char *kind;

	if (q == NULL || q->schema == NULL || strcmp(q->schema, COBOCRED_SCHEMA_COBO) != 0 ||
	    q->profile == NULL || *q->profile == '\0')
		return 0;
	kind = query_attr(q, COBOCRED_ATTR_KIND);
	return kind != NULL && strcmp(kind, COBOCRED_KIND_ACCESS) == 0;
}

/* The query's app attributes, when present, must be the profile's (the org: oauth_conf_org). */
static int query_is_profile(const struct cobocred_query *q, const struct oauth_conf *c)
{
	const char *keys[] = { "base_url", "client_id" };
	const char *want[] = { c->base_url, c->client_id };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *v = query_attr(q, keys[i]);

		if (v != NULL && strcmp(v, want[i]) != 0)
			return 0;
	}
	return 1;
}

static struct cobocred_item *make_item(const struct cobocred_host *h, const struct oauth_conf *c,
				       const char *kind, const char *what, const char *secret,
				       size_t len, int64_t created, int64_t expires)
{
	struct cobocred_item *it = h->item_new(COBOCRED_SCHEMA_COBO);
	char label[512];

	if (it == NULL)
		return NULL;
	snprintf(label, sizeof(label), "Cobo Org %s Token (%s on %s)", what, c->org_id,
		 c->url.hostport);
	if (h->item_set_label(it, label) != 0 ||
	    h->item_add_attr(it, "base_url", c->base_url) != 0 ||
	    h->item_add_attr(it, "client_id", c->client_id) != 0 ||
	    h->item_add_attr(it, "org_id", c->org_id) != 0 ||
	    h->item_add_attr(it, COBOCRED_ATTR_KIND, kind) != 0 ||
	    h->item_set_secret(it, secret, len) != 0) {
		h->item_free(it);
		return NULL;
	}
	h->item_set_times(it, created, expires);
	return it;
}

/* The refresh token's item, dated by Cobo's signature (now when unknown). */
static struct cobocred_item *refresh_item(const struct cobocred_host *h, const struct oauth_conf *c,
					  const struct oauth_token *t, int64_t now)
{
	int64_t signed_at = t->signed_ms > 0 ? t->signed_ms / 1000 : now;

	return make_item(h, c, COBOCRED_KIND_REFRESH, "Refresh", t->refresh_token, t->refresh_len,
			 signed_at, signed_at + OAUTH_REFRESH_TTL);
}

int oauth_items_build(const struct cobocred_host *h, const struct oauth_conf *c,
		      const struct oauth_token *t, int64_t now, struct cobocred_item **out)
{
	struct cobocred_item *rt, *at;

	*out = NULL;
	rt = refresh_item(h, c, t, now);
	at = make_item(h, c, COBOCRED_KIND_ACCESS, "Access", t->access_token, t->access_len, now,
		       now + t->expires_in);
	if (rt == NULL || at == NULL) {
		if (rt != NULL)
			h->item_free(rt);
		if (at != NULL)
			h->item_free(at);
		return -1;
	}
	rt->next = at; /* refresh first: the core stores them in this order */
	*out = rt;
	return 0;
}

/*
 * The newest answer accepted for q's (app, org), unix ms: the created_at
 * of the cached refresh token (oauth_items_build dates it by Cobo's
 * signature), which the lifecycle reads under the per-(app, org) lock, so
 * that the answers it stores only ever move forward.  0: none known.
 */
static int64_t newest_ms(const struct cobocred_query *q)
{
	if (q->struct_size < offsetof(struct cobocred_query, secret_created_at) +
				     sizeof(q->secret_created_at) ||
	    q->secret_created_at <= 0 || q->secret_created_at > INT64_MAX / 1000)
		return 0;
	return q->secret_created_at * 1000;
}

/*
 * A refresh answer refused only for its date (tok->rotated_refused): Cobo
 * has spent the refresh token sent, so its successor replaces it in every
 * tier of the store line, and the next holder refreshes instead of failing
 * at Cobo.  The access token of that answer was dropped (judge.c).
 */
static void keep_rotated(const struct cobocred_host *h, const struct cobocred_query *q,
			 const struct oauth_conf *c, const struct oauth_token *tok, int64_t now)
{
	struct cobocred_item *items = refresh_item(h, c, tok, now); /* owned */
	struct cobocred_query replace = { .struct_size = sizeof(replace),
					  .profile = q->profile,
					  .flags = COBOCRED_QUERY_EXACT };
	int st;

	if (items == NULL) {
		h->log(h->ctx, COBOCRED_LOG_WARN,
		       "cobo-oauth: out of memory keeping the new refresh token");
		return;
	}
	replace.schema = items->schema;
	replace.n_attrs = items->n_attrs;
	replace.attrs = items->attrs;
	st = h->stack_store(h->ctx, items, &replace);
	h->log(h->ctx, st == COBOCRED_SUCCESS ? COBOCRED_LOG_INFO : COBOCRED_LOG_WARN,
	       "cobo-oauth: the refresh token Cobo rotated in an answer refused for its date %s",
	       st == COBOCRED_SUCCESS ? "replaces the spent one" : "could not be kept");
	h->item_free(items);
}

/*
 * The second, ordered answer that may raise the allowance for a clock
 * ahead of Cobo's (offset.h).  first was refused only by the order bound
 * and dated within the request window: its sample c = arrival -
 * Biz-Timestamp is the candidate.  One call at once (a refresh with the
 * successor first carried, a mint again for a mint) accepts an answer
 * signed no earlier than its own nonce - c - 5 s and no earlier than
 * first, whose own sample confirms c (at least c - 5 s: the same clock
 * ahead, not a capture replayed first), and which hands back neither
 * first's refresh token nor the one sent; then the smaller of the two
 * samples is kept.  A replay must thus supply two captured answers in
 * order, each newer than the newest accepted.  Nothing of first is
 * stored: if it was a capture, its refresh token may be another org's.
 */
static int retry_learning(const struct cobocred_host *h, const struct oauth_conf *c,
			  struct oauth_appkey *key, const struct oauth_token *first, int64_t newest,
			  struct oauth_token *tok, char *err, size_t errlen)
{
	int refresh = first->order_refused == OAUTH_EARLY_REFRESH;
	int64_t cand = first->arrived_ms - first->signed_ms, sample;
	struct oauth_sent ask = { .refresh = refresh ? first->refresh_token : NULL,
				  .refresh_len = refresh ? first->refresh_len : 0,
				  .cached = first->refresh_token,
				  .cached_len = first->refresh_len,
				  .newest_ms = newest > first->signed_ms ? newest
									 : first->signed_ms,
				  .ahead_ms = cand,
				  .confirm_ms = cand };
	char why[1024] = "";
	int st;

	h->log(h->ctx, COBOCRED_LOG_INFO,
	       "cobo-oauth: %s; retrying once, allowing %lld ms for this machine's clock", err,
	       (long long)cand);
	st = oauth_fetch(h, c, key, &ask, tok, why, sizeof(why));
	if (st == COBOCRED_SUCCESS) {
		sample = tok->arrived_ms - tok->signed_ms;
		oauth_offset_raise(h, c->url.hostport, sample < cand ? sample : cand);
	} else { /* the first refusal names the clock; then what the retry met */
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, "; retried once: %s", why);
		if (refresh)
			h->log(h->ctx, COBOCRED_LOG_WARN,
			       "cobo-oauth: the refresh token sent may be spent at Cobo (its "
			       "answer was refused for its date, the retry failed): the next "
			       "refresh may be refused there and mint");
	}
	return st;
}

/*
 * One token call under the allowance learned for this server: an
 * accepted answer may lower it; one refused only by the order bound gets
 * retry_learning.  A refresh answer refused only for max_clock_skew has
 * spent the refresh token sent: its successor is kept in every tier
 * (keep_rotated).
 */
static int fetch(const struct cobocred_host *h, const struct cobocred_query *q,
		 const struct oauth_conf *c, struct oauth_appkey *key, const char *refresh,
		 size_t refresh_len, int64_t now, struct oauth_token *tok, char *err, size_t errlen)
{
	struct oauth_token first = { 0 }; /* owned; moved into *tok on success */
	struct oauth_sent ask = { .refresh = refresh,
				  .refresh_len = refresh_len,
				  .newest_ms = newest_ms(q),
				  .ahead_ms = oauth_offset_get(h, c->url.hostport) };
	int st = oauth_fetch(h, c, key, &ask, &first, err, errlen);

	if (st == COBOCRED_SUCCESS) {
		oauth_offset_lower(h, c->url.hostport, first.arrived_ms - first.signed_ms);
		*tok = first;
		return st;
	}
	if (first.rotated_refused)
		keep_rotated(h, q, c, &first, now);
	if (first.order_refused)
		st = retry_learning(h, c, key, &first, ask.newest_ms, tok, err, errlen);
	oauth_token_clear(&first);
	return st;
}

/* The cached refresh token in q, if it looks usable; NULL means mint. */
static const char *usable_refresh(const struct cobocred_host *h, const struct cobocred_query *q,
				  size_t *len)
{
	size_t i;

	*len = 0;
	if (q->secret == NULL || q->secret_len == 0)
		return NULL;
	for (i = 0; i < q->secret_len; i++)
		if (q->secret[i] < 0x20 || q->secret[i] == 0x7f)
			break;
	if (q->secret_len > OAUTH_TOKEN_MAX || i < q->secret_len) {
		h->log(h->ctx, COBOCRED_LOG_WARN,
		       "cobo-oauth: cached refresh token is malformed; "
		       "minting instead");
		return NULL;
	}
	*len = q->secret_len;
	return (const char *)q->secret;
}

int oauth_get_token(const struct cobocred_host *h, const struct cobocred_query *q,
		    struct cobocred_item **out)
{
	struct oauth_appkey key = { 0 };
	struct oauth_token tok = { 0 };
	struct oauth_conf c;
	const char *refresh;
	char err[1024] = "";
	size_t refresh_len;
	int64_t now;
	int st;

	*out = NULL;
	if (!oauth_query_applies(q))
		return COBOCRED_NOTFOUND;
	st = oauth_conf_load(h, q->profile, &c, err, sizeof(err));
	if (st != COBOCRED_SUCCESS)
		goto out;
	if (!query_is_profile(q, &c)) {
		st = COBOCRED_NOTFOUND;
		goto out;
	}
	st = oauth_conf_org(&c, query_attr(q, "org_id"), err, sizeof(err));
	if (st != COBOCRED_SUCCESS)
		goto out;
	st = oauth_appkey_load(h, q->profile, c.app_secret, c.client_id, &key, err, sizeof(err));
	if (st != COBOCRED_SUCCESS)
		goto out;
	refresh = usable_refresh(h, q, &refresh_len);
	now = h->now(h->ctx); /* before the request: never overstate the lifetime */
	st = fetch(h, q, &c, &key, refresh, refresh_len, now, &tok, err, sizeof(err));
	if (st == COBOCRED_SUCCESS && oauth_items_build(h, &c, &tok, now, out) != 0) {
		snprintf(err, sizeof(err), "out of memory storing the new token");
		st = COBOCRED_ERROR;
	}
out:
	if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND && err[0] != '\0')
		h->set_error(h->ctx, "%s", err);
	oauth_appkey_clear(h, &key);
	oauth_token_clear(&tok);
	return st;
}
