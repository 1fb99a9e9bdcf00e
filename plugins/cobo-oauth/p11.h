/*
 * p11.h - the app key inside a PKCS#11 token: the token reached through
 * p11-kit (one module by module-path=, or every registered module), one
 * logged-in session per process and key, signing with CKM_EDDSA inside it.
 *
 * The session is opened and logged in once, on the first use of a URI,
 * and kept until the module's last instance closes (oauth_p11_cleanup): a
 * proxy signs thousands of requests on it.  A refused PIN is remembered
 * for the process too, so it is never offered to the token again: tokens
 * lock after a few wrong PINs.  Every call returns a COBOCRED_* status
 * with one line in err naming the token and the URI, never a PIN.
 */
#ifndef COBO_OAUTH_P11_H
#define COBO_OAUTH_P11_H

#include <stddef.h>

#include "cobocred/module.h"
#include "sign.h"

struct oauth_p11key; /* the process's (p11tok.c), valid until oauth_p11_cleanup */

/* Reference-counted like libcurl's global init: one per module instance. */
void oauth_p11_init(void);
void oauth_p11_cleanup(void);

/*
 * The key uri names (the value of app_secret, "pkcs11:..."), opened and
 * logged in on first use and cached for the process.  client_id: unused
 * today, the store's PIN is keyed by the token's label.  config_file: the
 * file the URI comes from (NULL: the command line).
 */
int oauth_p11_key_open(const struct cobocred_host *h, const char *uri, const char *config_file,
		       struct oauth_p11key **out, char *err, size_t errlen);
/* Its public key (CKA_EC_POINT of the public key object beside it). */
void oauth_p11_key_pub(const struct oauth_p11key *k, unsigned char pub[OAUTH_PUB_LEN]);
/* Ed25519 over msg inside the token (CKM_EDDSA).  Thread-safe. */
int oauth_p11_sign(struct oauth_p11key *k, const unsigned char *msg, size_t len,
		   unsigned char sig[OAUTH_SIG_LEN], char *err, size_t errlen);
/*
 * A new Ed25519 key pair inside the token uri names, labelled with its
 * object= (required): private, sensitive, never extractable, on the token.
 * pub receives the public key.
 */
int oauth_p11_generate(const struct cobocred_host *h, const char *uri, const char *config_file,
		       unsigned char pub[OAUTH_PUB_LEN], char *err, size_t errlen);

#endif
