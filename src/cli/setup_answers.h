/*
 * setup_answers.h - the answers 'cobo-credential setup' needs, from flags or, on
 * a terminal, from questions; and their checks.
 */
#ifndef COBOCRED_CLI_SETUP_ANSWERS_H
#define COBOCRED_CLI_SETUP_ANSWERS_H

#include "appsecret.h"
#include "cli.h"

struct setup {
	/* Owned copies: flags are copied in, prompts write here. */
	char name[128];
	char env[16]; /* dev | sandbox | prod | "" (custom base_url) */
	char base_url[1024];
	char server_key[80]; /* dev | sandbox | prod | 64 hex | "" */
	char client_id[160];
	char org_id[160];
	char key_file[4096]; /* path or "-"; "" with generate or paste */
	char pkcs11[4096];   /* a pkcs11: URI: the key is in a token already; "" for none */
	char ca_file[4096];
	int allow_http;
	int generate; /* --generate-key */
	int no_verify;
	int force;
	enum cli_key_store store;
	char *pasted; /* a key pasted at the prompt (secret memory) */
	size_t pasted_len;
};

/* Parses setup's flags into s.  CLI_EX_*; *done after --help. */
int setup_parse(struct cli *cli, int argc, char **argv, struct setup *s, int *done);

/*
 * Fills what the flags left open: by asking when interactive, else it is a
 * usage error naming the missing flags.  Then checks every value.  CLI_EX_*.
 */
int setup_complete(struct setup *s);

/* The base URL of a built-in environment, or NULL. */
const char *setup_env_url(const char *env);

/* Frees what s owns (a pasted key). */
void setup_free(struct setup *s);

#endif
