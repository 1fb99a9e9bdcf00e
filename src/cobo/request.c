/*
 * request.c - fill, approve and reject (cobocred.h): every field of the
 * request is checked strictly, the request is routed once (a Cobo profile
 * by the origin rule, else the plain store), then served by the token
 * lifecycle or by the store stack under the client's own identity.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orgset.h"
#include "route.h"

enum req_op { OP_FILL, OP_APPROVE, OP_REJECT };

/* Where a request goes. */
struct route {
	int status;  /* SUCCESS: profile; NOTFOUND: plain store; else refused or unroutable */
	int refused; /* a field was refused (not just an ambiguous or unknown profile) */
	struct cobocred_resolved target; /* the Cobo profile and org (status SUCCESS) */
	int has_origin; /* origin holds the request's parsed scheme, host and port */
	struct cobocred_origin origin;
};

static const char *show(const char *s)
{
	return s != NULL ? s : "-";
}

/* Replaces the error with "context: error". */
static void error_context(struct cobocred_ctx *ctx, const char *context)
{
	char why[sizeof(ctx->error)];

	snprintf(why, sizeof(why), "%s", cobocred_error(ctx));
	cobocred_set_error(ctx, "%s: %s", context, why);
}

static void refuse(struct cobocred_ctx *ctx, struct route *rt, const char *what, const char *value,
		   const char *why, const char *want)
{
	char shown[128];

	cobocred_set_error(ctx, "refusing %s '%s': %s; %s", what,
			   cobocred_show(value, shown, sizeof(shown)), why, want);
	rt->status = COBOCRED_ERROR;
	rt->refused = 1;
}

/* How each client names the org of a profile that serves several. */
static const char git_how[] = "send it as the git user name (https://ORG@HOST/... or "
			      "git config credential.https://HOST.username ORG)";
static const char docker_how[] = "Docker sends no user name with get: use a profile with one "
				 "org, or the server address cobo://PROFILE/ORG";

static void route_git(struct cobocred_ctx *ctx, const struct cobocred_request *r, struct route *rt)
{
	static const char want_host[] = "a host is a DNS name or an IP address, with an optional "
					":PORT (1-65535), and nothing else";
	struct cobocred_origin *o = &rt->origin;
	const char *why;

	if (r->protocol != NULL && cobocred_parse_protocol(r->protocol, &why) != 0) {
		refuse(ctx, rt, "protocol", r->protocol, why, "git sends a URL scheme here");
		return;
	}
	if (r->host == NULL || r->host[0] == '\0') /* cert:// and the like: keyed by path */
		return;
	if (r->protocol != NULL && strcmp(r->protocol, "cobo") == 0) {
		rt->status = cobocred_profile_org_by_name(ctx, r->host, r->username, git_how,
							  &rt->target);
		return;
	}
	if (cobocred_parse_hostport(r->host, strlen(r->host), o, &why) != 0) {
		refuse(ctx, rt, "host", r->host, why, want_host);
		return;
	}
	if (r->protocol == NULL)
		return;
	memcpy(o->scheme, r->protocol, strlen(r->protocol) + 1);
	rt->has_origin = 1;
	rt->status = cobocred_profile_org_by_origin(ctx, o, r->username, git_how, &rt->target);
}

/* Bytes a registry address never holds, that would give it a second reading. */
static int docker_bad_byte(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || strchr("@\\%?#", c) != NULL;
}

/*
 * cobo://PROFILE or cobo://PROFILE/ORG: Docker's get and erase carry no
 * user name, so the address itself names the org.  Anything after the
 * profile name other than one org id is refused, not ignored.
 */
