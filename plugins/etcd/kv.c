/*
 * kv.c - key space operations over the gateway (gw.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

static struct json_object *obj(void)
{
	return json_object_new_object();
}

int etcd_kv_range(struct etcd_state *s, const char *key, int prefix, struct json_object **resp,
		  struct json_object **kvs)
{
	struct json_object *req = obj();
	char end[256];
	size_t n = strlen(key);
	int st = COBOCRED_ERROR;

	*resp = *kvs = NULL;
	if (req == NULL || n == 0 || n >= sizeof(end) || etcd_json_add_b64(req, "key", key, n) != 0)
		goto out;
	if (prefix) {
		memcpy(end, key, n);
		end[n -
		    1]++; /* every key that starts with key: [key, key with its last byte + 1) */
		if (etcd_json_add_b64(req, "range_end", end, n) != 0)
			goto out;
	}
	st = etcd_gw_call(s, "/v3/kv/range", req, 0, 0, resp);
	if (st == COBOCRED_SUCCESS && !json_object_object_get_ex(*resp, "kvs", kvs))
		*kvs = NULL; /* none */
out:
	json_object_put(req);
	return st;
}

int etcd_lease_grant(struct etcd_state *s, int64_t ttl, int64_t *id)
{
	struct json_object *req = obj(), *resp = NULL;
	int st = COBOCRED_ERROR;

	*id = 0;
	if (req != NULL && etcd_json_add_i64(req, "TTL", ttl) == 0)
		st = etcd_gw_call(s, "/v3/lease/grant", req, 0, 0, &resp);
	if (st == COBOCRED_SUCCESS && (*id = etcd_json_i64(resp, "ID")) == 0) {
		s->host->set_error(s->host->ctx, "etcd granted no lease");
		st = COBOCRED_ERROR;
	}
	json_object_put(resp);
	json_object_put(req);
	return st;
}

int etcd_lease_ttl(struct etcd_state *s, int64_t id, int64_t *ttl, int64_t *granted)
{
	struct json_object *req = obj(), *resp = NULL, *v;
	int st = COBOCRED_ERROR;

	*ttl = -1;
	*granted = 0;
	if (req != NULL && etcd_json_add_i64(req, "ID", id) == 0)
		st = etcd_gw_call(s, "/v3/lease/timetolive", req, 0, 0, &resp);
	/* etcd answers TTL -1 for a lease it no longer has (and may omit the field) */
	if (st == COBOCRED_SUCCESS && json_object_object_get_ex(resp, "TTL", &v)) {
		*ttl = etcd_json_i64(resp, "TTL");
		*granted = etcd_json_i64(resp, "grantedTTL");
	}
	if (*ttl < 0)
		*ttl = -1;
	json_object_put(resp);
	json_object_put(req);
	return st;
}

void etcd_lease_revoke(struct etcd_state *s, int64_t id)
{
	struct json_object *req = obj(), *resp = NULL;

	if (id != 0 && req != NULL && etcd_json_add_i64(req, "ID", id) == 0)
		(void)etcd_gw_call(s, "/v3/lease/revoke", req, 0, 0, &resp);
	json_object_put(resp);
	json_object_put(req);
}

/* [{"target":"MOD","key":K,"mod_revision":expect}] or [] without a condition. */
static struct json_object *compare(const char *key, size_t klen, int64_t expect)
{
	struct json_object *a = json_object_new_array(), *c;

	if (a == NULL || expect < 0)
		return a;
	c = obj();
	if (c == NULL || json_object_array_add(a, c) != 0 ||
	    json_object_object_add(c, "target", json_object_new_string("MOD")) != 0 ||
	    etcd_json_add_b64(c, "key", key, klen) != 0 ||
	    etcd_json_add_i64(c, "mod_revision", expect) != 0) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

/* {"compare":..., "success":[{op: body}]} and run it; SUCCESS or TRYAGAIN (compare failed). */
static int txn(struct etcd_state *s, const char *key, size_t klen, int64_t expect, const char *op,
	       struct json_object *body, int64_t *rev)
{
	struct json_object *req = obj(), *ops = json_object_new_array(), *one = obj(), *resp = NULL;
	struct json_object *hdr, *ok;
	int st = COBOCRED_ERROR;

	if (req == NULL || ops == NULL || one == NULL ||
	    json_object_object_add(one, op, body) != 0 || json_object_array_add(ops, one) != 0 ||
	    json_object_object_add(req, "compare", compare(key, klen, expect)) != 0 ||
	    json_object_object_add(req, "success", ops) != 0) {
		json_object_put(one);
		json_object_put(ops);
		goto out;
	}
	st = etcd_gw_call(s, "/v3/kv/txn", req, 0, 0, &resp);
	if (st != COBOCRED_SUCCESS)
		goto out;
	if (!json_object_object_get_ex(resp, "succeeded", &ok) || !json_object_get_boolean(ok))
		st = COBOCRED_TRYAGAIN;
	else if (rev != NULL && json_object_object_get_ex(resp, "header", &hdr))
		*rev = etcd_json_i64(hdr, "revision");
out:
	json_object_put(resp);
	json_object_put(req);
	return st;
}

int etcd_kv_cas_put(struct etcd_state *s, const char *key, const char *value, int64_t lease,
		    int64_t expect, int64_t *rev)
{
	struct json_object *put = obj();

	if (put == NULL || etcd_json_add_b64(put, "key", key, strlen(key)) != 0 ||
	    etcd_json_add_b64(put, "value", value, strlen(value)) != 0 ||
	    (lease != 0 && etcd_json_add_i64(put, "lease", lease) != 0)) {
		json_object_put(put);
		return COBOCRED_ERROR;
	}
	return txn(s, key, strlen(key), expect, "request_put", put, rev);
}

int etcd_kv_cas_delete_n(struct etcd_state *s, const char *key, size_t klen, int64_t expect)
{
	struct json_object *del = obj();

	if (del == NULL || etcd_json_add_b64(del, "key", key, klen) != 0) {
		json_object_put(del);
		return COBOCRED_ERROR;
	}
	return txn(s, key, klen, expect, "request_delete_range", del, NULL);
}

int etcd_kv_cas_delete(struct etcd_state *s, const char *key, int64_t expect)
{
	return etcd_kv_cas_delete_n(s, key, strlen(key), expect);
}
