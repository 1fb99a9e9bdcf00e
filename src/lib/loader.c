/*
 * loader.c - finds, checks, dlopens and opens module instances, lazily:
 * an instance is loaded the first time the stack reaches it, never before.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"
#include "fsutil.h"

#define MAX_MODULE_ARGS 64

static void inst_fail(struct instance *in, int state, int status, const char *fmt, ...)
	COBOCRED_PRINTF(4, 5);
static void inst_fail(struct instance *in, int state, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->error, sizeof(in->error), fmt, ap);
	va_end(ap);
	in->state = state;
	in->status = status;
}

static const char *module_dirs(void)
{
	const char *env = getenv("COBO_CREDENTIAL_MODULE_PATH");

	return env != NULL && *env != '\0' ? env : MODULEDIR;
}

/*
 * Finds SONAME.so in the module path.  Returns 0 and fills path, 1 when
 * no directory has it, -1 when SONAME is not a module name or the file is
 * unsafe (err set).
 */
static int find_module(const char *soname, char *path, size_t pathlen, char *err, size_t errlen)
{
	const char *dirs = module_dirs(), *p = dirs;

	/* The parser refuses these already; a name never becomes a path here. */
	if (!cobocred_module_name_ok(soname)) {
		snprintf(err, errlen,
			 "'%.40s' is not a module name ([A-Za-z0-9_-]); "
			 "modules load only from the module directories",
			 soname);
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, ":");
		struct stat st;
		int len = snprintf(path, pathlen, "%.*s/%s.so", (int)n, p, soname);

		p += n + (p[n] == ':');
		if (n == 0 || len < 0 || (size_t)len >= pathlen)
			continue;
		if (stat(path, &st) != 0)
			continue;
		/*
		 * The module directory and every directory above it, and any
		 * symlink on the way: otherwise another user could swap in
		 * their own code, and it would run inside the helper.
		 */
		len = snprintf(err, errlen, "%s is not safe to load: ", path);
		if (len < 0 || (size_t)len >= errlen ||
		    cobocred_check_path_trust(path, err + len, errlen - (size_t)len) != 0)
			return -1;
		if (cobocred_check_perms(path, &st, COBOCRED_FILE_NOT_WRITABLE, err, errlen) != 0)
			return -1;
		err[0] = '\0';
		return 0;
	}
	snprintf(err, errlen, "no %s.so in %s", soname, dirs);
	return 1;
}

/* Copies min(sizes) of the module's struct and zeroes the rest. */
static int adopt(struct instance *in, const struct cobocred_module *m, const char *where)
{
	size_t n = m->struct_size < sizeof(in->mod) ? m->struct_size : sizeof(in->mod);

	if (COBOCRED_ABI_MAJOR_OF(m->abi_version) != COBOCRED_ABI_MAJOR) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR,
			  "%s: module '%s' has ABI %u.%u, this host speaks %u.x; "
			  "rebuild the module against this cobocred.pc",
			  where, in->name, COBOCRED_ABI_MAJOR_OF(m->abi_version),
			  m->abi_version & 0xffff, COBOCRED_ABI_MAJOR);
		return -1;
	}
	if (n < offsetof(struct cobocred_module, get)) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR,
			  "%s: module '%s' declares an impossible struct size %u; it is broken",
			  where, in->name, m->struct_size);
		return -1;
	}
	memset(&in->mod, 0, sizeof(in->mod));
	memcpy(&in->mod, m, n);
	if (in->mod.open == NULL) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR,
			  "%s: module '%s' has no open(); it is broken", where, in->name);
		return -1;
	}
	return 0;
}

/* Options from [module NAME] become "key=value" arguments, minus the host's own keys. */
static int module_args(const struct cobocred_section *s, char **argv, int max)
{
	int argc = 0;
	size_t i;

	for (i = 0; s != NULL && i < s->n && argc < max; i++) {
		size_t len;

		if (strcmp(s->kv[i].key, "module") == 0 || strcmp(s->kv[i].key, "schemas") == 0)
			continue;
		len = strlen(s->kv[i].key) + strlen(s->kv[i].value) + 2;
		argv[argc] = malloc(len);
		if (argv[argc] == NULL)
			break;
		snprintf(argv[argc], len, "%s=%s", s->kv[i].key, s->kv[i].value);
		argc++;
	}
	return argc;
}

/*
 * A module whose open() refuses an option starts its message with "KEY:"
 * (module.h); point the user at that option's own line of the file.
 */
