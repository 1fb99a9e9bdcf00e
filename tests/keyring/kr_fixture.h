/*
 * kr_fixture.h - the token item and the exact query the keyring module's
 * unit tests (test_keyring_*: ld --wrap around libsecret or poll) store and
 * read: a Cobo access token of client "c", org "o" at base_url.
 */
#ifndef COBOCRED_TEST_KR_FIXTURE_H
#define COBOCRED_TEST_KR_FIXTURE_H

#include <stdint.h>

#include "cobocred.h"

/*
 * A new item (owned by the caller: h->item_free) labelled label, holding
 * secret, created at created and expiring at expires.  Fails the test
 * fatally when it cannot be made.
 */
struct cobocred_item *krf_token(const struct cobocred_host *h, const char *base_url,
				const char *label, const char *secret, int64_t created,
				int64_t expires);

/* *q asks for exactly that token; a (4 entries, the caller's) holds its attributes. */
void krf_query(struct cobocred_query *q, struct cobocred_attr a[4], const char *base_url);

#endif
