/*
 * scripted.c - a test fixture module whose answers are set by its options,
 * so the engine and loader tests can drive every status and record every
 * call.  Built only for `make check`; never installed.
 *
 * Options: get|store|erase|list|open=STATUS, secret=S,
 * expires_in=N, ttl=N, log=PATH (appends "NAME OP detail" lines), name=N.
 * Variants: -DVARIANT_BADABI (major 2), -DVARIANT_OLDABI (struct ends
 * before list), -DVARIANT_NOSYM (exports no init symbol), -DVARIANT_MINT
 * (a minting module: get returns a refresh item, then the access item),
 * -DVARIANT_DOMAIN (a minting module that owns its schema: ABI 1.2 settings
 * table and key operations), -DVARIANT_ABI10 (with MINT: an ABI 1.0
 * module, struct_size ending at list, whose memory after that holds
 * poison settings and key operations a host must never read),
 * -DVARIANT_GITONLY (ABI 1.2: serves only org.git.Password by default).
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cobocred/module.h"
#include "status.h"

struct scripted {
	const struct cobocred_host *host;
	int st[5]; /* open, get, store, erase, list */
	int mint;
	long expires_in, ttl;
	char name[64], log[1024], secret[256];
};

enum { OP_OPEN, OP_GET, OP_STORE, OP_ERASE, OP_LIST };

static int parse_status(const char *s)
{
	int st = cobocred_status_from_name(s, strlen(s));

	return st >= 0 ? st : 99; /* deliberately invalid: tests the host's range check */
}

static void logf_(struct scripted *m, const char *op, const char *detail)
{
	FILE *f;

	if (m->log[0] == '\0' || (f = fopen(m->log, "a")) == NULL)
		return;
	fprintf(f, "%s %s%s%s\n", m->name, op, detail ? " " : "", detail ? detail : "");
	fclose(f);
}

static void set_opt(struct scripted *m, const char *k, const char *v)
{
	static const char *const ops[] = { "open", "get", "store", "erase", "list" };
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(k, ops[i]) == 0)
			m->st[i] = parse_status(v);
	if (strcmp(k, "expires_in") == 0)
		m->expires_in = strtol(v, NULL, 10);
	else if (strcmp(k, "ttl") == 0)
		m->ttl = strtol(v, NULL, 10);
	else if (strcmp(k, "name") == 0)
		snprintf(m->name, sizeof(m->name), "%s", v);
	else if (strcmp(k, "log") == 0)
		snprintf(m->log, sizeof(m->log), "%s", v);
	else if (strcmp(k, "secret") == 0)
		snprintf(m->secret, sizeof(m->secret), "%s", v);
}

static int s_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state)
{
	struct scripted *m = calloc(1, sizeof(*m));
	char kv[1200];
	int i;

	*state = NULL;
	if (m == NULL)
		return COBOCRED_ERROR;
	m->host = host;
	m->st[OP_GET] = m->st[OP_ERASE] = m->st[OP_LIST] = COBOCRED_NOTFOUND;
	snprintf(m->name, sizeof(m->name), "scripted");
	for (i = 0; i < argc; i++) {
		char *eq;

		snprintf(kv, sizeof(kv), "%s", argv[i]);
		eq = strchr(kv, '=');
		if (eq != NULL) {
			*eq = '\0';
			set_opt(m, kv, eq + 1);
		}
	}
	if (m->secret[0] == '\0')
		snprintf(m->secret, sizeof(m->secret), "secret-of-%s", m->name);
#if defined(VARIANT_MINT) || defined(VARIANT_DOMAIN)
	m->mint = 1;
#endif
	logf_(m, "open", NULL);
	if (m->st[OP_OPEN] != COBOCRED_SUCCESS) {
		int st = m->st[OP_OPEN];

		host->set_error(host->ctx, "%s: open told to fail", m->name);
		free(m);
		return st;
	}
	*state = m;
	return COBOCRED_SUCCESS;
}

static void s_close(void *state)
{
	struct scripted *m = state;

	logf_(m, "close", NULL);
	free(m);
}

/* An item copying q's schema and attributes, with kind overridden if given. */
static struct cobocred_item *make_item(struct scripted *m, const struct cobocred_query *q,
				       const char *kind, const char *secret)
{
	const struct cobocred_host *h = m->host;
	struct cobocred_item *it = h->item_new(q->schema ? q->schema : "test");
	int64_t now = h->now(h->ctx);
	size_t i;

	if (it == NULL)
		return NULL;
	for (i = 0; i < q->n_attrs; i++) {
		const char *v = q->attrs[i].value;

		if (kind != NULL && strcmp(q->attrs[i].name, "kind") == 0)
			v = kind;
		if (v != NULL)
			h->item_add_attr(it, q->attrs[i].name, v);
	}
	h->item_set_secret(it, secret, strlen(secret));
	if (m->expires_in != 0)
		h->item_set_times(it, m->ttl ? now + m->expires_in - m->ttl : now,
				  now + m->expires_in);
	return it;
}

