/*
 * lock.c - the fleet's single-flight lock: etcd's lock service (v3lock)
 * bound to a lease of lock_ttl seconds.  The lease is the point: a holder
 * killed with -9 or cut off from the cluster holds the lock only until its
 * lease runs out, then the next machine in line takes it.  A holder that
 * outlives its lease is caught by the compare-and-swap of store (ops.c).
 *
 * Only a key named after its own live lease is a holder or a waiter: any
 * other key under a lock's prefix (one put there without a lease, say, by
 * someone with write access to etcd) is removed before a machine waits
 * (lock_sweep), or it would stop every refresh of that (app, org) across
 * the fleet for ever.
 *
 * Failure markers (the lifecycle's backoff after a failed refresh) are
 * fleet-wide too: a key under prefix "failed/" bound to a lease of its
 * own.  How long ago the failure was is what the cluster counted of that
 * lease (granted TTL - TTL left), never a machine's date: a date written by
 * one machine and judged on another's clock makes a marker count for
 * nothing (or for ever) between machines whose clocks disagree.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kv.h"
#include "lock.h"

#define MARKER_TTL 300

/*
 * PREFIX KIND/ + the keyed hash of KIND and the host's NAME: the host's
 * names hash public values (app, org), so etcd sees only names a reader
 * cannot confirm a guessed org id against.
 */
static int path_of(const struct etcd_state *s, const char *kind, const char *name, char *buf,
		   size_t len)
{
	const char *parts[2] = { kind, name };
	char hex[65];
	int n;

	if (etcd_name(etcd_lock_naming_key(s), parts, 2, hex) != 0)
		return -1;
	n = snprintf(buf, len, "%s%s/%s", s->conf.prefix, kind, hex);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * 1 when kv is a holder's or a waiter's key: WAITERS + its own lease in
 * lowercase hex (what this module and etcd's lock service write), bound
 * to that lease.  Nothing else under the prefix can be one: a key without
 * a lease never goes away on its own, and etcd's lock service would make
 * every machine wait behind it for ever.
 */
static int lock_key_ok(struct json_object *kv, const char *waiters)
{
	size_t klen = 0, n = strlen(waiters);
	char *k = etcd_json_b64str(kv, "key", &klen), want[32];
	int64_t lease = etcd_json_i64(kv, "lease");
	int ok;

	snprintf(want, sizeof(want), "%llx", (unsigned long long)lease);
	ok = k != NULL && lease > 0 && klen == n + strlen(want) && memcmp(k, waiters, n) == 0 &&
	     memcmp(k + n, want, strlen(want)) == 0;
	free(k);
	return ok;
}

/*
 * Removes every key under WAITERS that is not a holder's or a waiter's
 * (lock_key_ok), each only if unchanged since it was read, so no machine
 * waits behind a key planted without a lease.  Returns the number of real
 * holders and waiters (0 when the range cannot be read: the lock call
 * itself then says why).
 */
static int lock_sweep(struct etcd_state *s, const char *waiters)
{
	struct json_object *resp = NULL, *kvs = NULL, *kv;
	size_t i, n, klen;
	int live = 0;
	char *k;

	if (etcd_kv_range(s, waiters, 1, &resp, &kvs) != COBOCRED_SUCCESS || kvs == NULL) {
		json_object_put(resp);
		return 0;
	}
	n = json_object_array_length(kvs);
	for (i = 0; i < n; i++) {
		kv = json_object_array_get_idx(kvs, i);
		if (lock_key_ok(kv, waiters)) {
			live++;
			continue;
		}
		k = etcd_json_b64str(kv, "key", &klen);
		if (k != NULL &&
		    etcd_kv_cas_delete_n(s, k, klen, etcd_json_i64(kv, "mod_revision")) ==
			    COBOCRED_SUCCESS)
			s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
				     "fleet lock: removed a key of %zu bytes without a lease of "
				     "its own (lease %lld): not a holder",
				     klen, (long long)etcd_json_i64(kv, "lease"));
		free(k);
	}
	json_object_put(resp);
	return live;
}

static int acquire(struct etcd_state *s, const char *name, const char *path, int64_t lease,
		   int timeout_ms)
{
	struct json_object *req = json_object_new_object(), *resp = NULL;
	char waiters[256];
	int st = COBOCRED_ERROR;

	snprintf(waiters, sizeof(waiters), "%s/", path);
	if (lock_sweep(s, waiters) > 0)
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "waiting for fleet lock %s (held by another machine; up to %d ms)",
			     name, timeout_ms);
	if (req != NULL && etcd_json_add_b64(req, "name", path, strlen(path)) == 0 &&
	    etcd_json_add_i64(req, "lease", lease) == 0)
		st = etcd_gw_call(s, "/v3/lock/lock", req, timeout_ms, ETCD_GW_WAIT, &resp);
	json_object_put(resp);
	json_object_put(req);
	return st;
}

