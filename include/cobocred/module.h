/*
 * cobocred/module.h - the provider module ABI of cobo-credential.
 *
 * A module is a shared object that exports exactly one symbol,
 * cobocred_module_init().  The host (libcobocred) calls it with its own ABI
 * version and gets back a pointer to a constant struct cobocred_module.
 *
 * Versioning rules (never break them):
 *   - abi_version is (major << 16 | minor).  The host refuses a module whose
 *     major differs from its own.
 *   - Every struct here starts with a size stamp or is reached through one.
 *     Fields are only ever appended; readers copy min(sizes) and zero the
 *     rest, so an older module loads in a newer host and vice versa.
 *
 * Ownership:
 *   - Everything a module returns (items) is built through the host's
 *     item_* services and freed by the host.  Secret bytes live in host
 *     secret memory, which the host wipes before freeing.
 *   - Pointers a module receives (queries, items to store, argv) belong to
 *     the caller and are valid only for the duration of the call.
 *
 * Modules link no host symbols: everything goes through struct cobocred_host.
 *
 * Manifest: install NAME.module beside NAME.so (name, abi, schemas,
 * capabilities; cobo-credential.conf(5), "Module manifests") and the host
 * learns what the module serves without loading it, and passes over it for
 * other schemas.  It must say what the struct below declares, or the host
 * refuses the module.  Without one, the module is loaded whenever the stack
 * reaches it.
 */
#ifndef COBOCRED_MODULE_H
#define COBOCRED_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COBOCRED_ABI_MAJOR 1
#define COBOCRED_ABI_MINOR 6
#define COBOCRED_ABI_VERSION ((uint32_t)(COBOCRED_ABI_MAJOR << 16 | COBOCRED_ABI_MINOR))
#define COBOCRED_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)

/* Statuses, NSS-style.  Values are part of the ABI. */
enum cobocred_status {
	COBOCRED_SUCCESS = 0,  /* done; items returned where the call returns items */
	COBOCRED_NOTFOUND = 1, /* works, but has nothing matching */
	COBOCRED_UNAVAIL = 2,  /* cannot work here: no D-Bus, no config, no profile */
	COBOCRED_TRYAGAIN = 3, /* transient: network, lock contention, locked keyring */
	COBOCRED_DENIED = 4,   /* the server refused: re-authorisation needed */
	COBOCRED_ERROR = 5,    /* bug or bad configuration: fail closed */
};
#define COBOCRED_STATUS_COUNT 6

/* Well-known schemas (ARCHITECTURE.md, "Conventions": the keyring layout). */
#define COBOCRED_SCHEMA_GIT "org.git.Password"
#define COBOCRED_SCHEMA_DOCKER "io.docker.Credentials"
#define COBOCRED_SCHEMA_COBO "com.cobo.credential.Token"
#define COBOCRED_SCHEMA_APP_SECRET "com.cobo.credential.AppSecret"

/*
 * The Cobo token schema's kind attribute and its two values: an access
 * token, and the refresh token that mints the next one.  Stored items
 * carry these exact strings, so never change them.
 */
#define COBOCRED_ATTR_KIND "kind"
#define COBOCRED_KIND_ACCESS "access"
#define COBOCRED_KIND_REFRESH "refresh"

/*
 * Attribute names per schema.  Lookup attributes hold only stable,
 * non-secret keys; volatile data lives in the item's fields.
 *   git:    protocol, host (may carry :port), path, username
 *   docker: server, username
 *   cobo:   base_url, client_id, org_id, kind ("access" | "refresh")
 *   app secret: profile, client_id
 */

struct cobocred_attr {
	const char *name;
	const char *value;
};

/*
 * A credential.  Built by modules through the host's item_* services, owned
 * and freed by the host.  Lists are chained through next.
 */
