/*
 * lock.c - the store's sidecar flock (PATH.lock).
 *
 * The lock lives beside the store, not in it: the store is replaced by
 * rename, which would leave a lock on the old inode.  Writers hold it
 * exclusively across read-modify-write, so concurrent writers in several
 * processes never lose an update; the kernel drops it when a holder dies.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cobocred/module.h"
#include "io.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* flock with a deadline: 0, 1 on timeout, -1 on error (errno set). */
static int flock_wait(int fd, int op, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	int delay = 1;

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (mono_ms() >= deadline)
			return 1;
		sleep_ms(delay);
		if (delay < 32)
			delay *= 2;
	}
}

int file_io_lock(const struct file_paths *p, int exclusive, int *fd, char *err, size_t errlen)
{
	int r;

	*fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (*fd < 0 && !exclusive && (errno == EROFS || errno == EACCES))
		return COBOCRED_SUCCESS; /* read-only: no writer can run either */
	if (*fd < 0) {
		snprintf(err, errlen, "cannot open the lock file %s: %s", p->lock, strerror(errno));
		return COBOCRED_ERROR;
	}
	r = flock_wait(*fd, exclusive ? LOCK_EX : LOCK_SH, p->lock_timeout_ms);
	if (r == 0)
		return COBOCRED_SUCCESS;
	if (r > 0)
		snprintf(err, errlen, "the file store %s stayed locked by another process for "
				      "%d ms (lock %s); try again", p->path, p->lock_timeout_ms,
			 p->lock);
	else
		snprintf(err, errlen, "cannot lock %s: %s", p->lock, strerror(errno));
	close(*fd);
	*fd = -1;
	return r > 0 ? COBOCRED_TRYAGAIN : COBOCRED_ERROR;
}

void file_io_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the flock */
}
