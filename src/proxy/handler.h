/*
 * handler.h - the libmicrohttpd callbacks of the proxy.
 *
 * A request's life: uri_log (the raw target, before libmicrohttpd parses
 * it) -> access (first call: who, method, target, headers, org, size;
 * then the body; last call: forward) -> completed (access log, free).
 */
#ifndef COBOCRED_PROXY_HANDLER_H
#define COBOCRED_PROXY_HANDLER_H

#include <microhttpd.h>

#include "proxy.h"

/* MHD_OPTION_URI_LOG_CALLBACK: starts a request (cls is the struct proxy). */
void *proxy_uri_log(void *cls, const char *uri, struct MHD_Connection *c);
/* The MHD_AccessHandlerCallback. */
enum MHD_Result proxy_access(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_data_size, void **req_cls);
/* MHD_OPTION_NOTIFY_COMPLETED. */
void proxy_completed(void *cls, struct MHD_Connection *c, void **req_cls,
		     enum MHD_RequestTerminationCode toe);
/* MHD_OPTION_NOTIFY_CONNECTION: the per-connection state, made and freed. */
void proxy_connection(void *cls, struct MHD_Connection *c, void **socket_context,
		      enum MHD_ConnectionNotificationCode toe);
/* MHD_OPTION_UNESCAPE_CALLBACK: leaves the URL as sent (confine.c checks the raw bytes). */
size_t proxy_unescape(void *cls, struct MHD_Connection *c, char *uri);

#endif