struct cobocred_item {
	uint32_t struct_size;
	const char *schema; /* one of COBOCRED_SCHEMA_* or a module's own */
	const char *label;  /* human label for keyring tools; may be NULL */
	size_t n_attrs;
	const struct cobocred_attr *attrs; /* in insertion order */
	const unsigned char *secret;	   /* host secret memory, NUL-terminated */
	size_t secret_len;		   /* excluding the terminator */
	int64_t expires_at;		   /* unix seconds; 0 = does not expire */
	int64_t created_at;		   /* unix seconds; 0 = unknown */
	const char *oauth_refresh_token; /* git's oauth_refresh_token; secret memory; may be NULL */
	struct cobocred_item *next;
};

/* Query flags. */
#define COBOCRED_QUERY_EXACT 0x1u /* items must carry no attribute the query lacks */
/*
 * Since ABI 1.1, for list: the caller reads attributes and dates only, so a
 * module may return items without their secrets (secret NULL, secret_len 0)
 * and list items it could not unlock.  Older modules ignore it.
 */
#define COBOCRED_QUERY_ATTRS_ONLY 0x2u

/*
 * A pattern.  An item matches when its schema equals the query's and every
 * query attribute is present on the item with an equal value; an attribute
 * absent from the query matches anything (unless COBOCRED_QUERY_EXACT).
 *
 * secret: for erase, only items whose secret equals it are removed (NULL:
 * any); for a minting module's get, the refresh token to use (NULL: mint).
 */
struct cobocred_query {
	uint32_t struct_size;
	const char *schema;
	size_t n_attrs;
	const struct cobocred_attr *attrs;
	const unsigned char *secret;
	size_t secret_len;
	const char *
		profile; /* Cobo profile name for modules that read profile settings; may be NULL */
	uint32_t flags;
	/*
	 * Since ABI 1.4 (check struct_size before reading it): for a
	 * minting module's get, the created_at of the cached item whose secret
	 * is passed (unix seconds; 0: unknown).  The host passes the newest
	 * such item of every cache, read under the per-credential lock.
	 */
	int64_t secret_created_at;
};

/* Log levels for host->log. */
enum cobocred_log_level {
	COBOCRED_LOG_DEBUG = 0,
	COBOCRED_LOG_INFO = 1,
	COBOCRED_LOG_WARN = 2,
};

#if defined(__GNUC__)
#define COBOCRED_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define COBOCRED_PRINTF(a, b)
#endif

/*
 * Services the host hands to a module at open().  Check struct_size before
 * using a field appended after ABI 1.0.
 */
struct cobocred_host {
	uint32_t abi_version;
	uint32_t struct_size;
	void *ctx; /* the host's; pass it back as the first argument */

	/* Trace output; never pass secrets (the host also redacts known ones). */
	void (*log)(void *ctx, int level, const char *fmt, ...) COBOCRED_PRINTF(3, 4);
	/* One line, actionable, no secrets: "what went wrong; what to do". */
	void (*set_error)(void *ctx, const char *fmt, ...) COBOCRED_PRINTF(2, 3);

	/* Secret memory: zeroed on allocation, wiped on free.  NULL on OOM. */
	void *(*secret_alloc)(size_t n);
	void (*secret_free)(void *p);

	/* Items.  item_new returns NULL on OOM; setters return 0 or -1 (OOM). */
	struct cobocred_item *(*item_new)(const char *schema);
	int (*item_set_label)(struct cobocred_item *item, const char *label);
	int (*item_add_attr)(struct cobocred_item *item, const char *name, const char *value);
	int (*item_set_secret)(struct cobocred_item *item, const void *secret, size_t len);
	int (*item_set_refresh)(struct cobocred_item *item, const char *oauth_refresh_token);
	void (*item_set_times)(struct cobocred_item *item, int64_t created_at, int64_t expires_at);
	void (*item_free)(struct cobocred_item *list); /* frees the whole chain */

	/* Current unix time in seconds (tests may shift it). */
	int64_t (*now)(void *ctx);

