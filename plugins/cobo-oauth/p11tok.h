/*
 * p11tok.h - reaching the one token a pkcs11: URI names, through p11-kit,
 * and logging in to it once (p11tok.c); the PIN's source (p11pin.c).
 * Shared by p11key.c only.
 */
#ifndef COBO_OAUTH_P11TOK_H
#define COBO_OAUTH_P11TOK_H

#include <stddef.h>

#include <p11-kit/pkcs11.h>

#include "cobocred/module.h"
#include "p11uri.h"

struct p11_tok {
	CK_FUNCTION_LIST *mod;	  /* the token's module: single, or one of mods */
	CK_FUNCTION_LIST **mods;  /* the registered modules, initialised; owned */
	CK_FUNCTION_LIST *single; /* module-path='s module, initialised; owned */
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE session; /* open when has_session */
	int has_session;
	char label[33]; /* the token's label, blanks trimmed */
};

/*
 * Loads the module(s), finds the one token u matches, opens a session
 * (read-write when rw) and logs in as the user with the PIN from u's
 * source.  COBOCRED_* status; on failure err says what and how to fix it
 * and t is closed.
 */
int p11_tok_open(const struct cobocred_host *h, const struct oauth_p11_uri *u, int rw,
		 struct p11_tok *t, char *err, size_t errlen);
/* Closes the session and finalises and releases the module(s).  Safe on a zeroed t. */
void p11_tok_close(struct p11_tok *t);

/* The name of a CK_RV for messages ("CKR_PIN_INCORRECT"), or "CKR_0x...". */
const char *p11_rv_name(CK_RV rv, char *buf, size_t len);

/*
 * The user PIN for token label per u: pin-value=, the file of pin-source=
 * (private to its owner), or the credential store's item of schema
 * COBOCRED_SCHEMA_APP_SECRET with the attribute pkcs11_token = label.
 * *pin in host secret memory (hostmem.h), NUL-terminated; the caller frees
 * it with cobocred_hostmem_free.  COBOCRED_* status.
 */
int p11_pin_get(const struct cobocred_host *h, const struct oauth_p11_uri *u, const char *label,
		char **pin, size_t *len, char *err, size_t errlen);

#endif
