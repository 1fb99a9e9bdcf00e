/*
 * test_keyring_session.c - a transfer session refused for its key size
 * (kwalletd5 5.103: "Client public key size is invalid", about one session
 * in a hundred) is opened again, once, with a fresh key.
 *
 * Real provider (keyring-session-kwallet.sh starts kwalletd5).  The refusal
 * is made certain, not hoped for: the program is linked with
 * -Wl,--wrap=secret_service_ensure_session_sync, and the wrapper answers
 * the next `refuse` calls with kwalletd5's error instead of asking it;
 * later calls reach the provider.  Each case opens the module afresh, so
 * each starts with no session.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "cutest.h"
#include "kr_fixture.h"
#include "../../plugins/keyring/keyring.h"

gboolean __real_secret_service_ensure_session_sync(SecretService *service,
						   GCancellable *cancellable, GError **error);
gboolean __wrap_secret_service_ensure_session_sync(SecretService *service,
						   GCancellable *cancellable, GError **error);

static struct cobocred_ctx *ctx;
static const struct cobocred_host *host;
static int refuse;	 /* the next calls answered with refusal_code */
static int refusal_code; /* G_DBUS_ERROR_INVALID_ARGS: kwalletd5's */
static int calls;	 /* calls made by the module */

gboolean __wrap_secret_service_ensure_session_sync(SecretService *service,
						   GCancellable *cancellable, GError **error)
{
	calls++;
	if (refuse > 0) {
		refuse--;
		g_set_error_literal(error, G_DBUS_ERROR, refusal_code,
				    refusal_code == G_DBUS_ERROR_INVALID_ARGS
					    ? "Client public key size is invalid"
					    : "refused for another reason");
		return FALSE;
	}
	return __real_secret_service_ensure_session_sync(service, cancellable, error);
}

static struct cobocred_item *token(const char *secret)
{
	return krf_token(host, "https://session.example", "session test token", secret, 1000,
			 4000000000LL);
}

static void query(struct cobocred_query *q, struct cobocred_attr *a)
{
	memset(q, 0, sizeof(*q));
	q->struct_size = sizeof(*q);
	q->schema = COBOCRED_SCHEMA_COBO;
	a[0].name = "base_url";
	a[0].value = "https://session.example";
	q->attrs = a;
	q->n_attrs = 1;
}

/* A fresh module (no session yet) stores secret with n refusals armed. */
static int store_with(int n, int code, const char *secret)
{
	struct cobocred_item *it = token(secret);
	void *kr = NULL;
	int st;

	CU_ASSERT_FATAL(kr_open(host, 0, NULL, &kr) == COBOCRED_SUCCESS);
	refuse = n;
	refusal_code = code;
	calls = 0;
	st = kr_store(kr, it, NULL);
	refuse = 0;
	host->item_free(it);
	kr_close(kr);
	return st;
}

/* What a fresh module reads back: the secret, or "" for no item. */
static void read_back(char *out, size_t outlen)
{
	struct cobocred_attr a[1];
	struct cobocred_query q;
	struct cobocred_item *got = NULL;
	void *kr = NULL;

	out[0] = '\0';
	CU_ASSERT_FATAL(kr_open(host, 0, NULL, &kr) == COBOCRED_SUCCESS);
	query(&q, a);
	if (kr_get(kr, &q, &got) == COBOCRED_SUCCESS && got->secret_len < outlen) {
		memcpy(out, got->secret, got->secret_len);
		out[got->secret_len] = '\0';
	}
	host->item_free(got);
	kr_close(kr);
}

/* No refusal: one call, the session opens. */
static void test_no_refusal(void)
{
	char got[64];

	CU_ASSERT_EQUAL(store_with(0, G_DBUS_ERROR_INVALID_ARGS, "s-0"), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(calls, 1);
	read_back(got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "s-0");
}

/* Refused once for the key size: opened again, the store succeeds. */
static void test_refused_once(void)
{
	char got[64];

	CU_ASSERT_EQUAL(store_with(1, G_DBUS_ERROR_INVALID_ARGS, "s-1"), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(calls, 2);
	read_back(got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "s-1");
}

/* Refused twice: once more only, then a clear error, and nothing stored. */
static void test_refused_twice(void)
{
	char got[64];

	CU_ASSERT_EQUAL(store_with(2, G_DBUS_ERROR_INVALID_ARGS, "s-2"), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(calls, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "opening a session"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "public key size"));
	read_back(got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "s-1");
}

/* Any other refusal is not the key size: reported at once, never retried. */
static void test_other_refusal(void)
{
	CU_ASSERT_EQUAL(store_with(1, G_DBUS_ERROR_ACCESS_DENIED, "s-3"), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(calls, 1);
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "no refusal: one OpenSession", test_no_refusal },
		{ "refused once for the key size: opened again", test_refused_once },
		{ "refused twice: one retry only, nothing stored", test_refused_twice },
		{ "another refusal: not retried", test_other_refusal },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = { { "session", cases }, { NULL, NULL } };
	int r;

	if (cobocred_ctx_new_builtin(&ctx) != COBOCRED_SUCCESS)
		return 99;
	host = cobocred_ctx_host(ctx);
	setenv("COBO_CREDENTIAL_INTERACTIVE", "never", 1);
	r = cutest_run(suites);
	cobocred_ctx_free(ctx);
	return r;
}
