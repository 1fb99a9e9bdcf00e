/*
 * p11uri.c - reading an app_secret pkcs11: URI (p11uri.h).  p11-kit parses
 * it; this file only applies our rules on top of what p11-kit read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "hostmem.h"
#include "p11uri.h"
#include "wipe.h"

void oauth_p11_uri_clear(struct oauth_p11_uri *u)
{
	if (u->uri != NULL)
		p11_kit_uri_free(u->uri);
	cobocred_hostmem_free(u->pin_value); /* host secret memory: wiped */
	memset(u, 0, sizeof(*u));
}

/* The URI as p11-kit writes it back, once the PIN is out of it. */
static void shown(struct oauth_p11_uri *u, const char *text)
{
	char *s = NULL;

	if (p11_kit_uri_format(u->uri, P11_KIT_URI_FOR_ANY, &s) == P11_KIT_URI_OK && s != NULL)
		snprintf(u->shown, sizeof(u->shown), "%s", s);
	else
		snprintf(u->shown, sizeof(u->shown), "%.*s", (int)strcspn(text, "?"), text);
	free(s);
}

static int config_private(const char *config_file)
{
	struct stat st;

	return config_file != NULL && stat(config_file, &st) == 0 && (st.st_mode & 077) == 0;
}

/*
 * Wipes p11-kit's copy of pin-value= before it is freed: p11-kit frees it
 * without wiping, and the copy is its own heap string of that length.
 */
static void forget_pin(struct oauth_p11_uri *u)
{
	char *pv = (char *)p11_kit_uri_get_pin_value(u->uri);

	if (pv != NULL)
		cobocred_wipe(pv, strlen(pv));
	p11_kit_uri_set_pin_value(u->uri, NULL);
}

/* pin-value=: taken into host secret memory and cleared from the parsed URI. */
static int pin_value(struct oauth_p11_uri *u, const char *v, const char *config_file, char *err,
		     size_t errlen)
{
	if (config_file == NULL) {
		snprintf(err, errlen,
			 "pin-value= on the command line would put the PIN in every process "
			 "list; use pin-source=file:PATH or keep the PIN in the keyring");
		return -1;
	}
	if (!config_private(config_file)) {
		snprintf(err, errlen,
			 "pin-value= in %s, which others can read; run chmod 600 %s, or use "
			 "pin-source=file:PATH",
			 config_file, config_file);
		return -1;
	}
	u->pin_value = cobocred_hostmem_dup(v, strlen(v));
	if (u->pin_value == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	u->pin_kind = OAUTH_PIN_VALUE;
	forget_pin(u);
	return 0;
}

/* pin-source=file:PATH only: a program or a prompt is no PIN source for a helper. */
static int pin_source(struct oauth_p11_uri *u, const char *v, const char *config_file, char *err,
		      size_t errlen)
{
	if (strncmp(v, "file:", 5) != 0 || v[5] == '\0') {
		snprintf(err, errlen, "pin-source= must be file:PATH (a file private to you)");
		return -1;
	}
	/* file:///x (RFC 8089) and file:/x both name /x. */
	v += 5;
	if (strncmp(v, "//", 2) == 0)
		v += 2;
	if (cobocred_path_resolve(config_file, v, u->pin_path, sizeof(u->pin_path), err, errlen) !=
	    0)
		return -1;
	u->pin_kind = OAUTH_PIN_FILE;
	return 0;
}

static int parse_failed(int code, const char *text, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s is not a PKCS#11 URI p11-kit reads (%s); see RFC 7512",
		 strncmp(text, "pkcs11:", 7) == 0 ? "the value" : "it", p11_kit_uri_message(code));
	return -1;
}

int oauth_p11_uri_parse(const char *text, const char *config_file, struct oauth_p11_uri *u,
			char *err, size_t errlen)
{
	const char *pv, *ps;
	int code;

	memset(u, 0, sizeof(*u));
	if ((u->uri = p11_kit_uri_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	code = p11_kit_uri_parse(text, P11_KIT_URI_FOR_ANY, u->uri);
	if (code != P11_KIT_URI_OK)
		return parse_failed(code, text, err, errlen);
	pv = p11_kit_uri_get_pin_value(u->uri);
	ps = p11_kit_uri_get_pin_source(u->uri);
	u->pin_kind = OAUTH_PIN_STORE;
	if (pv != NULL && ps != NULL) {
		forget_pin(u);
		shown(u, text);
		snprintf(err, errlen, "%s: pin-value= and pin-source= both; keep one", u->shown);
		return -1;
	}
	if ((pv != NULL && pin_value(u, pv, config_file, err, errlen) != 0) ||
	    (ps != NULL && pin_source(u, ps, config_file, err, errlen) != 0)) {
		forget_pin(u);
		return -1;
	}
	shown(u, text);
	if (p11_kit_uri_any_unrecognized(u->uri)) {
		snprintf(err, errlen, "%s: an attribute p11-kit does not know; see RFC 7512",
			 u->shown);
		return -1;
	}
	u->module_path = p11_kit_uri_get_module_path(u->uri);
	return 0;
}

int oauth_p11_ec_point(const unsigned char *v, size_t n, unsigned char pub[32])
{
	/* DER: OCTET STRING (0x04), short length 32, then the point. */
	if (n == 34 && v[0] == 0x04 && v[1] == 32) {
		memcpy(pub, v + 2, 32);
		return 0;
	}
	if (n == 32) {
		memcpy(pub, v, 32);
		return 0;
	}
	return -1;
}
