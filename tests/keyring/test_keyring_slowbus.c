/*
 * test_keyring_slowbus.c - a session bus that is slow to answer (a loaded
 * host: a storm of 128 helpers at load 50 on 2 cores) is a keyring that is
 * there, never "no keyring here".  With the bus probe's old 2.5 s, a
 * helper on a token cached in the keyring found the module UNAVAIL, went
 * on to cobo-oauth and minted a new token as if nothing were cached, and
 * its store failed the same way: what one helper of such a storm did.
 *
 * Real gnome-keyring (keyring-slowbus.sh starts it).  The slowness is made
 * certain, not waited for: the program is linked with -Wl,--wrap=poll, and
 * with `late_ms` armed the first poll after arming (the probe's wait for
 * the handshake's answer: kr_open polls nothing before it) answers as a
 * bus whose answer comes late_ms after the question: a wait shorter than
 * that times out at once (poll returns 0), a longer one gets the answer
 * (the real poll).  Nothing sleeps.
 */
#include "config.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "cutest.h"
#include "kr_fixture.h"
#include "../../plugins/keyring/keyring.h"

#define URL "https://slowbus.example"
/* Later than the probe's old budget (2.5 s), well within a D-Bus call's. */
#define LATE_MS 5000

int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout);

static struct cobocred_ctx *ctx;
static const struct cobocred_host *host;
static int late_ms;   /* armed when > 0: the next poll answers that late */
static int seen_wait; /* the timeout of the armed poll, -2 before it */

int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	int late = late_ms;

	if (late <= 0)
		return __real_poll(fds, nfds, timeout);
	late_ms = 0; /* one-shot: GDBus's own polls after it are real */
	seen_wait = timeout;
	if (timeout >= 0 && timeout < late)
		return 0; /* gave up before the answer came */
	return __real_poll(fds, nfds, timeout);
}

static struct cobocred_item *token(const char *secret)
{
	return krf_token(host, URL, "slow bus test token", secret, 1000, 4000000000LL);
}

/* The cached token, stored on a bus that answers at once. */
static void cache_token(const char *secret)
{
	struct cobocred_attr a[4];
	struct cobocred_query q;
	struct cobocred_item *it = token(secret);
	void *kr = NULL;

	CU_ASSERT_FATAL(kr_open(host, 0, NULL, &kr) == COBOCRED_SUCCESS);
	krf_query(&q, a, URL);
	q.flags = COBOCRED_QUERY_EXACT;
	CU_ASSERT_EQUAL(kr_store(kr, it, &q), COBOCRED_SUCCESS);
	host->item_free(it);
	kr_close(kr);
}

/* A bus answering LATE_MS late: the module opens and answers the cached token. */
static void test_slow_bus_reached(void)
{
	struct cobocred_attr a[4];
	struct cobocred_query q;
	struct cobocred_item *got = NULL;
	void *kr = NULL;
	int st;

	cache_token("cached-slow");
	seen_wait = -2;
	late_ms = LATE_MS;
	st = kr_open(host, 0, NULL, &kr);
	late_ms = 0;
	CU_ASSERT_EQUAL(seen_wait >= LATE_MS, 1); /* the probe waited for the answer */
	CU_ASSERT_EQUAL_FATAL(st, COBOCRED_SUCCESS);
	krf_query(&q, a, URL);
	CU_ASSERT_EQUAL(kr_get(kr, &q, &got), COBOCRED_SUCCESS);
	CU_ASSERT_FATAL(got != NULL);
	CU_ASSERT_EQUAL(got->secret_len, strlen("cached-slow"));
	CU_ASSERT(memcmp(got->secret, "cached-slow", strlen("cached-slow")) == 0);
	host->item_free(got);
	kr_close(kr);
}

/* A bus that accepts and never answers: busy (TRYAGAIN), never "no keyring" (UNAVAIL). */
static void test_silent_bus_busy(void)
{
	void *kr = (void *)1;
	int st;

	seen_wait = -2;
	late_ms = INT_MAX;
	st = kr_open(host, 0, NULL, &kr);
	late_ms = 0;
	CU_ASSERT_NOT_EQUAL(seen_wait, -2);
	CU_ASSERT_EQUAL(st, COBOCRED_TRYAGAIN);
	CU_ASSERT_PTR_NULL(kr);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "did not answer"));
	CU_ASSERT_PTR_NULL(strchr(cobocred_error(ctx), '\n'));
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "a bus answering late: the cached token, not UNAVAIL", test_slow_bus_reached },
		{ "a bus that never answers: TRYAGAIN, not UNAVAIL", test_silent_bus_busy },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = { { "slow bus", cases }, { NULL, NULL } };
	int r;

	if (cobocred_ctx_new_builtin(&ctx) != COBOCRED_SUCCESS)
		return 99;
	host = cobocred_ctx_host(ctx);
	setenv("COBO_CREDENTIAL_INTERACTIVE", "never", 1);
	r = cutest_run(suites);
	cobocred_ctx_free(ctx);
	return r;
}
