/*
 * tokens.h - what the stores hold for a profile's Cobo tokens, without
 * minting anything (status, logout, doctor).
 */
#ifndef COBOCRED_CLI_TOKENS_H
#define COBOCRED_CLI_TOKENS_H

#include <stdint.h>

#include "cli.h"

/* One kind of token (access or refresh) as found in the list stack. */
struct cli_cached {
	int status;	    /* of the list: SUCCESS, NOTFOUND or why it failed */
	int found;	    /* items found (unexpired) */
	int64_t expires_at; /* of the longest-lived one; 0: does not expire */
	int64_t created_at; /* of the same one; 0: unknown */
	char modules[128];  /* module instances holding one, "a, b" */
	char error[256];    /* when status is a failure */
};

/* Looks up kind ("access" | "refresh") of profile.  Never fails: see c->status. */
void cli_cached_lookup(struct cli *cli, const char *profile, const char *kind,
		       struct cli_cached *c);

/*
 * Erases kind of profile from every store.  Returns a COBOCRED_* status
 * (NOTFOUND: nothing was cached).
 */
int cli_cached_erase(struct cli *cli, const char *profile, const char *kind);

#endif
