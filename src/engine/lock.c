/*
 * lock.c - the host's lock service (struct cobocred_lock_service, the
 * default): flock on a file in the user's private runtime directory
 * ($XDG_RUNTIME_DIR/cobo-credential when XDG_RUNTIME_DIR is a private
 * directory of ours, else ~/.cache/cobo-credential), waited for with a
 * deadline, and failure markers beside the lock files.  The kernel drops a
 * flock when its holder dies, so a killed helper never wedges the rest.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "fsutil.h"
#include "lockwait.h"

/*
 * $XDG_RUNTIME_DIR is trusted only when it is what the XDG spec promises: a
 * directory (not a symlink) owned by this user with mode 0700.  On a shared
 * directory (a 1777 /tmp, say) another user could pre-create our
 * subdirectory and block every lock: a denial of service.  0 or -1 with why.
 */
static int runtime_base_ok(const char *base, char *why, size_t len)
{
	struct stat st;

	if (base == NULL || base[0] != '/') {
		snprintf(why, len, "XDG_RUNTIME_DIR unset or not absolute");
		return -1;
	}
	if (lstat(base, &st) != 0) {
		snprintf(why, len, "cannot stat XDG_RUNTIME_DIR %s: %s", base, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(why, len,
			 "XDG_RUNTIME_DIR %s is not a private directory of yours "
			 "(%s, owner uid %u, mode %03o)",
			 base, S_ISDIR(st.st_mode) ? "directory" : "not a directory",
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* $XDG_CACHE_HOME/cobo-credential, else ~/.cache/cobo-credential. */
static int cache_runtime_path(char *buf, size_t len)
{
	const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (cache != NULL && cache[0] == '/')
		return snprintf(buf, len, "%s/cobo-credential", cache);
	if (home == NULL || home[0] != '/') {
		struct passwd *pw = getpwuid(geteuid());

		home = pw != NULL ? pw->pw_dir : "/";
	}
	return snprintf(buf, len, "%s/.cache/cobo-credential", home);
}

/*
 * The private directory for locks and failure markers: under
 * $XDG_RUNTIME_DIR when that is private (runtime_base_ok), else under the
 * cache directory.  Either way it is created 0700 and refused, with the
 * fix, unless it is a directory of ours that nobody else can enter
 * (cobocred_mkdir_private).  A bad subdirectory of a private runtime
 * directory is refused, not bypassed: only we or root could have made it.
 */
const char *cobocred_runtime_dir(struct cobocred_ctx *ctx)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	char err[512], why[512];
	int n;

	if (ctx->runtime_dir[0] != '\0')
		return ctx->runtime_dir;
	if (runtime_base_ok(base, why, sizeof(why)) == 0) {
		n = snprintf(ctx->runtime_dir, sizeof(ctx->runtime_dir), "%s/cobo-credential",
			     base);
	} else {
		cobocred_trace(ctx, "runtime directory: %s; using the cache directory", why);
		n = cache_runtime_path(ctx->runtime_dir, sizeof(ctx->runtime_dir));
	}
	if (n < 0 || (size_t)n >= sizeof(ctx->runtime_dir) ||
	    cobocred_mkdir_private(ctx->runtime_dir, err, sizeof(err)) != 0) {
		cobocred_set_error(ctx, "runtime directory: %s",
				   n < 0 || (size_t)n >= sizeof(ctx->runtime_dir) ? "path too long"
										  : err);
		ctx->runtime_dir[0] = '\0';
		return NULL;
	}
	return ctx->runtime_dir;
}

static int valid_lock_name(const char *s)
{
	if (*s == '\0' || *s == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* Opens the lock file of NAME; -1 with the message set. */
static int lock_open(struct cobocred_ctx *ctx, const char *name, char *path, size_t len)
{
	const char *dir = cobocred_runtime_dir(ctx);
	int fd;

	if (dir == NULL)
		return -1;
	if (!valid_lock_name(name)) {
		cobocred_set_error(ctx, "bad lock name '%.40s'; report this bug", name);
		return -1;
	}
	snprintf(path, len, "%s/%s.lock", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		cobocred_set_error(ctx, "cannot open lock %s: %s", path, strerror(errno));
	return fd;
}

/*
 * flock(op) on NAME's file, waiting up to timeout_ms; timeout_ms 0 tries
 * once and never waits (the lifecycle's "is anybody refreshing?").
 */
static int flock_take(struct cobocred_ctx *ctx, const char *name, int op, int timeout_ms,
		      int *handle)
{
	const char *how = op == LOCK_SH ? " (shared)" : "";
	char path[4200];
	int fd, r;

	*handle = -1;
	fd = lock_open(ctx, name, path, sizeof(path));
	if (fd < 0)
		return COBOCRED_ERROR;
	/* A first try without waiting: on a miss, say so once (tests order
	 * events on this trace line), then wait with the deadline. */
	r = flock(fd, op | LOCK_NB) == 0 ? 0 : -1;
	if (r != 0 && (errno == EWOULDBLOCK || errno == EINTR)) {
		r = 1;
		if (timeout_ms > 0) {
			cobocred_trace(
				ctx, "waiting for lock %s%s (held by another process; up to %d ms)",
				name, how, timeout_ms);
			r = cobocred_flock_wait(fd, op, timeout_ms);
		}
	}
	if (r != 0) {
		if (r > 0 && timeout_ms == 0)
			cobocred_set_error(ctx, "lock %s is held by another process", path);
		else if (r > 0)
			cobocred_set_error(ctx,
					   "lock %s held by another process for over %d ms; "
					   "retry, or find the stuck process with: fuser %s",
					   path, timeout_ms, path);
		else
			cobocred_set_error(ctx, "cannot lock %s: %s", path, strerror(errno));
		close(fd);
		return r > 0 ? COBOCRED_TRYAGAIN : COBOCRED_ERROR;
	}
	cobocred_trace(ctx, "locked %s%s", name, how);
	*handle = fd;
	return COBOCRED_SUCCESS;
}

static int flock_lock(struct cobocred_ctx *ctx, const char *name, int timeout_ms, int *handle)
{
	return flock_take(ctx, name, LOCK_EX, timeout_ms, handle);
}

static int flock_lock_shared(struct cobocred_ctx *ctx, const char *name, int timeout_ms,
			     int *handle)
{
	return flock_take(ctx, name, LOCK_SH, timeout_ms, handle);
}

static void flock_unlock(struct cobocred_ctx *ctx, int handle)
{
	(void)ctx;
	if (handle >= 0) {
		flock(handle, LOCK_UN);
		close(handle);
	}
}

static int marker_path(struct cobocred_ctx *ctx, const char *name, char *buf, size_t len)
{
	const char *dir = cobocred_runtime_dir(ctx);
	int n;

	if (dir == NULL || !valid_lock_name(name))
		return -1;
	n = snprintf(buf, len, "%s/%s.failed", dir, name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void flock_mark_failure(struct cobocred_ctx *ctx, const char *name, int failed)
{
	char path[4200];
	int fd;

	if (marker_path(ctx, name, path, sizeof(path)) != 0)
		return;
	if (!failed) {
		(void)unlink(path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		(void)futimens(fd, NULL); /* an existing marker gets a new time too */
		close(fd);
	}
}

static int flock_failed_recently(struct cobocred_ctx *ctx, const char *name, int seconds)
{
	char path[4200];
	struct stat st;
	time_t now = time(NULL);

	if (marker_path(ctx, name, path, sizeof(path)) != 0 || lstat(path, &st) != 0)
		return 0;
	return st.st_mtime <= now && now - st.st_mtime < seconds;
}

const struct cobocred_lock_service cobocred_flock_service = {
	.name = "flock",
	.lock = flock_lock,
	.unlock = flock_unlock,
	.mark_failure = flock_mark_failure,
	.failed_recently = flock_failed_recently,
	.lock_shared = flock_lock_shared,
};

void cobocred_set_lock_service(struct cobocred_ctx *ctx, const struct cobocred_lock_service *s)
{
	ctx->locks = s != NULL ? s : &cobocred_flock_service;
}
