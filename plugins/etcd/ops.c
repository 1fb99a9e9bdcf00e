/*
 * ops.c - the etcd module's store operations and its table.
 *
 * get reads the record's own key first (one range), and ranges over every
 * record only when the query does not name one exactly.  Every record read
 * leaves its revision behind (etcd_rev_note), and store writes with a
 * compare-and-swap on it: under the lifecycle's fleet lock the refresher
 * has just read the record, so a writer whose read is stale (its lease ran
 * out while it waited on the network, another machine refreshed since)
 * never overwrites the newer refresh token; it gets TRYAGAIN instead.
 * A record's lease ends with its token, so etcd forgets dead tokens.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.h"
#include "hostmem.h"
#include "itemmatch.h"
#include "kv.h"
#include "lock.h"

#define KEY_MAX 160

/*
 * Rollback: a record older than the newest generation of it this machine
 * has seen (gen.c) is an older copy put back; it is passed over (NOTFOUND,
 * traced) and *out freed, so the lifecycle refreshes with the newest
 * refresh token it holds, or mints, and writes over it (its revision is
 * noted).  A record at least as new raises the mark.
 */
static int judge_gen(struct etcd_state *s, const char *key, int64_t gen, struct cobocred_item **out)
{
	int64_t seen = etcd_gen_seen(s, key);
	struct etcd_rev *r = etcd_rev_find(s, key);

	if (gen < seen) {
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "etcd record %s is generation %lld, older than generation %lld this "
			     "machine has seen: rolled back (an older copy put back); passed over",
			     key, (long long)gen, (long long)seen);
		s->host->item_free(*out);
		*out = NULL;
		return COBOCRED_NOTFOUND;
	}
	etcd_gen_saw(s, key, gen, (*out)->expires_at);
	if (r != NULL)
		r->gen = gen;
	return COBOCRED_SUCCESS;
}

/*
 * Decodes one kv into an item (and notes its revision).  COBOCRED_* with
 * error set.  A key this module never writes (a NUL or any other byte
 * after a valid name, another length, other characters) is NOTFOUND and
 * logged, before its revision is noted: a planted copy never stands in for
 * the record whose name it starts with.
 */
static int kv_item(struct etcd_state *s, struct json_object *kv, struct cobocred_item **out,
		   char *key, size_t keylen)
{
	size_t klen = 0, vlen = 0, plen = 0;
	char *k = etcd_json_b64str(kv, "key", &klen);
	char *v = etcd_json_b64str(kv, "value", &vlen);
	unsigned char *plain = NULL;
	struct etcd_where w;
	int64_t gen = 0;
	int st = COBOCRED_ERROR;

	*out = NULL;
	if (k == NULL || v == NULL) {
		s->host->set_error(s->host->ctx, "etcd answered a malformed record");
		goto out;
	}
	if (klen >= keylen || !etcd_record_key_ok(s, k, klen)) {
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "etcd: passed over a key of %zu bytes under the record prefix that "
			     "this module never writes",
			     klen);
		st = COBOCRED_NOTFOUND;
		goto out;
	}
	memcpy(key, k, klen + 1);
	w.key = k;
	w.len = klen;
	etcd_rev_note(s, k, etcd_json_i64(kv, "mod_revision"), etcd_json_i64(kv, "lease"));
	st = etcd_open_value(s, &w, (unsigned char *)v, vlen, &plain, &plen);
	if (st == COBOCRED_SUCCESS)
		s->own_seen++; /* sealed with a key of this machine */
	if (st == COBOCRED_SUCCESS && etcd_record_decode(s->host, plain, plen, out, &gen) != 0) {
		s->host->set_error(s->host->ctx,
				   "etcd record %s opened but does not parse; erase it", k);
		st = COBOCRED_ERROR;
	}
	if (st == COBOCRED_SUCCESS)
		st = judge_gen(s, k, gen, out);
	/* dated on this clock from the lease before anything judges its dates (life.c) */
	if (st == COBOCRED_SUCCESS)
		st = etcd_life_rebase(s, k, etcd_json_i64(kv, "lease"), *out);
	if (st != COBOCRED_SUCCESS && *out != NULL) {
		s->host->item_free(*out);
		*out = NULL;
	}
out:
	cobocred_hostmem_free(plain);
	free(k);
	free(v);
	return st;
}

