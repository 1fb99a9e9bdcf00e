/*
 * cmd_status.c - 'cobo-credential status': what is cached per profile.
 * Only metadata is printed: no token, no refresh token, no key.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "format.h"
#include "strutil.h"
#include "tokens.h"

struct status_opts {
	const char *profile;
	int json;
};

static int parse_opts(struct cli *cli, int argc, char **argv, struct status_opts *o, int *done)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:jh", longopts, NULL)) != -1) {
		if (c == 'p') {
			o->profile = optarg;
		} else if (c == 'j') {
			o->json = 1;
		} else {
			r = cli_common_opt(cli, "status", c, done);
			if (r != CLI_EX_OK || *done)
				return r < 0 ? CLI_EX_USAGE : r;
		}
	}
	if (optind < argc)
		return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);
	return CLI_EX_OK;
}

/* A JSON string for a config value; null if it is not UTF-8. */
static void jstr(struct cobocred_sbuf *b, const char *s)
{
	if (s == NULL || cli_json_string(b, s, strlen(s)) != 0)
		cobocred_sbuf_adds(b, "null");
}

static void json_cached(struct cobocred_sbuf *b, const char *name, const struct cli_cached *c,
			int64_t now, int refresh)
{
	char t[32];

	cobocred_sbuf_addf(b, ",\"%s\":{\"%s\":%s", name, refresh ? "present" : "cached",
			   c->found ? "true" : "false");
	if (c->found && refresh) {
		cobocred_rfc3339(c->created_at, t, sizeof(t));
		cobocred_sbuf_addf(b, ",\"created_at\":%s%s%s,\"age\":", c->created_at ? "\"" : "",
				   c->created_at ? t : "null", c->created_at ? "\"" : "");
		if (c->created_at)
			cobocred_sbuf_addf(b, "%" PRId64, now - c->created_at);
		else
			cobocred_sbuf_adds(b, "null");
	}
	if (c->found && c->expires_at) {
		cobocred_rfc3339(c->expires_at, t, sizeof(t));
		cobocred_sbuf_addf(b, ",\"expires_at\":\"%s\",\"expires_in\":%" PRId64, t,
				   c->expires_at - now);
	}
	if (c->found) {
		cobocred_sbuf_adds(b, ",\"module\":");
		jstr(b, c->modules);
	}
	if (c->error[0]) {
		cobocred_sbuf_adds(b, ",\"error\":");
		jstr(b, c->error);
	}
	cobocred_sbuf_adds(b, "}");
}

static void text_cached(struct cobocred_sbuf *b, const char *label, const struct cli_cached *c,
			int64_t now, int refresh)
{
	char t[32], d[32];

	if (c->error[0]) {
		cobocred_sbuf_addf(b, "  %-14s unknown: %s\n", label, c->error);
		return;
	}
	if (!c->found) {
		cobocred_sbuf_addf(b, "  %-14s none\n", label);
		return;
	}
	cobocred_sbuf_addf(b, "  %-14s %s in %s", label, refresh ? "present" : "cached",
			   c->modules);
	if (refresh && c->created_at) {
		cli_duration(now - c->created_at, d, sizeof(d));
		cobocred_sbuf_addf(b, ", %s old", now - c->created_at > 0 ? d : "0s");
	}
	if (c->expires_at) {
		cli_duration(c->expires_at - now, d, sizeof(d));
		cobocred_rfc3339(c->expires_at, t, sizeof(t));
		cobocred_sbuf_addf(b, ", expires in %s (%s)", d, t);
	} else if (!refresh) {
		cobocred_sbuf_adds(b, ", does not expire");
	}
	cobocred_sbuf_adds(b, "\n");
}

/* Reports one profile; returns the worst lookup status that is a failure. */
static int one_profile(struct cli *cli, const char *p, int json, int first, struct cobocred_sbuf *b)
{
	struct cli_cached acc, ref;
	int64_t now = cobocred_now(cli->ctx);
	const char *secret = cobocred_profile_get(cli->ctx, p, "app_secret");
	int worst = COBOCRED_SUCCESS;

	cli_cached_lookup(cli, p, "access", &acc);
	cli_cached_lookup(cli, p, "refresh", &ref);
	if (json) {
		cobocred_sbuf_adds(b, first ? "{\"name\":" : ",{\"name\":");
		jstr(b, p);
		cobocred_sbuf_adds(b, ",\"base_url\":");
		jstr(b, cobocred_profile_get(cli->ctx, p, "base_url"));
		cobocred_sbuf_adds(b, ",\"org_id\":");
		jstr(b, cobocred_profile_get(cli->ctx, p, "org_id"));
		cobocred_sbuf_adds(b, ",\"client_id\":");
		jstr(b, cobocred_profile_get(cli->ctx, p, "client_id"));
		cobocred_sbuf_adds(b, ",\"app_secret\":");
		jstr(b, secret ? secret : "keyring");
		json_cached(b, "access_token", &acc, now, 0);
		json_cached(b, "refresh_token", &ref, now, 1);
		cobocred_sbuf_adds(b, "}");
	} else {
		cobocred_sbuf_addf(b, "%sprofile %s: %s, org %s\n", first ? "" : "\n", p,
				   cobocred_profile_get(cli->ctx, p, "base_url"),
				   cobocred_profile_get(cli->ctx, p, "org_id"));
		text_cached(b, "access token:", &acc, now, 0);
		text_cached(b, "refresh token:", &ref, now, 1);
		cobocred_sbuf_addf(b, "  %-14s %s\n", "app secret:", secret ? secret : "keyring");
	}
	if (acc.error[0])
		worst = acc.status;
	if (ref.error[0] && (worst == COBOCRED_SUCCESS || ref.status == COBOCRED_ERROR))
		worst = ref.status;
	return worst;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct status_opts o = { 0 };
	struct cobocred_sbuf b = { 0 };
	const char *only = NULL, *path;
	size_t i, n;
	int done = 0, r, worst = COBOCRED_SUCCESS, st;

	if ((r = parse_opts(cli, argc, argv, &o, &done)) != CLI_EX_OK || done)
		return r;
	if ((r = cli_open(cli)) != CLI_EX_OK)
		return r;
	if (o.profile != NULL && (r = cli_pick_profile(cli, o.profile, &only)) != CLI_EX_OK)
		return r;
	path = cobocred_config_path(cli->ctx);
	n = cobocred_profile_count(cli->ctx);
	if (o.json) {
		cobocred_sbuf_adds(&b, "{\"config\":");
		jstr(&b, path);
		cobocred_sbuf_adds(&b, ",\"profiles\":[");
	} else if (n == 0) {
		cobocred_sbuf_addf(&b, "no profiles in %s; run 'cobo-credential setup'\n",
				   path ? path : "the built-in configuration");
	}
	for (i = 0, done = 1; i < n; i++) {
		const char *p = cobocred_profile_name(cli->ctx, i);

		if (only != NULL && strcmp(p, only) != 0)
			continue;
		st = one_profile(cli, p, o.json, done, &b);
		done = 0;
		if (st != COBOCRED_SUCCESS)
			worst = st;
	}
	if (o.json)
		cobocred_sbuf_adds(&b, "]}\n");
	if (b.failed) {
		cli_err("out of memory");
		r = CLI_EX_INTERNAL;
	} else {
		fputs(cobocred_sbuf_str(&b), stdout);
		r = cli_exit_code(worst);
	}
	cobocred_sbuf_free(&b);
	return r;
}
