/*
 * conf.c - profile settings for the cobo-oauth module.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "fsutil.h"
#include "orgset.h"
#include "response.h"
#include "strutil.h"

/* Cobo's published environments (tests/vectors/cobo-environments.json). */
static const struct env {
	const char *name, *base_url, *host, *key_hex;
} envs[] = {
	{ "dev", "https://api.dev.cobo.com/v2", "api.dev.cobo.com",
	  "a04ea1d5fa8da71f1dcfccf972b9c4eba0a2d8aba1f6da26f49977b08a0d2718" },
	{ "sandbox", "https://api.sandbox.cobo.com/v2", "api.sandbox.cobo.com",
	  "893d8a6112ae22429a7453599256391d7928e16870ecab888ee3ce65febada08" },
	{ "prod", "https://api.cobo.com/v2", "api.cobo.com",
	  "8d4a482641adb2a34b726f05827dba9a9653e5857469b8749052bf4458a86729" },
};
#define N_ENVS (sizeof(envs) / sizeof(envs[0]))

/*
 * The [profile NAME] keys this module reads: the one list (module.h ABI
 * 1.2 settings).  The host refuses any other key in a profile, with
 * FILE:LINE, when it loads this module; 'profile show' prints them in this
 * order.  A new setting is added here and nowhere else.
 */
const struct cobocred_setting oauth_settings[] = {
	{ "base_url", "the API base URL, https://HOST[:PORT]/PATH", COBOCRED_SETTING_REQUIRED },
	{ "server_key", "the server's response key: dev, sandbox, prod or 64 hex", 0 },
	{ "client_id", "the app's client id", COBOCRED_SETTING_REQUIRED },
	{ "org_id", "the organisation id, a list of them, or * for any org that installed the app",
	  COBOCRED_SETTING_REQUIRED },
	{ "app_secret", "where the app secret is: keyring, file:PATH, env:VAR or pkcs11:URI",
	  COBOCRED_SETTING_SECRET_REF },
	{ "ca_file", "a CA bundle for a private server", 0 },
	{ "allow_http", "yes: http:// to 127.0.0.0/8 or localhost only (a test server)", 0 },
	{ "connect_timeout", "seconds to connect, 1..300 (default 5)", 0 },
	{ "timeout", "seconds for a whole request, 1..3600 (default 20)", 0 },
	{ "max_clock_skew", "seconds a signed answer's date may be off, 1..86400 (default 300)",
	  0 },
	{ "pin_sha256",
	  "base64 SHA-256 pins of the server's public key, comma-separated: no other key is trusted",
	  0 },
	{ NULL, NULL, 0 },
};

const char *oauth_env_name(size_t i, const char **base_url, const char **key_hex)
{
	if (i >= N_ENVS)
		return NULL;
	*base_url = envs[i].base_url;
	*key_hex = envs[i].key_hex;
	return envs[i].name;
}

static int host_chars_ok(const char *h, size_t n, int bracketed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (!(isalnum(c) || c == '.' || c == '-' || (bracketed && c == ':')))
			return 0;
	}
	return n > 0;
}

/* A port: 1..65535, digits only. */
static int parse_port(const char *port, size_t n, char *err, size_t errlen)
{
	char buf[8];
	int64_t v;

	if (n == 0 || n >= sizeof(buf)) {
		snprintf(err, errlen, "base_url has a malformed port; write HOST:PORT");
		return -1;
	}
	memcpy(buf, port, n);
	buf[n] = '\0';
	if (!isdigit((unsigned char)buf[0]) || cobocred_parse_i64(buf, 1, 65535, &v) != 0) {
		snprintf(err, errlen, "base_url port '%s' is not a number in 1..65535", buf);
		return -1;
	}
	return 0;
}

/* The length of the host part of auth (n bytes): a name, IPv4, or [IPv6]; 0 if malformed. */
static size_t host_len(const char *auth, size_t n)
{
	const char *end;
	size_t hn;

	if (auth[0] == '[') {
		end = memchr(auth, ']', n);
		hn = end != NULL ? (size_t)(end - auth) + 1 : 0;
		if (hn == 0 || !host_chars_ok(auth + 1, hn - 2, 1))
			return 0;
	} else {
		end = memchr(auth, ':', n);
		hn = end != NULL ? (size_t)(end - auth) : n;
		if (!host_chars_ok(auth, hn, 0))
			return 0;
	}
	return hn < n && auth[hn] != ':' ? 0 : hn;
}

/* Splits "host[:port]" (auth, n bytes) into u->host and u->hostport. */
static int parse_authority(const char *auth, size_t n, struct oauth_url *u, char *err,
			   size_t errlen)
{
	size_t hn, i;

	if (n == 0 || n >= sizeof(u->hostport) || memchr(auth, '@', n) != NULL) {
		snprintf(err, errlen, "base_url has %s; write https://HOST[:PORT]/PATH",
			 n == 0			    ? "no host"
			 : n >= sizeof(u->hostport) ? "a host too long"
						    : "user info");
		return -1;
	}
	hn = host_len(auth, n);
	if (hn == 0) {
		snprintf(err, errlen, "base_url host '%.*s' is not a valid host name or address",
			 (int)(n > 80 ? 80 : n), auth);
		return -1;
	}
	if (hn < n && parse_port(auth + hn + 1, n - hn - 1, err, errlen) != 0)
		return -1;
	for (i = 0; i < n; i++)
		u->hostport[i] = (char)tolower((unsigned char)auth[i]);
	u->hostport[n] = '\0';
	memcpy(u->host, u->hostport, hn);
	u->host[hn] = '\0';
	return 0;
}

