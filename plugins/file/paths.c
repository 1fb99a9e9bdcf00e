/*
 * paths.c - where the store lives, and its private directory.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cobocred/module.h"
#include "fsutil.h"
#include "io.h"

/* ${XDG_DATA_HOME:-$HOME/.local/share}/cobo-credential/store into buf. */
static int default_path(char *buf, size_t len, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/') {
		n = snprintf(buf, len, "%s/cobo-credential/store", xdg);
	} else {
		if (home == NULL || home[0] != '/') {
			struct passwd *pw = getpwuid(geteuid());

			home = pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/' ? pw->pw_dir
											: NULL;
		}
		if (home == NULL) {
			snprintf(err, errlen,
				 "no home directory for the file store; set HOME, or "
				 "path= in [module file]");
			return COBOCRED_UNAVAIL;
		}
		n = snprintf(buf, len, "%s/.local/share/cobo-credential/store", home);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "file store path too long; set path= in [module file]");
		return COBOCRED_ERROR;
	}
	return COBOCRED_SUCCESS;
}

int file_io_paths(struct file_paths *p, const char *path, size_t max_bytes, char *err,
		  size_t errlen)
{
	char *slash;
	size_t n;
	int st;

	memset(p, 0, sizeof(*p));
	p->max_bytes = max_bytes;
	p->lock_timeout_ms = FILE_DEFAULT_LOCK_TIMEOUT_MS;
	if (path == NULL) {
		st = default_path(p->path, sizeof(p->path), err, errlen);
		if (st != COBOCRED_SUCCESS)
			return st;
	} else {
		n = strlen(path);
		if (path[0] != '/' || path[n - 1] == '/' || n >= sizeof(p->path) - 8) {
			snprintf(err, errlen,
				 "[module file] path= must be an absolute file name, "
				 "not '%.80s'",
				 path);
			return COBOCRED_ERROR;
		}
		memcpy(p->path, path, n + 1);
	}
	n = strlen(p->path);
	if (n + sizeof(".lock") > sizeof(p->lock)) {
		snprintf(err, errlen, "file store path too long: %.80s", p->path);
		return COBOCRED_ERROR;
	}
	snprintf(p->lock, sizeof(p->lock), "%s.lock", p->path);
	memcpy(p->dir, p->path, n + 1);
	slash = strrchr(p->dir, '/');
	if (slash == p->dir)
		slash[1] = '\0'; /* a store right under "/" */
	else
		*slash = '\0';
	return COBOCRED_SUCCESS;
}

/*
 * SUCCESS, NOTFOUND (absent, or a file in the way of a parent: nothing is
 * stored there) or ERROR: the directory must be ours and private.
 */
static int check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		snprintf(err, errlen, "cannot use the file store directory %s: %s", dir,
			 strerror(errno));
		return errno == ENOENT || errno == ENOTDIR ? COBOCRED_NOTFOUND : COBOCRED_ERROR;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "%s is not a directory; move it away or set path= in "
			 "[module file]",
			 dir);
		return COBOCRED_ERROR;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "the file store directory %s is owned by uid %u, not by you; "
			 "run: chown %u %s",
			 dir, (unsigned)st.st_uid, (unsigned)geteuid(), dir);
		return COBOCRED_ERROR;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen,
			 "the file store directory %s is accessible by others "
			 "(mode %03o); run: chmod 700 %s",
			 dir, (unsigned)(st.st_mode & 0777), dir);
		return COBOCRED_ERROR;
	}
	return COBOCRED_SUCCESS;
}

int file_io_dir(const struct file_paths *p, int create, char *err, size_t errlen)
{
	struct stat st;
	int r = check_dir(p->dir, err, errlen);

	if (r != COBOCRED_NOTFOUND || !create)
		return r;
	if (cobocred_mkdir_private(p->dir, err, errlen) == 0)
		return COBOCRED_SUCCESS;
	/* Still absent: a read-only or foreign file system, so not here. */
	if (lstat(p->dir, &st) != 0) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n,
			 "; the file store cannot work here, set path= in "
			 "[module file] to a writable place");
		return COBOCRED_UNAVAIL;
	}
	return COBOCRED_ERROR;
}
