/*
 * schema_owner.c - the module that owns a schema owns its profile settings
 * and its key handling; this file finds it and asks it.
 *
 * Why here and not in the front-ends: the command line used to parse app
 * keys itself (and so loaded libcrypto), and listed the profile keys a
 * third time.  Now the CLI calls these functions, which load the owner
 * module (cobo-oauth, and with it OpenSSL) only when a key operation or a
 * settings check runs; a cached token never loads it.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cobocred.h"
#include "core.h"
#include "reqops.h"
#include "secret.h"

/*
 * 1 if [module NAME] schemas = ... lets instance serve schema; with no such
 * list, 1 unless explicit, where the module's manifest must name the
 * schema and say it mints (loader.c), as an owner does.
 */
static int schema_listed(struct cobocred_ctx *ctx, const char *instance, const char *schema,
			 int explicit)
{
	const char *list = cobocred_section_get(cobocred_config_module(ctx->cfg, instance),
						"schemas");
	size_t n = strlen(schema), w;

	if (list == NULL)
		return explicit ? cobocred_instance_known_to_serve(ctx, instance, schema) &&
					  cobocred_instance_known_to_mint(ctx, instance)
				: 1;
	for (; *list; list += w) {
		list += strspn(list, " ,\t");
		w = strcspn(list, " ,\t");
		if (w == n && strncmp(list, schema, n) == 0)
			return 1;
	}
	return 0;
}

static int owns(const struct instance *in)
{
	return in->state == INST_READY && (in->mod.caps & COBOCRED_CAP_MINT) &&
	       (in->mod.settings != NULL || in->mod.keys != NULL);
}

/*
 * The owner of schema: the first minting instance of the get line that
 * declares settings or keys.  NULL with the message set; a failed load of
 * a candidate (a bad profile key, say) is the message then.
 */
static struct instance *owner(struct cobocred_ctx *ctx, const char *schema, int *status)
{
	const struct cobocred_stack_line *l;
	const struct instance *failed = NULL;
	struct instance *in;
	size_t i;
	int pass;

