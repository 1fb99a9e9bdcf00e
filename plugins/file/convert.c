/*
 * convert.c - between the host's items and the file store's own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "hostmem.h"

static int copy_attrs(const struct cobocred_item *in, struct file_item *out)
{
	size_t i;

	if (in->n_attrs == 0)
		return 0;
	out->attrs = calloc(in->n_attrs, sizeof(*out->attrs));
	if (out->attrs == NULL)
		return -1;
	for (i = 0; i < in->n_attrs; i++) {
		const struct cobocred_attr *a = &in->attrs[i];
		struct file_attr *b = &out->attrs[i];

		out->n_attrs = i + 1; /* so file_item_clear frees what is there */
		b->name = strdup(a->name != NULL ? a->name : "");
		b->value = a->value != NULL ? strdup(a->value) : NULL;
		if (b->name == NULL || (a->value != NULL && b->value == NULL))
			return -1;
	}
	return 0;
}

static int copy_item(const struct cobocred_item *in, struct file_item *out)
{
	const void *secret = in->secret != NULL ? (const void *)in->secret : "";
	size_t secret_len = in->secret != NULL ? in->secret_len : 0;

	out->created_at = in->created_at;
	out->expires_at = in->expires_at;
	if ((out->schema = strdup(in->schema != NULL ? in->schema : "")) == NULL)
		return -1;
	if (in->label != NULL && (out->label = strdup(in->label)) == NULL)
		return -1;
	out->secret = (unsigned char *)cobocred_hostmem_dup(secret, secret_len);
	if (out->secret == NULL)
		return -1;
	out->secret_len = secret_len;
	if (in->oauth_refresh_token != NULL &&
	    (out->refresh = cobocred_hostmem_dup(in->oauth_refresh_token,
						 strlen(in->oauth_refresh_token))) == NULL)
		return -1;
	return copy_attrs(in, out);
}

int file_item_from_host(const struct cobocred_item *in, struct file_item *out, char *err,
			size_t errlen)
{
	char why[160];

	memset(out, 0, sizeof(*out));
	if (in->n_attrs > FILE_MAX_ATTRS ||
	    (in->secret != NULL && in->secret_len > FILE_SECRET_MAX)) {
		snprintf(err, errlen,
			 "the file store holds at most %d attributes and %u secret bytes "
			 "per item; not stored",
			 FILE_MAX_ATTRS, FILE_SECRET_MAX);
		return -1;
	}
	if (copy_item(in, out) != 0) {
		snprintf(err, errlen, "out of memory copying an item to the file store");
		file_item_clear(out);
		return -1;
	}
	if (file_item_check(out, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "the file store cannot hold this item: %s", why);
		file_item_clear(out);
		return -1;
	}
	return 0;
}

struct cobocred_item *file_item_to_host(const struct cobocred_host *h, const struct file_item *fi)
{
	struct cobocred_item *it = h->item_new(fi->schema);
	size_t i;

	if (it == NULL)
		return NULL;
	if ((fi->label != NULL && h->item_set_label(it, fi->label) != 0) ||
	    h->item_set_secret(it, fi->secret, fi->secret_len) != 0 ||
	    (fi->refresh != NULL && h->item_set_refresh(it, fi->refresh) != 0))
		goto fail;
	for (i = 0; i < fi->n_attrs; i++)
		if (h->item_add_attr(it, fi->attrs[i].name, fi->attrs[i].value) != 0)
			goto fail;
	h->item_set_times(it, fi->created_at, fi->expires_at);
	return it;
fail:
	h->item_free(it);
	return NULL;
}
