/*
 * fsutil.c - careful file access.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <pwd.h>
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

/* The kernel's own bound on symlinks followed in one lookup (ELOOP). */
#define TRUST_MAX_LINKS 40

static int trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* One directory on the way: see cobocred_check_path_trust for the rule. */
static int trust_dir(const char *dir, const struct stat *st, char *err, size_t errlen)
{
	unsigned mode = (unsigned)(st->st_mode & 07777);

	if (!trusted_owner(st->st_uid)) {
		snprintf(err, errlen,
			 "directory %s is owned by uid %u (mode %04o), not by you or root, so "
			 "its owner could replace what is in it; run: chown %u %s (or move the "
			 "file elsewhere)",
			 dir, (unsigned)st->st_uid, mode, (unsigned)geteuid(), dir);
		return -1;
	}
	/*
	 * Departure from OpenSSH: a sticky directory owned by root (/tmp)
	 * keeps others from renaming or deleting entries they do not own, so
	 * what we or root made in it stays ours; the next component is checked
	 * in turn.  A sticky directory of any other owner is not accepted:
	 * its owner may still replace every entry.
	 */
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_uid == 0 && (st->st_mode & S_ISVTX))) {
		snprintf(err, errlen,
			 "directory %s (owner uid %u, mode %04o) is writable by %s, who could "
			 "replace what is in it; run: chmod go-w %s",
			 dir, (unsigned)st->st_uid, mode,
			 (st->st_mode & S_IWOTH) ? "others" : "its group", dir);
		return -1;
	}
	return 0;
}

/* A symlink on the way: its owner could point it anywhere. */
static int trust_link(const char *link, const struct stat *st, char *err, size_t errlen)
{
	if (trusted_owner(st->st_uid))
		return 0;
	snprintf(err, errlen,
		 "symlink %s is owned by uid %u, not by you or root, so its owner decides "
		 "where it points; remove it, or run: chown -h %u %s",
		 link, (unsigned)st->st_uid, (unsigned)geteuid(), link);
	return -1;
}

/*
 * A walk down a path: cur is the real directory reached so far ("" is the
 * root), rest what is left to walk, at p; links counts symlinks followed.
 */
struct walk {
	const char *path; /* as the caller named it, for messages */
	char cur[PATH_MAX];
	char rest[PATH_MAX];
	const char *p;
	int links;
};

/* The next component at w->p (skips '/' and "."); its length, 0 when none is left. */
static size_t next_component(struct walk *w)
{
	size_t n;

	for (;;) {
		while (*w->p == '/')
			w->p++;
		n = strcspn(w->p, "/");
		if (n != 1 || w->p[0] != '.')
			return n;
		w->p++;
	}
}

/* The symlink at link, trusted: what is left becomes "TARGET/REST". 0 or -1 (err). */
static int follow(struct walk *w, const char *link, const struct stat *st, char *err, size_t errlen)
{
	char target[PATH_MAX], tmp[PATH_MAX];
	ssize_t r = -1;
	int n;

	if (trust_link(link, st, err, errlen) != 0)
		return -1;
	if (++w->links <= TRUST_MAX_LINKS)
		r = readlink(link, target, sizeof(target) - 1);
	if (r <= 0 || (size_t)r >= sizeof(target) - 1) {
		snprintf(err, errlen, "cannot follow symlink %s (on the way to %.200s)", link,
			 w->path);
		return -1;
	}
	target[r] = '\0';
	if (target[0] == '/')
		w->cur[0] = '\0';
	n = snprintf(tmp, sizeof(tmp), "%s/%s", target, w->p);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "cannot check %.200s: path too long", w->path);
		return -1;
	}
	memcpy(w->rest, tmp, (size_t)n + 1);
	w->p = w->rest;
	return 0;
}

