/*
 * p11pin.c - where a token's user PIN comes from (p11tok.h p11_pin_get):
 * the URI's pin-value= (from a private config file only), the file its
 * pin-source= names (private to its owner, as key files are), or the
 * credential store.  The PIN only ever sits in host secret memory.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "hostmem.h"
#include "p11tok.h"
#include "storeitem.h"

#define PIN_MAX 256

/* The first line of a PIN file, without its line end, in host secret memory. */
static int pin_file(const struct oauth_p11_uri *u, const char *label, char **pin, size_t *len,
		    char *err, size_t errlen)
{
	char why[COBOCRED_TRUST_ERR_MAX], *buf = NULL;
	size_t n = 0;
	int st;

	if (cobocred_check_path_trust(u->pin_path, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "PIN file of token '%s': %s", label, why);
		return COBOCRED_ERROR;
	}
	st = cobocred_read_private_file(u->pin_path, PIN_MAX,
					COBOCRED_FILE_PRIVATE | COBOCRED_FILE_SECRET, &buf, &n, why,
					sizeof(why));
	if (st != COBOCRED_SUCCESS) {
		snprintf(err, errlen, "PIN of token '%s': %s", label, why);
		return COBOCRED_ERROR;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	*pin = buf;
	*len = n;
	return COBOCRED_SUCCESS;
}

/* The PIN stored under the token's label, up to its first NUL. */
static int pin_store(const struct cobocred_host *h, const char *label, char **pin, size_t *len,
		     char *err, size_t errlen)
{
	struct cobocred_item *it = NULL; /* ours: freed below */
	int st = oauth_store_item_get(h, NULL, "pkcs11_token", label, &it);

	if (st == COBOCRED_NOTFOUND) {
		snprintf(err, errlen,
			 "no PIN for token '%s' in the credential store; store it there "
			 "(pkcs11_token = %s) or add pin-source=file:PATH to the URI",
			 label, label);
		st = COBOCRED_ERROR;
	} else if (st == COBOCRED_SUCCESS) {
		*len = strnlen((const char *)it->secret, it->secret_len);
		*pin = cobocred_hostmem_dup(it->secret, *len);
		if (*pin == NULL) {
			snprintf(err, errlen, "out of memory");
			st = COBOCRED_ERROR;
		}
	}
	if (it != NULL)
		h->item_free(it);
	return st;
}

int p11_pin_get(const struct cobocred_host *h, const struct oauth_p11_uri *u, const char *label,
		char **pin, size_t *len, char *err, size_t errlen)
{
	*pin = NULL;
	*len = 0;
	if (u->pin_kind == OAUTH_PIN_VALUE) {
		*len = strlen(u->pin_value);
		*pin = cobocred_hostmem_dup(u->pin_value, *len);
		if (*pin == NULL) {
			snprintf(err, errlen, "out of memory");
			return COBOCRED_ERROR;
		}
		return COBOCRED_SUCCESS;
	}
	if (u->pin_kind == OAUTH_PIN_FILE)
		return pin_file(u, label, pin, len, err, errlen);
	return pin_store(h, label, pin, len, err, errlen);
}
