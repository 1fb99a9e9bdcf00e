/*
 * secretref.c - the one parser of secret references (secretref.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "secretref.h"

/* The sources a reader takes, for messages: "keyring, file:PATH or env:VAR". */
static const char *sources(unsigned allow)
{
	if (allow & COBOCRED_REF_ALLOW_PKCS11)
		return (allow & COBOCRED_REF_ALLOW_KEYRING)
			       ? "keyring, file:PATH, env:VAR or pkcs11:URI"
			       : "file:PATH, env:VAR or pkcs11:URI";
	return (allow & COBOCRED_REF_ALLOW_KEYRING) ? "keyring, file:PATH or env:VAR"
						    : "file:PATH or env:VAR";
}

/* CR, LF and the other controls; a tab is a blank (and refused as one around a value). */
static int has_ctl(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A known prefix spelt in another case ("FILE:", "Env:"): its lower-case form, else NULL. */
static const char *miscased(const char *v)
{
	static const char *const words[] = { "keyring", "file:", "env:", "pkcs11:" };
	size_t i, n;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if (strncasecmp(v, words[i], n) == 0 && strncmp(v, words[i], n) != 0 &&
		    (words[i][n - 1] == ':' || v[n] == '\0'))
			return words[i];
	}
	return NULL;
}

static int var_ok(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && n < COBOCRED_REF_VAR_MAX && strchr("0123456789", v[0]) == NULL &&
	       strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static int parse_env(const char *var, struct cobocred_secret_ref *ref, char *err, size_t errlen)
{
	if (*var == '\0') {
		snprintf(err, errlen, "env: names no variable; write env:VAR");
		return -1;
	}
	if (!var_ok(var)) {
		/* Not echoed: it may be the secret itself. */
		snprintf(err, errlen,
			 "the name after env: is not a variable name (letters, digits and _, "
			 "not starting with a digit, at most %d); write env:VAR",
			 COBOCRED_REF_VAR_MAX - 1);
		return -1;
	}
	snprintf(ref->var, sizeof(ref->var), "%s", var);
	ref->kind = COBOCRED_REF_ENV;
	return 0;
}

static int parse_file(const char *path, const char *config_file, struct cobocred_secret_ref *ref,
		      char *err, size_t errlen)
{
	if (*path == '\0') {
		snprintf(err, errlen, "file: names no file; write file:PATH");
		return -1;
	}
	if (is_blank(path[0]) || is_blank(path[strlen(path) - 1])) {
		snprintf(err, errlen,
			 "a blank around the path after file:; write file:PATH with "
			 "none");
		return -1;
	}
	if (cobocred_path_resolve(config_file, path, ref->path, sizeof(ref->path), err, errlen) !=
	    0)
		return -1;
	ref->kind = COBOCRED_REF_FILE;
	return 0;
}

int cobocred_secret_ref_parse(const char *value, unsigned allow, const char *config_file,
			      struct cobocred_secret_ref *ref, char *err, size_t errlen)
{
	const char *lower;

	memset(ref, 0, sizeof(*ref));
	if (*value == '\0') {
		snprintf(err, errlen, "empty; write %s", sources(allow));
		return -1;
	}
	if (has_ctl(value)) {
		snprintf(err, errlen, "a control character; write %s on one line", sources(allow));
		return -1;
	}
	if (is_blank(value[0]) || is_blank(value[strlen(value) - 1])) {
		snprintf(err, errlen, "a blank around the value; write %s with none",
			 sources(allow));
		return -1;
	}
	if (strcmp(value, "keyring") == 0 && (allow & COBOCRED_REF_ALLOW_KEYRING)) {
		ref->kind = COBOCRED_REF_KEYRING;
		return 0;
	}
	if (strcmp(value, "keyring") == 0) {
		snprintf(err, errlen, "keyring is no source here; write file:PATH or env:VAR");
		return -1;
	}
	if (strncmp(value, "file:", 5) == 0)
		return parse_file(value + 5, config_file, ref, err, errlen);
	if (strncmp(value, "env:", 4) == 0)
		return parse_env(value + 4, ref, err, errlen);
	if (strncmp(value, "pkcs11:", 7) == 0 && (allow & COBOCRED_REF_ALLOW_PKCS11)) {
		/* The URI itself is p11-kit's to parse, where the token is reached. */
		ref->uri = value;
		ref->kind = COBOCRED_REF_PKCS11;
		return 0;
	}
	if (strncmp(value, "pkcs11:", 7) == 0) {
		snprintf(err, errlen, "a PKCS#11 token is no source here; write %s",
			 sources(allow));
		return -1;
	}
	if ((lower = miscased(value)) != NULL) {
		snprintf(err, errlen, "write '%s' in lower case (%s)", lower, sources(allow));
		return -1;
	}
	/* Not echoed: a secret pasted here must not reach a message. */
	snprintf(err, errlen, "not %s; a secret is never written in the config itself",
		 sources(allow));
	return -1;
}
