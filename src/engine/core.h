/*
 * core.h - the context's insides, shared by the core's own files only.
 */
#ifndef COBOCRED_CORE_H
#define COBOCRED_CORE_H

#include <stdarg.h>
#include <stdio.h>

#include "engine.h"
#include "cfg.h"
#include "stack.h"

struct cobocred_manifest;

/* One module instance of the stack, loaded on first use. */
struct instance {
	char *name;			    /* owned: the instance name used on stack lines */
	int state;			    /* INST_* */
	int status;			    /* status reported while unusable */
	struct cobocred_module mod;	    /* copy, zero-extended to our struct size */
	void *handle;			    /* dlopen handle; owned */
	void *mstate;			    /* module's per-instance state */
	char error[512];		    /* why it is unusable */
	struct cobocred_manifest *manifest; /* owned; NULL: none (yet) */
	char *so_path;	    /* owned: the NAME.so find_module trusted; NULL: not yet */
	int manifest_state; /* MANIFEST_* */
};

enum { INST_NEW = 0, INST_READY, INST_ABSENT, INST_FAILED };
/* BAD: refused or not found; load() reads it again and says why. */
enum { MANIFEST_UNREAD = 0, MANIFEST_NONE, MANIFEST_OK, MANIFEST_BAD };

/*
 * The cross-process lock service: how the token lifecycle keeps one
 * refresher per credential, and remembers a failed refresh, across
 * processes.  The lifecycle reaches locks only through this table, so a
 * fleet lock (an etcd lease, offered by a module) can replace the host's
 * flock without touching the lifecycle.  lock.c holds the default.
 */
struct cobocred_lock_service {
	const char *name; /* for traces: "flock" */
	/* NAME is [A-Za-z0-9._-]; SUCCESS with *handle, TRYAGAIN on timeout, ERROR (message set). */
	int (*lock)(struct cobocred_ctx *ctx, const char *name, int timeout_ms, int *handle);
	void (*unlock)(struct cobocred_ctx *ctx, int handle);
	/* A marker beside lock NAME: set after a failed refresh, cleared otherwise. */
	void (*mark_failure)(struct cobocred_ctx *ctx, const char *name, int failed);
	/* 1 if the marker of NAME was set less than seconds ago. */
	int (*failed_recently)(struct cobocred_ctx *ctx, const char *name, int seconds);
	/*
	 * Appended: lock NAME shared, as lock() does exclusively (a shared
	 * holder waits out an exclusive one and lets other shared holders in;
	 * unlock() releases it).  The lifecycle's waiters look under it first,
	 * so one refreshed token answers them all at once instead of one by
	 * one under the exclusive lock.  NULL: not offered, the lifecycle
	 * skips that look.  A service offering it must also take lock()'s
	 * timeout_ms 0 as "try once, never wait" (TRYAGAIN when held).
	 */
	int (*lock_shared)(struct cobocred_ctx *ctx, const char *name, int timeout_ms, int *handle);
};

struct cobocred_ctx {
	struct cobocred_config *cfg; /* owned */
	struct instance **inst;	     /* owned array of owned instances */
	size_t n_inst;
	struct cobocred_host host;
	FILE *trace; /* owned unless stderr */
	int64_t now_offset;
	int depth; /* stack re-entry depth (module -> host stack) */
	char runtime_dir[4096];
	char error[1024];
	char warning[1024];    /* "" or the call's last warning */
	char bad_setting[512]; /* "" or why the settings owner refused a profile */
	const struct cobocred_lock_service
		*locks;		     /* never NULL; &cobocred_flock_service by default */
	struct instance *lock_owner; /* the instance whose ABI 1.3 lock is ctx->locks; or NULL */
};

/*
 * ctx.c: a context on config_path (NULL: the search order of
 * cobocred_ctx_new) or on the built-in configuration, each [profile] held
 * to rule (cfg.h).  The layer above opens contexts with its rule.
 */
int cobocred_engine_ctx_new(const char *config_path, cobocred_section_rule rule,
			    struct cobocred_ctx **out);
int cobocred_engine_ctx_new_builtin(cobocred_section_rule rule, struct cobocred_ctx **out);

/* loader.c */
struct instance *cobocred_instance(struct cobocred_ctx *ctx, const char *name,
				   const struct cobocred_stack_entry *e);
/* The instance NAME, allocated if new but not loaded (state INST_NEW until cobocred_instance). */
struct instance *cobocred_instance_slot(struct cobocred_ctx *ctx, const char *name);
void cobocred_instances_free(struct cobocred_ctx *ctx);
/*
 * What a module's manifest (NAME.module beside NAME.so, manifest.h) says,
 * read without loading the module, so the stack passes over a module that
 * serves other schemas without mapping its libraries.  1 only when the
 * manifest says so; 0 (no manifest, or a refused one) means "load it and
 * ask".  load() holds the module to its manifest.
 */
int cobocred_instance_known_not_to_serve(struct cobocred_ctx *ctx, const char *instance,
					 const char *schema);
/* 1 when the manifest names schema (a `schemas = *` manifest names none). */
int cobocred_instance_known_to_serve(struct cobocred_ctx *ctx, const char *instance,
				     const char *schema);
/* 1 when the manifest says the module mints. */
int cobocred_instance_known_to_mint(struct cobocred_ctx *ctx, const char *instance);

/*
 * settings.c: checks every profile against a module's settings table
 * (unknown keys, required ones).  0, or -1 with "FILE:LINE: ..." in err.
 */
int cobocred_settings_validate(const struct cobocred_ctx *ctx, const char *module,
			       const struct cobocred_setting *table, char *err, size_t errlen);

/* host.c */
void cobocred_host_init(struct cobocred_ctx *ctx);

/* lock.c: the host's flock lock service (the default) and the runtime directory. */
extern const struct cobocred_lock_service cobocred_flock_service;
const char *cobocred_runtime_dir(struct cobocred_ctx *ctx);
/* Replaces the context's lock service (NULL: back to flock); the table must outlive ctx. */
void cobocred_set_lock_service(struct cobocred_ctx *ctx, const struct cobocred_lock_service *s);

/* module_lock.c: makes in's ABI 1.3 lock the context's lock service (the first offer wins). */
void cobocred_lock_offer(struct cobocred_ctx *ctx, struct instance *in);

/* trace.c */
void cobocred_trace_open(struct cobocred_ctx *ctx);
void cobocred_trace_close(struct cobocred_ctx *ctx);
void cobocred_vtrace(struct cobocred_ctx *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void cobocred_verror(struct cobocred_ctx *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Sets the call's warning (see cobocred_warning): one line, scrubbed, traced. */
void cobocred_set_warning(struct cobocred_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
