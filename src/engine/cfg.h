/*
 * cfg.h - the INI configuration: [stack], [module NAME], [profile NAME].
 *
 * Parsing is strict: any line that is not understood fails the whole file
 * with "FILE:LINE: what is wrong; how to fix it", so a typo can never
 * silently weaken the stack.
 */
#ifndef COBOCRED_CFG_H
#define COBOCRED_CFG_H

#include <stddef.h>

#include "engine.h" /* COBOCRED_CONFIG_MAX_BYTES */

enum cobocred_op {
	COBOCRED_OP_GET = 0,
	COBOCRED_OP_STORE,
	COBOCRED_OP_ERASE,
	COBOCRED_OP_LIST,
};
#define COBOCRED_OP_COUNT 4

enum cobocred_action {
	COBOCRED_ACT_CONTINUE = 0,
	COBOCRED_ACT_RETURN = 1,
};

struct cobocred_stack_entry {
	char *instance; /* module instance name as written on the line */
	int optional;	/* leading '-': a missing module file is skipped */
	int line;	/* line number, for messages */
	unsigned char action[COBOCRED_STATUS_COUNT];
};

struct cobocred_stack_line {
	struct cobocred_stack_entry *v;
	size_t n;
	int line;
};

struct cobocred_kv {
	char *key;
	char *value;
	int line;
};

struct cobocred_section {
	char *name;
	struct cobocred_kv *kv;
	size_t n;
	int line;
};

struct cobocred_config {
	char *path;	   /* owned; COBOCRED_CONFIG_DEFAULT_NAME for the embedded config */
	int default_stack; /* the file has no [stack]: ops are the built-in default's (line 0) */
	struct cobocred_stack_line ops[COBOCRED_OP_COUNT];
	struct cobocred_section *modules;
	size_t n_modules;
	struct cobocred_section *profiles;
	size_t n_profiles;
};

#define COBOCRED_CONFIG_MAX_LINE 4096

/*
 * Module names -- stack entries, [module NAME] and module = NAME -- are
 * [A-Za-z0-9_-]{1,64}: a name the loader looks up as NAME.so in the module
 * directories only, never a path.  1 when s is one.
 */
#define COBOCRED_MODULE_NAME_MAX 64
int cobocred_module_name_ok(const char *s);

#define COBOCRED_CONFIG_DEFAULT_NAME "(built-in default)"

/*
 * The configuration used when no file exists; its [stack] also serves a
 * file without one.  A [stack] section that names no module is an error.
 */
extern const char cobocred_config_default[];  /* desktop: a D-Bus session bus */
extern const char cobocred_config_headless[]; /* no session bus */
/* The built-in configuration for this process (see cfg.c and cobo-credential.conf(5)). */
const char *cobocred_config_builtin(void);

/*
 * The rule of the layer above for each [profile NAME] section, whose keys
 * the engine stores but does not judge: called once per profile after the
 * whole file is read, before the stack is checked.  0, or -1 with one line
 * in why and *line the line it is about (left 0: the section's own line).
 */
typedef int (*cobocred_section_rule)(const struct cobocred_section *s, int *line, char *why,
				     size_t whylen);

/*
 * Parses text (len bytes) read from path, holding each profile to rule
 * (NULL: none).  On error returns ERROR, *out NULL and a "path:line: ..."
 * message in err.
 */
int cobocred_config_parse_ruled(const char *path, const char *text, size_t len,
				cobocred_section_rule rule, struct cobocred_config **out, char *err,
				size_t errlen);
/*
 * Reads and parses a file after checking it is a regular file owned by the
 * user or root and not writable by group or others.
 */
int cobocred_config_load_ruled(const char *path, cobocred_section_rule rule,
			       struct cobocred_config **out, char *err, size_t errlen);
void cobocred_config_free(struct cobocred_config *cfg);

const char *cobocred_section_get(const struct cobocred_section *s, const char *key);
/* The line key is set on in s; 0 when s is NULL or lacks it. */
int cobocred_section_line(const struct cobocred_section *s, const char *key);
const struct cobocred_section *cobocred_config_module(const struct cobocred_config *cfg,
						      const char *instance);
const struct cobocred_section *cobocred_config_profile(const struct cobocred_config *cfg,
						       const char *name);
/*
 * How many times cobocred_config_profile ran in this process: the unit
 * tests prove with it that a routed call finds its profile once.
 */
unsigned long cobocred_config_profile_lookups(void);
const char *cobocred_op_name(enum cobocred_op op);

#endif
