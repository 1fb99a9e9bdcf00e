/*
 * test_file_fixture.c - see test_file_fixture.h.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <stdio.h>

#include "file.h"
#include "secret.h"
#include "test_file_fixture.h"
#include "test_file_helpers.h"

struct tf_fixture tf;

void tf_setup(void)
{
	tf.state = NULL;
	tf.ctx = NULL;
	if (tf_home_setup() == NULL || cobocred_ctx_new(NULL, &tf.ctx) != COBOCRED_SUCCESS)
		return;
	tf.host = cobocred_ctx_host(tf.ctx);
	tf.live0 = cobocred_secret_live();
	tf_open(0, NULL);
}

static void close_ctx(void)
{
	if (tf.state != NULL)
		file_close(tf.state);
	tf.state = NULL;
	cobocred_ctx_free(tf.ctx);
	tf.ctx = NULL;
}

void tf_teardown(void)
{
	close_ctx();
	tf_home_cleanup();
}

void tf_new_ctx(void)
{
	close_ctx();
	if (cobocred_ctx_new(NULL, &tf.ctx) != COBOCRED_SUCCESS)
		return;
	tf.host = cobocred_ctx_host(tf.ctx);
	tf_open(0, NULL);
}

int tf_open(int argc, const char *const *argv)
{
	if (tf.state != NULL)
		file_close(tf.state);
	tf.state = NULL;
	return file_open(tf.host, argc, argv, &tf.state);
}

int tf_get(const struct cobocred_query *q, struct cobocred_item **out)
{
	return file_get(tf.state, q, out);
}

int tf_list(const struct cobocred_query *q, struct cobocred_item **out)
{
	return file_list(tf.state, q, out);
}

int tf_store_keep(const struct cobocred_item *item, const struct cobocred_query *replace)
{
	return file_store_op(tf.state, item, replace);
}

int tf_store(struct cobocred_item *item, const struct cobocred_query *replace)
{
	int st = tf_store_keep(item, replace);

	cobocred_item_free(item);
	return st;
}

int tf_erase(const struct cobocred_query *q)
{
	return file_erase(tf.state, q);
}

const char *tf_error(void)
{
	return cobocred_error(tf.ctx);
}

size_t tf_count(const struct cobocred_item *list)
{
	size_t n = 0;

	for (; list != NULL; list = list->next)
		n++;
	return n;
}

void tf_assert_no_secret_leak(void)
{
	CU_ASSERT_EQUAL(cobocred_secret_live(), tf.live0);
}

const char *tf_store_path(void)
{
	return tf_path(".local/share/cobo-credential/store");
}
