/*
 * request.c - query string, refresh body and nonce.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "request.h"
#include "sign.h"

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '~';
}

int oauth_form_encode(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (o + 4 > outlen)
			return -1;
		if (unreserved(c)) {
			out[o++] = (char)c;
		} else if (c == ' ') {
			out[o++] = '+';
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

int oauth_mint_query(const char *client_id, const char *org_id, char *out, size_t outlen)
{
	static const char tail[] = "&grant_type=org_implicit";
	size_t n;

	if (outlen < 10)
		return -1;
	memcpy(out, "client_id=", 10);
	if (oauth_form_encode(client_id, out + 10, outlen - 10) != 0)
		return -1;
	n = strlen(out);
	if (n + 8 >= outlen)
		return -1;
	memcpy(out + n, "&org_id=", 8);
	n += 8;
	if (oauth_form_encode(org_id, out + n, outlen - n) != 0)
		return -1;
	n += strlen(out + n);
	if (n + sizeof(tail) > outlen)
		return -1;
	memcpy(out + n, tail, sizeof(tail));
	return 0;
}

/* Writes s[0..n) as a JSON string body (no quotes) into out, if not NULL; returns the length. */
static size_t json_escape(const char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e = c == '"'    ? '"'
			 : c == '\\' ? '\\'
			 : c == '\n' ? 'n'
			 : c == '\r' ? 'r'
			 : c == '\t' ? 't'
			 : c == '\b' ? 'b'
			 : c == '\f' ? 'f'
				     : 0;

		if (e != 0) {
			if (out) {
				out[o] = '\\';
				out[o + 1] = e;
			}
			o += 2;
		} else if (c < 0x20) {
			if (out) {
				memcpy(out + o, "\\u00", 4);
				out[o + 4] = hex[c >> 4];
				out[o + 5] = hex[c & 15];
			}
			o += 6;
		} else {
			if (out)
				out[o] = (char)c;
			o++;
		}
	}
	return o;
}

int oauth_refresh_body(const char *client_id, const char *refresh, size_t refresh_len, char **out,
		       size_t *len)
{
	static const char p1[] = "{\"client_id\":\"",
			  p2[] = "\",\"grant_type\":\"refresh_token\",\"refresh_token\":\"",
			  p3[] = "\"}";
	size_t cl = strlen(client_id), total, o;
	char *buf;

	*out = NULL;
	*len = 0;
	if (cl > 65536 || refresh_len > 65536)
		return -1;
	total = sizeof(p1) - 1 + json_escape(client_id, cl, NULL) + sizeof(p2) - 1 +
		json_escape(refresh, refresh_len, NULL) + sizeof(p3) - 1;
	buf = OPENSSL_malloc(total + 1);
	if (buf == NULL)
		return -1;
	o = 0;
	memcpy(buf + o, p1, sizeof(p1) - 1);
	o += sizeof(p1) - 1;
	o += json_escape(client_id, cl, buf + o);
	memcpy(buf + o, p2, sizeof(p2) - 1);
	o += sizeof(p2) - 1;
	o += json_escape(refresh, refresh_len, buf + o);
	memcpy(buf + o, p3, sizeof(p3));
	*out = buf;
	*len = total;
	return 0;
}

int64_t oauth_nonce(char out[OAUTH_NONCE_MAX])
{
	struct timespec ts;
	int64_t ms;

	/* Real time, never the host's test-shifted clock: Cobo checks it within +-5 min. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	snprintf(out, OAUTH_NONCE_MAX, "%lld", (long long)ms);
	return ms;
}
