/*
 * file.h - the file module: a 0600 credential store in one file, the
 * headless fallback when there is no keyring.
 *
 * Options ([module file] section):
 *   path=FILE       the store (default ${XDG_DATA_HOME:-~/.local/share}/cobo-credential/store)
 *   max_bytes=N     refuse to read or grow the file past N bytes (default 16 MiB)
 *   lock_timeout_ms=N  how long to wait for another process's lock (default 10000)
 */
#ifndef FILE_FILE_H
#define FILE_FILE_H

#include "cobocred/module.h"

/*
 * The module's operations (struct cobocred_module's), named so that
 * file_module.c builds the module with COBOCRED_MODULE_DEFINE and the unit
 * tests call them directly.
 */
/* open.c */
int file_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state);
void file_close(void *state);
/* ops.c */
int file_get(void *state, const struct cobocred_query *q, struct cobocred_item **out);
int file_list(void *state, const struct cobocred_query *q, struct cobocred_item **out);
int file_store_op(void *state, const struct cobocred_item *item,
		  const struct cobocred_query *replace);
int file_erase(void *state, const struct cobocred_query *q);

#endif
