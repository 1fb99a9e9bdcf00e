/*
 * appkey.c - the app key, in software or in a token (appkey.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "appkey.h"
#include "fsutil.h"
#include "key.h"
#include "secretref.h"

static int software(const struct cobocred_host *h, const char *profile, const char *spec,
		    const char *client_id, struct oauth_appkey *k, char *err, size_t errlen)
{
	int st;

	k->seed = h->secret_alloc(OAUTH_SEED_LEN);
	if (k->seed == NULL) {
		snprintf(err, errlen, "out of memory");
		return COBOCRED_ERROR;
	}
	st = oauth_key_load(h, profile, spec, client_id, k->seed, err, errlen);
	if (st == COBOCRED_SUCCESS && oauth_ed25519_pub(k->seed, k->pub) != 0) {
		snprintf(err, errlen, "cannot derive the Ed25519 public key (OpenSSL error)");
		st = COBOCRED_ERROR;
	}
	return st;
}

int oauth_appkey_load(const struct cobocred_host *h, const char *profile, const char *spec,
		      const char *client_id, struct oauth_appkey *k, char *err, size_t errlen)
{
	char where[4200];
	int st;

	memset(k, 0, sizeof(*k));
	err[0] = '\0';
	/* Only a pkcs11: value loads p11-kit's modules; everything else is oauth_key_load's. */
	if (spec == NULL || strncmp(spec, "pkcs11:", 7) != 0)
		return software(h, profile, spec, client_id, k, err, errlen);
	st = oauth_p11_key_open(h, spec, cobocred_host_config_file(h), &k->token, err, errlen);
	if (st == COBOCRED_SUCCESS) {
		oauth_p11_key_pub(k->token, k->pub);
	} else if (err[0] != '\0') {
		cobocred_host_setting_where(h, profile, "app_secret", where, sizeof(where));
		/* The token's message names the token and the URI; say which setting. */
		if (where[0] != '\0' && strlen(where) + strlen(err) + 1 < errlen) {
			memmove(err + strlen(where), err, strlen(err) + 1);
			memcpy(err, where, strlen(where));
		}
	}
	return st;
}

int oauth_appkey_sign_r(const struct oauth_appkey *k, const unsigned char *msg, size_t len,
			unsigned char sig[OAUTH_SIG_LEN], char *err, size_t errlen)
{
	if (k->token != NULL)
		return oauth_p11_sign(k->token, msg, len, sig, err, errlen);
	if (k->seed != NULL && oauth_ed25519_sign(k->seed, msg, len, sig) == 0)
		return COBOCRED_SUCCESS;
	snprintf(err, errlen, "signing failed (OpenSSL error)");
	return COBOCRED_ERROR;
}

int oauth_appkey_sign(struct oauth_appkey *k, const unsigned char *msg, size_t len,
		      unsigned char sig[OAUTH_SIG_LEN])
{
	return oauth_appkey_sign_r(k, msg, len, sig, k->err, sizeof(k->err));
}

void oauth_appkey_clear(const struct cobocred_host *h, struct oauth_appkey *k)
{
	if (k->seed != NULL)
		h->secret_free(k->seed); /* wiped */
	OPENSSL_cleanse(k, sizeof(*k));
}
