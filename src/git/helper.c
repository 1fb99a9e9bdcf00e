/*
 * helper.c - get, store and erase over the core API (see helper.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"
#include "query.h"

void git_msg(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (i = 0; buf[i] != '\0'; i++) /* one line, whatever a module wrote */
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	fprintf(stderr, "git-credential-cobo: %s\n", buf);
}

enum git_action git_action_parse(const char *verb)
{
	if (strcmp(verb, "get") == 0)
		return GIT_ACT_GET;
	if (strcmp(verb, "store") == 0)
		return GIT_ACT_STORE;
	if (strcmp(verb, "erase") == 0)
		return GIT_ACT_ERASE;
	return GIT_ACT_UNKNOWN;
}

/*
 * Which Cobo profile, if any, the request is for: SUCCESS with *profile,
 * NOTFOUND for a plain host, ERROR when the profile is ambiguous or
 * unknown (message in ctx).
 */
static int cobo_route(struct cobocred_ctx *ctx, const struct git_req *r, const char **profile)
{
	const char *proto = r->protocol != NULL ? r->protocol : "";
	size_t n;
	char *url;
	int st;

	*profile = NULL;
	if (r->host == NULL || *r->host == '\0')
		return COBOCRED_NOTFOUND;
	n = strlen(proto) + strlen(r->host) + 4;
	if ((url = malloc(n)) == NULL) {
		cobocred_set_error(ctx, "out of memory");
		return COBOCRED_ERROR;
	}
	snprintf(url, n, "%s%s%s", proto, *proto ? "://" : "", r->host);
	st = cobocred_profile_resolve(ctx, url, r->username, profile);
	free(url);
	return st;
}

/* username=ORG_ID, password=TOKEN, password_expiry_utc; never the refresh token. */
static int cobo_get(struct cobocred_ctx *ctx, const char *profile, struct git_out *out)
{
	struct cobocred_item *it = NULL;
	const char *org = cobocred_profile_get(ctx, profile, "org_id");
	int st = cobocred_token_get(ctx, profile, 0, &it);

	if (st != COBOCRED_SUCCESS) {
		git_msg("no Cobo access token for profile '%s': %s", profile, cobocred_error(ctx));
		return 0;
	}
	if (git_out_add_str(out, "username", org != NULL ? org : profile) != 0 ||
	    git_out_add(out, "password", (const char *)it->secret, it->secret_len) != 0 ||
	    (it->expires_at != 0 && git_out_add_i64(out, "password_expiry_utc", it->expires_at) != 0)) {
		git_msg("the access token of profile '%s' cannot be sent to git (line break or "
			"NUL); run 'cobo-credential logout --profile %s'", profile, profile);
		git_out_clear(out);
	}
	cobocred_item_free(it);
	return 0;
}

static int cobo_run(struct cobocred_ctx *ctx, enum git_action act, const char *profile,
		    const struct git_req *r, struct git_out *out)
{
	int st;

	if (act == GIT_ACT_GET)
		return cobo_get(ctx, profile, out);
	if (act == GIT_ACT_STORE)
		return 0; /* the lifecycle stores the tokens it mints; git's copy adds nothing */
	st = cobocred_token_erase(ctx, profile, r->password);
	if (st == COBOCRED_SUCCESS || st == COBOCRED_NOTFOUND)
		return 0;
	git_msg("cannot drop the rejected token of profile '%s': %s", profile, cobocred_error(ctx));
	return 1;
}

static int answer(const struct cobocred_item *it, struct git_out *out)
{
	const char *user = cobocred_item_attr(it, "username");

	if ((user != NULL && git_out_add_str(out, "username", user) != 0) ||
	    git_out_add(out, "password", (const char *)it->secret, it->secret_len) != 0 ||
	    (it->expires_at != 0 && git_out_add_i64(out, "password_expiry_utc", it->expires_at) != 0) ||
	    (it->oauth_refresh_token != NULL &&
	     git_out_add_str(out, "oauth_refresh_token", it->oauth_refresh_token) != 0)) {
		git_out_clear(out);
		return -1;
	}
	return 0;
}

static int plain_get(struct cobocred_ctx *ctx, const struct git_req *r, struct git_out *out)
{
	struct cobocred_item *it = NULL;
	struct git_query gq;
	int st;

	if (!git_req_can_get(r))
		return 0;
	git_query_build(r, 0, &gq);
	st = cobocred_get(ctx, &gq.q, &it);
	if (st == COBOCRED_NOTFOUND)
		return 0;
	if (st != COBOCRED_SUCCESS) {
		git_msg("cannot read stored credentials: %s", cobocred_error(ctx));
		return 0;
	}
	/* The core drops expired items; this guards against a clock step in between. */
	if ((it->expires_at == 0 || it->expires_at > cobocred_now(ctx)) && answer(it, out) != 0)
		git_msg("the stored credential for %s has a line break or NUL in it; not sent. "
			"Erase it with 'git credential reject'", r->host != NULL ? r->host : "this URL");
	cobocred_item_free(it);
	return 0;
}

static int plain_store(struct cobocred_ctx *ctx, const struct git_req *r, const struct git_opts *o)
{
	struct cobocred_item *it = NULL;
	struct git_query gq;
	int st, rc = 1;

	if (!git_req_can_store(r)) {
		cobocred_trace(ctx, "git store: nothing to keep (ephemeral or incomplete)");
		return 0;
	}
	if (git_item_build(r, cobocred_now(ctx), o->timeout, &it) != 0) {
		git_msg("out of memory");
		return 1;
	}
	git_query_build(r, GIT_QUERY_EXACT, &gq);
	st = cobocred_store(ctx, it, &gq.q);
	if (st == COBOCRED_SUCCESS)
		rc = 0;
	else
		git_msg("cannot store the credential: %s", cobocred_error(ctx));
	cobocred_item_free(it);
	return rc;
}

static int plain_erase(struct cobocred_ctx *ctx, const struct git_req *r)
{
	struct git_query gq;
	int st;

	if (!git_req_can_erase(r))
		return 0; /* an empty pattern never means "erase everything" */
	git_query_build(r, GIT_QUERY_PASSWORD, &gq);
	st = cobocred_erase(ctx, &gq.q);
	if (st == COBOCRED_SUCCESS || st == COBOCRED_NOTFOUND)
		return 0;
	git_msg("cannot erase the credential: %s", cobocred_error(ctx));
	return 1;
}

int git_helper_run(struct cobocred_ctx *ctx, enum git_action act, const struct git_req *r,
		   const struct git_opts *o, struct git_out *out)
{
	const char *profile = NULL;
	int st = cobo_route(ctx, r, &profile);

	cobocred_trace(ctx, "git %s: protocol=%s host=%s path=%s username=%s",
		       act == GIT_ACT_GET ? "get" : act == GIT_ACT_STORE ? "store" : "erase",
		       r->protocol ? r->protocol : "-", r->host ? r->host : "-",
		       r->path ? r->path : "-", r->username ? r->username : "-");
	if (st == COBOCRED_SUCCESS)
		return cobo_run(ctx, act, profile, r, out);
	if (st != COBOCRED_NOTFOUND) {
		if (act == GIT_ACT_GET)
			git_msg("%s", cobocred_error(ctx));
		return 0;
	}
	if (act == GIT_ACT_GET)
		return plain_get(ctx, r, out);
	if (act == GIT_ACT_STORE)
		return plain_store(ctx, r, o);
	return plain_erase(ctx, r);
}
