/*
 * key.c - the app key: parsing, loading from the profile's source, and
 * the key administration the host offers the command line (generate,
 * import, public key; module.h ABI 1.2).  This module is the only code
 * that reads app key material: the CLI hands key text through the host
 * and gets back an opaque canonical form and a public key.  Every buffer
 * that held key material is wiped (OPENSSL_cleanse, or host secret memory
 * through hostmem.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "appkey.h"
#include "fsutil.h"
#include "secretref.h"
#include "key.h"
#include "hostmem.h"
#include "storeitem.h"
#include "strutil.h"

#define PEM_BEGIN "-----BEGIN "

/* Never prompt for a passphrase: an encrypted key is refused instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static int parse_pem(const char *text, size_t len, unsigned char *seed, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *pk = NULL;
	size_t n = OAUTH_SEED_LEN;
	int r = -1;

	if (bio == NULL) {
		snprintf(err, errlen, "out of memory reading the PEM key");
		goto out;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (pk == NULL) {
		snprintf(
			err, errlen, "%s",
			memmem(text, len, "ENCRYPTED", 9) != NULL
				? "the PEM key is encrypted; store it unencrypted with mode 0600"
				: "malformed PEM private key; write one with 'openssl genpkey -algorithm ed25519'");
		goto out;
	}
	if (EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "the PEM key is %s, not Ed25519; Cobo app keys are Ed25519",
			 OBJ_nid2sn(EVP_PKEY_get_id(pk)));
		goto out;
	}
	if (EVP_PKEY_get_raw_private_key(pk, seed, &n) != 1 || n != OAUTH_SEED_LEN) {
		snprintf(err, errlen, "cannot extract the Ed25519 seed from the PEM key");
		goto out;
	}
	r = 0;
out:
	EVP_PKEY_free(pk);
	BIO_free(bio);
	ERR_clear_error(); /* leave no stale errors for libcurl's OpenSSL calls */
	return r;
}

static int parse_hex(const char *text, size_t len, unsigned char *seed, char *err, size_t errlen)
{
	char hex[2 * OAUTH_SEED_LEN + 1];
	int r = -1;

	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (len != sizeof(hex) - 1) {
		snprintf(err, errlen,
			 "the key is neither PEM nor 64 hex characters (%zu characters)", len);
		return -1;
	}
	memcpy(hex, text, len);
	hex[len] = '\0';
	if (cobocred_hex_decode(hex, seed, OAUTH_SEED_LEN) == 0)
		r = 0;
	else
		snprintf(err, errlen, "the key has 64 characters but they are not all hex digits");
	OPENSSL_cleanse(hex, sizeof(hex));
	return r;
}

int oauth_key_parse(const char *text, size_t len, unsigned char seed[OAUTH_SEED_LEN], char *err,
		    size_t errlen)
{
	int r;

	/* Every failure leaves seed wiped, including the early ones below. */
	OPENSSL_cleanse(seed, OAUTH_SEED_LEN);
	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	if (len == 0) {
		snprintf(err, errlen, "the key is empty");
		return -1;
	}
	if (len > OAUTH_KEY_FILE_MAX) {
		snprintf(err, errlen, "the key is too large to be an Ed25519 key");
		return -1;
	}
	if (len >= strlen(PEM_BEGIN) && memcmp(text, PEM_BEGIN, strlen(PEM_BEGIN)) == 0)
		r = parse_pem(text, len, seed, err, errlen);
	else
		r = parse_hex(text, len, seed, err, errlen);
	if (r != 0)
		OPENSSL_cleanse(seed, OAUTH_SEED_LEN);
	return r;
}

/*
 * The key file at path (a setting of config_file: relative to its
 * directory, ~/ under HOME; NULL: absolute or ~/ only), after the
 * directories on its way are checked (fsutil.h) and the file is private.
 * where prefixes messages ("FILE:LINE: " or "").
 */
