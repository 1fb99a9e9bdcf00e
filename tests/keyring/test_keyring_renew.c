/*
 * test_keyring_renew.c - a transfer session whose key the provider derived
 * otherwise than libsecret did (kwalletd5 5.103, about one session in two
 * hundred; plugins/keyring/session.c) is renewed: a read that got no
 * secret searches again in a new session, once renewed; a refused store
 * deletes the item the provider registered anyway and stores again, once.
 *
 * Real gnome-keyring (keyring-renew.sh starts it).  kwalletd5's faults are
 * made certain, not hoped for: the program is linked with --wrap for
 *   secret_item_create_sync        with `refuse` armed, registers the item
 *                                  with an empty secret (what kwalletd5
 *                                  keeps) and fails as kwalletd5 does;
 *   secret_item_load_secrets_sync  with `blank` armed, loads nothing (the
 *                                  secrets kwalletd5 sends decode to none);
 *   secret_service_open_sync       counts services (one per session);
 *   secret_value_new/_unref        the module's copies of the secret, each
 *                                  released;
 * and the module gets a host whose secret_alloc/secret_free count, so a
 * secret kept after the store shows.  Each case opens the module afresh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "cutest.h"
#include "kr_fixture.h"
#include "../../plugins/keyring/keyring.h"

#define URL "https://renew.example"
#define MAX_VALUES 16

SecretItem *__real_secret_item_create_sync(SecretCollection *collection, const SecretSchema *schema,
					   GHashTable *attributes, const gchar *label,
					   SecretValue *value, SecretItemCreateFlags flags,
					   GCancellable *cancellable, GError **error);
SecretItem *__wrap_secret_item_create_sync(SecretCollection *collection, const SecretSchema *schema,
					   GHashTable *attributes, const gchar *label,
					   SecretValue *value, SecretItemCreateFlags flags,
					   GCancellable *cancellable, GError **error);
gboolean __real_secret_item_load_secrets_sync(GList *items, GCancellable *cancellable,
					      GError **error);
gboolean __wrap_secret_item_load_secrets_sync(GList *items, GCancellable *cancellable,
					      GError **error);
SecretService *__real_secret_service_open_sync(GType service_gtype, const gchar *service_bus_name,
					       SecretServiceFlags flags, GCancellable *cancellable,
					       GError **error);
SecretService *__wrap_secret_service_open_sync(GType service_gtype, const gchar *service_bus_name,
					       SecretServiceFlags flags, GCancellable *cancellable,
					       GError **error);
SecretValue *__real_secret_value_new(const gchar *secret, gssize length, const gchar *content_type);
SecretValue *__wrap_secret_value_new(const gchar *secret, gssize length, const gchar *content_type);
void __real_secret_value_unref(gpointer value);
void __wrap_secret_value_unref(gpointer value);

static struct cobocred_ctx *ctx;
static const struct cobocred_host *real_host;
static struct cobocred_host host; /* real_host with counting secret memory */

static int refuse;	 /* the next CreateItem calls refused as kwalletd5 does */
static int refuse_other; /* ... with an error that is not the session's */
static int blank;	 /* the next secret loads that load nothing */
static int creates, loads, opens;
static int empty_at_retry;		/* empty-secret items present when CreateItem was retried */
static int secrets_live;		/* host secret memory allocated and not yet freed */
static SecretValue *values[MAX_VALUES]; /* made by the module, not yet released */
static int values_made;

static void *count_alloc(size_t n)
{
	void *p = real_host->secret_alloc(n);

	secrets_live += p != NULL;
	return p;
}

static void count_free(void *p)
{
	secrets_live -= p != NULL;
	real_host->secret_free(p);
}

/* Matches of our test identity in the keyring, and how many hold no secret. */
static int keyring_matches(int *empty)
{
	GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
	SecretService *svc = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, NULL);
	GList *found, *l;
	int n = 0;

	*empty = 0;
	CU_ASSERT_FATAL(svc != NULL);
	g_hash_table_insert(attrs, (gpointer) "base_url", (gpointer)URL);
	found = secret_service_search_sync(svc, NULL, attrs,
					   SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS, NULL,
					   NULL);
	for (l = found; l != NULL; l = l->next, n++) {
		SecretValue *v = secret_item_get_secret(l->data);
		gsize len = 0;

		if (v != NULL) {
			secret_value_get(v, &len);
			__real_secret_value_unref(v);
		}
		*empty += len == 0;
	}
	g_list_free_full(found, g_object_unref);
	g_hash_table_unref(attrs);
	g_object_unref(svc);
	return n;
}