static void route_docker_cobo(struct cobocred_ctx *ctx, const char *s, struct route *rt)
{
	char name[256];
	size_t n = strcspn(s, "/?#");
	const char *rest = s + n;

	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), s);
	if (*rest != '\0' && (*rest != '/' || !cobocred_org_id_ok(rest + 1))) {
		refuse(ctx, rt, "server address", s - 7,
		       "only an org id may follow the profile name",
		       "write cobo://PROFILE or cobo://PROFILE/ORG");
		return;
	}
	/* The org is the request's own string, which outlives the call. */
	rt->status = cobocred_profile_org_by_name(ctx, name, *rest != '\0' ? rest + 1 : "",
						  docker_how, &rt->target);
}

static void route_docker(struct cobocred_ctx *ctx, const struct cobocred_request *r,
			 struct route *rt)
{
	struct cobocred_origin *o = &rt->origin;
	const char *s = r->server, *why;
	size_t i;

	if (strncmp(s, "cobo://", 7) == 0) {
		route_docker_cobo(ctx, s + 7, rt);
		return;
	}
	for (i = 0; s[i] != '\0'; i++)
		if (docker_bad_byte((unsigned char)s[i])) {
			refuse(ctx, rt, "server address", s,
			       "it holds userinfo, an escape, a space "
			       "or a control character",
			       "a registry address is "
			       "[https://]host[:port][/path]");
			return;
		}
	/* Anything else that is not host[:port][/path] stays a plain credential,
	 * found by the string as spelled (docker-credential-secretservice's rule). */
	if (cobocred_parse_docker_server(s, o, &why) != 0) {
		cobocred_trace(ctx,
			       "docker: server address is not [https://]host[:port][/path] "
			       "(%s): plain credentials only",
			       why);
		return;
	}
	rt->has_origin = 1;
	if (strcmp(o->scheme, "https") != 0) /* http:// never reaches a Cobo token */
		return;
	rt->status = cobocred_profile_org_by_origin(ctx, o, NULL, docker_how, &rt->target);
}

static void route(struct cobocred_ctx *ctx, const struct cobocred_request *r, enum req_op op,
		  struct route *rt)
{
	static const char *const ops[] = { "get", "store", "erase" };

	memset(rt, 0, sizeof(*rt));
	rt->status = COBOCRED_NOTFOUND;
	if (r->client == COBOCRED_CLIENT_DOCKER) {
		cobocred_trace(ctx, "docker %s: server=%s", ops[op], show(r->server));
		if (r->server == NULL || r->server[0] == '\0') {
			cobocred_set_error(ctx, "no credentials server URL");
			rt->status = COBOCRED_ERROR;
			rt->refused = 1;
			return;
		}
		route_docker(ctx, r, rt);
	} else {
		cobocred_trace(ctx, "git %s: protocol=%s host=%s path=%s username=%s", ops[op],
			       show(r->protocol), show(r->host), show(r->path), show(r->username));
		route_git(ctx, r, rt);
	}
	if (rt->status == COBOCRED_SUCCESS)
		cobocred_trace(ctx, "routed to Cobo profile '%s', org %s", rt->target.profile->name,
			       rt->target.org);
}

/* --- plain credentials: the client's own identity ------------------------------------ */

static void add_attr(struct cobocred_plain_query *pq, const char *name, const char *value)
{
	if (value == NULL)
		return;
	pq->attrs[pq->q.n_attrs].name = name;
	pq->attrs[pq->q.n_attrs].value = value;
	pq->q.n_attrs++;
}

void cobocred_plain_query(const struct cobocred_request *r, unsigned flags,
			  struct cobocred_plain_query *pq)
{
	memset(pq, 0, sizeof(*pq));
	pq->q.struct_size = sizeof(pq->q);
	pq->q.attrs = pq->attrs;
	if (r->client == COBOCRED_CLIENT_DOCKER) {
		/* one item per server, whatever its username */
		pq->q.schema = COBOCRED_SCHEMA_DOCKER;
		add_attr(pq, "server", r->server);
		return;
	}
	pq->q.schema = COBOCRED_SCHEMA_GIT;
	add_attr(pq, "protocol", r->protocol);
	add_attr(pq, "host", r->host);
	add_attr(pq, "path", r->path);
	add_attr(pq, "username", r->username);
	if (flags & COBOCRED_PLAIN_EXACT)
		pq->q.flags |= COBOCRED_QUERY_EXACT;
	if ((flags & COBOCRED_PLAIN_SECRET) && r->secret != NULL) {
		pq->q.secret = (const unsigned char *)r->secret;
		pq->q.secret_len = r->secret_len;
	}
}

