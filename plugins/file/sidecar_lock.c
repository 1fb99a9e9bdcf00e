/*
 * sidecar_lock.c - the store's sidecar flock (PATH.lock).
 *
 * The lock lives beside the store, not in it: the store is replaced by
 * rename, which would leave a lock on the old inode.  Writers hold it
 * exclusively across read-modify-write, so concurrent writers in several
 * processes never lose an update; the kernel drops it when a holder dies.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cobocred/module.h"
#include "io.h"
#include "lockwait.h"

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
	r = cobocred_flock_wait(*fd, exclusive ? LOCK_EX : LOCK_SH, p->lock_timeout_ms);
	if (r == 0)
		return COBOCRED_SUCCESS;
	if (r > 0)
		snprintf(err, errlen,
			 "the file store %s stayed locked by another process for "
			 "%d ms (lock %s); try again",
			 p->path, p->lock_timeout_ms, p->lock);
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
