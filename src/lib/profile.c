/*
 * profile.c - [profile NAME] settings, and which profile a request origin
 * names (DESIGN.md, token lifecycle step 1; the rule is in origin.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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

static int profile_matches_user(const struct cobocred_section *s, const char *username)
{
	const char *org = cobocred_section_get(s, "org_id");

	return username == NULL || *username == '\0' || strcmp(username, s->name) == 0 ||
	       (org != NULL && strcmp(username, org) == 0);
}

int cobocred_profile_by_name(struct cobocred_ctx *ctx, const char *want, const char **name)
{
	char shown[128];
	size_t i;

	*name = NULL;
	for (i = 0; i < cobocred_profile_count(ctx); i++) {
		const char *pn = ctx->cfg->profiles[i].name;

		if (strcmp(pn, want) == 0) {
			*name = pn;
			return COBOCRED_SUCCESS;
		}
	}
	cobocred_set_error(ctx, "no profile '%s' in %s; run 'cobo-credential profile list'",
			   cobocred_show(want, shown, sizeof(shown)),
			   ctx->cfg != NULL ? ctx->cfg->path : "the configuration");
	return COBOCRED_ERROR;
}

int cobocred_profile_by_origin(struct cobocred_ctx *ctx, const struct cobocred_origin *o,
			       const char *username, const char **name)
{
	char want[COBOCRED_HOST_MAX + 8], list[512] = "";
	struct cobocred_origin have;
	size_t i, hits = 0, len = 0;

	*name = NULL;
	for (i = 0; i < cobocred_profile_count(ctx); i++) {
		const struct cobocred_section *s = &ctx->cfg->profiles[i];

		if (section_origin(s, &have) != 0 || !cobocred_origin_same(&have, o) ||
		    !profile_matches_user(s, username))
			continue;
		if (hits++ == 0)
			*name = s->name;
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						len ? ", " : "", s->name);
	}
	if (hits > 1) {
		*name = NULL;
		(void)hostport(o, want, sizeof(want));
		cobocred_set_error(ctx,
				   "%s matches profiles %s; name one: send the profile "
				   "name or org id as the username (git: git config "
				   "credential.%s://%s.username PROFILE), or use cobo://PROFILE",
				   want, list, o->scheme, want);
		return COBOCRED_ERROR;
	}
	return hits == 1 ? COBOCRED_SUCCESS : COBOCRED_NOTFOUND;
}
