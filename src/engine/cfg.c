/*
 * cfg.c - strict INI parser for the cobo-credential configuration.
 */
#include "config.h"

#include "cfg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "status.h"
#include "strutil.h"

/*
 * Used when no file exists, and for a file without a [stack] section; the
 * reasons are in cobo-credential.conf(5).  Two forms, chosen by whether
 * the process has a D-Bus session bus (cobocred_config_builtin):
 *
 * desktop: the kernel keyring in front of the desktop keyring.  A cached
 * get is a few system calls; a hit in the keyring fills the kernel tier
 * (stack.c).  Access tokens go to both tiers ([optional]: a kernel tier
 * that is denied or full never stops the durable store), refresh tokens
 * and plain credentials to the keyring only (the kernel module refuses
 * them unless configured), the file only where no keyring answers.
 *
 * headless: no session bus, so no keyring answers (it stays on the lines
 * so that 'doctor' can say why, and costs nothing: UNAVAIL before any
 * D-Bus call).  The kernel tier holds access tokens in memory, never on
 * disk (its SUCCESS ends the store); the refresh token (which the kernel
 * module refuses) and plain credentials go on to the 0600 file.  Where
 * keyctl is denied (a container's seccomp profile) the kernel module is
 * UNAVAIL and the file holds everything, as before.  The two forms differ
 * only in the kernel entry's actions on the store line.
 *
 * The store line's default actions (see store_actions) keep a secret from
 * falling past a locked keyring to the file.
 */
const char cobocred_config_default[] =
	"# built-in default (desktop): the kernel keyring in front of the desktop keyring,\n"
	"# a 0600 file where no keyring answers\n"
	"[stack]\n"
	"get   = kernel keyring file cobo-oauth\n"
	"store = kernel [optional] keyring file\n"
	"erase = kernel [SUCCESS=continue] keyring [SUCCESS=continue] file\n"
	"list  = kernel [SUCCESS=continue] keyring [SUCCESS=continue] file\n";

const char cobocred_config_headless[] =
	"# built-in default (headless): access tokens in the kernel keyring, never on disk;\n"
	"# refresh tokens and plain credentials in the keyring if one answers, else a 0600 file\n"
	"[stack]\n"
	"get   = kernel keyring file cobo-oauth\n"
	"store = kernel keyring file\n"
	"erase = kernel [SUCCESS=continue] keyring [SUCCESS=continue] file\n"
	"list  = kernel [SUCCESS=continue] keyring [SUCCESS=continue] file\n";

/* The keyring module's own first test (plugins/keyring/bus.c): no address, no keyring. */
const char *cobocred_config_builtin(void)
{
	const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");

	return bus != NULL && bus[0] != '\0' ? cobocred_config_default : cobocred_config_headless;
}

/* Schema names a `schemas =` option may use; anything else is a typo that must fail closed. */
static const char *const known_schemas[] = {
	COBOCRED_SCHEMA_GIT,
	COBOCRED_SCHEMA_DOCKER,
	COBOCRED_SCHEMA_COBO,
	COBOCRED_SCHEMA_APP_SECRET,
	NULL,
};

static const char *const op_names[COBOCRED_OP_COUNT] = { "get", "store", "erase", "list" };

struct parser {
	const char *path;
	int line;
	char *err;
	size_t errlen;
	struct cobocred_config *cfg;
	struct cobocred_section *cur; /* NULL outside module/profile sections */
	int cur_is_profile;
	int in_stack;
	int stack_line; /* line of the [stack] header; 0: none */
};

const char *cobocred_op_name(enum cobocred_op op)
{
	return (unsigned)op < COBOCRED_OP_COUNT ? op_names[op] : "?";
}

static int perr(struct parser *p, const char *fmt, ...) COBOCRED_PRINTF(2, 3);
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return COBOCRED_ERROR;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return COBOCRED_ERROR;
}

