/*
 * handler.c - the libmicrohttpd callbacks (handler.h).
 *
 * State lives per connection (struct pconn, made and freed by the
 * connection notifications, which libmicrohttpd always pairs) and is reset
 * for each request on it: a request cut off before its headers were
 * complete never reaches the access handler, and its memory still goes
 * with the connection.  The checks run before the body is read, cheapest
 * and most private first: who is asking, then the method and target, then
 * the headers and the declared size, then the org.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "confine.h"
#include "forward.h"
#include "handler.h"
#include "reply.h"
#include "strutil.h"
#include "wipe.h"

struct pconn {
	char *target;	     /* the raw request target; owned */
	int admitted;	     /* the first access call for this request is done */
	int refused;	     /* a refusal is queued, or will be once the body is over */
	int counted;	     /* counted in flight (proxy_flight_enter) */
	int status;	     /* the status answered, for the access log */
	char method[16];     /* for the access log */
	char *org;	     /* owned */
	unsigned char *body; /* owned; wiped (it may hold a client's secret) */
	size_t len, cap;
	struct proxy_refusal late; /* the refusal of an over-long chunked body */
	struct timespec t0;
};

/* What the header scan found (pointers into libmicrohttpd's memory). */
struct scan {
	size_t total;
	int refused, orgs;
	const char *org, *key;
};

static void pconn_reset(struct pconn *pc)
{
	free(pc->target);
	free(pc->org);
	if (pc->body != NULL)
		cobocred_wipe(pc->body, pc->cap);
	free(pc->body);
	memset(pc, 0, sizeof(*pc));
}

static struct pconn *pconn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo
		*ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

void *proxy_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct pconn *pc = pconn_of(c);

	(void)cls;
	if (pc == NULL)
		return NULL;
	pconn_reset(pc);
	pc->target = strdup(uri); /* NULL on OOM: refused as a bad target */
	clock_gettime(CLOCK_MONOTONIC, &pc->t0);
	return pc;
}

size_t proxy_unescape(void *cls, struct MHD_Connection *c, char *uri)
{
	(void)cls;
	(void)c;
	return strlen(uri);
}

static enum MHD_Result answer_refusal(struct pconn *pc, struct MHD_Connection *c,
				      const struct proxy_refusal *why)
{
	pc->refused = 1;
	pc->status = why->status;
	return proxy_reply_error(c, why->status, why->error, why->detail);
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct scan *s = cls;

	(void)kind;
	s->total += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
	if (value == NULL)
		value = "";
	switch (proxy_header_class(key)) {
	case PROXY_HDR_REFUSE:
		s->refused = 1;
		break;
	case PROXY_HDR_ORG:
		s->orgs++;
		s->org = value;
		break;
	case PROXY_HDR_KEY:
		s->key = value;
		break;
	default:
		break;
	}
	return MHD_YES;
}

static const struct proxy_refusal r_peer = { 403, "forbidden_peer",
					     "this proxy serves only the user who runs it" };
static const struct proxy_refusal r_key = {
	403, "bad_proxy_key", "send the key from the proxy's key file in a Cobo-Proxy-Key header"
};
static const struct proxy_refusal r_auth = {
	400, "forbidden_header",
	"Authorization, Proxy-Authorization, Cookie and Biz-* headers are the proxy's to set; "
	"send the request without them"
};
static const struct proxy_refusal r_big_headers = { 431, "headers_too_large",
						    "the request headers are too large" };
static const struct proxy_refusal r_big_body = { 413, "body_too_large",
						 "the request body is too large" };
static const struct proxy_refusal r_orgs = { 400, "bad_org", "more than one Cobo-Org header" };
static const struct proxy_refusal r_length = { 400, "bad_length", "bad Content-Length" };

