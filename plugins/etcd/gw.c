/*
 * gw.c - the etcd v3 JSON gateway over libcurl.
 *
 * Failover: members are tried in order starting with the one that answered
 * last; a member that cannot be reached (connection refused, connect
 * timeout, reset) or that answers without a leader is passed over, so one
 * member down costs one refused connection.  A call that waits on purpose
 * (a lock) and times out after it was sent is not a dead member: that
 * timeout is the answer.
 *
 * No secret travels here except the etcd password (authenticate) and the
 * auth token it returns (a header): both live in host secret memory and
 * the request body that held the password is wiped.  Every answer is read
 * into util's bounded buffer (sbuf.h), in host secret memory and wiped as
 * it is freed: the authenticate answer holds the auth token.  Records are
 * sealed before they reach this file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "gw.h"
#include "hostmem.h"
#include "sbuf.h"
#include "wipe.h"

#define MAX_BODY (4u << 20)

int etcd_gw_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void etcd_gw_global_cleanup(void)
{
	curl_global_cleanup();
}

/* An answer past MAX_BODY (or out of memory) stops the transfer: curl sees a short write. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	size_t n = size * nmemb;

	return cobocred_sbuf_add(arg, data, n) == 0 ? n : 0;
}

static int tls_setup(CURL *c, const struct etcd_conf *cf)
{
	int bad = 0;

	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
	if (cf->ca_file != NULL)
		bad |= curl_easy_setopt(c, CURLOPT_CAINFO, cf->ca_file) != CURLE_OK;
	if (cf->cert_file != NULL)
		bad |= curl_easy_setopt(c, CURLOPT_SSLCERT, cf->cert_file) != CURLE_OK;
	if (cf->key_file != NULL)
		bad |= curl_easy_setopt(c, CURLOPT_SSLKEY, cf->key_file) != CURLE_OK;
	if (cf->pins != NULL)
		bad |= curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, cf->pins) != CURLE_OK;
	return bad;
}

static int setup(CURL *c, const struct etcd_conf *cf, const char *url, const char *body,
		 struct curl_slist *hdrs, long timeout_ms, struct cobocred_sbuf *k, char *errbuf)
{
	int bad = tls_setup(c, cf);

	bad |= curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cf->connect_timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, "cobo-credential/" PACKAGE_VERSION) !=
	       CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body)) !=
	       CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, k) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
	return bad ? -1 : 0;
}

/* The Authorization header, when authenticated (host secret memory; freed by the caller). */
static char *auth_header(const struct etcd_state *s)
{
	size_t n;
	char *h;

	if (s->auth_token == NULL)
		return NULL;
	n = strlen(s->auth_token) + sizeof("Authorization: ");
	h = cobocred_hostmem_alloc(n);
	if (h != NULL)
		snprintf(h, n, "Authorization: %s", s->auth_token);
	return h;
}

/* One try at one member. */
struct
try {
	long http; /* 0: no answer */
	int sent;  /* the request went out */
	int timed_out;
	char error[256];
	struct cobocred_sbuf k; /* the answer; host secret memory, at most MAX_BODY */
};

static void try_one(struct etcd_state *s, const char *base, const char *path, const char *body,
		    long timeout_ms, struct try *t)
{
	char url[1024], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL, *h2;
	char *auth = auth_header(s);
	long reqsize = 0;
	CURL *c = curl_easy_init();
	CURLcode cc;

	memset(t, 0, sizeof(*t));
	cobocred_sbuf_init(&t->k, MAX_BODY);
	snprintf(url, sizeof(url), "%s%s", base, path);
	hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	h2 = hdrs != NULL && auth != NULL ? curl_slist_append(hdrs, auth) : hdrs;
	if (c == NULL || h2 == NULL ||
	    setup(c, &s->conf, url, body, hdrs, timeout_ms, &t->k, errbuf) != 0) {
		snprintf(t->error, sizeof(t->error), "cannot set up the request");
		goto out;
	}
	cc = curl_easy_perform(c);
	if (curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &reqsize) == CURLE_OK && reqsize > 0)
		t->sent = 1;
	if (cc != CURLE_OK) {
		t->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
		snprintf(t->error, sizeof(t->error), "%s",
			 errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t->http);
out:
	if (hdrs != NULL) {
		/* the auth header string lives in the list too: wipe it there */
		for (h2 = hdrs; h2 != NULL; h2 = h2->next)
			cobocred_wipe(h2->data, strlen(h2->data));
		curl_slist_free_all(hdrs);
	}
	cobocred_hostmem_free(auth);
	if (c != NULL)
		curl_easy_cleanup(c);
}