/* Items of kvs matching q, chained into *out; errors of unreadable records in *bad. */
static int collect(struct etcd_state *s, struct json_object *kvs, const struct cobocred_query *q,
		   struct cobocred_item **out, int *bad, char (*keys)[KEY_MAX], size_t maxkeys,
		   size_t *nkeys)
{
	size_t i, n = kvs != NULL ? json_object_array_length(kvs) : 0;
	struct cobocred_item **tail = out, *it;
	char key[KEY_MAX];
	int found = 0;

	for (i = 0; i < n; i++) {
		if (kv_item(s, json_object_array_get_idx(kvs, i), &it, key, sizeof(key)) !=
		    COBOCRED_SUCCESS) {
			*bad = 1;
			continue;
		}
		if (!cobocred_item_matches(it, q)) {
			s->host->item_free(it);
			continue;
		}
		if (keys != NULL && *nkeys < maxkeys)
			snprintf(keys[(*nkeys)++], KEY_MAX, "%s", key);
		*tail = it;
		tail = &it->next;
		found = 1;
	}
	return found;
}

/* Every record under the prefix matching q. */
static int range_all(struct etcd_state *s, const struct cobocred_query *q,
		     struct cobocred_item **out, char (*keys)[KEY_MAX], size_t maxkeys,
		     size_t *nkeys)
{
	struct json_object *resp = NULL, *kvs = NULL;
	char where[KEY_MAX];
	int st, bad = 0;

	*out = NULL;
	snprintf(where, sizeof(where), "%stok/", s->conf.prefix);
	st = etcd_kv_range(s, where, 1, &resp, &kvs);
	if (st == COBOCRED_SUCCESS) {
		/* A record this machine cannot open is passed over here; etcd_get
		 * decides whether a miss beside records of another key is an error. */
		s->foreign_id[0] = '\0';
		s->own_seen = 0;
		st = collect(s, kvs, q, out, &bad, keys, maxkeys, nkeys) ? COBOCRED_SUCCESS
									 : COBOCRED_NOTFOUND;
		if (bad)
			s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
				     "etcd: passed over records this fleet key cannot open");
	}
	json_object_put(resp);
	return st;
}

/* The record named exactly by q's attributes under fleet key k, if q names one. */
static int get_named(struct etcd_state *s, const struct etcd_fleet_key *k,
		     const struct cobocred_query *q, struct cobocred_item **out)
{
	struct json_object *resp = NULL, *kvs = NULL;
	char key[KEY_MAX], got[KEY_MAX];
	int st;

	*out = NULL;
	if (etcd_record_key(s, k, q->schema, q->n_attrs, q->attrs, key, sizeof(key)) != 0)
		return COBOCRED_NOTFOUND;
	st = etcd_kv_range(s, key, 0, &resp, &kvs);
	if (st == COBOCRED_SUCCESS && (kvs == NULL || json_object_array_length(kvs) == 0)) {
		etcd_rev_note(s, key, 0, 0); /* known absent: a store creates it only if still so */
		st = COBOCRED_NOTFOUND;
	} else if (st == COBOCRED_SUCCESS) {
		st = kv_item(s, json_object_array_get_idx(kvs, 0), out, got, sizeof(got));
		if (st == COBOCRED_SUCCESS && strcmp(got, key) != 0) {
			s->host->item_free(*out); /* not the key asked for */
			*out = NULL;
			st = COBOCRED_NOTFOUND;
		}
		if (st == COBOCRED_SUCCESS && !cobocred_item_matches(*out, q)) {
			s->host->item_free(*out);
			*out = NULL;
			st = COBOCRED_NOTFOUND;
		}
	}
	json_object_put(resp);
	return st;
}

/*
 * Names are keyed with the fleet key, so a record written before a
 * rotation is found under its name by the previous key.
 */
static int get_direct(struct etcd_state *s, const struct cobocred_query *q,
		      struct cobocred_item **out)
{
	int st = get_named(s, &s->keys[0], q, out);

	if (st == COBOCRED_NOTFOUND && s->keys[1].set)
		st = get_named(s, &s->keys[1], q, out);
	return st;
}

/*
 * The record written last of a chain (keys[i] names item i), by the
 * cluster's order: the highest mod_revision, never a writer's date (the
 * machines' clocks disagree).  Frees the rest.
 */
static struct cobocred_item *best(struct etcd_state *s, struct cobocred_item *list,
				  char (*keys)[KEY_MAX], size_t nkeys)
{
	struct cobocred_item *b = list, *it, *next;
	const struct etcd_rev *r;
	int64_t top = -1, rev;
	size_t i;

	for (it = list, i = 0; it != NULL && i < nkeys; it = it->next, i++) {
		r = etcd_rev_find(s, keys[i]);
		rev = r != NULL ? r->mod_revision : 0;
		if (rev > top) {
			top = rev;
			b = it;
		}
	}
	for (it = list; it != NULL; it = next) {
		next = it->next;
		if (it != b) {
			it->next = NULL;
			s->host->item_free(it);
		}
	}
	b->next = NULL;
	return b;
}

