/*
 * cobo_config.c - the Cobo wing's configuration: what a [profile] must
 * hold, checked as the file is read so a bad profile is a FILE:LINE error
 * before anything runs, and the contexts the front-ends open on it.
 */
#include "config.h"

#include <stdio.h>

#include "cobo_config.h"
#include "cobocred.h"
#include "core.h"
#include "orgset.h"
#include "pins.h"

int cobocred_profile_rule(const struct cobocred_section *s, int *line, char *why, size_t whylen)
{
	const char *const *required = cobocred_cobo_identity_keys;
	const char *pins = cobocred_section_get(s, "pin_sha256");
	char sub[256];
	size_t k;

	for (k = 0; required[k] != NULL; k++)
		if (cobocred_section_get(s, required[k]) == NULL) {
			snprintf(why, whylen, "[profile %s] lacks %s; add '%s = ...' to it",
				 s->name, required[k], required[k]);
			return -1;
		}
	/* The org ids go into URLs, store attributes and lock names (orgset.h). */
	if (cobocred_orgs_check(cobocred_section_get(s, "org_id"), sub, sizeof(sub)) != 0) {
		*line = cobocred_section_line(s, "org_id");
		snprintf(why, whylen, "[profile %s] %s", s->name, sub);
		return -1;
	}
	/* A mistyped pin must fail here, never pin nothing or something else (pins.h). */
	if (pins != NULL && cobocred_pins_check(pins, sub, sizeof(sub)) != 0) {
		*line = cobocred_section_line(s, "pin_sha256");
		snprintf(why, whylen, "[profile %s] %s", s->name, sub);
		return -1;
	}
	return 0;
}

int cobocred_config_parse(const char *path, const char *text, size_t len,
			  struct cobocred_config **out, char *err, size_t errlen)
{
	return cobocred_config_parse_ruled(path, text, len, cobocred_profile_rule, out, err,
					   errlen);
}

int cobocred_config_load(const char *path, struct cobocred_config **out, char *err, size_t errlen)
{
	return cobocred_config_load_ruled(path, cobocred_profile_rule, out, err, errlen);
}

int cobocred_ctx_new(const char *config_path, struct cobocred_ctx **out)
{
	return cobocred_engine_ctx_new(config_path, cobocred_profile_rule, out);
}

int cobocred_ctx_new_builtin(struct cobocred_ctx **out)
{
	return cobocred_engine_ctx_new_builtin(cobocred_profile_rule, out);
}
