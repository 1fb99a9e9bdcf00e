/*
 * sign.h - CoboAuth request signing and response verification: pure
 * functions over bytes (no I/O, no host), so the vectors test them directly.
 *
 * Request:  Biz-Api-Signature = Ed25519(seed, SHA256(SHA256("METHOD|PATH|NONCE|QUERY|BODY")))
 * Response: Biz-Resp-Signature = Ed25519(server key, SHA256(SHA256(BODY "|" TIMESTAMP)))
 */
#ifndef COBO_OAUTH_SIGN_H
#define COBO_OAUTH_SIGN_H

#include <stddef.h>

#define OAUTH_SEED_LEN 32
#define OAUTH_PUB_LEN 32
#define OAUTH_DIGEST_LEN 32
#define OAUTH_SIG_LEN 64

/*
 * The string to sign, in a new buffer (NUL-terminated; free it with
 * oauth_free_wiped(*out, *out_len): it may hold a refresh token).
 * body may contain any bytes.  0, or -1 on OOM/overflow.
 */
int oauth_str_to_sign(const char *method, const char *path, const char *nonce, const char *query,
		      const char *body, size_t body_len, char **out, size_t *out_len);
/* Wipes len + 1 bytes of p, then frees it.  NULL is a no-op. */
void oauth_free_wiped(char *p, size_t len);

/* mid = SHA256(data) (mid may be NULL), digest = SHA256(mid).  0 or -1. */
int oauth_sha256d(const void *data, size_t len, unsigned char *mid, unsigned char *digest);
/* The request digest: SHA256d of the string to sign.  0 or -1. */
int oauth_request_digest(const char *method, const char *path, const char *nonce, const char *query,
			 const char *body, size_t body_len, unsigned char digest[OAUTH_DIGEST_LEN]);
/* The response digest: SHA256d(body "|" timestamp), without copying body.  0 or -1. */
int oauth_response_digest(const char *body, size_t body_len, const char *timestamp,
			  unsigned char digest[OAUTH_DIGEST_LEN]);

/* The Ed25519 public key of a 32-byte seed.  0 or -1. */
int oauth_ed25519_pub(const unsigned char seed[OAUTH_SEED_LEN], unsigned char pub[OAUTH_PUB_LEN]);
/* Signs msg with the seed (deterministic, RFC 8032).  0 or -1. */
int oauth_ed25519_sign(const unsigned char seed[OAUTH_SEED_LEN], const unsigned char *msg,
		       size_t len, unsigned char sig[OAUTH_SIG_LEN]);
/* 1 if sig is pub's signature over msg, else 0. */
int oauth_ed25519_verify(const unsigned char pub[OAUTH_PUB_LEN], const unsigned char *msg,
			 size_t len, const unsigned char sig[OAUTH_SIG_LEN]);

/*
 * 1 if sig_hex (128 hex chars, any case) is a valid Biz-Resp-Signature of
 * body and timestamp under pub; 0 for anything else, NULL arguments included.
 */
int oauth_verify_response(const unsigned char pub[OAUTH_PUB_LEN], const char *body, size_t body_len,
			  const char *timestamp, const char *sig_hex);

#endif
