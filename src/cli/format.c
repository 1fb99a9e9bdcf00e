/*
 * format.c - token output formats and their text helpers.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "strutil.h"

static const char *const format_names[] = {
	[CLI_FMT_RAW] = "raw",
	[CLI_FMT_JSON] = "json",
	[CLI_FMT_HEADER] = "header",
	[CLI_FMT_ENV] = "env",
	[CLI_FMT_EXEC] = "exec-credential",
};

int cli_format_parse(const char *name, enum cli_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum cli_format)i;
			return 0;
		}
	return -1;
}

int cli_env_safe(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	/* No quote, blank, $, `, \, ~, glob, brace, redirection or separator. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_-.,/+=:@%", c) != NULL) ||
		    c == '\0')
			return 0;
	}
	return 1;
}

int cli_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k = cobocred_utf8_len(p + i, n - i);

		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

int cli_json_string(struct cobocred_sbuf *b, const char *s, size_t n)
{
	size_t i;

	if (!cli_utf8_valid(s, n))
		return -1;
	cobocred_sbuf_add(b, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			cobocred_sbuf_addf(b, "\\%c", c);
		else if (c == '\n')
			cobocred_sbuf_adds(b, "\\n");
		else if (c < 0x20 || c == 0x7f)
			cobocred_sbuf_addf(b, "\\u%04x", c);
		else
			cobocred_sbuf_add(b, s + i, 1);
	}
	cobocred_sbuf_add(b, "\"", 1);
	return 0;
}

void cli_duration(int64_t t, char *out, size_t outlen)
{
	int64_t d = t / 86400, h = t % 86400 / 3600, m = t % 3600 / 60, s = t % 60;

	if (t <= 0)
		snprintf(out, outlen, "expired");
	else if (d > 0)
		snprintf(out, outlen, "%" PRId64 "d %" PRId64 "h", d, h);
	else if (h > 0)
		snprintf(out, outlen, "%" PRId64 "h %" PRId64 "m", h, m);
	else if (m > 0)
		snprintf(out, outlen, "%" PRId64 "m %" PRId64 "s", m, s);
	else
		snprintf(out, outlen, "%" PRId64 "s", s);
}

const char *cli_exec_api_version(const char *exec_info)
{
	/* kubectl names the version it wants; v1beta1 hosts cannot read v1. */
	if (exec_info != NULL && strstr(exec_info, "\"" CLI_EXEC_API_V1BETA1 "\"") != NULL)
		return CLI_EXEC_API_V1BETA1;
	return CLI_EXEC_API_V1;
}

static int refuse(char *err, size_t errlen, const char *fmt, ...) COBOCRED_PRINTF(3, 4);
static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A JSON member "name":"value" (value NULL: null), comma first unless first. */
static int json_member(struct cobocred_sbuf *b, int first, const char *name, const char *v,
		       size_t n)
{
	cobocred_sbuf_addf(b, "%s\"%s\":", first ? "" : ",", name);
	if (v == NULL) {
		cobocred_sbuf_adds(b, "null");
		return 0;
	}
	return cli_json_string(b, v, n);
}

static int fmt_json(const struct cli_token_view *t, const char *exp, struct cobocred_sbuf *out)
{
	const char *org = t->org_id ? t->org_id : "", *prof = t->profile ? t->profile : "";

	cobocred_sbuf_add(out, "{", 1);
	if (json_member(out, 1, "access_token", t->token, t->token_len) != 0 ||
	    json_member(out, 0, "token_type", "Bearer", 6) != 0 ||
	    json_member(out, 0, "expires_at", exp, exp ? strlen(exp) : 0) != 0 ||
	    json_member(out, 0, "org_id", org, strlen(org)) != 0 ||
	    json_member(out, 0, "profile", prof, strlen(prof)) != 0)
		return -1;
	cobocred_sbuf_adds(out, "}\n");
	return 0;
}

static int fmt_exec(const struct cli_token_view *t, const char *exp, struct cobocred_sbuf *out)
{
	const char *api = t->exec_api ? t->exec_api : CLI_EXEC_API_V1;

	cobocred_sbuf_adds(out, "{");
	json_member(out, 1, "apiVersion", api, strlen(api));
	json_member(out, 0, "kind", "ExecCredential", 14);
	cobocred_sbuf_adds(out, ",\"status\":{");
	/* No expirationTimestamp means "never expires" to kubectl: omit only then. */
	if (exp != NULL)
		json_member(out, 1, "expirationTimestamp", exp, strlen(exp));
	if (json_member(out, exp == NULL, "token", t->token, t->token_len) != 0)
		return -1;
	cobocred_sbuf_adds(out, "}}\n");
	return 0;
}

static int fmt_env(const struct cli_token_view *t, const char *exp, struct cobocred_sbuf *out,
		   char *err, size_t errlen)
{
	const char *org = t->org_id ? t->org_id : "";

	if (!cli_env_safe(t->token, t->token_len))
		return refuse(err, errlen,
			      "the %s holds characters that are not safe in shell "
			      "output; refusing to print it as env (use --format json or raw)",
			      "token");
	if (!cli_env_safe(org, strlen(org)))
		return refuse(err, errlen,
			      "the org_id '%.64s' holds characters that are not safe "
			      "in shell output; fix org_id in the profile or use --format json",
			      org);
	cobocred_sbuf_adds(out, "COBO_ORG_ACCESS_TOKEN=");
	cobocred_sbuf_add(out, t->token, t->token_len);
	cobocred_sbuf_addf(out, "\nCOBO_ORG_ID=%s\n", org);
	if (exp != NULL)
		cobocred_sbuf_addf(out, "COBO_ORG_ACCESS_TOKEN_EXPIRES_AT=%s\n", exp);
	return 0;
}

int cli_format_token(enum cli_format f, const struct cli_token_view *t, struct cobocred_sbuf *out,
		     char *err, size_t errlen)
{
	char exp[32];
	const char *e = NULL;
	int r;

	if (t->expires_at != 0) {
		cobocred_rfc3339(t->expires_at, exp, sizeof(exp));
		e = exp;
	}
	if (t->token_len == 0)
		return refuse(err, errlen, "the %s is empty; report this to the server's operator",
			      "access token");
	if ((f == CLI_FMT_RAW || f == CLI_FMT_HEADER) &&
	    (cobocred_has_ctl_newline(t->token, t->token_len) ||
	     strchr(" \t", t->token[0]) != NULL))
		return refuse(err, errlen,
			      "the %s holds a line break, NUL or leading blank; refusing "
			      "to print it (use --format json)",
			      "access token");
	switch (f) {
	case CLI_FMT_RAW:
		cobocred_sbuf_add(out, t->token, t->token_len);
		cobocred_sbuf_add(out, "\n", 1);
		r = 0;
		break;
	case CLI_FMT_HEADER:
		cobocred_sbuf_adds(out, "Authorization: Bearer ");
		cobocred_sbuf_add(out, t->token, t->token_len);
		cobocred_sbuf_add(out, "\n", 1);
		r = 0;
		break;
	case CLI_FMT_JSON:
		r = fmt_json(t, e, out);
		break;
	case CLI_FMT_EXEC:
		r = fmt_exec(t, e, out);
		break;
	default:
		r = fmt_env(t, e, out, err, errlen);
		break;
	}
	if (r != 0 && f != CLI_FMT_ENV)
		refuse(err, errlen,
		       "the %s or a profile value is not valid UTF-8; refusing to "
		       "write broken JSON",
		       "access token");
	if (r == 0 && out->failed)
		r = refuse(err, errlen, "out of memory formatting the %s", "token");
	return r;
}
