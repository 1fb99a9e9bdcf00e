/*
 * test_secret.c - secret memory is zeroed, wiped before free, tracked
 * while live; the trace writer redacts live secrets; items free theirs;
 * the bounded buffer (util/sbuf.c) keeps its bound and wipes what it held.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>

#include "cobocred.h"
#include "cutest.h"
#include "hostmem.h"
#include "sbuf.h"
#include "secret.h"

/*
 * Proving a wipe means looking at freed memory, which is undefined
 * behaviour in C.  So the check interposes on free(): when the allocator
 * receives a secret buffer, its bytes must already be zero.
 */
static const unsigned char *watch;
static size_t watch_len;
static int watched_free_seen, watched_free_clean;

#if defined(__SANITIZE_ADDRESS__)
#define INTERPOSE_FREE 0 /* ASan owns free(); it poisons freed memory itself */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INTERPOSE_FREE 0
#endif
#endif
#ifndef INTERPOSE_FREE
#define INTERPOSE_FREE 1
#endif

#if INTERPOSE_FREE
extern void __libc_free(void *p);
void free(void *p)
{
	/* Only the chunk that holds the watched bytes counts. */
	if (watch != NULL && p != NULL && (const unsigned char *)p <= watch &&
	    watch + watch_len <= (const unsigned char *)p + malloc_usable_size(p)) {
		size_t i;

		watched_free_seen = 1;
		watched_free_clean = 1;
		for (i = 0; i < watch_len; i++)
			if (watch[i] != 0)
				watched_free_clean = 0;
		watch = NULL;
	}
	__libc_free(p);
}
#endif

static void test_zeroed_and_wiped(void)
{
	unsigned char *p = cobocred_secret_alloc(64);
	size_t i, live = cobocred_secret_live();

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (i = 0; i < 64; i++)
		CU_ASSERT_EQUAL(p[i], 0);
	CU_ASSERT_EQUAL(p[64], 0); /* hidden terminator */
	memset(p, 'S', 64);
	watch = p;
	watch_len = 64;
	watched_free_seen = watched_free_clean = 0;
	cobocred_secret_free(p);
	CU_ASSERT_TRUE(watched_free_seen || !INTERPOSE_FREE);
	CU_ASSERT_TRUE(watched_free_clean || !INTERPOSE_FREE);
	CU_ASSERT_EQUAL(cobocred_secret_live(), live - 1);
}

static void test_item_secret_wiped(void)
{
	struct cobocred_item *it = cobocred_item_new("test");

	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	CU_ASSERT_EQUAL(cobocred_item_set_secret(it, "hunter2-hunter2", 15), 0);
	watch = it->secret;
	watch_len = 15;
	watched_free_seen = watched_free_clean = 0;
	cobocred_item_free(it);
	CU_ASSERT_TRUE(watched_free_seen || !INTERPOSE_FREE);
	CU_ASSERT_TRUE(watched_free_clean || !INTERPOSE_FREE);
	CU_ASSERT_EQUAL(cobocred_secret_live(), 0);
}

static void test_dup_and_binary(void)
{
	static const char bin[] = { 'a', 0, '\n', 'b' };
	char *p = cobocred_secret_dup(bin, sizeof(bin));

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(memcmp(p, bin, sizeof(bin)), 0);
	CU_ASSERT_EQUAL(p[sizeof(bin)], 0);
	cobocred_secret_free(p);
	cobocred_secret_free(NULL);
}

static void test_trace_redacts_live_secrets(void)
{
	char path[512], buf[4096] = "";
	struct cobocred_ctx *ctx = NULL;
	char *tok = cobocred_secret_dup("AT_topsecret_value", 18);
	char *stars = cobocred_secret_dup("******", 6);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/trace.log", cutest_tmpdir());
	setenv("COBO_CREDENTIAL_TRACE", path, 1);
	cobocred_ctx_new(NULL, &ctx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	cobocred_trace(ctx, "token=%s again %s and ******** end", tok, tok);
	cobocred_set_error(ctx, "bad token %s\nsecond line", tok);
	CU_ASSERT_PTR_NULL(strstr(cobocred_error(ctx), "topsecret"));
	CU_ASSERT_PTR_NULL(strchr(cobocred_error(ctx), '\n'));
	cobocred_ctx_free(ctx);
	unsetenv("COBO_CREDENTIAL_TRACE");
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	CU_ASSERT_PTR_NULL(strstr(buf, "topsecret"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "token=[REDACTED] again [REDACTED]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "bad token [REDACTED] second line"));
	cobocred_secret_free(tok);
	cobocred_secret_free(stars);
}

/* util's sbuf in the core: registry memory, a sticky bound, wiped as it grows. */
static void test_sbuf_bounded_and_wiped(void)
{
	struct cobocred_sbuf b;
	size_t live = cobocred_secret_live(), len = 0;
	char big[300], *taken;

	cobocred_sbuf_init(&b, 8);
	CU_ASSERT_EQUAL(cobocred_sbuf_adds(&b, "12345"), 0);
	CU_ASSERT_EQUAL(cobocred_secret_live(), live + 1);
	CU_ASSERT_EQUAL(cobocred_sbuf_adds(&b, "6789"), -1);
	CU_ASSERT_EQUAL(b.failed, COBOCRED_SBUF_FULL);
	CU_ASSERT_STRING_EQUAL(cobocred_sbuf_str(&b), "12345");
	CU_ASSERT_EQUAL(cobocred_sbuf_add(&b, "6", 1), -1); /* refusals stick */
	CU_ASSERT_EQUAL(b.len, 5);
	cobocred_sbuf_free(&b);
	CU_ASSERT_EQUAL(cobocred_secret_live(), live);
	CU_ASSERT_EQUAL(b.max, 8);

	/* Growing past the first block frees it wiped. */
	cobocred_sbuf_init(&b, 0);
	memset(big, 'S', sizeof(big));
	CU_ASSERT_EQUAL(cobocred_sbuf_add(&b, big, 200), 0);
	watch = (const unsigned char *)b.p;
	watch_len = 200;
	watched_free_seen = watched_free_clean = 0;
	CU_ASSERT_EQUAL(cobocred_sbuf_add(&b, big, sizeof(big)), 0);
	CU_ASSERT_TRUE(watched_free_seen || !INTERPOSE_FREE);
	CU_ASSERT_TRUE(watched_free_clean || !INTERPOSE_FREE);
	CU_ASSERT_EQUAL(b.len, 500);

	/* Taken: the caller's, still registered until it frees it. */
	taken = cobocred_sbuf_take(&b, &len);
	CU_ASSERT_EQUAL(len, 500);
	CU_ASSERT_PTR_NULL(b.p);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_EQUAL(cobocred_secret_live(), live + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(taken);
	CU_ASSERT_EQUAL(taken[500], '\0');
	cobocred_hostmem_free(taken);
	CU_ASSERT_EQUAL(cobocred_secret_live(), live);
	CU_ASSERT_PTR_NULL(cobocred_sbuf_take(&b, NULL)); /* nothing added */
}

static const struct cutest_case cases[] = {
	{ "bounded buffer: bound, wipe, take", test_sbuf_bounded_and_wiped },
	{ "zeroed, wiped before free, tracked", test_zeroed_and_wiped },
	{ "item secrets wiped", test_item_secret_wiped },
	{ "binary dup", test_dup_and_binary },
	{ "trace redacts live secrets", test_trace_redacts_live_secrets },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = { { "secret", cases }, { NULL, NULL } };

	return cutest_run(suites);
}
