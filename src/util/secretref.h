/*
 * secretref.h - where a secret lives, as a setting names it: the one
 * parser every reader uses (cobo-oauth's app_secret, etcd's fleet_key,
 * fleet_key_previous and password, `cobo-credential doctor`), so they
 * agree on every spelling.
 *
 *   keyring     the credential store (only where the reader offers it)
 *   file:PATH   a file; PATH as cobocred_path_resolve reads it: /x as is,
 *               ~/x under your home, ~user/x refused, anything else
 *               relative to the config file's directory (refused with no
 *               config file)
 *   env:VAR     an environment variable, [A-Za-z_][A-Za-z0-9_]*
 *   pkcs11:URI  a key inside a PKCS#11 token (RFC 7512), only where the
 *               reader offers it (cobo-oauth's app_secret).  Only the
 *               prefix is checked here: src/util links libc alone, and the
 *               URI is parsed by p11-kit where the token is reached
 *               (plugins/cobo-oauth/p11uri.c), never by a parser of ours.
 *
 * Strict: prefixes in lower case, no blank or control character anywhere
 * around them, nothing else.  A value that is none of these is never
 * echoed in a message: it may be a secret pasted where its place belongs.
 */
#ifndef COBOCRED_SECRETREF_H
#define COBOCRED_SECRETREF_H

#include <stddef.h>

enum cobocred_secret_ref_kind {
	COBOCRED_REF_KEYRING = 1,
	COBOCRED_REF_FILE,
	COBOCRED_REF_ENV,
	COBOCRED_REF_PKCS11,
};

/* What a reader can read besides file: and env:. */
#define COBOCRED_REF_ALLOW_KEYRING 0x1u
#define COBOCRED_REF_ALLOW_PKCS11 0x2u

#define COBOCRED_REF_VAR_MAX 128

struct cobocred_secret_ref {
	int kind;			/* COBOCRED_REF_* */
	char path[4096];		/* FILE: resolved; its directories not yet checked */
	char var[COBOCRED_REF_VAR_MAX]; /* ENV: the variable's name */
	const char *uri;		/* PKCS11: the whole value ("pkcs11:..."), the caller's */
};

/*
 * Parses value into ref.  config_file: the configuration file the value
 * comes from (NULL: none, so a relative path is refused).  0, or -1 with one
 * line in err saying what is wrong and how to write it (the caller puts the
 * setting's name or FILE:LINE before it).
 */
int cobocred_secret_ref_parse(const char *value, unsigned allow, const char *config_file,
			      struct cobocred_secret_ref *ref, char *err, size_t errlen);

#endif
