/*
 * p11uri.h - an app_secret of the form pkcs11:URI (RFC 7512), read with
 * p11-kit's parser (never one of ours) and held to our rules: which module
 * (module-path= or p11-kit's registered modules), where the PIN comes
 * from (pin-source=file:PATH, pin-value= only from a private config file,
 * or else the credential store), and a form of the URI fit for messages
 * (no PIN in it).
 */
#ifndef COBO_OAUTH_P11URI_H
#define COBO_OAUTH_P11URI_H

#include <stddef.h>

#include <p11-kit/uri.h>

enum oauth_pin_kind {
	OAUTH_PIN_STORE = 1, /* the credential store (keyring), keyed by token label */
	OAUTH_PIN_FILE,	     /* pin-source=file:PATH, a private file */
	OAUTH_PIN_VALUE,     /* pin-value=, in a private config file */
};

#define OAUTH_P11_SHOWN_MAX 1024

struct oauth_p11_uri {
	P11KitUri *uri;			 /* owned; its pin-value is cleared after parsing */
	const char *module_path;	 /* inside uri; NULL: the modules registered with p11-kit */
	int pin_kind;			 /* OAUTH_PIN_* */
	char pin_path[4096];		 /* FILE: resolved against the config file */
	char *pin_value;		 /* VALUE: host secret memory (hostmem.h); owned */
	char shown[OAUTH_P11_SHOWN_MAX]; /* the URI without any PIN, for messages */
};

/*
 * Parses text ("pkcs11:...").  config_file: the file the value comes from
 * (NULL: the command line, where pin-value= is refused: a PIN never goes on
 * argv); pin-value= is refused too unless that file is private to its owner.
 * 0, or -1 with one line in err (never holding a PIN).  Release u with
 * oauth_p11_uri_clear either way.
 */
int oauth_p11_uri_parse(const char *text, const char *config_file, struct oauth_p11_uri *u,
			char *err, size_t errlen);
/* Frees and wipes what parse made.  Safe on a zeroed or cleared u. */
void oauth_p11_uri_clear(struct oauth_p11_uri *u);

/*
 * The 32-byte Ed25519 public key in a CKA_EC_POINT value: the raw 32 bytes
 * or a DER OCTET STRING around them (SoftHSM2 and OpenSC write the latter).
 * 0, or -1 for anything else.
 */
int oauth_p11_ec_point(const unsigned char *v, size_t n, unsigned char pub[32]);

#endif