	*status = COBOCRED_ERROR;
	if (ctx->cfg == NULL)
		return NULL;
	l = &ctx->cfg->ops[COBOCRED_OP_GET];
	/* Pass 0: instances whose [module] section names the schema, or whose
	 * manifest says they mint it (loader.c), so the stores before them
	 * need not load; pass 1: every instance it may reach. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < l->n; i++) {
			if (!schema_listed(ctx, l->v[i].instance, schema, pass == 0))
				continue;
			in = cobocred_instance(ctx, l->v[i].instance, &l->v[i]);
			if (in != NULL && owns(in))
				return in;
			if (in != NULL && in->state == INST_FAILED && failed == NULL)
				failed = in;
		}
	if (failed != NULL) {
		cobocred_set_error(ctx, "%s", failed->error);
		*status = failed->status;
	} else {
		cobocred_set_error(ctx,
				   "no module on the [stack] get line of %s handles %s "
				   "settings and keys; put cobo-oauth on that line",
				   ctx->cfg->path, schema);
		*status = COBOCRED_UNAVAIL;
	}
	return NULL;
}

struct instance *cobocred_schema_owner(struct cobocred_ctx *ctx, const char *schema, int *status)
{
	return owner(ctx, schema, status);
}

int cobocred_schema_settings(struct cobocred_ctx *ctx, const char *schema,
			     const struct cobocred_setting **out)
{
	struct instance *in;
	int st;

	*out = NULL;
	in = owner(ctx, schema, &st);
	if (in == NULL)
		return st;
	*out = in->mod.settings;
	return COBOCRED_SUCCESS;
}

/* The key operations of schema's owner, or NULL with *status and the message set. */
static const struct cobocred_key_ops *key_ops(struct cobocred_ctx *ctx, const char *schema,
					      size_t need, void **state, int *status)
{
	struct instance *in = owner(ctx, schema, status);
	const struct cobocred_key_ops *k = in != NULL ? in->mod.keys : NULL;

	if (in != NULL && (k == NULL || k->struct_size < need)) {
		cobocred_set_error(ctx, "module '%s' cannot do that with app keys; upgrade it",
				   in->name);
		*status = COBOCRED_UNAVAIL;
		return NULL;
	}
	if (k != NULL)
		*state = in->mstate;
	return k;
}

#define NEED(field) (offsetof(struct cobocred_key_ops, field) + sizeof(void (*)(void)))

/* A module's answer: a valid status, a secret only with SUCCESS. */
static int settle(struct cobocred_ctx *ctx, int st, char **secret, size_t *len)
{
	if (st < 0 || st >= COBOCRED_STATUS_COUNT) {
		cobocred_set_error(ctx,
				   "a key operation returned invalid status %d; report this bug",
				   st);
		st = COBOCRED_ERROR;
	}
	if (st == COBOCRED_SUCCESS && secret != NULL && *secret == NULL) {
		cobocred_set_error(ctx, "a key operation returned no key; report this bug");
		st = COBOCRED_ERROR;
	}
	if (st != COBOCRED_SUCCESS && secret != NULL) {
		cobocred_secret_free(*secret);
		*secret = NULL;
		*len = 0;
	}
	return st;
}

int cobocred_key_generate(struct cobocred_ctx *ctx, const char *schema, char **secret,
			  size_t *secret_len, char *pub, size_t publen)
{
	void *state = NULL;
	const struct cobocred_key_ops *k;
	int st;

	*secret = NULL;
	*secret_len = 0;
	pub[0] = '\0';
	k = key_ops(ctx, schema, NEED(generate), &state, &st);
	if (k == NULL)
		return st;
	ctx->error[0] = '\0';
	st = k->generate != NULL ? k->generate(state, secret, secret_len, pub, publen)
				 : COBOCRED_UNAVAIL;
	return settle(ctx, st, secret, secret_len);
}

int cobocred_key_import(struct cobocred_ctx *ctx, const char *schema, const char *text, size_t len,
			char **secret, size_t *secret_len, char *pub, size_t publen)
{
	void *state = NULL;
	const struct cobocred_key_ops *k;
	int st;

	*secret = NULL;
	*secret_len = 0;
	pub[0] = '\0';
	k = key_ops(ctx, schema, NEED(import), &state, &st);
	if (k == NULL)
		return st;
	ctx->error[0] = '\0';
	st = k->import != NULL ? k->import(state, text, len, secret, secret_len, pub, publen)
			       : COBOCRED_UNAVAIL;
	return settle(ctx, st, secret, secret_len);
}

int cobocred_key_public(struct cobocred_ctx *ctx, const char *schema, const char *profile,
			char *pub, size_t publen)
{
	void *state = NULL;
	const struct cobocred_key_ops *k;
	int st;

	pub[0] = '\0';
	k = key_ops(ctx, schema, NEED(public_key), &state, &st);
	if (k == NULL)
		return st;
	ctx->error[0] = '\0';
	st = k->public_key != NULL ? k->public_key(state, profile, pub, publen) : COBOCRED_UNAVAIL;
	return settle(ctx, st, NULL, NULL);
}

int cobocred_key_generate_token(struct cobocred_ctx *ctx, const char *schema, const char *where,
				char *pub, size_t publen)
{
	void *state = NULL;
	const struct cobocred_key_ops *k;
	int st;

	pub[0] = '\0';
	k = key_ops(ctx, schema, NEED(generate_token), &state, &st);
	if (k == NULL)
		return st;
	ctx->error[0] = '\0';
	st = k->generate_token != NULL ? k->generate_token(state, where, pub, publen)
				       : COBOCRED_UNAVAIL;
	return settle(ctx, st, NULL, NULL);
}

int cobocred_error_in_config(const struct cobocred_ctx *ctx)
{
	return ctx->bad_setting[0] != '\0' && strcmp(ctx->error, ctx->bad_setting) == 0;
}
