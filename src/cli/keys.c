/*
 * keys.c - Ed25519 key generation, public keys and PEM parsing (libcrypto).
 *
 * libcrypto is loaded with dlopen on the first key operation, not linked:
 * the dynamic linker's relocation of libcrypto alone costs ~2.5 M
 * instructions and ~1.4 MB, which every 'cobo-credential token' would pay
 * for nothing (bench/README.md).  The headers still give every type.
 */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
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
#include "secret.h"
#include "strutil.h"

#define PEM_BEGIN "-----BEGIN "
#define STR_(x) #x
#define STR(x) STR_(x)
/* The soname of the libcrypto whose headers we were built against. */
#define LIBCRYPTO "libcrypto.so." STR(OPENSSL_SHLIB_VERSION)

/* The libcrypto functions we call, resolved once. */
static struct {
	__typeof__(&RAND_priv_bytes) rand_priv_bytes;
	__typeof__(&EVP_PKEY_new_raw_private_key) new_raw_private_key;
	__typeof__(&EVP_PKEY_get_raw_public_key) get_raw_public_key;
	__typeof__(&EVP_PKEY_get_raw_private_key) get_raw_private_key;
	__typeof__(&EVP_PKEY_get_id) get_id;
	__typeof__(&EVP_PKEY_free) pkey_free;
	__typeof__(&BIO_new_mem_buf) bio_new_mem_buf;
	__typeof__(&BIO_free) bio_free;
	__typeof__(&PEM_read_bio_PrivateKey) pem_read_private_key;
	__typeof__(&OBJ_nid2sn) nid2sn;
	__typeof__(&ERR_clear_error) err_clear;
} libcrypto;

#define RESOLVE(h, field, sym) (*(void **)&libcrypto.field = dlsym(h, #sym)) != NULL

/* Loads libcrypto on first use (kept for the process).  0, or -1 with err. */
static int crypto_load(char *err, size_t errlen)
{
	void *h;

	if (libcrypto.err_clear != NULL)
		return 0;
	h = dlopen(LIBCRYPTO, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (h != NULL && RESOLVE(h, rand_priv_bytes, RAND_priv_bytes) &&
	    RESOLVE(h, new_raw_private_key, EVP_PKEY_new_raw_private_key) &&
	    RESOLVE(h, get_raw_public_key, EVP_PKEY_get_raw_public_key) &&
	    RESOLVE(h, get_raw_private_key, EVP_PKEY_get_raw_private_key) &&
	    RESOLVE(h, get_id, EVP_PKEY_get_id) && RESOLVE(h, pkey_free, EVP_PKEY_free) &&
	    RESOLVE(h, bio_new_mem_buf, BIO_new_mem_buf) && RESOLVE(h, bio_free, BIO_free) &&
	    RESOLVE(h, pem_read_private_key, PEM_read_bio_PrivateKey) &&
	    RESOLVE(h, nid2sn, OBJ_nid2sn) && RESOLVE(h, err_clear, ERR_clear_error))
		return 0;
	snprintf(err, errlen, "cannot load OpenSSL (%s) for key operations: %s; install libssl3",
		 LIBCRYPTO, h == NULL ? dlerror() : "a function is missing");
	memset(&libcrypto, 0, sizeof(libcrypto));
	return -1;
}

/* explicit_bzero, as OPENSSL_cleanse does, without loading OpenSSL. */
void cli_key_wipe(void *p, size_t n)
{
	cobocred_wipe(p, n);
}

int cli_key_generate(unsigned char seed[CLI_SEED_LEN], char *err, size_t errlen)
{
	if (crypto_load(err, errlen) != 0)
		return -1;
	/* An Ed25519 private key is 32 uniformly random bytes (RFC 8032 5.1.5). */
	if (libcrypto.rand_priv_bytes(seed, CLI_SEED_LEN) != 1) {
		cli_key_wipe(seed, CLI_SEED_LEN);
		libcrypto.err_clear();
		snprintf(err, errlen, "the system random generator failed; try again");
		return -1;
	}
	return 0;
}

int cli_key_public(const unsigned char seed[CLI_SEED_LEN], unsigned char pub[CLI_PUB_LEN],
		   char *err, size_t errlen)
{
	EVP_PKEY *pk;
	size_t n = CLI_PUB_LEN;
	int r = -1;

	if (crypto_load(err, errlen) != 0)
		return -1;
	pk = libcrypto.new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, CLI_SEED_LEN);
	if (pk == NULL || libcrypto.get_raw_public_key(pk, pub, &n) != 1 || n != CLI_PUB_LEN)
		snprintf(err, errlen, "cannot derive the Ed25519 public key (OpenSSL error)");
	else
		r = 0;
	libcrypto.pkey_free(pk); /* OpenSSL wipes the private key it held */
	libcrypto.err_clear();
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
	BIO *bio;
	EVP_PKEY *pk = NULL;
	size_t n = CLI_SEED_LEN;
	int r = -1;

	if (crypto_load(err, errlen) != 0)
		return -1;
	bio = libcrypto.bio_new_mem_buf(text, (int)len);
	if (bio == NULL) {
		snprintf(err, errlen, "out of memory reading the PEM key");
		goto out;
	}
	pk = libcrypto.pem_read_private_key(bio, NULL, no_passphrase, NULL);
	if (pk == NULL) {
		snprintf(err, errlen, "%s", memmem(text, len, "ENCRYPTED", 9) != NULL
			 ? "the PEM key is encrypted; decrypt it first (openssl pkey -in KEY)"
			 : "malformed PEM private key; expected an Ed25519 key as written by "
			   "'openssl genpkey -algorithm ed25519'");
		goto out;
	}
	if (libcrypto.get_id(pk) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "the PEM key is %s, not Ed25519; Cobo app keys are Ed25519",
			 libcrypto.nid2sn(libcrypto.get_id(pk)));
		goto out;
	}
	if (libcrypto.get_raw_private_key(pk, seed, &n) != 1 || n != CLI_SEED_LEN) {
		snprintf(err, errlen, "cannot read the Ed25519 seed from the PEM key");
		goto out;
	}
	r = 0;
out:
	libcrypto.pkey_free(pk);
	libcrypto.bio_free(bio);
	libcrypto.err_clear();
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
	cli_key_wipe(hex, sizeof(hex));
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
		cli_key_wipe(seed, CLI_SEED_LEN);
	return r;
}