int cobocred_git_can_get(const struct cobocred_request *r)
{
	return r->protocol != NULL && (r->host != NULL || r->path != NULL);
}

int cobocred_git_can_store(const struct cobocred_request *r)
{
	return cobocred_git_can_get(r) && r->username != NULL && r->secret != NULL && !r->ephemeral;
}

int cobocred_git_can_erase(const struct cobocred_request *r)
{
	return r->protocol != NULL || r->host != NULL || r->path != NULL || r->username != NULL;
}

static void answer_from(struct cobocred_item *it, const char *username, const char *profile,
			struct cobocred_answer *out)
{
	out->item = it;
	out->profile = profile;
	out->username = username;
	out->secret = it->secret;
	out->secret_len = it->secret_len;
	out->expires_at = it->expires_at;
	out->oauth_refresh_token = profile == NULL ? it->oauth_refresh_token : NULL;
}

static int plain_fill(struct cobocred_ctx *ctx, const struct cobocred_request *r,
		      struct cobocred_answer *out)
{
	struct cobocred_item *it = NULL;
	struct cobocred_plain_query pq;
	int st;

	if (r->client == COBOCRED_CLIENT_GIT && !cobocred_git_can_get(r))
		return COBOCRED_NOTFOUND;
	cobocred_plain_query(r, 0, &pq);
	st = cobocred_get(ctx, &pq.q, &it);
	if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND)
		error_context(ctx, "cannot read stored credentials");
	if (st != COBOCRED_SUCCESS)
		return st;
	/* The stack drops expired items; this guards against a clock step in between. */
	if (it->expires_at != 0 && it->expires_at <= cobocred_now(ctx)) {
		cobocred_item_free(it);
		return COBOCRED_NOTFOUND;
	}
	answer_from(it, cobocred_item_attr(it, "username"), NULL, out);
	return COBOCRED_SUCCESS;
}

/* "Git: https://host/path", the label git-credential-libsecret gives its items. */
static int git_label(struct cobocred_item *it, const struct cobocred_request *r)
{
	const char *path = r->path != NULL ? r->path : "", *host = r->host != NULL ? r->host : "";
	size_t n = strlen(r->protocol) + strlen(host) + strlen(path) + 16;
	char *label = malloc(n);
	int rc;

	if (label == NULL)
		return -1;
	snprintf(label, n, "Git: %s://%s/%s", r->protocol, host, path);
	rc = cobocred_item_set_label(it, label);
	free(label);
	return rc;
}

/* Expiry: password_expiry_utc, or now + timeout if that comes first. */
static int64_t git_expiry(const struct cobocred_request *r, int64_t now)
{
	if (r->timeout > 0 && (r->expiry == 0 || now + r->timeout < r->expiry))
		return now + r->timeout;
	return r->expiry;
}

struct cobocred_item *cobocred_plain_item(const struct cobocred_request *r, int64_t now)
{
	int docker = r->client == COBOCRED_CLIENT_DOCKER;
	struct cobocred_item *it = cobocred_item_new(docker ? COBOCRED_SCHEMA_DOCKER
							    : COBOCRED_SCHEMA_GIT);
	struct cobocred_plain_query pq;
	size_t i;
	int bad;

