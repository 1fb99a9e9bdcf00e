/*
 * unmap.c - Secret Service items back into our items.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "strutil.h"

static int one_of(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

/*
 * git's layout.  An item with attributes git never writes (GVfs's domain
 * or authtype, say) is somebody else's network password: skip it.  What
 * the provider adds to every item (KeePassXC's Title, UserName, ...) is
 * not such an attribute: git-credential-libsecret's items carry it too.
 */
static int git_from_ss(const struct cobocred_host *h, const struct kr_attrs *ss,
		       struct cobocred_item *it)
{
	static const char *const known[] = { KR_XDG_SCHEMA, "user",   "server", "port",
					     "protocol",    "object", NULL };
	const char *xdg = kr_attrs_get(ss, KR_XDG_SCHEMA), *server = kr_attrs_get(ss, "server");
	const char *port = kr_attrs_get(ss, "port"), *v;
	char host[KR_ARENA];
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (!one_of(ss->v[i].name, known) && !kr_provider_attr(ss->v[i].name))
			return KR_SKIP;
	if ((xdg != NULL && !kr_is_git_ss_schema(xdg)) || (port != NULL && server == NULL))
		return KR_SKIP;
	if ((v = kr_attrs_get(ss, "protocol")) != NULL && h->item_add_attr(it, "protocol", v) != 0)
		return -1;
	if (server != NULL) {
		snprintf(host, sizeof(host), "%s%s%s", server, port ? ":" : "", port ? port : "");
		if (h->item_add_attr(it, "host", host) != 0)
			return -1;
	}
	if ((v = kr_attrs_get(ss, "object")) != NULL && h->item_add_attr(it, "path", v) != 0)
		return -1;
	if ((v = kr_attrs_get(ss, "user")) != NULL && h->item_add_attr(it, "username", v) != 0)
		return -1;
	return 0;
}

static int docker_from_ss(const struct cobocred_host *h, const struct kr_attrs *ss,
			  struct cobocred_item *it)
{
	const char *xdg = kr_attrs_get(ss, KR_XDG_SCHEMA), *server = kr_attrs_get(ss, "server");
	const char *user = kr_attrs_get(ss, "username");

	if (xdg == NULL || strcmp(xdg, COBOCRED_SCHEMA_DOCKER) != 0 || server == NULL)
		return KR_SKIP;
	if (h->item_add_attr(it, "server", server) != 0)
		return -1;
	if (user != NULL && h->item_add_attr(it, "username", user) != 0)
		return -1;
	return 0;
}

static int cmp_attr(const void *a, const void *b)
{
	return strcmp(((const struct cobocred_attr *)a)->name,
		      ((const struct cobocred_attr *)b)->name);
}

static int64_t time_attr(const struct kr_attrs *ss, const char *name)
{
	const char *v = kr_attrs_get(ss, name);
	int64_t t = 0;

	if (v == NULL || cobocred_parse_i64(v, 1, INT64_MAX, &t) != 0)
		t = 0;
	return t;
}

/*
 * Every attribute but the metadata and the provider's own, sorted by name
 * so reads are stable.  Any other attribute is kept, so EXACT queries still
 * tell an item with one more attribute from ours.
 */
static int generic_from_ss(const struct cobocred_host *h, const char *schema,
			   const struct kr_attrs *ss, struct cobocred_item *it)
{
	static const char *const meta[] = { KR_XDG_SCHEMA, "expires_at", "created_at", NULL };
	const char *xdg = kr_attrs_get(ss, KR_XDG_SCHEMA);
	struct cobocred_attr sorted[KR_MAX_ATTRS];
	size_t i, n = 0;

	if (xdg == NULL || strcmp(xdg, schema) != 0)
		return KR_SKIP;
	for (i = 0; i < ss->n; i++)
		if (!one_of(ss->v[i].name, meta) && !kr_provider_attr(ss->v[i].name))
			sorted[n++] = ss->v[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_attr);
	for (i = 0; i < n; i++)
		if (h->item_add_attr(it, sorted[i].name, sorted[i].value) != 0)
			return -1;
	h->item_set_times(it, time_attr(ss, "created_at"), time_attr(ss, "expires_at"));
	return 0;
}

int kr_item_from_ss(const struct cobocred_host *h, const char *schema, const struct kr_attrs *ss,
		    const char *label, int64_t created, struct cobocred_item **out)
{
	enum kr_kind kind = kr_kind_of(schema);
	struct cobocred_item *it;
	int r = -1;

	*out = NULL;
	it = h->item_new(schema);
	if (it == NULL)
		return -1;
	if (kind == KR_GIT)
		r = git_from_ss(h, ss, it);
	else if (kind == KR_DOCKER)
		r = docker_from_ss(h, ss, it);
	else
		r = generic_from_ss(h, schema, ss, it);
	if (r != 0)
		goto out;
	r = -1;
	if (label != NULL && h->item_set_label(it, label) != 0)
		goto out;
	if (it->created_at == 0)
		h->item_set_times(it, created, it->expires_at);
	*out = it;
	it = NULL;
	r = 0;
out:
	h->item_free(it);
	return r;
}

int kr_item_set_payload(const struct cobocred_host *h, struct cobocred_item *it,
			const char *payload, size_t plen)
{
	if (kr_kind_of(it->schema) == KR_GIT)
		return kr_git_payload_parse(h, it, payload, plen);
	return h->item_set_secret(it, payload, plen);
}
