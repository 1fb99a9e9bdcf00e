/*
 * test_oauth_storeitem.c - the one query of the store stack for an
 * app-secret item (storeitem.c) and its two callers: the app key by
 * client_id (key.c, app_secret = keyring) and a token's PIN by its label
 * (p11pin.c, no pin-source).  A scripted host answers stack_get as told
 * and records the query and every item_free.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "cutest.h"
#include "hostmem.h"
#include "key.h"
#include "p11tok.h"
#include "secret.h"
#include "storeitem.h"

#define SEED_HEX "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"

/* The scripted store stack: what the next stack_get answers, and what it saw. */
static struct {
	int status;		    /* returned */
	struct cobocred_item *item; /* handed out in *out (the test's own, static) */
	int calls, freed;
	char schema[64], name[64], value[128], profile[64];
	size_t n_attrs;
	int has_profile;
} stack;

static struct cobocred_item garbage; /* what *it held before a call: it must not stay */
static struct cobocred_attr item_attr = { "client_id", "cid" };
static struct cobocred_item item = {
	.struct_size = sizeof(item),
	.schema = COBOCRED_SCHEMA_APP_SECRET,
	.n_attrs = 1,
	.attrs = &item_attr,
};

static int fake_stack_get(void *ctx, const struct cobocred_query *q, struct cobocred_item **out)
{
	(void)ctx;
	stack.calls++;
	snprintf(stack.schema, sizeof(stack.schema), "%s", q->schema);
	stack.n_attrs = q->n_attrs;
	if (q->n_attrs > 0) {
		snprintf(stack.name, sizeof(stack.name), "%s", q->attrs[0].name);
		snprintf(stack.value, sizeof(stack.value), "%s", q->attrs[0].value);
	}
	stack.has_profile = q->profile != NULL;
	snprintf(stack.profile, sizeof(stack.profile), "%s", q->profile ? q->profile : "");
	*out = stack.item;
	return stack.status;
}

static void fake_item_free(struct cobocred_item *list)
{
	CU_ASSERT_PTR_EQUAL(list, &item);
	stack.freed++;
}

/* Up to stack_store: a host without the ABI 1.4 config_file (no FILE:LINE in messages). */
static struct cobocred_host host = {
	.abi_version = COBOCRED_ABI_VERSION,
	.struct_size = offsetof(struct cobocred_host, stack_store) + sizeof(host.stack_store),
	.item_free = fake_item_free,
	.stack_get = fake_stack_get,
};

/* The next stack_get answers status with it (NULL: no item); the secret is text. */
static void script(int status, struct cobocred_item *it, const char *secret, size_t len)
{
	memset(&stack, 0, sizeof(stack));
	stack.status = status;
	stack.item = it;
	item.secret = (const unsigned char *)secret;
	item.secret_len = len;
}

static void test_found(void)
{
	struct cobocred_item *it = &garbage;

	script(COBOCRED_SUCCESS, &item, "s", 1);
	CU_ASSERT_EQUAL(oauth_store_item_get(&host, "p1", "client_id", "cid", &it),
			COBOCRED_SUCCESS);
	CU_ASSERT_PTR_EQUAL(it, &item);
	CU_ASSERT_EQUAL(stack.freed, 0); /* the caller's now */
	CU_ASSERT_STRING_EQUAL(stack.schema, COBOCRED_SCHEMA_APP_SECRET);
	CU_ASSERT_EQUAL(stack.n_attrs, 1);
	CU_ASSERT_STRING_EQUAL(stack.name, "client_id");
	CU_ASSERT_STRING_EQUAL(stack.value, "cid");
	CU_ASSERT_STRING_EQUAL(stack.profile, "p1");

	script(COBOCRED_SUCCESS, &item, "s", 1);
	CU_ASSERT_EQUAL(oauth_store_item_get(&host, NULL, "pkcs11_token", "t", &it),
			COBOCRED_SUCCESS);
	CU_ASSERT_FALSE(stack.has_profile);
}

static void test_not_found(void)
{
	struct cobocred_item *it = &garbage;

	script(COBOCRED_NOTFOUND, NULL, NULL, 0);
	CU_ASSERT_EQUAL(oauth_store_item_get(&host, "p1", "client_id", "cid", &it),
			COBOCRED_NOTFOUND);
	CU_ASSERT_PTR_NULL(it);
	/* A stack that says success without an item holds none either. */
	it = &garbage;
	script(COBOCRED_SUCCESS, NULL, NULL, 0);
	CU_ASSERT_EQUAL(oauth_store_item_get(&host, "p1", "client_id", "cid", &it),
			COBOCRED_NOTFOUND);
	CU_ASSERT_PTR_NULL(it);
	CU_ASSERT_EQUAL(stack.calls, 1);
}

