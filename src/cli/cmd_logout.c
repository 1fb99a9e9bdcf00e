/*
 * cmd_logout.c - 'cobo-credential logout': drop cached tokens (and, when
 * asked, the app secret); the work is logout.c's.
 */
#include "config.h"

#include <getopt.h>

#include "cli.h"
#include "logout.h"
#include "tokens.h"

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
