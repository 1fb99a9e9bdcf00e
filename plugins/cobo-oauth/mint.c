/*
 * mint.c - the refresh/mint flow of the cobo-oauth module.
 *
 * The GET (mint) is idempotent and may be retried a bounded number of times
 * on transport errors.  The POST (refresh) is never retried blindly: the
 * server may have executed it and used up the refresh token, so a refresh
 * whose answer is lost, like a rejected one, is recovered by minting.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "appkey.h"
#include "key.h"
#include "mint.h"
#include "request.h"
#include "sign.h"
#include "strutil.h"

#define QUERY_MAX 4096

/* The three Biz-Api-* header lines of one request. */
struct auth_headers {
	char key[16 + 2 * OAUTH_PUB_LEN];
	char nonce[16 + OAUTH_NONCE_MAX];
	char sig[20 + 2 * OAUTH_SIG_LEN];
};

/* Signs one request; *nonce_ms is its Biz-Api-Nonce, when it is sent. */
static int sign_request(struct oauth_appkey *key, const char *method, const char *path,
			const char *query, const char *body, size_t body_len,
			struct auth_headers *ah, int64_t *nonce_ms)
{
	unsigned char pub[OAUTH_PUB_LEN], digest[OAUTH_DIGEST_LEN], sig[OAUTH_SIG_LEN];
	char nonce[OAUTH_NONCE_MAX], pub_hex[2 * OAUTH_PUB_LEN + 1], sig_hex[2 * OAUTH_SIG_LEN + 1];
	int r = -1;

	*nonce_ms = oauth_nonce(nonce);
	memcpy(pub, key->pub, sizeof(pub));
	if (oauth_request_digest(method, path, nonce, query, body, body_len, digest) != 0 ||
	    oauth_appkey_sign(key, digest, sizeof(digest), sig) != COBOCRED_SUCCESS)
		goto out;
	cobocred_hex_encode(pub, sizeof(pub), pub_hex);
	snprintf(ah->key, sizeof(ah->key), "Biz-Api-Key: %s", pub_hex);
	snprintf(ah->nonce, sizeof(ah->nonce), "Biz-Api-Nonce: %s", nonce);
	cobocred_hex_encode(sig, sizeof(sig), sig_hex);
	snprintf(ah->sig, sizeof(ah->sig), "Biz-Api-Signature: %s", sig_hex);
	r = 0;
out:
	OPENSSL_cleanse(digest, sizeof(digest));
	return r;
}

/*
 * Signs and sends one request.  Returns 1 when an HTTP answer came, 0 on a
 * transport failure (details in *resp), -1 when it could not even be built.
 * *nonce_ms: the request's nonce.
 */
static int exchange(const struct cobocred_host *h, const struct oauth_conf *c,
		    struct oauth_appkey *key, const char *query, const char *body, size_t body_len,
		    struct oauth_http_resp *resp, int64_t *nonce_ms)
{
	const char *method = body != NULL ? "POST" : "GET";
	struct oauth_http_req req = {
		.method = method,
		.body = body,
		.body_len = body_len,
		.ca_file = c->ca_file,
		.pins = c->pins,
		.allow_http = c->allow_http,
		.connect_timeout = c->connect_timeout,
		.timeout = c->timeout,
		.max_body = OAUTH_BODY_MAX,
	};
	struct auth_headers ah;
	char url[sizeof(c->token_url) + QUERY_MAX + 2];
	int n;

