/*
 * reply.c - JSON errors and the access log (reply.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"

/* s as a JSON string body: '"' and '\' escaped, control and non-ASCII bytes dropped. */
static void json_str(char *out, size_t outlen, const char *s)
{
	size_t o = 0;

	for (; s != NULL && *s != '\0' && o + 3 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			continue;
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		out[o++] = (char)c;
	}
	out[o] = '\0';
}

char *proxy_error_json(const char *error, const char *detail, size_t *len)
{
	char e[64], d[600], *body;
	int n;

	json_str(e, sizeof(e), error);
	json_str(d, sizeof(d), detail);
	n = snprintf(NULL, 0, "{\"error\":\"%s\",\"detail\":\"%s\"}\n", e, d);
	body = malloc((size_t)n + 1);
	if (body == NULL)
		return NULL;
	snprintf(body, (size_t)n + 1, "{\"error\":\"%s\",\"detail\":\"%s\"}\n", e, d);
	*len = (size_t)n;
	return body;
}

enum MHD_Result proxy_reply_error(struct MHD_Connection *c, int status, const char *error,
				  const char *detail)
{
	struct MHD_Response *resp;
	enum MHD_Result r;
	size_t len;
	char *body = proxy_error_json(error, detail, &len);

	if (body == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	r = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* s[0, n) with non-printable bytes as '?', at most max bytes. */
static void printable(char *out, size_t outlen, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
}

void proxy_access_log(const char *method, const char *target, int status, long ms)
{
	char m[16], t[201];
	size_t n;

	if (method == NULL)
		method = "-";
	if (target == NULL)
		target = "-";
	n = strcspn(target, "?#");
	printable(m, sizeof(m), method, strlen(method));
	printable(t, sizeof(t), target, n);
	fprintf(stderr, "%s %s %d %ldms\n", m, t, status, ms);
}
