/*
 * judge.c - what one token-endpoint exchange means: the status mapping of
 * the cobo-oauth module (README of issue 3, "Status mapping").
 *
 *   2xx, signature valid, Biz-Timestamp      SUCCESS
 *     within max_clock_skew, not before the
 *     request was sent nor before the newest
 *     answer accepted for the (app, org), body
 *     well-formed, a refresh token other than
 *     the one sent or cached
 *   2xx otherwise                            ERROR (a tampered, stale or replayed token is
 *                                            never cached, and a refresh is not retried
 *                                            as a mint: see judge_fresh)
 *   2xx whose only fault is max_clock_skew,  ERROR; on a refresh, the rotated refresh
 *     dated within the request window        token is kept (the one sent is spent)
 *   2xx whose only fault is the order        ERROR, nothing kept; token.c retries once
 *     bound, dated within the window         and may learn the allowance (offset.h)
 *   signed error whose Biz-Timestamp is      TRYAGAIN, one line naming the clock with
 *     beyond the request window, or Cobo's    both times; no mint instead
 *     refusal of our nonce (401 2022)
 *   refresh rejected (invalid_grant ...)     fallback to mint
 *   429, 408, 5xx                            TRYAGAIN
 *   other 4xx                                DENIED, with Cobo's code, message, error id
 *   anything else (1xx, 3xx)                 ERROR
 *   TLS verification failed, body too large  ERROR
 *   a key pin_sha256 does not name           ERROR (nothing was sent)
 *   timeouts, connection errors              TRYAGAIN (a refresh whose request went
 *                                            out falls back to mint: its answer is lost)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "hostmem.h"
#include "mint.h"
#include "sign.h"

static int tls_failure(int cc)
{
	return cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
	       cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_ISSUER_ERROR ||
	       cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || cc == CURLE_SSL_INVALIDCERTSTATUS;
}

static int judge_transport(const struct oauth_conf *c, int refresh, const struct oauth_http_resp *r,
			   int *fallback, int *retry, char *err, size_t errlen)
{
	const char *host = c->url.hostport;

	if (r->too_large) {
		snprintf(err, errlen, "response too large from %s (over %zu bytes); refusing it",
			 host, (size_t)OAUTH_BODY_MAX);
		return COBOCRED_ERROR;
	}
	if (r->curl_code == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
		snprintf(err, errlen,
			 "the server at %s does not have a public key that pin_sha256 of "
			 "[profile %s] names; nothing was sent: check the pins, or who answers "
			 "for %s",
			 host, c->profile, c->url.host);
		return COBOCRED_ERROR;
	}
	if (tls_failure(r->curl_code)) {
		snprintf(err, errlen,
			 "TLS verification of %s failed (%s); check ca_file in "
			 "[profile %s]: an unverified server is never trusted",
			 host, r->error, c->profile);
		return COBOCRED_ERROR;
	}
	if (r->curl_code == CURLE_UNSUPPORTED_PROTOCOL || r->curl_code == CURLE_OUT_OF_MEMORY) {
		snprintf(err, errlen, "cannot send the request to %s (%s)", host, r->error);
		return COBOCRED_ERROR;
	}
	*fallback = refresh && r->sent;
	if (r->curl_code == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errlen,
			 "no answer from %s within %ld s (%s); try again, or raise "
			 "timeout in [profile %s]",
			 host, c->timeout, r->error, c->profile);
		return COBOCRED_TRYAGAIN;
	}
	*retry = 1;
	snprintf(err, errlen, "cannot reach %s (%s); check the network and try again", host,
		 r->error);
	return COBOCRED_TRYAGAIN;
}

int64_t oauth_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What an answer refused for its date still tells (judge_fresh). */
struct dated {
	int keep;  /* a refresh answer Cobo gave: the refresh token sent is spent */
	int learn; /* refused only by the order bound: one retry may learn the allowance */
};

/*
 * 1 when an answer signed at ts is dated within Cobo's request window and
 * no earlier than the newest answer accepted, and the exchange is not
 * already the retry that may learn (no second retry, nothing kept from it).
 */
