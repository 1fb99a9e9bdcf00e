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
#include "orgset.h"
#include "strutil.h"
#include "tokens.h"

struct status_opts {
	const char *profile;
	const char *org; /* --org: only this org of the profile */
	int json;
};

static int parse_opts(struct cli *cli, int argc, char **argv, struct status_opts *o, int *done)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "org", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:o:jh", longopts, NULL)) != -1) {
		if (c == 'p') {
			o->profile = optarg;
		} else if (c == 'o') {
			if ((r = cli_org_arg("status", optarg)) != CLI_EX_OK)
				return r;
			o->org = optarg;
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

static void text_cached(struct cobocred_sbuf *b, const char *indent, const char *label,
			const struct cli_cached *c, int64_t now, int refresh)
{
	char t[32], d[32];

	if (c->error[0]) {
		cobocred_sbuf_addf(b, "%s%-14s unknown: %s\n", indent, label, c->error);
		return;
	}
	if (!c->found) {
		cobocred_sbuf_addf(b, "%s%-14s none\n", indent, label);
		return;
	}
	cobocred_sbuf_addf(b, "%s%-14s %s in %s", indent, label, refresh ? "present" : "cached",
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

/* The worse of two lookup statuses: a failure beats success, ERROR beats the rest. */
static int worse(int worst, const struct cli_cached *c)
{
	if (c->error[0] && (worst == COBOCRED_SUCCESS || c->status == COBOCRED_ERROR))
		return c->status;
	return worst;
}

/* One org's tokens; returns the worst lookup status that is a failure. */
static int one_org(struct cli *cli, const char *p, const char *org, int json, int multi, int first,
		   struct cobocred_sbuf *b)
{
	struct cli_cached acc, ref;
	int64_t now = cobocred_now(cli->ctx);

	cli_cached_lookup(cli, p, org, COBOCRED_KIND_ACCESS, &acc);
	cli_cached_lookup(cli, p, org, COBOCRED_KIND_REFRESH, &ref);
	if (json) {
		cobocred_sbuf_adds(b, first ? "{\"org_id\":" : ",{\"org_id\":");
		jstr(b, org);
		json_cached(b, "access_token", &acc, now, 0);
		json_cached(b, "refresh_token", &ref, now, 1);
		cobocred_sbuf_adds(b, "}");
	} else {
		if (multi)
			cobocred_sbuf_addf(b, "  org %s:\n", org);
		text_cached(b, multi ? "    " : "  ", "access token:", &acc, now, 0);
		text_cached(b, multi ? "    " : "  ", "refresh token:", &ref, now, 1);
	}
	return worse(worse(COBOCRED_SUCCESS, &acc), &ref);
}

/* Each org of the profile (or only the one asked for); returns the worst failure. */
static int profile_orgs(struct cli *cli, const char *p, const char *only, int json, int multi,
			struct cobocred_sbuf *b)
{
	struct cli_orgs orgs = { 0 };
	int worst = COBOCRED_SUCCESS, st;
	size_t i;

	if (only == NULL && cli_profile_orgs(cli, p, &orgs) != 0) {
		b->failed = 1;
		goto out;
	}
	if (orgs.status != COBOCRED_SUCCESS) {
		worst = orgs.status;
		if (!json)
			cobocred_sbuf_addf(b, "  %-14s unknown: %s\n", "orgs:", orgs.error);
	}
	if (!json && only == NULL && orgs.n == 0 && orgs.status == COBOCRED_SUCCESS)
		cobocred_sbuf_adds(b, "  no org has cached tokens\n");
	for (i = 0; i < (only != NULL ? 1 : orgs.n); i++) {
		st = one_org(cli, p, only != NULL ? only : orgs.v[i], json, multi, i == 0, b);
		if (st != COBOCRED_SUCCESS && (worst == COBOCRED_SUCCESS || st == COBOCRED_ERROR))
			worst = st;
	}
out:
	cli_orgs_free(&orgs);
	return worst;
}

/*
 * Reports one profile (only: one of its orgs, or NULL: each); returns the
 * worst lookup status that is a failure.  A profile of one org reads as
 * it always did; one serving several lists each org it serves (org_id =
 * *: each org the stores hold tokens of).
 */
static int one_profile(struct cli *cli, const char *p, const char *only, int json, int first,
		       struct cobocred_sbuf *b)
{
	const char *secret = cobocred_profile_get(cli->ctx, p, "app_secret");
	const char *setting = cobocred_profile_get(cli->ctx, p, "org_id");
	int multi = cobocred_orgs_count(setting) != 1, worst;
	char orgs[512];

	if (json) {
		cobocred_sbuf_adds(b, first ? "{\"name\":" : ",{\"name\":");
		jstr(b, p);
		cobocred_sbuf_adds(b, ",\"base_url\":");
		jstr(b, cobocred_profile_get(cli->ctx, p, "base_url"));
		cobocred_sbuf_adds(b, ",\"org_id\":");
		jstr(b, setting);
		cobocred_sbuf_adds(b, ",\"client_id\":");
		jstr(b, cobocred_profile_get(cli->ctx, p, "client_id"));
		cobocred_sbuf_adds(b, ",\"app_secret\":");
		jstr(b, secret ? secret : "keyring");
		if (!multi) { /* the one org's tokens where they always were */
			struct cli_cached acc, ref;
			int64_t now = cobocred_now(cli->ctx);

			cli_cached_lookup(cli, p, NULL, COBOCRED_KIND_ACCESS, &acc);
			cli_cached_lookup(cli, p, NULL, COBOCRED_KIND_REFRESH, &ref);
			json_cached(b, "access_token", &acc, now, 0);
			json_cached(b, "refresh_token", &ref, now, 1);
		}
		cobocred_sbuf_adds(b, ",\"orgs\":[");
		worst = profile_orgs(cli, p, only, 1, multi, b);
		cobocred_sbuf_adds(b, "]}");
		return worst;
	}
	cobocred_sbuf_addf(b, "%sprofile %s: %s, %s\n", first ? "" : "\n", p,
			   cobocred_profile_get(cli->ctx, p, "base_url"),
			   cobocred_orgs_show(setting, orgs, sizeof(orgs)));
	worst = profile_orgs(cli, p, only, 0, multi, b);
	cobocred_sbuf_addf(b, "  %-14s %s\n", "app secret:", secret ? secret : "keyring");
	return worst;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct status_opts o = { 0 };
	struct cobocred_sbuf b = { 0 };
	const char *only = NULL, *org = NULL, *path;
	size_t i, n;
	int done = 0, r, worst = COBOCRED_SUCCESS, st;

	if ((r = parse_opts(cli, argc, argv, &o, &done)) != CLI_EX_OK || done)
		return r;
	if ((r = cli_open(cli)) != CLI_EX_OK)
		return r;
	if ((o.profile != NULL || o.org != NULL) &&
	    (r = cli_pick_profile(cli, o.profile, &only)) != CLI_EX_OK)
		return r;
	if (o.org != NULL && (r = cli_pick_org(cli, only, o.org, &org)) != CLI_EX_OK)
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
		st = one_profile(cli, p, org, o.json, done, &b);
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