static int s_get(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct scripted *m = state;
	char detail[300];

	*out = NULL;
	snprintf(detail, sizeof(detail), "secret=%.*s", q->secret ? (int)q->secret_len : 1,
		 q->secret ? (const char *)q->secret : "-");
	logf_(m, "get", m->mint ? detail : NULL);
	if (m->st[OP_GET] == COBOCRED_SUCCESS) {
		if (m->mint) {
			*out = make_item(m, q, "refresh", "minted-refresh");
			if (*out != NULL)
				(*out)->next = make_item(m, q, NULL, m->secret);
		} else {
			*out = make_item(m, q, NULL, m->secret);
		}
	} else if (m->st[OP_GET] > COBOCRED_NOTFOUND && m->st[OP_GET] < 6) {
		m->host->set_error(m->host->ctx, "%s: get told to fail", m->name);
	}
	return m->st[OP_GET];
}

static int s_store(void *state, const struct cobocred_item *item, const struct cobocred_query *r)
{
	struct scripted *m = state;
	size_t i;
	const char *kind = "-";

	for (i = 0; i < item->n_attrs; i++)
		if (strcmp(item->attrs[i].name, "kind") == 0)
			kind = item->attrs[i].value;
	(void)r;
	logf_(m, "store", kind);
	return m->st[OP_STORE];
}

static int s_erase(void *state, const struct cobocred_query *q)
{
	struct scripted *m = state;

	(void)q;
	logf_(m, "erase", NULL);
	return m->st[OP_ERASE];
}

static int s_list(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct scripted *m = state;

	*out = NULL;
	logf_(m, "list", NULL);
	if (m->st[OP_LIST] == COBOCRED_SUCCESS)
		*out = make_item(m, q, NULL, m->secret);
	return m->st[OP_LIST];
}

/*
 * ABI 1.2 settings and key operations.  The DOMAIN variant declares them;
 * the ABI10 variant puts them past its declared struct size as poison.
 */
static const struct cobocred_setting domain_settings[] = {
	{ "base_url", "base URL", COBOCRED_SETTING_REQUIRED },
	{ "client_id", "client id", COBOCRED_SETTING_REQUIRED },
	{ "org_id", "org id", COBOCRED_SETTING_REQUIRED },
	{ "app_secret", "where the secret is", COBOCRED_SETTING_SECRET_REF },
	{ "region", "a setting only this module reads", COBOCRED_SETTING_REQUIRED },
	{ NULL, NULL, 0 },
};

/* A "key" is the text given, upper-cased, with "K:" before it; its public key "P:" + text. */
static int canon(struct scripted *m, const char *text, size_t len, char **secret,
		 size_t *secret_len, char *pub, size_t publen)
{
	char *out = m->host->secret_alloc(len + 3);
	size_t i;

	if (out == NULL)
		return COBOCRED_ERROR;
	memcpy(out, "K:", 2);
	for (i = 0; i < len; i++)
		out[i + 2] = (char)toupper((unsigned char)text[i]);
	*secret = out;
	*secret_len = len + 2;
	snprintf(pub, publen, "P:%.*s", (int)len, text);
	logf_(m, "key", pub);
	return COBOCRED_SUCCESS;
}

static int k_generate(void *state, char **secret, size_t *secret_len, char *pub, size_t publen)
{
	return canon(state, "generated", 9, secret, secret_len, pub, publen);
}

static int k_import(void *state, const char *text, size_t len, char **secret, size_t *secret_len,
		    char *pub, size_t publen)
{
	struct scripted *m = state;

	if (len == 0 || memchr(text, '!', len) != NULL) {
		m->host->set_error(m->host->ctx, "%s: not a key", m->name);
		return COBOCRED_ERROR;
	}
	return canon(m, text, len, secret, secret_len, pub, publen);
}

static int k_public(void *state, const char *profile, char *pub, size_t publen)
{
	struct scripted *m = state;
	const char *v = m->host->profile_get(m->host->ctx, profile, "app_secret");

	snprintf(pub, publen, "P:%s:%s", profile, v ? v : "keyring");
	return COBOCRED_SUCCESS;
}

