/*
 * attrs.c - bounded attribute sets and the small helpers the mapping shares.
 */
#include "config.h"

#include <string.h>

#include "map.h"

void kr_attrs_init(struct kr_attrs *a)
{
	a->n = 0;
	a->used = 0;
}

/* Copies s[0..n) plus a NUL into the arena; NULL when it does not fit. */
static const char *arena_copy(struct kr_attrs *a, const char *s, size_t n)
{
	char *p;

	if (n >= sizeof(a->arena) - a->used)
		return NULL;
	p = a->arena + a->used;
	memcpy(p, s, n);
	p[n] = '\0';
	a->used += n + 1;
	return p;
}

int kr_attrs_addn(struct kr_attrs *a, const char *name, const char *value, size_t vlen)
{
	size_t used = a->used;
	const char *n, *v;

	if (a->n >= KR_MAX_ATTRS)
		return -1;
	n = arena_copy(a, name, strlen(name));
	v = n != NULL ? arena_copy(a, value, vlen) : NULL;
	if (v == NULL) {
		a->used = used;
		return -1;
	}
	a->v[a->n].name = n;
	a->v[a->n].value = v;
	a->n++;
	return 0;
}

int kr_attrs_add(struct kr_attrs *a, const char *name, const char *value)
{
	return kr_attrs_addn(a, name, value, strlen(value));
}

const char *kr_attrs_get(const struct kr_attrs *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return a->v[i].value;
	return NULL;
}

enum kr_kind kr_kind_of(const char *schema)
{
	if (schema != NULL && strcmp(schema, COBOCRED_SCHEMA_GIT) == 0)
		return KR_GIT;
	if (schema != NULL && strcmp(schema, COBOCRED_SCHEMA_DOCKER) == 0)
		return KR_DOCKER;
	return KR_GENERIC;
}

int kr_is_git_ss_schema(const char *ss_schema)
{
	return ss_schema != NULL && (strcmp(ss_schema, COBOCRED_SCHEMA_GIT) == 0 ||
				     strcmp(ss_schema, KR_SS_GIT_LEGACY) == 0);
}

int kr_provider_attr(const char *name)
{
	static const char *const added[] = { "Title", "UserName", "URL", "Notes",
					     "Uuid",  "Path",	  NULL };
	const char *const *p;

	for (p = added; *p != NULL; p++)
		if (strcmp(name, *p) == 0)
			return 1;
	return 0;
}

/*
 * git splits host at its last ':' and keeps the rest as an integer port
 * attribute.  We split only when the rest is a real port (1..65535, digits
 * only), so "[::1]" or "host:" stay whole and still round-trip exactly.
 */
void kr_split_host(const char *host, size_t *server_len, const char **port)
{
	const char *colon = strrchr(host, ':');
	size_t nd;
	unsigned long v = 0;

	*server_len = strlen(host);
	*port = NULL;
	if (colon == NULL || colon == host)
		return;
	nd = strspn(colon + 1, "0123456789");
	if (nd == 0 || nd > 5 || colon[1 + nd] != '\0' || colon[1] == '0')
		return;
	for (size_t i = 1; i <= nd; i++)
		v = v * 10 + (unsigned long)(colon[i] - '0');
	if (v == 0 || v > 65535)
		return;
	*server_len = (size_t)(colon - host);
	*port = colon + 1;
}
