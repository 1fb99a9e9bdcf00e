/*
 * etcd.h - the etcd module: a fleet's shared token store on etcd v3,
 * reached through its JSON gateway (libcurl, json-c), records sealed with
 * AES-256-GCM under a fleet key (OpenSSL), a lease per record that ends
 * with the token, compare-and-swap on the record's revision, and a
 * lease-bound lock offered to the host (ABI 1.3 `locks`).
 *
 * Options ([module etcd] section), documented in cobo-credential.conf(5):
 *   endpoints=URL[,URL...]   members, tried in order from the last one that answered
 *   fleet_key=SPEC           file:PATH | env:VAR: 64 hex, the key records are sealed with
 *   fleet_key_previous=SPEC  an older key, read only (key rotation)
 *   prefix=/cobo-credential/ where records and locks live
 *   ca_file, cert_file, key_file   TLS: CA bundle, client certificate and key
 *   pin_sha256=B64[,B64...]  accept only members with one of these public keys
 *   user=NAME, password=SPEC       etcd authentication (password file:PATH | env:VAR)
 *   connect_timeout_ms=N, request_timeout_ms=N, lock_ttl=S
 */
#ifndef ETCD_ETCD_H
#define ETCD_ETCD_H

#include <stddef.h>
#include <stdint.h>

#include "cobocred/module.h"

#define ETCD_MAX_ENDPOINTS 8
#define ETCD_MAX_REVS 32
#define ETCD_MAX_LOCKS 8
#define ETCD_KEY_LEN 32
#define ETCD_KEY_ID_LEN 8 /* hex characters */

/*
 * The module's operations (struct cobocred_module's), named so that
 * etcd_module.c builds the module with COBOCRED_MODULE_DEFINE and the unit
 * tests call them directly.
 */
int etcd_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state);
void etcd_close(void *state);
int etcd_get(void *state, const struct cobocred_query *q, struct cobocred_item **out);
int etcd_list(void *state, const struct cobocred_query *q, struct cobocred_item **out);
int etcd_store(void *state, const struct cobocred_item *item, const struct cobocred_query *replace);
int etcd_erase(void *state, const struct cobocred_query *q);

struct etcd_fleet_key {
	int set;
	unsigned char key[ETCD_KEY_LEN];
	unsigned char name_key[ETCD_KEY_LEN]; /* keys the names of records and locks */
	char id[ETCD_KEY_ID_LEN + 1];
};

/* A record's revision and lease as last read or written by this instance. */
struct etcd_rev {
	char key[160];	      /* the record's etcd key */
	int64_t mod_revision; /* 0: known absent */
	int64_t lease;
	int64_t gen; /* the generation read or written; 0: unknown or absent */
};

/* The highest generation this machine has seen of one record (gen.c). */
struct etcd_seen {
	char name[65]; /* hex SHA-256 of the record's etcd key */
	int64_t gen;
	int64_t expires; /* the record's token expiry; 0: none */
};

/* A lock held through etcd: the lease it is bound to. */
struct etcd_held {
	int used;
	int64_t lease;
};

struct etcd_conf {
	char *endpoints[ETCD_MAX_ENDPOINTS]; /* owned */
	size_t n_endpoints;
	int endpoints_default;			     /* no endpoints line: the loopback default */
	char *prefix;				     /* owned; ends with '/' */
	char *ca_file, *cert_file, *key_file, *user; /* owned; may be NULL */
	char *pins;				     /* owned; curl's "sha256//B64;..." or NULL */
	long connect_timeout_ms, request_timeout_ms, lock_ttl;
};

struct etcd_state {
	const struct cobocred_host *host;
	struct etcd_conf conf;
	struct etcd_fleet_key keys[2]; /* [0] seals and opens; [1] (previous) opens only */
	char *password;		       /* host secret memory; NULL without auth */
	char *auth_token;	       /* host secret memory; NULL until authenticated */
	size_t endpoint;	       /* the member that answered last */
	int unwell;		       /* the last call met members without a leader */
	struct etcd_rev revs[ETCD_MAX_REVS];
	size_t n_revs;
	struct etcd_held held[ETCD_MAX_LOCKS];
	int64_t cluster_rev;		      /* the highest etcd revision any answer carried */
	char foreign_id[ETCD_KEY_ID_LEN + 1]; /* a key id met in a range that this machine lacks */
	size_t own_seen;		      /* records of the last range opened with our keys */
	struct etcd_seen *seen; /* malloc'd; loaded from the state file on first use */
	size_t n_seen;
	int seen_loaded;
};