/* Who may ask: our own uid on the unix socket, the key's holder on TCP. */
static int who_ok(struct proxy *p, struct MHD_Connection *c, const struct scan *s)
{
	const union MHD_ConnectionInfo *ci;

	if (!p->lst.is_unix)
		return proxy_key_ok(s->key, p->lst.key);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci != NULL && proxy_peer_is(ci->connect_fd, p->uid);
}

/* The headers and the declared body size; NULL when they pass. */
static const struct proxy_refusal *headers_refusal(struct proxy *p, struct MHD_Connection *c,
						   const struct scan *s)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	int64_t n;

	if (s->total > p->opt.max_headers)
		return &r_big_headers;
	if (s->refused)
		return &r_auth;
	if (s->orgs > 1)
		return &r_orgs;
	if (cl != NULL && cobocred_parse_i64(cl, 0, INT64_MAX, &n) != 0)
		return &r_length;
	if (cl != NULL && (uint64_t)n > p->opt.max_body)
		return &r_big_body;
	return NULL;
}

/*
 * Under p->lock: the target against the profile's base path, then the
 * org (a Cobo-Org the profile serves, else its only org).  0, or -1 with
 * why (detail points into det).
 */
static int target_and_org(struct proxy *p, struct pconn *pc, const char *org,
			  struct proxy_refusal *why, char *det, size_t detlen)
{
	const char *out = NULL;
	size_t qa;
	int st, r = -1;

	pthread_mutex_lock(&p->lock);
	if (proxy_target_ok(pc->target, p->core->base_path, &qa, why) != 0)
		goto out;
	st = cobocred_profile_org(p->core->ctx, p->core->profile, org, &out);
	if (st != COBOCRED_SUCCESS) {
		snprintf(det, detlen, "%s", cobocred_error(p->core->ctx));
		why->status = st == COBOCRED_NOTFOUND ? 403 : 400;
		why->error = st == COBOCRED_NOTFOUND ? "org_not_served" : "bad_org";
		why->detail = det;
		goto out;
	}
	pc->org = strdup(out);
	if (pc->org == NULL) {
		*why = (struct proxy_refusal){ 500, "internal", "out of memory" };
		goto out;
	}
	r = 0;
out:
	pthread_mutex_unlock(&p->lock);
	return r;
}

static enum MHD_Result admit(struct proxy *p, struct MHD_Connection *c, struct pconn *pc,
			     const char *method)
{
	struct scan s = { 0 };
	struct proxy_refusal why;
	const struct proxy_refusal *hr;
	char det[512];

	MHD_get_connection_values(c, MHD_HEADER_KIND, scan_header, &s);
	if (!who_ok(p, c, &s))
		return answer_refusal(pc, c, p->lst.is_unix ? &r_peer : &r_key);
	if (proxy_method_ok(method, &why) != 0)
		return answer_refusal(pc, c, &why);
	if (pc->target == NULL) {
		why = (struct proxy_refusal){ 400, "not_origin_form", "no request target" };
		return answer_refusal(pc, c, &why);
	}
	hr = headers_refusal(p, c, &s);
	if (hr != NULL)
		return answer_refusal(pc, c, hr);
	if (target_and_org(p, pc, s.org, &why, det, sizeof(det)) != 0)
		return answer_refusal(pc, c, &why);
	return MHD_YES;
}

/* Appends n body bytes; -1 past the bound (nothing kept then). */
static int add_body(struct proxy *p, struct pconn *pc, const char *data, size_t n)
{
	unsigned char *nb;
	size_t cap;

	if (n > p->opt.max_body - pc->len)
		return -1;
	if (pc->len + n > pc->cap) {
		cap = pc->cap * 2 > pc->len + n ? pc->cap * 2 : pc->len + n + 4096;
		if (cap > p->opt.max_body)
			cap = p->opt.max_body;
		nb = malloc(cap);
		if (nb == NULL)
			return -1;
		if (pc->len > 0)
			memcpy(nb, pc->body, pc->len);
		if (pc->body != NULL)
			cobocred_wipe(pc->body, pc->cap);
		free(pc->body);
		pc->body = nb;
		pc->cap = cap;
	}
	memcpy(pc->body + pc->len, data, n);
	pc->len += n;
	return 0;
}

