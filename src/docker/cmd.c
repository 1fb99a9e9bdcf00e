/*
 * cmd.c - the four Docker credential-helper commands over the core API.
 *
 * Plain credentials: schema io.docker.Credentials, looked up by server
 * alone (the ServerURL exactly as the client spelled it, the way
 * docker-credential-secretservice matches), one item per server.
 * A server that resolves to a Cobo profile is served by the token
 * lifecycle instead: get answers the org id and a fresh access token,
 * store is refused (tokens are minted, not typed in), erase drops the
 * cached access token.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "helper.h"
#include "secret.h"

/* The query for the credentials of one server. */
static void server_query(const char *url, struct cobocred_attr *attr, struct cobocred_query *q)
{
	attr->name = "server";
	attr->value = url;
	memset(q, 0, sizeof(*q));
	q->struct_size = sizeof(*q);
	q->schema = COBOCRED_SCHEMA_DOCKER;
	q->n_attrs = 1;
	q->attrs = attr;
}

/*
 * The item: server and username are all the Docker schema holds.  The
 * keyring module writes them as docker-credential-secretservice does (its
 * label and docker_cli attributes, the server as the item's label).
 */
static struct cobocred_item *plain_item(const struct docker_creds *c)
{
	struct cobocred_item *it = cobocred_item_new(COBOCRED_SCHEMA_DOCKER);

	if (it == NULL || cobocred_item_set_label(it, c->server_url) != 0 ||
	    cobocred_item_add_attr(it, "server", c->server_url) != 0 ||
	    cobocred_item_add_attr(it, "username", c->username) != 0 ||
	    cobocred_item_set_secret(it, c->secret, c->secret_len) != 0) {
		cobocred_item_free(it);
		return NULL;
	}
	return it;
}

int docker_cmd_store(struct cobocred_ctx *ctx, char *in, size_t len)
{
	struct docker_creds c;
	struct docker_error e;
	struct cobocred_item *item = NULL;
	struct cobocred_attr attr;
	struct cobocred_query q;
	const char *profile;
	char msg[512];
	int r = 1, st;

	st = docker_parse_store(in, len, &c, &e);
	cobocred_wipe(in, len); /* the secret lives on only in c */
	if (st != 0)
		return docker_fail("%s", docker_format_error(&e, msg, sizeof(msg)));
	st = cobocred_profile_resolve(ctx, c.server_url, NULL, &profile);
	if (st == COBOCRED_SUCCESS) {
		docker_fail("not storing credentials for Cobo profile '%s': its access tokens are "
			    "minted on demand, so no login is needed", profile);
		goto out;
	}
	if (st != COBOCRED_NOTFOUND) {
		docker_fail("%s", cobocred_error(ctx));
		goto out;
	}
	if ((item = plain_item(&c)) == NULL) {
		docker_fail("out of memory building the credential");
		goto out;
	}
	server_query(c.server_url, &attr, &q);
	st = cobocred_store(ctx, item, &q);
	if (st != COBOCRED_SUCCESS) {
		docker_fail("%s", cobocred_error(ctx));
		goto out;
	}
	r = 0;
out:
	cobocred_item_free(item);
	docker_creds_clear(&c);
	return r;
}

/* Prints the get answer. */
static int answer(const char *url, const char *user, const struct cobocred_item *it)
{
	char *out = NULL;
	size_t n = 0;
	int r;

	r = docker_write_creds(url, user != NULL ? user : "", it->secret, it->secret_len, &out,
			       &n);
	if (r != 0)
		return docker_fail("%s", docker_strerror(r));
	r = docker_reply(out, n) == 0 ? 0 : 1;
	cobocred_secret_free(out);
	return r;
}

static int cobo_get(struct cobocred_ctx *ctx, const char *url, const char *profile)
{
	struct cobocred_item *it = NULL;
	const char *org;
	int r;

	if (cobocred_token_get(ctx, profile, 0, &it) != COBOCRED_SUCCESS)
		return docker_fail("%s", cobocred_error(ctx));
	org = cobocred_item_attr(it, "org_id");
	if (org == NULL)
		org = cobocred_profile_get(ctx, profile, "org_id");
	r = answer(url, org, it);
	cobocred_item_free(it);
	return r;
}