	memset(resp, 0, sizeof(*resp));
	*nonce_ms = 0;
	n = snprintf(url, sizeof(url), "%s%s%s", c->token_url, query ? "?" : "",
		     query ? query : "");
	if (n < 0 || (size_t)n >= sizeof(url) ||
	    sign_request(key, method, c->token_path, query, body, body_len, &ah, nonce_ms) != 0)
		return -1;
	req.url = url;
	req.headers[0] = ah.key;
	req.headers[1] = ah.nonce;
	req.headers[2] = ah.sig;
	req.headers[3] = "Accept: application/json";
	if (body != NULL) {
		req.headers[4] = "Content-Type: application/json";
		req.headers[5] = "Expect:"; /* no 100-continue round trip */
	}
	n = oauth_http_perform(&req, resp) == 0;
	if (n)
		h->log(h->ctx, COBOCRED_LOG_DEBUG, "cobo-oauth: %s %s: HTTP %ld, %zu bytes%s",
		       method, c->token_path, resp->status, resp->body_len,
		       resp->signature[0] ? ", signed" : ", unsigned");
	else
		h->log(h->ctx, COBOCRED_LOG_DEBUG, "cobo-oauth: %s %s: no answer (curl %d: %s)%s",
		       method, c->token_path, resp->curl_code, resp->error,
		       resp->sent ? " after sending" : "");
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* One request and its verdict; sent.refresh is the refresh token inside body, if any. */
static int attempt(const struct cobocred_host *h, const struct oauth_conf *c,
		   struct oauth_appkey *key, const char *query, const char *body, size_t body_len,
		   struct oauth_sent sent, struct oauth_token *tok, int *fallback, int *retry,
		   char *err, size_t errlen)
{
	struct oauth_http_resp resp;
	int got, st;

	got = exchange(h, c, key, query, body, body_len, &resp, &sent.nonce_ms);
	if (got < 0) {
		if (key->err[0] != '\0') /* the signer's own reason: a token gone, say */
			snprintf(err, errlen, "%s", key->err);
		else
			snprintf(err, errlen,
				 "cannot build the token request for [profile %s] (out of "
				 "memory, or client_id/base_url too long)",
				 c->profile);
		oauth_http_resp_clear(&resp);
		*fallback = *retry = 0;
		return COBOCRED_ERROR;
	}
	sent.now_ms = oauth_now_ms();
	st = oauth_judge(c, &sent, got, &resp, tok, fallback, retry, err, errlen);
	oauth_http_resp_clear(&resp);
	return st;
}

/* sent: what a mint is judged against (its refresh fields unset). */
static int mint(const struct cobocred_host *h, const struct oauth_conf *c, struct oauth_appkey *key,
		struct oauth_sent sent, struct oauth_token *tok, char *err, size_t errlen)
{
	char query[QUERY_MAX];
	int i, st = COBOCRED_ERROR, fallback, retry = 1;

	if (oauth_mint_query(c->client_id, c->org_id, query, sizeof(query)) != 0) {
		snprintf(err, errlen, "client_id or org_id of [profile %s] is too long",
			 c->profile);
		return COBOCRED_ERROR;
	}
	for (i = 0; i < OAUTH_MINT_ATTEMPTS && retry; i++) {
		if (i > 0) {
			h->log(h->ctx, COBOCRED_LOG_INFO, "cobo-oauth: %s; retrying", err);
			sleep_ms(200L << (i - 1)); /* 200 ms, 400 ms */
		}
		st = attempt(h, c, key, query, NULL, 0, sent, tok, &fallback, &retry, err, errlen);
	}
	return st;
}

int oauth_fetch(const struct cobocred_host *h, const struct oauth_conf *c, struct oauth_appkey *key,
		const struct oauth_sent *ask, struct oauth_token *tok, char *err, size_t errlen)
{
	struct oauth_sent sent = *ask, asked = *ask;
	char *body = NULL;
	size_t body_len = 0;
	int st, fallback = 0, retry;

	memset(tok, 0, sizeof(*tok));
	sent.refresh = NULL; /* what a mint is judged against */
	sent.refresh_len = 0;
	if (sent.cached == NULL) {
		sent.cached = asked.cached = ask->refresh;
		sent.cached_len = asked.cached_len = ask->refresh_len;
	}
	if (ask->refresh == NULL)
		return mint(h, c, key, sent, tok, err, errlen);
	if (oauth_refresh_body(c->client_id, ask->refresh, ask->refresh_len, &body, &body_len) !=
	    0) {
		snprintf(err, errlen, "out of memory building the refresh request");
		return COBOCRED_ERROR;
	}
	st = attempt(h, c, key, NULL, body, body_len, asked, tok, &fallback, &retry, err, errlen);
	oauth_free_wiped(body, body_len);
	if (st == COBOCRED_SUCCESS || !fallback)
		return st;
	h->log(h->ctx, COBOCRED_LOG_INFO,
	       "cobo-oauth: the refresh did not go through (%s); "
	       "minting a new token instead",
	       err);
	return mint(h, c, key, sent, tok, err, errlen);
}
