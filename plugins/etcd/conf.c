/*
 * conf.c - the [module etcd] options.  Every key is checked; a typo or a
 * bad value fails closed with "KEY: what is wrong; what to do" (module.h),
 * never a silent default.  Secrets (fleet keys, the etcd password) are
 * named by reference only: file:PATH (a file private to its owner, as ssh
 * wants keys) or env:VAR.  Relative paths are relative to the config file's
 * directory (fsutil.h cobocred_path_resolve), never to the current one.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "etcd.h"
#include "fsutil.h"
#include "hostmem.h"
#include "pins.h"
#include "secretref.h"
#include "strutil.h"

#define SECRET_FILE_MAX 4096
#define MAX_PREFIX 64

static int fail(struct etcd_state *s, const char *key, const char *msg, const char *val)
{
	s->host->set_error(s->host->ctx, "%s: %s (got '%.60s')", key, msg, val ? val : "");
	return COBOCRED_ERROR;
}

/* "http(s)://host:port" without path, query or userinfo. */
static int endpoint_ok(const char *u)
{
	const char *rest;

	if (strncmp(u, "http://", 7) == 0)
		rest = u + 7;
	else if (strncmp(u, "https://", 8) == 0)
		rest = u + 8;
	else
		return 0;
	return *rest != '\0' && strcspn(rest, "/?#@ \t") == strlen(rest);
}

static int parse_endpoints(struct etcd_state *s, const char *v)
{
	const char *p = v;

	while (*p) {
		size_t n = strcspn(p, ", \t");
		char *e;

		if (n > 0) {
			if (s->conf.n_endpoints == ETCD_MAX_ENDPOINTS)
				return fail(s, "endpoints", "at most 8 members", v);
			e = strndup(p, n);
			if (e == NULL || !endpoint_ok(e)) {
				free(e);
				return fail(s, "endpoints",
					    "each member is http(s)://HOST:PORT, comma-separated",
					    v);
			}
			s->conf.endpoints[s->conf.n_endpoints++] = e;
		}
		p += n;
		p += strspn(p, ", \t");
	}
	return COBOCRED_SUCCESS;
}

/*
 * pin_sha256 = B64[,B64...]: SHA-256 of a member's public key (DER
 * SubjectPublicKeyInfo); libcurl then accepts a member only when its key
 * is one of them, whatever CA signed it.  The rule is the profiles' one
 * (src/util/pins.c); kept as curl's "sha256//A;sha256//B".
 */
static int parse_pins(struct etcd_state *s, const char *v)
{
	char curl[COBOCRED_PINS_CURL_MAX], err[256];

	if (cobocred_pins_curl(v, curl, sizeof(curl), err, sizeof(err)) != 0) {
		s->host->set_error(s->host->ctx, "%s", err);
		return COBOCRED_ERROR;
	}
	free(s->conf.pins);
	s->conf.pins = strdup(curl);
	if (s->conf.pins == NULL)
		return fail(s, "pin_sha256", "out of memory", "");
	return COBOCRED_SUCCESS;
}

static int parse_long(struct etcd_state *s, const char *key, const char *v, long min, long max,
		      long *out)
{
	int64_t x;

	if (cobocred_parse_i64(v, min, max, &x) != 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "a whole number from %ld to %ld", min, max);
		return fail(s, key, msg, v);
	}
	*out = (long)x;
	return COBOCRED_SUCCESS;
}

static int set_str(struct etcd_state *s, char **dst, const char *key, const char *v)
{
	if (*v == '\0')
		return fail(s, key, "empty; drop the line or give a value", v);
	free(*dst);
	*dst = strdup(v);
	return *dst != NULL ? COBOCRED_SUCCESS : fail(s, key, "out of memory", "");
}

/*
 * ca_file, cert_file, key_file: files TLS trusts, so checked before curl
 * reads them: resolved against the config file's directory, the
 * directories on the way safe (fsutil.h), the file ours or root's and not
 * writable by others (key_file: private, as ssh wants keys).
 */
static int path_option(struct etcd_state *s, const char *key, const char *v, int flags, char **dst)
{
	char full[4096], why[COBOCRED_TRUST_ERR_MAX];
	struct stat st;

	if (*v == '\0')
		return set_str(s, dst, key, v);
	if (cobocred_trusted_path(cobocred_host_config_file(s->host), v, full, sizeof(full), why,
				  sizeof(why)) != 0) {
		s->host->set_error(s->host->ctx, "%s: %s", key, why);
		return COBOCRED_ERROR;
	}
	if (stat(full, &st) != 0) {
		s->host->set_error(s->host->ctx, "%s: cannot use %s: %s; fix the path", key, full,
				   strerror(errno));
		return COBOCRED_ERROR;
	}
	if (cobocred_check_perms(full, &st, flags, why, sizeof(why)) != 0) {
		s->host->set_error(s->host->ctx, "%s: %s", key, why);
		return COBOCRED_ERROR;
	}
	return set_str(s, dst, key, full);
}

