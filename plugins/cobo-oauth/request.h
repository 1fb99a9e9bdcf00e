/*
 * request.h - the bytes of a token request: the mint query string, the
 * refresh body and the nonce.  Pure functions, byte-exact: what they build
 * is both sent and signed.
 */
#ifndef COBO_OAUTH_REQUEST_H
#define COBO_OAUTH_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#define OAUTH_NONCE_MAX 24

/*
 * s form-encoded as Python's urllib.parse.urlencode does (the official
 * SDK): A-Z a-z 0-9 _ . - ~ kept, space as '+', every other byte %XX
 * upper-case.  0, or -1 if out (outlen bytes) is too small.
 */
int oauth_form_encode(const char *s, char *out, size_t outlen);

/* "client_id=C&org_id=O&grant_type=org_implicit", encoded.  0 or -1. */
int oauth_mint_query(const char *client_id, const char *org_id, char *out, size_t outlen);

/*
 * The refresh body, compact JSON with JSON string escaping (non-ASCII kept
 * as UTF-8): {"client_id":"C","grant_type":"refresh_token","refresh_token":"R"}.
 * *out is new; it holds the refresh token, so free it with
 * oauth_free_wiped(*out, *len).  0 or -1.
 */
int oauth_refresh_body(const char *client_id, const char *refresh, size_t refresh_len, char **out,
		       size_t *len);

/* The current real time in unix milliseconds, as decimal (Biz-Api-Nonce); returns it. */
int64_t oauth_nonce(char out[OAUTH_NONCE_MAX]);

#endif
