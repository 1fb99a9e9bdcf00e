/*
 * model.c - the file store's in-memory items: ownership and bounds.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "hostmem.h"

void file_store_init(struct file_store *s)
{
	memset(s, 0, sizeof(*s));
}

void file_item_clear(struct file_item *it)
{
	size_t i;

	for (i = 0; i < it->n_attrs; i++) {
		free(it->attrs[i].name);
		free(it->attrs[i].value);
	}
	free(it->attrs);
	free(it->schema);
	free(it->label);
	cobocred_hostmem_free(it->secret);
	cobocred_hostmem_free(it->refresh);
	memset(it, 0, sizeof(*it));
}

void file_store_clear(struct file_store *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		file_item_clear(&s->items[i]);
	free(s->items);
	file_store_init(s);
}

int file_store_append(struct file_store *s, struct file_item *it)
{
	if (s->n >= FILE_MAX_ITEMS)
		return -1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct file_item *v = realloc(s->items, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		s->items = v;
		s->cap = cap;
	}
	s->items[s->n++] = *it;
	memset(it, 0, sizeof(*it));
	return 0;
}

size_t file_store_remove_if(struct file_store *s,
			    int (*drop)(const struct file_item *it, const void *arg),
			    const void *arg)
{
	size_t i, kept = 0, n = s->n;

	/* One pass, compacting: an erase over a large store stays linear. */
	for (i = 0; i < n; i++) {
		if (drop(&s->items[i], arg))
			file_item_clear(&s->items[i]);
		else
			s->items[kept++] = s->items[i];
	}
	s->n = kept;
	return n - kept;
}

static int field_ok(const char *s)
{
	return s == NULL || strlen(s) <= FILE_FIELD_MAX;
}

static int attrs_check(const struct file_item *it, char *err, size_t errlen)
{
	size_t i, j;

	if (it->n_attrs > FILE_MAX_ATTRS) {
		snprintf(err, errlen, "more than %d attributes", FILE_MAX_ATTRS);
		return -1;
	}
	for (i = 0; i < it->n_attrs; i++) {
		const struct file_attr *a = &it->attrs[i];

		if (a->name == NULL || a->name[0] == '\0' || a->value == NULL) {
			snprintf(err, errlen, "attribute %zu has an empty name or no value", i + 1);
			return -1;
		}
		if (!field_ok(a->name) || !field_ok(a->value)) {
			snprintf(err, errlen, "attribute %zu is longer than %d bytes", i + 1,
				 FILE_FIELD_MAX);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(it->attrs[j].name, a->name) == 0) {
				snprintf(err, errlen,
					 "attribute %zu repeats the name of attribute %zu", i + 1,
					 j + 1);
				return -1;
			}
	}
	return 0;
}

int file_item_check(const struct file_item *it, char *err, size_t errlen)
{
	if (it->schema == NULL || it->schema[0] == '\0') {
		snprintf(err, errlen, "item has no schema");
		return -1;
	}
	if (!field_ok(it->schema) || !field_ok(it->label) || !field_ok(it->refresh)) {
		snprintf(err, errlen, "schema, label or refresh token longer than %d bytes",
			 FILE_FIELD_MAX);
		return -1;
	}
	if (it->secret == NULL) {
		snprintf(err, errlen, "item has no secret");
		return -1;
	}
	if (it->secret_len > FILE_SECRET_MAX) {
		snprintf(err, errlen, "secret is larger than %u bytes", FILE_SECRET_MAX);
		return -1;
	}
	if (it->created_at < 0 || it->expires_at < 0) {
		snprintf(err, errlen, "negative created or expires time");
		return -1;
	}
	return attrs_check(it, err, errlen);
}