static int valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/* ASCII only, whatever the locale says isalnum() means. */
static int module_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int cobocred_module_name_ok(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && module_name_char((unsigned char)s[n]))
		n++;
	return s[n] == '\0' && n > 0 && n <= COBOCRED_MODULE_NAME_MAX;
}

/* A short copy of an untrusted name fit for a message: no control or
 * non-ASCII bytes (shown as '?'), at most 40 of them then "...". */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < len && i < 40; i++)
		buf[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	if (s[i] != '\0' && i + 4 <= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* Stack entries, [module NAME] and module = NAME: refused at parse time. */
static int check_module_name(struct parser *p, const char *what, const char *name)
{
	char buf[48];

	if (cobocred_module_name_ok(name))
		return 0;
	return perr(p,
		    "bad module name '%s' in %s; module names use letters, digits, '-' and "
		    "'_' (at most %d) and are looked up only in the module directories",
		    shown(name, buf, sizeof(buf)), what, COBOCRED_MODULE_NAME_MAX);
}

/*
 * SUCCESS returns, ERROR returns (ARCHITECTURE.md, "Conventions": a bug or bad configuration
 * fails closed, so a store that refuses its own file cannot be bypassed by
 * minting behind its back), everything else continues.
 */
static void default_actions(unsigned char *action)
{
	int i;

	for (i = 0; i < COBOCRED_STATUS_COUNT; i++)
		action[i] = COBOCRED_ACT_CONTINUE;
	action[COBOCRED_SUCCESS] = COBOCRED_ACT_RETURN;
	action[COBOCRED_ERROR] = COBOCRED_ACT_RETURN;
}

/*
 * Stores never downgrade: on the store line only UNAVAIL (no such tier
 * here: no keyring at all) and NOTFOUND (the module does not take that
 * schema) go on to the next module.  A tier that is present but locked or
 * failing (TRYAGAIN, DENIED, ERROR) ends the store with its reason, so a
 * locked keyring never turns a secret into a plaintext file.  The config
 * can still say otherwise on purpose ([TRYAGAIN=continue]).
 */
static void store_actions(unsigned char *action)
{
	int i;

	for (i = 0; i < COBOCRED_STATUS_COUNT; i++)
		action[i] = COBOCRED_ACT_RETURN;
	action[COBOCRED_NOTFOUND] = COBOCRED_ACT_CONTINUE;
	action[COBOCRED_UNAVAIL] = COBOCRED_ACT_CONTINUE;
}

static void line_default_actions(int op, unsigned char *action)
{
	if (op == COBOCRED_OP_STORE)
		store_actions(action);
	else
		default_actions(action);
}

/* A preset word in an action block (PAM-style shorthands). */
static int apply_preset(const char *word, unsigned char *action)
{
	int i;

	if (strcasecmp(word, "sufficient") == 0) { /* the default */
		default_actions(action);
	} else if (strcasecmp(word, "requisite") == 0) { /* stop on anything */
		for (i = 0; i < COBOCRED_STATUS_COUNT; i++)
			action[i] = COBOCRED_ACT_RETURN;
	} else if (strcasecmp(word, "optional") == 0) { /* run, never stop */
		for (i = 0; i < COBOCRED_STATUS_COUNT; i++)
			action[i] = COBOCRED_ACT_CONTINUE;
	} else if (strcasecmp(word, "fallback") == 0) { /* only UNAVAIL/NOTFOUND go on */
		store_actions(action);
	} else {
		return -1;
	}
	return 0;
}

/* One word inside [...]: STATUS=ACTION or a preset. */
static int parse_action_word(struct parser *p, const char *w, unsigned char *action)
{
	const char *eq = strchr(w, '=');
	int st;

	if (eq == NULL) {
		if (apply_preset(w, action) == 0)
			return 0;
		return perr(p,
			    "unknown action '%s'; use STATUS=return|continue "
			    "or a preset: sufficient, requisite, optional, fallback",
			    w);
	}
	st = cobocred_status_from_name(w, (size_t)(eq - w));
	if (st < 0)
		return perr(p,
			    "unknown status in '%s'; statuses are SUCCESS NOTFOUND "
			    "UNAVAIL TRYAGAIN DENIED ERROR",
			    w);
	if (strcasecmp(eq + 1, "return") == 0)
		action[st] = COBOCRED_ACT_RETURN;
	else if (strcasecmp(eq + 1, "continue") == 0)
		action[st] = COBOCRED_ACT_CONTINUE;
	else
		return perr(p, "unknown action '%s' in '%s'; use return or continue", eq + 1, w);
	return 0;
}

/* "[A=b C=d]" starting at *s; advances *s past ']'. */
static int parse_action_block(struct parser *p, const char **s, unsigned char *action)
{
	const char *q = *s + 1, *end = strchr(q, ']');
	char word[64];

	if (end == NULL)
		return perr(p, "'[' without ']' in stack line; close the action block");
	while (q < end) {
		size_t n;

		while (q < end && isspace((unsigned char)*q))
			q++;
		n = 0;
		while (q + n < end && !isspace((unsigned char)q[n]))
			n++;
		if (n == 0)
			break;
		if (n >= sizeof(word))
			return perr(p, "action word too long in stack line");
		memcpy(word, q, n);
		word[n] = '\0';
		if (parse_action_word(p, word, action) != 0)
			return COBOCRED_ERROR;
		q += n;
	}
	*s = end + 1;
	return 0;
}

static int stack_push(struct parser *p, int op, struct cobocred_stack_line *sl, const char *name,
		      size_t n)
{
	struct cobocred_stack_entry *v, *e;
	int optional = 0;

	if (n > 0 && name[0] == '-') {
		optional = 1;
		name++;
		n--;
	}
	v = realloc(sl->v, (sl->n + 1) * sizeof(*v));
	if (v == NULL)
		return perr(p, "out of memory");
	sl->v = v;
	e = &v[sl->n];
	memset(e, 0, sizeof(*e));
	e->instance = strndup(name, n);
	if (e->instance == NULL)
		return perr(p, "out of memory");
	sl->n++;
	e->optional = optional;
	e->line = p->line;
	line_default_actions(op, e->action);
	return check_module_name(p, "[stack]", e->instance);
}

static int parse_stack_value(struct parser *p, int op, const char *s)
{
	struct cobocred_stack_line *sl = &p->cfg->ops[op];

	while (*s) {
		size_t n = 0;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if (*s == '[') {
			if (sl->n == 0)
				return perr(p, "action block before any module; write it after "
					       "the module it applies to");
			if (parse_action_block(p, &s, sl->v[sl->n - 1].action) != 0)
				return COBOCRED_ERROR;
			continue;
		}
		while (s[n] && !isspace((unsigned char)s[n]) && s[n] != '[')
			n++;
		if (stack_push(p, op, sl, s, n) != 0)
			return COBOCRED_ERROR;
		s += n;
	}
	if (sl->n == 0)
		return perr(p, "empty stack line; name at least one module");
	return 0;
}

static int stack_line(struct parser *p, const char *key, const char *value)
{
	int op;

	for (op = 0; op < COBOCRED_OP_COUNT; op++)
		if (strcmp(key, op_names[op]) == 0)
			break;
	if (op == COBOCRED_OP_COUNT)
		return perr(p, "unknown operation '%s' in [stack]; use get, store, erase or list",
			    key);
	if (p->cfg->ops[op].line != 0)
		return perr(p, "'%s' set twice in [stack] (first on line %d); keep one", key,
			    p->cfg->ops[op].line);
	p->cfg->ops[op].line = p->line;
	return parse_stack_value(p, op, value);
}

static int known_schema(const char *s, size_t n)
{
	size_t i;

	for (i = 0; known_schemas[i] != NULL; i++)
		if (strlen(known_schemas[i]) == n && strncmp(known_schemas[i], s, n) == 0)
			return 1;
	return 0;
}

/* `schemas =` in a [module] section: every name a known schema, at least one. */
static int check_schemas(struct parser *p, const char *list)
{
	int any = 0;

	while (*list) {
		size_t w;

		list += strspn(list, " ,\t");
		w = strcspn(list, " ,\t");
		if (w == 0)
			break;
		if (!known_schema(list, w))
			return perr(
				p,
				"unknown schema '%.*s' in schemas of [module %s]; known schemas: "
				"%s %s %s %s",
				(int)(w > 80 ? 80 : w), list, p->cur->name, known_schemas[0],
				known_schemas[1], known_schemas[2], known_schemas[3]);
		any = 1;
		list += w;
	}
	if (!any)
		return perr(p,
			    "empty schemas in [module %s]; name a schema, or drop the line to "
			    "use the module's own default",
			    p->cur->name);
	return 0;
}

static int section_kv(struct parser *p, const char *key, const char *value)
{
	struct cobocred_section *s = p->cur;
	struct cobocred_kv *kv;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return perr(p, "'%s' set twice in [%s] (first on line %d); keep one", key,
				    s->name, s->kv[i].line);
	kv = realloc(s->kv, (s->n + 1) * sizeof(*kv));
	if (kv == NULL)
		return perr(p, "out of memory");
	s->kv = kv;
	kv[s->n].key = strdup(key);
	kv[s->n].value = strdup(value);
	kv[s->n].line = p->line;
	s->n++;
	if (kv[s->n - 1].key == NULL || kv[s->n - 1].value == NULL)
		return perr(p, "out of memory");
	return 0;
}

static int key_value(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *key, *value;

	if (eq == NULL)
		return perr(p, "expected 'key = value' or '[section]', got '%.40s'", s);
	*eq = '\0';
	key = cobocred_trim(s);
	value = cobocred_trim(eq + 1);
	if (!valid_name(key))
		return perr(p, "bad key '%.40s'; keys use letters, digits, '-', '_', '.'", key);
	if (p->in_stack)
		return stack_line(p, key, value);
	if (p->cur == NULL)
		return perr(p,
			    "'%s' outside any section; put it under [stack], "
			    "[module NAME] or [profile NAME]",
			    key);
	if (!p->cur_is_profile && strcmp(key, "module") == 0 &&
	    check_module_name(p, "'module ='", value) != 0)
		return COBOCRED_ERROR;
	/* Which profile keys exist is the owner module's to say (schema_owner.c). */
	if (!p->cur_is_profile && strcmp(key, "schemas") == 0 && check_schemas(p, value) != 0)
		return COBOCRED_ERROR;
	return section_kv(p, key, value);
}

static int new_section(struct parser *p, struct cobocred_section **arr, size_t *n, const char *kind,
		       const char *name)
{
	struct cobocred_section *v;
	size_t i;

	if (strcmp(kind, "module") == 0 && check_module_name(p, "[module NAME]", name) != 0)
		return COBOCRED_ERROR;
	if (!valid_name(name))
		return perr(p, "bad %s name '%.40s'; names use letters, digits, '-', '_', '.'",
			    kind, name);
	for (i = 0; i < *n; i++)
		if (strcmp((*arr)[i].name, name) == 0)
			return perr(p, "[%s %s] defined twice (first on line %d); merge them", kind,
				    name, (*arr)[i].line);
	v = realloc(*arr, (*n + 1) * sizeof(*v));
	if (v == NULL)
		return perr(p, "out of memory");
	*arr = v;
	memset(&v[*n], 0, sizeof(v[*n]));
	v[*n].name = strdup(name);
	v[*n].line = p->line;
	p->cur = &v[*n];
	(*n)++;
	return v[*n - 1].name == NULL ? perr(p, "out of memory") : 0;
}

static int section_header(struct parser *p, char *s)
{
	char *end = strchr(s, ']'), *name, *sp;

	if (end == NULL || cobocred_trim(end + 1)[0] != '\0')
		return perr(p,
			    "bad section header; write [stack], [module NAME] or [profile NAME]");
	*end = '\0';
	name = cobocred_trim(s + 1);
	p->cur = NULL;
	p->cur_is_profile = 0;
	p->in_stack = 0;
	if (strcmp(name, "stack") == 0) {
		p->in_stack = 1;
		if (p->stack_line == 0)
			p->stack_line = p->line;
		return 0;
	}
	sp = name + strcspn(name, " \t");
	if (*sp != '\0') {
		*sp = '\0';
		sp = cobocred_trim(sp + 1);
		if (strcmp(name, "module") == 0)
			return new_section(p, &p->cfg->modules, &p->cfg->n_modules, "module", sp);
		if (strcmp(name, "profile") == 0) {
			p->cur_is_profile = 1;
			return new_section(p, &p->cfg->profiles, &p->cfg->n_profiles, "profile",
					   sp);
		}
	}
	return perr(p,
		    "unknown section [%.40s]; sections are [stack], [module NAME], "
		    "[profile NAME]",
		    name);
}

/* Drops a comment: '#' or ';' first on the line, or '#' after a blank. */
static void strip_comment(char *s)
{
	char *q;

	if (*s == '#' || *s == ';') {
		*s = '\0';
		return;
	}
	for (q = s; *q; q++)
		if (*q == '#' && q > s && isspace((unsigned char)q[-1])) {
			*q = '\0';
			return;
		}
}

static int parse_line(struct parser *p, char *s)
{
	s = cobocred_trim(s);
	strip_comment(s);
	s = cobocred_trim(s);
	if (*s == '\0')
		return 0;
	if (*s == '[')
		return section_header(p, s);
	return key_value(p, s);
}

/*
 * A file without [stack] gets the built-in default stack: a file with only
 * [profile] sections is what people write.  Its entries carry line 0: they
 * come from no line of the file.
 */
static int default_stack(struct parser *p)
{
	struct cobocred_config *def = NULL;
	size_t op, i;

	const char *text = cobocred_config_builtin();

	if (cobocred_config_parse_ruled(COBOCRED_CONFIG_DEFAULT_NAME, text, strlen(text), NULL,
					&def, p->err, p->errlen) != 0)
		return COBOCRED_ERROR;
	for (op = 0; op < COBOCRED_OP_COUNT; op++) {
		p->cfg->ops[op] = def->ops[op];
		for (i = 0; i < p->cfg->ops[op].n; i++)
			p->cfg->ops[op].v[i].line = 0;
		p->cfg->ops[op].line = 0;
		memset(&def->ops[op], 0, sizeof(def->ops[op]));
	}
	p->cfg->default_stack = 1;
	cobocred_config_free(def);
	return 0;
}

/* The stack: the built-in one without [stack]; a [stack] that names nothing is an error. */
static int finish_stack(struct parser *p)
{
	size_t op, n = 0;

	if (p->stack_line == 0)
		return default_stack(p);
	for (op = 0; op < COBOCRED_OP_COUNT; op++)
		n += p->cfg->ops[op].n;
	if (n == 0) {
		p->line = p->stack_line;
		return perr(p, "[stack] names no module, so nothing would be found or stored; add "
			       "lines such as 'get = keyring file cobo-oauth', or drop [stack] for "
			       "the built-in default");
	}
	return 0;
}

/* Checks that need the whole file: the wing's rule on each [profile], then the stack. */
static int validate(struct parser *p, cobocred_section_rule rule)
{
	char why[512];
	size_t i;
	int line;

	for (i = 0; rule != NULL && i < p->cfg->n_profiles; i++) {
		const struct cobocred_section *s = &p->cfg->profiles[i];

		line = 0;
		why[0] = '\0';
		if (rule(s, &line, why, sizeof(why)) != 0) {
			p->line = line != 0 ? line : s->line;
			return perr(p, "%s", why);
		}
	}
	return finish_stack(p);
}

int cobocred_config_parse_ruled(const char *path, const char *text, size_t len,
				cobocred_section_rule rule, struct cobocred_config **out, char *err,
				size_t errlen)
{
	struct parser p = { .path = path, .err = err, .errlen = errlen };
	char line[COBOCRED_CONFIG_MAX_LINE + 1];
	size_t pos = 0;
	int r = COBOCRED_ERROR;

	*out = NULL;
	if (len > COBOCRED_CONFIG_MAX_BYTES)
		return perr(&p, "file larger than %d bytes; is this the right file?",
			    COBOCRED_CONFIG_MAX_BYTES);
	p.cfg = calloc(1, sizeof(*p.cfg));
	if (p.cfg == NULL || (p.cfg->path = strdup(path)) == NULL) {
		perr(&p, "out of memory");
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;

		p.line++;
		if (n > COBOCRED_CONFIG_MAX_LINE) {
			perr(&p, "line longer than %d bytes; shorten it", COBOCRED_CONFIG_MAX_LINE);
			goto out;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			perr(&p, "NUL byte in line; the file is not text");
			goto out;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (parse_line(&p, line) != 0)
			goto out;
		pos += n + 1;
	}
	if (validate(&p, rule) != 0)
		goto out;
	*out = p.cfg;
	p.cfg = NULL;
	r = COBOCRED_SUCCESS;
out:
	cobocred_config_free(p.cfg);
	return r;
}

int cobocred_config_load_ruled(const char *path, cobocred_section_rule rule,
			       struct cobocred_config **out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	char why[COBOCRED_TRUST_ERR_MAX];
	int r;

	*out = NULL;
	/* A directory others may write lets them swap the file (fsutil.h). */
	if (cobocred_check_path_trust(path, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "configuration %s is not safe: %s", path, why);
		return COBOCRED_ERROR;
	}
	r = cobocred_read_private_file(path, COBOCRED_CONFIG_MAX_BYTES, COBOCRED_FILE_NOT_WRITABLE,
				       &text, &len, err, errlen);
	if (r != COBOCRED_SUCCESS)
		return r;
	r = cobocred_config_parse_ruled(path, text, len, rule, out, err, errlen);
	free(text);
	return r;
}

static void section_free(struct cobocred_section *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->kv[i].key);
		free(s->kv[i].value);
	}
	free(s->kv);
	free(s->name);
}

void cobocred_config_free(struct cobocred_config *cfg)
{
	size_t i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < COBOCRED_OP_COUNT; i++) {
		for (j = 0; j < cfg->ops[i].n; j++)
			free(cfg->ops[i].v[j].instance);
		free(cfg->ops[i].v);
	}
	for (i = 0; i < cfg->n_modules; i++)
		section_free(&cfg->modules[i]);
	for (i = 0; i < cfg->n_profiles; i++)
		section_free(&cfg->profiles[i]);
	free(cfg->modules);
	free(cfg->profiles);
	free(cfg->path);
	free(cfg);
}

const char *cobocred_section_get(const struct cobocred_section *s, const char *key)
{
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return s->kv[i].value;
	return NULL;
}

int cobocred_section_line(const struct cobocred_section *s, const char *key)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return s->kv[i].line;
	return 0;
}

static const struct cobocred_section *find_section(const struct cobocred_section *v, size_t n,
						   const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

const struct cobocred_section *cobocred_config_module(const struct cobocred_config *cfg,
						      const char *instance)
{
	return find_section(cfg->modules, cfg->n_modules, instance);
}

/* Lookups of a profile by name, counted for the tests (a routed call makes none). */
static unsigned long profile_lookups;

unsigned long cobocred_config_profile_lookups(void)
{
	return __atomic_load_n(&profile_lookups, __ATOMIC_RELAXED);
}

const struct cobocred_section *cobocred_config_profile(const struct cobocred_config *cfg,
						       const char *name)
{
	__atomic_fetch_add(&profile_lookups, 1, __ATOMIC_RELAXED);
	return find_section(cfg->profiles, cfg->n_profiles, name);
}
