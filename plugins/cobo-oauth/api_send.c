/*
 * api_send.c - send for the request ops (api.h): one request to the
 * profile's origin with the token call's rails (http.c: https only, no
 * redirects, TLS verification, the profile's ca_file and pins, a size cap)
 * and Cobo's response signature checked before anything is handed back.
 *
 * Thread-safe by construction: no host call, no static state; the profile
 * entry is read-only once prepared; the reply is the caller's.  Errors go
 * into the reply, never through host->set_error (module.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_state.h"
#include "http.h"
#include "mint.h"
#include "offset.h"
#include "response.h"
#include "sign.h"

#define URL_MAX 12288
#define HOST_HEADERS (OAUTH_HTTP_MAX_HEADERS - 3) /* room for Accept, Content-Type, Expect */

static struct cobocred_http_reply *reply_new(void)
{
	struct cobocred_http_reply *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->struct_size = sizeof(*r);
	return r;
}

static int fail(struct cobocred_http_reply *r, int st, const char *fmt, ...) COBOCRED_PRINTF(3, 4);

static int fail(struct cobocred_http_reply *r, int st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return st;
}

/* 1 if s is printable ASCII without '#' (and, for a path, without '?'). */
static int clean(const char *s, int path)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e || *s == '#' ||
		    (path && *s == '?'))
			return 0;
	return 1;
}

/* The URL of req on p's origin, refusing a path outside the base path. */
static const char *build_url(const struct api_profile *p, const struct cobocred_http_request *req,
			     char *url, size_t urllen)
{
	const char *base = p->conf.url.path, *q = req->query != NULL ? req->query : "";
	size_t bn = strlen(base);
	int n;

	if (req->path == NULL || req->path[0] != '/' || !clean(req->path, 1) || !clean(q, 0))
		return "the request's path or query is not printable ASCII";
	if (strncmp(req->path, base, bn) != 0 || (req->path[bn] != '/' && req->path[bn] != '\0'))
		return "the request's path is not under the profile's base path";
	n = snprintf(url, urllen, "%s://%s%s%s%s", p->conf.url.https ? "https" : "http",
		     p->conf.url.hostport, req->path, *q ? "?" : "", q);
	if (n < 0 || (size_t)n >= urllen)
		return "the request's URL is too long";
	return NULL;
}

/* The caller's header lines: "Name: value", no CR/LF, bounded in number and size. */
static const char *copy_headers(struct oauth_http_req *hr, const char *const *headers)
{
	size_t i, k = 0;

	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		const char *h = headers[i];
		size_t n = strnlen(h, 16385);

		if (k >= HOST_HEADERS)
			return "too many header lines";
		if (n > 16384 || strpbrk(h, "\r\n") != NULL || strchr(h, ':') == NULL ||
		    h[0] == ':')
			return "a header line is malformed";
		hr->headers[k++] = h;
	}
	hr->headers[k] = NULL;
	return NULL;
}

/* Biz-Api-Nonce as unix ms, or 0. */
static int64_t nonce_ms(const char *s)
{
	int64_t v = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * A verified error answer that says this machine's clock is wrong (judge.c,
 * judge_clock, for token calls): dated beyond Cobo's request window, or
 * Cobo's refusal of our nonce.  1 with the one clock line in err.
 */
static int clock_refused(const struct oauth_http_resp *resp, char *err, size_t errlen)
{
	struct oauth_error e;
	int64_t now = oauth_now_ms(), offset;

	if (resp->status < 400 || oauth_clock_offset(resp->timestamp, now, &offset) != 0)
		return 0;
	if (!oauth_clock_beyond(offset, OAUTH_REQUEST_WINDOW) &&
	    (oauth_parse_error(resp->body, resp->body_len, &e) != 0 ||
	     !oauth_error_nonce_refused(resp->status, &e)))
		return 0;
	oauth_clock_message(offset, now, err, errlen);
	return 1;
}

/*
 * Cobo's signature over the answer, fresh and after the request went out
 * (with the allowance learned for a clock ahead of Cobo's, offset.h; an
 * accepted answer's sample may lower it, as a token answer's does).  No
 * host call: this runs outside the host's lock (the file's path was found
 * at load).
 */
