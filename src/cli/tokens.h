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

/*
 * Looks up kind ("access" | "refresh") of profile's org (NULL: its only
 * org).  Never fails: see c->status.
 */
void cli_cached_lookup(struct cli *cli, const char *profile, const char *org, const char *kind,
		       struct cli_cached *c);

/*
 * Erases kind of profile's org (NULL: its only org) from every store.
 * Returns a COBOCRED_* status (NOTFOUND: nothing was cached).
 */
int cli_cached_erase(struct cli *cli, const char *profile, const char *org, const char *kind);

/* A profile's orgs, each an owned copy. */
struct cli_orgs {
	char **v;
	size_t n;
	int status;	 /* of the lookups: SUCCESS, or why a list failed */
	char error[256]; /* when status is a failure */
};

/*
 * The orgs of profile to report or log out: those its org_id lists, in
 * that order; for org_id = * every org whose tokens the stores hold for
 * the profile's app, sorted.  0, or -1 when out of memory.
 */
int cli_profile_orgs(struct cli *cli, const char *profile, struct cli_orgs *out);
void cli_orgs_free(struct cli_orgs *o);

/*
 * The org a command acts on for profile: org (checked: the profile must
 * serve it) or, when NULL, the profile's only org.  CLI_EX_OK with *out,
 * or the error printed and its exit code (usage: a profile serving
 * several orgs and none named; not found: an org it does not serve).
 */
int cli_pick_org(struct cli *cli, const char *profile, const char *org, const char **out);

/* For option parsers: CLI_EX_OK if s is an org id, else a usage error of cmd. */
int cli_org_arg(const char *cmd, const char *s);

#endif
