/*
 * fuzz_url.c - libFuzzer target: URL -> host[:port] extraction and
 * profile resolution over a fixed config with overlapping profiles.
 * Input: "URL\nUSERNAME".
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	      "[profile c]\nbase_url = http://127.0.0.1:8080/v2\nclient_id = c\norg_id = org-c\n", f);
	fclose(f);
	if (cobocred_ctx_new(conf, &ctx) != COBOCRED_SUCCESS)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *nl, hp[300];
	const char *name = NULL;
	int st;

	if (ctx == NULL)
		setup();
	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = strchr(buf, '\n');
	if (nl != NULL)
		*nl++ = '\0';
	(void)cobocred_url_hostport(buf, hp, sizeof(hp));
	st = cobocred_profile_resolve(ctx, buf, nl, &name);
	if ((st == COBOCRED_SUCCESS) != (name != NULL))
		__builtin_trap();
	free(buf);
	return 0;
}
