/*
 * fsutil.h - careful file access: permission checks that say how to fix
 * them (as ssh and sudo do), private directories, atomic replacement.
 */
#ifndef COBOCRED_FSUTIL_H
#define COBOCRED_FSUTIL_H

#include <stddef.h>
#include <sys/stat.h>
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

/*
 * Path trust (OpenSSH's StrictModes, walked the way the kernel walks it):
 * every directory from "/" down to path's own directory -- and path itself
 * when it is a directory -- must be owned by root or the effective uid and
 * not writable by group or others; each symlink met on the way must be
 * owned by root or us, and its target is walked the same way (so both the
 * path as written and its real path are checked).  One departure from
 * OpenSSH: a root-owned directory with the sticky bit (/tmp) is accepted
 * although others may write to it, because the sticky bit keeps them from
 * renaming or replacing entries they do not own; the next component is
 * checked in turn, so a directory another user made in /tmp is refused.
 * The file itself is for cobocred_check_perms (its owner and mode).
 * A component that does not exist ends the walk with 0: there is nothing
 * to trust yet and opening it fails.  Returns 0, or -1 with one line in err
 * naming the directory or link, its owner and mode, and the fix.
 */
int cobocred_check_path_trust(const char *path, char *err, size_t errlen);
/* Room for its message: two paths and the fix. */
#define COBOCRED_TRUST_ERR_MAX (2 * 4096 + 512)

/*
 * A path written in a configuration file, resolved the one way every
 * reader of the file uses: "/x" as is; "~/x" under $HOME (or the user's
 * home from the password database when $HOME is not absolute); anything
 * else relative to the directory of config_file.  "~user/x" is refused,
 * and so is a relative path when config_file is NULL (no file to resolve
 * against).  A relative config_file is taken against the current
 * directory, where it was opened.  0 with out set, or -1 with err.
 */
int cobocred_path_resolve(const char *config_file, const char *value, char *out, size_t outlen,
			  char *err, size_t errlen);

/*
 * For modules: the host's configuration file (ABI 1.4 config_file), or
 * NULL when the host runs a built-in configuration or is older than 1.4
 * (then a relative path is refused, never taken against the current
 * directory).  Line: the line of [profile NAME] KEY, 0 if unknown.
 */
struct cobocred_host;
const char *cobocred_host_config_file(const struct cobocred_host *h);
int cobocred_host_profile_line(const struct cobocred_host *h, const char *profile, const char *key);
/* "FILE:LINE: " of [profile NAME] KEY into buf, or "" when the host cannot say. */
const char *cobocred_host_setting_where(const struct cobocred_host *h, const char *profile,
					const char *key, char *buf, size_t len);

/*
 * A file a setting names, before anything reads it: resolved against
 * config_file (cobocred_path_resolve) into out, and the directories on the
 * way checked (cobocred_check_path_trust).  0, or -1 with err.
 */
int cobocred_trusted_path(const char *config_file, const char *value, char *out, size_t outlen,
			  char *err, size_t errlen);

#endif