static int parse_path(const char *p, struct oauth_url *u, char *err, size_t errlen)
{
	size_t n = strlen(p), i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#') {
			snprintf(err, errlen, "base_url path has %s; write https://HOST/PATH only",
				 c == '?'   ? "a query"
				 : c == '#' ? "a fragment"
					    : "a blank or non-ASCII byte");
			return -1;
		}
	}
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n >= sizeof(u->path)) {
		snprintf(err, errlen, "base_url path is too long");
		return -1;
	}
	memcpy(u->path, p, n);
	u->path[n] = '\0';
	return 0;
}

int oauth_url_parse(const char *url, struct oauth_url *u, char *err, size_t errlen)
{
	const char *p;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "https://", 8) == 0) {
		u->https = 1;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else {
		snprintf(err, errlen,
			 "base_url '%.80s' does not start with https://; write it like "
			 "https://api.cobo.com/v2",
			 url);
		return -1;
	}
	n = strcspn(p, "/?#");
	if (p[n] == '?' || p[n] == '#') {
		snprintf(err, errlen, "base_url has a %s; write https://HOST/PATH only",
			 p[n] == '?' ? "query" : "fragment");
		return -1;
	}
	if (parse_authority(p, n, u, err, errlen) != 0)
		return -1;
	return parse_path(p + n, u, err, errlen);
}

int oauth_host_is_loopback(const char *host)
{
	struct in_addr a;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

int oauth_server_key(const char *setting, const char *host, unsigned char key[OAUTH_PUB_LEN],
		     char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < N_ENVS; i++)
		if (setting != NULL ? strcmp(setting, envs[i].name) == 0
				    : strcasecmp(host, envs[i].host) == 0)
			return cobocred_hex_decode(envs[i].key_hex, key, OAUTH_PUB_LEN);
	if (setting == NULL) {
		snprintf(err, errlen,
			 "%.80s is not a known Cobo environment; set server_key "
			 "(dev, sandbox, prod, or the server's 64-hex response key)",
			 host);
		return -1;
	}
	if (cobocred_hex_decode(setting, key, OAUTH_PUB_LEN) != 0) {
		snprintf(err, errlen,
			 "server_key '%.70s' is not dev, sandbox, prod or 64 hex "
			 "characters; fix it",
			 setting);
		return -1;
	}
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no",
										       "false",
										       "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int timeout_setting(const struct cobocred_host *h, const char *profile, const char *key,
			   long def, long max, long *out, char *err, size_t errlen)
{
	const char *s = h->profile_get(h->ctx, profile, key);
	int64_t v;

	*out = def;
	if (s == NULL)
		return 0;
	if (cobocred_parse_i64(s, 1, max, &v) != 0) {
		snprintf(err, errlen,
			 "%s '%.20s' in [profile %s] is not a number of seconds in "
			 "1..%ld; fix it",
			 key, s, profile, max);
		return -1;
	}
	*out = (long)v;
	return 0;
}

/* Scheme policy: https always; http only when allowed, and only to loopback. */
static int check_scheme(struct oauth_conf *c, char *err, size_t errlen)
{
	if (c->url.https)
		return 0;
	if (!c->allow_http) {
		snprintf(err, errlen,
			 "base_url of [profile %s] is http://; use https:// "
			 "(allow_http = yes is only for a test server on 127.0.0.1)",
			 c->profile);
		return -1;
	}
	if (!oauth_host_is_loopback(c->url.host)) {
		snprintf(err, errlen,
			 "allow_http is honoured only for 127.0.0.0/8 or localhost, "
			 "not %.80s; use https://",
			 c->url.host);
		return -1;
	}
	return 0;
}

/*
 * ca_file: a CA every token request trusts, so it is checked like a key:
 * resolved against the config file's directory (never the current one: git
 * runs helpers in a work tree a clone supplied), the directories on its
 * way safe, the file ours or root's and not writable by others.
 */
