/*
 * wipe.h - wiping memory the optimiser cannot skip.  Stateless: safe in
 * the core, the front-ends and every module.
 */
#ifndef COBOCRED_WIPE_H
#define COBOCRED_WIPE_H

#include <stddef.h>

/* Wipes a plain buffer the optimiser cannot skip.  NULL or 0 is a no-op. */
void cobocred_wipe(void *p, size_t n);
/* Frees a NUL-terminated plain heap string after wiping it. */
void cobocred_free_wiped(char *s);

#endif
