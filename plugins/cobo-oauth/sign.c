/*
 * sign.c - CoboAuth signing and verification with OpenSSL 3 (EVP Ed25519,
 * SHA-256).  Everything here is a pure function of its arguments.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sign.h"
#include "strutil.h"

void oauth_free_wiped(char *p, size_t len)
{
	if (p != NULL)
		OPENSSL_clear_free(p, len + 1);
}

static char *put(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	return dst + n;
}

int oauth_str_to_sign(const char *method, const char *path, const char *nonce, const char *query,
		      const char *body, size_t body_len, char **out, size_t *out_len)
{
	const char *part[4] = { method, path, nonce, query };
	size_t plen[4], total = body_len, i;
	char *buf, *p;

	*out = NULL;
	*out_len = 0;
	for (i = 0; i < 4; i++) {
		if (part[i] == NULL)
			part[i] = "";
		plen[i] = strlen(part[i]);
		if (total > SIZE_MAX / 2 - plen[i] - 2)
			return -1;
		total += plen[i] + 1; /* the '|' after it */
	}
	buf = OPENSSL_malloc(total + 1);
	if (buf == NULL)
		return -1;
	p = buf;
	for (i = 0; i < 4; i++) {
		p = put(p, part[i], plen[i]);
		*p++ = '|';
	}
	if (body_len > 0)
		p = put(p, body, body_len);
	*p = '\0';
	*out = buf;
	*out_len = total;
	return 0;
}

int oauth_sha256d(const void *data, size_t len, unsigned char *mid, unsigned char *digest)
{
	unsigned char first[OAUTH_DIGEST_LEN];
	int r = -1;

	if (EVP_Digest(data, len, first, NULL, EVP_sha256(), NULL) != 1)
		goto out;
	if (EVP_Digest(first, sizeof(first), digest, NULL, EVP_sha256(), NULL) != 1)
		goto out;
	if (mid != NULL)
		memcpy(mid, first, sizeof(first));
	r = 0;
out:
	OPENSSL_cleanse(first, sizeof(first));
	return r;
}

int oauth_request_digest(const char *method, const char *path, const char *nonce, const char *query,
			 const char *body, size_t body_len, unsigned char digest[OAUTH_DIGEST_LEN])
{
	char *s = NULL;
	size_t n = 0;
	int r = -1;

	if (oauth_str_to_sign(method, path, nonce, query, body, body_len, &s, &n) != 0)
		goto out;
	r = oauth_sha256d(s, n, NULL, digest);
out:
	oauth_free_wiped(s, n);
	return r;
}

int oauth_response_digest(const char *body, size_t body_len, const char *timestamp,
			  unsigned char digest[OAUTH_DIGEST_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char first[OAUTH_DIGEST_LEN];
	int r = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	if ((body_len > 0 && EVP_DigestUpdate(md, body, body_len) != 1) ||
	    EVP_DigestUpdate(md, "|", 1) != 1 ||
	    EVP_DigestUpdate(md, timestamp, strlen(timestamp)) != 1 ||
	    EVP_DigestFinal_ex(md, first, NULL) != 1)
		goto out;
	if (EVP_Digest(first, sizeof(first), digest, NULL, EVP_sha256(), NULL) != 1)
		goto out;
	r = 0;
out:
	OPENSSL_cleanse(first, sizeof(first));
	EVP_MD_CTX_free(md);
	return r;
}

int oauth_ed25519_pub(const unsigned char seed[OAUTH_SEED_LEN], unsigned char pub[OAUTH_PUB_LEN])
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, OAUTH_SEED_LEN);
	size_t n = OAUTH_PUB_LEN;
	int r = -1;

	if (pk != NULL && EVP_PKEY_get_raw_public_key(pk, pub, &n) == 1 && n == OAUTH_PUB_LEN)
		r = 0;
	EVP_PKEY_free(pk);
	return r;
}

int oauth_ed25519_sign(const unsigned char seed[OAUTH_SEED_LEN], const unsigned char *msg,
		       size_t len, unsigned char sig[OAUTH_SIG_LEN])
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, OAUTH_SEED_LEN);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = OAUTH_SIG_LEN;
	int r = -1;

	if (pk == NULL || md == NULL)
		goto out;
	/* Ed25519 is "one-shot": no message digest may be named here. */
	if (EVP_DigestSignInit(md, NULL, NULL, NULL, pk) != 1 ||
	    EVP_DigestSign(md, sig, &n, msg, len) != 1 || n != OAUTH_SIG_LEN)
		goto out;
	r = 0;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	return r;
}

int oauth_ed25519_verify(const unsigned char pub[OAUTH_PUB_LEN], const unsigned char *msg,
			 size_t len, const unsigned char sig[OAUTH_SIG_LEN])
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, OAUTH_PUB_LEN);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = 0;

	if (pk != NULL && md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) == 1)
		ok = EVP_DigestVerify(md, sig, OAUTH_SIG_LEN, msg, len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	return ok;
}

int oauth_verify_response(const unsigned char pub[OAUTH_PUB_LEN], const char *body, size_t body_len,
			  const char *timestamp, const char *sig_hex)
{
	unsigned char sig[OAUTH_SIG_LEN], digest[OAUTH_DIGEST_LEN];

	if (pub == NULL || (body == NULL && body_len > 0) || timestamp == NULL || sig_hex == NULL ||
	    *timestamp == '\0')
		return 0;
	if (cobocred_hex_decode(sig_hex, sig, sizeof(sig)) != 0)
		return 0;
	if (oauth_response_digest(body != NULL ? body : "", body_len, timestamp, digest) != 0)
		return 0;
	return oauth_ed25519_verify(pub, digest, sizeof(digest), sig);
}
