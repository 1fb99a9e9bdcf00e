/*
 * sbuf.h - the one bounded buffer for text that may hold a secret, and
 * the one bounded reader of a request (stdin) that fills it.
 *
 * The bytes live in host secret memory (hostmem.h: the core's registry in
 * the core and the front-ends, host->secret_alloc in a module), so the
 * core and every module share this one buffer: growing moves the bytes
 * through a wiped block, freeing wipes them.  A buffer never grows past
 * its bound: an add that would is refused, marks the buffer failed and
 * leaves it as it was (curl's dynbuf takes its limit the same way).
 * A zeroed struct is an empty buffer with the default bound.
 */
#ifndef COBOCRED_SBUF_H
#define COBOCRED_SBUF_H

#include <stddef.h>

#include "cobocred/module.h" /* COBOCRED_PRINTF */

#define COBOCRED_SBUF_DEFAULT_MAX ((size_t)1024 * 1024)

struct cobocred_sbuf {
	char *p;    /* secret memory, NUL-terminated; NULL until the first add */
	size_t len; /* bytes held, NUL not counted */
	size_t cap; /* bytes allocated */
	size_t max; /* most bytes it may hold; 0: COBOCRED_SBUF_DEFAULT_MAX */
	int failed; /* an add was refused: 0, or COBOCRED_SBUF_FULL / _NOMEM (the first) */
};

#define COBOCRED_SBUF_FULL 1  /* the add would have gone past max */
#define COBOCRED_SBUF_NOMEM 2 /* out of memory */

/* An empty buffer holding at most max bytes (0: the default). */
void cobocred_sbuf_init(struct cobocred_sbuf *b, size_t max);
/* Appends n bytes; 0, or -1 (nothing added, b->failed set). */
int cobocred_sbuf_add(struct cobocred_sbuf *b, const void *s, size_t n);
int cobocred_sbuf_adds(struct cobocred_sbuf *b, const char *s);
int cobocred_sbuf_addf(struct cobocred_sbuf *b, const char *fmt, ...) COBOCRED_PRINTF(2, 3);
/* The contents, "" when empty; never NULL. */
const char *cobocred_sbuf_str(const struct cobocred_sbuf *b);
/* Writes all of it to fd (EINTR and short writes handled); 0 or -1 (errno). */
int cobocred_sbuf_write(const struct cobocred_sbuf *b, int fd);
/* Wipes and frees the contents; b is empty again (its bound kept). */
void cobocred_sbuf_free(struct cobocred_sbuf *b);
/*
 * Hands the contents over: *len (may be NULL) bytes, NUL-terminated, in
 * host secret memory that the caller frees with cobocred_hostmem_free;
 * NULL when nothing was added.  b is empty again (its bound kept).
 */
char *cobocred_sbuf_take(struct cobocred_sbuf *b, size_t *len);

/*
 * Reads fd into b until EOF, until done(b->p, b->len, arg) returns
 * non-zero (a request that ends with a blank line), or until b holds one
 * byte more than limit - so the caller sees the input is too big without
 * reading an unbounded stream.  b is initialised here.  0, or -1 with
 * errno (read error or out of memory; b is freed).
 */
int cobocred_sbuf_read(struct cobocred_sbuf *b, int fd, size_t limit,
		       int (*done)(const char *buf, size_t len, void *arg), void *arg);

#endif
