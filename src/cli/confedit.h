/*
 * confedit.h - rewriting the configuration file the way a person would:
 * one [profile NAME] section replaced, added or removed, one key set,
 * every other line (comments, other sections, the stack) kept verbatim.
 *
 * The text functions are pure (unit-tested); cli_conf_save() writes the
 * result atomically with mode 0600 after proving that it parses.
 */
#ifndef COBOCRED_CLI_CONFEDIT_H
#define COBOCRED_CLI_CONFEDIT_H

#include <stddef.h>

#include "sbuf.h"
#include "cli.h"

struct cli_kv {
	const char *key;
	const char *value;
};

/* 1 if value can be written on a config line and read back unchanged. */
int cli_conf_value_ok(const char *value);

/*
 * Writes text with [profile name] replaced by (or, when absent, followed
 * by) a section holding kv[0..n).  0, or -1 when out of memory.
 */
int cli_conf_put_profile(const char *text, const char *name, const struct cli_kv *kv, size_t n,
			 struct cobocred_sbuf *out);
/* Writes text without [profile name].  0 removed, 1 no such section, -1 out of memory. */
int cli_conf_remove_profile(const char *text, const char *name, struct cobocred_sbuf *out);
/* Writes text with key = value set in [profile name].  0, 1 no such section, -1 OOM. */
int cli_conf_set_key(const char *text, const char *name, const char *key, const char *value,
		     struct cobocred_sbuf *out);

/*
 * The file setup and key commands write: --config, $COBO_CREDENTIAL_CONFIG,
 * else $XDG_CONFIG_HOME/cobo-credential/config (~/.config/... without it).
 * 0, or -1 when no home is known.
 */
int cli_conf_target(const struct cli *cli, char *path, size_t len);

/*
 * The text to edit: the target file if it exists, else the configuration
 * in use (a system-wide file), else the built-in default.  *text is
 * malloc'ed.  Returns CLI_EX_*, error printed.
 */
int cli_conf_load_text(struct cli *cli, const char *target, char **text);

/*
 * Replaces path with text: parent directory created private if missing,
 * the new text written beside it (0600), parsed by the core, then renamed
 * over path.  Returns CLI_EX_*, error printed.
 */
int cli_conf_save(const char *path, const char *text);

#endif
