/*
 * response.c - strict json-c parsing of token and error answers.
 *
 * Strict means: the whole body must be one JSON object (nothing after it,
 * no NUL bytes, valid UTF-8, nesting at most OAUTH_JSON_DEPTH), required
 * fields present with the right JSON types and sane values.  Unknown
 * fields are ignored so that Cobo may add some.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "response.h"
#include "strutil.h"
#include "hostmem.h"

/* Checks that json-c would not see: size, emptiness, NUL bytes.  0 or -1. */
static int body_precheck(const char *body, size_t len, char *err, size_t errlen)
{
	if (len > OAUTH_BODY_MAX) {
		snprintf(err, errlen, "response too large (over %d bytes)", OAUTH_BODY_MAX);
		return -1;
	}
	if (len == 0 || body == NULL) {
		snprintf(err, errlen, "empty response body");
		return -1;
	}
	if (memchr(body, '\0', len) != NULL) {
		snprintf(err, errlen, "invalid JSON: NUL byte in the body");
		return -1;
	}
	return 0;
}

/* Parses body as one JSON object; -1 with a reason in err otherwise. */
static int json_parse_object(const char *body, size_t len, struct json_object **out, char *err,
			     size_t errlen)
{
	struct json_tokener *tok = NULL;
	struct json_object *obj = NULL;
	enum json_tokener_error jerr;
	int r = -1;

	*out = NULL;
	if (body_precheck(body, len, err, errlen) != 0)
		goto out;
	tok = json_tokener_new_ex(OAUTH_JSON_DEPTH);
	if (tok == NULL) {
		snprintf(err, errlen, "out of memory parsing JSON");
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if (obj == NULL) {
		snprintf(err, errlen, "%s JSON (%s)",
			 jerr == json_tokener_continue ? "truncated" : "invalid",
			 jerr == json_tokener_continue ? "ends early"
						       : json_tokener_error_desc(jerr));
		goto out;
	}
	if (json_tokener_get_parse_end(tok) != len) {
		snprintf(err, errlen, "invalid JSON (data after the object)");
		goto out;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errlen, "invalid JSON (not an object)");
		goto out;
	}
	*out = obj;
	obj = NULL;
	r = 0;
out:
	json_object_put(obj);
	if (tok != NULL)
		json_tokener_free(tok);
	return r;
}

/*
 * json-c keeps its own copy of every string; the tokens in it are wiped
 * before the tree is freed (the const cast is deliberate and local).
 */
static void wipe_string_field(struct json_object *obj, const char *name)
{
	struct json_object *v;

	if (json_object_object_get_ex(obj, name, &v) && json_object_is_type(v, json_type_string))
		OPENSSL_cleanse((char *)json_object_get_string(v),
				(size_t)json_object_get_string_len(v));
}

static int has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 1;
	return 0;
}

/* A required, non-empty token string; copied into secret memory. */
static int token_field(struct json_object *obj, const char *name, char **out, size_t *outlen,
		       char *err, size_t errlen)
{
	struct json_object *v;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(obj, name, &v)) {
		snprintf(err, errlen, "field '%s' is missing", name);
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "field '%s' is not a string", name);
		return -1;
	}
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0) {
		snprintf(err, errlen, "field '%s' is empty", name);
		return -1;
	}
	if (n > OAUTH_TOKEN_MAX) {
		snprintf(err, errlen, "field '%s' is longer than %d bytes", name, OAUTH_TOKEN_MAX);
		return -1;
	}
	if (has_control(s, n)) {
		snprintf(err, errlen, "field '%s' contains control characters", name);
		return -1;
	}
	*out = cobocred_hostmem_dup(s, n);
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*outlen = n;
	return 0;
}

static int token_type_field(struct json_object *obj, char *err, size_t errlen)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, "token_type", &v)) {
		snprintf(err, errlen, "field 'token_type' is missing");
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "field 'token_type' is not a string");
		return -1;
	}
	if (strcasecmp(json_object_get_string(v), "Bearer") != 0) {
		snprintf(err, errlen, "field 'token_type' is not \"Bearer\"");
		return -1;
	}
	return 0;
}