static void option_where(const struct cobocred_ctx *ctx, const struct cobocred_section *s,
			 char *where, size_t len)
{
	size_t i, n;

	for (i = 0; s != NULL && i < s->n; i++) {
		n = strlen(s->kv[i].key);
		if (strncmp(ctx->error, s->kv[i].key, n) == 0 && ctx->error[n] == ':') {
			snprintf(where, len, "%s:%d", ctx->cfg->path, s->kv[i].line);
			return;
		}
	}
}

/*
 * What the host's own modules serve, known before they are loaded.  A
 * module declares its schemas itself (ABI 1.2 `schemas`), but only once
 * loaded, and loading cobo-oauth maps libcurl, OpenSSL and json-c: a plain
 * git or Docker get that misses the stores loaded it just to learn that it
 * serves Cobo tokens only.  load() refuses a module whose own declaration
 * differs from this table, so the two never drift apart unnoticed.
 */
static const char *const cobo_oauth_schemas[] = { COBOCRED_SCHEMA_COBO, NULL };
/*
 * mint: whether it declares COBOCRED_CAP_MINT, so a token get hands it to
 * the lifecycle's mint hook unloaded, and the hook maps it only when it
 * must mint (a storm of helpers on one stale token maps it once, not once
 * per helper).  load() checks this against the module's caps too.
 */
static const struct known_module {
	const char *soname;
	const char *const *schemas;
	int mint;
} known_modules[] = {
	{ "cobo-oauth", cobo_oauth_schemas, 1 },
};

static const char *instance_soname(const struct cobocred_ctx *ctx, const char *instance)
{
	const char *soname = cobocred_section_get(cobocred_config_module(ctx->cfg, instance),
						  "module");

	return soname != NULL ? soname : instance;
}

/* The table's row of SONAME, or NULL when it is not one of ours. */
static const struct known_module *known_row(const char *soname)
{
	size_t i;

	for (i = 0; i < sizeof(known_modules) / sizeof(known_modules[0]); i++)
		if (strcmp(known_modules[i].soname, soname) == 0)
			return &known_modules[i];
	return NULL;
}

/* The table's schemas of SONAME, or NULL when it is not one of ours. */
static const char *const *known_schemas(const char *soname)
{
	const struct known_module *k = known_row(soname);

	return k != NULL ? k->schemas : NULL;
}

static int listed(const char *const *list, const char *schema)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, schema) == 0)
			return 1;
	return 0;
}

int cobocred_instance_known_not_to_serve(const struct cobocred_ctx *ctx, const char *instance,
					 const char *schema)
{
	const char *const *known = known_schemas(instance_soname(ctx, instance));

	return known != NULL && !listed(known, schema);
}

int cobocred_instance_known_to_serve(const struct cobocred_ctx *ctx, const char *instance,
				     const char *schema)
{
	const char *const *known = known_schemas(instance_soname(ctx, instance));

	return known != NULL && listed(known, schema);
}

int cobocred_instance_known_to_mint(const struct cobocred_ctx *ctx, const char *instance)
{
	const struct known_module *k = known_row(instance_soname(ctx, instance));

	return k != NULL && k->mint;
}

/* 0 if module m declares what known_modules says of soname; -1 (in failed) if not. */
static int as_known(struct instance *in, const char *soname, const char *where)
{
	const char *const *known = known_schemas(soname), *const *got = in->mod.schemas;
	size_t n = 0, k = 0;

	if (known == NULL)
		return 0;
	for (; got != NULL && got[n] != NULL; n++)
		if (!listed(known, got[n]))
			break;
	while (known[k] != NULL)
		k++;
	if (got == NULL || got[n] != NULL || n != k) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR,
			  "%s: module '%s' (%s.so) serves other schemas than this "
			  "cobo-credential expects of it; install the module and the helpers "
			  "from one build",
			  where, in->name, soname);
		return -1;
	}
	if (!(in->mod.caps & COBOCRED_CAP_MINT) != !known_row(soname)->mint) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR,
			  "%s: module '%s' (%s.so) %s tokens, unlike what this cobo-credential "
			  "expects of it; install the module and the helpers from one build",
			  where, in->name, soname,
			  (in->mod.caps & COBOCRED_CAP_MINT) ? "mints" : "does not mint");
		return -1;
	}
	return 0;
}

