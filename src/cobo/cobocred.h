/*
 * cobocred.h - the API the front-ends (git, docker, cli, proxy) use: the
 * Cobo wing (profiles, the origin rule, routing, the token lifecycle,
 * signed requests) over the engine (engine.h: contexts, the stack, items).
 * Front-ends include this header only.
 */
#ifndef COBOCRED_H
#define COBOCRED_H

#include <stdint.h>
#include <stdio.h>

#include "engine.h"

/*
 * Creates a context.  config_path NULL means the search order of ARCHITECTURE.md:
 * $COBO_CREDENTIAL_CONFIG, $XDG_CONFIG_HOME/cobo-credential/config,
 * SYSCONFDIR/cobo-credential/config, then the built-in default.
 * On failure *out is still a usable context (for cobocred_error) unless the
 * status is ERROR with *out NULL (out of memory).
 */
int cobocred_ctx_new(const char *config_path, struct cobocred_ctx **out);
/*
 * A context on the built-in default configuration whatever files exist:
 * for work that needs a schema's owner module but no profile (parsing or
 * generating an app key before any configuration is written).
 */
int cobocred_ctx_new_builtin(struct cobocred_ctx **out);

/* Profiles ([profile NAME] sections). */
/* Number of profiles and the name of the i-th, in file order. */
size_t cobocred_profile_count(const struct cobocred_ctx *ctx);
const char *cobocred_profile_name(const struct cobocred_ctx *ctx, size_t i);
const char *cobocred_profile_get(const struct cobocred_ctx *ctx, const char *profile,
				 const char *key);
/*
 * "host[:port]" of a profile's base_url (https:// or http://), lower-case,
 * the port only when it is not the scheme's default: what git config and
 * Docker's credHelpers name the host by.  0, or -1 when it does not parse
 * strictly (src/cobo/origin.h) or does not fit.
 */
int cobocred_base_url_hostport(const char *base_url, char *out, size_t outlen);

/*
 * The orgs a profile serves (org_id: one org id, a list, or '*'; the rule
 * is src/util/orgset.h).  *out is the org a call on profile is for: org
 * when the profile serves it (org is then the caller's string), or with
 * org NULL the profile's only org (ctx's string).  SUCCESS; NOTFOUND
 * (message set) for no such profile or an org it does not serve; ERROR
 * for an org that is no org id, or no org named for a profile serving
 * several: the message lists them and says how to name one.
 */
int cobocred_profile_org(struct cobocred_ctx *ctx, const char *profile, const char *org,
			 const char **out);

/*
 * The token lifecycle: a valid access token for profile and org (NULL:
 * the profile's only org; see cobocred_profile_org), valid for at least
 * min_valid more seconds (0: the default refresh window).  From cache when
 * fresh; otherwise refreshed or minted under a per-(app, org) lock.
 * *out is one item of schema COBOCRED_SCHEMA_COBO, kind=access, whose
 * org_id is the org.
 */
int cobocred_token_get_org(struct cobocred_ctx *ctx, const char *profile, const char *org,
			   int64_t min_valid, struct cobocred_item **out);
/* cobocred_token_get_org for the profile's only org. */
int cobocred_token_get(struct cobocred_ctx *ctx, const char *profile, int64_t min_valid,
		       struct cobocred_item **out);
/* Drops the cached access token of profile and org if it equals token (NULL: any). */
int cobocred_token_erase_org(struct cobocred_ctx *ctx, const char *profile, const char *org,
			     const char *token);
/* cobocred_token_erase_org for the profile's only org. */
int cobocred_token_erase(struct cobocred_ctx *ctx, const char *profile, const char *token);

/*
 * The Cobo domain (cobo_identity.c, schema_owner.c).  The identity of a
 * profile's tokens is the core's rule; the settings and the app keys belong
 * to the module that owns the schema, reached through the calls below,
 * which load that module (and so OpenSSL) only when they run.
 */
#define COBOCRED_COBO_QUERY_ATTRS 4
/* NULL-ended: the profile settings that identify a profile's tokens (all required). */
extern const char *const cobocred_cobo_identity_keys[];
/*
 * The query for profile's cached tokens of kind ("access" | "refresh"):
 * schema COBOCRED_SCHEMA_COBO with base_url, client_id, org_id and kind,
 * for the profile's only org (ERROR when it serves several).
 * attrs is the caller's storage; q points into it and at ctx's strings.
 * NOTFOUND (message set) when there is no such profile.
 */
int cobocred_cobo_query(struct cobocred_ctx *ctx, const char *profile, const char *kind,
			struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			struct cobocred_query *q);
/*
 * The same for one org of profile (NULL: its only org), checked as
 * cobocred_profile_org does (same statuses): a query for an org the
 * profile does not serve is never built.
 */
int cobocred_cobo_query_org(struct cobocred_ctx *ctx, const char *profile, const char *org,
			    const char *kind, struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			    struct cobocred_query *q);
