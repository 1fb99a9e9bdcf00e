/*
 * fsutil.c - careful file access.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cobocred/module.h"
#include "fsutil.h"
#include "hostmem.h"

int cobocred_check_perms(const char *path, const struct stat *st, int flags, char *err,
			 size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return -1;
	}
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		snprintf(err, errlen, "%s is owned by uid %u, not by you or root; run: chown %u %s",
			 path, (unsigned)st->st_uid, (unsigned)geteuid(), path);
		return -1;
	}
	if ((flags & COBOCRED_FILE_PRIVATE) && (st->st_mode & 077)) {
		snprintf(err, errlen, "%s is accessible by others (mode %03o); run: chmod 600 %s",
			 path, (unsigned)(st->st_mode & 0777), path);
		return -1;
	}
	if ((flags & COBOCRED_FILE_NOT_WRITABLE) && (st->st_mode & 022)) {
		snprintf(err, errlen,
			 "%s is writable by group or others (mode %03o); run: chmod go-w %s", path,
			 (unsigned)(st->st_mode & 0777), path);
		return -1;
	}
	return 0;
}

static int read_all(int fd, char *buf, size_t want, size_t *got)
{
	size_t n = 0;

	while (n < want) {
		ssize_t r = read(fd, buf + n, want - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

int cobocred_read_private_file(const char *path, size_t max, int flags, char **buf, size_t *len,
			       char *err, size_t errlen)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0, size;
	int fd, r = COBOCRED_ERROR;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return errno == ENOENT ? COBOCRED_NOTFOUND : COBOCRED_ERROR;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (cobocred_check_perms(path, &st, flags, err, errlen) != 0)
		goto out;
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "%s is larger than %zu bytes; is it the right file?", path,
			 max);
		goto out;
	}
	/*
	 * Sized by fstat, not by the limit: a 1 MiB buffer for a 100-byte
	 * config costs an mmap and page faults on every helper call.  One
	 * byte more than the size reveals a file that grew meanwhile (our
	 * writers replace files by rename, so an open file never grows).
	 */
	size = (size_t)st.st_size;
	data = (flags & COBOCRED_FILE_SECRET) ? cobocred_hostmem_alloc(size + 2)
					      : calloc(1, size + 2);
	if (data == NULL) {
		snprintf(err, errlen, "out of memory reading %s", path);
		goto out;
	}
	if (read_all(fd, data, size + 1, &got) != 0 || got > size) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 got > size ? "it changed while being read; try again" : strerror(errno));
		goto out;
	}
	data[got] = '\0';
	*buf = data;
	*len = got;
	data = NULL;
	r = COBOCRED_SUCCESS;
out:
	if (data != NULL) {
		if (flags & COBOCRED_FILE_SECRET)
			cobocred_hostmem_free(data);
		else
			free(data);
	}
	close(fd);
	return r;
}

static int check_dir(const char *path, int must_be_private, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory; move it away", path);
		return -1;
	}
	if (must_be_private && st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "%s is owned by uid %u, not by you; remove it or run: chown %u %s", path,
			 (unsigned)st.st_uid, (unsigned)geteuid(), path);
		return -1;
	}
	if (must_be_private && (st.st_mode & 077)) {
		snprintf(err, errlen, "%s is accessible by others (mode %03o); run: chmod 700 %s",
			 path, (unsigned)(st.st_mode & 0777), path);
		return -1;
	}
	return 0;
}

int cobocred_mkdir_private(const char *path, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf)) {
		snprintf(err, errlen, "bad directory path '%.60s'", path);
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		int last = (i == n);

		if (!last && buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, last ? 0700 : 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
			return -1;
		}
		if (!last)
			buf[i] = '/';
	}
	return check_dir(path, 1, err, errlen);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cobocred_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err,
			  size_t errlen)
{
	char tmp[PATH_MAX];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "path too long: %.60s", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file beside %s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
