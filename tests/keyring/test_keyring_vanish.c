/*
 * test_keyring_vanish.c - an item that vanishes between the search and the
 * read (issue 13: a storm of 128 helpers failed 3 of them with "No such
 * secret item at path") is a miss to search again, never an error.
 *
 * Real gnome-keyring (keyring-vanish.sh starts it).  The race is made
 * certain, not hoped for: the program is linked with
 * -Wl,--wrap=secret_service_search_sync, and the wrapper does what a
 * concurrent store does (create the new item, delete the old one) at the
 * chosen moment:
 *   AFTER_SEARCH  the search found the old item; it is replaced before the
 *                 module reads its secret (the read finds a vanished path);
 *   IN_SEARCH     the search itself fails as libsecret fails when an item's
 *                 path is gone before its proxy is built (the error of the
 *                 issue, G_DBUS_ERROR_UNKNOWN_METHOD), after the replace.
 * Either way the get answers the new item with SUCCESS.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "cutest.h"
#include "kr_fixture.h"
#include "../../plugins/keyring/keyring.h"

GList *__real_secret_service_search_sync(SecretService *service, const SecretSchema *schema,
					 GHashTable *attributes, SecretSearchFlags flags,
					 GCancellable *cancellable, GError **error);
GList *__wrap_secret_service_search_sync(SecretService *service, const SecretSchema *schema,
					 GHashTable *attributes, SecretSearchFlags flags,
					 GCancellable *cancellable, GError **error);

enum race { NONE, AFTER_SEARCH, IN_SEARCH };

static struct cobocred_ctx *ctx;
static const struct cobocred_host *host;
static void *kr;
static enum race race;	/* armed for the next search */
static int races_left;	/* how many searches in a row race */
static int searches;	/* searches made by the get under test */
static int storing;	/* inside replace_token: its own searches do not count */
static unsigned serial; /* names each token uniquely */
static char newest[64]; /* the secret of the newest item stored */

static struct cobocred_item *token(const char *secret)
{
	/* New times each time: another item, not the old one rewritten in place */
	return krf_token(host, "https://vanish.example", "vanish test token", secret, 1000 + serial,
			 4000000000LL + serial);
}

/* What a concurrent store does: the new item first, then the old one deleted. */
static void replace_token(void)
{
	struct cobocred_attr a[4];
	struct cobocred_query q;
	struct cobocred_item *it;

	storing = 1;
	snprintf(newest, sizeof(newest), "token-%u", ++serial);
	it = token(newest);
	krf_query(&q, a, "https://vanish.example");
	q.flags = COBOCRED_QUERY_EXACT;
	CU_ASSERT_EQUAL(kr_store(kr, it, &q), COBOCRED_SUCCESS);
	host->item_free(it);
	storing = 0;
}

GList *__wrap_secret_service_search_sync(SecretService *service, const SecretSchema *schema,
					 GHashTable *attributes, SecretSearchFlags flags,
					 GCancellable *cancellable, GError **error)
{
	enum race now = races_left > 0 ? race : NONE;
	GList *found;

	searches += !storing;
	if (now == NONE)
		return __real_secret_service_search_sync(service, schema, attributes, flags,
							 cancellable, error);
	races_left--;
	race = NONE; /* the store below searches too: it must not race itself */
	if (now == IN_SEARCH) {
		replace_token();
		race = now;
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
			    "No such secret item at path: /org/freedesktop/secrets/collection/"
			    "login/2");
		return NULL;
	}
	found = __real_secret_service_search_sync(service, schema, attributes, flags, cancellable,
						  error);
	replace_token(); /* the items found are gone before their secrets are read */
	race = now;
	return found;
}

static void get_after(enum race r, int times, int want_status)
{
	struct cobocred_attr a[4];
	struct cobocred_query q;
	struct cobocred_item *got = NULL;
	int st;

	replace_token();
	race = r;
	races_left = times;
	searches = 0;
	krf_query(&q, a, "https://vanish.example");
	st = kr_get(kr, &q, &got);
	race = NONE;
	races_left = 0;
	CU_ASSERT_EQUAL(st, want_status);
	if (st != want_status)
		fprintf(stderr, "status %s: %s\n", cobocred_status_name(st), cobocred_error(ctx));
	if (want_status == COBOCRED_SUCCESS) {
		CU_ASSERT_FATAL(got != NULL);
		/* the item that replaced the vanished one, read whole */
		CU_ASSERT_EQUAL(got->secret_len, strlen(newest));
		CU_ASSERT(memcmp(got->secret, newest, strlen(newest)) == 0);
		CU_ASSERT_EQUAL(searches, times + 1);
	} else {
		CU_ASSERT_PTR_NULL(got);
		CU_ASSERT(strstr(cobocred_error(ctx), "vanishing") != NULL);
	}
	host->item_free(got);
}

static void test_vanish_after_search(void)
{
	get_after(AFTER_SEARCH, 1, COBOCRED_SUCCESS);
}

static void test_vanish_in_search(void)
{
	get_after(IN_SEARCH, 1, COBOCRED_SUCCESS);
}

static void test_vanish_several_times(void)
{
	get_after(AFTER_SEARCH, 3, COBOCRED_SUCCESS);
	get_after(IN_SEARCH, 3, COBOCRED_SUCCESS);
}

/* Replaced faster than it can ever be read: busy (TRYAGAIN), never a plain miss. */
static void test_vanish_forever(void)
{
	get_after(AFTER_SEARCH, 1000, COBOCRED_TRYAGAIN);
	get_after(IN_SEARCH, 1000, COBOCRED_TRYAGAIN);
}

/* No race: one search, the newest item. */
static void test_no_race(void)
{
	get_after(NONE, 0, COBOCRED_SUCCESS);
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "no race: one search", test_no_race },
		{ "item vanishes after the search: searched again", test_vanish_after_search },
		{ "item vanishes inside the search: searched again", test_vanish_in_search },
		{ "several vanishes in a row", test_vanish_several_times },
		{ "vanishing forever: TRYAGAIN, not NOTFOUND", test_vanish_forever },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = { { "vanish", cases }, { NULL, NULL } };
	int r;

	if (cobocred_ctx_new_builtin(&ctx) != COBOCRED_SUCCESS)
		return 99;
	host = cobocred_ctx_host(ctx);
	setenv("COBO_CREDENTIAL_INTERACTIVE", "never", 1);
	if (kr_open(host, 0, NULL, &kr) != COBOCRED_SUCCESS) {
		fprintf(stderr, "keyring module unavailable: %s\n", cobocred_error(ctx));
		return 99;
	}
	r = cutest_run(suites);
	kr_close(kr);
	cobocred_ctx_free(ctx);
	return r;
}
