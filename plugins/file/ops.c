/*
 * ops.c - the file module's operations: get, list, store, erase.
 *
 * Readers load the whole store under a shared lock; writers do
 * read-modify-write under the exclusive lock and replace the file
 * atomically.  A store that fails to load (corrupt, unsafe permissions)
 * is never written: every writer returns before saving.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "convert.h"
#include "file.h"
#include "match.h"
#include "state.h"

#define ERRLEN 1024

/* Reports st's message (SUCCESS and NOTFOUND need none) and returns st. */
static int report(const struct file_state *s, int st, const char *err)
{
	if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND)
		s->host->set_error(s->host->ctx, "%s", err);
	return st;
}

static int expired(const struct file_item *it, int64_t now)
{
	return it->expires_at != 0 && it->expires_at <= now;
}

/* Loads the store under a shared lock.  NOTFOUND when there is none yet. */
static int read_store(const struct file_state *s, struct file_store *fs, char *err)
{
	int fd = -1, st;

	file_store_init(fs);
	st = file_io_dir(&s->paths, 0, err, ERRLEN);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = file_io_lock(&s->paths, 0, &fd, err, ERRLEN);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = file_io_load(&s->paths, fs, err, ERRLEN);
	file_io_unlock(fd);
	if (st == COBOCRED_SUCCESS)
		s->host->log(s->host->ctx, COBOCRED_LOG_DEBUG, "file: read %zu items from %s",
			     fs->n, s->paths.path);
	return st;
}

/* The most recently stored unexpired match. */
int file_get(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct file_state *s = state;
	struct file_store fs;
	char err[ERRLEN] = "";
	int64_t now;
	size_t i;
	int st;

	*out = NULL;
	st = read_store(s, &fs, err);
	if (st != COBOCRED_SUCCESS)
		goto out;
	now = s->host->now(s->host->ctx);
	st = COBOCRED_NOTFOUND;
	for (i = fs.n; i-- > 0;) {
		if (!file_item_matches(&fs.items[i], q) || expired(&fs.items[i], now))
			continue;
		*out = file_item_to_host(s->host, &fs.items[i]);
		st = COBOCRED_SUCCESS;
		if (*out == NULL) {
			snprintf(err, sizeof(err), "out of memory reading the file store");
			st = COBOCRED_ERROR;
		}
		break;
	}
out:
	file_store_clear(&fs);
	return report(s, st, err);
}

/* Every unexpired match, in the order stored. */
int file_list(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct file_state *s = state;
	struct cobocred_item **tail = out;
	struct file_store fs;
	char err[ERRLEN] = "";
	int64_t now;
	size_t i;
	int st;

	*out = NULL;
	st = read_store(s, &fs, err);
	if (st != COBOCRED_SUCCESS)
		goto out;
	now = s->host->now(s->host->ctx);
	for (i = 0; i < fs.n; i++) {
		if (!file_item_matches(&fs.items[i], q) || expired(&fs.items[i], now))
			continue;
		*tail = file_item_to_host(s->host, &fs.items[i]);
		if (*tail == NULL) {
			snprintf(err, sizeof(err), "out of memory reading the file store");
			st = COBOCRED_ERROR;
			goto out;
		}
		tail = &(*tail)->next;
	}
	st = *out != NULL ? COBOCRED_SUCCESS : COBOCRED_NOTFOUND;
out:
	if (st != COBOCRED_SUCCESS) {
		s->host->item_free(*out);
		*out = NULL;
	}
	file_store_clear(&fs);
	return report(s, st, err);
}

static int matches(const struct file_item *it, const void *q)
{
	return file_item_matches(it, q);
}

/* Removes every match of q; the number removed. */
static size_t remove_matches(struct file_store *fs, const struct cobocred_query *q)
{
	return file_store_remove_if(fs, matches, q);
}

/* An edit of the store: SUCCESS (save it), NOTFOUND (nothing to do) or ERROR. */
typedef int (*edit_fn)(struct file_store *fs, const void *arg, char *err);

/*
 * Read-modify-write under the exclusive lock.  With create, a missing
 * directory or file is an empty store; otherwise it is NOTFOUND.
 */
static int write_store(const struct file_state *s, int create, edit_fn edit, const void *arg,
		       char *err)
{
	struct file_store fs;
	int fd = -1, st;

	file_store_init(&fs);
	st = file_io_dir(&s->paths, create, err, ERRLEN);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = file_io_lock(&s->paths, 1, &fd, err, ERRLEN);
	if (st != COBOCRED_SUCCESS)
		return st;
	st = file_io_load(&s->paths, &fs, err, ERRLEN);
	if (st == COBOCRED_NOTFOUND && create)
		st = COBOCRED_SUCCESS;
	if (st == COBOCRED_SUCCESS)
		st = edit(&fs, arg, err);
	if (st == COBOCRED_SUCCESS)
		st = file_io_save(&s->paths, &fs, err, ERRLEN);
	if (st == COBOCRED_SUCCESS)
		s->host->log(s->host->ctx, COBOCRED_LOG_DEBUG, "file: wrote %zu items to %s", fs.n,
			     s->paths.path);
	file_io_unlock(fd);
	file_store_clear(&fs);
	return st;
}

struct store_args {
	struct file_item *item;
	const struct cobocred_query *replace;
};

static int edit_store(struct file_store *fs, const void *arg, char *err)
{
	const struct store_args *a = arg;

	if (a->replace != NULL)
		remove_matches(fs, a->replace);
	if (file_store_append(fs, a->item) != 0) {
		snprintf(err, ERRLEN,
			 "the file store is full (%d items) or out of memory; "
			 "erase unused items",
			 FILE_MAX_ITEMS);
		return COBOCRED_ERROR;
	}
	return COBOCRED_SUCCESS;
}

int file_store_op(void *state, const struct cobocred_item *item,
		  const struct cobocred_query *replace)
{
	struct file_state *s = state;
	struct file_item fi;
	struct store_args a = { &fi, replace };
	char err[ERRLEN] = "";
	int st = COBOCRED_ERROR;

	if (item == NULL) {
		snprintf(err, sizeof(err), "nothing to store; report this bug");
		return report(s, st, err);
	}
	if (file_item_from_host(item, &fi, err, sizeof(err)) != 0)
		return report(s, st, err);
	st = write_store(s, 1, edit_store, &a, err);
	file_item_clear(&fi); /* still ours unless edit_store took it */
	return report(s, st, err);
}

static int edit_erase(struct file_store *fs, const void *arg, char *err)
{
	(void)err;
	return remove_matches(fs, arg) > 0 ? COBOCRED_SUCCESS : COBOCRED_NOTFOUND;
}

int file_erase(void *state, const struct cobocred_query *q)
{
	struct file_state *s = state;
	char err[ERRLEN] = "";

	if (q == NULL || (q->schema == NULL && q->n_attrs == 0)) {
		/* An empty pattern would match everything: never "erase all". */
		snprintf(err, sizeof(err), "refusing to erase with an empty pattern");
		return report(s, COBOCRED_ERROR, err);
	}
	return report(s, write_store(s, 0, edit_erase, q, err), err);
}
