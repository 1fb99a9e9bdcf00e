/*
 * cobo_config.h - the Cobo wing's configuration: the engine's INI parser
 * (cfg.h) with the wing's rules for [profile NAME] sections.  Wing-private;
 * the unit tests and the fuzz target parse configurations through it.
 */
#ifndef COBOCRED_COBO_CONFIG_H
#define COBOCRED_COBO_CONFIG_H

#include <stddef.h>

#include "cfg.h"

/*
 * The rule each profile is held to as the file is read: the keys that
 * identify its tokens present, org_id a valid org set (orgset.h), any
 * pin_sha256 well formed (pins.h).  A cobocred_section_rule.
 */
int cobocred_profile_rule(const struct cobocred_section *s, int *line, char *why, size_t whylen);

/* cobocred_config_parse_ruled / _load_ruled with cobocred_profile_rule. */
int cobocred_config_parse(const char *path, const char *text, size_t len,
			  struct cobocred_config **out, char *err, size_t errlen);
int cobocred_config_load(const char *path, struct cobocred_config **out, char *err, size_t errlen);

#endif