/*
 * timeout_ms 0: one try, never waiting.  The key is the one etcd's lock
 * service would make for our lease (NAME/LEASE-HEX), created only while
 * nobody holds or waits for the lock (every key of the range has create
 * revision 0, which is true of an empty range), so waiters queued through
 * the lock service order behind it as behind their own kind.
 */
static int try_acquire(struct etcd_state *s, const char *path, int64_t lease)
{
	struct json_object *req = json_object_new_object(), *resp = NULL, *cmp, *cmps, *put, *op,
			   *ops, *ok;
	char key[256], waiters[256], end[256];
	size_t n;
	int st = COBOCRED_ERROR;

	snprintf(key, sizeof(key), "%s/%llx", path, (unsigned long long)lease);
	n = (size_t)snprintf(waiters, sizeof(waiters), "%s/", path);
	(void)lock_sweep(s, waiters);
	memcpy(end, waiters, n);
	end[n - 1]++;
	cmp = json_object_new_object();
	cmps = json_object_new_array();
	put = json_object_new_object();
	op = json_object_new_object();
	ops = json_object_new_array();
	if (req == NULL || cmp == NULL || cmps == NULL || put == NULL || op == NULL ||
	    ops == NULL ||
	    json_object_object_add(cmp, "target", json_object_new_string("CREATE")) != 0 ||
	    etcd_json_add_b64(cmp, "key", waiters, n) != 0 ||
	    etcd_json_add_b64(cmp, "range_end", end, n) != 0 ||
	    etcd_json_add_i64(cmp, "create_revision", 0) != 0 ||
	    etcd_json_add_b64(put, "key", key, strlen(key)) != 0 ||
	    etcd_json_add_b64(put, "value", "", 0) != 0 ||
	    etcd_json_add_i64(put, "lease", lease) != 0) {
		json_object_put(cmp);
		json_object_put(cmps);
		json_object_put(put);
		json_object_put(op);
		json_object_put(ops);
		goto out;
	}
	json_object_array_add(cmps, cmp);
	json_object_object_add(op, "request_put", put);
	json_object_array_add(ops, op);
	json_object_object_add(req, "compare", cmps);
	json_object_object_add(req, "success", ops);
	st = etcd_gw_call(s, "/v3/kv/txn", req, 0, 0, &resp);
	if (st == COBOCRED_SUCCESS &&
	    (!json_object_object_get_ex(resp, "succeeded", &ok) || !json_object_get_boolean(ok)))
		st = COBOCRED_TRYAGAIN;
out:
	json_object_put(resp);
	json_object_put(req);
	return st;
}

static int etcd_lock(void *state, const char *name, int timeout_ms, int *handle)
{
	struct etcd_state *s = state;
	char path[192];
	int64_t lease = 0;
	int slot, st;

	*handle = -1;
	for (slot = 0; slot < ETCD_MAX_LOCKS && s->held[slot].used; slot++)
		;
	if (slot == ETCD_MAX_LOCKS || path_of(s, "lock", name, path, sizeof(path)) != 0) {
		s->host->set_error(s->host->ctx, "etcd: too many locks held; report this bug");
		return COBOCRED_ERROR;
	}
	st = etcd_lease_grant(s, s->conf.lock_ttl, &lease);
	if (st == COBOCRED_SUCCESS)
		st = timeout_ms == 0 ? try_acquire(s, path, lease)
				     : acquire(s, name, path, lease, timeout_ms);
	if (st != COBOCRED_SUCCESS) {
		etcd_lease_revoke(s, lease); /* drops our place in the queue too */
		if (st == COBOCRED_TRYAGAIN && timeout_ms == 0)
			/* the lifecycle's first try: it waits next, nothing failed */
			s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
				     "fleet lock %s is held by another machine; waiting for it",
				     name);
		else if (st == COBOCRED_TRYAGAIN)
			s->host->set_error(s->host->ctx,
					   "fleet lock %s held by another machine for over %d ms "
					   "(or etcd has no quorum); retry",
					   name, timeout_ms);
		/* No lock, no refresh: a refresh without the fleet lock would
		 * spend a refresh token other machines share. */
		return st == COBOCRED_UNAVAIL ? COBOCRED_TRYAGAIN : st;
	}
	s->held[slot].used = 1;
	s->held[slot].lease = lease;
	s->host->log(s->host->ctx, COBOCRED_LOG_INFO, "locked fleet lock %s at %s (lease %llx)",
		     name, path, (unsigned long long)lease);
	*handle = slot;
	return COBOCRED_SUCCESS;
}

static void etcd_unlock(void *state, int handle)
{
	struct etcd_state *s = state;

	if (handle < 0 || handle >= ETCD_MAX_LOCKS || !s->held[handle].used)
		return;
	/* Revoking the lease deletes the lock key: the next in line goes. */
	etcd_lease_revoke(s, s->held[handle].lease);
	s->held[handle].used = 0;
	s->held[handle].lease = 0;
}

void etcd_locks_release_all(struct etcd_state *s)
{
	int i;

	for (i = 0; i < ETCD_MAX_LOCKS; i++)
		etcd_unlock(s, i);
}