static int expires_field(struct json_object *obj, int64_t *out, char *err, size_t errlen)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(obj, "expires_in", &v)) {
		snprintf(err, errlen, "field 'expires_in' is missing");
		return -1;
	}
	if (!json_object_is_type(v, json_type_int)) {
		snprintf(err, errlen, "field 'expires_in' is not an integer");
		return -1;
	}
	/* json-c saturates out-of-range integers, which the range check refuses. */
	n = json_object_get_int64(v);
	if (n < 1 || n > OAUTH_EXPIRES_MAX) {
		snprintf(err, errlen, "field 'expires_in' is out of range (%lld; allowed 1..%d)",
			 (long long)n, OAUTH_EXPIRES_MAX);
		return -1;
	}
	*out = n;
	return 0;
}

int oauth_parse_token(const char *body, size_t len, struct oauth_token *out, char *err,
		      size_t errlen)
{
	struct json_object *obj = NULL;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (json_parse_object(body, len, &obj, err, errlen) != 0)
		goto out;
	if (token_field(obj, "access_token", &out->access_token, &out->access_len, err, errlen) ||
	    token_type_field(obj, err, errlen) ||
	    expires_field(obj, &out->expires_in, err, errlen) ||
	    token_field(obj, "refresh_token", &out->refresh_token, &out->refresh_len, err, errlen))
		goto out;
	r = 0;
out:
	if (obj != NULL) {
		wipe_string_field(obj, "access_token");
		wipe_string_field(obj, "refresh_token");
	}
	json_object_put(obj);
	if (r != 0)
		oauth_token_clear(out);
	return r;
}

void oauth_token_clear(struct oauth_token *t)
{
	cobocred_hostmem_free(t->access_token);
	cobocred_hostmem_free(t->refresh_token);
	memset(t, 0, sizeof(*t));
}

/*
 * Copies s for display: control characters become spaces, ill-formed
 * UTF-8 becomes '?', and a cut never splits a character.
 */
static void clean_copy(char *dst, size_t dstlen, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < n) {
		size_t len = cobocred_utf8_len(u + i, n - i);

		if (o + (len ? len : 1) >= dstlen)
			break;
		if (len == 0) {
			dst[o++] = '?';
			i++;
		} else if (len == 1) {
			dst[o++] = (u[i] < 0x20 || u[i] == 0x7f) ? ' ' : (char)u[i];
			i++;
		} else {
			memcpy(dst + o, s + i, len);
			o += len;
			i += len;
		}
	}
	dst[o] = '\0';
}

/* A string or integer field as display text; 1 if present. */
static int text_field(struct json_object *obj, const char *name, char *dst, size_t dstlen)
{
	struct json_object *v;
	char num[32];

	if (!json_object_object_get_ex(obj, name, &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		clean_copy(dst, dstlen, json_object_get_string(v),
			   (size_t)json_object_get_string_len(v));
		return 1;
	}
	if (json_object_is_type(v, json_type_int)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(v));
		clean_copy(dst, dstlen, num, strlen(num));
		return 1;
	}
	return 0;
}

int oauth_parse_error(const char *body, size_t len, struct oauth_error *out)
{
	struct json_object *obj = NULL;
	char why[128];
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (json_parse_object(body, len, &obj, why, sizeof(why)) != 0)
		goto out;
	if (text_field(obj, "error_code", out->code, sizeof(out->code)) |
	    text_field(obj, "error_message", out->message, sizeof(out->message))) {
		text_field(obj, "error_id", out->id, sizeof(out->id));
		r = 0;
	} else if (text_field(obj, "error", out->code, sizeof(out->code))) {
		out->oauth = 1;
		text_field(obj, "error_description", out->message, sizeof(out->message));
		text_field(obj, "error_id", out->id, sizeof(out->id));
		r = 0;
	}
out:
	json_object_put(obj);
	if (r != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int oauth_error_nonce_refused(long status, const struct oauth_error *e)
{
	return status == 401 && !e->oauth && strcmp(e->code, "2022") == 0 &&
	       strcasestr(e->message, "nonce") != NULL;
}

void oauth_error_format(const struct oauth_error *e, char *buf, size_t len)
{
	const char *msg = e->message[0] ? e->message : "no message";
	const char *code = e->code[0] ? e->code : "?";
	int n;

	if (e->oauth)
		n = snprintf(buf, len, "%s: %s", code, msg);
	else
		n = snprintf(buf, len, "error %s: %s", code, msg);
	if (n >= 0 && (size_t)n < len && e->id[0])
		snprintf(buf + n, len - (size_t)n, " (error id %s)", e->id);
}

/* Unix ms in 1..18 decimal digits (no sign, blank or anything else); 0 or -1. */
static int timestamp_parse(const char *ts, int64_t *ms)
{
	size_t i, n = ts != NULL ? strlen(ts) : 0;
	int64_t v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (ts[i] < '0' || ts[i] > '9')
			return -1;
		v = v * 10 + (ts[i] - '0');
	}
	*ms = v;
	return 0;
}

/* "2026-12-02 03:25:50.123 UTC", or the raw number when gmtime cannot say. */
static void utc_format(int64_t ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char day[40];

	if (ms >= 0 && gmtime_r(&secs, &tm) != NULL &&
	    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) > 0)
		snprintf(buf, len, "%s.%03d UTC", day, (int)(ms % 1000));
	else
		snprintf(buf, len, "%lld ms", (long long)ms);
}

