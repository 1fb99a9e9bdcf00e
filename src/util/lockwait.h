/*
 * lockwait.h - flock with a deadline, for the host's runtime locks
 * (src/engine/lock.c) and the file store's sidecar lock (plugins/file).
 */
#ifndef COBOCRED_LOCKWAIT_H
#define COBOCRED_LOCKWAIT_H

/*
 * Takes flock(fd, op) (LOCK_EX or LOCK_SH), waiting at most timeout_ms.
 * Polls with growing sleeps (1 ms up to 32 ms): flock has no timed wait,
 * and alarm() would disturb the host program's signals.
 * Returns 0 when locked, 1 on timeout, -1 on error (errno set).
 */
int cobocred_flock_wait(int fd, int op, int timeout_ms);

#endif
