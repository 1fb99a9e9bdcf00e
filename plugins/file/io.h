/*
 * io.h - the store file on disk: where it lives, its private directory,
 * the sidecar lock, reading (checked, bounded, into secret memory) and
 * atomic replacement.
 *
 * Every function returns a COBOCRED_* status and, on anything but
 * SUCCESS or NOTFOUND, an actionable one-line message in err.
 */
#ifndef FILE_IO_H
#define FILE_IO_H

#include <limits.h>
#include <stddef.h>

#include "format.h"

#define FILE_DEFAULT_MAX_BYTES (16u << 20)
#define FILE_DEFAULT_LOCK_TIMEOUT_MS 10000

struct file_paths {
	char path[PATH_MAX]; /* the store file */
	char dir[PATH_MAX];  /* its directory: private, 0700 */
	char lock[PATH_MAX]; /* sidecar lock file: path + ".lock" */
	size_t max_bytes;    /* bound on the file's size */
	int lock_timeout_ms; /* how long to wait for the lock */
};

/*
 * Fills p for the store at path, or, if path is NULL, at
 * ${XDG_DATA_HOME:-$HOME/.local/share}/cobo-credential/store, with the
 * default lock timeout.
 * SUCCESS, UNAVAIL (no home directory) or ERROR (bad path).
 */
int file_io_paths(struct file_paths *p, const char *path, size_t max_bytes, char *err,
		  size_t errlen);

/*
 * Checks the store's directory: SUCCESS, NOTFOUND (absent and not create),
 * ERROR (not private; err names the chmod).  With create, an absent
 * directory is made 0700; UNAVAIL if that is impossible here.
 */
int file_io_dir(const struct file_paths *p, int create, char *err, size_t errlen);

/*
 * Takes the sidecar flock (exclusive for writers, shared for readers),
 * waiting up to p->lock_timeout_ms: SUCCESS with *fd, TRYAGAIN, ERROR.
 * A reader on a read-only directory goes without (*fd = -1): writers
 * replace the file atomically, so it still never sees half a file.
 */
int file_io_lock(const struct file_paths *p, int exclusive, int *fd, char *err, size_t errlen);
void file_io_unlock(int fd);

/*
 * Reads and parses the store into s (initialised here): SUCCESS, NOTFOUND
 * (no file), ERROR (unsafe permissions, too large, corrupt).
 */
int file_io_load(const struct file_paths *p, struct file_store *s, char *err, size_t errlen);

/* Replaces the store with s atomically: SUCCESS, or ERROR with the old file intact. */
int file_io_save(const struct file_paths *p, const struct file_store *s, char *err, size_t errlen);

#endif