/* conf.c: parses the module options; COBOCRED_* status with the host error set. */
int etcd_conf_parse(struct etcd_state *s, int argc, const char *const *argv);
void etcd_conf_free(struct etcd_state *s);
/* Reads a 64-hex key or a password from file:PATH | env:VAR into host secret memory. */
int etcd_secret_spec(struct etcd_state *s, const char *opt, const char *spec, char **out,
		     size_t *len);

/* A record's etcd key exactly as etcd holds it: every byte, and how many. */
struct etcd_where {
	const char *key;
	size_t len;
};

/* crypt.c */
/* Derives the key's id and its naming key from its bytes. */
void etcd_key_id(struct etcd_fleet_key *k);
/*
 * hex HMAC-SHA-256 under k's naming key over the n parts given (each with
 * its NUL, so no two lists of parts run together): 64 characters and a NUL
 * in out.  0 or -1.
 */
int etcd_name(const struct etcd_fleet_key *k, const char *const *parts, size_t n, char out[65]);
/* The key lock and marker names are keyed with: the previous key while one is set. */
const struct etcd_fleet_key *etcd_lock_naming_key(const struct etcd_state *s);
/*
 * Seals plain[0..n) for etcd key `where` (the AAD, with its length: a
 * record cannot be moved to another key).  *out: malloc'd text
 * "cc2.ID.BASE64", not secret.
 */
int etcd_seal(struct etcd_state *s, const struct etcd_where *where, const unsigned char *plain,
	      size_t n, char **out);
/*
 * Opens a sealed value; *plain in host secret memory.  COBOCRED_* status,
 * error set; NOTFOUND (logged) for a value of the older cc1 format.
 */
int etcd_open_value(struct etcd_state *s, const struct etcd_where *where, const unsigned char *val,
		    size_t n, unsigned char **plain, size_t *plain_len);
/* Base64 (standard, padded): malloc'd, NUL-terminated. */
char *etcd_b64(const unsigned char *in, size_t n);
/* Decodes into malloc'd bytes (NUL after them); -1 on bad input. */
int etcd_unb64(const char *in, unsigned char **out, size_t *n);

/* record.c: the plaintext of a record (with its generation), in host secret memory. */
int etcd_record_encode(const struct cobocred_item *it, int64_t gen, unsigned char **out, size_t *n);
int etcd_record_decode(const struct cobocred_host *host, const unsigned char *p, size_t n,
		       struct cobocred_item **out, int64_t *gen);
/*
 * The record's etcd key: prefix + "tok/" + hex HMAC-SHA-256, under the
 * naming key of fleet key k, of schema and sorted attributes.
 */
int etcd_record_key(const struct etcd_state *s, const struct etcd_fleet_key *k, const char *schema,
		    size_t n_attrs, const struct cobocred_attr *attrs, char *buf, size_t len);

/*
 * 1 when key[0..len) is a record key this module writes: prefix + "tok/" +
 * 64 lowercase hex, nothing else (no NUL, no byte after it).
 */
int etcd_record_key_ok(const struct etcd_state *s, const char *key, size_t len);

/*
 * gen.c: the highest generation this machine has seen of each record,
 * kept in this process and in the state file "etcd-generations" of the
 * user's private state directory (host state_dir), shared by every helper
 * of the user on this machine.
 */
int64_t etcd_gen_seen(struct etcd_state *s, const char *key);
/* Raises the mark of key to gen (never lowers it); the file too, best effort. */
void etcd_gen_saw(struct etcd_state *s, const char *key, int64_t gen, int64_t expires);
void etcd_gen_free(struct etcd_state *s);

/*
 * life.c: dates an item read from the record at key on this machine's
 * clock from what its lease has left (the cluster's count).  SUCCESS;
 * NOTFOUND when the lease has ended (logged); other statuses, error set.
 */
int etcd_life_rebase(struct etcd_state *s, const char *key, int64_t lease,
		     struct cobocred_item *it);

/* rev.c: the revision cache. */
struct etcd_rev *etcd_rev_find(struct etcd_state *s, const char *key);
void etcd_rev_note(struct etcd_state *s, const char *key, int64_t mod_revision, int64_t lease);

#endif
