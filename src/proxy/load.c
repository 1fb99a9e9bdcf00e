/*
 * load.c - the configuration the proxy serves (load.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "tokens.h"

int proxy_base_path(const char *base_url, char *out, size_t outlen)
{
	const char *s = strstr(base_url, "://");
	size_t n;

	out[0] = '\0';
	if (s == NULL || strpbrk(base_url, "?#") != NULL)
		return -1;
	s = strchr(s + 3, '/');
	if (s == NULL)
		return 0;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	if (n >= outlen)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int pick_profile(struct cobocred_ctx *ctx, const char *name, const char **out, int *code)
{
	size_t i, n = cobocred_profile_count(ctx);

	if (name == NULL)
		name = getenv("COBO_CREDENTIAL_PROFILE");
	if (name == NULL && n != 1) {
		fprintf(stderr, "cobo-credential-proxy: %s; name one with --profile\n",
			n == 0 ? "no profile is configured" : "several profiles are configured");
		*code = PROXY_EX_CONFIG;
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *p = cobocred_profile_name(ctx, i);

		if (name == NULL || strcmp(p, name) == 0) {
			*out = p;
			return 0;
		}
	}
	fprintf(stderr, "cobo-credential-proxy: no profile '%s' in %s\n", name,
		cobocred_config_path(ctx) != NULL ? cobocred_config_path(ctx)
						  : "the configuration");
	*code = PROXY_EX_CONFIG;
	return -1;
}

int proxy_core_load(const struct proxy_opts *opt, struct proxy_core **out, int *code)
{
	struct proxy_core *c;
	const char *url;
	int st, r = -1;

	*out = NULL;
	*code = PROXY_EX_CONFIG;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		fprintf(stderr, "cobo-credential-proxy: out of memory\n");
		*code = PROXY_EX_INTERNAL;
		return -1;
	}
	st = cobocred_ctx_new(opt->config, &c->ctx);
	if (st != COBOCRED_SUCCESS) {
		fprintf(stderr, "cobo-credential-proxy: %s\n",
			c->ctx != NULL ? cobocred_error(c->ctx) : "out of memory");
		goto out;
	}
	if (pick_profile(c->ctx, opt->profile, &c->profile, code) != 0)
		goto out;
	url = cobocred_profile_get(c->ctx, c->profile, "base_url");
	if (url == NULL || proxy_base_path(url, c->base_path, sizeof(c->base_path)) != 0) {
		fprintf(stderr, "cobo-credential-proxy: profile '%s' has no usable base_url\n",
			c->profile);
		goto out;
	}
	*out = c;
	c = NULL;
	r = 0;
out:
	proxy_core_free(c);
	return r;
}

void proxy_core_free(struct proxy_core *core)
{
	if (core == NULL)
		return;
	proxy_tokens_free(core->tokens);
	if (core->transport != NULL)
		cobocred_transport_free(core->transport);
	cobocred_ctx_free(core->ctx);
	free(core);
}
