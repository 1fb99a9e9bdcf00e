/*
 * reply.h - what the proxy answers on its own: JSON error bodies, and the
 * access log.
 */
#ifndef COBOCRED_PROXY_REPLY_H
#define COBOCRED_PROXY_REPLY_H

#include <microhttpd.h>
#include <stddef.h>

/*
 * Queues status with {"error":error,"detail":detail} (detail JSON-escaped,
 * control bytes dropped).  MHD_YES, or MHD_NO when nothing could be queued
 * (MHD then closes the connection).
 */
enum MHD_Result proxy_reply_error(struct MHD_Connection *c, int status, const char *error,
				  const char *detail);
/* The JSON error body alone (malloc'd, caller frees), or NULL on OOM. */
char *proxy_error_json(const char *error, const char *detail, size_t *len);

/*
 * One access-log line on stderr: "METHOD PATH STATUS MSms".  The query is
 * never logged (it may carry secrets); method and path keep printable ASCII
 * only and are cut at 200 bytes.
 */
void proxy_access_log(const char *method, const char *target, int status, long ms);

#endif
