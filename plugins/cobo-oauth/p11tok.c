/*
 * p11tok.c - the one token a pkcs11: URI names, and one login to it
 * (p11tok.h).  Modules come from p11-kit: module-path= loads that module
 * alone, otherwise every module registered with p11-kit (its config
 * directories; a root process reads only the system's).  The token must
 * be the only one that matches: a URI that could mean two tokens is
 * refused rather than guessed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/p11-kit.h>

#include "hostmem.h"
#include "p11tok.h"

const char *p11_rv_name(CK_RV rv, char *buf, size_t len)
{
	static const struct {
		CK_RV rv;
		const char *name;
	} names[] = {
		{ CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT" },
		{ CKR_PIN_LOCKED, "CKR_PIN_LOCKED" },
		{ CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED" },
		{ CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE" },
		{ CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT" },
		{ CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED" },
		{ CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR" },
		{ CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID" },
		{ CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED" },
		{ CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN" },
		{ CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT" },
		{ CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID" },
		{ CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID" },
		{ CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT" },
		{ CKR_CURVE_NOT_SUPPORTED, "CKR_CURVE_NOT_SUPPORTED" },
		{ CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED" },
		{ CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR" },
		{ CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].rv == rv)
			return names[i].name;
	snprintf(buf, len, "CKR_0x%lx", (unsigned long)rv);
	return buf;
}

void p11_tok_close(struct p11_tok *t)
{
	if (t->has_session)
		t->mod->C_CloseSession(t->session);
	if (t->single != NULL) {
		p11_kit_module_finalize(t->single);
		p11_kit_module_release(t->single);
	}
	if (t->mods != NULL)
		p11_kit_modules_finalize_and_release(t->mods);
	memset(t, 0, sizeof(*t));
}

static int load_modules(const struct oauth_p11_uri *u, struct p11_tok *t, char *err, size_t errlen)
{
	const char *msg;

	if (u->module_path == NULL) {
		t->mods = p11_kit_modules_load_and_initialize(0);
		if (t->mods != NULL && t->mods[0] != NULL)
			return COBOCRED_SUCCESS;
		snprintf(err, errlen,
			 "%s: no PKCS#11 module is registered with p11-kit; install the token's "
			 "module (p11-kit list-modules shows them) or add module-path= to the URI",
			 u->shown);
		return COBOCRED_UNAVAIL;
	}
	t->single = p11_kit_module_load(u->module_path, 0);
	if (t->single != NULL && p11_kit_module_initialize(t->single) == CKR_OK)
		return COBOCRED_SUCCESS;
	msg = p11_kit_message();
	snprintf(err, errlen,
		 "%s: the PKCS#11 module %s cannot be %s (%s); install it or fix module-path=",
		 u->shown, u->module_path, t->single == NULL ? "loaded" : "initialised",
		 msg != NULL ? msg : "no reason given");
	if (t->single != NULL)
		p11_kit_module_release(t->single);
	t->single = NULL;
	return COBOCRED_UNAVAIL;
}

static void trim_label(const CK_UTF8CHAR *in, char out[33])
{
	size_t n = 32;

	memcpy(out, in, 32);
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Slots of mod with a token that u matches: counts them in *found, keeps the first. */
static void match_slots(const struct oauth_p11_uri *u, CK_FUNCTION_LIST *mod, struct p11_tok *t,
			int *found)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	CK_INFO mi;

	if (mod->C_GetInfo(&mi) != CKR_OK || !p11_kit_uri_match_module_info(u->uri, &mi))
		return;
	if (mod->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return;
	for (i = 0; i < n && i < 64; i++) {
		if (mod->C_GetSlotInfo(slots[i], &si) != CKR_OK ||
		    !p11_kit_uri_match_slot_info(u->uri, &si) ||
		    mod->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
		    !p11_kit_uri_match_token_info(u->uri, &ti))
			continue;
		if ((*found)++ == 0) {
			t->mod = mod;
			t->slot = slots[i];
			trim_label(ti.label, t->label);
		}
	}
}