/*
 * This member cannot serve now (no leader, an election under way).  gRPC
 * codes for the KV API; the lock service passes the same errors on as
 * Unknown, so their text is recognised too.
 */
static int member_unwell(int code, const char *msg)
{
	return code == 14 /* Unavailable */ || code == 4 /* deadline exceeded */ ||
	       strstr(msg, "etcdserver: request timed out") != NULL ||
	       strstr(msg, "etcdserver: no leader") != NULL ||
	       strstr(msg, "etcdserver: leader changed") != NULL ||
	       strstr(msg, "etcdserver: too many requests") != NULL;
}

/* Turns a member's answer into a status. */
static int judge(struct etcd_state *s, const char *base, struct try *t, struct json_object **resp)
{
	struct json_object *o = t->k.p != NULL ? json_tokener_parse(t->k.p) : NULL, *e;
	const char *msg;
	int code;

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		s->host->set_error(s->host->ctx, "etcd %s answered HTTP %ld without JSON", base,
				   t->http);
		json_object_put(o);
		return COBOCRED_ERROR;
	}
	if (t->http == 200) {
		*resp = o;
		return COBOCRED_SUCCESS;
	}
	code = json_object_object_get_ex(o, "code", &e) ? json_object_get_int(e) : 0;
	msg = json_object_object_get_ex(o, "error", &e) ? json_object_get_string(e) : "?";
	s->host->set_error(s->host->ctx, "etcd %s refused the request: %.200s", base, msg);
	code = member_unwell(code, msg);
	json_object_put(o);
	if (code)
		return COBOCRED_TRYAGAIN;
	return code == 16 ? COBOCRED_DENIED : COBOCRED_ERROR; /* 16: bad/expired auth token */
}

static int authenticate(struct etcd_state *s);

/* Tries the members from the last good one; see gw.h. */
static int call_members(struct etcd_state *s, const char *path, const char *body, long timeout_ms,
			int flags, struct json_object **resp)
{
	size_t i, n = s->conf.n_endpoints;
	int st = COBOCRED_UNAVAIL;
	struct try t;

	for (i = 0; i < n; i++) {
		size_t m = (s->endpoint + i) % n;
		const char *base = s->conf.endpoints[m];

		try_one(s, base, path, body, timeout_ms, &t);
		if (t.http != 0) {
			st = judge(s, base, &t, resp);
			cobocred_sbuf_free(&t.k);
			if (st == COBOCRED_TRYAGAIN)
				s->unwell = 1;
			if (st == COBOCRED_TRYAGAIN && i + 1 < n)
				continue; /* no leader here: ask another member */
			if (st != COBOCRED_TRYAGAIN)
				s->endpoint = m;
			return st;
		}
		cobocred_sbuf_free(&t.k);
		if ((flags & ETCD_GW_WAIT) && t.sent && t.timed_out) {
			s->host->set_error(s->host->ctx, "etcd %s: no answer within %ld ms", base,
					   timeout_ms);
			return COBOCRED_TRYAGAIN;
		}
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO, "etcd member %s: %s; trying the next",
			     base, t.error);
	}
	if (st == COBOCRED_UNAVAIL)
		s->host->set_error(s->host->ctx,
				   "etcd unreachable: no member of %s answered (last: %s); "
				   "check the members and [module etcd] endpoints",
				   s->conf.endpoints[0], t.error);
	return st;
}

