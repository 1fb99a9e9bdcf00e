/*
 * profile.c - [profile NAME] settings, and which profile a request origin
 * names (ARCHITECTURE.md, "A cached git get", step 2; the rule is in origin.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "orgset.h"
#include "route.h"

size_t cobocred_profile_count(const struct cobocred_ctx *ctx)
{
	return ctx->cfg != NULL ? ctx->cfg->n_profiles : 0;
}

const char *cobocred_profile_name(const struct cobocred_ctx *ctx, size_t i)
{
	return i < cobocred_profile_count(ctx) ? ctx->cfg->profiles[i].name : NULL;
}

const char *cobocred_profile_get(const struct cobocred_ctx *ctx, const char *profile,
				 const char *key)
{
	if (ctx->cfg == NULL || profile == NULL)
		return NULL;
	return cobocred_section_get(cobocred_config_profile(ctx->cfg, profile), key);
}

static int is_yes(const char *v)
{
	return v != NULL && (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
			     strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0);
}

static int is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	       strncmp(host, "127.", 4) == 0;
}

/*
 * The origin a profile's token may go to.  http:// only where cobo-oauth
 * itself would talk to it (allow_http on loopback: a test server).
 */
static int section_origin(const struct cobocred_section *s, struct cobocred_origin *o)
{
	const char *base = cobocred_section_get(s, "base_url");

	if (base == NULL || cobocred_parse_base_url(base, o, NULL) != 0)
		return -1;
	if (strcmp(o->scheme, "https") == 0)
		return 0;
	return is_yes(cobocred_section_get(s, "allow_http")) && is_loopback(o->host) ? 0 : -1;
}

