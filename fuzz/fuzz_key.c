/*
 * fuzz_key.c - libFuzzer target: the app secret loader
 * (plugins/cobo-oauth/key.h, oauth_key_parse), from memory.
 *
 * Invariants checked beyond "no crash":
 *  - refused: the seed is all zero (wiped), the reason is one line, it
 *    never quotes a hex key the input carried, and OpenSSL's error queue
 *    is left empty;
 *  - accepted: the input (blanks trimmed) is PEM or exactly 64 hex digits;
 *    a hex key decodes to the very seed returned; a PEM key written back
 *    as PKCS#8 PEM, and the seed as hex, both load to the same seed; the
 *    seed gives an Ed25519 public key.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "key.h"
#include "secret.h"
#include "sign.h"
#include "strutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)
#define SEED_FILL 0xa5 /* what the seed holds before the call */

static int is_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The first run of 16+ hex digits in s[0..n), or NULL. */
static const char *hex_run(const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		run = isxdigit((unsigned char)s[i]) ? run + 1 : 0;
		if (run == 16)
			return s + i - 15;
	}
	return NULL;
}

static void check_refused(const char *text, size_t len, const unsigned char *seed, const char *err,
			  size_t cap)
{
	const char *h = hex_run(text, len);
	size_t i, n = strnlen(err, cap);

	CHECK(is_zero(seed, OAUTH_SEED_LEN));
	CHECK(n > 0 && n < cap);
	for (i = 0; i < n; i++)
		CHECK(err[i] != '\n' && err[i] != '\r');
	if (h != NULL)
		CHECK(memmem(err, n, h, 16) == NULL);
}

/* The same seed, written as PKCS#8 PEM by OpenSSL, must load to itself. */
static void check_pem_round_trip(const unsigned char *seed)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, OAUTH_SEED_LEN);
	unsigned char again[OAUTH_SEED_LEN];
	BIO *bio = BIO_new(BIO_s_mem());
	char err[256], *pem = NULL;
	long n;

	CHECK(pk != NULL && bio != NULL);
	CHECK(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) == 1);
	n = BIO_get_mem_data(bio, &pem);
	CHECK(n > 0 && oauth_key_parse(pem, (size_t)n, again, err, sizeof(err)) == 0);
	CHECK(memcmp(again, seed, OAUTH_SEED_LEN) == 0);
	BIO_free(bio);
	EVP_PKEY_free(pk);
}

static void check_accepted(const char *text, size_t len, const unsigned char *seed)
{
	unsigned char again[OAUTH_SEED_LEN], pub[OAUTH_PUB_LEN];
	char hex[2 * OAUTH_SEED_LEN + 1], err[256];

	while (len > 0 && isspace((unsigned char)*text))
		text++, len--;
	cobocred_hex_encode(seed, OAUTH_SEED_LEN, hex);
	if (len >= 11 && memcmp(text, "-----BEGIN ", 11) == 0) {
		check_pem_round_trip(seed);
	} else {
		CHECK(len >= 64 && strncasecmp(text, hex, 64) == 0);
		while (len > 64 && isspace((unsigned char)text[len - 1]))
			len--;
		CHECK(len == 64);
	}
	CHECK(oauth_key_parse(hex, 64, again, err, sizeof(err)) == 0);
	CHECK(memcmp(again, seed, OAUTH_SEED_LEN) == 0);
	CHECK(oauth_ed25519_pub(seed, pub) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t live = cobocred_secret_live();
	unsigned char seed[OAUTH_SEED_LEN];
	const char *text = (const char *)data;
	char err[256];

	memset(seed, SEED_FILL, sizeof(seed));
	memset(err, 0, sizeof(err));
	if (oauth_key_parse(text, size, seed, err, sizeof(err)) == 0)
		check_accepted(text, size, seed);
	else
		check_refused(text, size, seed, err, sizeof(err));
	CHECK(ERR_peek_error() == 0);
	CHECK(cobocred_secret_live() == live);
	return 0;
}
