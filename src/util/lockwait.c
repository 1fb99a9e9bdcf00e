/*
 * lockwait.c - see lockwait.h.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <sys/file.h>
#include <time.h>

#include "lockwait.h"

#define LOCKWAIT_MAX_SLEEP_MS 32

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

int cobocred_flock_wait(int fd, int op, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	int delay = 1, r = -1;

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0) {
			r = 0;
			break;
		}
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		if (mono_ms() >= deadline) {
			r = 1;
			break;
		}
		sleep_ms(delay);
		if (delay < LOCKWAIT_MAX_SLEEP_MS)
			delay *= 2;
	}
	return r;
}
