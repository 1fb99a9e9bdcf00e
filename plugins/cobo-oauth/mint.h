/*
 * mint.h - the token flow: refresh (POST) when a refresh token is at hand,
 * mint (GET, org_implicit) otherwise or when the refresh token is rejected
 * or its answer lost; responses verified, statuses mapped NSS-style.
 */
#ifndef COBO_OAUTH_MINT_H
#define COBO_OAUTH_MINT_H

#include <stddef.h>

#include "appkey.h"
#include "cobocred/module.h"
#include "conf.h"
#include "http.h"
#include "response.h"

#define OAUTH_REFRESH_TTL (30 * 24 * 3600) /* Cobo's documented refresh-token lifetime */
#define OAUTH_MINT_ATTEMPTS 3		   /* the GET: first try plus 2 retries */

/* 1 if q asks this module for a token: Cobo schema, a profile, kind=access. */
int oauth_query_applies(const struct cobocred_query *q);

/* What one exchange asked, and when its answer came: what the answer is judged against. */
struct oauth_sent {
	const char *refresh; /* the refresh token sent (not owned); NULL: a mint */
	size_t refresh_len;
	int64_t now_ms;	   /* oauth_now_ms() when the answer arrived */
	int64_t nonce_ms;  /* the request's Biz-Api-Nonce: when it was sent */
	int64_t newest_ms; /* the newest answer accepted for this (app, org), unix ms; 0: none */
	int64_t ahead_ms;  /* the allowance for a clock ahead of Cobo's (offset.h); 0: none */
	/* A retry that may learn the allowance (token.c): the first answer's sample
	 * (arrival - Biz-Timestamp), which this answer's own sample must confirm
	 * (oauth_timestamp_confirms).  0: none. */
	int64_t confirm_ms;
	/* The cached refresh token, sent or not (a mint after a rejected refresh): an
	 * answer handing it back again is a replay.  Not owned; NULL: none cached. */
	const char *cached;
	size_t cached_len;
};

/*
 * The local real-time clock in unix ms, as Biz-Timestamp is compared with
 * it.  Real time like the request nonce, never the host's test-shifted
 * clock: COBO_CREDENTIAL_NOW_OFFSET ages cached tokens, the server's clock
 * does not move with it.
 */
int64_t oauth_now_ms(void);

/*
 * Maps one finished exchange to a status.  On SUCCESS *tok holds the
 * verified, fresh, parsed token.  *fallback is set for a refresh whose
 * token was rejected or whose answer was lost (mint instead); *retry for
 * transient transport errors an idempotent request may retry.  err gets a
 * one-line reason.  Pure given its inputs (no I/O), for tests.
 */
int oauth_judge(const struct oauth_conf *c, const struct oauth_sent *sent, int transport_ok,
		const struct oauth_http_resp *resp, struct oauth_token *tok, int *fallback,
		int *retry, char *err, size_t errlen);

/*
 * Fetches a token for c: refresh with ask->refresh (NULL: mint), falling
 * back to mint as described above.  Of ask, also: cached (NULL: the
 * refresh token sent), newest_ms (Biz-Timestamp of the newest answer
 * accepted for this (app, org), 0: none known; no older answer is
 * accepted), ahead_ms and confirm_ms; the times are set here.  COBOCRED_*
 * status; err set on failure.
 */
int oauth_fetch(const struct cobocred_host *h, const struct oauth_conf *c, struct oauth_appkey *key,
		const struct oauth_sent *ask, struct oauth_token *tok, char *err, size_t errlen);

/*
 * Builds the two items the core stores, refresh token first, then the
 * access token.  The access token's times are now (the host's clock,
 * taken before the request) and now + expires_in.  The refresh token is
 * dated by Cobo's signature: created_at is t->signed_ms in whole seconds
 * (now when unknown), expiring OAUTH_REFRESH_TTL after it; the next
 * answer for this (app, org) must not be older (oauth_timestamp_order),
 * and the lifecycle's newest-wins choice between tiers orders by it.
 * 0, or -1 (out of memory).
 */
int oauth_items_build(const struct cobocred_host *h, const struct oauth_conf *c,
		      const struct oauth_token *t, int64_t now, struct cobocred_item **out);

/* The module's get(): everything above, errors through h->set_error. */
int oauth_get_token(const struct cobocred_host *h, const struct cobocred_query *q,
		    struct cobocred_item **out);

#endif