static void load(struct cobocred_ctx *ctx, struct instance *in,
		 const struct cobocred_stack_entry *e)
{
	const struct cobocred_section *sec = cobocred_config_module(ctx->cfg, in->name);
	const char *soname = cobocred_section_get(sec, "module");
	char path[PATH_MAX], where[PATH_MAX + 32], why[COBOCRED_TRUST_ERR_MAX];
	char *argv[MAX_MODULE_ARGS];
	cobocred_module_init_fn init;
	const struct cobocred_module *m;
	int argc, st, i;

	if (e->line > 0)
		snprintf(where, sizeof(where), "%s:%d", ctx->cfg->path, e->line);
	else /* the file has no [stack]: the entry is the built-in default's */
		snprintf(where, sizeof(where), "%s (built-in [stack])", ctx->cfg->path);
	if (soname == NULL)
		soname = in->name;
	st = find_module(soname, path, sizeof(path), why, sizeof(why));
	if (st == 1 && e->optional) {
		inst_fail(in, INST_ABSENT, COBOCRED_UNAVAIL, "%s: optional module '%s' absent (%s)",
			  where, in->name, why);
		return;
	}
	if (st != 0) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR, "%s: module '%s': %s%s", where, in->name,
			  why,
			  st == 1 ? "; install it, fix the name, or mark it optional with '-'"
				  : "");
		return;
	}
	/* NODELETE: GLib-based modules must never be unmapped once loaded. */
	in->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (in->handle == NULL) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR, "%s: cannot load %s: %s", where, path,
			  dlerror());
		return;
	}
	*(void **)&init = dlsym(in->handle, COBOCRED_MODULE_INIT_SYMBOL);
	if (init == NULL) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR,
			  "%s: %s exports no %s; it is not a "
			  "cobo-credential module",
			  where, path, COBOCRED_MODULE_INIT_SYMBOL);
		return;
	}
	m = init(COBOCRED_ABI_VERSION);
	if (m == NULL) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR,
			  "%s: module '%s' refused host ABI %u.%u; "
			  "upgrade the module",
			  where, in->name, COBOCRED_ABI_MAJOR, COBOCRED_ABI_MINOR);
		return;
	}
	if (adopt(in, m, where) != 0 || as_known(in, soname, where) != 0)
		return;
	argc = module_args(sec, argv, MAX_MODULE_ARGS);
	ctx->error[0] = '\0';
	st = in->mod.open(&ctx->host, argc, (const char *const *)argv, &in->mstate);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	if (st != COBOCRED_SUCCESS) {
		option_where(ctx, sec, where, sizeof(where));
		inst_fail(in, INST_FAILED, st, "%s: module '%s' %s: %s", where, in->name,
			  st == COBOCRED_UNAVAIL ? "unavailable" : "failed to open",
			  ctx->error[0] ? ctx->error : cobocred_status_name(st));
		cobocred_trace(ctx, "%s", in->error);
		return;
	}
	/* The module that reads [profile] settings judges their keys (schema_owner.c). */
	if (cobocred_settings_validate(ctx, in->name, in->mod.settings, why, sizeof(why)) != 0) {
		if (in->mod.close != NULL)
			in->mod.close(in->mstate);
		in->mstate = NULL;
		inst_fail(in, INST_FAILED, COBOCRED_ERROR, "%s", why);
		snprintf(ctx->bad_setting, sizeof(ctx->bad_setting), "%s", in->error);
		cobocred_trace(ctx, "%s", in->error);
		return;
	}
	in->state = INST_READY;
	cobocred_trace(ctx, "loaded module '%s' from %s", in->name, path);
	cobocred_lock_offer(ctx, in); /* module_lock.c: a fleet lock replaces flock */
}

struct instance *cobocred_instance_slot(struct cobocred_ctx *ctx, const char *name)
{
	struct instance *in = NULL, **v;
	size_t i;

	/* Instances are allocated one by one: a module call may load another
	 * instance (host->stack_get), and callers keep pointers across it. */
	for (i = 0; i < ctx->n_inst && in == NULL; i++)
		if (strcmp(ctx->inst[i]->name, name) == 0)
			in = ctx->inst[i];
	if (in == NULL) {
		v = realloc(ctx->inst, (ctx->n_inst + 1) * sizeof(*v));
		if (v == NULL)
			return NULL;
		ctx->inst = v;
		in = calloc(1, sizeof(*in));
		if (in == NULL || (in->name = strdup(name)) == NULL) {
			free(in);
			return NULL;
		}
		v[ctx->n_inst++] = in;
	}
	return in;
}

struct instance *cobocred_instance(struct cobocred_ctx *ctx, const char *name,
				   const struct cobocred_stack_entry *e)
{
	struct instance *in = cobocred_instance_slot(ctx, name);

	if (in != NULL && in->state == INST_NEW)
		load(ctx, in, e);
	return in;
}

void cobocred_instances_free(struct cobocred_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_inst; i++) {
		struct instance *in = ctx->inst[i];

		if (in->state == INST_READY && in->mod.close != NULL)
			in->mod.close(in->mstate);
		if (in->handle != NULL)
			dlclose(in->handle);
		free(in->name);
		free(in);
	}
	free(ctx->inst);
	ctx->inst = NULL;
	ctx->n_inst = 0;
}