static int authenticate(struct etcd_state *s)
{
	struct json_object *req = json_object_new_object(), *resp = NULL, *tok;
	const char *body;
	char *b;
	int st = COBOCRED_ERROR;

	cobocred_hostmem_free(s->auth_token);
	s->auth_token = NULL;
	if (req == NULL ||
	    json_object_object_add(req, "name", json_object_new_string(s->conf.user)) != 0 ||
	    json_object_object_add(req, "password", json_object_new_string(s->password)) != 0)
		goto out;
	body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	b = (char *)body;
	st = call_members(s, "/v3/auth/authenticate", body, s->conf.request_timeout_ms, 0, &resp);
	cobocred_wipe(b, strlen(b));
	if (json_object_object_get_ex(req, "password", &tok))
		cobocred_wipe((char *)json_object_get_string(tok), strlen(s->password));
	if (st != COBOCRED_SUCCESS)
		goto out;
	if (!json_object_object_get_ex(resp, "token", &tok) ||
	    (s->auth_token = cobocred_hostmem_dup(json_object_get_string(tok),
						  strlen(json_object_get_string(tok)))) == NULL) {
		s->host->set_error(s->host->ctx, "etcd: authentication answered no token");
		st = COBOCRED_ERROR;
	}
out:
	if (resp != NULL && json_object_object_get_ex(resp, "token", &tok))
		cobocred_wipe((char *)json_object_get_string(tok),
			      strlen(json_object_get_string(tok)));
	json_object_put(resp);
	json_object_put(req);
	if (st == COBOCRED_DENIED || st == COBOCRED_ERROR)
		s->host->set_error(s->host->ctx,
				   "user: etcd refused user '%.64s' (wrong password, or auth not "
				   "enabled); check user= and password= of [module etcd]",
				   s->conf.user);
	return st;
}

/*
 * Every member answered "cannot serve now" (an election after a member
 * died takes about a second): try them again a few times before giving
 * up with TRYAGAIN.  A waiting call that timed out is not retried.
 */
static int call_members_passes(struct etcd_state *s, const char *path, const char *text,
			       long timeout_ms, int flags, struct json_object **resp)
{
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	int pass, st = COBOCRED_TRYAGAIN;

	for (pass = 0; pass < 5 && st == COBOCRED_TRYAGAIN; pass++) {
		s->unwell = 0;
		st = call_members(s, path, text, timeout_ms, flags, resp);
		if (st != COBOCRED_TRYAGAIN || !s->unwell)
			break;
		nanosleep(&pause, NULL);
	}
	return st;
}

/* The highest cluster revision seen (a floor for new generations, ops.c). */
static void note_revision(struct etcd_state *s, struct json_object *resp)
{
	struct json_object *hdr;
	int64_t rev;

	if (json_object_object_get_ex(resp, "header", &hdr) &&
	    (rev = etcd_json_i64(hdr, "revision")) > s->cluster_rev)
		s->cluster_rev = rev;
}

int etcd_gw_call(struct etcd_state *s, const char *path, struct json_object *body, long timeout_ms,
		 int flags, struct json_object **resp)
{
	const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	int st, tries;

	*resp = NULL;
	if (timeout_ms <= 0)
		timeout_ms = s->conf.request_timeout_ms;
	for (tries = 0; tries < 2; tries++) {
		if (s->conf.user != NULL && s->auth_token == NULL) {
			st = authenticate(s);
			if (st != COBOCRED_SUCCESS)
				return st;
		}
		st = call_members_passes(s, path, text, timeout_ms, flags, resp);
		if (st == COBOCRED_SUCCESS)
			note_revision(s, *resp);
		if (st != COBOCRED_DENIED || s->conf.user == NULL)
			break;
		cobocred_hostmem_free(s->auth_token); /* expired: authenticate again, once */
		s->auth_token = NULL;
	}
	return st == COBOCRED_DENIED ? COBOCRED_ERROR : st;
}

int64_t etcd_json_i64(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v))
		return 0;
	return json_object_get_int64(v);
}

char *etcd_json_b64str(struct json_object *o, const char *name, size_t *len)
{
	struct json_object *v;
	unsigned char *out = NULL;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    etcd_unb64(json_object_get_string(v), &out, len) != 0)
		return NULL;
	return (char *)out;
}

int etcd_json_add_b64(struct json_object *o, const char *name, const void *data, size_t n)
{
	char *b = etcd_b64(data, n);
	int r = b != NULL && json_object_object_add(o, name, json_object_new_string(b)) == 0 ? 0
											     : -1;

	free(b);
	return r;
}

int etcd_json_add_i64(struct json_object *o, const char *name, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return json_object_object_add(o, name, json_object_new_string(buf)) == 0 ? 0 : -1;
}