/*
 * The tokens of kind of every org of profile's app (base_url, client_id,
 * kind; no org_id), for list and status: the caller keeps only the items
 * whose org_id the profile serves (cobocred_profile_org).
 */
int cobocred_cobo_query_app(struct cobocred_ctx *ctx, const char *profile, const char *kind,
			    struct cobocred_attr attrs[COBOCRED_COBO_QUERY_ATTRS],
			    struct cobocred_query *q);

/*
 * The settings table of the module that owns schema (the first minting
 * module of the [stack] get line that declares settings or key operations),
 * loading it.  Every profile is checked against it as it loads: an unknown
 * key or a missing required one is an ERROR naming FILE:LINE.
 */
int cobocred_schema_settings(struct cobocred_ctx *ctx, const char *schema,
			     const struct cobocred_setting **out);
/*
 * Key administration through schema's owner.  *secret (host secret memory,
 * the module's canonical text, free with cobocred_secret_free) is opaque to
 * the caller; pub is the public key text (publen >= 128).  COBOCRED_* status,
 * message set on failure.
 */
int cobocred_key_generate(struct cobocred_ctx *ctx, const char *schema, char **secret,
			  size_t *secret_len, char *pub, size_t publen);
int cobocred_key_import(struct cobocred_ctx *ctx, const char *schema, const char *text, size_t len,
			char **secret, size_t *secret_len, char *pub, size_t publen);
/* The public key of profile's configured app secret, read as the module reads it to sign. */
int cobocred_key_public(struct cobocred_ctx *ctx, const char *schema, const char *profile,
			char *pub, size_t publen);
/* A new key inside the token where names (cobo-oauth: a pkcs11: URI); only pub comes back. */
int cobocred_key_generate_token(struct cobocred_ctx *ctx, const char *schema, const char *where,
				char *pub, size_t publen);
/*
 * 1 if the last error is the settings owner refusing a profile (an unknown
 * or missing key, FILE:LINE): a configuration error, for exit codes.
 */
int cobocred_error_in_config(const struct cobocred_ctx *ctx);

/*
 * Signed Cobo API requests (signed.c, target.c, transport.c): what
 * 'cobo-credential sign', 'api' and the proxy are built on.  The token
 * comes from the lifecycle; the signature from the module that owns the
 * Cobo schema (ABI 1.5 requests), which alone holds the app secret.
 *
 * Threads: a context is not thread-safe; the caller serialises every call
 * that takes a ctx (these included).  cobocred_transport_send and
 * cobocred_transport_reply_free alone may run on several threads at once,
 * beside one thread using ctx for anything but cobocred_ctx_free, which
 * must come after every transport call has returned.
 */
#define COBOCRED_REQUEST_TARGET_MAX 8192	    /* bytes in a PATH or URL argument */
#define COBOCRED_REQUEST_BODY_MAX (8 * 1024 * 1024) /* bytes in a request body */

/*
 * Splits target into the path and query a request for profile sends and
 * signs.  target is a PATH relative to profile's base_url ("/wallets?limit=10"
 * gives "/v2/wallets" and "limit=10" for base_url https://host/v2) or a full
 * URL, which must satisfy the origin rule (SECURITY.md: scheme, host and
 * port of base_url) and lie under base_url's path.  The query is kept
 * byte for byte ("" for none); a fragment, a dot segment ("." or "..",
 * also percent-encoded), a backslash, a control, space or non-ASCII byte
 * is refused.  *path and *query are new strings (free()).  SUCCESS;
 * NOTFOUND for no such profile; ERROR with one line for a refused target.
 */
int cobocred_request_target(struct cobocred_ctx *ctx, const char *profile, const char *target,
			    char **path, char **query);

/* A signed request's credentials, in host secret memory. */
struct cobocred_signed {
	/* "Authorization: Bearer T", "Biz-Api-Key: K", "Biz-Api-Nonce: N",
	 * "Biz-Api-Signature: S", then NULL: ready for curl -H or a header list. */
	char *headers[5];
	char *token; /* the access token used (for cobocred_token_erase_org) */
	size_t token_len;
	char nonce[24]; /* the Biz-Api-Nonce signed */
	char org[128];	/* the org the token is for */
};

/*
 * Signs req (its nonce is ignored: the clock's is used) for profile and
 * org (NULL: the profile's only org) with a token from the lifecycle.
 * *out is new (cobocred_signed_free).  A COBOCRED_* status, message set.
 */
int cobocred_request_sign(struct cobocred_ctx *ctx, const char *profile, const char *org,
			  const struct cobocred_http_request *req, struct cobocred_signed **out);
/*
 * The same with token (an item cobocred_token_get_org answered for that
 * org, which the caller keeps between requests: the proxy's in-process
 * cache) instead of a lifecycle read per request; NULL: as
 * cobocred_request_sign.  ERROR when token is not the org's.
 */
int cobocred_request_sign_with(struct cobocred_ctx *ctx, const char *profile, const char *org,
			       const struct cobocred_item *token,
			       const struct cobocred_http_request *req,
			       struct cobocred_signed **out);
