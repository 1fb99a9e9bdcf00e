/*
 * keys.c - Ed25519 key generation, public keys and PEM parsing (libcrypto).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "keys.h"
#include "strutil.h"

#define PEM_BEGIN "-----BEGIN "

void cli_key_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

int cli_key_generate(unsigned char seed[CLI_SEED_LEN], char *err, size_t errlen)
{
	/* An Ed25519 private key is 32 uniformly random bytes (RFC 8032 5.1.5). */
	if (RAND_priv_bytes(seed, CLI_SEED_LEN) != 1) {
		OPENSSL_cleanse(seed, CLI_SEED_LEN);
		ERR_clear_error();
		snprintf(err, errlen, "the system random generator failed; try again");
		return -1;
	}
	return 0;
}

int cli_key_public(const unsigned char seed[CLI_SEED_LEN], unsigned char pub[CLI_PUB_LEN],
		   char *err, size_t errlen)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, CLI_SEED_LEN);
	size_t n = CLI_PUB_LEN;
	int r = -1;

	if (pk == NULL || EVP_PKEY_get_raw_public_key(pk, pub, &n) != 1 || n != CLI_PUB_LEN)
		snprintf(err, errlen, "cannot derive the Ed25519 public key (OpenSSL error)");
	else
		r = 0;
	EVP_PKEY_free(pk); /* OpenSSL wipes the private key it held */
	ERR_clear_error();
	return r;
}

/* Never prompt for a passphrase: an encrypted key is refused instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int parse_pem(const char *text, size_t len, unsigned char *seed, char *err,
		     size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *pk = NULL;
	size_t n = CLI_SEED_LEN;
	int r = -1;

	if (bio == NULL) {
		snprintf(err, errlen, "out of memory reading the PEM key");
		goto out;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (pk == NULL) {
		snprintf(err, errlen, "%s", memmem(text, len, "ENCRYPTED", 9) != NULL
			 ? "the PEM key is encrypted; decrypt it first (openssl pkey -in KEY)"
			 : "malformed PEM private key; expected an Ed25519 key as written by "
			   "'openssl genpkey -algorithm ed25519'");
		goto out;
	}
	if (EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "the PEM key is %s, not Ed25519; Cobo app keys are Ed25519",
			 OBJ_nid2sn(EVP_PKEY_get_id(pk)));
		goto out;
	}
	if (EVP_PKEY_get_raw_private_key(pk, seed, &n) != 1 || n != CLI_SEED_LEN) {
		snprintf(err, errlen, "cannot read the Ed25519 seed from the PEM key");
		goto out;
	}
	r = 0;
out:
	EVP_PKEY_free(pk);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

static int parse_hex(const char *text, size_t len, unsigned char *seed, char *err,
		     size_t errlen)
{
	char hex[2 * CLI_SEED_LEN + 1];
	int r = -1;

	if (len != sizeof(hex) - 1) {
		snprintf(err, errlen, "the key is neither PEM nor 64 hex characters (%zu characters)",
			 len);
		return -1;
	}
	memcpy(hex, text, len);
	hex[len] = '\0';
	if (cobocred_hex_decode(hex, seed, CLI_SEED_LEN) == 0)
		r = 0;
	else
		snprintf(err, errlen, "the key has 64 characters but not all are hex digits");
	OPENSSL_cleanse(hex, sizeof(hex));
	return r;
}

int cli_key_parse(const char *text, size_t len, unsigned char seed[CLI_SEED_LEN], char *err,
		  size_t errlen)
{
	int r;

	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == 0) {
		snprintf(err, errlen, "the key is empty");
		return -1;
	}
	if (len > CLI_KEY_TEXT_MAX) {
		snprintf(err, errlen, "the key is too large to be an Ed25519 key");
		return -1;
	}
	if (len >= strlen(PEM_BEGIN) && memcmp(text, PEM_BEGIN, strlen(PEM_BEGIN)) == 0)
		r = parse_pem(text, len, seed, err, errlen);
	else
		r = parse_hex(text, len, seed, err, errlen);
	if (r != 0)
		OPENSSL_cleanse(seed, CLI_SEED_LEN);
	return r;
}