/*
 * A chunked body that grows past the bound: the rest is read and dropped
 * so the client gets the 413, but only up to four times the bound; past
 * that the connection is cut.
 */
static enum MHD_Result body_part(struct proxy *p, struct pconn *pc, const char *data, size_t n)
{
	if (pc->refused) {
		pc->len += n;
		return pc->len > 4 * p->opt.max_body ? MHD_NO : MHD_YES;
	}
	if (add_body(p, pc, data, n) == 0)
		return MHD_YES;
	pc->late = r_big_body;
	pc->refused = 1;
	if (pc->body != NULL)
		cobocred_wipe(pc->body, pc->cap);
	free(pc->body);
	pc->body = NULL;
	pc->cap = 0;
	pc->len = n;
	return MHD_YES;
}

static enum MHD_Result answer(struct proxy *p, struct MHD_Connection *c, struct pconn *pc)
{
	struct proxy_fwd f = {
		.method = pc->method,
		.target = pc->target,
		.org = pc->org,
		.body = pc->body,
		.body_len = pc->len,
	};
	struct proxy_answer a;
	struct MHD_Response *resp;
	enum MHD_Result r;

	proxy_forward(p, &f, &a);
	if (a.error != NULL) {
		pc->status = a.status;
		r = proxy_reply_error(c, a.status, a.error, a.detail);
		proxy_answer_clear(&a);
		return r;
	}
	resp = MHD_create_response_from_buffer(a.body_len, a.body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		proxy_answer_clear(&a);
		return MHD_NO;
	}
	a.body = NULL; /* the response owns it now */
	if (a.content_type[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a.content_type);
	pc->status = a.status;
	r = MHD_queue_response(c, (unsigned)a.status, resp);
	MHD_destroy_response(resp);
	proxy_answer_clear(&a);
	return r;
}

enum MHD_Result proxy_access(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_data_size, void **req_cls)
{
	struct proxy *p = cls;
	struct pconn *pc = *req_cls;
	size_t n = *upload_data_size;

	(void)url;
	(void)version;
	if (pc == NULL)
		return MHD_NO;
	if (!pc->admitted) {
		pc->admitted = 1;
		pc->counted = 1;
		proxy_flight_enter(p);
		snprintf(pc->method, sizeof(pc->method), "%s", method);
		return admit(p, c, pc, method);
	}
	if (n > 0) {
		*upload_data_size = 0;
		return body_part(p, pc, upload_data, n);
	}
	if (pc->refused && pc->status == 0)
		return answer_refusal(pc, c, &pc->late);
	if (pc->refused)
		return MHD_YES; /* answered at the first call */
	return answer(p, c, pc);
}

void proxy_completed(void *cls, struct MHD_Connection *c, void **req_cls,
		     enum MHD_RequestTerminationCode toe)
{
	struct proxy *p = cls;
	struct pconn *pc = *req_cls;
	struct timespec t1;
	long ms;

	(void)c;
	(void)toe;
	*req_cls = NULL;
	if (pc == NULL || !pc->counted)
		return;
	if (p->opt.access_log) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (long)(t1.tv_sec - pc->t0.tv_sec) * 1000 +
		     (t1.tv_nsec - pc->t0.tv_nsec) / 1000000;
		proxy_access_log(pc->method, pc->target, pc->status, ms);
	}
	pconn_reset(pc);
	proxy_flight_leave(p);
}

void proxy_connection(void *cls, struct MHD_Connection *c, void **socket_context,
		      enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)c;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct pconn));
	} else if (*socket_context != NULL) {
		pconn_reset(*socket_context);
		free(*socket_context);
		*socket_context = NULL;
	}
}