static int within_window(const struct oauth_sent *sent, const struct oauth_http_resp *r)
{
	int64_t offset, ms = oauth_timestamp_ms(r->timestamp);

	return sent->confirm_ms == 0 && !(sent->newest_ms > 0 && ms < sent->newest_ms) &&
	       oauth_clock_offset(r->timestamp, sent->now_ms, &offset) == 0 &&
	       !oauth_clock_beyond(offset, OAUTH_REQUEST_WINDOW);
}

/* The message for an answer refused only by the order bound, dated within the window. */
static void early_message(const struct oauth_conf *c, const struct oauth_sent *sent,
			  const struct oauth_http_resp *r, const char *why, char *err,
			  size_t errlen)
{
	char clock[256];
	int64_t offset = 0;

	(void)oauth_clock_offset(r->timestamp, sent->now_ms, &offset);
	oauth_clock_message(offset, sent->now_ms, clock, sizeof(clock));
	snprintf(err, errlen, "refusing the answer from %s as replayed: %s; %s; nothing was stored",
		 c->url.hostport, why, clock);
}

/* t: the verdict so far; a retry's answer must also confirm the first one's clock. */
static int confirmed(const struct oauth_sent *sent, const struct oauth_http_resp *r, int t,
		     char *why, size_t whylen)
{
	if (t != 0 || sent->confirm_ms == 0)
		return t;
	return oauth_timestamp_confirms(r->timestamp, sent->now_ms, sent->confirm_ms, why, whylen);
}

/*
 * A verified signature says who answered, not when: an answer dated more
 * than max_clock_skew away from our clock is stale or replayed.  ERROR, not
 * TRYAGAIN: a wrong clock does not mend itself before a retry, and neither
 * a wrong clock nor a replaying attacker is helped by minting instead
 * (the next mint would meet the same clock or the same attacker).  Not
 * DENIED either: Cobo refused nothing.
 *
 * d->keep: a refresh answer whose one fault is max_clock_skew, dated
 * within Cobo's request window and signed after the request went out and
 * after the newest answer accepted (bound to this request as tightly as an
 * accepted answer is): Cobo took the request, so a refresh it answered has
 * spent the refresh token sent (judge_success keeps its successor).
 * d->learn: an answer whose one fault is the order bound, dated within the
 * window: a clock running ahead of Cobo's by more than the allowance
 * learned so far, or a capture replayed.  Nothing of it is kept (a
 * capture's refresh token may be another org's); token.c retries once.
 */
static int judge_fresh(const struct oauth_conf *c, const struct oauth_sent *sent,
		       const struct oauth_http_resp *r, struct dated *d, char *err, size_t errlen)
{
	char why[512], order_why[512];
	int t = oauth_timestamp_check(r->timestamp, sent->now_ms, c->max_clock_skew, why,
				      sizeof(why));
	int o = t == OAUTH_TS_MALFORMED
			? t
			: oauth_timestamp_order_ahead(r->timestamp, sent->nonce_ms, sent->ahead_ms,
						      sent->newest_ms, order_why,
						      sizeof(order_why));
	int in = within_window(sent, r);

	d->keep = sent->refresh != NULL && t == OAUTH_TS_SKEWED && o == 0 && in;
	d->learn = t == 0 && o == OAUTH_TS_BEFORE_SENT && in;
	if (t == 0 && o != 0) {
		t = o;
		memcpy(why, order_why, sizeof(why));
	}
	t = confirmed(sent, r, t, why, sizeof(why));
	if (d->learn)
		early_message(c, sent, r, why, err, errlen);
	else if (d->keep)
		snprintf(err, errlen,
			 "refusing the access token from %s: %s (max_clock_skew of [profile %s]); "
			 "Cobo rotated the refresh token all the same, so its new one is kept "
			 "and the access token is not: set the time (NTP) and retry",
			 c->url.hostport, why, c->profile);
	else if (t == OAUTH_TS_SKEWED)
		snprintf(err, errlen,
			 "refusing the answer from %s as stale or replayed: %s; fix "
			 "the clock (this machine's or the server's); nothing was stored",
			 c->url.hostport, why);
	else if (t == OAUTH_TS_BEFORE_SENT)
		snprintf(err, errlen,
			 "refusing the answer from %s as replayed: %s; if this machine's "
			 "clock runs ahead of the server's, fix it; nothing was stored",
			 c->url.hostport, why);
	else if (t == OAUTH_TS_OLDER || t == OAUTH_TS_UNCONFIRMED)
		snprintf(err, errlen,
			 "refusing the answer from %s as replayed: %s; nothing was stored",
			 c->url.hostport, why);
	else if (t != 0)
		snprintf(err, errlen, "refusing the answer from %s: %s; nothing was stored",
			 c->url.hostport, why);
	return t == 0 ? COBOCRED_SUCCESS : COBOCRED_ERROR;
}

