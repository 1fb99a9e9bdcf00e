/*
 * load.h - the configuration the proxy serves (struct proxy_core): a
 * context on the config file, the profile, and the base path of its
 * base_url.  Loaded at start and again on SIGHUP.
 */
#ifndef COBOCRED_PROXY_LOAD_H
#define COBOCRED_PROXY_LOAD_H

#include "proxy.h"

/*
 * A new core on opt->config for the profile opt->profile, else
 * $COBO_CREDENTIAL_PROFILE, else the only one.  0 with *out (free with
 * proxy_core_free), or -1 after one line on stderr; *code gets the exit code.
 */
int proxy_core_load(const struct proxy_opts *opt, struct proxy_core **out, int *code);
/* Frees core (its transport first, then its context).  NULL is a no-op. */
void proxy_core_free(struct proxy_core *core);

/* The path part of base_url ("https://h/v2/" -> "/v2"); 0, or -1 when it has '?' or '#'. */
int proxy_base_path(const char *base_url, char *out, size_t outlen);

#endif