	/*
	 * Cross-process lock on NAME (a short [A-Za-z0-9._-] name) in the
	 * user's private runtime directory.  Waits up to timeout_ms.
	 * Returns COBOCRED_SUCCESS with *handle set, TRYAGAIN on timeout,
	 * ERROR otherwise (message set).
	 *
	 * Unused: no module of ours calls these two, and the host never
	 * relies on a module calling them.  They stay only because the ABI is
	 * append-only.  The one lock interface of the token lifecycle is the
	 * host's lock service, which a module replaces by offering struct
	 * cobocred_lock_ops (ABI 1.3, below); a new module locks nothing
	 * itself around a refresh, the host already holds the lock.
	 */
	int (*lock)(void *ctx, const char *name, int timeout_ms, int *handle);
	void (*unlock)(void *ctx, int handle);

	/* A setting of [profile NAME]; NULL if absent.  Valid until close(). */
	const char *(*profile_get)(void *ctx, const char *profile, const char *key);

	/* Private state directory for this user (0700, created on demand). */
	const char *(*state_dir)(void *ctx);

	/*
	 * The store stack (the [stack] store/get lines without minting
	 * modules), for modules that keep private state in it: the app secret,
	 * for instance.  Same semantics as the module operations.
	 */
	int (*stack_get)(void *ctx, const struct cobocred_query *q, struct cobocred_item **out);
	int (*stack_store)(void *ctx, const struct cobocred_item *item,
			   const struct cobocred_query *replace);

	/*
	 * ---- ABI 1.4 additions (check struct_size: an older host lacks them) ----
	 * The configuration file's path, NULL when the host runs its built-in
	 * configuration.  A relative path in a module option or a profile
	 * setting is relative to this file's directory, never to the current
	 * directory (git runs helpers inside a work tree it cloned); modules
	 * resolve it with cobocred_path_resolve (src/util/fsutil.h) and, with
	 * no file to resolve against, refuse it.  Valid until close().
	 */
	const char *(*config_file)(void *ctx);
	/*
	 * The line of KEY in [profile NAME] of that file (0: not there), so a
	 * module can point a refusal of a profile setting at FILE:LINE.
	 */
	int (*profile_line)(void *ctx, const char *profile, const char *key);
};

/* Capability bits. */
#define COBOCRED_CAP_GET 0x01u
#define COBOCRED_CAP_STORE 0x02u
#define COBOCRED_CAP_ERASE 0x04u
#define COBOCRED_CAP_LIST 0x08u
/*
 * A minting module makes credentials rather than keeping them (cobo-oauth).
 * The host runs it under a per-credential lock, after re-reading the caches
 * before it, and writes every item it returns through to the store stack in
 * the order returned (refresh token first).
 *
 * The read-before-write contract a store may build on (etcd's
 * compare-and-swap does): under that lock, before the host stores what a
 * minting module made, it has (1) asked every store of the get line before
 * the minter (as the line's actions allow) for the access token, a stale
 * or missing answer passing on to the next (a fresh one ends the call:
 * nothing is minted or stored), and
 * (2) asked every one of them for the refresh token (the same schema and
 * identity attributes, kind "refresh"), each answer read, the newest
 * spent.  So in one process and under one lock, a store's get of each
 * record it is about to be given precedes that store: it may keep what the
 * get saw (a revision) and write conditionally on it, answering TRYAGAIN
 * when the record changed since.  Nothing more is promised: a plain store
 * (a front-end's approve, host->stack_store) comes with no read before it.
 */
#define COBOCRED_CAP_MINT 0x10u

/*
 * ABI 1.2: one profile setting a module reads.  The element layout is
 * frozen (a table has no per-element size stamp): data added later goes
 * in a new table reached through a new cobocred_module field.
 */
#define COBOCRED_SETTING_REQUIRED 0x1u /* every profile must set it */
#define COBOCRED_SETTING_SECRET_REF \
	0x2u /* says where a secret lives (keyring, file:PATH, env:VAR);
					    never holds one */
struct cobocred_setting {
	const char *name;	 /* NULL ends the table */
	const char *description; /* one line for 'profile show' and messages */
	uint32_t flags;		 /* COBOCRED_SETTING_* */
};