/* w->rest: path made absolute against the current directory.  0 or -1 (err). */
static int walk_start(struct walk *w, const char *path, char *err, size_t errlen)
{
	char cwd[PATH_MAX];
	int n = -1;

	w->path = path;
	w->cur[0] = '\0';
	w->p = w->rest;
	w->links = 0;
	if (path[0] == '/')
		n = snprintf(w->rest, sizeof(w->rest), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		n = snprintf(w->rest, sizeof(w->rest), "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= sizeof(w->rest)) {
		snprintf(err, errlen, "cannot check the directories of %.200s: path too long",
			 path);
		return -1;
	}
	return 0;
}

int cobocred_check_path_trust(const char *path, char *err, size_t errlen)
{
	char cand[PATH_MAX];
	struct walk w;
	struct stat st;
	size_t len;
	int n;

	if (walk_start(&w, path, err, errlen) != 0)
		return -1;
	if (lstat("/", &st) != 0 || trust_dir("/", &st, err, errlen) != 0)
		return -1;
	while ((len = next_component(&w)) > 0) {
		if (len == 2 && w.p[0] == '.' && w.p[1] == '.') {
			char *slash = strrchr(w.cur, '/'); /* cur is real: ".." is its parent */

			if (slash != NULL)
				*slash = '\0';
			w.p += len;
			continue;
		}
		n = snprintf(cand, sizeof(cand), "%s/%.*s", w.cur, (int)len, w.p);
		if (n < 0 || (size_t)n >= sizeof(cand)) {
			snprintf(err, errlen, "cannot check %.200s: path too long", path);
			return -1;
		}
		w.p += len;
		if (lstat(cand, &st) != 0) {
			/* Nothing there to trust yet: opening it fails the same way. */
			if (errno == ENOENT || errno == ENOTDIR)
				return 0;
			snprintf(err, errlen, "cannot check %s (on the way to %.200s): %s", cand,
				 path, strerror(errno));
			return -1;
		}
		if (S_ISLNK(st.st_mode)) {
			if (follow(&w, cand, &st, err, errlen) != 0)
				return -1;
		} else if (!S_ISDIR(st.st_mode)) {
			return 0; /* the file itself: cobocred_check_perms judges it */
		} else if (trust_dir(cand, &st, err, errlen) != 0) {
			return -1;
		} else {
			memcpy(w.cur, cand, (size_t)n + 1);
		}
	}
	return 0;
}

/* $HOME when absolute, else the password database's home; NULL if neither. */
static const char *user_home(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home != NULL && home[0] == '/')
		return home;
	pw = getpwuid(geteuid());
	return pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

int cobocred_path_resolve(const char *config_file, const char *value, char *out, size_t outlen,
			  char *err, size_t errlen)
{
	const char *home, *slash;
	char cwd[PATH_MAX] = "";
	int n;

	if (value[0] == '\0') {
		snprintf(err, errlen, "empty path; write a file name");
		return -1;
	}
	if (value[0] == '/') {
		n = snprintf(out, outlen, "%s", value);
	} else if (value[0] == '~') {
		if (value[1] != '/') {
			snprintf(
				err, errlen,
				"'%.60s': only ~/ (your own home) is expanded; write the full path",
				value);
			return -1;
		}
		if ((home = user_home()) == NULL) {
			snprintf(err, errlen, "'%.60s': no home directory to expand ~ in; set HOME",
				 value);
			return -1;
		}
		n = snprintf(out, outlen, "%s/%s", home, value + 2);
	} else {
		/* Never against the current directory: git runs helpers in the work tree. */
		if (config_file == NULL) {
			snprintf(err, errlen,
				 "relative path '%.60s' and no configuration file to resolve it "
				 "against; write the full path",
				 value);
			return -1;
		}
		if (config_file[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL) {
			snprintf(err, errlen, "cannot resolve '%.60s': %s", value, strerror(errno));
			return -1;
		}
		slash = strrchr(config_file, '/');
		n = snprintf(out, outlen, "%s%s%.*s/%s", cwd, cwd[0] && slash ? "/" : "",
			     slash != NULL ? (int)(slash - config_file) : 0, config_file, value);
	}
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(err, errlen, "path '%.60s...' is too long", value);
		return -1;
	}
	return 0;
}

/* Whether h, of a host built with an older module.h, has the field f. */
#define HOST_HAS(h, f) \
	((h)->struct_size >= offsetof(struct cobocred_host, f) + sizeof((h)->f) && (h)->f != NULL)

const char *cobocred_host_config_file(const struct cobocred_host *h)
{
	return h != NULL && HOST_HAS(h, config_file) ? h->config_file(h->ctx) : NULL;
}

int cobocred_host_profile_line(const struct cobocred_host *h, const char *profile, const char *key)
{
	return h != NULL && profile != NULL && HOST_HAS(h, profile_line)
		       ? h->profile_line(h->ctx, profile, key)
		       : 0;
}

const char *cobocred_host_setting_where(const struct cobocred_host *h, const char *profile,
					const char *key, char *buf, size_t len)
{
	const char *file = cobocred_host_config_file(h);
	int line = cobocred_host_profile_line(h, profile, key);

	if (file != NULL && line > 0)
		snprintf(buf, len, "%s:%d: ", file, line);
	else if (len > 0)
		buf[0] = '\0';
	return buf;
}

int cobocred_trusted_path(const char *config_file, const char *value, char *out, size_t outlen,
			  char *err, size_t errlen)
{
	if (cobocred_path_resolve(config_file, value, out, outlen, err, errlen) != 0)
		return -1;
	return cobocred_check_path_trust(out, err, errlen);
}
