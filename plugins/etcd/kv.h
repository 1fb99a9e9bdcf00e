/*
 * kv.h - etcd's key space as the module uses it: single keys, ranges,
 * leases, and a compare-and-swap put.
 */
#ifndef ETCD_KV_H
#define ETCD_KV_H

#include "gw.h"

/* The kvs of key (or of every key under key when prefix); *resp owns them. */
int etcd_kv_range(struct etcd_state *s, const char *key, int prefix, struct json_object **resp,
		  struct json_object **kvs);
/* A lease of ttl seconds in *id. */
int etcd_lease_grant(struct etcd_state *s, int64_t ttl, int64_t *id);
/*
 * What is left of a lease, counted by the cluster, not by any machine's
 * clock: *ttl the seconds left (-1: the lease has ended), *granted the TTL
 * it was granted with.  COBOCRED_* status, error set.
 */
int etcd_lease_ttl(struct etcd_state *s, int64_t id, int64_t *ttl, int64_t *granted);
/* Ends a lease and every key bound to it; best effort. */
void etcd_lease_revoke(struct etcd_state *s, int64_t id);
/*
 * Puts value at key bound to lease (0: none) if the key's mod_revision is
 * still expect (0: the key must not exist; -1: no condition).  SUCCESS with
 * *rev the new revision, or TRYAGAIN when the condition failed.
 */
int etcd_kv_cas_put(struct etcd_state *s, const char *key, const char *value, int64_t lease,
		    int64_t expect, int64_t *rev);
/* Deletes key if its mod_revision is still expect (-1: any).  SUCCESS, NOTFOUND or TRYAGAIN. */
int etcd_kv_cas_delete(struct etcd_state *s, const char *key, int64_t expect);
/* The same for a key of klen bytes, which may hold any byte. */
int etcd_kv_cas_delete_n(struct etcd_state *s, const char *key, size_t klen, int64_t expect);

#endif
