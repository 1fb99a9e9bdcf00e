/*
 * key.h - loading the app secret (the Ed25519 seed that signs requests)
 * from the profile's source: the store stack ("keyring"), a private file
 * ("file:PATH") or an environment variable ("env:VAR").
 */
#ifndef COBO_OAUTH_KEY_H
#define COBO_OAUTH_KEY_H

#include <stddef.h>

#include "cobocred/module.h"
#include "sign.h"

#define OAUTH_KEY_FILE_MAX 16384

/*
 * Parses a PEM PKCS#8 Ed25519 private key (as `openssl genpkey -algorithm
 * ed25519` writes it) or 64 hex chars, surrounding blanks allowed.  0, or
 * -1 with the reason in err.  seed is wiped on failure.
 */
int oauth_key_parse(const char *text, size_t len, unsigned char seed[OAUTH_SEED_LEN], char *err,
		    size_t errlen);

/* A key file: refused unless private to its owner (ssh's rule).  COBOCRED_* status. */
int oauth_key_load_file(const char *path, unsigned char seed[OAUTH_SEED_LEN], char *err,
			size_t errlen);
/* A key in an environment variable.  COBOCRED_* status. */
int oauth_key_load_env(const char *var, unsigned char seed[OAUTH_SEED_LEN], char *err,
		       size_t errlen);

/*
 * The app secret of profile per its app_secret setting spec ("keyring",
 * "file:PATH", "env:VAR"; NULL means keyring).  Returns a COBOCRED_*
 * status; on failure err holds the reason, or is empty when the store
 * stack already set the host's error message.
 */
int oauth_key_load(const struct cobocred_host *host, const char *profile, const char *spec,
		   const char *client_id, unsigned char seed[OAUTH_SEED_LEN], char *err,
		   size_t errlen);

/*
 * Key administration (module.h struct cobocred_key_ops): a new key, or key
 * text in any form oauth_key_parse reads, as the canonical 64 lower-case
 * hex in host secret memory (*secret, the caller frees it with the host's
 * secret_free) and the 64-hex public key in pub (publen >= 65).
 * COBOCRED_* status; the host's error set on failure.
 */
int oauth_key_generate(const struct cobocred_host *h, char **secret, size_t *secret_len, char *pub,
		       size_t publen);
int oauth_key_import(const struct cobocred_host *h, const char *text, size_t len, char **secret,
		     size_t *secret_len, char *pub, size_t publen);
/* The public key of profile's app secret, loaded as signing loads it (oauth_key_load). */
int oauth_key_public(const struct cobocred_host *h, const char *profile, char *pub, size_t publen);
/*
 * A new key made inside the PKCS#11 token uri names (module.h ABI 1.6
 * generate_token): its public key in pub.  Nothing secret comes back.
 */
int oauth_key_generate_token(const struct cobocred_host *h, const char *uri, char *pub,
			     size_t publen);

#endif