static int load_path(const char *config_file, const char *where, const char *path,
		     unsigned char seed[OAUTH_SEED_LEN], char *err, size_t errlen)
{
	char full[4096], why[COBOCRED_TRUST_ERR_MAX];
	char *buf = NULL;
	size_t len = 0;
	int st;

	if (cobocred_trusted_path(config_file, path, full, sizeof(full), why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%sapp_secret file: %s", where, why);
		return COBOCRED_ERROR;
	}
	st = cobocred_read_private_file(full, OAUTH_KEY_FILE_MAX,
					COBOCRED_FILE_PRIVATE | COBOCRED_FILE_SECRET, &buf, &len,
					why, sizeof(why));
	if (st != COBOCRED_SUCCESS) {
		snprintf(err, errlen, "%sapp secret: %s", where, why);
		return COBOCRED_ERROR;
	}
	st = COBOCRED_SUCCESS;
	if (oauth_key_parse(buf, len, seed, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%sapp secret %s: %s", where, full, why);
		st = COBOCRED_ERROR;
	}
	cobocred_hostmem_free(buf);
	return st;
}

int oauth_key_load_file(const char *path, unsigned char seed[OAUTH_SEED_LEN], char *err,
			size_t errlen)
{
	return load_path(NULL, "", path, seed, err, errlen);
}

int oauth_key_load_env(const char *var, unsigned char seed[OAUTH_SEED_LEN], char *err,
		       size_t errlen)
{
	const char *v = *var ? getenv(var) : NULL;
	char why[256];

	if (v == NULL || *v == '\0') {
		snprintf(err, errlen,
			 "app_secret = env:%s but $%s is not set; export the "
			 "64-hex app secret in it",
			 var, var);
		return COBOCRED_ERROR;
	}
	if (oauth_key_parse(v, strlen(v), seed, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "app secret in $%s: %s", var, why);
		return COBOCRED_ERROR;
	}
	return COBOCRED_SUCCESS;
}

static int key_from_store(const struct cobocred_host *host, const char *profile,
			  const char *client_id, unsigned char *seed, char *err, size_t errlen)
{
	struct cobocred_item *it = NULL; /* ours: freed at out */
	char why[256];
	int st;

	st = oauth_store_item_get(host, profile, "client_id", client_id, &it);
	if (st == COBOCRED_NOTFOUND) {
		snprintf(err, errlen,
			 "no app secret for client_id %s in the credential store; "
			 "add it there or set 'app_secret = file:PATH' in [profile %s]",
			 client_id, profile);
		st = COBOCRED_ERROR;
		goto out;
	}
	if (st != COBOCRED_SUCCESS)
		goto out; /* the store's own message stands */
	if (oauth_key_parse((const char *)it->secret, it->secret_len, seed, why, sizeof(why)) !=
	    0) {
		snprintf(err, errlen, "app secret for client_id %s in the credential store: %s",
			 client_id, why);
		st = COBOCRED_ERROR;
	}
out:
	if (it != NULL)
		host->item_free(it);
	return st;
}

int oauth_key_load(const struct cobocred_host *host, const char *profile, const char *spec,
		   const char *client_id, unsigned char seed[OAUTH_SEED_LEN], char *err,
		   size_t errlen)
{
	struct cobocred_secret_ref ref;
	char where[4200], why[COBOCRED_TRUST_ERR_MAX];

	err[0] = '\0';
	cobocred_host_setting_where(host, profile, "app_secret", where, sizeof(where));
	/* The one reading of a secret reference (secretref.h); NULL: the store. */
	if (cobocred_secret_ref_parse(spec != NULL ? spec : "keyring",
				      COBOCRED_REF_ALLOW_KEYRING | COBOCRED_REF_ALLOW_PKCS11,
				      cobocred_host_config_file(host), &ref, why,
				      sizeof(why)) != 0) {
		snprintf(err, errlen, "%sapp_secret of [profile %s]: %s", where, profile, why);
		return COBOCRED_ERROR;
	}
	if (ref.kind == COBOCRED_REF_KEYRING)
		return key_from_store(host, profile, client_id, seed, err, errlen);
	if (ref.kind == COBOCRED_REF_FILE)
		return load_path(NULL, where, ref.path, seed, err, errlen);
	if (ref.kind == COBOCRED_REF_PKCS11) {
		/* appkey.c opens those; a token key has no seed to read out. */
		snprintf(err, errlen, "%sapp_secret of [profile %s] is in a PKCS#11 token", where,
			 profile);
		return COBOCRED_ERROR;
	}
	return oauth_key_load_env(ref.var, seed, err, errlen);
}

/* The canonical form of seed (64 lower-case hex) in host secret memory, and its public key. */
static int canonical(const struct cobocred_host *h, const unsigned char *seed, char **secret,
		     size_t *secret_len, char *pub, size_t publen)
{
	unsigned char raw[OAUTH_PUB_LEN];
	char *hex;

	if (publen < 2 * OAUTH_PUB_LEN + 1 || oauth_ed25519_pub(seed, raw) != 0) {
		h->set_error(h->ctx, "cannot derive the Ed25519 public key (OpenSSL error)");
		return COBOCRED_ERROR;
	}
	hex = h->secret_alloc(2 * OAUTH_SEED_LEN + 1);
	if (hex == NULL) {
		h->set_error(h->ctx, "out of memory");
		return COBOCRED_ERROR;
	}
	cobocred_hex_encode(seed, OAUTH_SEED_LEN, hex);
	cobocred_hex_encode(raw, OAUTH_PUB_LEN, pub);
	*secret = hex;
	*secret_len = 2 * OAUTH_SEED_LEN;
	return COBOCRED_SUCCESS;
}

int oauth_key_generate(const struct cobocred_host *h, char **secret, size_t *secret_len, char *pub,
		       size_t publen)
{
	unsigned char seed[OAUTH_SEED_LEN];
	int st;

	*secret = NULL;
	*secret_len = 0;
	/* An Ed25519 private key is 32 uniformly random bytes (RFC 8032 5.1.5). */
	if (RAND_priv_bytes(seed, OAUTH_SEED_LEN) != 1) {
		ERR_clear_error();
		h->set_error(h->ctx, "the system random generator failed; try again");
		st = COBOCRED_TRYAGAIN;
	} else {
		st = canonical(h, seed, secret, secret_len, pub, publen);
	}
	OPENSSL_cleanse(seed, sizeof(seed));
	return st;
}

int oauth_key_import(const struct cobocred_host *h, const char *text, size_t len, char **secret,
		     size_t *secret_len, char *pub, size_t publen)
{
	unsigned char seed[OAUTH_SEED_LEN];
	char why[256];
	int st;

	*secret = NULL;
	*secret_len = 0;
	if (oauth_key_parse(text, len, seed, why, sizeof(why)) != 0) {
		h->set_error(h->ctx, "%s", why);
		st = COBOCRED_ERROR;
	} else {
		st = canonical(h, seed, secret, secret_len, pub, publen);
	}
	OPENSSL_cleanse(seed, sizeof(seed));
	return st;
}

int oauth_key_public(const struct cobocred_host *h, const char *profile, char *pub, size_t publen)
{
	const char *client = h->profile_get(h->ctx, profile, "client_id");
	struct oauth_appkey key = { 0 };
	char err[1200];
	int st;

	if (publen < 2 * OAUTH_PUB_LEN + 1 || client == NULL) {
		h->set_error(h->ctx, "[profile %s] has no client_id; add it", profile);
		return COBOCRED_ERROR;
	}
	/* A token key's public half comes from the token (CKA_EC_POINT), after its login. */
	st = oauth_appkey_load(h, profile, h->profile_get(h->ctx, profile, "app_secret"), client,
			       &key, err, sizeof(err));
	if (st == COBOCRED_SUCCESS)
		cobocred_hex_encode(key.pub, OAUTH_PUB_LEN, pub);
	else if (err[0] != '\0')
		h->set_error(h->ctx, "%s", err);
	oauth_appkey_clear(h, &key);
	return st;
}

int oauth_key_generate_token(const struct cobocred_host *h, const char *uri, char *pub,
			     size_t publen)
{
	unsigned char raw[OAUTH_PUB_LEN];
	char err[1200];
	int st;

	if (publen < 2 * OAUTH_PUB_LEN + 1) {
		h->set_error(h->ctx, "no room for the public key; report this bug");
		return COBOCRED_ERROR;
	}
	if (strncmp(uri, "pkcs11:", 7) != 0) {
		h->set_error(h->ctx, "not a PKCS#11 URI; write pkcs11:token=LABEL;object=NAME");
		return COBOCRED_ERROR;
	}
	/* From the command line: no config file, so pin-value= is refused. */
	st = oauth_p11_generate(h, uri, NULL, raw, err, sizeof(err));
	if (st == COBOCRED_SUCCESS)
		cobocred_hex_encode(raw, OAUTH_PUB_LEN, pub);
	else if (err[0] != '\0')
		h->set_error(h->ctx, "%s", err);
	return st;
}
