/*
 * p11key.c - the app key inside a token (p11.h): finding it, its public
 * key, signing with it, and the process's cache of logged-in keys.
 *
 * Threads: the proxy and the oauth threads sign from many threads at once.
 * Each key has one session, and PKCS#11 allows one operation at a time on
 * a session, so C_SignInit + C_Sign run under the key's mutex.  A session
 * per thread would need a login per thread on tokens that count sessions;
 * an Ed25519 signature takes well under a millisecond in the token, so
 * serialising costs less than it saves.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p11.h"
#include "p11tok.h"

struct oauth_p11key {
	char *uri;	       /* the app_secret value this entry answers; owned */
	struct p11_tok tok;    /* module, session (logged in); owned */
	CK_OBJECT_HANDLE key;  /* the private key */
	unsigned char pub[32]; /* Ed25519 public key */
	int refused;	       /* 1: opening failed for good; err holds why */
	int status;	       /* the status of that failure */
	char err[1024];
	pthread_mutex_t lock; /* one operation at a time on tok.session */
	struct oauth_p11key *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct oauth_p11key *cache; /* guarded by cache_lock; owned */
static int users;		   /* oauth_p11_init calls not yet cleaned up */

void oauth_p11_init(void)
{
	pthread_mutex_lock(&cache_lock);
	users++;
	pthread_mutex_unlock(&cache_lock);
}

void oauth_p11_cleanup(void)
{
	struct oauth_p11key *k, *next = NULL;

	pthread_mutex_lock(&cache_lock);
	if (--users == 0) {
		for (k = cache; k != NULL; k = next) {
			next = k->next;
			p11_tok_close(&k->tok);
			pthread_mutex_destroy(&k->lock);
			free(k->uri);
			free(k);
		}
		cache = NULL;
	}
	pthread_mutex_unlock(&cache_lock);
}

/* A template of u's object attributes (label, id) plus class; the URI's own class is checked. */
static CK_ULONG key_template(const struct oauth_p11_uri *u, CK_OBJECT_CLASS *cls,
			     CK_ATTRIBUTE tmpl[4])
{
	static const CK_ATTRIBUTE_TYPE want[] = { CKA_LABEL, CKA_ID };
	CK_ATTRIBUTE_PTR a;
	CK_ULONG n = 0, i;

	for (i = 0; i < 2; i++)
		if ((a = p11_kit_uri_get_attribute(u->uri, want[i])) != NULL)
			tmpl[n++] = *a;
	tmpl[n].type = CKA_CLASS;
	tmpl[n].pValue = cls;
	tmpl[n++].ulValueLen = sizeof(*cls);
	return n;
}

/* Up to max objects matching tmpl into out; the count, or -1 when the token refuses. */
static long find(struct p11_tok *t, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out,
		 CK_ULONG max)
{
	CK_ULONG got = 0;
	CK_RV rv;

	if (t->mod->C_FindObjectsInit(t->session, tmpl, n) != CKR_OK)
		return -1;
	rv = t->mod->C_FindObjects(t->session, out, max, &got);
	t->mod->C_FindObjectsFinal(t->session);
	return rv == CKR_OK ? (long)got : -1;
}

/* The URI's type=, if any, must be private: the app key signs. */
static int type_ok(const struct oauth_p11_uri *u, char *err, size_t errlen)
{
	CK_ATTRIBUTE_PTR a = p11_kit_uri_get_attribute(u->uri, CKA_CLASS);

	if (a == NULL || (a->ulValueLen == sizeof(CK_OBJECT_CLASS) &&
			  *(CK_OBJECT_CLASS *)a->pValue == CKO_PRIVATE_KEY))
		return 0;
	snprintf(err, errlen, "%s names type= other than private; the app key is a private key",
		 u->shown);
	return -1;
}