int oauth_timestamp_check(const char *ts, int64_t now_ms, long max_skew, char *err, size_t errlen)
{
	char theirs[64], ours[64];
	int64_t ms, apart;

	if (timestamp_parse(ts, &ms) != 0) {
		clean_copy(theirs, 24, ts != NULL ? ts : "", ts != NULL ? strlen(ts) : 0);
		snprintf(err, errlen, "Biz-Timestamp '%s' is not unix milliseconds", theirs);
		return OAUTH_TS_MALFORMED;
	}
	apart = ms > now_ms ? ms - now_ms : now_ms - ms;
	if (apart <= (int64_t)max_skew * 1000)
		return 0;
	utc_format(ms, theirs, sizeof(theirs));
	utc_format(now_ms, ours, sizeof(ours));
	snprintf(err, errlen,
		 "it is dated %s (Biz-Timestamp) but the local clock says %s: "
		 "%lld.%03d s %s, more than the %ld s allowed",
		 theirs, ours, (long long)(apart / 1000), (int)(apart % 1000),
		 ms < now_ms ? "in the past" : "in the future", max_skew);
	return OAUTH_TS_SKEWED;
}

int64_t oauth_timestamp_ms(const char *ts)
{
	int64_t ms;

	return timestamp_parse(ts, &ms) == 0 ? ms : -1;
}

int64_t oauth_order_floor(int64_t sent_ms, int64_t ahead_ms)
{
	int64_t a = ahead_ms < 0 ? 0 : ahead_ms;

	if (a > (int64_t)OAUTH_REQUEST_WINDOW * 1000)
		a = (int64_t)OAUTH_REQUEST_WINDOW * 1000;
	a += OAUTH_ORDER_SKEW_MS;
	return sent_ms < INT64_MIN + a ? INT64_MIN : sent_ms - a;
}

int oauth_timestamp_order(const char *ts, int64_t sent_ms, int64_t newest_ms, char *err,
			  size_t errlen)
{
	return oauth_timestamp_order_ahead(ts, sent_ms, 0, newest_ms, err, errlen);
}

int oauth_timestamp_order_ahead(const char *ts, int64_t sent_ms, int64_t ahead_ms,
				int64_t newest_ms, char *err, size_t errlen)
{
	char theirs[64], bound[64];
	int64_t ms = oauth_timestamp_ms(ts), floor_ms = oauth_order_floor(sent_ms, ahead_ms);
	int64_t apart, allowed;

	if (ms < 0) {
		snprintf(err, errlen, "Biz-Timestamp is not unix milliseconds");
		return OAUTH_TS_MALFORMED;
	}
	utc_format(ms, theirs, sizeof(theirs));
	if (ms < floor_ms) {
		/* 0 <= ms < floor_ms <= sent_ms: neither difference overflows. */
		apart = sent_ms - ms;
		allowed = sent_ms - floor_ms;
		utc_format(sent_ms, bound, sizeof(bound));
		snprintf(err, errlen,
			 "it was signed at %s (Biz-Timestamp), %lld.%03d s before this request "
			 "was sent at %s (Biz-Api-Nonce), more than the %lld.%03d s allowed",
			 theirs, (long long)(apart / 1000), (int)(apart % 1000), bound,
			 (long long)(allowed / 1000), (int)(allowed % 1000));
		return OAUTH_TS_BEFORE_SENT;
	}
	if (newest_ms > 0 && ms < newest_ms) {
		utc_format(newest_ms, bound, sizeof(bound));
		snprintf(err, errlen,
			 "it was signed at %s (Biz-Timestamp), before the newest answer already "
			 "accepted for this app and org (signed at %s)",
			 theirs, bound);
		return OAUTH_TS_OLDER;
	}
	return 0;
}