static const struct cobocred_key_ops domain_keys = {
	.struct_size = sizeof(struct cobocred_key_ops),
	.generate = k_generate,
	.import = k_import,
	.public_key = k_public,
};

/* Poison: a table refusing every profile key, key operations that deny. */
static const struct cobocred_setting poison_settings[] = {
	{ "never-a-key", "poison", COBOCRED_SETTING_REQUIRED },
	{ NULL, NULL, 0 },
};

static int p_generate(void *state, char **secret, size_t *secret_len, char *pub, size_t publen)
{
	(void)state;
	(void)secret;
	(void)secret_len;
	snprintf(pub, publen, "POISON");
	return COBOCRED_DENIED;
}

static const struct cobocred_key_ops poison_keys = {
	.struct_size = sizeof(struct cobocred_key_ops),
	.generate = p_generate,
};

/* Past the ABI 1.0 struct: the host must never call it (zero-filled to NULL). */
static int p_sign(void *state, const char *profile, const struct cobocred_http_request *req,
		  struct cobocred_signature *out)
{
	(void)state;
	(void)profile;
	(void)req;
	snprintf(out->signature, sizeof(out->signature), "POISON");
	return COBOCRED_DENIED;
}

static const struct cobocred_request_ops poison_requests = {
	.struct_size = sizeof(struct cobocred_request_ops),
	.sign = p_sign,
};

#if defined(VARIANT_ABI10)
#define REQUESTS (&poison_requests)
#else
#define REQUESTS NULL /* the domain variant: an ABI 1.2-1.4 owner, no request ops */
#endif

#if defined(VARIANT_DOMAIN)
#define SETTINGS domain_settings
#define KEYS (&domain_keys)
#elif defined(VARIANT_ABI10)
#define SETTINGS poison_settings
#define KEYS (&poison_keys)
#else
#define SETTINGS NULL
#define KEYS NULL
#endif

#ifdef VARIANT_OLDABI
/* An "older" module: built when the struct ended before list. */
#define STRUCT_SIZE offsetof(struct cobocred_module, list)
#elif defined(VARIANT_ABI10)
/* An ABI 1.0 module: its struct ended at list (module.h). */
#define STRUCT_SIZE COBOCRED_MODULE_SIZE_1_0
#else
#define STRUCT_SIZE sizeof(struct cobocred_module)
#endif

#ifdef VARIANT_BADABI
#define ABI ((uint32_t)((COBOCRED_ABI_MAJOR + 1) << 16))
#else
#define ABI COBOCRED_ABI_VERSION
#endif

#ifdef VARIANT_GITONLY
static const char *const git_only[] = { COBOCRED_SCHEMA_GIT, NULL };
#define SCHEMAS git_only
#else
#define SCHEMAS NULL
#endif

static const struct cobocred_module scripted_module = {
	COBOCRED_MODULE_HEADER_AS(ABI, STRUCT_SIZE, "scripted"),
	.caps = COBOCRED_CAP_GET | COBOCRED_CAP_STORE | COBOCRED_CAP_ERASE | COBOCRED_CAP_LIST,
	.open = s_open,
	.close = s_close,
	.get = s_get,
	.store = s_store,
	.erase = s_erase,
	.list = s_list,
	.schemas = SCHEMAS,
};

static const struct cobocred_module minting_module = {
	COBOCRED_MODULE_HEADER_AS(ABI, STRUCT_SIZE, "scripted-mint"),
	.caps = COBOCRED_CAP_GET | COBOCRED_CAP_MINT,
	.open = s_open,
	.close = s_close,
	.get = s_get,
	.settings = SETTINGS,
	.keys = KEYS,
	.requests = REQUESTS,
};

#if defined(VARIANT_MINT) || defined(VARIANT_DOMAIN)
#define SCRIPTED_MODULE minting_module
#else
#define SCRIPTED_MODULE scripted_module
#endif

/*
 * The exported init comes from the ABI macro like any module's; the BADABI
 * variant's host check passes (same major here) and the host refuses the
 * struct's stamp.  NOSYM exports only scripted_init (symbol regex).
 */
#ifndef VARIANT_NOSYM
COBOCRED_MODULE_INIT(SCRIPTED_MODULE)
#endif

const struct cobocred_module *scripted_init(uint32_t host_abi);

const struct cobocred_module *scripted_init(uint32_t host_abi)
{
	(void)host_abi;
	(void)domain_settings;
	(void)domain_keys;
	(void)poison_settings;
	(void)poison_keys;
	(void)poison_requests;
	(void)scripted_module;
	(void)minting_module;
	return &SCRIPTED_MODULE;
}