int etcd_get(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct etcd_state *s = state;
	struct cobocred_item *all = NULL;
	char keys[ETCD_MAX_REVS][KEY_MAX];
	size_t nkeys = 0;
	int st;

	*out = NULL;
	st = get_direct(s, q, out);
	if (st != COBOCRED_NOTFOUND || (q->flags & COBOCRED_QUERY_EXACT))
		return st;
	st = range_all(s, q, &all, keys, ETCD_MAX_REVS, &nkeys);
	if (st == COBOCRED_SUCCESS)
		*out = best(s, all, keys, nkeys);
	/*
	 * Names are keyed with the fleet key, so a machine with a wrong key
	 * never finds the fleet's records by name.  A miss where etcd holds
	 * records sealed with a key this machine lacks and none it can open is
	 * therefore the error that names both key ids, never a mint beside the
	 * fleet (one fleet per prefix; during a rotation keep
	 * fleet_key_previous until every record is rewritten).  One record of
	 * its own is proof enough of the key: a value planted under another
	 * key id beside the fleet's records never stops a mint.
	 */
	if (st == COBOCRED_NOTFOUND && s->foreign_id[0] != '\0' && s->own_seen == 0) {
		s->host->set_error(s->host->ctx,
				   "fleet_key: etcd holds records sealed with fleet key id %s and "
				   "none this machine can open with key id %s%s%s; "
				   "configure that key (fleet_key or fleet_key_previous)",
				   s->foreign_id, s->keys[0].id, s->keys[1].set ? " and " : "",
				   s->keys[1].set ? s->keys[1].id : "");
		st = COBOCRED_ERROR;
	}
	return st;
}

int etcd_list(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	return range_all(state, q, out, NULL, 0, NULL);
}

/* A lease that ends with the token (none for a token that does not expire). */
static int record_lease(struct etcd_state *s, const struct cobocred_item *it, int64_t *lease)
{
	int64_t ttl = it->expires_at - s->host->now(s->host->ctx);

	*lease = 0;
	if (it->expires_at == 0)
		return COBOCRED_SUCCESS;
	if (ttl < 1)
		ttl = 1;
	return etcd_lease_grant(s, ttl, lease);
}

/*
 * After a store under the current key's name: the same record under the
 * previous key's name, as this helper read it, goes (a rotation leaves no
 * record sealed with the old key behind once rewritten).
 */
static void drop_previous(struct etcd_state *s, const struct cobocred_item *item)
{
	char old[KEY_MAX];
	struct etcd_rev *r;

	if (!s->keys[1].set || etcd_record_key(s, &s->keys[1], item->schema, item->n_attrs,
					       item->attrs, old, sizeof(old)) != 0)
		return;
	r = etcd_rev_find(s, old);
	if (r != NULL && r->mod_revision > 0 &&
	    etcd_kv_cas_delete(s, old, r->mod_revision) == COBOCRED_SUCCESS) {
		etcd_lease_revoke(s, r->lease);
		etcd_rev_note(s, old, 0, 0);
	}
}

/*
 * The generation of a new write of key: above the record it replaces (as
 * read), above the newest this machine has seen, and at least etcd's
 * revision as of the last answer, so that a machine that never saw the
 * record (it expired, or was erased) still writes one newer than any
 * other machine saw: every earlier write carried a smaller revision.
 */
static int64_t next_gen(struct etcd_state *s, const char *key, const struct etcd_rev *known)
{
	int64_t g = etcd_gen_seen(s, key);

	if (known != NULL && known->gen > g)
		g = known->gen;
	if (s->cluster_rev > g)
		g = s->cluster_rev;
	return g + 1;
}

/*
 * A put that timed out at one member ("request timed out" while a member
 * died) may still be applied, and its retry then fails the compare on our
 * own write.  A sealed value carries a random nonce, so finding exactly it
 * under key proves the write was this helper's: 1 with *rev set.
 */
static int landed(struct etcd_state *s, const char *key, const char *sealed, int64_t *rev)
{
	struct json_object *resp = NULL, *kvs = NULL, *kv;
	size_t vlen = 0;
	char *v = NULL;
	int same = 0;

	if (etcd_kv_range(s, key, 0, &resp, &kvs) == COBOCRED_SUCCESS && kvs != NULL &&
	    json_object_array_length(kvs) == 1) {
		kv = json_object_array_get_idx(kvs, 0);
		v = etcd_json_b64str(kv, "value", &vlen);
		same = v != NULL && vlen == strlen(sealed) && memcmp(v, sealed, vlen) == 0;
		if (same)
			*rev = etcd_json_i64(kv, "mod_revision");
	}
	if (same)
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "etcd: the write of %s was applied before its retry", key);
	free(v);
	json_object_put(resp);
	return same;
}

