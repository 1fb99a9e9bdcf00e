/*
 * fuzz_url.c - libFuzzer target: the strict request-field parsers and the
 * origin rule (src/cobo/origin.c), and routing over a fixed config with
 * overlapping profiles.  Input: "FIELD\nUSERNAME".
 *
 * Invariants beyond "no crash":
 *  - an accepted host is lower-case LDH/dotted IPv4 or a bracketed IPv6,
 *    never ends in a dot, and parses again to itself (canonical);
 *  - an accepted port is 1-65535;
 *  - a Docker server or git host that reaches a profile has exactly the
 *    profile's origin (https, api.dev.cobo.com, 443);
 *  - a refusal is one line with no raw control byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

static struct cobocred_ctx *ctx;

static void setup(void)
{
	static const char conf[] = "/tmp/cobo-fuzz-url.conf";
	FILE *f = fopen(conf, "w");

	if (f == NULL)
		abort();
	fputs("[stack]\nget = none\n"
	      "[profile a]\nbase_url = https://api.dev.cobo.com/v2\nclient_id = c\norg_id = org-a\n"
	      "[profile b]\nbase_url = https://API.dev.cobo.com:443/v2\nclient_id = c\norg_id = org-b\n"
	      "[profile c]\nbase_url = http://127.0.0.1:8080/v2\nclient_id = c\norg_id = org-c\n",
	      f);
	fclose(f);
	if (cobocred_ctx_new(conf, &ctx) != COBOCRED_SUCCESS)
		abort();
}

static void check_host(const struct cobocred_origin *o)
{
	struct cobocred_origin again;
	size_t i, n = strlen(o->host);

	CHECK(n > 0 && o->host[n - 1] != '.');
	for (i = 0; i < n; i++) {
		char c = o->host[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';

		if (o->host[0] == '[')
			ok = ok || c == ':' || (i == 0 && c == '[') || (i == n - 1 && c == ']');
		CHECK(ok);
	}
	CHECK(cobocred_parse_hostport(o->host, n, &again, NULL) == 0);
	CHECK(strcmp(again.host, o->host) == 0);
}

static void check_one_line(const char *s)
{
	CHECK(strpbrk(s, "\r\n\x1b") == NULL);
}

static void fields(const char *field, size_t n, const char *user)
{
	struct cobocred_origin o;
	struct cobocred_request r;
	struct cobocred_answer a;
	const char *why = NULL, *name = NULL;

	if (cobocred_parse_hostport(field, n, &o, &why) == 0) {
		check_host(&o);
		CHECK(o.port <= 65535);
		memcpy(o.scheme, "https", 6);
		if (cobocred_profile_by_origin(ctx, &o, user, &name) == COBOCRED_SUCCESS)
			CHECK(strcmp(o.host, "api.dev.cobo.com") == 0 &&
			      (o.port == 0 || o.port == 443));
	} else {
		CHECK(why != NULL);
	}
	if (memchr(field, '\0', n) != NULL)
		return;
	(void)cobocred_parse_protocol(field, &why);
	if (cobocred_parse_docker_server(field, &o, &why) == 0)
		check_host(&o);
	/* Routing refuses before any lookup ("get = none" would fail loudly otherwise). */
	memset(&r, 0, sizeof(r));
	r.client = COBOCRED_CLIENT_GIT;
	r.protocol = "https";
	r.host = field;
	r.username = user;
	if (cobocred_fill(ctx, &r, &a) != COBOCRED_SUCCESS)
		check_one_line(cobocred_error(ctx));
	cobocred_answer_clear(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *nl;

	if (ctx == NULL)
		setup();
	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = memchr(buf, '\n', size);
	if (nl != NULL)
		*nl++ = '\0';
	fields(buf, nl != NULL ? (size_t)(nl - 1 - buf) : size, nl);
	free(buf);
	return 0;
}
