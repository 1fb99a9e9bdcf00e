/*
 * item.c - credential items and query matching.
 *
 * An item and everything it points to belongs to the item; secrets (the
 * secret and git's oauth_refresh_token) live in wiped secret memory.
 * The public struct is a view: the attribute array and strings are owned
 * through struct item_impl, of which it is the first member.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "secret.h"
#include "strutil.h"

#define ITEM_MAX_ATTRS 32

struct item_impl {
	struct cobocred_item pub; /* first: the public view */
	struct cobocred_attr attrs[ITEM_MAX_ATTRS];
	char *schema;	 /* owned */
	char *label;	 /* owned */
	char *secret;	 /* owned, secret memory */
	char *refresh;	 /* owned, secret memory */
	char origin[64]; /* the module instance that returned it */
};

static struct item_impl *impl(struct cobocred_item *item)
{
	return (struct item_impl *)item;
}

struct cobocred_item *cobocred_item_new(const char *schema)
{
	struct item_impl *it = calloc(1, sizeof(*it));

	if (it == NULL)
		return NULL;
	it->schema = strdup(schema != NULL ? schema : "");
	if (it->schema == NULL) {
		free(it);
		return NULL;
	}
	it->pub.struct_size = sizeof(it->pub);
	it->pub.schema = it->schema;
	it->pub.attrs = it->attrs;
	return &it->pub;
}

int cobocred_item_set_label(struct cobocred_item *item, const char *label)
{
	struct item_impl *it = impl(item);
	char *copy = strdup(label);

	if (copy == NULL)
		return -1;
	free(it->label);
	it->label = copy;
	item->label = copy;
	return 0;
}

int cobocred_item_add_attr(struct cobocred_item *item, const char *name, const char *value)
{
	struct item_impl *it = impl(item);
	char *n, *v;
	size_t i;

	for (i = 0; i < item->n_attrs; i++)
		if (strcmp(it->attrs[i].name, name) == 0)
			return -1; /* attributes are unique: a second value is a bug */
	if (item->n_attrs >= ITEM_MAX_ATTRS)
		return -1;
	n = strdup(name);
	v = strdup(value);
	if (n == NULL || v == NULL) {
		free(n);
		free(v);
		return -1;
	}
	it->attrs[item->n_attrs].name = n;
	it->attrs[item->n_attrs].value = v;
	item->n_attrs++;
	return 0;
}

int cobocred_item_set_secret(struct cobocred_item *item, const void *secret, size_t len)
{
	struct item_impl *it = impl(item);
	char *copy = cobocred_secret_dup(secret, len);

	if (copy == NULL)
		return -1;
	cobocred_secret_free(it->secret);
	it->secret = copy;
	item->secret = (const unsigned char *)copy;
	item->secret_len = len;
	return 0;
}

int cobocred_item_set_refresh(struct cobocred_item *item, const char *token)
{
	struct item_impl *it = impl(item);
	char *copy = NULL;

	if (token != NULL && (copy = cobocred_secret_dup(token, strlen(token))) == NULL)
		return -1;
	cobocred_secret_free(it->refresh);
	it->refresh = copy;
	item->oauth_refresh_token = copy;
	return 0;
}

void cobocred_item_set_times(struct cobocred_item *item, int64_t created_at, int64_t expires_at)
{
	item->created_at = created_at;
	item->expires_at = expires_at;
}

void cobocred_item_free(struct cobocred_item *list)
{
	while (list != NULL) {
		struct item_impl *it = impl(list);
		struct cobocred_item *next = list->next;
		size_t i;

		for (i = 0; i < list->n_attrs; i++) {
			free((char *)it->attrs[i].name);
			free((char *)it->attrs[i].value);
		}
		free(it->schema);
		free(it->label);
		cobocred_secret_free(it->secret);
		cobocred_secret_free(it->refresh);
		free(it);
		list = next;
	}
}

void cobocred_item_set_origin(struct cobocred_item *list, const char *instance)
{
	for (; list != NULL; list = list->next)
		snprintf(impl(list)->origin, sizeof(impl(list)->origin), "%s", instance);
}

const char *cobocred_item_origin(const struct cobocred_item *item)
{
	if (item == NULL) /* a get that found nothing: no origin, no crash */
		return "";
	return ((const struct item_impl *)item)->origin;
}