static int verify(const struct api_profile *p, const struct cobocred_http_request *req,
		  const struct oauth_http_resp *resp, struct cobocred_http_reply *r)
{
	const char *hp = p->conf.url.hostport;
	char err[256] = "", why[4096 + 256];
	int64_t now = oauth_now_ms();
	int64_t ahead = p->clock_path[0] ? oauth_offset_get_at(p->clock_path, hp) : 0;

	if (resp->header_conflict)
		return fail(r, COBOCRED_ERROR,
			    "%.80s: Biz-Timestamp or Biz-Resp-Signature repeated or overlong; "
			    "the answer is not trusted",
			    p->conf.url.hostport);
	if (resp->signature[0] == '\0' || resp->timestamp[0] == '\0') {
		snprintf(r->error, sizeof(r->error),
			 "HTTP %ld from %.80s without Cobo's response signature; not trusted",
			 resp->status, p->conf.url.hostport);
		return COBOCRED_ERROR;
	}
	if (!oauth_verify_response(p->conf.server_key, resp->body, resp->body_len, resp->timestamp,
				   resp->signature)) {
		snprintf(r->error, sizeof(r->error),
			 "HTTP %ld from %.80s: Biz-Resp-Signature does not verify under the "
			 "profile's server key; not trusted",
			 resp->status, p->conf.url.hostport);
		return COBOCRED_ERROR;
	}
	if (clock_refused(resp, err, sizeof(err)))
		return fail(r, COBOCRED_TRYAGAIN, "%s", err);
	if (oauth_timestamp_check(resp->timestamp, now, p->conf.max_clock_skew, err, sizeof(err)) !=
		    0 ||
	    oauth_timestamp_order_ahead(resp->timestamp, nonce_ms(req->nonce), ahead, 0, err,
					sizeof(err)) != 0)
		return fail(r, COBOCRED_ERROR, "the signed answer is not fresh: %.200s", err);
	if (ahead > 0) /* nothing to lower otherwise; a failure to write costs nothing now */
		(void)oauth_offset_lower_at(p->clock_path, hp,
					    now - oauth_timestamp_ms(resp->timestamp), why,
					    sizeof(why));
	return COBOCRED_SUCCESS;
}

/* Moves the answer's bytes into r. */
static void take(struct oauth_http_resp *resp, struct cobocred_http_reply *r)
{
	r->body = (unsigned char *)resp->body;
	r->body_len = resp->body_len;
	r->headers = resp->headers;
	r->headers_len = resp->headers_len;
	resp->body = NULL;
	resp->body_cap = 0;
	resp->headers = NULL;
	r->verified = 1;
}

static void fill_req(const struct api_profile *p, const struct cobocred_http_request *req,
		     struct oauth_http_req *hr, void *share)
{
	memset(hr, 0, sizeof(*hr));
	hr->method = req->method;
	hr->body = (const char *)req->body;
	hr->body_len = req->body_len;
	hr->ca_file = p->conf.ca_file;
	hr->pins = p->conf.pins;
	hr->allow_http = p->conf.allow_http;
	hr->connect_timeout = p->conf.connect_timeout;
	hr->timeout = p->conf.timeout;
	hr->max_body = OAUTH_API_BODY_MAX;
	hr->plain = 1;
	hr->share = share;
}

/* Everything after the reply exists. */
static int perform(struct oauth_api *a, const struct api_profile *p,
		   const struct cobocred_http_request *req, const char *const *headers,
		   struct cobocred_http_reply *r)
{
	struct oauth_http_req hr;
	struct oauth_http_resp resp;
	char url[URL_MAX];
	const char *why;
	size_t k;
	int st;

	fill_req(p, req, &hr, a->share);
	why = build_url(p, req, url, sizeof(url));
	if (why == NULL)
		why = copy_headers(&hr, headers);
	if (why != NULL)
		return fail(r, COBOCRED_ERROR, "not sending the request: %s", why);
	hr.url = url;
	for (k = 0; hr.headers[k] != NULL; k++)
		;
	hr.headers[k++] = "Accept: application/json";
	if (req->body != NULL) {
		hr.headers[k++] = "Content-Type: application/json";
		hr.headers[k++] = "Expect:"; /* no 100-continue round trip */
	}
	hr.headers[k] = NULL;
	if (oauth_http_perform(&hr, &resp) != 0) {
		r->status = 0;
		snprintf(r->error, sizeof(r->error), "no answer from %.80s: %s%.120s",
			 p->conf.url.hostport, resp.too_large ? "the answer is too large; " : "",
			 resp.error);
		st = resp.too_large || resp.headers_too_large ? COBOCRED_ERROR : COBOCRED_TRYAGAIN;
	} else {
		r->status = resp.status;
		st = verify(p, req, &resp, r);
		if (st == COBOCRED_SUCCESS)
			take(&resp, r);
	}
	oauth_http_resp_clear(&resp);
	return st;
}

int oauth_api_send(struct oauth_api *a, const char *profile,
		   const struct cobocred_http_request *req, const char *const *headers,
		   struct cobocred_http_reply **out)
{
	struct cobocred_http_reply *r = reply_new();
	const struct api_profile *p;

	*out = r;
	if (r == NULL)
		return COBOCRED_ERROR;
	if (req == NULL || req->method == NULL || (req->body == NULL && req->body_len > 0))
		return fail(r, COBOCRED_ERROR, "%s", "a malformed request to send");
	p = profile != NULL ? oauth_api_find(a, profile) : NULL;
	if (p == NULL)
		return fail(r, COBOCRED_ERROR,
			    "[profile %.80s] was not prepared (sign or prepare it first)",
			    profile != NULL ? profile : "(none)");
	return perform(a, p, req, headers, r);
}

void oauth_api_reply_free(struct cobocred_http_reply *reply)
{
	if (reply == NULL)
		return;
	free(reply->headers);
	free(reply->body);
	free(reply);
}
