/*
 * http.h - one HTTPS request through libcurl, with the safety rails the
 * token endpoint needs: TLS verification always on, https only (http only
 * when the caller allows it), no redirects, a response size cap, and
 * capture of the Biz-Timestamp / Biz-Resp-Signature response headers.
 */
#ifndef COBO_OAUTH_HTTP_H
#define COBO_OAUTH_HTTP_H

#include <stddef.h>

#define OAUTH_HTTP_MAX_HEADERS 8

struct oauth_http_req {
	const char *method; /* an upper-case token: GET, POST, PUT, DELETE, PATCH, ... */
	const char *url;    /* full URL, query included; its path is sent as is */
	const char *body;   /* request body (not copied; may be secret), or NULL */
	size_t body_len;
	const char *headers[OAUTH_HTTP_MAX_HEADERS + 1]; /* "Name: value", NULL-terminated */
	const char *ca_file;				 /* extra CA file, or NULL */
	const char *pins; /* CURLOPT_PINNEDPUBLICKEY ("sha256//B64;..."), or NULL / "" */
	int allow_http;
	long connect_timeout; /* seconds */
	long timeout;	      /* seconds, whole request */
	size_t max_body;      /* larger responses are refused */
	/*
	 * Resource calls (api.c): the answer is no secret, so the body grows
	 * in plain memory (no max_body + 1 buffer up front; no host call, so
	 * several threads may perform at once), and the raw header lines of
	 * the final response are kept (at most OAUTH_HTTP_HEADERS_MAX bytes).
	 */
	int plain;
	void *share; /* a CURLSH * for connection reuse, or NULL */
};

#define OAUTH_HTTP_HEADERS_MAX (64 * 1024)
#define OAUTH_HTTP_POOL 64L /* idle connections the share handle keeps */

struct oauth_http_resp {
	long status; /* HTTP status; 0 when no complete answer came */
	char *body;  /* wiped secret memory (plain: malloc), NUL-terminated; owned */
	size_t body_len;
	char timestamp[64];  /* Biz-Timestamp, "" if absent */
	char signature[160]; /* Biz-Resp-Signature, "" if absent */
	int header_conflict; /* one of them repeated or overlong: trust neither */
	int curl_code;	     /* CURLcode of the transfer */
	int too_large;	     /* the body exceeded max_body */
	int sent;	     /* request bytes went out before the failure */
	char error[256];     /* curl's error text on failure */
	size_t body_cap;     /* plain: bytes allocated for body */
	char *headers;	     /* plain: the final response's header lines (malloc), or NULL */
	size_t headers_len;
	int headers_too_large;
};

/* curl_global_init / cleanup, reference-counted by libcurl itself.  0 or -1. */
int oauth_http_global_init(void);
void oauth_http_global_cleanup(void);

/*
 * Performs req.  Returns 0 when a complete HTTP answer arrived (any
 * status), -1 otherwise (curl_code, too_large, sent and error say why).
 * Release *resp with oauth_http_resp_clear() in both cases.
 */
int oauth_http_perform(const struct oauth_http_req *req, struct oauth_http_resp *resp);
void oauth_http_resp_clear(struct oauth_http_resp *resp);

#endif