/* Wipes and frees s.  NULL is a no-op. */
void cobocred_signed_free(struct cobocred_signed *s);

/*
 * Signs and sends req; a 401 that Cobo says is for the token (bad,
 * expired, revoked) drops that exact cached token, takes a fresh one and
 * retries once, never more.  *out (free with cobocred_reply_free) is set
 * whenever an answer or a failure record exists.  SUCCESS when a verified
 * answer came, whatever its HTTP status; else a COBOCRED_* status with the
 * message set.
 */
int cobocred_request_send(struct cobocred_ctx *ctx, const char *profile, const char *org,
			  const struct cobocred_http_request *req,
			  struct cobocred_http_reply **out);
/* Frees a reply of cobocred_request_send.  NULL is a no-op. */
void cobocred_reply_free(struct cobocred_ctx *ctx, struct cobocred_http_reply *reply);

/* 1 if reply is Cobo's "the token is not (or no longer) good" 401. */
int cobocred_reply_token_rejected(const struct cobocred_http_reply *reply);
/*
 * Cobo's error_code and error_message of an error reply's JSON body
 * (bounded, unescaped as far as a one-line message needs; control
 * characters become '?').  0 if found, -1 if the body is no Cobo error.
 */
int cobocred_reply_error(const struct cobocred_http_reply *reply, char *code, size_t codelen,
			 char *message, size_t messagelen);

/*
 * The owner module's send for profile, usable from several threads
 * (see above).  *out is new: free it with cobocred_transport_free before
 * cobocred_ctx_free.  A COBOCRED_* status, message set.
 */
struct cobocred_transport;
int cobocred_request_transport(struct cobocred_ctx *ctx, const char *profile,
			       struct cobocred_transport **out);
/* Thread-safe: sends req with headers (NULL-ended "Name: value"); as the module's send. */
int cobocred_transport_send(const struct cobocred_transport *t,
			    const struct cobocred_http_request *req, const char *const *headers,
			    struct cobocred_http_reply **out);
/* Thread-safe: frees a reply of cobocred_transport_send.  NULL is a no-op. */
void cobocred_transport_reply_free(const struct cobocred_transport *t,
				   struct cobocred_http_reply *reply);
void cobocred_transport_free(struct cobocred_transport *t);

/*
 * Requests from the git and Docker front-ends, in the manner of git's
 * credential_fill / approve / reject: the front-end parses its protocol
 * into a request, the core checks every field strictly and routes the
 * request once - to a Cobo profile by the origin rule (src/cobo/origin.h),
 * else to the plain store under the client's own identity
 * (git-credential-libsecret's protocol, host, path, username; Docker's
 * server string as the client spelled it).
 */
enum cobocred_client {
	COBOCRED_CLIENT_GIT = 1,
	COBOCRED_CLIENT_DOCKER = 2,
};

struct cobocred_request {
	int client; /* COBOCRED_CLIENT_* */
	/* git: each field as git sent it; NULL absent, "" present and empty. */
	const char *protocol;
	const char *host; /* host[:port] */
	const char *path;
	/* Docker: the server address as the client spelled it. */
	const char *server;
	const char *username;
	/* git password / Docker Secret (approve; git reject: the rejected one). */
	const char *secret;
	size_t secret_len;
	const char *oauth_refresh_token; /* git; secret */
	int64_t expiry;			 /* git password_expiry_utc; 0: none */
	int64_t timeout;		 /* git --timeout=SECONDS; 0: none */
	int ephemeral;			 /* git: never store */
};

/* What fill answers.  Every pointer points into item or the context. */
struct cobocred_answer {
	const char *profile;  /* the Cobo profile that answered; NULL: a plain credential */
	const char *username; /* NULL when the credential has none */
	const unsigned char *secret;
	size_t secret_len;
	int64_t expires_at;		 /* 0: does not expire */
	const char *oauth_refresh_token; /* plain git credentials only; else NULL */
	struct cobocred_item *item;	 /* owned */
};

/*
 * SUCCESS with *out filled (cobocred_answer_clear it), NOTFOUND when there
 * is nothing to answer, anything else with a one-line message in
 * cobocred_error() (a refused field, an ambiguous profile, no token).
 */
int cobocred_fill(struct cobocred_ctx *ctx, const struct cobocred_request *r,
		  struct cobocred_answer *out);
/*
 * Keeps the credential.  SUCCESS also when there is nothing to keep (git:
 * ephemeral or incomplete; a Cobo host, whose tokens are minted); Docker's
 * store for a Cobo host is refused (the message says why).
 */
int cobocred_approve(struct cobocred_ctx *ctx, const struct cobocred_request *r);
/* Erases what r names (a Cobo host: the cached access token, if it is the rejected one). */
int cobocred_reject(struct cobocred_ctx *ctx, const struct cobocred_request *r);
void cobocred_answer_clear(struct cobocred_answer *a);

#endif /* COBOCRED_H */