SecretItem *__wrap_secret_item_create_sync(SecretCollection *collection, const SecretSchema *schema,
					   GHashTable *attributes, const gchar *label,
					   SecretValue *value, SecretItemCreateFlags flags,
					   GCancellable *cancellable, GError **error)
{
	SecretValue *none;
	SecretItem *left;
	int empty;

	if (creates++ > 0) {
		keyring_matches(&empty);
		empty_at_retry += empty;
	}
	if (refuse_other > 0) {
		refuse_other--;
		g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
				    "refused for another reason");
		return NULL;
	}
	if (refuse <= 0)
		return __real_secret_item_create_sync(collection, schema, attributes, label, value,
						      flags, cancellable, error);
	refuse--;
	/* kwalletd5 registers the item before it finds it cannot read the secret */
	none = __real_secret_value_new("", 0, "text/plain");
	left = __real_secret_item_create_sync(collection, schema, attributes, label, none, flags,
					      cancellable, NULL);
	__real_secret_value_unref(none);
	CU_ASSERT_PTR_NOT_NULL(left);
	if (left != NULL)
		g_object_unref(left);
	/*
	 * kwalletd5 5.103's answer to a secret encrypted with another key,
	 * as libsecret hands it over (stripped of the D-Bus error name)
	 */
	g_dbus_error_set_dbus_error(error, "org.qtproject.QtDBus.Error.InvalidObjectPath",
				    "Can't find session /org/freedesktop/secrets/session/7", NULL);
	g_dbus_error_strip_remote_error(*error);
	return NULL;
}

gboolean __wrap_secret_item_load_secrets_sync(GList *items, GCancellable *cancellable,
					      GError **error)
{
	loads++;
	if (blank > 0) {
		blank--;
		return TRUE; /* answered, but no secret could be decoded */
	}
	return __real_secret_item_load_secrets_sync(items, cancellable, error);
}

SecretService *__wrap_secret_service_open_sync(GType service_gtype, const gchar *service_bus_name,
					       SecretServiceFlags flags, GCancellable *cancellable,
					       GError **error)
{
	opens++;
	return __real_secret_service_open_sync(service_gtype, service_bus_name, flags, cancellable,
					       error);
}

SecretValue *__wrap_secret_value_new(const gchar *secret, gssize length, const gchar *content_type)
{
	SecretValue *v = __real_secret_value_new(secret, length, content_type);

	CU_ASSERT_FATAL(values_made < MAX_VALUES);
	values[values_made++] = v;
	return v;
}

void __wrap_secret_value_unref(gpointer value)
{
	int i;

	for (i = 0; i < values_made; i++)
		if (values[i] == value)
			values[i] = NULL;
	__real_secret_value_unref(value);
}

/* The module's copies of the secret it still holds. */
static int values_held(void)
{
	int i, n = 0;

	for (i = 0; i < values_made; i++)
		n += values[i] != NULL;
	return n;
}

static void arm(int n_refuse, int n_blank)
{
	refuse = n_refuse;
	blank = n_blank;
	refuse_other = creates = loads = opens = empty_at_retry = values_made = 0;
}

static struct cobocred_item *token(const char *secret)
{
	return krf_token(real_host, URL, "renew test token", secret, 1000, 4000000000LL);
}

/* A fresh module (no session yet) stores secret as armed; its status. */
static int store(const char *secret)
{
	struct cobocred_item *it = token(secret);
	void *kr = NULL;
	int st;

	CU_ASSERT_FATAL(kr_open(&host, 0, NULL, &kr) == COBOCRED_SUCCESS);
	st = kr_store(kr, it, NULL);
	kr_close(kr);
	real_host->item_free(it);
	return st;
}

/* A fresh module reads the token as armed: its status, and the secret in out. */
static int get(char *out, size_t outlen)
{
	struct cobocred_attr a[1] = { { "base_url", URL } };
	struct cobocred_query q;
	struct cobocred_item *got = NULL;
	void *kr = NULL;
	int st;

	out[0] = '\0';
	memset(&q, 0, sizeof(q));
	q.struct_size = sizeof(q);
	q.schema = COBOCRED_SCHEMA_COBO;
	q.attrs = a;
	q.n_attrs = 1;
	CU_ASSERT_FATAL(kr_open(&host, 0, NULL, &kr) == COBOCRED_SUCCESS);
	st = kr_get(kr, &q, &got);
	if (st == COBOCRED_SUCCESS && got->secret_len < outlen) {
		memcpy(out, got->secret, got->secret_len);
		out[got->secret_len] = '\0';
	}
	real_host->item_free(got);
	kr_close(kr);
	return st;
}

