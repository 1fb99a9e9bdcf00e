/*
 * keys.h - Ed25519 app keys for 'cobo-credential key' and 'setup'.
 *
 * keys.c is the only file of the command line that uses OpenSSL (libcrypto):
 * generating a seed, deriving its public key and reading PEM.  This is a
 * deliberate exception, and libcrypto is loaded only when one of these
 * runs (dlopen), so 'cobo-credential token' never loads it; the git and
 * Docker helpers never do either.  Every buffer that held key material is
 * wiped.  A missing libcrypto is an error from the function that needed it.
 */
#ifndef COBOCRED_CLI_KEYS_H
#define COBOCRED_CLI_KEYS_H

#include <stddef.h>

#define CLI_SEED_LEN 32
#define CLI_PUB_LEN 32
#define CLI_KEY_TEXT_MAX 16384 /* a key file or pasted key larger than this is refused */

/* A fresh seed from the OS CSPRNG.  0, or -1 with err. */
int cli_key_generate(unsigned char seed[CLI_SEED_LEN], char *err, size_t errlen);
/* The Ed25519 public key of seed.  0, or -1 with err. */
int cli_key_public(const unsigned char seed[CLI_SEED_LEN], unsigned char pub[CLI_PUB_LEN],
		   char *err, size_t errlen);
/*
 * Parses an unencrypted PEM PKCS#8 Ed25519 private key or 64 hex
 * characters (blanks around either allowed).  0, or -1 with err (seed wiped).
 */
int cli_key_parse(const char *text, size_t len, unsigned char seed[CLI_SEED_LEN], char *err,
		  size_t errlen);
/* Wipes n bytes (OPENSSL_cleanse). */
void cli_key_wipe(void *p, size_t n);

#endif
