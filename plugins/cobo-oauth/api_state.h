/*
 * api_state.h - the insides of struct oauth_api, shared by api.c
 * (prepare, sign) and api_send.c (send).
 */
#ifndef COBO_OAUTH_API_STATE_H
#define COBO_OAUTH_API_STATE_H

#include <pthread.h>

#include <curl/curl.h>

#include "api.h"
#include "appkey.h"
#include "conf.h"

/* One prepared profile.  Immutable once on the list; freed at oauth_api_free only. */
struct api_profile {
	char *name;			     /* owned */
	struct oauth_conf conf;		     /* its strings are the host's, valid until close */
	struct oauth_appkey key;	     /* the app key (its seed wiped at free); owned */
	char pub_hex[2 * OAUTH_PUB_LEN + 1]; /* Biz-Api-Key */
	char clock_path[4096]; /* offset.h's file for this server ("": none), found at load */
	struct api_profile *next;
};

struct oauth_api {
	const struct cobocred_host *host;
	pthread_mutex_t lock;	      /* guards profiles (the list links, not the entries) */
	struct api_profile *profiles; /* owned */
	CURLSH *share;		      /* connections, DNS and TLS sessions; owned */
	pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST]; /* libcurl's lock callbacks */
};

/* The prepared profile NAME, or NULL.  Thread-safe. */
const struct api_profile *oauth_api_find(struct oauth_api *a, const char *name);

#endif
