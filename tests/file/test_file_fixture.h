/*
 * test_file_fixture.h - one file module instance opened through a real
 * host table (cobocred_ctx_new + cobocred_ctx_host) in a private HOME.
 */
#ifndef TEST_FILE_FIXTURE_H
#define TEST_FILE_FIXTURE_H

#include <CUnit/CUnit.h>
#include <stddef.h>

#include "cobocred.h"
#include "cutest.h"

struct tf_fixture {
	struct cobocred_ctx *ctx;
	const struct cobocred_host *host;
	void *state;  /* the module instance; NULL if open failed */
	size_t live0; /* live secret buffers before the test */
};

extern struct tf_fixture tf;

/* CUnit setup/teardown: private HOME, context, the default instance. */
void tf_setup(void);
void tf_teardown(void);

/* A new context (rereading the environment) and default instance, same HOME. */
void tf_new_ctx(void);
/* Reopens the instance with options; returns open()'s status. */
int tf_open(int argc, const char *const *argv);

/* The module's operations on the current instance. */
int tf_get(const struct cobocred_query *q, struct cobocred_item **out);
int tf_list(const struct cobocred_query *q, struct cobocred_item **out);
/* Stores item, then frees it. */
int tf_store(struct cobocred_item *item, const struct cobocred_query *replace);
/* Stores item and leaves it to the caller. */
int tf_store_keep(const struct cobocred_item *item, const struct cobocred_query *replace);
int tf_erase(const struct cobocred_query *q);

/* The host's last error line. */
const char *tf_error(void);
/* Length of an item chain. */
size_t tf_count(const struct cobocred_item *list);
/* Asserts every secret buffer allocated since setup is freed again. */
void tf_assert_no_secret_leak(void);
/* The default store path under the private HOME. */
const char *tf_store_path(void);

/* test_file_disk.c: the on-disk tests, run with tf_setup/tf_teardown. */
extern const struct cutest_case test_file_disk_cases[];

#endif