/*
 * Cobo rotates refresh tokens and every answer carries a new one: an answer
 * handing back the one we sent, or the one cached (a mint after a rejected
 * refresh), is a replay of the answer that gave it to us.
 */
static int judge_rotated(const struct oauth_conf *c, const struct oauth_sent *sent,
			 const struct oauth_token *tok, char *err, size_t errlen)
{
	int sent_back = oauth_token_echoes(tok, sent->refresh, sent->refresh_len);

	if (!sent_back && !oauth_token_echoes(tok, sent->cached, sent->cached_len))
		return COBOCRED_SUCCESS;
	snprintf(err, errlen,
		 "refusing the %s answer from %s: it hands back the refresh "
		 "token %s instead of a new one (a replayed answer); nothing was stored",
		 sent->refresh != NULL ? "refresh" : "mint", c->url.hostport,
		 sent_back ? "that was sent" : "already cached");
	return COBOCRED_ERROR;
}

static int judge_success(const struct oauth_conf *c, const struct oauth_sent *sent,
			 const struct oauth_http_resp *r, struct oauth_token *tok, char *err,
			 size_t errlen)
{
	char why[256];
	const char *sig_problem = NULL;
	struct dated d;
	int st, fresh;

	if (r->header_conflict)
		sig_problem = "repeated or overlong signature headers";
	else if (r->signature[0] == '\0' || r->timestamp[0] == '\0')
		sig_problem = "no Biz-Resp-Signature or Biz-Timestamp header";
	else if (!oauth_verify_response(c->server_key, r->body, r->body_len, r->timestamp,
					r->signature))
		sig_problem = "it does not verify with the server key";
	if (sig_problem != NULL) {
		snprintf(err, errlen,
			 "response signature invalid: refusing the token from %s "
			 "(%s); check server_key in [profile %s]",
			 c->url.hostport, sig_problem, c->profile);
		return COBOCRED_ERROR;
	}
	fresh = judge_fresh(c, sent, r, &d, err, errlen);
	if (fresh != COBOCRED_SUCCESS && !d.keep && !d.learn)
		return fresh;
	if (oauth_parse_token(r->body, r->body_len, tok, why, sizeof(why)) != 0) {
		snprintf(err, errlen,
			 "malformed token response from %s (HTTP %ld): %s; nothing "
			 "was stored",
			 c->url.hostport, r->status, why);
		return COBOCRED_ERROR;
	}
	tok->signed_ms = oauth_timestamp_ms(r->timestamp); /* checked by judge_fresh */
	tok->arrived_ms = sent->now_ms;
	st = judge_rotated(c, sent, tok, err, errlen);
	if (st != COBOCRED_SUCCESS) {
		oauth_token_clear(tok);
	} else if (fresh != COBOCRED_SUCCESS) {
		/* A refresh: the token sent is spent, keep the new one.  Never the access token. */
		tok->rotated_refused = d.keep;
		tok->order_refused = !d.learn		     ? 0
				     : sent->refresh != NULL ? OAUTH_EARLY_REFRESH
							     : OAUTH_EARLY_MINT;
		cobocred_hostmem_free(tok->access_token);
		tok->access_token = NULL;
		tok->access_len = 0;
	}
	return st != COBOCRED_SUCCESS ? st : fresh;
}

/* A refresh token that is unknown, used, expired or revoked: mint instead. */
static int refresh_rejected(long status, const struct oauth_error *e)
{
	if (status != 400 && status != 401)
		return 0;
	return strcmp(e->code, "invalid_grant") == 0 || strcasestr(e->message, "refresh") != NULL;
}

