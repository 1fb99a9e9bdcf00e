/*
 * appsecret.h - where a profile's app secret (the key that signs token
 * requests) lives, as its app_secret setting says:
 *   keyring    an item of schema COBOCRED_SCHEMA_APP_SECRET in the store
 *              stack (client_id=ID, secret = the key's canonical text)
 *   file:PATH  a 0600 file; the CLI writes them under
 *              ${XDG_DATA_HOME:-~/.local/share}/cobo-credential/keys/
 *   env:VAR    an environment variable (read only)
 *
 * The command line never parses key material: the module that owns the
 * Cobo schema (cobo-oauth) generates and parses keys and derives public
 * keys, reached through the core (cobocred_key_*).  Here a secret is an
 * opaque canonical text in secret memory that is stored, compared and
 * wiped, nothing else; no OpenSSL is loaded by this code.
 */
#ifndef COBOCRED_CLI_APPSECRET_H
#define COBOCRED_CLI_APPSECRET_H

#include <stddef.h>

#include "cli.h"

#define CLI_KEY_TEXT_MAX 16384 /* a key file or pasted key larger than this is refused */
#define CLI_PUB_TEXT 160       /* room for a public key as text */

/* An app secret in canonical form: secret memory, owned; free with cli_key_free. */
struct cli_key {
	char *secret;
	size_t len;
	char pub[CLI_PUB_TEXT];
};

/* Wipes and frees k's secret (k itself is the caller's). */
void cli_key_free(struct cli_key *k);

/*
 * A new key, or key text (PEM or 64 hex, as the owner module reads them)
 * made canonical, through the Cobo schema's owner module: of cli->ctx when
 * one is open, else of the built-in default configuration (no profile is
 * needed to parse a key).  A COBOCRED_* status; on failure err says why.
 */
int cli_key_generate(struct cli *cli, struct cli_key *k, char *err, size_t errlen);
int cli_key_import(struct cli *cli, const char *text, size_t len, struct cli_key *k, char *err,
		   size_t errlen);

enum cli_key_store {
	CLI_STORE_AUTO,	   /* keyring when the stack's keyring works here, else a file */
	CLI_STORE_KEYRING, /* the store stack */
	CLI_STORE_FILE,	   /* a 0600 key file */
};

/* "auto" | "keyring" | "file".  0 or -1. */
int cli_key_store_parse(const char *s, enum cli_key_store *out);

/* 1 if client_id is usable as a file name and attribute: [A-Za-z0-9._-], no leading dot. */
int cli_client_id_ok(const char *client_id);

/* The CLI's key file for client_id.  0, or -1 (no usable home, too long). */
int cli_key_file_path(const char *client_id, char *out, size_t outlen);

/*
 * 1 if the store stack's keyring instance loads and opens here (a desktop
 * session with a Secret Service), else 0.
 */
int cli_keyring_usable(struct cli *cli);

/*
 * Saves k as the app secret of client_id in where (AUTO resolved with
 * cli_keyring_usable) and puts the app_secret setting to use in spec
 * ("keyring" or "file:PATH") and a human description in place.  A
 * different secret already stored for client_id is only replaced with
 * force.  Returns CLI_EX_*, the error printed.
 */
int cli_secret_save(struct cli *cli, const char *client_id, const struct cli_key *k,
		    enum cli_key_store where, int force, char *spec, size_t speclen, char *place,
		    size_t placelen);

/*
 * Removes the stored app secret of client_id: the store stack item and the
 * CLI's own key file (never a file the user named elsewhere).  Describes
 * what was removed in done.  Returns CLI_EX_*.
 */
int cli_secret_forget(struct cli *cli, const char *client_id, char *done, size_t donelen);

/* Reads a whole key file or stdin ("-") into secret memory.  CLI_EX_*, error printed. */
int cli_read_key_text(const char *path, char **text, size_t *len);

#endif
