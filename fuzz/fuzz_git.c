/*
 * fuzz_git.c - libFuzzer target: the git credential request reader
 * (src/git/protocol.c, url.c, req.c) and the answer writer (output.c).
 *
 * Invariants checked beyond "no crash":
 *  - git_req_end, fed the input in pieces, finds the same end as in one
 *    call, and an accepted request ends exactly there;
 *  - every parsed value is free of LF (CR/LF/NUL for url= parts), expiry
 *    is never negative;
 *  - the answer writer refuses a value exactly when it holds CR, LF or NUL;
 *  - an accepted request, written back as key=value lines, parses to the
 *    same request (values ending in CR excepted: git strips that CR);
 *  - a refusal gives a one-line message; no secret memory outlives the request.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "protocol.h"
#include "secret.h"
#include "strutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

static void check_err(const char *err, size_t errlen)
{
	size_t n = strnlen(err, errlen);

	CHECK(n > 0 && n < errlen);
	CHECK(!cobocred_has_ctl_newline(err, n));
}

static void check_field(const char *s, int strict)
{
	if (s == NULL)
		return;
	CHECK(strchr(s, '\n') == NULL);
	if (strict)
		CHECK(strchr(s, '\r') == NULL);
}

static const char *const *fields(const struct git_req *r, const char *v[6])
{
	v[0] = r->protocol;
	v[1] = r->host;
	v[2] = r->path;
	v[3] = r->username;
	v[4] = r->password;
	v[5] = r->oauth_refresh_token;
	return v;
}

static const char *const names[6] = { "protocol", "host",     "path",
				      "username", "password", "oauth_refresh_token" };

static int str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The writer's verdict on every field must match the CR/LF/NUL rule. */
static int write_back(const struct git_req *r, struct cobocred_sbuf *o)
{
	const char *v[6];
	int ok = 1, i;

	fields(r, v);
	for (i = 0; i < 6; i++) {
		int bad, rc;

		if (v[i] == NULL)
			continue;
		bad = cobocred_has_ctl_newline(v[i], strlen(v[i]));
		rc = git_out_add_str(o, names[i], v[i]);
		CHECK((rc != 0) == bad);
		if (strlen(v[i]) > 0 && v[i][strlen(v[i]) - 1] == '\r')
			ok = 0; /* git strips the CR before LF: no exact round trip */
		if (bad)
			ok = 0;
	}
	if (r->password_expiry_utc != 0)
		CHECK(git_out_add_i64(o, "password_expiry_utc", r->password_expiry_utc) == 0);
	if (r->ephemeral)
		CHECK(git_out_add_str(o, "ephemeral", "1") == 0);
	CHECK(git_out_add_str(o, "bad=key", "x") != 0);
	return ok;
}

static void round_trip(const struct git_req *r)
{
	struct cobocred_sbuf o = { 0 };
	struct git_req again;
	const char *a[6], *b[6];
	char err[256];
	size_t used = 0;
	int i;

	if (write_back(r, &o)) {
		CHECK(git_req_parse(o.p, o.len, &again, &used, err, sizeof(err)) == 0);
		CHECK(used == o.len);
		fields(r, a);
		fields(&again, b);
		for (i = 0; i < 6; i++)
			CHECK(str_eq(a[i], b[i]));
		CHECK(again.password_expiry_utc == r->password_expiry_utc);
		CHECK(again.ephemeral == r->ephemeral);
		git_req_clear(&again);
	}
	cobocred_sbuf_free(&o);
}

/* git_req_end over growing prefixes must agree with one call over everything. */
static size_t end_incremental(const char *buf, size_t len)
{
	size_t scan = 0, at = 0, e = 0, step = len / 7 + 1;

	while (at < len && e == 0) {
		at = at + step < len ? at + step : len;
		e = git_req_end(buf, at, &scan);
		CHECK(scan <= at);
	}
	return e;
}

static void check_request(const char *buf, size_t len)
{
	struct git_req r;
	char err[256];
	size_t consumed = 7, scan = 0, end;
	const char *v[6];
	int i, rc;

	end = git_req_end(buf, len, &scan);
	CHECK(end <= len);
	CHECK(end_incremental(buf, len) == end);
	err[0] = '\0';
	rc = git_req_parse(buf, len, &r, &consumed, err, sizeof(err));
	CHECK(consumed <= len);
	if (rc != 0) {
		check_err(err, sizeof(err));
	} else {
		CHECK(consumed == (end != 0 ? end : len));
		fields(&r, v);
		for (i = 0; i < 6; i++)
			check_field(v[i], 0);
		CHECK(r.password_expiry_utc >= 0);
		CHECK(r.ephemeral == 0 || r.ephemeral == 1);
		round_trip(&r);
	}
	git_req_clear(&r);
}

static void check_url(const char *buf, size_t len)
{
	struct git_req r;
	char err[256];
	const char *v[6];
	int i;

	memset(&r, 0, sizeof(r));
	err[0] = '\0';
	if (git_url_split(buf, len, &r, err, sizeof(err)) == 0) {
		CHECK(r.protocol != NULL && r.host != NULL);
		fields(&r, v);
		for (i = 0; i < 6; i++)
			check_field(v[i], 1);
		if (r.path != NULL)
			CHECK(r.path[0] != '\0'); /* "" would mean "any path" */
	} else {
		check_err(err, sizeof(err));
	}
	git_req_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t live = cobocred_secret_live();

	check_request((const char *)data, size);
	check_url((const char *)data, size);
	CHECK(cobocred_secret_live() == live);
	return 0;
}