static int plain_get(struct cobocred_ctx *ctx, const char *url)
{
	struct cobocred_item *it = NULL;
	struct cobocred_attr attr;
	struct cobocred_query q;
	int st, r;

	server_query(url, &attr, &q);
	st = cobocred_get(ctx, &q, &it);
	if (st == COBOCRED_NOTFOUND)
		return docker_fail(DOCKER_NOT_FOUND);
	if (st != COBOCRED_SUCCESS)
		return docker_fail("%s", cobocred_error(ctx));
	r = answer(url, cobocred_item_attr(it, "username"), it);
	cobocred_item_free(it);
	return r;
}

/* The server URL of a get or erase request; NULL with the error printed. */
static char *request_url(const char *in, size_t len)
{
	char *url = NULL;
	int r = docker_parse_url(in, len, &url);

	if (r != 0)
		docker_fail("%s", docker_strerror(r));
	return url;
}

int docker_cmd_get(struct cobocred_ctx *ctx, const char *in, size_t len)
{
	const char *profile;
	char *url = request_url(in, len);
	int r, st;

	if (url == NULL)
		return 1;
	st = cobocred_profile_resolve(ctx, url, NULL, &profile);
	if (st == COBOCRED_SUCCESS)
		r = cobo_get(ctx, url, profile);
	else if (st == COBOCRED_NOTFOUND)
		r = plain_get(ctx, url);
	else
		r = docker_fail("%s", cobocred_error(ctx));
	free(url);
	return r;
}

int docker_cmd_erase(struct cobocred_ctx *ctx, const char *in, size_t len)
{
	struct cobocred_attr attr;
	struct cobocred_query q;
	const char *profile;
	char *url = request_url(in, len);
	int st;

	if (url == NULL)
		return 1;
	st = cobocred_profile_resolve(ctx, url, NULL, &profile);
	if (st == COBOCRED_SUCCESS) {
		/* Docker does not say which token it rejected: drop the cached one. */
		st = cobocred_token_erase(ctx, profile, NULL);
	} else if (st == COBOCRED_NOTFOUND) {
		server_query(url, &attr, &q);
		st = cobocred_erase(ctx, &q);
	}
	free(url);
	/* Nothing to erase is success: docker logout erases several spellings. */
	if (st == COBOCRED_SUCCESS || st == COBOCRED_NOTFOUND)
		return 0;
	return docker_fail("%s", cobocred_error(ctx));
}

int docker_cmd_list(struct cobocred_ctx *ctx)
{
	/* list answers ServerURL -> Username: the secrets are never read */
	struct cobocred_query q = { .struct_size = sizeof(q), .schema = COBOCRED_SCHEMA_DOCKER,
				    .flags = COBOCRED_QUERY_ATTRS_ONLY };
	struct cobocred_item *items = NULL, *it;
	struct docker_list_entry *v = NULL;
	char *out = NULL;
	size_t n = 0, outlen = 0;
	int st, r = 1;

	st = cobocred_list(ctx, &q, &items);
	if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND)
		return docker_fail("%s", cobocred_error(ctx));
	for (it = items; it != NULL; it = it->next)
		n++;
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL) {
		docker_fail("out of memory listing credentials");
		goto out;
	}
	for (n = 0, it = items; it != NULL; it = it->next) {
		const char *user = cobocred_item_attr(it, "username");

		if ((v[n].server = cobocred_item_attr(it, "server")) == NULL)
			continue; /* not a Docker credential after all */
		v[n++].username = user != NULL ? user : "";
	}
	if ((st = docker_write_list(v, n, &out, &outlen)) != 0) {
		docker_fail("%s", docker_strerror(st));
		goto out;
	}
	r = docker_reply(out, outlen) == 0 ? 0 : 1;
out:
	free(out);
	free(v);
	cobocred_item_free(items);
	return r;
}
