/*
 * http.c - libcurl transfer for the token endpoint.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"
#include "hostmem.h"

struct sink {
	struct oauth_http_resp *resp;
	size_t cap;
	int plain; /* keep header lines; grow the body (oauth_http_req.plain) */
};

int oauth_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void oauth_http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* Plain bodies grow by doubling, up to the cap. 0 or -1. */
static int grow(char **buf, size_t *cap, size_t need, size_t max)
{
	size_t c = *cap ? *cap : 4096;
	char *p;

	while (c < need)
		c = c > max / 2 ? max + 1 : c * 2;
	if (c <= *cap)
		return 0;
	p = realloc(*buf, c);
	if (p == NULL)
		return -1;
	*buf = p;
	*cap = c;
	return 0;
}

/* Body bytes go into a buffer sized once (max_body + 1): no realloc leaves copies behind. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	struct oauth_http_resp *r = s->resp;
	size_t n = size * nmemb;

	if (s->plain && n <= s->cap - r->body_len &&
	    grow(&r->body, &r->body_cap, r->body_len + n + 1, s->cap + 1) != 0)
		return 0; /* out of memory: CURLE_WRITE_ERROR */
	if (n > s->cap - r->body_len) {
		r->too_large = 1;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

/* Stores value (trimmed) in dst unless already set or too long. */
static void keep_header(struct oauth_http_resp *r, char *dst, size_t dstlen, const char *v,
			size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	if (dst[0] != '\0' || n >= dstlen || n == 0) {
		r->header_conflict = 1;
		return;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int header_is(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && line[k] == ':' && strncasecmp(line, name, k) == 0;
}

/* The raw lines of the final response, bounded. */
static int keep_line(struct oauth_http_resp *r, const char *line, size_t n)
{
	char *p;

	if (n > OAUTH_HTTP_HEADERS_MAX - r->headers_len) {
		r->headers_too_large = 1;
		return -1;
	}
	p = realloc(r->headers, r->headers_len + n + 1);
	if (p == NULL)
		return -1;
	memcpy(p + r->headers_len, line, n);
	r->headers = p;
	r->headers_len += n;
	p[r->headers_len] = '\0';
	return 0;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	struct oauth_http_resp *r = s->resp;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after 1xx): headers start over. */
		r->timestamp[0] = r->signature[0] = '\0';
		r->header_conflict = 0;
		r->headers_len = 0;
	} else if (header_is(line, n, "Biz-Timestamp")) {
		keep_header(r, r->timestamp, sizeof(r->timestamp), line + 14, n - 14);
	} else if (header_is(line, n, "Biz-Resp-Signature")) {
		keep_header(r, r->signature, sizeof(r->signature), line + 19, n - 19);
	}
	if (s->plain && keep_line(r, line, n) != 0)
		return 0; /* aborts the transfer */
	return n;
}

static struct curl_slist *make_headers(const struct oauth_http_req *req)
{
	struct curl_slist *list = NULL, *t;
	size_t i;

	for (i = 0; i < OAUTH_HTTP_MAX_HEADERS && req->headers[i] != NULL; i++) {
		t = curl_slist_append(list, req->headers[i]);
		if (t == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = t;
	}
	return list;
}

/* GET, POST with its body, or any other method, with a body when given. */
static int set_method(CURL *c, const struct oauth_http_req *req)
{
	int bad = 0, post = strcmp(req->method, "POST") == 0;

	if (strcmp(req->method, "GET") == 0 && req->body == NULL)
		return curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) != CURLE_OK ? -1 : 0;
	if (strcmp(req->method, "HEAD") == 0)
		return curl_easy_setopt(c, CURLOPT_NOBODY, 1L) != CURLE_OK ? -1 : 0;
	if (post || req->body != NULL) {
		bad |= curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
		/* Not COPYPOSTFIELDS: the body holds a refresh token; the caller wipes it. */
		bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "") !=
		       CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
					(curl_off_t)req->body_len) != CURLE_OK;
	}
	if (!post)
		bad |= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method) != CURLE_OK;
	return bad ? -1 : 0;
}

static int setup(CURL *c, const struct oauth_http_req *req, struct curl_slist *hdrs,
		 struct sink *sink, char *errbuf)
{
	const char *protos = req->allow_http ? "http,https" : "https";
	int bad = 0;

	bad |= curl_easy_setopt(c, CURLOPT_URL, req->url) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protos) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
	/* CAINFO replaces the default bundle; the default CAPATH (/etc/ssl/certs) stays. */
	if (req->ca_file != NULL && *req->ca_file)
		bad |= curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file) != CURLE_OK;
	/* Checked during the handshake, after the chain: a mismatch sends nothing. */
	if (req->pins != NULL && *req->pins)
		bad |= curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, req->pins) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req->connect_timeout) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, "cobo-credential/" PACKAGE_VERSION) !=
	       CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_body) !=
	       CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, sink) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HEADERDATA, sink) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
	/* The path as signed: no dot-segment squashing by libcurl. */
	bad |= curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L) != CURLE_OK;
	if (req->share != NULL) {
		bad |= curl_easy_setopt(c, CURLOPT_SHARE, (CURLSH *)req->share) != CURLE_OK;
		/* The shared pool keeps this many idle connections (libcurl's default, 5,
		 * would close most of a busy proxy's connections after each burst). */
		bad |= curl_easy_setopt(c, CURLOPT_MAXCONNECTS, OAUTH_HTTP_POOL) != CURLE_OK;
	}
	return bad || set_method(c, req) != 0 ? -1 : 0;
}

/* Records why the transfer failed. */
static void note_failure(CURL *c, struct oauth_http_resp *resp, CURLcode cc, const char *errbuf)
{
	long reqsize = 0;

	resp->curl_code = (int)cc;
	if (cc == CURLE_FILESIZE_EXCEEDED)
		resp->too_large = 1;
	if (curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &reqsize) == CURLE_OK && reqsize > 0)
		resp->sent = 1;
	snprintf(resp->error, sizeof(resp->error), "%s",
		 errbuf[0] ? errbuf : curl_easy_strerror(cc));
	resp->status = 0;
}

int oauth_http_perform(const struct oauth_http_req *req, struct oauth_http_resp *resp)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	struct sink sink = { .resp = resp, .cap = req->max_body, .plain = req->plain };
	CURL *c = NULL;
	CURLcode cc;
	int r = -1;

	memset(resp, 0, sizeof(*resp));
	if (req->plain)
		grow(&resp->body, &resp->body_cap, 1, req->max_body + 1);
	else
		resp->body = cobocred_hostmem_alloc(req->max_body + 1);
	if (resp->body != NULL)
		resp->body[0] = '\0';
	c = curl_easy_init();
	hdrs = make_headers(req);
	if (resp->body == NULL || c == NULL || (hdrs == NULL && req->headers[0] != NULL) ||
	    setup(c, req, hdrs, &sink, errbuf) != 0) {
		resp->curl_code = (int)CURLE_OUT_OF_MEMORY;
		snprintf(resp->error, sizeof(resp->error), "cannot set up the HTTP request");
		goto out;
	}
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		note_failure(c, resp, cc, errbuf);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	r = 0;
out:
	curl_slist_free_all(hdrs);
	if (c != NULL)
		curl_easy_cleanup(c);
	return r;
}

void oauth_http_resp_clear(struct oauth_http_resp *resp)
{
	if (resp->body_cap > 0)
		free(resp->body);
	else
		cobocred_hostmem_free(resp->body);
	free(resp->headers);
	memset(resp, 0, sizeof(*resp));
}