/*
 * A signed error answer carries Cobo's time: when Cobo refused our nonce
 * for its window, or its time is further from ours than that window, the
 * clock is the fault, whatever else the answer says.  1 with the one line
 * naming it in err; 0 otherwise.
 */
static int judge_clock(const struct oauth_sent *sent, const struct oauth_http_resp *r,
		       const struct oauth_error *e, char *err, size_t errlen)
{
	int64_t offset;

	if (oauth_clock_offset(r->timestamp, sent->now_ms, &offset) != 0 ||
	    (!oauth_clock_beyond(offset, OAUTH_REQUEST_WINDOW) &&
	     !oauth_error_nonce_refused(r->status, e)))
		return 0;
	oauth_clock_message(offset, sent->now_ms, err, errlen);
	return 1;
}

static const char *hint(long status)
{
	switch (status) {
	case 401:
		return "check app_secret, and that its public key is registered for this client_id";
	case 403:
		return "check org_id, and that the app is installed in that organization";
	default:
		return "check the profile settings";
	}
}

static int judge_error(const struct oauth_conf *c, const struct oauth_sent *sent,
		       const struct oauth_http_resp *r, int *fallback, char *err, size_t errlen)
{
	struct oauth_error e;
	char detail[512];
	int signed_ok = !r->header_conflict &&
			oauth_verify_response(c->server_key, r->body, r->body_len, r->timestamp,
					      r->signature);
	long s = r->status;
	int refresh = sent->refresh != NULL;

	if (oauth_parse_error(r->body, r->body_len, &e) == 0)
		oauth_error_format(&e, detail, sizeof(detail));
	else
		snprintf(detail, sizeof(detail), "no Cobo error in the body");
	/* Temporary and this machine's: no mint instead (it meets the same clock). */
	if (signed_ok && judge_clock(sent, r, &e, err, errlen))
		return COBOCRED_TRYAGAIN;
	if (refresh && refresh_rejected(s, &e)) {
		*fallback = 1;
		snprintf(err, errlen, "refresh token rejected (HTTP %ld, %s)", s, detail);
		return COBOCRED_DENIED;
	}
	if (!signed_ok && (s == 429 || s == 502 || s == 503 || s == 504)) {
		snprintf(err, errlen,
			 "%s answered HTTP %ld without a Cobo signature (a proxy or an "
			 "overloaded server); try again later",
			 c->url.hostport, s);
		return COBOCRED_TRYAGAIN;
	}
	if (s == 408 || s == 429 || (s >= 500 && s <= 599)) {
		snprintf(err, errlen, "Cobo server trouble at %s (HTTP %ld, %s%s); try again later",
			 c->url.hostport, s, detail, signed_ok ? "" : ", unsigned");
		return COBOCRED_TRYAGAIN;
	}
	if (s >= 400 && s <= 499) {
		snprintf(err, errlen, "Cobo refused the token for org %s (HTTP %ld, %s%s); %s",
			 c->org_id, s, detail, signed_ok ? "" : ", unsigned", hint(s));
		return COBOCRED_DENIED;
	}
	snprintf(err, errlen,
		 "unexpected HTTP %ld from %s (redirects are not followed); check "
		 "base_url in [profile %s]",
		 s, c->url.hostport, c->profile);
	return COBOCRED_ERROR;
}

int oauth_judge(const struct oauth_conf *c, const struct oauth_sent *sent, int transport_ok,
		const struct oauth_http_resp *resp, struct oauth_token *tok, int *fallback,
		int *retry, char *err, size_t errlen)
{
	int refresh = sent->refresh != NULL;

	*fallback = 0;
	*retry = 0;
	memset(tok, 0, sizeof(*tok));
	if (!transport_ok)
		return judge_transport(c, refresh, resp, fallback, retry, err, errlen);
	if (resp->status >= 200 && resp->status <= 299)
		return judge_success(c, sent, resp, tok, err, errlen);
	return judge_error(c, sent, resp, fallback, err, errlen);
}