static int find_key(struct p11_tok *t, const struct oauth_p11_uri *u, CK_OBJECT_HANDLE *key,
		    char *err, size_t errlen)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_OBJECT_HANDLE h[2];
	CK_ATTRIBUTE tmpl[4];
	long n = find(t, tmpl, key_template(u, &cls, tmpl), h, 2);

	if (n == 1) {
		*key = h[0];
		return COBOCRED_SUCCESS;
	}
	if (n < 0)
		snprintf(err, errlen, "token '%s' refused the search for %s; check the token",
			 t->label, u->shown);
	else if (n == 0)
		snprintf(err, errlen,
			 "token '%s' holds no private key matching %s; make one with "
			 "'cobo-credential key generate --pkcs11 URI' or fix object=/id=",
			 t->label, u->shown);
	else
		snprintf(err, errlen,
			 "token '%s' holds several private keys matching %s (ambiguous); add "
			 "object= or id= to name one",
			 t->label, u->shown);
	return n == 0 ? COBOCRED_UNAVAIL : n < 0 ? COBOCRED_UNAVAIL : COBOCRED_ERROR;
}

/* An Ed25519 key (CKK_EC_EDWARDS) allowed to sign, on a token that signs with CKM_EDDSA. */
static int key_usable(struct p11_tok *t, const struct oauth_p11_uri *u, CK_OBJECT_HANDLE key,
		      char *err, size_t errlen)
{
	CK_KEY_TYPE type = (CK_KEY_TYPE)-1;
	CK_BBOOL can_sign = CK_FALSE;
	CK_ATTRIBUTE a[] = { { CKA_KEY_TYPE, &type, sizeof(type) },
			     { CKA_SIGN, &can_sign, sizeof(can_sign) } };
	CK_MECHANISM_INFO mi;

	if (t->mod->C_GetAttributeValue(t->session, key, a, 2) != CKR_OK ||
	    type != CKK_EC_EDWARDS) {
		snprintf(err, errlen,
			 "token '%s': %s names a key that is not Ed25519 (CKK_EC_EDWARDS; its "
			 "key type is 0x%lx); Cobo app keys are Ed25519",
			 t->label, u->shown, (unsigned long)type);
		return COBOCRED_ERROR;
	}
	if (!can_sign || t->mod->C_GetMechanismInfo(t->slot, CKM_EDDSA, &mi) != CKR_OK ||
	    !(mi.flags & CKF_SIGN)) {
		snprintf(err, errlen, "token '%s': %s names a key that cannot sign with CKM_EDDSA",
			 t->label, u->shown);
		return COBOCRED_ERROR;
	}
	return COBOCRED_SUCCESS;
}

/* CKA_EC_POINT of obj as 32 bytes.  0 or -1. */
static int ec_point(struct p11_tok *t, CK_OBJECT_HANDLE obj, unsigned char pub[32])
{
	unsigned char v[64];
	CK_ATTRIBUTE a = { CKA_EC_POINT, v, sizeof(v) };

	if (t->mod->C_GetAttributeValue(t->session, obj, &a, 1) != CKR_OK)
		return -1;
	return oauth_p11_ec_point(v, a.ulValueLen, pub);
}

/* The public key: on the private key itself, else on the public key object of its CKA_ID. */
static int read_pub(struct p11_tok *t, const struct oauth_p11_uri *u, CK_OBJECT_HANDLE key,
		    unsigned char pub[32], char *err, size_t errlen)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	unsigned char id[256];
	CK_ATTRIBUTE a = { CKA_ID, id, sizeof(id) };
	CK_ATTRIBUTE tmpl[2] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE h;

	if (ec_point(t, key, pub) == 0)
		return COBOCRED_SUCCESS;
	if (t->mod->C_GetAttributeValue(t->session, key, &a, 1) == CKR_OK && a.ulValueLen > 0) {
		tmpl[1] = a;
		if (find(t, tmpl, 2, &h, 1) == 1 && ec_point(t, h, pub) == 0)
			return COBOCRED_SUCCESS;
	}
	snprintf(err, errlen,
		 "token '%s': no Ed25519 public key (CKA_EC_POINT) beside the key of %s; "
		 "keep the public key object with the same id on the token",
		 t->label, u->shown);
	return COBOCRED_ERROR;
}