/*
 * ABI 1.2: key administration, for 'cobo-credential key' and 'setup'.
 * A secret handed back is in host secret memory (host->secret_alloc), in the
 * module's canonical text form (NUL-terminated); the caller stores it as an
 * opaque string and frees it with the host's secret_free.  pub receives the
 * public key as text for the app's manifest (NUL-terminated; publen >= 128).
 * Every call returns a COBOCRED_* status and sets the host error on failure.
 * Check struct_size before using a field appended later.
 */
struct cobocred_key_ops {
	uint32_t struct_size;
	/* A new private key from the OS random generator. */
	int (*generate)(void *state, char **secret, size_t *secret_len, char *pub, size_t publen);
	/* Parses key text in any form the module reads (text is the caller's, len bytes). */
	int (*import)(void *state, const char *text, size_t len, char **secret, size_t *secret_len,
		      char *pub, size_t publen);
	/*
	 * The public key of profile's configured secret, read the way the module
	 * reads it when it signs (files private to their owner, as ssh requires).
	 */
	int (*public_key)(void *state, const char *profile, char *pub, size_t publen);
	/*
	 * ---- ABI 1.6 additions (check struct_size) ----
	 * A new key made inside a hardware or software token, where it stays:
	 * where names it in the module's own syntax (cobo-oauth: an RFC 7512
	 * pkcs11: URI).  Only the public key comes back.
	 */
	int (*generate_token)(void *state, const char *where, char *pub, size_t publen);
};

/*
 * ABI 1.3: a cross-process lock service a module offers the host in place
 * of the host's own flock: a fleet's lock (etcd: a lock bound to a lease,
 * so a crashed holder releases it when the lease ends).  The token
 * lifecycle takes it around a refresh when the module is on the stack and
 * loaded.  lock returns COBOCRED_SUCCESS with *handle set, TRYAGAIN on
 * timeout or when the lock cannot be reached (a refresh without the lock
 * would spend a token others share), ERROR otherwise; messages through
 * host->set_error.  mark_failure and failed_recently keep the lifecycle's
 * backoff marker after a failed refresh; NULL: the host keeps it locally.
 * Check struct_size before using a field appended later.
 */
struct cobocred_lock_ops {
	uint32_t struct_size;
	int (*lock)(void *state, const char *name, int timeout_ms, int *handle);
	void (*unlock)(void *state, int handle);
	void (*mark_failure)(void *state, const char *name, int failed);
	int (*failed_recently)(void *state, const char *name, int seconds);
	/*
	 * A reader's look-first: returns once whoever held NAME when it was
	 * called has let go (SUCCESS, *handle for unlock, which may be -1 when
	 * nothing is held), TRYAGAIN on timeout.  NULL: not offered.
	 */
	int (*lock_shared)(void *state, const char *name, int timeout_ms, int *handle);
};

/*
 * ---- ABI 1.5: signed requests to the Cobo API ----
 *
 * The module that owns the app key signs a resource request and sends it,
 * so the app secret never leaves it: the host and the front-ends see only
 * the public key and the signature.  Every pointer in a request is the
 * caller's, valid for the duration of the call; nothing is copied beyond it.
 */
struct cobocred_http_request {
	uint32_t struct_size;
	const char *method;	   /* upper-case token: GET POST PUT DELETE PATCH ... */
	const char *path;	   /* as sent, base path included: "/v2/wallets" */
	const char *query;	   /* as sent, without '?'; "" for none */
	const unsigned char *body; /* as sent; NULL (body_len 0) for none */
	size_t body_len;
	const char *nonce; /* decimal unix ms (Biz-Api-Nonce); the host sets it */
};

#define COBOCRED_API_KEY_MAX 72	   /* room for the public key as text, NUL included */
#define COBOCRED_SIGNATURE_MAX 136 /* room for the signature as text, NUL included */

/* What sign answers: the Biz-Api-Key and Biz-Api-Signature values (hex text). */
struct cobocred_signature {
	uint32_t struct_size;
	char api_key[COBOCRED_API_KEY_MAX];
	char signature[COBOCRED_SIGNATURE_MAX];
};

