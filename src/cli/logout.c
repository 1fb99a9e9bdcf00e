/*
 * logout.c - dropping one profile's cached tokens (and, when asked, its app
 * secret): what 'logout' and 'profile remove' share, below both commands.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "appsecret.h"
#include "cli.h"
#include "logout.h"
#include "orgset.h"
#include "tokens.h"

/* 1 if a profile other than except uses client_id. */
static int client_shared(struct cli *cli, const char *client_id, const char *except)
{
	size_t i, n = cobocred_profile_count(cli->ctx);

	for (i = 0; i < n; i++) {
		const char *p = cobocred_profile_name(cli->ctx, i);
		const char *c = cobocred_profile_get(cli->ctx, p, "client_id");

		if (strcmp(p, except) != 0 && c != NULL && strcmp(c, client_id) == 0)
			return 1;
	}
	return 0;
}

/* Erases org's refresh and access tokens; *removed set when one was there. */
static int logout_org(struct cli *cli, const char *p, const char *org, int multi, int *removed)
{
	static const char *const kinds[] = { COBOCRED_KIND_REFRESH, COBOCRED_KIND_ACCESS };
	int i, st;

	/* The refresh token first: it is what can mint new access tokens. */
	for (i = 0; i < 2; i++) {
		st = cli_cached_erase(cli, p, org, kinds[i]);
		if (st == COBOCRED_SUCCESS) {
			if (multi)
				printf("%s: org %s: %s token removed\n", p, org, kinds[i]);
			else
				printf("%s: %s token removed\n", p, kinds[i]);
			*removed = 1;
		} else if (st != COBOCRED_NOTFOUND) {
			return cli_fail(cli, st);
		}
	}
	return CLI_EX_OK;
}

/* Without an org: each org of the profile (org_id = *: each one the stores hold). */
static int logout_orgs(struct cli *cli, const char *p, const char *org, int *removed)
{
	struct cli_orgs orgs = { 0 };
	int multi = org != NULL ||
		    cobocred_orgs_count(cobocred_profile_get(cli->ctx, p, "org_id")) != 1;
	int r = CLI_EX_OK;
	size_t i;

	if (org != NULL)
		return logout_org(cli, p, org, multi, removed);
	if (cli_profile_orgs(cli, p, &orgs) != 0) {
		cli_err("out of memory");
		r = CLI_EX_INTERNAL;
	} else if (orgs.status != COBOCRED_SUCCESS) {
		cli_err("%s", orgs.error);
		r = cli_exit_code(orgs.status);
	}
	for (i = 0; i < orgs.n && r == CLI_EX_OK; i++)
		r = logout_org(cli, p, orgs.v[i], multi, removed);
	cli_orgs_free(&orgs);
	return r;
}

int cli_logout_profile(struct cli *cli, const char *p, const char *org, int forget_key)
{
	const char *client = cobocred_profile_get(cli->ctx, p, "client_id");
	char done[600];
	int removed = 0, r;

	if ((r = logout_orgs(cli, p, org, &removed)) != CLI_EX_OK)
		return r;
	if (!removed)
		printf("%s: no cached tokens%s%s\n", p, org ? " for org " : "", org ? org : "");
	if (!forget_key || client == NULL)
		return CLI_EX_OK;
	if (client_shared(cli, client, p)) {
		printf("%s: app secret kept: another profile uses client_id %s\n", p, client);
		return CLI_EX_OK;
	}
	r = cli_secret_forget(cli, client, done, sizeof(done));
	if (r == CLI_EX_OK)
		printf("%s: %s\n", p, done[0] ? done : "no stored app secret");
	return r;
}