int oauth_timestamp_confirms(const char *ts, int64_t now_ms, int64_t first_ms, char *err,
			     size_t errlen)
{
	int64_t ms = oauth_timestamp_ms(ts), mine;

	if (ms < 0) {
		snprintf(err, errlen, "Biz-Timestamp is not unix milliseconds");
		return OAUTH_TS_MALFORMED;
	}
	/* 0 <= ms; a local time below -2^62 is no clock at all. */
	if (now_ms < INT64_MIN / 2 || first_ms < INT64_MIN / 2 || first_ms > INT64_MAX / 2) {
		snprintf(err, errlen, "the local clock is out of range");
		return OAUTH_TS_UNCONFIRMED;
	}
	mine = now_ms - ms;
	if (mine >= first_ms - OAUTH_ORDER_SKEW_MS)
		return 0;
	snprintf(err, errlen,
		 "it arrived %lld.%03d s after it was signed, the answer before it %lld.%03d s: "
		 "more than %d.%03d s apart, so the two do not show one clock running ahead",
		 (long long)(mine / 1000), (int)(mine % 1000 < 0 ? -(mine % 1000) : mine % 1000),
		 (long long)(first_ms / 1000),
		 (int)(first_ms % 1000 < 0 ? -(first_ms % 1000) : first_ms % 1000),
		 OAUTH_ORDER_SKEW_MS / 1000, OAUTH_ORDER_SKEW_MS % 1000);
	return OAUTH_TS_UNCONFIRMED;
}

int oauth_token_echoes(const struct oauth_token *t, const char *sent, size_t sent_len)
{
	return sent != NULL && t->refresh_token != NULL && t->refresh_len == sent_len &&
	       CRYPTO_memcmp(t->refresh_token, sent, sent_len) == 0;
}

int oauth_clock_offset(const char *ts, int64_t local_ms, int64_t *offset_ms)
{
	int64_t ms;

	*offset_ms = 0;
	if (timestamp_parse(ts, &ms) != 0)
		return -1;
	/* ms < 10^18, so only a local time far below zero overflows. */
	if (local_ms < 0 && ms > INT64_MAX + local_ms)
		return -1;
	*offset_ms = ms - local_ms;
	return 0;
}

int oauth_clock_beyond(int64_t offset_ms, long window_s)
{
	int64_t w;

	if (window_s < 0)
		window_s = 0;
	if ((int64_t)window_s > INT64_MAX / 1000)
		return 0;
	w = (int64_t)window_s * 1000;
	return offset_ms < 0 ? offset_ms < -w : offset_ms > w;
}

/* "2026-12-07T19:40:12Z" (whole seconds, rounded down), or the raw number. */
static void iso_format(int64_t ms, char *buf, size_t len)
{
	int64_t secs = ms / 1000 - (ms % 1000 < 0);
	time_t t = (time_t)secs;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld ms", (long long)ms);
}

void oauth_clock_message(int64_t offset_ms, int64_t local_ms, char *buf, size_t len)
{
	char local[48], cobo[48];
	int ahead = offset_ms < 0;
	/* |offset| in seconds, to the nearest; each part's magnitude fits (INT64_MIN too). */
	int64_t secs = offset_ms / 1000, rest = offset_ms % 1000;

	if (ahead) {
		secs = -secs;
		rest = -rest;
	}
	secs += rest >= 500;

	iso_format(local_ms, local, sizeof(local));
	if ((offset_ms > 0 && local_ms > INT64_MAX - offset_ms) ||
	    (offset_ms < 0 && local_ms < INT64_MIN - offset_ms))
		snprintf(cobo, sizeof(cobo), "unknown");
	else
		iso_format(local_ms + offset_ms, cobo, sizeof(cobo));
	snprintf(buf, len,
		 "this machine's clock is %lld s %s Cobo's (local %s, Cobo %s): set the time "
		 "(NTP) and retry",
		 (long long)secs, ahead ? "ahead of" : "behind", local, cobo);
}
