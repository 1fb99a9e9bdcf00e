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

int cli_logout_profile(struct cli *cli, const char *p, int forget_key)
{
	static const char *const kinds[] = { "refresh", "access" };
	const char *client = cobocred_profile_get(cli->ctx, p, "client_id");
	char done[600];
	int i, st, removed = 0, r;

	/* The refresh token first: it is what can mint new access tokens. */
	for (i = 0; i < 2; i++) {
		st = cli_cached_erase(cli, p, kinds[i]);
		if (st == COBOCRED_SUCCESS) {
			printf("%s: %s token removed\n", p, kinds[i]);
			removed = 1;
		} else if (st != COBOCRED_NOTFOUND) {
			return cli_fail(cli, st);
		}
	}
	if (!removed)
		printf("%s: no cached tokens\n", p);
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
		{ "all", no_argument, NULL, 'a' },
		{ "forget-key", no_argument, NULL, 'k' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *p;
	int c, all = 0, forget = 0, done = 0, r;
	size_t i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:akh", longopts, NULL)) != -1) {
		if (c == 'p') {
			name = optarg;
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
	if ((r = cli_open(cli)) != CLI_EX_OK)
		return r;
	if (!all) {
		if ((r = cli_pick_profile(cli, name, &p)) != CLI_EX_OK)
			return r;
		return cli_logout_profile(cli, p, forget);
	}
	for (i = 0; i < cobocred_profile_count(cli->ctx); i++) {
		r = cli_logout_profile(cli, cobocred_profile_name(cli->ctx, i), forget);
		if (r != CLI_EX_OK)
			return r;
	}
	return CLI_EX_OK;
}