static int open_key(const struct cobocred_host *h, struct oauth_p11key *k, const char *config_file,
		    char *err, size_t errlen)
{
	struct oauth_p11_uri u;
	int st = COBOCRED_ERROR;

	if (oauth_p11_uri_parse(k->uri, config_file, &u, err, errlen) != 0 ||
	    type_ok(&u, err, errlen) != 0)
		goto out;
	st = p11_tok_open(h, &u, 0, &k->tok, err, errlen);
	if (st == COBOCRED_SUCCESS)
		st = find_key(&k->tok, &u, &k->key, err, errlen);
	if (st == COBOCRED_SUCCESS)
		st = key_usable(&k->tok, &u, k->key, err, errlen);
	if (st == COBOCRED_SUCCESS)
		st = read_pub(&k->tok, &u, k->key, k->pub, err, errlen);
	if (st != COBOCRED_SUCCESS)
		p11_tok_close(&k->tok);
out:
	oauth_p11_uri_clear(&u);
	return st;
}

static struct oauth_p11key *cached(const char *uri)
{
	struct oauth_p11key *k;

	for (k = cache; k != NULL; k = k->next)
		if (strcmp(k->uri, uri) == 0)
			return k;
	return NULL;
}

int oauth_p11_key_open(const struct cobocred_host *h, const char *uri, const char *config_file,
		       struct oauth_p11key **out, char *err, size_t errlen)
{
	struct oauth_p11key *k;
	int st;

	*out = NULL;
	err[0] = '\0';
	/* Held across the login: one login per process and URI, however many threads ask. */
	pthread_mutex_lock(&cache_lock);
	if ((k = cached(uri)) != NULL) {
		st = k->refused ? k->status : COBOCRED_SUCCESS;
		if (k->refused)
			snprintf(err, errlen, "%s", k->err);
		else
			*out = k;
		goto out;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL || (k->uri = strdup(uri)) == NULL) {
		free(k);
		snprintf(err, errlen, "out of memory");
		st = COBOCRED_ERROR;
		goto out;
	}
	st = open_key(h, k, config_file, err, errlen);
	/*
	 * A refusal (wrong PIN, a locked PIN, an ambiguous or wrong key) is
	 * kept: the PIN is never offered again by this process.  A token not
	 * there yet (UNAVAIL) may be inserted later, so that is not kept.
	 */
	if (st == COBOCRED_SUCCESS || (st == COBOCRED_ERROR && err[0] != '\0')) {
		k->refused = st != COBOCRED_SUCCESS;
		k->status = st;
		snprintf(k->err, sizeof(k->err), "%s", err);
		pthread_mutex_init(&k->lock, NULL);
		k->next = cache;
		cache = k;
		if (st == COBOCRED_SUCCESS)
			*out = k;
	} else {
		free(k->uri);
		free(k);
	}
out:
	pthread_mutex_unlock(&cache_lock);
	return st;
}

void oauth_p11_key_pub(const struct oauth_p11key *k, unsigned char pub[OAUTH_PUB_LEN])
{
	memcpy(pub, k->pub, OAUTH_PUB_LEN);
}

int oauth_p11_sign(struct oauth_p11key *k, const unsigned char *msg, size_t len,
		   unsigned char sig[OAUTH_SIG_LEN], char *err, size_t errlen)
{
	CK_MECHANISM mech = { CKM_EDDSA, NULL, 0 };
	CK_ULONG n = OAUTH_SIG_LEN;
	char b[32];
	CK_RV rv;

	pthread_mutex_lock(&k->lock);
	rv = k->tok.mod->C_SignInit(k->tok.session, &mech, k->key);
	if (rv == CKR_OK)
		rv = k->tok.mod->C_Sign(k->tok.session, (CK_BYTE_PTR)msg, len, sig, &n);
	pthread_mutex_unlock(&k->lock);
	if (rv == CKR_OK && n == OAUTH_SIG_LEN)
		return COBOCRED_SUCCESS;
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_FAILED;
	snprintf(err, errlen,
		 "token '%s' did not sign (%s); is it still inserted? The next run logs in again",
		 k->tok.label, p11_rv_name(rv, b, sizeof(b)));
	return COBOCRED_UNAVAIL;
}
