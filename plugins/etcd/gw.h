/*
 * gw.h - the etcd v3 JSON gateway (POST /v3/...), with client-side
 * failover over the configured members, TLS and user/password auth.
 */
#ifndef ETCD_GW_H
#define ETCD_GW_H

#include <json-c/json.h>

#include "etcd.h"

/* A blocking call (lock): a timeout after the request went out is the answer, not a dead member. */
#define ETCD_GW_WAIT 0x1

/*
 * POSTs body to path on the first member that answers, starting with the
 * one that answered last.  timeout_ms 0: the request timeout.  *resp (owned
 * by the caller) is the parsed answer.  Returns SUCCESS; UNAVAIL when no
 * member could be reached; TRYAGAIN when a waiting call timed out or the
 * cluster has no quorum; ERROR when etcd refused (permission, bad request).
 * The host error says which.
 */
int etcd_gw_call(struct etcd_state *s, const char *path, struct json_object *body, long timeout_ms,
		 int flags, struct json_object **resp);

int etcd_gw_global_init(void);
void etcd_gw_global_cleanup(void);

/* JSON helpers: an int64 field (etcd sends them as strings), 0 when absent. */
int64_t etcd_json_i64(struct json_object *o, const char *name);
/* A base64 field decoded to a malloc'd, NUL-terminated string; NULL when absent or bad. */
char *etcd_json_b64str(struct json_object *o, const char *name, size_t *len);
/* Adds a base64 field for data[0..n). 0 or -1. */
int etcd_json_add_b64(struct json_object *o, const char *name, const void *data, size_t n);
/* Adds an int64 field as etcd wants it (a decimal string). 0 or -1. */
int etcd_json_add_i64(struct json_object *o, const char *name, int64_t v);

#endif
