/*
 * static-module.c - the smallest useful third-party module: answers every
 * get for one schema with a credential fixed in its [module] options.
 *
 * It is built by tests/example/example-module.sh out of tree, against
 * the installed <cobocred/module.h> and cobocred.pc only, to prove that
 * the public ABI is enough to write a module:
 *
 *   cc -shared -fPIC $(pkg-config --cflags cobocred) -o static.so static-module.c
 *
 * and installed with its manifest, static.module, beside it.
 *
 * Options: schema=S username=U password_file=PATH (the secret is read from
 * a file so it never sits in the config).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cobocred/module.h>

struct st {
	const struct cobocred_host *host;
	char schema[128], username[128], password_file[512];
};

static void opt(struct st *s, const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (eq == NULL)
		return;
	if (strncmp(kv, "schema=", 7) == 0)
		snprintf(s->schema, sizeof(s->schema), "%s", eq + 1);
	else if (strncmp(kv, "username=", 9) == 0)
		snprintf(s->username, sizeof(s->username), "%s", eq + 1);
	else if (strncmp(kv, "password_file=", 14) == 0)
		snprintf(s->password_file, sizeof(s->password_file), "%s", eq + 1);
}

static int st_open(const struct cobocred_host *host, int argc, const char *const *argv,
		   void **state)
{
	struct st *s = calloc(1, sizeof(*s));
	int i;

	*state = NULL;
	if (s == NULL)
		return COBOCRED_ERROR;
	s->host = host;
	for (i = 0; i < argc; i++)
		opt(s, argv[i]);
	if (s->schema[0] == '\0' || s->password_file[0] == '\0') {
		host->set_error(host->ctx, "static: set schema= and password_file= in [module]");
		free(s);
		return COBOCRED_UNAVAIL;
	}
	*state = s;
	return COBOCRED_SUCCESS;
}

static void st_close(void *state)
{
	free(state);
}

static int st_get(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct st *s = state;
	const struct cobocred_host *h = s->host;
	char *pw = h->secret_alloc(256);
	struct cobocred_item *it = NULL;
	FILE *f;
	size_t i, n = 0;
	int r = COBOCRED_ERROR;

	*out = NULL;
	if (pw == NULL)
		return COBOCRED_ERROR;
	if (q->schema == NULL || strcmp(q->schema, s->schema) != 0) {
		r = COBOCRED_NOTFOUND;
		goto out;
	}
	f = fopen(s->password_file, "r");
	if (f == NULL) {
		h->set_error(h->ctx, "static: cannot read %s", s->password_file);
		goto out;
	}
	n = fread(pw, 1, 255, f);
	fclose(f);
	while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
		n--;
	it = h->item_new(q->schema);
	if (it == NULL || h->item_set_secret(it, pw, n) != 0)
		goto out;
	for (i = 0; i < q->n_attrs; i++)
		if (q->attrs[i].value != NULL && strcmp(q->attrs[i].name, "username") != 0 &&
		    h->item_add_attr(it, q->attrs[i].name, q->attrs[i].value) != 0)
			goto out;
	if (h->item_add_attr(it, "username", s->username) != 0)
		goto out;
	*out = it;
	it = NULL;
	r = COBOCRED_SUCCESS;
out:
	if (it != NULL)
		h->item_free(it);
	h->secret_free(pw);
	return r;
}

/* git credentials only; its manifest (static.module) says so too. */
static const char *const static_schemas[] = { COBOCRED_SCHEMA_GIT, NULL };

COBOCRED_MODULE_DEFINE(static_module, "static", .caps = COBOCRED_CAP_GET, .open = st_open,
		       .close = st_close, .get = st_get, .schemas = static_schemas)
