/*
 * cmd_logout.c - 'cobo-credential logout': drop cached tokens (and, when
 * asked, the app secret).  Also the token-dropping half of 'profile remove'.
 */
#include "config.h"

#include <getopt.h>
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
	static const char *const kinds[] = { "refresh", "access" };
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

int cmd_logout(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "org", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "forget-key", no_argument, NULL, 'k' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *org = NULL, *p;
	int c, all = 0, forget = 0, done = 0, r;
	size_t i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:o:akh", longopts, NULL)) != -1) {
		if (c == 'p') {
			name = optarg;
		} else if (c == 'o') {
			if ((r = cli_org_arg("logout", optarg)) != CLI_EX_OK)
				return r;
			org = optarg;
		} else if (c == 'a') {
			all = 1;
		} else if (c == 'k') {
			forget = 1;
		} else {
			r = cli_common_opt(cli, "logout", c, &done);
			if (r != CLI_EX_OK || done)
				return r < 0 ? CLI_EX_USAGE : r;
		}
	}
	if (optind < argc)
		return cli_usage_error("logout", "unexpected argument '%s'", argv[optind]);
	if (all && name != NULL)
		return cli_usage_error("logout", "--all and --profile exclude each other");
	if (all && org != NULL)
		return cli_usage_error("logout", "--all and --org exclude each other");
	if (forget && org != NULL)
		return cli_usage_error("logout",
				       "--forget-key drops the app secret of every org; use it "
				       "without --org");
	if ((r = cli_open(cli)) != CLI_EX_OK)
		return r;
	if (!all) {
		if ((r = cli_pick_profile(cli, name, &p)) != CLI_EX_OK ||
		    (org != NULL && (r = cli_pick_org(cli, p, org, &org)) != CLI_EX_OK))
			return r;
		return cli_logout_profile(cli, p, org, forget);
	}
	for (i = 0; i < cobocred_profile_count(cli->ctx); i++) {
		r = cli_logout_profile(cli, cobocred_profile_name(cli->ctx, i), NULL, forget);
		if (r != CLI_EX_OK)
			return r;
	}
	return CLI_EX_OK;
}
