/*
 * fsutil.h - careful file access: permission checks that say how to fix
 * them (as ssh and sudo do), private directories, atomic replacement.
 */
#ifndef COBOCRED_FSUTIL_H
#define COBOCRED_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#define COBOCRED_FILE_NOT_WRITABLE 0x1 /* refuse group/other write (config, modules) */
#define COBOCRED_FILE_PRIVATE 0x2      /* refuse any group/other access (keys, stores) */
#define COBOCRED_FILE_SECRET 0x4       /* return the bytes in wiped secret memory */

/*
 * Checks st (of path) against flags: owner must be the user or root.
 * Returns 0, or -1 with "PATH is ...; run: chmod ... PATH" in err.
 */
int cobocred_check_perms(const char *path, const struct stat *st, int flags, char *err,
			 size_t errlen);

/*
 * Reads a whole regular file of at most max bytes after checking its
 * permissions.  *buf is NUL-terminated; free with free() or, with
 * COBOCRED_FILE_SECRET, cobocred_hostmem_free() (the host's secret memory;
 * in the core that is cobocred_secret_free).  Returns COBOCRED_SUCCESS,
 * NOTFOUND (no such file; err set) or ERROR (err set).
 */
int cobocred_read_private_file(const char *path, size_t max, int flags, char **buf, size_t *len,
			       char *err, size_t errlen);

/*
 * Creates path and missing parents; the last component gets mode 0700.
 * An existing directory must be owned by the user and not accessible to
 * group or others.  0 or -1 with err.
 */
int cobocred_mkdir_private(const char *path, char *err, size_t errlen);

/*
 * Replaces path with data atomically (temp file in the same directory,
 * fsync, rename).  0 or -1 with err; on failure path is untouched.
 */
int cobocred_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err,
			  size_t errlen);

#endif
