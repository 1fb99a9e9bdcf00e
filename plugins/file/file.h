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

/* The module table; file_module.c hands it to the host, unit tests call it directly. */
extern const struct cobocred_module file_module;

#endif