int etcd_secret_spec(struct etcd_state *s, const char *opt, const char *spec, char **out,
		     size_t *len)
{
	char why[COBOCRED_TRUST_ERR_MAX];
	struct cobocred_secret_ref ref;
	const char *v;

	*out = NULL;
	/* The one reading of a secret reference (secretref.h): no keyring here. */
	if (cobocred_secret_ref_parse(spec, 0, cobocred_host_config_file(s->host), &ref, why,
				      sizeof(why)) != 0) {
		s->host->set_error(s->host->ctx, "%s: %s", opt, why);
		return COBOCRED_ERROR;
	}
	if (ref.kind == COBOCRED_REF_ENV) {
		v = getenv(ref.var);
		if (v == NULL || *v == '\0') {
			s->host->set_error(s->host->ctx,
					   "%s: env:%s names $%s, which is not set; "
					   "export it or use file:PATH",
					   opt, ref.var, ref.var);
			return COBOCRED_ERROR;
		}
		*len = strlen(v);
		*out = cobocred_hostmem_dup(v, *len);
		return *out != NULL ? COBOCRED_SUCCESS : COBOCRED_ERROR;
	}
	if (cobocred_check_path_trust(ref.path, why, sizeof(why)) != 0 ||
	    cobocred_read_private_file(ref.path, SECRET_FILE_MAX,
				       COBOCRED_FILE_PRIVATE | COBOCRED_FILE_SECRET, out, len, why,
				       sizeof(why)) != COBOCRED_SUCCESS) {
		s->host->set_error(s->host->ctx, "%s: %s", opt, why);
		return COBOCRED_ERROR;
	}
	while (*len > 0 && ((*out)[*len - 1] == '\n' || (*out)[*len - 1] == '\r'))
		(*out)[--*len] = '\0';
	return COBOCRED_SUCCESS;
}

static int load_key(struct etcd_state *s, const char *opt, const char *spec,
		    struct etcd_fleet_key *k)
{
	char *text = NULL;
	size_t len = 0;
	int st = etcd_secret_spec(s, opt, spec, &text, &len);

	if (st != COBOCRED_SUCCESS)
		return st;
	if (len != 2 * ETCD_KEY_LEN || cobocred_hex_decode(text, k->key, ETCD_KEY_LEN) != 0) {
		s->host->set_error(s->host->ctx,
				   "%s: the fleet key must be 64 hex characters (32 random "
				   "bytes: openssl rand -hex 32)",
				   opt);
		st = COBOCRED_ERROR;
	} else {
		k->set = 1;
		etcd_key_id(k);
	}
	cobocred_hostmem_free(text);
	return st;
}

/* One option; `seen` collects what needs a second pass (secrets, after every other check). */
struct pending {
	const char *fleet_key, *fleet_key_previous, *password;
};

static int option(struct etcd_state *s, const char *key, const char *v, struct pending *p)
{
	struct etcd_conf *c = &s->conf;

	if (strcmp(key, "endpoints") == 0)
		return parse_endpoints(s, v);
	if (strcmp(key, "fleet_key") == 0)
		return (p->fleet_key = v), COBOCRED_SUCCESS;
	if (strcmp(key, "fleet_key_previous") == 0)
		return (p->fleet_key_previous = v), COBOCRED_SUCCESS;
	if (strcmp(key, "password") == 0)
		return (p->password = v), COBOCRED_SUCCESS;
	if (strcmp(key, "prefix") == 0) {
		if (v[0] != '/' || v[strlen(v) - 1] != '/' || strlen(v) > MAX_PREFIX ||
		    cobocred_has_ctl_newline(v, strlen(v)))
			return fail(s, key, "a path that starts and ends with '/', at most 64", v);
		return set_str(s, &c->prefix, key, v);
	}
	if (strcmp(key, "ca_file") == 0)
		return path_option(s, key, v, COBOCRED_FILE_NOT_WRITABLE, &c->ca_file);
	if (strcmp(key, "cert_file") == 0)
		return path_option(s, key, v, COBOCRED_FILE_NOT_WRITABLE, &c->cert_file);
	if (strcmp(key, "key_file") == 0)
		return path_option(s, key, v, COBOCRED_FILE_PRIVATE, &c->key_file);
	if (strcmp(key, "pin_sha256") == 0)
		return parse_pins(s, v);
	if (strcmp(key, "user") == 0)
		return set_str(s, &c->user, key, v);
	if (strcmp(key, "connect_timeout_ms") == 0)
		return parse_long(s, key, v, 10, 600000, &c->connect_timeout_ms);
	if (strcmp(key, "request_timeout_ms") == 0)
		return parse_long(s, key, v, 10, 600000, &c->request_timeout_ms);
	if (strcmp(key, "lock_ttl") == 0)
		return parse_long(s, key, v, 2, 3600, &c->lock_ttl);
	return fail(s, key,
		    "unknown option of [module etcd]; known: endpoints fleet_key "
		    "fleet_key_previous prefix ca_file cert_file key_file pin_sha256 user "
		    "password connect_timeout_ms request_timeout_ms lock_ttl",
		    key);
}

