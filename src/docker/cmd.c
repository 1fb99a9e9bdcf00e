/*
 * cmd.c - the four Docker credential-helper commands over the core's
 * fill / approve / reject (cobocred.h).  The core decides whether a Cobo
 * profile (get: the org id and a fresh access token; store: refused,
 * tokens are minted; erase: drops the cached token) or the plain store
 * (schema io.docker.Credentials, the server string as the client spelled
 * it, as docker-credential-secretservice matches) serves a server; this
 * room only speaks Docker's protocol.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "helper.h"
#include "secret.h"

static void request(const char *server, struct cobocred_request *r)
{
	memset(r, 0, sizeof(*r));
	r->client = COBOCRED_CLIENT_DOCKER;
	r->server = server;
}

int docker_cmd_store(struct cobocred_ctx *ctx, char *in, size_t len)
{
	struct cobocred_request r;
	struct docker_creds c;
	struct docker_error e;
	char msg[512];
	int st;

	st = docker_parse_store(in, len, &c, &e);
	cobocred_wipe(in, len); /* the secret lives on only in c */
	if (st != 0)
		return docker_fail("%s", docker_format_error(&e, msg, sizeof(msg)));
	request(c.server_url, &r);
	r.username = c.username;
	r.secret = c.secret;
	r.secret_len = c.secret_len;
	st = cobocred_approve(ctx, &r);
	docker_creds_clear(&c);
	return st == COBOCRED_SUCCESS ? 0 : docker_fail("%s", cobocred_error(ctx));
}

/* Prints the get answer. */
static int answer(const char *url, const struct cobocred_answer *a)
{
	char *out = NULL;
	size_t n = 0;
	int r;

	r = docker_write_creds(url, a->username != NULL ? a->username : "", a->secret,
			       a->secret_len, &out, &n);
	if (r != 0)
		return docker_fail("%s", docker_strerror(r));
	r = docker_reply(out, n) == 0 ? 0 : 1;
	cobocred_secret_free(out);
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
	struct cobocred_request r;
	struct cobocred_answer a;
	char *url = request_url(in, len);
	int rc, st;

	if (url == NULL)
		return 1;
	request(url, &r);
	st = cobocred_fill(ctx, &r, &a);
	if (st == COBOCRED_SUCCESS)
		rc = answer(url, &a); /* ServerURL echoes the request, as the reference does */
	else if (st == COBOCRED_NOTFOUND)
		rc = docker_fail(DOCKER_NOT_FOUND);
	else
		rc = docker_fail("%s", cobocred_error(ctx));
	cobocred_answer_clear(&a);
	free(url);
	return rc;
}

int docker_cmd_erase(struct cobocred_ctx *ctx, const char *in, size_t len)
{
	struct cobocred_request r;
	char *url = request_url(in, len);
	int st;

	if (url == NULL)
		return 1;
	request(url, &r);
	st = cobocred_reject(ctx, &r);
	free(url);
	return st == COBOCRED_SUCCESS ? 0 : docker_fail("%s", cobocred_error(ctx));
}

int docker_cmd_list(struct cobocred_ctx *ctx)
{
	/* list answers ServerURL -> Username: the secrets are never read */
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = COBOCRED_SCHEMA_DOCKER,
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
	cobocred_secret_free(out);
	free(v);
	cobocred_item_free(items);
	return r;
}