static int find_token(const struct oauth_p11_uri *u, struct p11_tok *t, char *err, size_t errlen)
{
	int found = 0, i;

	if (t->single != NULL)
		match_slots(u, t->single, t, &found);
	for (i = 0; t->mods != NULL && t->mods[i] != NULL; i++)
		match_slots(u, t->mods[i], t, &found);
	if (found == 1)
		return COBOCRED_SUCCESS;
	if (found == 0)
		snprintf(err, errlen,
			 "%s: no token matches it; insert the token, or check token= (pkcs11-tool "
			 "--list-token-slots shows the labels)",
			 u->shown);
	else
		snprintf(err, errlen,
			 "%s: %d tokens match it (ambiguous); add token= or serial= to the URI",
			 u->shown, found);
	return found == 0 ? COBOCRED_UNAVAIL : COBOCRED_ERROR;
}

/* A refused login: one line, and never retried (the caller remembers it). */
static int login_failed(const struct oauth_p11_uri *u, const struct p11_tok *t, CK_RV rv, char *err,
			size_t errlen)
{
	char b[32];

	if (rv == CKR_PIN_INCORRECT)
		snprintf(
			err, errlen,
			"token '%s' refused the PIN (CKR_PIN_INCORRECT) for %s; fix the PIN source "
			"(not retried: the token locks after a few wrong PINs)",
			t->label, u->shown);
	else if (rv == CKR_PIN_LOCKED)
		snprintf(err, errlen,
			 "token '%s' has locked its user PIN (CKR_PIN_LOCKED) for %s; unlock it "
			 "with the SO PIN (pkcs11-tool --init-pin --login --login-type so)",
			 t->label, u->shown);
	else
		snprintf(err, errlen, "token '%s': login failed (%s) for %s; check the token",
			 t->label, p11_rv_name(rv, b, sizeof(b)), u->shown);
	return rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED ? COBOCRED_ERROR : COBOCRED_UNAVAIL;
}

static int login(const struct cobocred_host *h, const struct oauth_p11_uri *u, struct p11_tok *t,
		 CK_FLAGS flags, char *err, size_t errlen)
{
	char *pin = NULL;
	size_t len = 0;
	CK_RV rv;
	int st;

	if (!(flags & CKF_LOGIN_REQUIRED))
		return COBOCRED_SUCCESS;
	if (flags & CKF_USER_PIN_LOCKED)
		return login_failed(u, t, CKR_PIN_LOCKED, err, errlen);
	if (flags & CKF_USER_PIN_FINAL_TRY) {
		/* Never spend the last try unattended: a person must look at it. */
		snprintf(err, errlen,
			 "token '%s' has one PIN try left for %s; log in once by hand "
			 "(pkcs11-tool --login --test) to reset the counter",
			 t->label, u->shown);
		return COBOCRED_ERROR;
	}
	if (flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
		rv = t->mod->C_Login(t->session, CKU_USER, NULL, 0);
	} else {
		st = p11_pin_get(h, u, t->label, &pin, &len, err, errlen);
		if (st != COBOCRED_SUCCESS)
			return st;
		rv = t->mod->C_Login(t->session, CKU_USER, (CK_UTF8CHAR_PTR)pin, len);
		cobocred_hostmem_free(pin); /* wiped */
	}
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		return COBOCRED_SUCCESS;
	return login_failed(u, t, rv, err, errlen);
}

int p11_tok_open(const struct cobocred_host *h, const struct oauth_p11_uri *u, int rw,
		 struct p11_tok *t, char *err, size_t errlen)
{
	CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
	CK_TOKEN_INFO ti;
	char b[32];
	CK_RV rv;
	int st;

	memset(t, 0, sizeof(*t));
	st = load_modules(u, t, err, errlen);
	if (st == COBOCRED_SUCCESS)
		st = find_token(u, t, err, errlen);
	if (st != COBOCRED_SUCCESS)
		goto out;
	rv = t->mod->C_OpenSession(t->slot, flags, NULL, NULL, &t->session);
	if (rv == CKR_OK)
		t->has_session = 1;
	if (rv == CKR_OK)
		rv = t->mod->C_GetTokenInfo(t->slot, &ti);
	if (rv != CKR_OK) {
		snprintf(err, errlen,
			 "token '%s': cannot open a session (%s) for %s; is it inserted?", t->label,
			 p11_rv_name(rv, b, sizeof(b)), u->shown);
		st = COBOCRED_UNAVAIL;
		goto out;
	}
	st = login(h, u, t, ti.flags, err, errlen);
out:
	if (st != COBOCRED_SUCCESS)
		p11_tok_close(t);
	return st;
}
