/*
 * secret.h - memory for secrets: zeroed on allocation, wiped before free.
 *
 * Every live secret buffer is also registered, so the trace writer can
 * redact any secret that slips into a trace line by mistake.  Core only:
 * modules get this memory through host->secret_alloc, util helpers through
 * hostmem.h (bound to this registry), and neither links it.
 */
#ifndef COBOCRED_SECRET_H
#define COBOCRED_SECRET_H

#include <stddef.h>

#include "wipe.h"

/* n bytes of zeroed secret memory (plus a hidden NUL), or NULL. */
void *cobocred_secret_alloc(size_t n);
/* Wipes the whole buffer, then frees it.  NULL is a no-op. */
void cobocred_secret_free(void *p);
/* A secret copy of s[0..n) with a NUL after it, or NULL. */
char *cobocred_secret_dup(const void *s, size_t n);

/*
 * Calls fn for each live secret at least min_len bytes long; stops when fn
 * returns non-zero.  Used by the trace writer for redaction.
 */
void cobocred_secret_foreach(size_t min_len, int (*fn)(const char *s, size_t n, void *arg),
			     void *arg);

/* Number of live secret buffers (tests use it to prove every secret is freed). */
size_t cobocred_secret_live(void);

#endif
