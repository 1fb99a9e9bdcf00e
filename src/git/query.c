/*
 * query.c - request to query and item (see query.h for the matching rules).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

static void add(struct git_query *gq, const char *name, const char *value)
{
	if (value == NULL)
		return;
	gq->attrs[gq->q.n_attrs].name = name;
	gq->attrs[gq->q.n_attrs].value = value;
	gq->q.n_attrs++;
}

void git_query_build(const struct git_req *r, unsigned flags, struct git_query *gq)
{
	memset(gq, 0, sizeof(*gq));
	gq->q.struct_size = sizeof(gq->q);
	gq->q.schema = COBOCRED_SCHEMA_GIT;
	gq->q.attrs = gq->attrs;
	add(gq, "protocol", r->protocol);
	add(gq, "host", r->host);
	add(gq, "path", r->path);
	add(gq, "username", r->username);
	if (flags & GIT_QUERY_EXACT)
		gq->q.flags |= COBOCRED_QUERY_EXACT;
	if ((flags & GIT_QUERY_PASSWORD) && r->password != NULL) {
		gq->q.secret = (const unsigned char *)r->password;
		gq->q.secret_len = strlen(r->password);
	}
}

int git_req_can_get(const struct git_req *r)
{
	return r->protocol != NULL && (r->host != NULL || r->path != NULL);
}

int git_req_can_store(const struct git_req *r)
{
	/* Without a protocol and a host or path there is no key; without a
	 * username and a password (empty ones count) there is no credential. */
	return git_req_can_get(r) && r->username != NULL && r->password != NULL && !r->ephemeral;
}

int git_req_can_erase(const struct git_req *r)
{
	return r->protocol != NULL || r->host != NULL || r->path != NULL || r->username != NULL;
}

/* "Git: https://host/path", the label git-credential-libsecret gives its items. */
static int set_label(struct cobocred_item *it, const struct git_req *r)
{
	const char *path = r->path != NULL ? r->path : "";
	const char *host = r->host != NULL ? r->host : "";
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

static int add_attrs(struct cobocred_item *it, const struct git_req *r)
{
	struct git_query gq;
	size_t i;

	git_query_build(r, 0, &gq);
	for (i = 0; i < gq.q.n_attrs; i++)
		if (cobocred_item_add_attr(it, gq.attrs[i].name, gq.attrs[i].value) != 0)
			return -1;
	return 0;
}

int git_item_build(const struct git_req *r, int64_t now, int64_t timeout,
		   struct cobocred_item **out)
{
	struct cobocred_item *it;
	int64_t expires = r->password_expiry_utc;
	int rc = -1;

	*out = NULL;
	if (r->protocol == NULL || r->password == NULL)
		return -1;
	it = cobocred_item_new(COBOCRED_SCHEMA_GIT);
	if (it == NULL)
		return -1;
	if (timeout > 0 && (expires == 0 || now + timeout < expires))
		expires = now + timeout;
	cobocred_item_set_times(it, now, expires);
	if (set_label(it, r) != 0 || add_attrs(it, r) != 0 ||
	    cobocred_item_set_secret(it, r->password, strlen(r->password)) != 0 ||
	    (r->oauth_refresh_token != NULL &&
	     cobocred_item_set_refresh(it, r->oauth_refresh_token) != 0))
		goto out;
	*out = it;
	it = NULL;
	rc = 0;
out:
	cobocred_item_free(it);
	return rc;
}
