/*
 * conf.h - a Cobo profile's settings, checked and resolved: the token
 * endpoint URL, the server's response key, TLS and timeout settings.
 */
#ifndef COBO_OAUTH_CONF_H
#define COBO_OAUTH_CONF_H

#include <stddef.h>

#include "cobocred/module.h"
#include "pins.h"
#include "sign.h"

#define OAUTH_TOKEN_PATH "/oauth/token"

/* The parts of a base_url. */
struct oauth_url {
	int https;	    /* 1: https, 0: http */
	char host[256];	    /* as written, IPv6 in brackets, lower-case */
	char hostport[300]; /* host[:port], the port only when given */
	char path[1024];    /* base path without trailing '/', "" for none */
};

struct oauth_conf {
	const char *profile; /* the host's strings, valid until close() */
	const char *base_url;
	const char *client_id;
	const char *orgs;	/* the org_id setting: one org id, a list, or "*" */
	const char *org_id;	/* the org this call is for; NULL until oauth_conf_org */
	const char *app_secret; /* NULL: keyring */
	char ca_file[4096];	/* "" for none */
	struct oauth_url url;
	char token_url[1600];  /* scheme://hostport/path/oauth/token */
	char token_path[1100]; /* /path/oauth/token: the signed PATH */
	unsigned char server_key[OAUTH_PUB_LEN];
	int allow_http;
	long connect_timeout; /* seconds */
	long timeout;	      /* seconds */
	long max_clock_skew;  /* seconds a signed answer's Biz-Timestamp may be off */
	/* pin_sha256 as libcurl takes it ("sha256//PIN;..."); "" for none (pins.h) */
	char pins[COBOCRED_PINS_CURL_MAX];
};

/* The profile settings this module reads, NULL-name ended (module.h, ABI 1.2). */
extern const struct cobocred_setting oauth_settings[];

/* Splits a base_url ("https://host[:port][/path]").  0, or -1 with err. */
int oauth_url_parse(const char *url, struct oauth_url *u, char *err, size_t errlen);
/* 1 if host (as in oauth_url) is localhost, in 127.0.0.0/8 or [::1]. */
int oauth_host_is_loopback(const char *host);
/*
 * The response key for a server_key setting (dev | sandbox | prod | 64 hex;
 * NULL: the environment whose base_url host is host).  0, or -1 with err.
 */
int oauth_server_key(const char *setting, const char *host, unsigned char key[OAUTH_PUB_LEN],
		     char *err, size_t errlen);
/* The built-in environments, for tests: name, base_url and key hex of the i-th; NULL past the end. */
const char *oauth_env_name(size_t i, const char **base_url, const char **key_hex);

/*
 * Reads and checks profile's settings through the host.  COBOCRED_* status, err set on failure.
 * c->org_id is the profile's org when org_id names exactly one, else NULL.
 */
int oauth_conf_load(const struct cobocred_host *host, const char *profile, struct oauth_conf *c,
		    char *err, size_t errlen);
/*
 * Sets c->org_id to the org a request is for: org (a string that outlives
 * c) when the profile's org_id serves it, or with org NULL the profile's
 * only org.  Anything else is ERROR with err: nothing is minted for an org
 * the profile does not name, whatever the host asks.
 */
int oauth_conf_org(struct oauth_conf *c, const char *org, char *err, size_t errlen);

#endif