	if (it == NULL || (!docker && (r->protocol == NULL || r->secret == NULL))) {
		cobocred_item_free(it);
		return NULL;
	}
	cobocred_plain_query(r, 0, &pq);
	bad = docker ? cobocred_item_set_label(it, r->server) : git_label(it, r);
	for (i = 0; i < pq.q.n_attrs && !bad; i++)
		bad = cobocred_item_add_attr(it, pq.attrs[i].name, pq.attrs[i].value);
	if (!bad && docker)
		bad = cobocred_item_add_attr(it, "username", r->username);
	if (!bad)
		bad = cobocred_item_set_secret(it, r->secret, r->secret_len);
	if (!bad && r->oauth_refresh_token != NULL)
		bad = cobocred_item_set_refresh(it, r->oauth_refresh_token);
	if (!docker)
		cobocred_item_set_times(it, now, git_expiry(r, now));
	if (bad) {
		cobocred_item_free(it);
		it = NULL;
	}
	return it;
}

static int plain_approve(struct cobocred_ctx *ctx, const struct cobocred_request *r)
{
	struct cobocred_item *it;
	struct cobocred_plain_query pq;
	int st;

	if (r->client == COBOCRED_CLIENT_GIT && !cobocred_git_can_store(r)) {
		cobocred_trace(ctx, "git store: nothing to keep (ephemeral or incomplete)");
		return COBOCRED_SUCCESS;
	}
	if ((it = cobocred_plain_item(r, cobocred_now(ctx))) == NULL) {
		cobocred_set_error(ctx, "out of memory building the credential");
		return COBOCRED_ERROR;
	}
	cobocred_plain_query(r, COBOCRED_PLAIN_EXACT, &pq);
	st = cobocred_store(ctx, it, &pq.q);
	if (st != COBOCRED_SUCCESS)
		error_context(ctx, "cannot store the credential");
	cobocred_item_free(it);
	return st;
}

static int plain_reject(struct cobocred_ctx *ctx, const struct cobocred_request *r)
{
	struct cobocred_plain_query pq;
	int st;

	if (r->client == COBOCRED_CLIENT_GIT && !cobocred_git_can_erase(r))
		return COBOCRED_SUCCESS; /* an empty pattern never means "erase everything" */
	/* git: only the credential it rejected */
	cobocred_plain_query(r, COBOCRED_PLAIN_SECRET, &pq);
	st = cobocred_erase(ctx, &pq.q);
	if (st == COBOCRED_NOTFOUND)
		return COBOCRED_SUCCESS; /* docker logout erases several spellings */
	if (st != COBOCRED_SUCCESS)
		error_context(ctx, "cannot erase the credential");
	return st;
}

/* --- Cobo profiles: the token lifecycle ------------------------------------------------- */

/* username = the org id, password = the access token; never the refresh token. */
static int cobo_fill(struct cobocred_ctx *ctx, const struct cobocred_resolved *rt,
		     struct cobocred_answer *out)
{
	struct cobocred_item *it = NULL;
	const char *org, *profile = rt->profile->name, *want = rt->org;
	char context[256];
	int st = cobocred_token_get_resolved(ctx, rt, 0, &it);

	if (st != COBOCRED_SUCCESS) {
		snprintf(context, sizeof(context), "no Cobo access token for profile '%s', org %s",
			 profile, want);
		error_context(ctx, context);
		return st == COBOCRED_NOTFOUND ? COBOCRED_ERROR : st;
	}
	/* A token of another org never answers (defence in depth: the query named the org). */
	org = cobocred_item_attr(it, "org_id");
	if (org == NULL || strcmp(org, want) != 0) {
		cobocred_set_error(ctx,
				   "a token of another org came back for org %s; not answering",
				   want);
		cobocred_item_free(it);
		return COBOCRED_ERROR;
	}
	answer_from(it, org, profile, out);
	return COBOCRED_SUCCESS;
}

static int cobo_approve(struct cobocred_ctx *ctx, const struct cobocred_request *r,
			const char *profile)
{
	if (r->client == COBOCRED_CLIENT_GIT) {
		/* git stores what worked after every use; its copy of a minted token adds nothing */
		cobocred_trace(ctx, "git store: Cobo profile '%s' keeps its own tokens", profile);
		return COBOCRED_SUCCESS;
	}
	cobocred_set_error(ctx,
			   "not storing credentials for Cobo profile '%s': its access tokens "
			   "are minted on demand, so no login is needed",
			   profile);
	return COBOCRED_ERROR;
}

