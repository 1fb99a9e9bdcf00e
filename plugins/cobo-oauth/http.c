/*
 * http.c - libcurl transfer for the token endpoint.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"
#include "hostmem.h"

struct sink {
	struct oauth_http_resp *resp;
	size_t cap;
};

int oauth_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void oauth_http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* Body bytes go into a buffer sized once (max_body + 1): no realloc leaves copies behind. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	struct oauth_http_resp *r = s->resp;
	size_t n = size * nmemb;

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

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct oauth_http_resp *r = ((struct sink *)arg)->resp;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after 1xx): headers start over. */
		r->timestamp[0] = r->signature[0] = '\0';
		r->header_conflict = 0;
	} else if (header_is(line, n, "Biz-Timestamp")) {
		keep_header(r, r->timestamp, sizeof(r->timestamp), line + 14, n - 14);
	} else if (header_is(line, n, "Biz-Resp-Signature")) {
		keep_header(r, r->signature, sizeof(r->signature), line + 19, n - 19);
	}
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
	if (strcmp(req->method, "POST") == 0) {
		bad |= curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
		/* Not COPYPOSTFIELDS: the body holds a refresh token; the caller wipes it. */
		bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "") !=
		       CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
					(curl_off_t)req->body_len) != CURLE_OK;
	} else {
		bad |= curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) != CURLE_OK;
	}
	return bad ? -1 : 0;
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
	struct sink sink = { .resp = resp, .cap = req->max_body };
	CURL *c = NULL;
	CURLcode cc;
	int r = -1;

	memset(resp, 0, sizeof(*resp));
	resp->body = cobocred_hostmem_alloc(req->max_body + 1);
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
	cobocred_hostmem_free(resp->body);
	memset(resp, 0, sizeof(*resp));
}
