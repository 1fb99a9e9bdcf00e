/*
 * helper.c - get, store and erase over the core's fill/approve/reject
 * (see helper.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "helper.h"

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

void git_request(const struct git_req *r, const struct git_opts *o, struct cobocred_request *out)
{
	memset(out, 0, sizeof(*out));
	out->client = COBOCRED_CLIENT_GIT;
	out->protocol = r->protocol;
	out->host = r->host;
	out->path = r->path;
	out->username = r->username;
	out->secret = r->password;
	out->secret_len = r->password != NULL ? strlen(r->password) : 0;
	out->oauth_refresh_token = r->oauth_refresh_token;
	out->expiry = r->password_expiry_utc;
	out->timeout = o->timeout;
	out->ephemeral = r->ephemeral;
}

/* username, password, password_expiry_utc, and a plain credential's oauth_refresh_token. */
static int answer(const struct cobocred_answer *a, struct cobocred_sbuf *out)
{
	if ((a->username != NULL && git_out_add_str(out, "username", a->username) != 0) ||
	    git_out_add(out, "password", (const char *)a->secret, a->secret_len) != 0 ||
	    (a->expires_at != 0 &&
	     git_out_add_i64(out, "password_expiry_utc", a->expires_at) != 0) ||
	    (a->oauth_refresh_token != NULL &&
	     git_out_add_str(out, "oauth_refresh_token", a->oauth_refresh_token) != 0)) {
		cobocred_sbuf_free(out);
		return -1;
	}
	return 0;
}

static int get(struct cobocred_ctx *ctx, const struct cobocred_request *cr,
	       struct cobocred_sbuf *out)
{
	struct cobocred_answer a;
	int st = cobocred_fill(ctx, cr, &a);

	if (st == COBOCRED_SUCCESS && answer(&a, out) != 0) {
		if (a.profile != NULL)
			git_msg("the access token of profile '%s' cannot be sent to git (line break "
				"or NUL); run 'cobo-credential logout --profile %s'",
				a.profile, a.profile);
		else
			git_msg("the stored credential for %s has a line break or NUL in it; not "
				"sent. Erase it with 'git credential reject'",
				cr->host != NULL ? cr->host : "this URL");
	} else if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND) {
		git_msg("%s", cobocred_error(ctx));
	}
	cobocred_answer_clear(&a);
	return 0; /* git moves on to the next helper, or prompts */
}

int git_helper_run(struct cobocred_ctx *ctx, enum git_action act, const struct git_req *r,
		   const struct git_opts *o, struct cobocred_sbuf *out)
{
	struct cobocred_request cr;
	int st;

	git_request(r, o, &cr);
	if (act == GIT_ACT_GET)
		return get(ctx, &cr, out);
	st = act == GIT_ACT_STORE ? cobocred_approve(ctx, &cr) : cobocred_reject(ctx, &cr);
	if (st == COBOCRED_SUCCESS)
		return 0;
	git_msg("%s", cobocred_error(ctx));
	return 1;
}