static void etcd_mark_failure(void *state, const char *name, int failed)
{
	struct etcd_state *s = state;
	char path[192];
	int64_t lease = 0, rev;

	if (path_of(s, "failed", name, path, sizeof(path)) != 0)
		return;
	if (!failed) {
		(void)etcd_kv_cas_delete(s, path, -1);
		return;
	}
	/* a new lease each time: the count starts at this failure */
	if (etcd_lease_grant(s, MARKER_TTL, &lease) == COBOCRED_SUCCESS &&
	    etcd_kv_cas_put(s, path, "failed", lease, -1, &rev) != COBOCRED_SUCCESS)
		etcd_lease_revoke(s, lease);
}

/* 1 when the marker of name exists and the cluster counted less than seconds of its lease. */
static int etcd_failed_recently(void *state, const char *name, int seconds)
{
	struct etcd_state *s = state;
	struct json_object *resp = NULL, *kvs = NULL;
	int64_t lease = 0, ttl = -1, granted = 0;
	char path[192];
	int recent = 0;

	if (path_of(s, "failed", name, path, sizeof(path)) == 0 &&
	    etcd_kv_range(s, path, 0, &resp, &kvs) == COBOCRED_SUCCESS && kvs != NULL &&
	    json_object_array_length(kvs) > 0)
		lease = etcd_json_i64(json_object_array_get_idx(kvs, 0), "lease");
	if (lease != 0 && etcd_lease_ttl(s, lease, &ttl, &granted) == COBOCRED_SUCCESS && ttl >= 0)
		recent = granted - ttl < seconds;
	if (recent)
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "fleet: a refresh of %s failed %lld s ago by the cluster's count",
			     name, (long long)(granted - ttl));
	json_object_put(resp);
	return recent;
}

/* The key of the lock's holder now (the waiter with the oldest create revision), or NULL. */
static char *holder(struct etcd_state *s, const char *path)
{
	struct json_object *req = json_object_new_object(), *resp = NULL, *kvs = NULL;
	char waiters[256], end[256];
	size_t n, klen = 0;
	char *key = NULL;

	n = (size_t)snprintf(waiters, sizeof(waiters), "%s/", path);
	(void)lock_sweep(s, waiters);
	memcpy(end, waiters, n);
	end[n - 1]++;
	if (req != NULL && etcd_json_add_b64(req, "key", waiters, n) == 0 &&
	    etcd_json_add_b64(req, "range_end", end, n) == 0 &&
	    json_object_object_add(req, "sort_order", json_object_new_string("ASCEND")) == 0 &&
	    json_object_object_add(req, "sort_target", json_object_new_string("CREATE")) == 0 &&
	    json_object_object_add(req, "keys_only", json_object_new_boolean(1)) == 0 &&
	    etcd_json_add_i64(req, "limit", 1) == 0 &&
	    etcd_gw_call(s, "/v3/kv/range", req, 0, 0, &resp) == COBOCRED_SUCCESS &&
	    json_object_object_get_ex(resp, "kvs", &kvs) && json_object_array_length(kvs) > 0)
		key = etcd_json_b64str(json_object_array_get_idx(kvs, 0), "key", &klen);
	json_object_put(resp);
	json_object_put(req);
	return key;
}

/*
 * Waits until the holder at the time of the call has let go (polled: the
 * gateway's watch is a stream; a refresh takes tens of milliseconds).
 * Nothing is held afterwards: *handle is -1.
 */
static int etcd_lock_shared(void *state, const char *name, int timeout_ms, int *handle)
{
	struct etcd_state *s = state;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	char path[192], *key;
	int waited = 0, gone = 0, st = COBOCRED_SUCCESS;

	*handle = -1;
	if (path_of(s, "lock", name, path, sizeof(path)) != 0)
		return COBOCRED_ERROR;
	key = holder(s, path);
	if (key != NULL)
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "waiting for fleet lock %s (held by another machine; shared look, "
			     "up to %d ms)",
			     name, timeout_ms);
	while (key != NULL && !gone && waited < timeout_ms) {
		struct json_object *resp = NULL, *kvs = NULL;

		nanosleep(&pause, NULL);
		waited += 20;
		st = etcd_kv_range(s, key, 0, &resp, &kvs);
		gone = st != COBOCRED_SUCCESS || kvs == NULL || json_object_array_length(kvs) == 0;
		json_object_put(resp);
	}
	if (key != NULL && !gone) {
		s->host->set_error(s->host->ctx,
				   "fleet lock %s held by another machine for over %d ms", name,
				   timeout_ms);
		st = COBOCRED_TRYAGAIN;
	}
	free(key);
	return st == COBOCRED_SUCCESS ? st : COBOCRED_TRYAGAIN;
}

const struct cobocred_lock_ops etcd_lock_ops = {
	.struct_size = sizeof(struct cobocred_lock_ops),
	.lock = etcd_lock,
	.unlock = etcd_unlock,
	.mark_failure = etcd_mark_failure,
	.failed_recently = etcd_failed_recently,
	.lock_shared = etcd_lock_shared,
};
