/*
 * payload.c - the secret part of keyring items.
 *
 * Git items hold what newer git-credential-libsecret writes: the password,
 * then optional "\npassword_expiry_utc=N" and "\noauth_refresh_token=T"
 * lines (libsecret treats attributes as public and stable, so git keeps
 * these in the secret).  git 2.39's helper wrote the bare password, which
 * is the same format with no extra lines, so both read back the same way.
 * Every other schema's payload is the secret itself.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "map.h"
#include "strutil.h"

#define GIT_EXPIRY "password_expiry_utc="
#define GIT_REFRESH "oauth_refresh_token="

static int has_newline_or_nul(const unsigned char *s, size_t n)
{
	return memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL ||
	       memchr(s, '\0', n) != NULL;
}

static int git_payload(const struct cobocred_host *h, const struct cobocred_item *it, char **out,
		       size_t *outlen, char *err, size_t errlen)
{
	const char *rt = it->oauth_refresh_token;
	char exp[48] = "";
	size_t n, len;
	char *buf;

	if (it->secret_len > 0 && has_newline_or_nul(it->secret, it->secret_len)) {
		snprintf(err, errlen,
			 "a git password cannot contain a newline or NUL; "
			 "refusing to store it");
		return -1;
	}
	if (rt != NULL && strpbrk(rt, "\r\n") != NULL) {
		snprintf(err, errlen,
			 "a git oauth_refresh_token cannot contain a newline; "
			 "refusing to store it");
		return -1;
	}
	if (it->expires_at != 0)
		snprintf(exp, sizeof(exp), "\n" GIT_EXPIRY "%" PRId64, it->expires_at);
	len = it->secret_len + strlen(exp) + (rt ? 1 + strlen(GIT_REFRESH) + strlen(rt) : 0);
	buf = h->secret_alloc(len + 1);
	if (buf == NULL)
		goto oom;
	if (it->secret_len > 0)
		memcpy(buf, it->secret, it->secret_len);
	n = it->secret_len;
	memcpy(buf + n, exp, strlen(exp));
	n += strlen(exp);
	if (rt != NULL) {
		memcpy(buf + n, "\n" GIT_REFRESH, 1 + strlen(GIT_REFRESH));
		n += 1 + strlen(GIT_REFRESH);
		memcpy(buf + n, rt, strlen(rt));
	}
	*out = buf;
	*outlen = len;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int kr_payload_build(const struct cobocred_host *h, const struct cobocred_item *it, char **out,
		     size_t *outlen, char *err, size_t errlen)
{
	char *buf;

	*out = NULL;
	*outlen = 0;
	if (kr_kind_of(it->schema) == KR_GIT)
		return git_payload(h, it, out, outlen, err, errlen);
	buf = h->secret_alloc(it->secret_len + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (it->secret_len > 0)
		memcpy(buf, it->secret, it->secret_len);
	*out = buf;
	*outlen = it->secret_len;
	return 0;
}

/* One "key=value" line after the password; unknown keys are ignored, as git does. */
static int git_line(const struct cobocred_host *h, struct cobocred_item *it, const char *s,
		    size_t n)
{
	size_t ke = strlen(GIT_EXPIRY), kr = strlen(GIT_REFRESH);
	char num[32], *tok;
	int64_t v;
	int r;

	if (n > ke && n - ke < sizeof(num) && memcmp(s, GIT_EXPIRY, ke) == 0) {
		memcpy(num, s + ke, n - ke);
		num[n - ke] = '\0';
		/* like git: an unparsable or zero expiry means "does not expire" */
		if (cobocred_parse_i64(num, 1, INT64_MAX, &v) == 0)
			h->item_set_times(it, it->created_at, v);
		return 0;
	}
	if (n >= kr && memcmp(s, GIT_REFRESH, kr) == 0) {
		tok = h->secret_alloc(n - kr + 1);
		if (tok == NULL)
			return -1;
		memcpy(tok, s + kr, n - kr);
		r = h->item_set_refresh(it, tok);
		h->secret_free(tok);
		return r;
	}
	return 0;
}

int kr_git_payload_parse(const struct cobocred_host *h, struct cobocred_item *it,
			 const char *payload, size_t plen)
{
	const char *end = payload + plen, *p, *nl;
	size_t n;

	nl = memchr(payload, '\n', plen);
	if (h->item_set_secret(it, payload, nl ? (size_t)(nl - payload) : plen) != 0)
		return -1;
	p = nl ? nl + 1 : end;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (git_line(h, it, p, n) != 0)
			return -1;
		p += n + (nl != NULL);
	}
	return 0;
}
