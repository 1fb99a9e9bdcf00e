/*
 * loader.c - finds, checks, dlopens and opens module instances, lazily:
 * an instance is loaded the first time the stack reaches it, never before;
 * and, when its manifest (manifest.h) says it serves other schemas, or
 * that it mints and the lifecycle may not need it, not even then.
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
#include "manifest.h"

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

static const char *instance_soname(const struct cobocred_ctx *ctx, const char *instance)
{
	const char *soname = cobocred_section_get(cobocred_config_module(ctx->cfg, instance),
						  "module");

	return soname != NULL ? soname : instance;
}

/*
 * Reads the manifest beside so_path into in (manifest.h), once.  0, or -1
 * with why (then load() refuses the module with it).
 */
static int read_manifest(struct instance *in, const char *so_path, char *why, size_t len)
{
	struct cobocred_manifest *m = malloc(sizeof(*m)); /* becomes in->manifest */
	int r;

	if (m == NULL) {
		snprintf(why, len, "out of memory reading its manifest");
		in->manifest_state = MANIFEST_BAD;
		return -1;
	}
	r = cobocred_manifest_read(so_path, m, why, len);
	if (r == 0) {
		in->manifest = m;
		in->manifest_state = MANIFEST_OK;
		return 0;
	}
	free(m);
	in->manifest_state = r == 1 ? MANIFEST_NONE : MANIFEST_BAD;
	return r == 1 ? 0 : -1;
}

/*
 * find_module for in, walked once per instance: the path found is kept in
 * in->so_path, so reading the manifest and loading the module trust one
 * walk.  find_module's answer; a failure is not kept (load() says why).
 */
static int locate(struct cobocred_ctx *ctx, struct instance *in, char *path, size_t pathlen,
		  char *why, size_t whylen)
{
	int st;

	if (in->so_path != NULL) {
		snprintf(path, pathlen, "%s", in->so_path);
		return 0;
	}
	st = find_module(instance_soname(ctx, in->name), path, pathlen, why, whylen);
	if (st == 0) {
		in->so_path = strdup(path);
		cobocred_trace(ctx, "module '%s': found %s", in->name, path);
	}
	return st;
}

/*
 * The manifest of instance's module, read without loading it; NULL when
 * the module has none, cannot be found, or its manifest is refused: then
 * the host knows nothing and loads the module to ask (load() says why a
 * manifest was refused, and refuses the module with it).
 */
static const struct cobocred_manifest *manifest_of(struct cobocred_ctx *ctx, const char *instance)
{
	struct instance *in = cobocred_instance_slot(ctx, instance);
	char path[PATH_MAX], why[COBOCRED_TRUST_ERR_MAX];

	if (in == NULL)
		return NULL;
	if (in->manifest_state == MANIFEST_UNREAD) {
		if (locate(ctx, in, path, sizeof(path), why, sizeof(why)) == 0)
			(void)read_manifest(in, path, why, sizeof(why));
		else
			in->manifest_state = MANIFEST_BAD; /* load() finds it again, and says why */
	}
	return in->manifest;
}

int cobocred_instance_known_not_to_serve(struct cobocred_ctx *ctx, const char *instance,
					 const char *schema)
{
	const struct cobocred_manifest *m = manifest_of(ctx, instance);

	return m != NULL && !m->any_schema && !cobocred_manifest_names(m, schema);
}

int cobocred_instance_known_to_serve(struct cobocred_ctx *ctx, const char *instance,
				     const char *schema)
{
	const struct cobocred_manifest *m = manifest_of(ctx, instance);

	return m != NULL && cobocred_manifest_names(m, schema);
}

int cobocred_instance_known_to_mint(struct cobocred_ctx *ctx, const char *instance)
{
	const struct cobocred_manifest *m = manifest_of(ctx, instance);

	return m != NULL && (m->caps & COBOCRED_CAP_MINT);
}

/*
 * The module's manifest, read now if it was not (or was refused) before
 * the stack reached it; after adopt(), the module held to it.  0, or -1
 * with in failed.
 */
static int manifest_before(struct cobocred_ctx *ctx, struct instance *in, const char *path,
			   const char *where)
{
	char why[COBOCRED_TRUST_ERR_MAX];

	if (in->manifest_state != MANIFEST_OK && in->manifest_state != MANIFEST_NONE &&
	    read_manifest(in, path, why, sizeof(why)) != 0) {
		inst_fail(in, INST_FAILED, COBOCRED_ERROR, "%s: module '%s': %s", where, in->name,
			  why);
		return -1;
	}
	if (in->manifest == NULL)
		cobocred_trace(ctx,
			       "module '%s': no manifest beside %s; loaded to learn what it "
			       "serves",
			       in->name, path);
	return 0;
}

static int manifest_after(struct instance *in, const char *path, const char *where)
{
	char why[1024];

	if (in->manifest == NULL ||
	    cobocred_manifest_check(in->manifest, &in->mod, path, why, sizeof(why)) == 0)
		return 0;
	inst_fail(in, INST_FAILED, COBOCRED_ERROR, "%s: module '%s': %s", where, in->name, why);
	return -1;
}

static void load(struct cobocred_ctx *ctx, struct instance *in,
		 const struct cobocred_stack_entry *e)
{
	const struct cobocred_section *sec = cobocred_config_module(ctx->cfg, in->name);
	char path[PATH_MAX], where[PATH_MAX + 32], why[COBOCRED_TRUST_ERR_MAX];
	char *argv[MAX_MODULE_ARGS];
	cobocred_module_init_fn init;
	const struct cobocred_module *m;
	int argc, st, i;

	if (e->line > 0)
		snprintf(where, sizeof(where), "%s:%d", ctx->cfg->path, e->line);
	else /* the file has no [stack]: the entry is the built-in default's */
		snprintf(where, sizeof(where), "%s (built-in [stack])", ctx->cfg->path);
	st = locate(ctx, in, path, sizeof(path), why, sizeof(why));
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
	if (manifest_before(ctx, in, path, where) != 0)
		return;
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
	if (adopt(in, m, where) != 0 || manifest_after(in, path, where) != 0)
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
		free(in->manifest);
		free(in->so_path);
		free(in->name);
		free(in);
	}
	free(ctx->inst);
	ctx->inst = NULL;
	ctx->n_inst = 0;
}
