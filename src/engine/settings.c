/*
 * settings.c - a module's settings table (ABI 1.2) held against every
 * [profile] section: the module that reads profile settings judges their
 * keys, so an unknown key or a missing required one is a FILE:LINE error
 * when that module loads (loader.c), never a setting silently ignored.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core.h"

static const struct cobocred_setting *find(const struct cobocred_setting *t, const char *key)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, key) == 0)
			return t;
	return NULL;
}

/* "a b c" of the table's names into out. */
static void names(const struct cobocred_setting *t, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (; t->name != NULL && n < outlen; t++) {
		int w = snprintf(out + n, outlen - n, "%s%s", n ? " " : "", t->name);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int check_profile(const struct cobocred_ctx *ctx, const struct cobocred_section *s,
			 const char *module, const struct cobocred_setting *t, char *err,
			 size_t errlen)
{
	char known[512];
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (find(t, s->kv[i].key) != NULL)
			continue;
		names(t, known, sizeof(known));
		snprintf(err, errlen,
			 "%s:%d: unknown key '%s' in [profile %s]; module %s reads: %s",
			 ctx->cfg->path, s->kv[i].line, s->kv[i].key, s->name, module, known);
		return -1;
	}
	for (; t->name != NULL; t++)
		if ((t->flags & COBOCRED_SETTING_REQUIRED) &&
		    cobocred_section_get(s, t->name) == NULL) {
			snprintf(err, errlen,
				 "%s:%d: [profile %s] lacks %s (%s); add '%s = ...' to it",
				 ctx->cfg->path, s->line, s->name, t->name, t->description,
				 t->name);
			return -1;
		}
	return 0;
}

int cobocred_settings_validate(const struct cobocred_ctx *ctx, const char *module,
			       const struct cobocred_setting *table, char *err, size_t errlen)
{
	size_t i;

	if (ctx->cfg == NULL || table == NULL)
		return 0;
	for (i = 0; i < ctx->cfg->n_profiles; i++)
		if (check_profile(ctx, &ctx->cfg->profiles[i], module, table, err, errlen) != 0)
			return -1;
	return 0;
}
