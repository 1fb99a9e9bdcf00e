/*
 * io.c - reading and replacing the store file.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cobocred/module.h"
#include "fsutil.h"
#include "io.h"
#include "hostmem.h"

#define CORRUPT_HINT "the file is left untouched, move it away to start over"

int file_io_load(const struct file_paths *p, struct file_store *s, char *err, size_t errlen)
{
	char why[256], *buf = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	file_store_init(s);
	if (stat(p->path, &st) != 0) {
		snprintf(err, errlen, "cannot read the file store %s: %s", p->path,
			 strerror(errno));
		return errno == ENOENT ? COBOCRED_NOTFOUND : COBOCRED_ERROR;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size > p->max_bytes) {
		snprintf(err, errlen,
			 "the file store %s is larger than max_bytes=%zu; raise "
			 "max_bytes= in [module file] or move the file away",
			 p->path, p->max_bytes);
		return COBOCRED_ERROR;
	}
	/* Read just the size seen: writers cannot change it while we hold the lock. */
	r = cobocred_read_private_file(p->path, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0,
				       COBOCRED_FILE_PRIVATE | COBOCRED_FILE_SECRET, &buf, &len,
				       err, errlen);
	if (r != COBOCRED_SUCCESS)
		return r;
	r = file_store_parse(buf, len, s, why, sizeof(why));
	if (r != COBOCRED_SUCCESS)
		snprintf(err, errlen, "%s %s; " CORRUPT_HINT, p->path, why);
	cobocred_hostmem_free(buf);
	return r;
}

/*
 * cobocred_write_atomic with SIGXFSZ held off: past RLIMIT_FSIZE write()
 * must fail with EFBIG (an error we report) rather than kill the process.
 * A SIGXFSZ our write raised is consumed; one pending before is left be.
 */
static int write_guarded(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	struct timespec zero = { 0, 0 };
	sigset_t xfsz, old, pending;
	int was_pending, r;

	sigemptyset(&xfsz);
	sigaddset(&xfsz, SIGXFSZ);
	pthread_sigmask(SIG_BLOCK, &xfsz, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGXFSZ);
	r = cobocred_write_atomic(path, data, len, 0600, err, errlen);
	sigpending(&pending);
	if (!was_pending && sigismember(&pending, SIGXFSZ))
		sigtimedwait(&xfsz, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

int file_io_save(const struct file_paths *p, const struct file_store *s, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0, n;
	int r = COBOCRED_ERROR, st = file_store_serialize(s, p->max_bytes, &buf, &len);

	if (st == 1) {
		snprintf(err, errlen,
			 "the file store %s would grow past max_bytes=%zu; "
			 "erase unused items or raise max_bytes= in [module file]",
			 p->path, p->max_bytes);
		goto out;
	}
	if (st != 0) {
		snprintf(err, errlen, "out of memory writing the file store %s", p->path);
		goto out;
	}
	if (write_guarded(p->path, buf, len, err, errlen) != 0) {
		n = strlen(err);
		snprintf(err + n, errlen - n,
			 "; the store is unchanged, free some space and retry");
		goto out;
	}
	r = COBOCRED_SUCCESS;
out:
	cobocred_hostmem_free(buf);
	return r;
}
