/*
 * map.h - the keyring module's pure part: how our items (struct
 * cobocred_item) look as Secret Service items, and back.  No D-Bus here,
 * so the unit tests exercise every rule without a daemon.
 *
 * Three layouts:
 *   git     COBOCRED_SCHEMA_GIT, stored attribute for attribute as git's
 *           contrib git-credential-libsecret does (user, server, port,
 *           protocol, object); payload "password[\nkey=value...]".
 *   docker  COBOCRED_SCHEMA_DOCKER as docker-credential-secretservice
 *           writes it (label, server, username, docker_cli); item label =
 *           the server URL; payload = the secret.
 *   generic everything else, Cobo tokens and app secrets included:
 *           attributes as they are, plus expires_at / created_at as
 *           non-lookup metadata; payload = the secret.
 *
 * Every layout is read on its schema's own attributes: what a provider
 * adds to each item (kr_provider_attr) is ignored, while any other
 * attribute still tells two credentials apart (EXACT, git's foreign items).
 */
#ifndef KEYRING_MAP_H
#define KEYRING_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "cobocred/module.h"

#define KR_MAX_ATTRS 32
#define KR_ARENA 8192 /* bytes of attribute names and values per item */

/* Return codes of the mapping functions besides 0 and -1 (error). */
#define KR_SKIP 1    /* a keyring item that is not one of ours: ignore it */
#define KR_NOMATCH 1 /* a query no item of that schema can match */

/* Secret Service schema names and attribute names. */
#define KR_XDG_SCHEMA "xdg:schema"
#define KR_SS_GIT_LEGACY "org.gnome.keyring.NetworkPassword"
#define KR_DOCKER_LABEL "Docker Credentials"

/* A set of attributes whose strings live in the struct itself. */
struct kr_attrs {
	size_t n;
	struct cobocred_attr v[KR_MAX_ATTRS];
	size_t used;
	char arena[KR_ARENA];
};

enum kr_kind { KR_GIT, KR_DOCKER, KR_GENERIC };

void kr_attrs_init(struct kr_attrs *a);
/* Copies name and value[0..vlen); -1 when the set is full. */
int kr_attrs_addn(struct kr_attrs *a, const char *name, const char *value, size_t vlen);
int kr_attrs_add(struct kr_attrs *a, const char *name, const char *value);
/* The value of name, or NULL. */
const char *kr_attrs_get(const struct kr_attrs *a, const char *name);

enum kr_kind kr_kind_of(const char *schema);
/* 1 if a Secret Service schema name holds git credentials. */
int kr_is_git_ss_schema(const char *ss_schema);
/*
 * 1 if name is an attribute a Secret Service provider adds to every item
 * on its own (KeePassXC: its entry fields Title, UserName, URL, Notes and
 * its Uuid and Path).  Such attributes are not ours to judge: reading, we
 * ignore them for every schema; writing, our items never carry them.
 */
int kr_provider_attr(const char *name);

/*
 * The Secret Service form of it: attributes (with xdg:schema; git items
 * get git_ss_schema) and label.  0, or -1 with err for an item that
 * cannot be stored (unknown or reserved attribute, newline in a git field).
 */
int kr_item_to_ss(const char *git_ss_schema, const struct cobocred_item *it, struct kr_attrs *ss,
		  char *label, size_t labellen, char *err, size_t errlen);

/*
 * The payload of it in host secret memory (*out, owned by the caller,
 * free with h->secret_free).  0, or -1 with err (OOM, newline in a git
 * password or refresh token).
 */
int kr_payload_build(const struct cobocred_host *h, const struct cobocred_item *it, char **out,
		     size_t *outlen, char *err, size_t errlen);

/*
 * Our item of schema from a Secret Service item's attributes and label
 * (no secret yet: see kr_item_set_payload).  created is the keyring's
 * creation time.  0 with *out set, KR_SKIP when the item is not laid out
 * as that schema's items are, -1 on OOM.
 */
int kr_item_from_ss(const struct cobocred_host *h, const char *schema, const struct kr_attrs *ss,
		    const char *label, int64_t created, struct cobocred_item **out);

/* Sets it's secret (and for git, expiry and refresh token) from a payload. 0 or -1 (OOM). */
int kr_item_set_payload(const struct cobocred_host *h, struct cobocred_item *it,
			const char *payload, size_t plen);

/*
 * Fills it's secret, expiry and refresh token from a git payload
 * ("password[\npassword_expiry_utc=N][\noauth_refresh_token=T]").  0 or -1.
 */
int kr_git_payload_parse(const struct cobocred_host *h, struct cobocred_item *it,
			 const char *payload, size_t plen);

/*
 * The attributes to search the Secret Service with for q under schema:
 * the query's valued attributes, renamed for the layout.  Absent-required
 * (NULL-valued) attributes are left to kr_item_matches.  0, KR_NOMATCH,
 * or -1 when the set is full.
 */
int kr_query_to_search(const struct cobocred_query *q, const char *schema, struct kr_attrs *out);

/*
 * The query an item replaces when stored (its identity): git and generic
 * items every attribute exactly; docker items their server only (one entry
 * per ServerURL).  attrs has room for KR_MAX_ATTRS; q points into it and it.
 */
void kr_identity_query(const struct cobocred_item *it, struct cobocred_query *q,
		       struct cobocred_attr *attrs);

/* cobocred_item_matches' rules (schema, attributes, EXACT, secret). */
int kr_item_matches(const struct cobocred_item *it, const struct cobocred_query *q);

/* "host[:port]" split as git does it: *port NULL or a valid 1..65535 port. */
void kr_split_host(const char *host, size_t *server_len, const char **port);

#endif