static int ca_setting(const struct cobocred_host *h, struct oauth_conf *c, char *err, size_t errlen)
{
	const char *s = h->profile_get(h->ctx, c->profile, "ca_file");
	char where[4200], why[COBOCRED_TRUST_ERR_MAX];
	struct stat st;

	if (s == NULL || *s == '\0')
		return 0;
	cobocred_host_setting_where(h, c->profile, "ca_file", where, sizeof(where));
	if (cobocred_trusted_path(cobocred_host_config_file(h), s, c->ca_file, sizeof(c->ca_file),
				  why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%sca_file of [profile %s]: %s", where, c->profile, why);
		return -1;
	}
	if (stat(c->ca_file, &st) != 0 || access(c->ca_file, R_OK) != 0) {
		snprintf(err, errlen, "%sca_file %.200s of [profile %s]: %s; fix the path", where,
			 c->ca_file, c->profile, strerror(errno));
		return -1;
	}
	if (cobocred_check_perms(c->ca_file, &st, COBOCRED_FILE_NOT_WRITABLE, why, sizeof(why)) !=
	    0) {
		snprintf(err, errlen, "%sca_file of [profile %s]: %s", where, c->profile, why);
		return -1;
	}
	return 0;
}

/* The config parser refused a bad pin with FILE:LINE already; this is the module's own check. */
static int pin_setting(const struct cobocred_host *h, struct oauth_conf *c, char *err,
		       size_t errlen)
{
	const char *s = h->profile_get(h->ctx, c->profile, "pin_sha256");
	char why[256];

	if (s == NULL)
		return 0;
	if (cobocred_pins_curl(s, c->pins, sizeof(c->pins), why, sizeof(why)) != 0) {
		snprintf(err, errlen, "[profile %s] %s; fix it", c->profile, why);
		return -1;
	}
	return 0;
}

static int build_urls(struct oauth_conf *c, char *err, size_t errlen)
{
	int a = snprintf(c->token_path, sizeof(c->token_path), "%s%s", c->url.path,
			 OAUTH_TOKEN_PATH);
	int b = snprintf(c->token_url, sizeof(c->token_url), "%s://%s%s",
			 c->url.https ? "https" : "http", c->url.hostport, c->token_path);

	if (a < 0 || (size_t)a >= sizeof(c->token_path) || b < 0 ||
	    (size_t)b >= sizeof(c->token_url)) {
		snprintf(err, errlen, "base_url of [profile %s] is too long", c->profile);
		return -1;
	}
	return 0;
}

int oauth_conf_load(const struct cobocred_host *h, const char *profile, struct oauth_conf *c,
		    char *err, size_t errlen)
{
	const char *s;

	memset(c, 0, sizeof(*c));
	c->profile = profile;
	c->base_url = h->profile_get(h->ctx, profile, "base_url");
	c->client_id = h->profile_get(h->ctx, profile, "client_id");
	c->orgs = h->profile_get(h->ctx, profile, "org_id");
	c->app_secret = h->profile_get(h->ctx, profile, "app_secret");
	if (c->base_url == NULL || c->client_id == NULL || c->orgs == NULL || !*c->client_id) {
		snprintf(err, errlen, "[profile %s] needs base_url, client_id and org_id; add them",
			 profile);
		return COBOCRED_ERROR;
	}
	if (cobocred_orgs_check(c->orgs, err, errlen) != 0)
		return COBOCRED_ERROR;
	/* One org: that is the org.  Several: oauth_conf_org picks the query's. */
	c->org_id = cobocred_orgs_count(c->orgs) == 1 ? c->orgs : NULL;
	if (oauth_url_parse(c->base_url, &c->url, err, errlen) != 0)
		return COBOCRED_ERROR;
	s = h->profile_get(h->ctx, profile, "allow_http");
	if (s != NULL && parse_bool(s, &c->allow_http) != 0) {
		snprintf(err, errlen, "allow_http '%.20s' in [profile %s] is not yes or no; fix it",
			 s, profile);
		return COBOCRED_ERROR;
	}
	if (check_scheme(c, err, errlen) != 0 ||
	    oauth_server_key(h->profile_get(h->ctx, profile, "server_key"), c->url.host,
			     c->server_key, err, errlen) != 0 ||
	    timeout_setting(h, profile, "connect_timeout", 5, 300, &c->connect_timeout, err,
			    errlen) != 0 ||
	    timeout_setting(h, profile, "timeout", 20, 3600, &c->timeout, err, errlen) != 0 ||
	    timeout_setting(h, profile, "max_clock_skew", OAUTH_SKEW_DEFAULT, OAUTH_SKEW_MAX,
			    &c->max_clock_skew, err, errlen) != 0 ||
	    ca_setting(h, c, err, errlen) != 0 || pin_setting(h, c, err, errlen) != 0 ||
	    build_urls(c, err, errlen) != 0)
		return COBOCRED_ERROR;
	return COBOCRED_SUCCESS;
}

int oauth_conf_org(struct oauth_conf *c, const char *org, char *err, size_t errlen)
{
	if (org == NULL && c->org_id != NULL)
		return COBOCRED_SUCCESS;
	if (org == NULL) {
		snprintf(err, errlen, "[profile %s] serves several orgs and the request named none",
			 c->profile);
		return COBOCRED_ERROR;
	}
	if (!cobocred_orgs_has(c->orgs, org)) {
		/* The core never asks this; a host that does is refused, not served. */
		snprintf(err, errlen,
			 "refusing to mint for org '%.64s': [profile %s] org_id does not name it",
			 cobocred_org_id_ok(org) ? org : "(not an org id)", c->profile);
		return COBOCRED_ERROR;
	}
	c->org_id = org;
	return COBOCRED_SUCCESS;
}