static void test_failure(void)
{
	struct cobocred_item *it = &garbage;

	/* The stack's status stands; an item it left behind is freed, once. */
	script(COBOCRED_TRYAGAIN, &item, "s", 1);
	CU_ASSERT_EQUAL(oauth_store_item_get(&host, "p1", "client_id", "cid", &it),
			COBOCRED_TRYAGAIN);
	CU_ASSERT_PTR_NULL(it);
	CU_ASSERT_EQUAL(stack.freed, 1);
	script(COBOCRED_ERROR, NULL, NULL, 0);
	CU_ASSERT_EQUAL(oauth_store_item_get(&host, "p1", "client_id", "cid", &it), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(stack.freed, 0);
}

static void test_app_key(void)
{
	unsigned char seed[OAUTH_SEED_LEN], want[OAUTH_SEED_LEN];
	char err[1200];

	CU_ASSERT_EQUAL(oauth_key_parse(SEED_HEX, strlen(SEED_HEX), want, err, sizeof(err)), 0);
	script(COBOCRED_SUCCESS, &item, SEED_HEX, strlen(SEED_HEX));
	CU_ASSERT_EQUAL(oauth_key_load(&host, "p1", "keyring", "cid", seed, err, sizeof(err)),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(memcmp(seed, want, sizeof(seed)), 0);
	CU_ASSERT_STRING_EQUAL(stack.name, "client_id");
	CU_ASSERT_STRING_EQUAL(stack.value, "cid");
	CU_ASSERT_STRING_EQUAL(stack.profile, "p1");
	CU_ASSERT_EQUAL(stack.freed, 1);

	script(COBOCRED_NOTFOUND, NULL, NULL, 0);
	CU_ASSERT_EQUAL(oauth_key_load(&host, "p1", NULL, "cid", seed, err, sizeof(err)),
			COBOCRED_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "no app secret for client_id cid in the credential store; "
				    "add it there or set 'app_secret = file:PATH' in [profile p1]");

	script(COBOCRED_SUCCESS, &item, "not a key", 9);
	CU_ASSERT_EQUAL(oauth_key_load(&host, "p1", "keyring", "cid", seed, err, sizeof(err)),
			COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(err, "app secret for client_id cid in the credential store: "));
	CU_ASSERT_EQUAL(stack.freed, 1);

	/* The store's own message stands: err stays empty. */
	script(COBOCRED_TRYAGAIN, NULL, NULL, 0);
	CU_ASSERT_EQUAL(oauth_key_load(&host, "p1", "keyring", "cid", seed, err, sizeof(err)),
			COBOCRED_TRYAGAIN);
	CU_ASSERT_STRING_EQUAL(err, "");
}

static void test_token_pin(void)
{
	struct oauth_p11_uri u = { .pin_kind = OAUTH_PIN_STORE };
	char err[1200] = "", *pin = NULL;
	size_t len = 0;

	/* The PIN is the secret up to its first NUL. */
	script(COBOCRED_SUCCESS, &item, "4321\0tail", 9);
	CU_ASSERT_EQUAL(p11_pin_get(&host, &u, "cobo-app", &pin, &len, err, sizeof(err)),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(len, 4);
	CU_ASSERT(pin != NULL && memcmp(pin, "4321", 5) == 0);
	CU_ASSERT_STRING_EQUAL(stack.name, "pkcs11_token");
	CU_ASSERT_STRING_EQUAL(stack.value, "cobo-app");
	CU_ASSERT_FALSE(stack.has_profile);
	CU_ASSERT_EQUAL(stack.freed, 1);
	cobocred_hostmem_free(pin);

	script(COBOCRED_SUCCESS, NULL, NULL, 0);
	CU_ASSERT_EQUAL(p11_pin_get(&host, &u, "cobo-app", &pin, &len, err, sizeof(err)),
			COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(pin);
	CU_ASSERT_STRING_EQUAL(err,
			       "no PIN for token 'cobo-app' in the credential store; store it "
			       "there (pkcs11_token = cobo-app) or add pin-source=file:PATH to "
			       "the URI");

	script(COBOCRED_TRYAGAIN, NULL, NULL, 0);
	CU_ASSERT_EQUAL(p11_pin_get(&host, &u, "cobo-app", &pin, &len, err, sizeof(err)),
			COBOCRED_TRYAGAIN);
	CU_ASSERT_PTR_NULL(pin);
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "an item: the query, handed over", test_found },
		{ "none: NOTFOUND, also for success without an item", test_not_found },
		{ "the stack's failure stands, a stray item freed", test_failure },
		{ "the app key by client_id (key.c)", test_app_key },
		{ "a token's PIN by its label (p11pin.c)", test_token_pin },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = {
		{ "storeitem", cases },
		{ NULL, NULL },
	};

	/* As the host binds it for the module: the PIN in wiped secret memory. */
	cobocred_hostmem_bind(cobocred_secret_alloc, cobocred_secret_free);
	return cutest_run(suites);
}
