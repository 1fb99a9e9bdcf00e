/*
 * hostmem.h - secret memory for code that runs outside the core: modules,
 * and util helpers such as cobocred_read_private_file.
 *
 * Secret memory belongs to the host: only the host's registry lets the
 * trace writer redact a secret that slips into a trace line.  So this
 * file keeps no secrets and no registry; it forwards to the allocator it
 * was bound to:
 *   - a module binds it in open() to host->secret_alloc/secret_free;
 *   - the core binds it to its own registry (src/engine/secret.c) when the
 *     program starts.
 * Unbound, every allocation fails (NULL): a secret is never kept where the
 * host cannot see it.
 */
#ifndef COBOCRED_HOSTMEM_H
#define COBOCRED_HOSTMEM_H

#include <stddef.h>

#include "wipe.h"

typedef void *(*cobocred_hostmem_alloc_fn)(size_t n);
typedef void (*cobocred_hostmem_free_fn)(void *p);

/* Binds this copy of the util library to the host's secret allocator. */
void cobocred_hostmem_bind(cobocred_hostmem_alloc_fn alloc, cobocred_hostmem_free_fn free_fn);
/* 1 when bound. */
int cobocred_hostmem_bound(void);

/* n bytes of zeroed host secret memory (plus a hidden NUL), or NULL. */
void *cobocred_hostmem_alloc(size_t n);
/* Wipes and frees host secret memory.  NULL is a no-op. */
void cobocred_hostmem_free(void *p);
/* A host secret copy of s[0..n) with a NUL after it, or NULL. */
char *cobocred_hostmem_dup(const void *s, size_t n);

#endif
