/*
 * life.c - a record's life as the cluster counts it.
 *
 * A record's dates were written on the clock of the machine that wrote it
 * (or, for a refresh token, Cobo's signature time), and the machines of a
 * fleet do not share a clock: judged on a reader's clock, a slow reader
 * answers tokens the server has expired and a fast one refreshes tokens
 * with most of their life left.  The record's lease is what they share:
 * granted for the token's life when it was written (ops.c) and counted
 * down by the cluster.  So a reader dates what it read on its own clock
 * from what the lease has left:
 *
 *     expires_at = local now + the lease's TTL left
 *
 * and every copy made from it (the tiers the stack fills above etcd) is
 * dated the same way, never with the writer's date.  created_at moves by
 * the same amount, so the lifetime the refresh window is a share of
 * (expires_at - created_at) is the writer's, whoever reads it.  A refresh
 * token's created_at stays as written: it is the time Cobo signed the
 * answer that carried it, on Cobo's clock for every machine, and it orders
 * Cobo's answers (cobo-oauth refuses one older than it).
 *
 * etcd counts a lease from the moment its leader granted it; a leader
 * change restarts the count of every lease unless the cluster checkpoints
 * leases, so a token may seem to live up to its lifetime longer after
 * one (cobo-credential.conf(5) says so).
 */
#include "config.h"

#include <string.h>

#include "etcd.h"
#include "itemmatch.h"
#include "kv.h"

static int is_refresh_token(const struct cobocred_item *it)
{
	const char *kind = cobocred_item_attr(it, COBOCRED_ATTR_KIND);

	return kind != NULL && strcmp(kind, COBOCRED_KIND_REFRESH) == 0;
}

int etcd_life_rebase(struct etcd_state *s, const char *key, int64_t lease, struct cobocred_item *it)
{
	const struct cobocred_host *h = s->host;
	int64_t ttl = -1, granted = 0, now, expires, created;
	int st;

	if (it->expires_at == 0)
		return COBOCRED_SUCCESS; /* does not expire: no lease, nothing to date */
	if (lease == 0) {
		/* This module writes every record with an expiry with a lease
		 * (ops.c): one without was put there otherwise (a value put back
		 * from etcd's history, say).  Nothing counts its life: a miss,
		 * so the lifecycle refreshes and writes over it. */
		h->log(h->ctx, COBOCRED_LOG_INFO,
		       "etcd record %s has an expiry but no lease, so no count of its life; "
		       "passed over",
		       key);
		return COBOCRED_NOTFOUND;
	}
	st = etcd_lease_ttl(s, lease, &ttl, &granted);
	if (st != COBOCRED_SUCCESS)
		return st;
	if (ttl < 0) {
		h->log(h->ctx, COBOCRED_LOG_INFO,
		       "etcd record %s: its lease ended while it was read; passed over", key);
		return COBOCRED_NOTFOUND;
	}
	now = h->now(h->ctx);
	expires = now + ttl;
	created = it->created_at;
	if (created > 0 && !is_refresh_token(it))
		created += expires - it->expires_at;
	if (created < 0 || created > expires)
		created = 0; /* unknown rather than after its own end */
	h->log(h->ctx, COBOCRED_LOG_INFO,
	       "etcd record %s: %lld s left by the cluster's lease (of %lld granted); dated "
	       "%+lld s from the writer's expiry on this clock",
	       key, (long long)ttl, (long long)granted, (long long)(expires - it->expires_at));
	h->item_set_times(it, created, expires);
	return COBOCRED_SUCCESS;
}
