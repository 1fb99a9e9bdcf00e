/*
 * hostmem.c - see hostmem.h.  Two function pointers, no secret state.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hostmem.h"

static cobocred_hostmem_alloc_fn bound_alloc;
static cobocred_hostmem_free_fn bound_free;

void cobocred_hostmem_bind(cobocred_hostmem_alloc_fn alloc, cobocred_hostmem_free_fn free_fn)
{
	if (alloc == NULL || free_fn == NULL)
		return;
	bound_alloc = alloc;
	bound_free = free_fn;
}

int cobocred_hostmem_bound(void)
{
	return bound_alloc != NULL;
}

void *cobocred_hostmem_alloc(size_t n)
{
	return bound_alloc != NULL ? bound_alloc(n) : NULL;
}

void cobocred_hostmem_free(void *p)
{
	if (p == NULL)
		return;
	if (bound_free == NULL)
		abort(); /* nothing can have been allocated unbound: a corrupt pointer */
	bound_free(p);
}

char *cobocred_hostmem_dup(const void *s, size_t n)
{
	char *p = cobocred_hostmem_alloc(n);

	if (p != NULL && n > 0)
		memcpy(p, s, n);
	return p;
}