/*
 * What send answers, allocated by the module and released with its
 * reply_free.  headers holds the final response's raw header lines
 * ("Name: value\r\n" each, the status line first); body its bytes.
 * verified is 1 only when Cobo's Biz-Resp-Signature over the body and
 * Biz-Timestamp checked out under the profile's server key (and the
 * timestamp is fresh); a reply that fails that check is never passed on
 * as an answer: status ERROR, verified 0, error says why.
 */
struct cobocred_http_reply {
	uint32_t struct_size;
	long status; /* HTTP status; 0 when no complete answer came */
	char *headers;
	size_t headers_len;
	unsigned char *body; /* NUL-terminated for convenience; body_len excludes it */
	size_t body_len;
	int verified;
	char error[256]; /* one line, no secrets; "" when none */
};

struct cobocred_request_ops {
	uint32_t struct_size;
	/*
	 * Signs req with profile's app key into *out.  Host-serialised (like
	 * get), may use host calls; errors through host->set_error.
	 */
	int (*sign)(void *state, const char *profile, const struct cobocred_http_request *req,
		    struct cobocred_signature *out);
	/*
	 * Sends req to the origin of profile's base_url with headers (extra
	 * "Name: value" lines, NULL-ended: the host passes Authorization and
	 * the three Biz-Api-* lines), with the profile's TLS settings as token
	 * calls have them, and verifies the response signature (fail closed).
	 * *out is set whenever the call returns (status and error inside it),
	 * NULL only when out of memory.  Returns SUCCESS when a verified
	 * answer came (any HTTP status), TRYAGAIN for a transport failure
	 * or a wrong clock (a verified error answer dated beyond Cobo's
	 * request window, or Cobo's refusal of the nonce: error names the
	 * clock and both times), ERROR for an answer that does not verify or
	 * a request it refuses.
	 * Safe to call from several threads at once on one state: it makes
	 * no host calls and reports errors in (*out)->error only.  The profile
	 * must have been signed for (or prepared) once before: send reads the
	 * settings those calls cached.
	 */
	int (*send)(void *state, const char *profile, const struct cobocred_http_request *req,
		    const char *const *headers, struct cobocred_http_reply **out);
	/* Frees a reply of send.  Thread-safe like send.  NULL is a no-op. */
	void (*reply_free)(void *state, struct cobocred_http_reply *reply);
	/*
	 * Reads profile's settings and app key so that later sign and send
	 * calls for it need no host call.  Host-serialised, like sign.
	 */
	int (*prepare)(void *state, const char *profile);
};

struct cobocred_module {
	uint32_t abi_version; /* COBOCRED_ABI_VERSION the module was built with */
	uint32_t struct_size; /* sizeof(struct cobocred_module) at build time */
	const char *name;
	uint32_t caps;

	/*
	 * argv holds the module's options ("key=value" strings from its
	 * [module NAME] section).  *state is the instance, passed to every
	 * other call.  A module that cannot work here returns UNAVAIL.  A
	 * module that refuses an option returns ERROR with a message that
	 * starts "KEY: " (the option's key), so the host names that option's
	 * FILE:LINE; a typo must fail closed, never fall back to a default.
	 */
	int (*open)(const struct cobocred_host *host, int argc, const char *const *argv,
		    void **state);
	void (*close)(void *state);

	/* The best match in *out (a chain: a minting module may return several). */
	int (*get)(void *state, const struct cobocred_query *q, struct cobocred_item **out);
	/* Stores item after removing every item matching replace (may be NULL). */
	int (*store)(void *state, const struct cobocred_item *item,
		     const struct cobocred_query *replace);
	/* Removes every match; NOTFOUND if nothing matched. */
	int (*erase)(void *state, const struct cobocred_query *q);
	/* Every match, chained in *out. */
	int (*list)(void *state, const struct cobocred_query *q, struct cobocred_item **out);