int etcd_store(void *state, const struct cobocred_item *item, const struct cobocred_query *replace)
{
	struct etcd_state *s = state;
	unsigned char *plain = NULL;
	size_t plen = 0;
	char key[KEY_MAX], *sealed = NULL;
	struct etcd_where w;
	struct etcd_rev *known;
	int64_t lease = 0, expect = -1, old_lease = 0, rev = 0, gen;
	int st = COBOCRED_ERROR;

	(void)replace; /* the record's key is its identity: a store replaces it */
	if (etcd_record_key(s, &s->keys[0], item->schema, item->n_attrs, item->attrs, key,
			    sizeof(key)) != 0) {
		s->host->set_error(s->host->ctx,
				   "etcd: the credential has too many attributes for a record");
		return COBOCRED_ERROR;
	}
	known = etcd_rev_find(s, key);
	if (known != NULL) {
		expect = known->mod_revision;
		old_lease = known->lease;
	}
	gen = next_gen(s, key, known);
	if (etcd_record_encode(item, gen, &plain, &plen) != 0) {
		s->host->set_error(s->host->ctx,
				   "etcd: the credential has a field a record cannot hold "
				   "(a newline)");
		return COBOCRED_ERROR;
	}
	w.key = key;
	w.len = strlen(key);
	st = etcd_seal(s, &w, plain, plen, &sealed);
	cobocred_hostmem_free(plain);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = record_lease(s, item, &lease);
	if (st == COBOCRED_SUCCESS)
		st = etcd_kv_cas_put(s, key, sealed, lease, expect, &rev);
	if (st == COBOCRED_TRYAGAIN && landed(s, key, sealed, &rev))
		st = COBOCRED_SUCCESS;
	if (st == COBOCRED_SUCCESS) {
		etcd_rev_note(s, key, rev, lease);
		if ((known = etcd_rev_find(s, key)) != NULL)
			known->gen = gen;
		etcd_gen_saw(s, key, gen, item->expires_at);
		drop_previous(s, item);
		if (old_lease != 0 && old_lease != lease)
			etcd_lease_revoke(s, old_lease);
	} else {
		etcd_lease_revoke(s, lease);
		if (st == COBOCRED_TRYAGAIN)
			s->host->set_error(s->host->ctx,
					   "etcd: another writer changed the record since this "
					   "helper read it (revision %lld); a newer token is not "
					   "overwritten",
					   (long long)expect);
	}
	free(sealed);
	return st;
}

int etcd_erase(void *state, const struct cobocred_query *q)
{
	struct etcd_state *s = state;
	struct cobocred_item *all = NULL;
	char keys[16][KEY_MAX];
	size_t n = 0, i;
	int st, gone = 0;

	st = range_all(s, q, &all, keys, 16, &n);
	s->host->item_free(all);
	if (st != COBOCRED_SUCCESS)
		return st;
	for (i = 0; i < n; i++) {
		struct etcd_rev *r = etcd_rev_find(s, keys[i]);
		int64_t lease = r != NULL ? r->lease : 0;

		/* Only the record just judged: one rewritten since stays. */
		if (etcd_kv_cas_delete(s, keys[i], r != NULL ? r->mod_revision : -1) ==
		    COBOCRED_SUCCESS) {
			gone++;
			etcd_rev_note(s, keys[i], 0, 0);
			etcd_lease_revoke(s, lease);
		}
	}
	return gone > 0 ? COBOCRED_SUCCESS : COBOCRED_NOTFOUND;
}

int etcd_open(const struct cobocred_host *host, int argc, const char *const *argv, void **out)
{
	struct etcd_state *s;
	int st;

	*out = NULL;
	cobocred_hostmem_bind(host->secret_alloc, host->secret_free);
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		host->set_error(host->ctx, "out of memory");
		return COBOCRED_ERROR;
	}
	s->host = host;
	st = etcd_conf_parse(s, argc, argv);
	if (st == COBOCRED_SUCCESS && etcd_gw_global_init() != 0) {
		host->set_error(host->ctx, "etcd: libcurl failed to initialise");
		st = COBOCRED_UNAVAIL;
	}
	if (st != COBOCRED_SUCCESS) {
		etcd_conf_free(s);
		free(s);
		return st;
	}
	*out = s;
	return COBOCRED_SUCCESS;
}

void etcd_close(void *state)
{
	struct etcd_state *s = state;

	if (s == NULL)
		return;
	etcd_locks_release_all(s);
	etcd_gen_free(s);
	etcd_conf_free(s);
	etcd_gw_global_cleanup();
	free(s);
}
