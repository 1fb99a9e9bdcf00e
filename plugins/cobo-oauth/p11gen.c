/*
 * p11gen.c - a new app key made inside the token (p11.h
 * oauth_p11_generate): the private half is sensitive and never
 * extractable, so no byte of it is ever outside the token.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "p11.h"
#include "p11tok.h"

/* edwards25519 as CKA_EC_PARAMS: the OID 1.3.101.112, or the printable string. */
static const unsigned char params_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const unsigned char params_name[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
					     'd',  's',	 '2', '5', '5', '1', '9' };

/* 1 when a private key labelled label is already on the token (or the search failed). */
static int label_taken(struct p11_tok *t, const CK_ATTRIBUTE *label)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[2] = { *label, { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;
	CK_RV rv;

	if (t->mod->C_FindObjectsInit(t->session, tmpl, 2) != CKR_OK)
		return 1;
	rv = t->mod->C_FindObjects(t->session, &h, 1, &n);
	t->mod->C_FindObjectsFinal(t->session);
	return rv != CKR_OK || n > 0;
}

static CK_RV keygen(struct p11_tok *t, const CK_ATTRIBUTE *label, const CK_ATTRIBUTE *id,
		    const unsigned char *params, size_t plen, CK_OBJECT_HANDLE *pubh)
{
	CK_MECHANISM mech = { CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE pubt[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_EC_PARAMS, (void *)params, plen },
		*label,
		*id,
	};
	CK_ATTRIBUTE privt[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		*label,
		*id,
	};
	CK_OBJECT_HANDLE privh;

	return t->mod->C_GenerateKeyPair(t->session, &mech, pubt, sizeof(pubt) / sizeof(pubt[0]),
					 privt, sizeof(privt) / sizeof(privt[0]), pubh, &privh);
}

/* Makes the pair; tokens differ in the CKA_EC_PARAMS spelling they take, so both are tried. */
static int make_pair(const struct cobocred_host *h, struct p11_tok *t,
		     const struct oauth_p11_uri *u, const CK_ATTRIBUTE *label,
		     unsigned char pub[OAUTH_PUB_LEN], char *err, size_t errlen)
{
	unsigned char idv[16], v[64];
	CK_ATTRIBUTE id = { CKA_ID, idv, sizeof(idv) };
	CK_ATTRIBUTE ec = { CKA_EC_POINT, v, sizeof(v) };
	CK_ATTRIBUTE_PTR uid = p11_kit_uri_get_attribute(u->uri, CKA_ID);
	CK_OBJECT_HANDLE pubh;
	char b[32];
	CK_RV rv;

	if (uid != NULL)
		id = *uid;
	else if (RAND_bytes(idv, sizeof(idv)) != 1)
		return COBOCRED_TRYAGAIN;
	rv = keygen(t, label, &id, params_oid, sizeof(params_oid), &pubh);
	if (rv != CKR_OK) {
		h->log(h->ctx, COBOCRED_LOG_DEBUG,
		       "cobo-oauth: token '%s' refused edwards25519 by OID (%s); trying its name",
		       t->label, p11_rv_name(rv, b, sizeof(b)));
		rv = keygen(t, label, &id, params_name, sizeof(params_name), &pubh);
	}
	if (rv == CKR_OK && t->mod->C_GetAttributeValue(t->session, pubh, &ec, 1) == CKR_OK &&
	    oauth_p11_ec_point(v, ec.ulValueLen, pub) == 0)
		return COBOCRED_SUCCESS;
	snprintf(err, errlen, "token '%s' cannot make an Ed25519 key for %s (%s)", t->label,
		 u->shown,
		 rv == CKR_OK ? "no public key came back" : p11_rv_name(rv, b, sizeof(b)));
	return COBOCRED_ERROR;
}

int oauth_p11_generate(const struct cobocred_host *h, const char *uri, const char *config_file,
		       unsigned char pub[OAUTH_PUB_LEN], char *err, size_t errlen)
{
	struct oauth_p11_uri u;
	struct p11_tok t = { 0 };
	CK_ATTRIBUTE_PTR label;
	int st = COBOCRED_ERROR;

	err[0] = '\0';
	if (oauth_p11_uri_parse(uri, config_file, &u, err, errlen) != 0)
		goto out;
	label = p11_kit_uri_get_attribute(u.uri, CKA_LABEL);
	if (label == NULL || label->ulValueLen == 0) {
		snprintf(err, errlen, "%s names no object=; add object=LABEL for the new key",
			 u.shown);
		goto out;
	}
	st = p11_tok_open(h, &u, 1, &t, err, errlen);
	if (st != COBOCRED_SUCCESS)
		goto out;
	if (label_taken(&t, label)) {
		snprintf(err, errlen,
			 "token '%s' already holds a private key matching %s; pick another "
			 "object= (a key is never replaced)",
			 t.label, u.shown);
		st = COBOCRED_ERROR;
		goto out;
	}
	st = make_pair(h, &t, &u, label, pub, err, errlen);
out:
	p11_tok_close(&t);
	oauth_p11_uri_clear(&u);
	return st;
}
