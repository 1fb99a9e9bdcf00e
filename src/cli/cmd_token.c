/*
 * cmd_token.c - 'cobo-credential token': a valid access token, in the
 * format the calling tool expects.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "format.h"
#include "strutil.h"
#include "tokens.h"

#define MIN_VALID_MAX (30LL * 86400)

struct token_opts {
	const char *profile;
	const char *org; /* --org; NULL: the profile's only org */
	enum cli_format format;
	int64_t min_valid;
};

static int parse_opts(struct cli *cli, int argc, char **argv, struct token_opts *o, int *done)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "org", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "min-valid", required_argument, NULL, 'm' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:o:f:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			break;
		case 'o':
			if ((r = cli_org_arg("token", optarg)) != CLI_EX_OK)
				return r;
			o->org = optarg;
			break;
		case 'f':
			if (cli_format_parse(optarg, &o->format) != 0)
				return cli_usage_error("token",
						       "unknown format '%s'; use raw, json, "
						       "header, env or exec-credential",
						       optarg);
			break;
		case 'm':
			if (cobocred_parse_i64(optarg, 0, MIN_VALID_MAX, &o->min_valid) != 0)
				return cli_usage_error("token",
						       "--min-valid needs a number of "
						       "seconds (0..%lld)",
						       MIN_VALID_MAX);
			break;
		default:
			r = cli_common_opt(cli, "token", c, done);
			if (r != CLI_EX_OK || *done)
				return r < 0 ? CLI_EX_USAGE : r;
		}
	}
	if (optind < argc)
		return cli_usage_error("token", "unexpected argument '%s'", argv[optind]);
	return CLI_EX_OK;
}

static int write_out(const struct cobocred_sbuf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t w = write(STDOUT_FILENO, b->p + off, b->len - off);

		if (w <= 0) {
			cli_err("cannot write the token to standard output");
			return CLI_EX_IOERR;
		}
		off += (size_t)w;
	}
	return CLI_EX_OK;
}

int cmd_token(struct cli *cli, int argc, char **argv)
{
	struct token_opts o = { .format = CLI_FMT_RAW };
	struct cobocred_item *it = NULL;
	struct cli_token_view v = { 0 };
	struct cobocred_sbuf out = { 0 };
	const char *profile, *org;
	char err[512];
	int done = 0, r, st;

	r = parse_opts(cli, argc, argv, &o, &done);
	if (r != CLI_EX_OK || done)
		return r;
	if ((r = cli_open(cli)) != CLI_EX_OK ||
	    (r = cli_pick_profile(cli, o.profile, &profile)) != 0 ||
	    (r = cli_pick_org(cli, profile, o.org, &org)) != 0)
		return r;
	st = cobocred_token_get_org(cli->ctx, profile, org, o.min_valid, &it);
	if (st != COBOCRED_SUCCESS)
		return cli_fail(cli, st);
	/* Defence in depth: the query named the org, and so must the answer. */
	if (cobocred_item_attr(it, "org_id") == NULL ||
	    strcmp(cobocred_item_attr(it, "org_id"), org) != 0) {
		cli_err("a token of another org came back for org %s; not printing it", org);
		cobocred_item_free(it);
		return CLI_EX_INTERNAL;
	}
	v.token = (const char *)it->secret;
	v.token_len = it->secret_len;
	v.expires_at = it->expires_at;
	v.org_id = org;
	v.profile = profile;
	v.exec_api = cli_exec_api_version(getenv("KUBERNETES_EXEC_INFO"));
	if (cli_format_token(o.format, &v, &out, err, sizeof(err)) != 0) {
		cli_err("%s", err);
		r = out.failed ? CLI_EX_INTERNAL : CLI_EX_DATAERR;
	} else {
		/* write(2), not stdio: no copy of the token left in a stdio buffer. */
		r = write_out(&out);
	}
	cobocred_sbuf_free(&out);
	cobocred_item_free(it);
	return r;
}
