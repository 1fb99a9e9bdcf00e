/*
 * api.c - the request ops' state, prepare and sign (api.h).
 *
 * Signing uses sign.c's string-to-sign and Ed25519, the code the token
 * calls use: one canonical form for every request this module signs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api_state.h"
#include "offset.h"
#include "key.h"
#include "sign.h"
#include "strutil.h"

static void share_lock(CURL *c, curl_lock_data data, curl_lock_access access, void *arg)
{
	struct oauth_api *a = arg;

	(void)c;
	(void)access;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&a->share_lock[data]);
}

static void share_unlock(CURL *c, curl_lock_data data, void *arg)
{
	struct oauth_api *a = arg;

	(void)c;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&a->share_lock[data]);
}

struct oauth_api *oauth_api_new(const struct cobocred_host *host)
{
	struct oauth_api *a = calloc(1, sizeof(*a));
	int i, bad = 0;

	if (a == NULL)
		return NULL;
	a->host = host;
	pthread_mutex_init(&a->lock, NULL);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&a->share_lock[i], NULL);
	a->share = curl_share_init();
	if (a->share == NULL) {
		oauth_api_free(a);
		return NULL;
	}
	bad |= curl_share_setopt(a->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK;
	bad |= curl_share_setopt(a->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK;
	bad |= curl_share_setopt(a->share, CURLSHOPT_USERDATA, a) != CURLSHE_OK;
	bad |= curl_share_setopt(a->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK;
	bad |= curl_share_setopt(a->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK;
	bad |= curl_share_setopt(a->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) !=
	       CURLSHE_OK;
	if (bad) {
		oauth_api_free(a);
		return NULL;
	}
	return a;
}

void oauth_api_free(struct oauth_api *a)
{
	struct api_profile *p, *next;
	int i;

	if (a == NULL)
		return;
	for (p = a->profiles; p != NULL; p = next) {
		next = p->next;
		oauth_appkey_clear(a->host, &p->key);
		free(p->name);
		OPENSSL_cleanse(p, sizeof(*p));
		free(p);
	}
	if (a->share != NULL)
		curl_share_cleanup(a->share);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&a->share_lock[i]);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

const struct api_profile *oauth_api_find(struct oauth_api *a, const char *name)
{
	const struct api_profile *p;

	pthread_mutex_lock(&a->lock);
	for (p = a->profiles; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			break;
	pthread_mutex_unlock(&a->lock);
	return p;
}

/* Reads profile's settings and seed through the host into a new entry. */
static int load_profile(struct oauth_api *a, const char *profile, struct api_profile **out)
{
	const struct cobocred_host *h = a->host;
	struct api_profile *p = calloc(1, sizeof(*p));
	char err[1024] = "";
	int st = COBOCRED_ERROR;

	*out = NULL;
	if (p == NULL || (p->name = strdup(profile)) == NULL) {
		snprintf(err, sizeof(err), "out of memory");
		goto out;
	}
	st = oauth_conf_load(h, profile, &p->conf, err, sizeof(err));
	if (st == COBOCRED_SUCCESS)
		st = oauth_appkey_load(h, profile, p->conf.app_secret, p->conf.client_id, &p->key,
				       err, sizeof(err));
	if (st == COBOCRED_SUCCESS) {
		cobocred_hex_encode(p->key.pub, sizeof(p->key.pub), p->pub_hex);
		if (oauth_offset_path(h->state_dir(h->ctx), p->conf.url.hostport, p->clock_path,
				      sizeof(p->clock_path)) != 0)
			p->clock_path[0] = '\0'; /* no allowance for api answers */
		*out = p;
		p = NULL;
	}
out:
	if (st != COBOCRED_SUCCESS && err[0] != '\0')
		h->set_error(h->ctx, "%s", err);
	if (p != NULL) {
		oauth_appkey_clear(h, &p->key);
		free(p->name);
		free(p);
	}
	return st;
}

/* The entry of profile, loaded on first use.  Host-serialised (it may call the host). */
static int prepared(struct oauth_api *a, const char *profile, const struct api_profile **out)
{
	struct api_profile *p;
	int st;

	*out = oauth_api_find(a, profile);
	if (*out != NULL)
		return COBOCRED_SUCCESS;
	st = load_profile(a, profile, &p);
	if (st != COBOCRED_SUCCESS)
		return st;
	pthread_mutex_lock(&a->lock);
	p->next = a->profiles;
	a->profiles = p;
	pthread_mutex_unlock(&a->lock);
	*out = p;
	return COBOCRED_SUCCESS;
}

int oauth_api_prepare(struct oauth_api *a, const char *profile)
{
	const struct api_profile *p;

	return prepared(a, profile, &p);
}

int oauth_api_sign(struct oauth_api *a, const char *profile,
		   const struct cobocred_http_request *req, struct cobocred_signature *out)
{
	unsigned char digest[OAUTH_DIGEST_LEN], sig[OAUTH_SIG_LEN];
	const struct api_profile *p;
	char err[512] = "signing failed (OpenSSL error)";
	int st;

	if (req == NULL || req->method == NULL || req->path == NULL || req->nonce == NULL ||
	    (req->body == NULL && req->body_len > 0) || out == NULL ||
	    out->struct_size < sizeof(*out)) {
		a->host->set_error(a->host->ctx, "cobo-oauth: a malformed request to sign");
		return COBOCRED_ERROR;
	}
	st = prepared(a, profile, &p);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = oauth_request_digest(req->method, req->path, req->nonce, req->query,
				  (const char *)req->body, req->body_len, digest) != 0
		     ? COBOCRED_ERROR
		     : oauth_appkey_sign_r(&p->key, digest, sizeof(digest), sig, err, sizeof(err));
	if (st != COBOCRED_SUCCESS) {
		OPENSSL_cleanse(digest, sizeof(digest));
		a->host->set_error(a->host->ctx, "cobo-oauth: %s", err);
		return st;
	}
	OPENSSL_cleanse(digest, sizeof(digest));
	snprintf(out->api_key, sizeof(out->api_key), "%s", p->pub_hex);
	cobocred_hex_encode(sig, sizeof(sig), out->signature);
	return COBOCRED_SUCCESS;
}