static int cobo_reject(struct cobocred_ctx *ctx, const struct cobocred_request *r,
		       const struct cobocred_resolved *rt)
{
	const char *profile = rt->profile->name;
	char context[256];
	/* Docker does not say which token it rejected: drop the cached one. */
	int st = cobocred_token_erase_resolved(ctx, rt,
					       r->client == COBOCRED_CLIENT_GIT ? r->secret : NULL);

	if (st == COBOCRED_SUCCESS || st == COBOCRED_NOTFOUND)
		return COBOCRED_SUCCESS;
	snprintf(context, sizeof(context), "cannot drop the rejected token of profile '%s'",
		 profile);
	error_context(ctx, context);
	return st;
}

/*
 * A request for a profile's host on another scheme or port is a plain
 * request like any other; the warning says why no token came.
 */
static void near_miss(struct cobocred_ctx *ctx, const struct route *rt)
{
	struct cobocred_origin have;
	char asked[COBOCRED_HOST_MAX + 64], theirs[COBOCRED_HOST_MAX + 64];
	const char *name;

	if (!rt->has_origin || (name = cobocred_profile_near_miss(ctx, &rt->origin, &have)) == NULL)
		return;
	cobocred_set_warning(ctx,
			     "not sending the token of Cobo profile '%s' to %s: its origin is "
			     "%s (scheme, host and port must all match)",
			     name, cobocred_origin_show(&rt->origin, asked, sizeof(asked)),
			     cobocred_origin_show(&have, theirs, sizeof(theirs)));
}

/* --- the three calls ------------------------------------------------------------------- */

/*
 * git asks for store and erase after every use of a credential; an
 * ambiguous or unknown profile was already reported by its get.
 */
static int unroutable(struct cobocred_ctx *ctx, const struct cobocred_request *r,
		      const struct route *rt)
{
	if (r->client == COBOCRED_CLIENT_GIT && !rt->refused) {
		cobocred_trace(ctx, "not routed (%s); nothing to do", cobocred_error(ctx));
		return COBOCRED_SUCCESS;
	}
	return rt->status;
}

int cobocred_fill(struct cobocred_ctx *ctx, const struct cobocred_request *r,
		  struct cobocred_answer *out)
{
	struct route rt;

	memset(out, 0, sizeof(*out));
	route(ctx, r, OP_FILL, &rt);
	if (rt.status == COBOCRED_SUCCESS)
		return cobo_fill(ctx, &rt.target, out);
	if (rt.status != COBOCRED_NOTFOUND)
		return rt.status;
	near_miss(ctx, &rt);
	return plain_fill(ctx, r, out);
}

int cobocred_approve(struct cobocred_ctx *ctx, const struct cobocred_request *r)
{
	struct route rt;

	route(ctx, r, OP_APPROVE, &rt);
	if (rt.status == COBOCRED_SUCCESS)
		return cobo_approve(ctx, r, rt.target.profile->name);
	if (rt.status == COBOCRED_NOTFOUND)
		return plain_approve(ctx, r);
	return unroutable(ctx, r, &rt);
}

int cobocred_reject(struct cobocred_ctx *ctx, const struct cobocred_request *r)
{
	struct route rt;

	route(ctx, r, OP_REJECT, &rt);
	if (rt.status == COBOCRED_SUCCESS)
		return cobo_reject(ctx, r, &rt.target);
	if (rt.status == COBOCRED_NOTFOUND)
		return plain_reject(ctx, r);
	return unroutable(ctx, r, &rt);
}

void cobocred_answer_clear(struct cobocred_answer *a)
{
	cobocred_item_free(a->item);
	memset(a, 0, sizeof(*a));
}
