/*
 * format.h - the output formats of 'cobo-credential token' and the small
 * pure text helpers behind them (JSON strings, shell-safe values, times).
 * No I/O, no context: the unit tests call these directly.
 */
#ifndef COBOCRED_CLI_FORMAT_H
#define COBOCRED_CLI_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

enum cli_format {
	CLI_FMT_RAW,	/* the token and a newline */
	CLI_FMT_JSON,	/* {access_token, token_type, expires_at, org_id, profile} */
	CLI_FMT_HEADER, /* Authorization: Bearer TOKEN */
	CLI_FMT_ENV,	/* NAME=value lines, safe for eval */
	CLI_FMT_EXEC,	/* Kubernetes ExecCredential */
};

#define CLI_EXEC_API_V1 "client.authentication.k8s.io/v1"
#define CLI_EXEC_API_V1BETA1 "client.authentication.k8s.io/v1beta1"

/* What a format needs to know about a token. */
struct cli_token_view {
	const char *token; /* secret */
	size_t token_len;
	int64_t expires_at; /* unix seconds; 0: does not expire */
	const char *org_id;
	const char *profile;
	const char *exec_api; /* apiVersion for exec-credential; NULL: v1 */
};

/* "raw", "json", ... -> *out.  0, or -1 for an unknown name. */
int cli_format_parse(const char *name, enum cli_format *out);

/*
 * Appends token t in format f to out.  Returns 0, or -1 with a one-line
 * reason in err when a value cannot be written safely in that format (a
 * newline in a header, a shell metacharacter in env output): we refuse
 * rather than quote, so nothing surprising ever reaches eval.
 */
int cli_format_token(enum cli_format f, const struct cli_token_view *t, struct cobocred_sbuf *out,
		     char *err, size_t errlen);

/* 1 if s[0..n) is non-empty and only [A-Za-z0-9] and "_-.,/+=:@%": safe unquoted in sh. */
int cli_env_safe(const char *s, size_t n);
/* 1 if s[0..n) is valid UTF-8 (no overlong forms, no surrogates). */
int cli_utf8_valid(const char *s, size_t n);
/* Appends s[0..n) as a quoted JSON string.  -1 (nothing appended) if it is not UTF-8. */
int cli_json_string(struct cobocred_sbuf *b, const char *s, size_t n);

/* "3d 4h", "11h 59m", "5m 2s", "42s"; "expired" for t <= 0. */
void cli_duration(int64_t seconds, char *out, size_t outlen);

/*
 * The ExecCredential apiVersion to answer with, from the KUBERNETES_EXEC_INFO
 * JSON a kubectl exec plugin host passes (NULL or unknown: v1).
 */
const char *cli_exec_api_version(const char *exec_info);

#endif
