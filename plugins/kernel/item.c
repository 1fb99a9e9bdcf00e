/*
 * item.c - from a key's payload to a host item, and which credentials the
 * module keeps (the policy of kernel.h's options).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hostmem.h"
#include "item.h"
#include "itemmatch.h"

/* A NUL-terminated copy of a view (plain memory: not a secret). */
static char *dup_str(const struct kp_str *s)
{
	char *p = malloc(s->n + 1);

	if (p != NULL) {
		memcpy(p, s->p, s->n);
		p[s->n] = '\0';
	}
	return p;
}

static int add_text(struct cobocred_item *it, const struct cobocred_host *h,
		    const struct kp_str *name, const struct kp_str *value)
{
	char *n = dup_str(name), *v = dup_str(value);
	int r = n != NULL && v != NULL ? h->item_add_attr(it, n, v) : -1;

	free(n);
	free(v);
	return r;
}

static int set_label(struct cobocred_item *it, const struct cobocred_host *h,
		     const struct kp_str *label)
{
	char *l;
	int r;

	if (label->p == NULL)
		return 0;
	l = dup_str(label);
	r = l != NULL ? h->item_set_label(it, l) : -1;
	free(l);
	return r;
}

static int set_refresh(struct cobocred_item *it, const struct cobocred_host *h,
		       const struct kp_str *refresh)
{
	char *r;
	int rc;

	if (refresh->p == NULL)
		return 0;
	r = cobocred_hostmem_dup(refresh->p, refresh->n);
	rc = r != NULL ? h->item_set_refresh(it, r) : -1;
	cobocred_hostmem_free(r);
	return rc;
}

struct cobocred_item *kn_item_from_view(const struct cobocred_host *h, const struct kp_view *v,
					int with_secret)
{
	struct cobocred_item *it;
	char *schema = dup_str(&v->schema);
	size_t i;
	int bad;

	it = schema != NULL ? h->item_new(schema) : NULL;
	free(schema);
	if (it == NULL)
		return NULL;
	bad = set_label(it, h, &v->label);
	for (i = 0; i < v->n_attrs && !bad; i++)
		bad = add_text(it, h, &v->names[i], &v->values[i]);
	if (!bad && with_secret)
		bad = h->item_set_secret(it, v->secret.p, v->secret.n) != 0 ||
		      set_refresh(it, h, &v->refresh) != 0;
	h->item_set_times(it, v->created_at, v->expires_at);
	if (bad) {
		h->item_free(it);
		it = NULL;
	}
	return it;
}

static int is_plain(const char *schema)
{
	return strcmp(schema, COBOCRED_SCHEMA_GIT) == 0 ||
	       strcmp(schema, COBOCRED_SCHEMA_DOCKER) == 0;
}

int kn_takes_schema(const struct kernel_state *s, const char *schema)
{
	if (schema == NULL)
		return 1;
	if (strcmp(schema, COBOCRED_SCHEMA_COBO) == 0)
		return 1;
	return is_plain(schema) && s->lifetime > 0;
}

int kn_timeout(const struct kernel_state *s, const struct cobocred_item *it, int64_t now,
	       unsigned *timeout)
{
	const char *kind;
	int64_t t = 0;

	*timeout = 0;
	if (it->schema == NULL || !kn_takes_schema(s, it->schema))
		return -1;
	if (strcmp(it->schema, COBOCRED_SCHEMA_COBO) == 0) {
		kind = cobocred_item_attr(it, COBOCRED_ATTR_KIND);
		if (kind == NULL ||
		    (strcmp(kind, COBOCRED_KIND_ACCESS) != 0 &&
		     !(strcmp(kind, COBOCRED_KIND_REFRESH) == 0 && s->refresh_tokens)))
			return -1;
	} else {
		t = s->lifetime;
	}
	if (it->expires_at != 0) {
		if (it->expires_at <= now)
			return -1;
		if (t == 0 || it->expires_at - now < t)
			t = it->expires_at - now;
	}
	if (t > (int64_t)0x7fffffff)
		t = 0x7fffffff;
	*timeout = (unsigned)t;
	return 0;
}
