/*
 * protocol.c - the bounded parser of a git credential request.
 *
 * Matches git's own reader (credential.c): lines end in "\n" or "\r\n",
 * the first '=' splits key from value, a later key overrides an earlier
 * one, "url=" starts the credential afresh, unknown keys are ignored so
 * newer git versions keep working.  Unlike git it never allocates without
 * bound: a line over GIT_LINE_MAX or a request over GIT_INPUT_MAX fails.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol.h"
#include "secret.h"
#include "strutil.h"

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* Replaces *slot with a copy of v[0..n) (in secret memory if secret). 0 or -1. */
static int set_str(char **slot, const char *v, size_t n, int secret)
{
	char *copy = secret ? cobocred_secret_dup(v, n) : strndup(v, n);

	if (copy == NULL)
		return -1;
	if (secret)
		cobocred_secret_free(*slot);
	else
		free(*slot);
	*slot = copy;
	return 0;
}

/* git writes "1"; accept git's boolean spellings, and treat anything odd as true
 * so that a credential meant to be ephemeral is never stored by mistake. */
static int parse_bool(const char *v, size_t n)
{
	static const char *const no[] = { "", "0", "false", "no", "off" };
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strlen(no[i]) == n && strncasecmp(no[i], v, n) == 0)
			return 0;
	return 1;
}

/* Unix seconds; anything unparsable counts as absent (0). */
static int64_t parse_expiry(const char *v, size_t n)
{
	char buf[32];
	int64_t t = 0;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (cobocred_parse_i64(buf, 1, INT64_MAX, &t) != 0)
		return 0;
	return t;
}

static void note_capability(struct git_req *r, const char *v, size_t n)
{
	if (n == 8 && memcmp(v, "authtype", 8) == 0)
		r->capabilities |= GIT_CAPA_AUTHTYPE;
	else if (n == 5 && memcmp(v, "state", 5) == 0)
		r->capabilities |= GIT_CAPA_STATE;
}

static int key_is(const char *k, size_t kn, const char *name)
{
	return strlen(name) == kn && memcmp(k, name, kn) == 0;
}

/* One "key=value" line (no terminator, no NUL). */
static int parse_line(const char *line, size_t n, struct git_req *r, char *err, size_t errlen)
{
	const char *eq = memchr(line, '=', n), *v;
	size_t kn, vn;
	int rc = 0;

	/* Never echo the line: it may hold a password. */
	if (eq == NULL)
		return fail(err, errlen,
			    "invalid request line (no '='); git sends key=value lines");
	kn = (size_t)(eq - line);
	v = eq + 1;
	vn = n - kn - 1;
	if (key_is(line, kn, "protocol"))
		rc = set_str(&r->protocol, v, vn, 0);
	else if (key_is(line, kn, "host"))
		rc = set_str(&r->host, v, vn, 0);
	else if (key_is(line, kn, "path"))
		rc = set_str(&r->path, v, vn, 0);
	else if (key_is(line, kn, "username"))
		rc = set_str(&r->username, v, vn, 0);
	else if (key_is(line, kn, "password"))
		rc = set_str(&r->password, v, vn, 1);
	else if (key_is(line, kn, "oauth_refresh_token"))
		rc = set_str(&r->oauth_refresh_token, v, vn, 1);
	else if (key_is(line, kn, "password_expiry_utc"))
		r->password_expiry_utc = parse_expiry(v, vn);
	else if (key_is(line, kn, "ephemeral"))
		r->ephemeral = parse_bool(v, vn);
	else if (key_is(line, kn, "capability[]"))
		note_capability(r, v, vn);
	else if (key_is(line, kn, "url")) {
		unsigned capa = r->capabilities;

		if (git_url_split(v, vn, r, err, errlen) != 0)
			return -1;
		r->capabilities = capa; /* they describe the conversation, not the credential */
	}
	/* wwwauth[], authtype, credential, state[], continue and the unknown: ignored. */
	if (rc != 0)
		return fail(err, errlen, "out of memory");
	return 0;
}

size_t git_req_end(const char *buf, size_t len, size_t *scan)
{
	const char *nl;

	while (*scan < len && (nl = memchr(buf + *scan, '\n', len - *scan)) != NULL) {
		size_t start = *scan, n = (size_t)(nl - buf) - start;

		*scan = (size_t)(nl - buf) + 1;
		if (n == 0 || (n == 1 && buf[start] == '\r'))
			return *scan;
	}
	return 0;
}

int git_req_parse(const char *buf, size_t len, struct git_req *out, size_t *consumed, char *err,
		  size_t errlen)
{
	size_t pos = 0;
	int r = -1;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;
		size_t next = pos + n + (nl != NULL);

		if (next > GIT_INPUT_MAX) {
			fail(err, errlen, "request longer than 1 MiB; refusing it");
			goto out;
		}
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > GIT_LINE_MAX) {
			fail(err, errlen, "request line longer than 65535 bytes; refusing it");
			goto out;
		}
		if (memchr(line, '\0', n) != NULL) {
			fail(err, errlen, "NUL byte in the request; refusing it");
			goto out;
		}
		/* A CR left inside a line would reach a later reader as a line break
		 * (the CVE-2024-52006 class): refuse it, as newer git does. */
		if (memchr(line, '\r', n) != NULL) {
			fail(err, errlen, "carriage return inside a request line; refusing it");
			goto out;
		}
		pos = next;
		if (n == 0)
			break; /* the blank line ends the request */
		if (parse_line(line, n, out, err, errlen) != 0)
			goto out;
	}
	r = 0;
out:
	if (consumed != NULL)
		*consumed = pos;
	return r;
}