/* The first plain-http member, or NULL. */
static const char *plain_member(const struct etcd_state *s)
{
	size_t i;

	for (i = 0; i < s->conf.n_endpoints; i++)
		if (strncmp(s->conf.endpoints[i], "http://", 7) == 0)
			return s->conf.endpoints[i];
	return NULL;
}

/*
 * The user name and password (and the auth token they buy, sent with every
 * call) travel only over TLS: an http:// member would get them in clear,
 * and so would whoever bound that port first, the default loopback port
 * included.  ca_file does not help there (it only matters for https://),
 * so it is refused whatever else is set, before the password is read.
 */
static int plain_http(struct etcd_state *s)
{
	const char *m = plain_member(s);

	if (m == NULL)
		return COBOCRED_SUCCESS;
	s->host->set_error(s->host->ctx,
			   "password: etcd credentials go only to https:// members, and "
			   "member %.200s%s is plain http (the user name and password would "
			   "travel in clear, to whoever answers on that port); list https:// "
			   "endpoints (ca_file for a private CA) or drop user and password",
			   m, s->conf.endpoints_default ? " (the default)" : "");
	return COBOCRED_ERROR;
}

static int secrets(struct etcd_state *s, const struct pending *p)
{
	size_t len;
	int st;

	if (p->fleet_key == NULL) {
		s->host->set_error(s->host->ctx,
				   "fleet_key: not set; records are sealed with a fleet key: "
				   "fleet_key = file:/etc/cobo-credential/fleet.key (openssl rand "
				   "-hex 32, mode 0600) or env:VAR");
		return COBOCRED_UNAVAIL;
	}
	st = load_key(s, "fleet_key", p->fleet_key, &s->keys[0]);
	if (st == COBOCRED_SUCCESS && p->fleet_key_previous != NULL)
		st = load_key(s, "fleet_key_previous", p->fleet_key_previous, &s->keys[1]);
	if (st == COBOCRED_SUCCESS && (p->password != NULL) != (s->conf.user != NULL))
		return fail(s, p->password != NULL ? "password" : "user",
			    "user and password go together", "");
	if (st == COBOCRED_SUCCESS && p->password != NULL)
		st = plain_http(s);
	if (st == COBOCRED_SUCCESS && p->password != NULL)
		st = etcd_secret_spec(s, "password", p->password, &s->password, &len);
	return st;
}

/* A pin on a plain-http member would pin nothing: refused rather than ignored. */
static int pins_need_tls(struct etcd_state *s)
{
	const char *m = plain_member(s);

	if (m == NULL)
		return COBOCRED_SUCCESS;
	s->host->set_error(s->host->ctx,
			   "pin_sha256: member %.200s%s is plain http, where a pin "
			   "checks nothing; list https:// endpoints",
			   m, s->conf.endpoints_default ? " (the default)" : "");
	return COBOCRED_ERROR;
}

int etcd_conf_parse(struct etcd_state *s, int argc, const char *const *argv)
{
	struct pending p = { 0 };
	int i, st = COBOCRED_SUCCESS;

	s->conf.connect_timeout_ms = 2000;
	s->conf.request_timeout_ms = 5000;
	s->conf.lock_ttl = 60;
	for (i = 0; i < argc && st == COBOCRED_SUCCESS; i++) {
		const char *eq = strchr(argv[i], '=');
		char key[64];

		if (eq == NULL || (size_t)(eq - argv[i]) >= sizeof(key))
			return fail(s, argv[i], "not key=value", "");
		snprintf(key, sizeof(key), "%.*s", (int)(eq - argv[i]), argv[i]);
		st = option(s, key, eq + 1, &p);
	}
	if (st == COBOCRED_SUCCESS && s->conf.n_endpoints == 0) {
		s->conf.endpoints_default = 1;
		st = parse_endpoints(s, "http://127.0.0.1:2379");
	}
	if (st == COBOCRED_SUCCESS && s->conf.prefix == NULL)
		st = set_str(s, &s->conf.prefix, "prefix", "/cobo-credential/");
	if (st == COBOCRED_SUCCESS && s->conf.pins != NULL)
		st = pins_need_tls(s);
	return st == COBOCRED_SUCCESS ? secrets(s, &p) : st;
}

void etcd_conf_free(struct etcd_state *s)
{
	size_t i;

	for (i = 0; i < s->conf.n_endpoints; i++)
		free(s->conf.endpoints[i]);
	free(s->conf.prefix);
	free(s->conf.ca_file);
	free(s->conf.cert_file);
	free(s->conf.key_file);
	free(s->conf.pins);
	free(s->conf.user);
	cobocred_hostmem_free(s->password);
	cobocred_hostmem_free(s->auth_token);
	OPENSSL_cleanse(s->keys, sizeof(s->keys));
	memset(&s->conf, 0, sizeof(s->conf));
}
