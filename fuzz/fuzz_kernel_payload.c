/*
 * fuzz_kernel_payload.c - libFuzzer target: the kernel module's key
 * payload and description (plugins/kernel/payload.h).
 *
 * Per input:
 *  - as a payload: parse; if accepted, every view lies inside the input,
 *    the item built from the views encodes back to exactly the input
 *    (the format has one spelling), and the description built from it
 *    matches the query of its own attributes, exactly;
 *  - as items: the bytes are cut into schema, attributes and a secret
 *    (any byte values, NUL in the secret); encode -> parse gives them
 *    back exactly, or encode refuses.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred/module.h"
#include "payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

static unsigned char out[KP_MAX_BYTES];

static char *dup_view(const struct kp_str *s)
{
	char *p = malloc(s->n + 1);

	CHECK(p != NULL);
	memcpy(p, s->p, s->n);
	p[s->n] = '\0';
	return p;
}

static int inside(const struct kp_str *s, const uint8_t *data, size_t size)
{
	return s->p == NULL ||
	       ((const uint8_t *)s->p >= data && (const uint8_t *)s->p + s->n <= data + size);
}

static void as_payload(const uint8_t *data, size_t size)
{
	struct cobocred_attr attrs[KP_MAX_ATTRS];
	struct cobocred_item it = { .struct_size = sizeof(it) };
	struct cobocred_query q = { .struct_size = sizeof(q) };
	char err[256], *schema, *label = NULL, *refresh = NULL, desc[KP_DESC_MAX + 1];
	struct kp_view v;
	size_t i, len = 0;

	if (kp_parse(data, size, &v, err, sizeof(err)) != 0) {
		CHECK(strchr(err, '\n') == NULL && err[0] != '\0');
		return;
	}
	CHECK(v.n_attrs <= KP_MAX_ATTRS && inside(&v.schema, data, size) &&
	      inside(&v.secret, data, size) && inside(&v.label, data, size) &&
	      inside(&v.refresh, data, size));
	it.schema = schema = dup_view(&v.schema);
	if (v.label.p != NULL)
		it.label = label = dup_view(&v.label);
	if (v.refresh.p != NULL)
		it.oauth_refresh_token = refresh = dup_view(&v.refresh);
	for (i = 0; i < v.n_attrs; i++) {
		CHECK(inside(&v.names[i], data, size) && inside(&v.values[i], data, size));
		attrs[i].name = dup_view(&v.names[i]);
		attrs[i].value = dup_view(&v.values[i]);
	}
	it.attrs = attrs;
	it.n_attrs = v.n_attrs;
	it.secret = (const unsigned char *)v.secret.p;
	it.secret_len = v.secret.n;
	it.created_at = v.created_at;
	it.expires_at = v.expires_at;
	CHECK(kp_encode(&it, out, sizeof(out), &len, err, sizeof(err)) == 0);
	CHECK(len == size && memcmp(out, data, size) == 0);
	if (kp_describe_view(&v, desc, sizeof(desc)) == 0) {
		q.schema = schema;
		q.attrs = attrs;
		q.n_attrs = v.n_attrs;
		q.flags = COBOCRED_QUERY_EXACT;
		CHECK(kp_desc_matches(desc, &q));
	}
	for (i = 0; i < v.n_attrs; i++) {
		free((char *)attrs[i].name);
		free((char *)attrs[i].value);
	}
	free(schema);
	free(label);
	free(refresh);
}

/* The next NUL-free field of at most 64 bytes (ends at a NUL byte or the input's end). */
static char *field(const uint8_t **p, const uint8_t *end)
{
	size_t n = 0;
	char *s;

	while (*p + n < end && (*p)[n] != 0 && n < 64)
		n++;
	s = malloc(n + 1);
	CHECK(s != NULL);
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += n + (*p + n < end);
	return s;
}

static void as_items(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct cobocred_attr attrs[4];
	struct cobocred_item it = { .struct_size = sizeof(it) };
	char err[256];
	struct kp_view v;
	size_t i, n = size > 0 ? data[0] % 5 : 0, len;

	it.schema = field(&p, end);
	for (i = 0; i < n; i++) {
		attrs[i].name = field(&p, end);
		attrs[i].value = field(&p, end);
	}
	it.attrs = attrs;
	it.n_attrs = n;
	it.secret = p;
	it.secret_len = (size_t)(end - p);
	if (kp_encode(&it, out, sizeof(out), &len, err, sizeof(err)) == 0 &&
	    kp_parse(out, len, &v, err, sizeof(err)) == 0) {
		CHECK(v.secret.n == it.secret_len &&
		      memcmp(v.secret.p, it.secret, v.secret.n) == 0);
		CHECK(v.n_attrs == n && v.schema.n == strlen(it.schema));
		for (i = 0; i < n; i++)
			CHECK(v.values[i].n == strlen(attrs[i].value) &&
			      memcmp(v.values[i].p, attrs[i].value, v.values[i].n) == 0);
	}
	for (i = 0; i < n; i++) {
		free((char *)attrs[i].name);
		free((char *)attrs[i].value);
	}
	free((char *)it.schema);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_payload(data, size);
	as_items(data, size);
	return 0;
}
