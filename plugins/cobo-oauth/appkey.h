/*
 * appkey.h - the app key as signing sees it: a seed in host secret memory
 * (keyring, file:, env:) or a key inside a PKCS#11 token (pkcs11:URI).
 * Either way the same digest is signed (sign.h: SHA-256 twice over the one
 * canonical string), so the server cannot tell them apart.
 */
#ifndef COBO_OAUTH_APPKEY_H
#define COBO_OAUTH_APPKEY_H

#include <stddef.h>

#include "cobocred/module.h"
#include "p11.h"
#include "sign.h"

struct oauth_appkey {
	unsigned char *seed;	    /* OAUTH_SEED_LEN bytes of host secret memory; owned; or NULL */
	struct oauth_p11key *token; /* the process's (p11.h), not owned; or NULL */
	unsigned char pub[OAUTH_PUB_LEN];
	char err[512]; /* why the last oauth_appkey_sign failed (no secrets) */
};

/*
 * The app key of profile per its app_secret spec (NULL: keyring).
 * COBOCRED_* status; err as oauth_key_load's (empty when the store's own
 * message stands).  Release k with oauth_appkey_clear either way.
 */
int oauth_appkey_load(const struct cobocred_host *h, const char *profile, const char *spec,
		      const char *client_id, struct oauth_appkey *k, char *err, size_t errlen);
/* Ed25519 over msg.  COBOCRED_* status; k->err says why on failure. */
int oauth_appkey_sign(struct oauth_appkey *k, const unsigned char *msg, size_t len,
		      unsigned char sig[OAUTH_SIG_LEN]);
/* The same, thread-safe for a shared k: the reason goes to err instead. */
int oauth_appkey_sign_r(const struct oauth_appkey *k, const unsigned char *msg, size_t len,
			unsigned char sig[OAUTH_SIG_LEN], char *err, size_t errlen);
void oauth_appkey_clear(const struct cobocred_host *h, struct oauth_appkey *k);

#endif