	/*
	 * ---- ABI 1.2 additions (the host zero-fills them for older modules) ----
	 * The module that owns a schema owns its profile settings and its key
	 * handling; front-ends reach both through the host, never by parsing
	 * key material themselves.
	 */
	/*
	 * The schemas this module serves when its [module NAME]
	 * section has no `schemas =` option, as a NULL-terminated array of
	 * static strings; NULL serves every schema (what an ABI 1.0/1.1 module,
	 * zero-extended by the host, means).  The stack passes over a module
	 * for any other schema without calling it, so a user never writes
	 * `schemas =` boilerplate for a module's own domain (cobo-oauth:
	 * com.cobo.credential.Token).  A `schemas =` option still wins.
	 */
	const char *const *schemas;
	/*
	 * The [profile NAME] keys this module reads, ended by a NULL name; NULL
	 * for a module that reads none.  When a module with a table is loaded,
	 * the host refuses every profile key that is in no table with
	 * FILE:LINE, and checks COBOCRED_SETTING_REQUIRED ones.
	 */
	const struct cobocred_setting *settings;
	/* App key administration (generate, import, public key); NULL if none. */
	const struct cobocred_key_ops *keys;

	/* ---- ABI 1.3 additions (zero-filled for older modules) ---- */
	/* A lock service for the token lifecycle (see above); NULL if none. */
	const struct cobocred_lock_ops *locks;

	/* ---- ABI 1.5 additions (zero-filled for older modules) ---- */
	/* Signed Cobo API requests (see struct cobocred_request_ops); NULL if none. */
	const struct cobocred_request_ops *requests;
};

/* The size of struct cobocred_module in ABI 1.0 and 1.1 (it ended at list). */
#define COBOCRED_MODULE_SIZE_1_0 \
	(offsetof(struct cobocred_module, list) + sizeof(((struct cobocred_module *)0)->list))

/* The one exported symbol.  Returns NULL to refuse the host. */
typedef const struct cobocred_module *(*cobocred_module_init_fn)(uint32_t host_abi);
#define COBOCRED_MODULE_INIT_SYMBOL "cobocred_module_init"

/*
 * Defining a module (as nbdkit's NBDKIT_REGISTER_PLUGIN does): one line
 * stamps the struct with the ABI this header describes and defines the
 * exported init, which refuses a host of another major version:
 *
 *     COBOCRED_MODULE_DEFINE(my_module, "mine",
 *             .caps = COBOCRED_CAP_GET,
 *             .open = my_open, .close = my_close, .get = my_get);
 *
 * The parts, for a module whose struct must be visible elsewhere (its unit
 * tests) or a test fixture that fakes another ABI:
 *   COBOCRED_MODULE_HEADER(name)            the stamp, inside an initialiser;
 *   COBOCRED_MODULE_HEADER_AS(abi, size, name)  the same with other values;
 *   COBOCRED_MODULE_INIT(var)               the exported cobocred_module_init.
 */
#if defined(__GNUC__)
#define COBOCRED_MODULE_EXPORT __attribute__((visibility("default")))
#else
#define COBOCRED_MODULE_EXPORT
#endif

#define COBOCRED_MODULE_HEADER_AS(abi, size, modname) \
	.abi_version = (abi), .struct_size = (uint32_t)(size), .name = (modname)

#define COBOCRED_MODULE_HEADER(modname) \
	COBOCRED_MODULE_HEADER_AS(COBOCRED_ABI_VERSION, sizeof(struct cobocred_module), modname)

#define COBOCRED_MODULE_INIT(var)                                                             \
	COBOCRED_MODULE_EXPORT const struct cobocred_module *cobocred_module_init(            \
		uint32_t host_abi);                                                           \
	COBOCRED_MODULE_EXPORT const struct cobocred_module *cobocred_module_init(            \
		uint32_t host_abi)                                                            \
	{                                                                                     \
		return COBOCRED_ABI_MAJOR_OF(host_abi) == COBOCRED_ABI_MAJOR ? &(var) : NULL; \
	}

#define COBOCRED_MODULE_DEFINE(var, modname, ...)                                    \
	static const struct cobocred_module var = { COBOCRED_MODULE_HEADER(modname), \
						    __VA_ARGS__ };                   \
	COBOCRED_MODULE_INIT(var)

#ifdef __cplusplus
}
#endif

#endif /* COBOCRED_MODULE_H */