/* The keyring holds exactly one match, secret want, and nothing empty. */
static void keyring_holds(const char *want)
{
	char got[64];
	int empty, n = keyring_matches(&empty);

	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(empty, 0);
	arm(0, 0);
	CU_ASSERT_EQUAL(get(got, sizeof(got)), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(got, want);
}

/* No fault: one session, one CreateItem, one load. */
static void test_no_fault(void)
{
	char got[64];

	arm(0, 0);
	CU_ASSERT_EQUAL(store("t-0"), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(creates, 1);
	CU_ASSERT_EQUAL(opens, 1);
	arm(0, 0);
	CU_ASSERT_EQUAL(get(got, sizeof(got)), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(got, "t-0");
	CU_ASSERT_EQUAL(loads, 1);
	CU_ASSERT_EQUAL(opens, 1);
}

/* Refused once: one renewal, the leftover deleted before the one retry. */
static void test_store_refused_once(void)
{
	arm(1, 0);
	CU_ASSERT_EQUAL(store("t-1"), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(creates, 2);
	CU_ASSERT_EQUAL(opens, 2);
	CU_ASSERT_EQUAL(empty_at_retry, 0);
	CU_ASSERT_EQUAL(secrets_live, 0);
	CU_ASSERT_EQUAL(values_made, 2);
	CU_ASSERT_EQUAL(values_held(), 0);
	keyring_holds("t-1");
}

/* Refused every time: two attempts, no loop, nothing left, the old item kept. */
static void test_store_refused_always(void)
{
	arm(1000, 0);
	CU_ASSERT_EQUAL(store("t-2"), COBOCRED_TRYAGAIN);
	CU_ASSERT_EQUAL(creates, 2);
	CU_ASSERT_EQUAL(opens, 3);
	CU_ASSERT_EQUAL(empty_at_retry, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "could not read the secret"));
	CU_ASSERT_EQUAL(secrets_live, 0);
	CU_ASSERT_EQUAL(values_held(), 0);
	refuse = 0;
	keyring_holds("t-1");
}

/* Another CreateItem error is no session's fault: reported at once, never retried. */
static void test_store_other_error(void)
{
	arm(0, 0);
	refuse_other = 1;
	CU_ASSERT_EQUAL(store("t-3"), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(creates, 1);
	CU_ASSERT_EQUAL(opens, 1);
	CU_ASSERT_EQUAL(secrets_live, 0);
	CU_ASSERT_EQUAL(values_held(), 0);
	keyring_holds("t-1");
}

/* A read that got no secret: searched again in a new session, and answered. */
static void test_read_blank_once(void)
{
	char got[64];

	arm(0, 1);
	CU_ASSERT_EQUAL(get(got, sizeof(got)), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(got, "t-1");
	CU_ASSERT_EQUAL(loads, 2);
	CU_ASSERT_EQUAL(opens, 2);
}

/* No secret in any session: renewed once, bounded searches, TRYAGAIN. */
static void test_read_blank_always(void)
{
	char got[64];

	arm(0, 1000);
	CU_ASSERT_EQUAL(get(got, sizeof(got)), COBOCRED_TRYAGAIN);
	CU_ASSERT_STRING_EQUAL(got, "");
	CU_ASSERT_EQUAL(loads, KR_SEARCH_TRIES);
	CU_ASSERT_EQUAL(opens, 2);
	blank = 0;
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "no fault: one session", test_no_fault },
		{ "store refused once: renewed, leftover deleted, stored",
		  test_store_refused_once },
		{ "store refused always: one retry, TRYAGAIN, nothing left",
		  test_store_refused_always },
		{ "another store error: not retried", test_store_other_error },
		{ "read got no secret once: searched again in a new session",
		  test_read_blank_once },
		{ "read never gets a secret: one renewal, bounded", test_read_blank_always },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = { { "renew", cases }, { NULL, NULL } };
	int r;

	if (cobocred_ctx_new_builtin(&ctx) != COBOCRED_SUCCESS)
		return 99;
	real_host = cobocred_ctx_host(ctx);
	host = *real_host;
	host.secret_alloc = count_alloc;
	host.secret_free = count_free;
	setenv("COBO_CREDENTIAL_INTERACTIVE", "never", 1);
	r = cutest_run(suites);
	cobocred_ctx_free(ctx);
	return r;
}
