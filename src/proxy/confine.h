/*
 * confine.h - what the proxy lets through, decided on the request as the
 * client sent it and never on a re-assembled or decoded copy.
 *
 * A refusal carries the HTTP status, a short error name and one line of
 * detail for the JSON body {"error":..., "detail":...}; nothing of a
 * refused request goes upstream.  Pure functions: tests/proxy/test_confine.c
 * runs them on generated variants.
 */
#ifndef COBOCRED_PROXY_CONFINE_H
#define COBOCRED_PROXY_CONFINE_H

#include <stddef.h>

struct proxy_refusal {
	int status;	    /* HTTP status */
	const char *error;  /* static: "bad_target", "forbidden_header", ... */
	const char *detail; /* static: one line, no client bytes */
};

/* 0 if method is one the Cobo API uses (GET POST PUT PATCH DELETE), else -1 with why (405). */
int proxy_method_ok(const char *method, struct proxy_refusal *why);

/*
 * 0 if target (the raw request target) is origin-form, under base_path
 * ("" or "/v2": no trailing slash) and not the token endpoint
 * (base_path/oauth/...: a client must never mint or refresh through the
 * proxy), with a path of plain segments (no "", ".", "..", no
 * percent-encoded '.', '/', '\', '%' or control byte) and a query of
 * RFC 3986 characters.  Else -1 with why: absolute-form and asterisk-form
 * 400, other paths 404 (the token endpoint 403), too long 414.
 * *query_at is the offset of '?' (or the length: no query).
 */
int proxy_target_ok(const char *target, const char *base_path, size_t *query_at,
		    struct proxy_refusal *why);

/* How a request header sent by the client is treated. */
enum proxy_header {
	/*
	 * Not forwarded: hop-by-hop, Host, and every other header.  What goes
	 * upstream is the method, the target and the body; the transport sets
	 * Accept and Content-Type (application/json: all the Cobo API takes).
	 */
	PROXY_HDR_DROP = 0,
	PROXY_HDR_REFUSE = 2, /* the request is refused: Authorization, Biz-*, Cookie */
	PROXY_HDR_ORG = 3,    /* Cobo-Org: which org; consumed */
	PROXY_HDR_KEY = 4,    /* Cobo-Proxy-Key: the TCP listener's key; consumed */
};
int proxy_header_class(const char *name);

/* 1 if a header value is printable ASCII (or tab), at most 1024 bytes. */
int proxy_header_value_ok(const char *value);

#endif
