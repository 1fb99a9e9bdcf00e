/*
 * test_file_helpers.h - shared by the file module's CUnit suites: a
 * private HOME, small file helpers and item builders (the runner is
 * cutest.c's, as for every unit test).
 */
#ifndef TEST_FILE_HELPERS_H
#define TEST_FILE_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

#include "cobocred.h"

/*
 * A fresh private temp dir as HOME, with XDG_* under it (as
 * tests/lib/common.sh does), so no test touches the user's files.
 * Returns the dir (static storage) or NULL.
 */
const char *tf_home_setup(void);
/* Removes the temp dir made by tf_home_setup. */
void tf_home_cleanup(void);
/* "$HOME/rel" into a static rotating buffer. */
const char *tf_path(const char *rel);

/* The whole file (malloc, NUL-terminated), or NULL. */
char *tf_read(const char *path, size_t *len);
/* Writes a file with mode; 0 or -1. */
int tf_write(const char *path, const void *data, size_t len, mode_t mode);

/*
 * A new item: schema, secret bytes, then name/value attribute pairs ending
 * in NULL.  Aborts on OOM (tests only).
 */
struct cobocred_item *tf_item(const char *schema, const void *secret, size_t len, ...);

#endif
