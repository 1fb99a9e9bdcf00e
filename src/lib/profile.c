/*
 * profile.c - [profile NAME] settings and resolution of a request URL to
 * a profile (DESIGN.md, token lifecycle step 1).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core.h"

#define HOSTPORT_MAX 300

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

/*
 * Extracts "host[:port]" (lower-case, default port dropped) from a URL or
 * a bare host[:port].  Returns 0, or -1 if it does not fit or is empty.
 */
int cobocred_url_hostport(const char *url, char *out, size_t outlen)
{
	const char *p = url, *s = strstr(url, "://"), *at, *end;
	int https = 1;
	size_t n, i;

	if (s != NULL) {
		https = !((size_t)(s - url) == 4 && strncasecmp(url, "http", 4) == 0);
		p = s + 3;
	}
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1;
	n = (size_t)(end - p);
	if (n == 0 || n >= outlen)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)p[i]);
	out[n] = '\0';
	/* ":443" on https and ":80" on http name the same server as no port. */
	if (n > 4 && https && strcmp(out + n - 4, ":443") == 0)
		out[n - 4] = '\0';
	else if (n > 3 && !https && strcmp(out + n - 3, ":80") == 0)
		out[n - 3] = '\0';
	return 0;
}

static int profile_matches_user(const struct cobocred_section *s, const char *username)
{
	const char *org = cobocred_section_get(s, "org_id");

	return username == NULL || *username == '\0' || strcmp(username, s->name) == 0 ||
	       (org != NULL && strcmp(username, org) == 0);
}

static int resolve_direct(struct cobocred_ctx *ctx, const char *url, const char **name)
{
	const char *want = url + strlen("cobo://");
	size_t n = strcspn(want, "/?#"), i;

	for (i = 0; i < cobocred_profile_count(ctx); i++) {
		const char *pn = ctx->cfg->profiles[i].name;

		if (strlen(pn) == n && strncmp(pn, want, n) == 0) {
			*name = pn;
			return COBOCRED_SUCCESS;
		}
	}
	cobocred_set_error(ctx, "no profile '%.*s' in %s; run 'cobo-credential profile list'",
			   (int)(n > 64 ? 64 : n), want, ctx->cfg->path);
	return COBOCRED_ERROR;
}

int cobocred_profile_resolve(struct cobocred_ctx *ctx, const char *url, const char *username,
			     const char **name)
{
	char want[HOSTPORT_MAX], have[HOSTPORT_MAX], list[512] = "";
	size_t i, hits = 0, len = 0;

	*name = NULL;
	if (ctx->cfg == NULL || url == NULL)
		return COBOCRED_NOTFOUND;
	if (strncasecmp(url, "cobo://", 7) == 0)
		return resolve_direct(ctx, url, name);
	if (cobocred_url_hostport(url, want, sizeof(want)) != 0)
		return COBOCRED_NOTFOUND;
	for (i = 0; i < ctx->cfg->n_profiles; i++) {
		const struct cobocred_section *s = &ctx->cfg->profiles[i];
		const char *base = cobocred_section_get(s, "base_url");

		if (base == NULL || cobocred_url_hostport(base, have, sizeof(have)) != 0 ||
		    strcmp(have, want) != 0 || !profile_matches_user(s, username))
			continue;
		if (hits++ == 0)
			*name = s->name;
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						len ? ", " : "", s->name);
	}
	if (hits > 1) {
		*name = NULL;
		cobocred_set_error(ctx, "%s matches profiles %s; name one: send the profile "
				   "name or org id as the username (git: git config "
				   "credential.https://%s.username PROFILE), or use cobo://PROFILE",
				   want, list, want);
		return COBOCRED_ERROR;
	}
	return hits == 1 ? COBOCRED_SUCCESS : COBOCRED_NOTFOUND;
}