/* "host[:port]", the port only when not the scheme's default; 0, or -1 if it does not fit. */
static int hostport(const struct cobocred_origin *o, char *out, size_t outlen)
{
	int n;

	if (o->port != 0 && o->port != cobocred_default_port(o->scheme))
		n = snprintf(out, outlen, "%s:%u", o->host, o->port);
	else
		n = snprintf(out, outlen, "%s", o->host);
	return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

int cobocred_base_url_hostport(const char *base_url, char *out, size_t outlen)
{
	struct cobocred_origin o;

	if (outlen > 0)
		out[0] = '\0';
	if (base_url == NULL || cobocred_parse_base_url(base_url, &o, NULL) != 0)
		return -1;
	return hostport(&o, out, outlen);
}

const char *cobocred_origin_show(const struct cobocred_origin *o, char *out, size_t outlen)
{
	char hp[COBOCRED_HOST_MAX + 8];

	if (hostport(o, hp, sizeof(hp)) != 0)
		hp[0] = '\0';
	snprintf(out, outlen, "%s://%s", o->scheme, hp);
	return out;
}

const char *cobocred_profile_near_miss(struct cobocred_ctx *ctx, const struct cobocred_origin *o,
				       struct cobocred_origin *have)
{
	size_t i;

	for (i = 0; i < cobocred_profile_count(ctx); i++) {
		const struct cobocred_section *s = &ctx->cfg->profiles[i];
		const char *base = cobocred_section_get(s, "base_url");

		if (base != NULL && cobocred_parse_base_url(base, have, NULL) == 0 &&
		    strcmp(have->host, o->host) == 0 && !cobocred_origin_same(have, o))
			return s->name;
	}
	return NULL;
}

/*
 * How a request's user name picks among a host's profiles, and which of
 * its orgs: none, a listed org id (exact), or any org id under org_id = *.
 * The user name is an org, never a profile's name: a profile called like
 * an org id must not answer that org's request with its own org's token.
 * A listed match beats a wildcard one, so a profile written for one org
 * keeps it when a '*' profile shares the host.
 */
enum { USER_NONE = 0, USER_ANY, USER_EXACT };

static int user_match(const struct cobocred_section *s, const char *username, const char **org)
{
	const char *setting = cobocred_section_get(s, "org_id");

	*org = NULL;
	if (username == NULL || *username == '\0') {
		if (cobocred_orgs_count(setting) == 1)
			*org = setting; /* a one-org setting is that org id */
		return USER_EXACT;
	}
	if (cobocred_orgs_lists(setting, username)) {
		*org = username;
		return USER_EXACT;
	}
	if (cobocred_orgs_any(setting) && cobocred_org_id_ok(username)) {
		*org = username;
		return USER_ANY;
	}
	return USER_NONE;
}

/* The error for a profile that serves several orgs when the request named none. */
static int need_org(struct cobocred_ctx *ctx, const struct cobocred_section *s, const char *how)
{
	char orgs[512];

	cobocred_set_error(ctx, "profile '%s' serves %s; name the org: %s", s->name,
			   cobocred_orgs_show(cobocred_section_get(s, "org_id"), orgs,
					      sizeof(orgs)),
			   how);
	return COBOCRED_ERROR;
}

static const struct cobocred_section *find_profile(struct cobocred_ctx *ctx, const char *want)
{
	return ctx->cfg != NULL ? cobocred_config_profile(ctx->cfg, want) : NULL;
}

int cobocred_profile_by_name(struct cobocred_ctx *ctx, const char *want, const char **name)
{
	const struct cobocred_section *s = find_profile(ctx, want);
	char shown[128];

	*name = NULL;
	if (s != NULL) {
		*name = s->name;
		return COBOCRED_SUCCESS;
	}
	cobocred_set_error(ctx, "no profile '%s' in %s; run 'cobo-credential profile list'",
			   cobocred_show(want, shown, sizeof(shown)),
			   ctx->cfg != NULL ? ctx->cfg->path : "the configuration");
	return COBOCRED_ERROR;
}

/* The one place a routed profile becomes a resolved target. */
static int resolve(struct cobocred_ctx *ctx, const struct cobocred_section *s, const char *org,
		   struct cobocred_resolved *rt)
{
	if (cobocred_resolved_set(rt, s, org) == 0)
		return COBOCRED_SUCCESS;
	cobocred_set_error(ctx, "profile '%s' has a base_url that does not parse; fix it", s->name);
	return COBOCRED_ERROR;
}

int cobocred_profile_org_by_name(struct cobocred_ctx *ctx, const char *want, const char *username,
				 const char *how, struct cobocred_resolved *rt)
{
	const struct cobocred_section *s = find_profile(ctx, want);
	const char *name, *org = NULL;
	char shown[128];

	memset(rt, 0, sizeof(*rt));
	if (s == NULL)
		return cobocred_profile_by_name(ctx, want, &name); /* its message */
	if (user_match(s, username, &org) == USER_NONE) {
		cobocred_set_error(ctx, "profile '%s' does not serve org '%s'; check the user name",
				   s->name, cobocred_show(username, shown, sizeof(shown)));
		return COBOCRED_ERROR;
	}
	if (org == NULL)
		return need_org(ctx, s, how);
	return resolve(ctx, s, org, rt);
}

/* Candidates of one origin: the best user match level and its profiles. */
struct pick {
	int level, hits;
	const struct cobocred_section *s;
	const char *org;
	char list[512];
	size_t len;
};

static void pick_add(struct pick *pk, const struct cobocred_section *s, int level, const char *org)
{
	if (level < pk->level)
		return;
	if (level > pk->level) {
		memset(pk, 0, sizeof(*pk));
		pk->level = level;
	}
	if (pk->hits++ == 0) {
		pk->s = s;
		pk->org = org;
	}
	if (pk->len < sizeof(pk->list))
		pk->len += (size_t)snprintf(pk->list + pk->len, sizeof(pk->list) - pk->len, "%s%s",
					    pk->len ? ", " : "", s->name);
}

int cobocred_profile_org_by_origin(struct cobocred_ctx *ctx, const struct cobocred_origin *o,
				   const char *username, const char *how,
				   struct cobocred_resolved *rt)
{
	char want[COBOCRED_HOST_MAX + 8];
	struct cobocred_origin have;
	struct pick pk = { 0 };
	const char *candidate;
	size_t i;
	int level;

	memset(rt, 0, sizeof(*rt));
	for (i = 0; i < cobocred_profile_count(ctx); i++) {
		const struct cobocred_section *s = &ctx->cfg->profiles[i];

		if (section_origin(s, &have) != 0 || !cobocred_origin_same(&have, o))
			continue;
		level = user_match(s, username, &candidate);
		if (level != USER_NONE)
			pick_add(&pk, s, level, candidate);
	}
	if (pk.hits > 1) {
		(void)hostport(o, want, sizeof(want));
		cobocred_set_error(ctx,
				   "%s matches profiles %s; name the org as the username (git: "
				   "git config credential.%s://%s.username ORG), or name the "
				   "profile: cobo://PROFILE (git, Docker), --profile (CLI)",
				   want, pk.list, o->scheme, want);
		return COBOCRED_ERROR;
	}
	if (pk.hits == 0)
		return COBOCRED_NOTFOUND;
	if (pk.org == NULL)
		return need_org(ctx, pk.s, how);
	return resolve(ctx, pk.s, pk.org, rt);
}

int cobocred_profile_by_origin(struct cobocred_ctx *ctx, const struct cobocred_origin *o,
			       const char *username, const char **name)
{
	struct cobocred_resolved rt;
	int st = cobocred_profile_org_by_origin(ctx, o, username, "send it as the user name", &rt);

	*name = st == COBOCRED_SUCCESS ? rt.profile->name : NULL;
	return st;
}
